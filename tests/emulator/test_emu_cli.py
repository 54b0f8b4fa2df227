"""The ``birdadmin-emulator`` command as a subprocess: its four start lines, serving, SIGTERM, bad state."""

from __future__ import annotations

import re
import ssl
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from birdadmin.emulator.server import is_loopback

LINES = [
    re.compile(r"^SCIM base URL: http://127\.0\.0\.1:(\d+)/organizations/([0-9a-f-]{36})/scim/v2$"),
    re.compile(r"^Accounts API URL: http://127\.0\.0\.1:(\d+)$"),
    re.compile(r"^SCIM access key: demo-scim-key$"),
    re.compile(r"^Accounts access key: demo-accounts-key$"),
]


def test_cli_prints_the_four_lines_serves_and_stops_on_sigterm(tls: ssl.SSLContext) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "birdadmin.emulator.cli", "--port", "0", "--users", "10", "--groups", "2"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        lines = [proc.stdout.readline().rstrip("\n") for _ in range(4)]
        matches = [pattern.match(line) for pattern, line in zip(LINES, lines, strict=True)]
        assert all(matches), lines
        scim_url = lines[0].split(": ", 1)[1]
        resp = httpx.get(f"{scim_url}/Users", headers={"Authorization": "Bearer demo-scim-key"}, verify=tls)
        assert resp.json()["totalResults"] == 10
        assert matches[0] and matches[1] and matches[0].group(1) == matches[1].group(1)
    finally:
        proc.terminate()
        out, err = proc.communicate(timeout=10)
    assert proc.returncode == 0, err
    assert out == ""  # nothing but the four lines on stdout


@pytest.mark.parametrize("content", ["{ broken", "[" * 100_000 + "]" * 100_000])
def test_cli_refuses_a_corrupt_state_file_with_exit_2(tmp_path: Path, content: str) -> None:
    path = tmp_path / "state.json"
    path.write_text(content, encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, "-m", "birdadmin.emulator.cli", "--port", "0", "--state", str(path)],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert len(proc.stderr.strip().splitlines()) == 1 and str(path) in proc.stderr
    assert "Traceback" not in proc.stderr


def test_loopback_detection() -> None:
    assert is_loopback("127.0.0.1") and is_loopback("localhost") and is_loopback("::1") and is_loopback("127.8.0.1")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.168.1.5") and not is_loopback("example.com")


def _run_cli(*argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "birdadmin.emulator.cli", *argv], capture_output=True, text=True, timeout=15
    )


@pytest.mark.parametrize(
    ("argv", "said"),
    [
        (["--port", "70000"], "port"),
        (["--port", "-1"], "port"),
        (["--latency-ms", "nan"], "latency"),
        (["--latency-ms", "inf"], "latency"),
        (["--latency-ms", "1e308"], "latency"),  # was a traceback and a 500 on every request (sleep overflowed)
        (["--rate-limit", "nan"], "rate"),
        (["--org-id", "a/b"], "organization id"),
        (["--org-id", ""], "organization id"),
    ],
)
def test_cli_refuses_impossible_options_with_one_sentence(argv: list[str], said: str) -> None:
    proc = _run_cli("--port", "0", "--users", "1", "--groups", "0", *argv)
    assert proc.returncode == 2 and proc.stdout == ""
    assert "Traceback" not in proc.stderr and len(proc.stderr.strip().splitlines()) == 1
    assert said in proc.stderr


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="needs /proc, where no folder can be created")
def test_cli_says_when_the_state_file_cannot_be_written() -> None:
    target = Path("/proc/self/birdadmin-no-such-folder/state.json")  # reads as "no file yet", cannot be created
    proc = _run_cli("--port", "0", "--users", "1", "--groups", "0", "--state", str(target))
    assert proc.returncode == 2 and proc.stdout == ""
    assert len(proc.stderr.strip().splitlines()) == 1 and "Traceback" not in proc.stderr
    assert str(target) in proc.stderr and "cannot listen" not in proc.stderr


@pytest.mark.parametrize("module", ["birdadmin.emulator", "birdadmin.emulator.cli"])
def test_the_emulator_answers_version_as_a_module_too(module: str) -> None:
    from birdadmin import __version__

    result = subprocess.run([sys.executable, "-m", module, "--version"], capture_output=True, text=True, timeout=60)
    assert (result.returncode, result.stdout.strip(), result.stderr) == (0, f"birdadmin-emulator {__version__}", "")
