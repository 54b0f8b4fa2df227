"""Shared by the packaging tests: where things are, and running a command with a bound and its output kept."""

from __future__ import annotations

import os
import selectors
import shutil
import subprocess
import time
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
APP_ID = "com.birdadmin.Birdadmin"
LINUX = ROOT / "packaging" / "linux"
HICOLOR = ROOT / "resources" / "icons" / "hicolor"
ICON_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)


def pyproject() -> dict[str, object]:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def need(tool: str) -> str:
    """The tool's path, or a skip naming the package that provides it (packaging/setup.sh installs them)."""
    found = shutil.which(tool)
    if found is None:
        pytest.skip(f"{tool} is not installed (packaging/setup.sh installs it)")
    return found


def run(args: list[str | Path], timeout: float, **kwargs: object) -> subprocess.CompletedProcess[str]:
    """Run to completion within ``timeout`` seconds; the output is text, kept for the assertion message."""
    return subprocess.run([str(arg) for arg in args], capture_output=True, text=True, timeout=timeout,
                          check=False, **kwargs)  # type: ignore[call-overload]


def read_lines(process: subprocess.Popen[bytes], count: int, timeout: float) -> list[str]:
    """The first ``count`` lines of a running process's stdout (opened unbuffered, ``bufsize=0``), or fewer if
    ``timeout`` seconds pass. Raw reads, because a buffered pipe holds lines that select() no longer sees."""
    assert process.stdout is not None
    fd = process.stdout.fileno()
    data = b""
    deadline = time.monotonic() + timeout
    with selectors.DefaultSelector() as selector:
        selector.register(fd, selectors.EVENT_READ)
        while data.count(b"\n") < count and time.monotonic() < deadline:
            if selector.select(timeout=max(0.0, deadline - time.monotonic())):
                chunk = os.read(fd, 65536)
                if not chunk:
                    break
                data += chunk
    return data.decode("utf-8", "replace").splitlines()[:count]
