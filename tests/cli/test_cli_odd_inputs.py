"""Odd input to birdadmin-cli ends as one plain sentence and the documented exit code, never a traceback."""

from __future__ import annotations

import errno
import os
import subprocess
import sys
from pathlib import Path

import pytest

from birdadmin.cli import main
from birdadmin.errors import explain
from birdadmin.store.profiles import ProfileStore

CLI = [sys.executable, "-c", "import sys; from birdadmin.cli import main; sys.exit(main())"]


def test_an_argument_that_is_not_utf8_is_bad_input(capsys: pytest.CaptureFixture[str]) -> None:
    # What Python makes of `birdadmin-cli users show $'\xff'` under a UTF-8 locale.
    code = main(["--demo", "users", "show", os.fsdecode(b"caf\xe9")])
    err = capsys.readouterr().err
    assert code == 2
    assert err == ("birdadmin-cli: argument 4 (caf\\xe9) is not valid UTF-8 text; retype it, or check the "
                   "terminal's character encoding.\n")
    assert main(["--demo", "groups", "show", "\ud800"]) == 2  # a surrogate no decoding makes, from a caller
    assert "argument 4 (\\ud800) is not valid UTF-8 text" in capsys.readouterr().err


@pytest.mark.parametrize("value", ["1e308", "inf", "nan", "0.5", "601", "-3"])
def test_a_timeout_outside_the_profile_range_is_refused(value: str, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["--demo", "--timeout", value, "users", "list"])
    assert code == 2
    assert capsys.readouterr().err == "birdadmin-cli: --timeout: Set the timeout between 1 and 600 seconds.\n"


def run_cli(*argv: str, stdout: object = subprocess.PIPE) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*CLI, *argv], stdout=stdout, stderr=subprocess.PIPE, text=True, timeout=60,
                          env={**os.environ, "PYTHONPATH": str(Path(__file__).parents[2])}, check=False)


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full (Linux)")
@pytest.mark.parametrize("fmt", ["table", "json"])
def test_stdout_on_a_full_disk_is_one_sentence_and_exit_1(fmt: str) -> None:
    with open("/dev/full", "w") as full:
        done = run_cli("--demo", "--format", fmt, "roles", "list", stdout=full)
    assert done.returncode == 1
    assert done.stderr == (
        "birdadmin-cli: The output could not be written (No space left on device); it is incomplete.\n"
    )


def test_a_usage_error_exits_2_even_while_the_trust_store_loads() -> None:
    # The trust store loads on a thread at start; a process that ended at once used to crash (SIGSEGV, 139).
    for _ in range(3):
        done = run_cli("--demo", "--page-size", "0", "users", "list")
        assert done.stderr == "birdadmin-cli: --page-size and --concurrency must be at least 1.\n"
        assert done.returncode == 2


def test_a_deeply_nested_profile_file_is_kept_as_a_backup(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("BIRDADMIN_CONFIG_DIR", str(tmp_path))
    store = ProfileStore(tmp_path)
    store.path.write_text('{"version": 1, "profiles": ' + "[" * 200_000 + "]" * 200_000 + "}")
    code = main(["profiles", "list"])
    err = capsys.readouterr().err
    assert code == 2
    assert "is not valid JSON; birdadmin left it unchanged and kept a copy at profiles.json.bak-" in err
    assert len(list(tmp_path.glob("profiles.json.bak-*"))) == 1


@pytest.mark.parametrize(
    ("exc", "sentence"),
    [
        (OSError(errno.ENOSPC, "No space left on device"),
         "The output could not be written (No space left on device); it is incomplete."),
        (PermissionError(errno.EACCES, "Permission denied", "/x/roles.csv"),
         "/x/roles.csv could not be used (Permission denied); nothing further was changed."),
        (UnicodeEncodeError("utf-8", "\udcff", 0, 1, "surrogates not allowed"),
         "Some text could not be encoded or decoded"),
        (RecursionError("maximum recursion depth exceeded"), "Some data was nested too deeply to read"),
        (OverflowError("timestamp too large"), "A number was too large to use"),
    ],
)
def test_machine_failures_are_explained_in_a_plain_sentence(exc: BaseException, sentence: str) -> None:
    explanation = explain(exc)
    assert explanation.message.startswith(sentence) and explanation.exit_code == 1
    assert "unexpected" not in explanation.message
