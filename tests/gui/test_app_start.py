"""Starting the app where it cannot open a window gives one sentence and exit code 2, not Qt's abort."""

from __future__ import annotations

import subprocess
import sys

import pytest

from birdadmin.app import missing_display


def test_no_display_is_a_plain_sentence(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"):
        monkeypatch.delenv(name, raising=False)
    if not sys.platform.startswith("linux"):
        pytest.skip("only Linux decides the platform from DISPLAY / WAYLAND_DISPLAY")
    assert "DISPLAY" in (missing_display() or "")
    result = subprocess.run(
        [sys.executable, "-m", "birdadmin", "--demo"], capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "birdadmin-cli" in result.stderr and "Traceback" not in result.stderr


def test_a_display_or_platform_is_enough(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    monkeypatch.delenv("QT_QPA_PLATFORM", raising=False)
    monkeypatch.setenv("DISPLAY", ":99")
    assert missing_display() is None
    monkeypatch.delenv("DISPLAY")
    monkeypatch.setenv("QT_QPA_PLATFORM", "offscreen")
    assert missing_display() is None


def test_a_mistyped_option_is_refused_not_ignored(capsys: pytest.CaptureFixture[str]) -> None:
    from birdadmin.app import parse_args

    with pytest.raises(SystemExit) as exit_info:
        parse_args(["--dmeo"])
    assert exit_info.value.code == 2 and "--dmeo" in capsys.readouterr().err
    assert parse_args(["-style", "fusion", "--demo"]).demo  # Qt's single-dash options still pass through


def test_the_window_process_switches_threads_every_millisecond(qapp: object) -> None:
    """A worker computing in Python holds the GUI thread off for at most this long at each turn (app.py)."""
    from birdadmin.app import GUI_SWITCH_INTERVAL_S, ensure_application

    sys.setswitchinterval(0.005)
    ensure_application()
    assert sys.getswitchinterval() == pytest.approx(GUI_SWITCH_INTERVAL_S) and GUI_SWITCH_INTERVAL_S <= 0.001
