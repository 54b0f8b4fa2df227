"""Helpers for the benchmarks: an emulator in its own process, so it competes for the CPU as a real server
would not compete for the client's interpreter lock."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass


@dataclass(frozen=True)
class RemoteEmulator:
    scim_url: str
    accounts_url: str
    key: str
    accounts_key: str
    pid: int


@contextmanager
def emulator_process(*args: str) -> Iterator[RemoteEmulator]:
    """``birdadmin-emulator`` in a subprocess on a free loopback port; its four start-up lines are parsed."""
    process = subprocess.Popen(
        [sys.executable, "-m", "birdadmin.emulator.cli", "--host", "127.0.0.1", "--port", "0", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        assert process.stdout is not None
        lines: dict[str, str] = {}
        while len(lines) < 4:
            line = process.stdout.readline()
            if not line:
                raise RuntimeError("the emulator exited before printing its URLs")
            label, _, value = line.partition(": ")
            lines[label.strip()] = value.strip()
        yield RemoteEmulator(
            lines["SCIM base URL"],
            lines["Accounts API URL"],
            lines["SCIM access key"],
            lines["Accounts access key"],
            process.pid,
        )
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


def verdict(ok: bool) -> str:
    return "OK" if ok else "MISSED"
