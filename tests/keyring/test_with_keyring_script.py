"""``.ci/with-keyring`` itself: the command's exit status comes through and the throwaway keyring is deleted.

Runs the script for real (a private D-Bus and gnome-keyring of its own, nested safely inside another one), so
it needs the same system tools; skipped where they are missing.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / ".ci" / "with-keyring"

pytestmark = pytest.mark.skipif(
    not all(shutil.which(tool) for tool in ("dbus-run-session", "dbus-send", "gnome-keyring-daemon")),
    reason="needs dbus-run-session, dbus-send and gnome-keyring-daemon (apt install dbus gnome-keyring)",
)

# Inside the wrapper: the Secret Service must answer on the private bus, the keyring password must not be in
# the command's environment, and the command's own exit status must come back out.
PROBE = r"""
dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
    org.freedesktop.DBus.NameHasOwner string:org.freedesktop.secrets | grep -q "boolean true" || exit 90
[ -z "${BIRDADMIN_KEYRING_PASSWORD:-}" ] || exit 91
[ "$BIRDADMIN_REAL_KEYRING" = 1 ] || exit 92
test -d "$XDG_DATA_HOME/keyrings" || exit 93
exit 7
"""


def test_exit_status_passes_through_and_scratch_is_removed(tmp_path: Path):
    env = {**os.environ, "TMPDIR": str(tmp_path)}
    result = subprocess.run(
        [str(SCRIPT), "bash", "-c", PROBE], env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 7, result.stderr
    assert list(tmp_path.iterdir()) == []  # the throwaway keyring and its runtime directory are gone


def test_usage_without_a_command(tmp_path: Path):
    result = subprocess.run([str(SCRIPT)], capture_output=True, text=True, timeout=30, check=False)
    assert result.returncode == 2 and "usage:" in result.stderr
