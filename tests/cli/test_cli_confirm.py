"""Confirming a guarded change (cli/confirm.py, cli/guards.py), end to end against the emulator: without --yes a
script is refused (exit 2) with a sentence naming --yes and the guard's own flag, and nothing changes; --yes goes
ahead and says on stderr which guard it answered; on a terminal (a real pty) a typed "yes" goes ahead and anything
else refuses. A profile's batch threshold and Owner role are used (--owner-role wins), and `profiles add|edit`
set them."""

from __future__ import annotations

import json
import os
import select
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from birdadmin.cli import main
from birdadmin.cli.confirm import PROMPT
from birdadmin.emulator import Emulator, EmulatorOptions, start_emulator
from tests.cli.test_cli_guards import direct_owners, owner_id, plain_user, role_id, roles_of

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture()
def emu() -> Iterator[Emulator]:
    with start_emulator(EmulatorOptions(port=0, users=40, groups=3, seed=21)) as running:
        yield running


def members_of(emu: Emulator, group_id: str) -> list[str]:
    return [m["value"] for m in emu.state.group(group_id).get("members", [])]


def test_taking_a_users_last_roles(emu: Emulator, run) -> None:
    user = plain_user(emu)
    held = roles_of(emu, user["id"])
    code, out, err = run("users", "roles", "remove", user["userName"], *held)
    assert code == 2 and out == ""
    assert "--allow-empty" in err and "--yes" in err and "no terminal" in err
    assert roles_of(emu, user["id"]) == held
    code, _, err = run("users", "roles", "remove", user["userName"], *held, "--yes")
    assert code == 0, err
    assert "--yes answered the no-roles-left guard" in err and roles_of(emu, user["id"]) == []


def test_set_with_no_roles(emu: Emulator, run) -> None:
    user = plain_user(emu)
    held = roles_of(emu, user["id"])
    code, _, err = run("users", "roles", "set", user["userName"])
    assert code == 2 and "--allow-empty" in err and "--yes" in err
    assert run("users", "roles", "set", user["userName"], "--dry-run")[0] == 2  # as a real run would
    assert roles_of(emu, user["id"]) == held
    code, out, err = run("users", "roles", "set", user["userName"], "--yes", "--dry-run")
    assert code == 0 and "dry-run" in out and roles_of(emu, user["id"]) == held
    code, _, err = run("users", "roles", "set", user["userName"], "--yes")
    assert code == 0, err
    assert "no-roles-left guard" in err and roles_of(emu, user["id"]) == []
    code, _, err = run("users", "roles", "set", user["userName"], "--allow-empty")
    assert code == 0 and "--yes answered" not in err  # the guard's own flag: nothing to answer


def test_group_roles_set_with_no_roles(emu: Emulator, run) -> None:
    group = emu.state.groups()[1]
    assert run("groups", "roles", "add", group["id"], "Analyst")[0] == 0
    code, _, err = run("groups", "roles", "set", group["id"], "--settle-delay", "0")
    assert code == 2 and "--allow-empty" in err and "--yes" in err
    assert emu.state.team(group["id"])["roleRefs"]
    code, _, err = run("groups", "roles", "set", group["id"], "--yes", "--settle-delay", "0")
    assert code == 0, err
    assert "no-roles-left guard" in err and emu.state.team(group["id"])["roleRefs"] == []


def test_the_last_active_owner(emu: Emulator, run) -> None:
    *others, last = direct_owners(emu)
    for other in others:
        assert run("users", "roles", "set", other["userName"], "Agent", "--yes")[0] == 0
    assert run("users", "roles", "add", last["userName"], "Analyst")[0] == 0
    code, _, err = run("users", "roles", "remove", last["userName"], "Owner")
    assert code == 2 and "--allow-no-owner" in err and "--yes" in err
    assert owner_id(emu) in roles_of(emu, last["id"])
    code, _, err = run("users", "roles", "remove", last["userName"], "Owner", "--yes")
    assert code == 0, err
    assert "--yes answered the no-active-Owner guard" in err and owner_id(emu) not in roles_of(emu, last["id"])


def test_both_guards_are_answered_at_once(emu: Emulator, run) -> None:
    *others, last = direct_owners(emu)
    for other in others:
        assert run("users", "roles", "set", other["userName"], "Agent", "--yes")[0] == 0
    held = roles_of(emu, last["id"])
    code, _, err = run("users", "roles", "remove", last["userName"], *held)
    assert code == 2 and "--allow-empty" in err and "--allow-no-owner" in err
    code, _, err = run("users", "roles", "remove", last["userName"], *held, "--yes")
    assert code == 0, err
    assert "no-roles-left guard" in err and "no-active-Owner guard" in err and roles_of(emu, last["id"]) == []


def test_a_large_member_removal(emu: Emulator, run) -> None:
    group = emu.state.groups()[2]
    users = [u["userName"] for u in emu.state.users()[:30]]
    assert run("groups", "members", "add", group["id"], *users)[0] == 0
    before = members_of(emu, group["id"])
    code, _, err = run("groups", "members", "remove", group["id"], *users)
    assert code == 2 and "--yes" in err and "no terminal" in err and members_of(emu, group["id"]) == before
    code, _, err = run("groups", "members", "remove", group["id"], *users, "--yes")
    assert code == 0, err
    assert "--yes answered the batch-size guard: This changes 30 users, more than 25 at once." in err


def test_the_profiles_batch_threshold_and_owner_role(emu: Emulator, monkeypatch: pytest.MonkeyPatch,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("BIRDADMIN_ACCESS_KEY", emu.key)
    owner, agent = owner_id(emu), role_id(emu, "Agent")
    assert main(["profiles", "add", "Small", "--base-url", emu.scim_url, "--no-key", "--batch-threshold", "2",
                 "--owner-role", owner.upper()]) == 0
    capsys.readouterr()
    group = emu.state.groups()[2]
    users = [u["userName"] for u in emu.state.users()[:3]]
    assert main(["--profile", "Small", "groups", "members", "add", group["id"], *users]) == 0
    assert main(["--profile", "Small", "groups", "members", "remove", group["id"], *users[:2]]) == 0
    assert main(["--profile", "Small", "groups", "members", "add", group["id"], *users[:2]]) == 0
    capsys.readouterr()
    assert main(["--profile", "Small", "groups", "members", "remove", group["id"], *users]) == 2
    assert "more than 2 at once" in capsys.readouterr().err

    # No role names on this profile (no Accounts API): the profile's Owner role lets the guard check.
    *others, last = direct_owners(emu)
    for other in others:
        assert main(["--profile", "Small", "users", "roles", "set", other["userName"], agent, "--yes"]) == 0
    assert main(["--profile", "Small", "users", "roles", "add", last["userName"], agent]) == 0
    capsys.readouterr()
    assert main(["--profile", "Small", "users", "roles", "remove", last["userName"], owner]) == 2
    assert "without an active Owner" in capsys.readouterr().err
    # --owner-role on the command wins over the profile's (here it names another role, so Owner may go).
    assert main(["--profile", "Small", "users", "roles", "remove", last["userName"], owner,
                 "--owner-role", role_id(emu, "Analyst")]) == 0
    assert owner not in roles_of(emu, last["id"])


def test_profiles_add_and_edit_set_the_guard_fields(capsys: pytest.CaptureFixture[str]) -> None:
    base = ["--base-url", "https://scim.example.com/scim/v2", "--no-key"]
    assert main(["profiles", "add", "P", *base, "--batch-threshold", "0"]) == 2
    assert "batch threshold must be a whole number from 1 to 100,000" in capsys.readouterr().err
    assert main(["profiles", "add", "P", *base, "--owner-role", "Owner"]) == 2
    assert "must be a role UUID" in capsys.readouterr().err
    owner = "123e4567-e89b-12d3-a456-426614174000"
    assert main(["--format", "json", "profiles", "add", "P", *base, "--batch-threshold", "5", "--owner-role",
                 owner]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["batch_threshold"] == 5 and shown["owner_role_id"] == owner
    assert main(["--format", "json", "profiles", "edit", "P", "--batch-threshold", "500", "--owner-role", ""]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["batch_threshold"] == 500 and shown["owner_role_id"] is None
    assert main(["profiles", "edit", "P", "--batch-threshold", "100001"]) == 2
    capsys.readouterr()
    assert main(["--format", "json", "profiles", "list"]) == 0
    assert json.loads(capsys.readouterr().out)[0]["batch_threshold"] == 500


# -- on a terminal: a real pty for stdin and stderr --------------------------------------------------------------


def _on_a_terminal(emu: Emulator, argv: list[str], typed: str) -> tuple[int, str]:
    """Run birdadmin-cli with stdin and stderr on a pty, type ``typed`` at the prompt; (exit code, terminal text)."""
    master, slave = os.openpty()
    env = {**os.environ, "BIRDADMIN_ACCESS_KEY": emu.key, "BIRDADMIN_ACCOUNTS_KEY": emu.accounts_key,
           "PYTHONPATH": str(ROOT)}
    command = [sys.executable, "-c", "import sys; from birdadmin.cli import main; sys.exit(main())",
               "--base-url", emu.scim_url, "--accounts-url", emu.accounts_url, *argv]
    seen = b""
    with subprocess.Popen(command, stdin=slave, stderr=slave, stdout=subprocess.DEVNULL, env=env) as proc:
        os.close(slave)
        try:
            deadline = time.monotonic() + 60
            while PROMPT.encode() not in seen and proc.poll() is None and time.monotonic() < deadline:
                if select.select([master], [], [], 0.2)[0]:
                    seen += os.read(master, 4096)
            assert PROMPT.encode() in seen, seen.decode(errors="replace")
            os.write(master, typed.encode() + b"\n")
            code = proc.wait(timeout=60)
            while select.select([master], [], [], 0.1)[0]:
                try:
                    chunk = os.read(master, 4096)
                except OSError:  # the terminal's other end is closed (Linux answers EIO)
                    break
                if not chunk:
                    break
                seen += chunk
        finally:
            proc.kill()
            os.close(master)
    return code, seen.decode(errors="replace")


@pytest.mark.skipif(not hasattr(os, "openpty"), reason="needs a pseudo-terminal")
@pytest.mark.parametrize(("typed", "code"), [("yes", 0), ("no", 2), ("y", 2)])
def test_a_terminal_asks(emu: Emulator, typed: str, code: int) -> None:
    user = plain_user(emu)
    held = roles_of(emu, user["id"])
    got, text = _on_a_terminal(emu, ["users", "roles", "remove", user["userName"], *held], typed)
    assert got == code, text
    assert "would remove every role" in text and PROMPT in text
    assert roles_of(emu, user["id"]) == ([] if code == 0 else held)
    if code:
        assert "Not confirmed" in text


def test_a_read_only_connection_is_refused_before_asking(emu: Emulator, monkeypatch: pytest.MonkeyPatch,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("BIRDADMIN_ACCESS_KEY", emu.key)
    assert main(["profiles", "add", "Audit", "--base-url", emu.scim_url, "--no-key", "--read-only"]) == 0
    user: dict[str, Any] = plain_user(emu)
    capsys.readouterr()
    assert main(["--profile", "Audit", "users", "roles", "set", user["userName"], "--yes"]) == 2
    err = capsys.readouterr().err
    assert "read-only" in err and "--yes answered" not in err
