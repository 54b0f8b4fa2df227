"""The PyInstaller build (packaging/birdadmin.spec): the one-folder app answers ``--version``, its CLI lists the
demo, and ``--demo`` opens on a real X server (Xvfb, Qt's xcb plugin from the folder) and is still running after
five seconds with nothing on stderr. Slow: the build takes about two minutes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.packaging.helpers import ROOT, need, pyproject, run

pytestmark = [pytest.mark.slow, pytest.mark.packaging]

VERSION = str(pyproject()["project"]["version"])  # type: ignore[index]
XVFB_SCREEN = "-screen 0 1400x900x24"


@pytest.fixture(scope="module")
def frozen(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """dist/birdadmin/ built from this checkout into a temporary folder."""
    pytest.importorskip("PyInstaller", reason="pyinstaller is in the test extra")
    work = tmp_path_factory.mktemp("pyinstaller")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    result = run([sys.executable, "-m", "PyInstaller", "--noconfirm", "--log-level", "WARN", "--distpath",
                  work / "dist", "--workpath", work / "build", ROOT / "packaging" / "birdadmin.spec"],
                 timeout=1200, env=env, cwd=work)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    folder = work / "dist" / "birdadmin"
    assert (folder / "birdadmin").is_file()
    return folder


def _app_env() -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key not in {"PYTHONPATH", "DISPLAY", "WAYLAND_DISPLAY"}}
    return {**env, "QT_QPA_PLATFORM": "xcb"}


def test_folder_holds_the_three_commands_the_xcb_plugin_and_the_resources(frozen: Path) -> None:
    for command in ("birdadmin", "birdadmin-cli", "birdadmin-emulator"):
        assert os.access(frozen / command, os.X_OK), command
    internal = frozen / "_internal"
    assert list(internal.glob("PySide6/Qt/plugins/platforms/libqxcb.so"))
    assert (internal / "birdadmin" / "resources" / "icons" / "app.svg").is_file()
    assert (internal / "birdadmin" / "emulator" / "schemas.json").is_file()


def test_frozen_app_answers_version(frozen: Path) -> None:
    for command in ("birdadmin", "birdadmin-cli", "birdadmin-emulator"):
        result = run([frozen / command, "--version"], timeout=60, env=_app_env())
        name = command.replace("-cli", "")  # the CLI says "birdadmin", the emulator "birdadmin-emulator"
        assert (result.returncode, result.stdout.strip()) == (0, f"{name} {VERSION}"), result.stderr


def test_frozen_cli_lists_the_demo(frozen: Path) -> None:
    result = run([frozen / "birdadmin-cli", "--demo", "users", "list"], timeout=120, env=_app_env())
    assert result.returncode == 0, result.stderr
    assert "margaret.hamilton@example.com" in result.stdout


def test_frozen_app_shows_its_window_under_xvfb(frozen: Path) -> None:
    env = {**_app_env(), "BIRDADMIN_EXIT_AFTER_SHOW": "1"}
    result = run([need("xvfb-run"), "-a", "-s", XVFB_SCREEN, frozen / "birdadmin", "--demo"], timeout=120, env=env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("window shown after"), result.stdout
    assert result.stderr == ""


def test_frozen_demo_runs_five_seconds_without_warnings(frozen: Path) -> None:
    process = subprocess.Popen([need("xvfb-run"), "-a", "-s", XVFB_SCREEN, str(frozen / "birdadmin"), "--demo"],
                               env=_app_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               start_new_session=True)
    try:
        time.sleep(5)
        alive = process.poll() is None
    finally:
        os.killpg(process.pid, signal.SIGTERM)  # xvfb-run, Xvfb and the app: the group this test started
        try:
            _out, err = process.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            _out, err = process.communicate(timeout=30)
    assert alive, f"the frozen app exited within 5 s: {err}"
    assert "Traceback" not in err
    assert err == "", err
