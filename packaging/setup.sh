#!/usr/bin/env bash
# Set up birdadmin from a checkout: the system libraries Qt and the keyring need (through apt, when run as root
# on Debian/Ubuntu), then a virtual environment in .venv with birdadmin and its test tools. Safe to run again.
#
#   bash packaging/setup.sh            # then: .venv/bin/birdadmin --demo
set -euo pipefail
cd "$(dirname "$0")/.."

SYSTEM_PACKAGES=(
    # Qt's xcb platform (real windows, and screenshots under Xvfb)
    xvfb xauth libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1 libxcb-randr0 libxcb-render-util0
    libxcb-shape0 libxcb-xinerama0 libxcb-xkb1 libxkbcommon-x11-0 libegl1 libgl1 libfontconfig1 libglib2.0-0
    libdbus-1-3 fonts-dejavu-core
    # a real Secret Service for the keyring
    gnome-keyring dbus dbus-x11
    # the tests read the PDF audit report back (pdftotext, pdfinfo, pdftoppm): PySide6-Essentials has no QtPdf
    poppler-utils
    # tests/packaging validates the menu entry and the AppStream metainfo (packaging/linux/)
    desktop-file-utils appstream
)

if command -v apt-get >/dev/null 2>&1 && command -v dpkg-query >/dev/null 2>&1; then
    missing=()
    for package in "${SYSTEM_PACKAGES[@]}"; do
        dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
    done
    if [ "${#missing[@]}" -gt 0 ]; then
        if [ "$(id -u)" -eq 0 ]; then
            echo "setup: installing ${missing[*]}"
            export DEBIAN_FRONTEND=noninteractive
            apt-get update -qq
            apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
        else
            echo "setup: missing system packages (install them with sudo apt-get install): ${missing[*]}" >&2
        fi
    fi
fi

PYTHON="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
    "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e '.[test]'
echo "setup: ready; run '.venv/bin/birdadmin --demo' or 'packaging/test'"
