"""The Linux desktop integration files: the .desktop entry and AppStream metainfo pass their validators, and they
agree with each other, with pyproject (version, commands) and with the icons committed under resources/."""

from __future__ import annotations

import configparser
import struct
import xml.etree.ElementTree as ET
from pathlib import Path

from tests.packaging.helpers import APP_ID, HICOLOR, ICON_SIZES, LINUX, ROOT, need, pyproject, run

DESKTOP = LINUX / f"{APP_ID}.desktop"
METAINFO = LINUX / f"{APP_ID}.metainfo.xml"


def _png_size(path: Path) -> tuple[int, int]:
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    width, height = struct.unpack(">II", header[16:24])
    return width, height


def _desktop_entry() -> configparser.SectionProxy:
    parser = configparser.ConfigParser(interpolation=None, strict=True)
    parser.optionxform = str  # type: ignore[assignment,method-assign]  # keys are case-sensitive
    parser.read(DESKTOP, encoding="utf-8")
    return parser["Desktop Entry"]


def test_desktop_file_validate_passes() -> None:
    result = run([need("desktop-file-validate"), DESKTOP], timeout=30)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "error" not in (result.stdout + result.stderr).lower()


def test_appstreamcli_validate_passes() -> None:
    result = run([need("appstreamcli"), "validate", "--no-net", METAINFO], timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr


def test_desktop_entry_starts_the_gui_command_with_the_committed_icon() -> None:
    entry = _desktop_entry()
    gui_scripts = pyproject()["project"]["gui-scripts"]  # type: ignore[index]
    assert entry["Exec"].split()[0] in gui_scripts
    assert entry["TryExec"] == entry["Exec"].split()[0]
    assert entry["Icon"] == APP_ID
    assert (HICOLOR / "scalable" / "apps" / f"{APP_ID}.svg").read_bytes() == \
        (ROOT / "resources" / "icons" / "app.svg").read_bytes()


def test_icons_exist_at_every_size_desktops_ask_for() -> None:
    for size in ICON_SIZES:
        assert _png_size(HICOLOR / f"{size}x{size}" / "apps" / f"{APP_ID}.png") == (size, size)


def test_metainfo_agrees_with_the_desktop_file_pyproject_and_screenshots() -> None:
    root = ET.parse(METAINFO).getroot()
    project = pyproject()["project"]
    assert root.findtext("id") == APP_ID
    assert root.findtext("launchable") == DESKTOP.name
    assert root.findtext("project_license") == project["license"]["text"]  # type: ignore[index]
    binaries = {node.text for node in root.iter("binary")}
    assert binaries == set(project["scripts"]) | set(project["gui-scripts"])  # type: ignore[call-overload]
    assert next(node.get("version") for node in root.iter("release")) == project["version"]  # type: ignore[index]
    assert root.find("content_rating") is not None
    images = [node.text or "" for node in root.iter("image")]
    assert images, "no screenshots"
    for url in images:
        assert url.startswith("https://") and "/resources/screenshots/" in url
        assert (ROOT / "resources" / "screenshots" / url.rsplit("/", 1)[1]).is_file(), url



def test_the_window_names_the_desktop_file(qapp: object) -> None:
    """Wayland compositors match a window to its menu entry (and icon) by the desktop file name Qt reports."""
    from birdadmin.app import ensure_application

    assert ensure_application().desktopFileName() == APP_ID
