"""The README screenshot script, run under a real X server (Xvfb) into a temporary file."""

from __future__ import annotations

import os
import shutil
import struct
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.xvfb
def test_screenshot_script_writes_a_real_png(tmp_path: Path) -> None:
    if shutil.which("xvfb-run") is None:
        pytest.skip("xvfb-run is not installed")
    out = tmp_path / "main-window.png"
    env = {**os.environ, "QT_QPA_PLATFORM": "xcb", "BIRDADMIN_CONFIG_DIR": str(tmp_path / "config")}
    result = subprocess.run(
        ["xvfb-run", "-a", "-s", "-screen 0 1400x900x24", sys.executable, str(ROOT / "packaging" / "screenshot.py"),
         str(out)],
        env=env, capture_output=True, text=True, timeout=180,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    data = out.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    assert width >= 1000 and height >= 600
    assert len(data) > 50_000  # a populated window, not a blank one


@pytest.mark.xvfb
def test_the_editing_walkthrough_script_shoots_every_step(tmp_path: Path) -> None:
    if shutil.which("xvfb-run") is None:
        pytest.skip("xvfb-run is not installed")
    out = tmp_path / "shots"
    env = {**os.environ, "QT_QPA_PLATFORM": "xcb", "BIRDADMIN_CONFIG_DIR": str(tmp_path / "config"),
           "BIRDADMIN_DATA_DIR": str(tmp_path / "data")}
    result = subprocess.run(
        ["xvfb-run", "-a", "-s", "-screen 0 1400x900x24", sys.executable, str(ROOT / "packaging" / "screenshot.py"),
         "--scene", "editing", str(out)],
        env=env, capture_output=True, text=True, timeout=180,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    for name in ("change-queue", "apply-preview", "conflict", "journal"):
        data = (out / f"{name}.png").read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 20_000, name
