"""``users roles bulk``: one role change for the users a file lists, end to end against the emulator: every check
before any write (a bad file, an unknown user, the guards), one journal entry per changed user, one truthful row per
user, under faults and after Ctrl+C too."""

from __future__ import annotations

import io
import json
import os
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from birdadmin.cli import main
from birdadmin.cli.confirm import PROMPT
from birdadmin.cli.context import CliContext
from birdadmin.emulator import Emulator, EmulatorOptions, start_emulator
from tests.cli.test_cli_confirm import _on_a_terminal
from tests.cli.test_cli_interrupt import LATENCY_MS, _interrupt_when_a_write_is_on_the_wire


@pytest.fixture()
def emu() -> Iterator[Emulator]:
    with start_emulator(EmulatorOptions(port=0, users=60, groups=3, seed=21)) as running:
        yield running


def role_id(emu: Emulator, name: str) -> str:
    return str(next(r["id"] for r in emu.state.roles() if r["name"] == name)).lower()


def roles_of(emu: Emulator, user_id: str) -> list[str]:
    return [str(r if isinstance(r, str) else r["value"]).lower() for r in emu.state.user(user_id).get("roles", [])]


def users_without(emu: Emulator, role: str, count: int) -> list[dict[str, Any]]:
    """``count`` active users who hold some roles, but not ``role``, and no Owner."""
    owner = role_id(emu, "Owner")
    found = [u for u in emu.state.users() if u.get("active", True) and roles_of(emu, u["id"])
             and role not in roles_of(emu, u["id"]) and owner not in roles_of(emu, u["id"])]
    assert len(found) >= count
    return found[:count]


def users_file(tmp_path: Path, lines: list[str], name: str = "users.txt") -> str:
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return str(path)


def rows(out: str) -> list[dict[str, Any]]:
    return list(json.loads(out))


def versions(emu: Emulator) -> dict[str, object]:
    """Every user's version: a write to anyone changes it."""
    return {u["id"]: (u.get("meta") or {}).get("version") for u in emu.state.users()}


def test_thirty_users_get_a_role_each_journaled_once_and_the_chain_verifies(emu: Emulator, run, tmp_path: Path,
                                                                         capsys) -> None:
    analyst = role_id(emu, "Analyst")
    targets = users_without(emu, analyst, 30)
    # ids and userNames mixed, with a comment, blank lines and a CRLF line, as an exported list may be
    lines = ["# the analysts", ""] + [u["id"] if i % 2 else u["userName"] + "\r" for i, u in enumerate(targets)]
    path = users_file(tmp_path, lines)
    written = versions(emu)
    code, out, err = run("users", "roles", "bulk", "add", "Analyst", "--users", path)
    assert code == 2 and out == ""  # 30 users: more than the batch threshold (25), and no terminal to ask on
    assert "more than 25" in err and "--yes" in err
    assert versions(emu) == written
    code, out, err = run("--format", "json", "users", "roles", "bulk", "add", "Analyst", "--users", path, "--yes")
    assert code == 0, err
    report = rows(out)
    assert [r["id"] for r in report] == [u["id"] for u in targets]  # the file's order
    assert {r["status"] for r in report} == {"changed"}
    for row, user in zip(report, targets, strict=True):
        assert row["userName"] == user["userName"]
        assert analyst in roles_of(emu, user["id"]) and analyst in [a.lower() for a in row["after"]]
        assert analyst not in [b.lower() for b in row["before"]]
    code, out, err = main(["--format", "json", "journal", "list"]), *capsys.readouterr()
    assert code == 0, err
    entries = json.loads(out)
    assert sorted(e["target"]["id"] for e in entries) == sorted(u["id"] for u in targets)  # each exactly once
    assert {e["action"] for e in entries} == {"users roles add"}  # as the single-user command journals it
    for entry in entries:  # each with its own user's write requests, none of the others' sent meanwhile
        assert entry["requests"] and {r["method"] for r in entry["requests"]} <= {"PATCH", "PUT"}
        assert all(r["path"].endswith(f"/Users/{entry['target']['id']}") for r in entry["requests"])
    assert main(["journal", "verify"]) == 0
    capsys.readouterr()
    # the same run again changes nothing and journals nothing
    code, out, err = run("--format", "json", "users", "roles", "bulk", "add", "Analyst", "--users", path, "--yes")
    assert code == 0 and {r["status"] for r in rows(out)} == {"unchanged"}
    assert main(["--format", "json", "journal", "list"]) == 0
    assert len(json.loads(capsys.readouterr().out)) == 30


@pytest.mark.parametrize("bad", ["nobody@example.com", "00000000-0000-4000-8000-000000000000"])
def test_an_unknown_user_sends_nothing(emu: Emulator, run, tmp_path: Path, bad: str) -> None:
    analyst = role_id(emu, "Analyst")
    targets = users_without(emu, analyst, 3)
    path = users_file(tmp_path, [targets[0]["userName"], bad, targets[1]["id"]])
    written = versions(emu)
    code, out, err = run("users", "roles", "bulk", "add", "Analyst", "--users", path)
    assert code == 2 and out == ""
    assert "Line 2" in err and "nothing was changed" in err and len(err.strip().splitlines()) == 1
    assert versions(emu) == written  # nothing was written to anyone


@pytest.mark.parametrize(("lines", "words"), [
    ([], "lists no user"),
    (["# only a comment", "   "], "lists no user"),
    (["a@example.com", "A@example.com"], "Lines 1 and 2"),
    (["a@example.com", "x\x1b[31m@example.com"], "Line 2"),
    (["x" * 300 + "@example.com"], "Line 1"),
])
def test_a_malformed_file_is_one_sentence_and_sends_nothing(
    emu: Emulator, run, tmp_path: Path, lines: list[str], words: str
) -> None:
    path = users_file(tmp_path, lines)
    sent_before = emu.request_count
    code, out, err = run("users", "roles", "bulk", "add", "Analyst", "--users", path, accounts=False)
    assert code == 2 and out == "", err
    assert words in err and "\x1b" not in err and len(err.strip().splitlines()) == 1
    assert emu.request_count == sent_before  # refused before anything was asked of the server


def test_the_same_user_by_id_and_by_name_is_refused(emu: Emulator, run, tmp_path: Path) -> None:
    user = users_without(emu, role_id(emu, "Analyst"), 1)[0]
    path = users_file(tmp_path, [user["id"], user["userName"]])
    code, out, err = run("users", "roles", "bulk", "add", "Analyst", "--users", path)
    assert code == 2 and out == "" and "Lines 1 and 2" in err and "same user" in err
    assert role_id(emu, "Analyst") not in roles_of(emu, user["id"])


def test_users_from_stdin_and_options_anywhere(emu: Emulator, run, tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    agent = role_id(emu, "Agent")
    targets = users_without(emu, agent, 3)
    monkeypatch.setattr("sys.stdin", io.StringIO("\n".join(u["userName"] for u in targets)))
    code, out, err = run("--format", "csv", "users", "roles", "bulk", "add", "--users", "-", "--concurrency", "2",
                         "Agent")
    assert code == 0, err
    lines = out.strip().splitlines()
    assert lines[0] == "id,userName,status,before,after,error" and len(lines) == 4
    assert all(agent in roles_of(emu, u["id"]) for u in targets)
    # the roles after the options, the file between the roles, the format last
    path = users_file(tmp_path, [u["id"] for u in targets])
    code, out, err = run("users", "roles", "bulk", "remove", "--yes", "Agent", "--users", path, "Agent",
                         "--format", "json")
    assert code == 0, err
    assert {r["status"] for r in rows(out)} == {"changed"}
    assert all(agent not in roles_of(emu, u["id"]) for u in targets)


def test_dry_run_sends_nothing_and_shows_the_plan(emu: Emulator, run, tmp_path: Path, capsys) -> None:
    analyst = role_id(emu, "Analyst")
    targets = users_without(emu, analyst, 30)
    path = users_file(tmp_path, [u["userName"] for u in targets])
    written = versions(emu)
    code, out, err = run("users", "roles", "bulk", "add", "--dry-run", "--format", "json", "--users", path,
                         "Analyst", "--yes")
    assert code == 0, err
    assert {r["status"] for r in rows(out)} == {"dry-run"}
    assert all(analyst in [a.lower() for a in r["after"]] for r in rows(out))
    assert versions(emu) == written and "nothing was sent" in err
    assert main(["--format", "json", "journal", "list"]) == 0
    assert json.loads(capsys.readouterr().out) == []  # nothing journaled


def test_removing_owner_from_the_last_owners_is_refused(emu: Emulator, run, tmp_path: Path) -> None:
    owner = role_id(emu, "Owner")
    owners = [u for u in emu.state.users() if u.get("active", True) and owner in roles_of(emu, u["id"])]
    assert len(owners) >= 2
    path = users_file(tmp_path, [u["userName"] for u in owners])
    code, out, err = run("users", "roles", "bulk", "remove", "Owner", "--users", path)
    assert code == 2 and out == ""
    assert "without an active Owner" in err and "--allow-no-owner" in err
    assert all(owner in roles_of(emu, u["id"]) for u in owners)
    # all but one of them is fine: one active Owner is left
    path = users_file(tmp_path, [u["userName"] for u in owners[1:]], "some.txt")
    code, out, err = run("users", "roles", "bulk", "remove", "Owner", "--users", path, "--allow-empty")
    assert code == 0, err
    assert "is the only active Owner" in err
    assert owner in roles_of(emu, owners[0]["id"])
    assert all(owner not in roles_of(emu, u["id"]) for u in owners[1:])


def test_leaving_users_without_roles_needs_allow_empty(emu: Emulator, run, tmp_path: Path) -> None:
    targets = users_without(emu, role_id(emu, "Owner"), 2)
    path = users_file(tmp_path, [u["userName"] for u in targets])
    before = {u["id"]: roles_of(emu, u["id"]) for u in targets}
    code, _, err = run("users", "roles", "bulk", "set", "--users", path)
    assert code == 2 and "--allow-empty" in err and "every role of the users" in err
    assert {u["id"]: roles_of(emu, u["id"]) for u in targets} == before
    assert run("users", "roles", "bulk", "set", "Agent", "--users", path)[0] == 0
    code, _, err = run("users", "roles", "bulk", "remove", "Agent", "--users", path)
    assert code == 2 and err.count("every role") == 1  # one sentence for both users
    assert "every role of 2 users" in err and all(u["userName"] in err for u in targets)
    assert all(roles_of(emu, u["id"]) == [role_id(emu, "Agent")] for u in targets)
    code, out, err = run("users", "roles", "bulk", "set", "--users", path, "--allow-empty", "--format", "json")
    assert code == 0, err
    assert [r["after"] for r in rows(out)] == [[], []]
    assert all(roles_of(emu, u["id"]) == [] for u in targets)


def test_a_run_under_faults_ends_as_intended_user_by_user(emu: Emulator, run, tmp_path: Path) -> None:
    analyst, agent = role_id(emu, "Analyst"), role_id(emu, "Agent")
    targets = users_without(emu, analyst, 20)
    before = {u["id"]: roles_of(emu, u["id"]) for u in targets}
    path = users_file(tmp_path, [u["id"] for u in targets])
    emu.configure(fault_rate=0.2)
    try:
        code, out, err = run("--format", "json", "users", "roles", "bulk", "set", analyst, agent, "--users", path)
    finally:
        emu.configure(fault_rate=0.0)
    report = rows(out)
    assert code in (0, 1) and len(report) == 20, err
    assert (code == 1) == any(r["status"] == "failed" for r in report)
    for row in report:
        truth = sorted(roles_of(emu, row["id"]))
        if row["status"] == "failed":  # never half-applied, and the row says why
            assert row["error"] and truth in (sorted(before[row["id"]]), sorted([analyst, agent]))
        else:
            assert row["status"] in ("changed", "unchanged") and truth == sorted([analyst, agent]), row
            assert sorted(a.lower() for a in row["after"]) == truth


def test_ctrl_c_reports_each_user_and_starts_no_other(emu: Emulator, run, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    analyst = role_id(emu, "Analyst")
    targets = users_without(emu, analyst, 12)
    path = users_file(tmp_path, [u["id"] for u in targets])
    journaled: list[str] = []

    def interrupt(self: CliContext, request: Any, result: Any) -> None:
        journaled.append(result.after.id)
        if len(journaled) == 2:
            raise KeyboardInterrupt

    monkeypatch.setattr(CliContext, "journal_user_roles", interrupt)
    code, out, err = run("--format", "json", "users", "roles", "bulk", "add", analyst, "--users", path,
                         "--concurrency", "1")
    assert code == 130
    report = rows(out)
    assert [r["id"] for r in report] == [u["id"] for u in targets]
    statuses = [r["status"] for r in report]
    assert statuses.count("changed") >= 2 and "skipped" in statuses and "Interrupted" in err
    for row in report:
        held = analyst in roles_of(emu, row["id"])
        if row["status"] == "changed":
            assert held
        elif row["status"] == "skipped":
            assert not held  # never started: never sent
        else:
            assert row["status"] == "unknown" and "may have been applied" in row["error"]


@pytest.mark.skipif(not hasattr(os, "openpty"), reason="needs a pseudo-terminal")
@pytest.mark.parametrize(("typed", "code"), [("yes", 0), ("no", 2)])
def test_the_batch_threshold_asks_on_a_terminal(emu: Emulator, tmp_path: Path, typed: str, code: int) -> None:
    analyst = role_id(emu, "Analyst")
    targets = users_without(emu, analyst, 26)
    path = users_file(tmp_path, [u["userName"] for u in targets])
    got, text = _on_a_terminal(emu, ["users", "roles", "bulk", "add", "Analyst", "--users", path], typed)
    assert got == code, text
    assert "This changes 26 users, more than 25 at once." in text and PROMPT in text
    assert all((analyst in roles_of(emu, u["id"])) == (code == 0) for u in targets)


def test_the_profiles_batch_threshold_and_a_read_only_profile(emu: Emulator, tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    monkeypatch.setenv("BIRDADMIN_ACCESS_KEY", emu.key)
    agent = role_id(emu, "Agent")
    targets = users_without(emu, agent, 3)
    path = users_file(tmp_path, [u["id"] for u in targets])
    assert main(["profiles", "add", "Small", "--base-url", emu.scim_url, "--no-key", "--batch-threshold", "2"]) == 0
    assert main(["profiles", "add", "Audit", "--base-url", emu.scim_url, "--no-key", "--read-only"]) == 0
    capsys.readouterr()
    written = versions(emu)
    assert main(["--profile", "Small", "users", "roles", "bulk", "add", agent, "--users", path]) == 2
    assert "more than 2 at once" in capsys.readouterr().err
    assert main(["--profile", "Audit", "users", "roles", "bulk", "add", agent, "--users", path, "--yes"]) == 2
    err = capsys.readouterr().err
    assert "read-only" in err and "--yes answered" not in err
    assert versions(emu) == written
    assert main(["--profile", "Small", "users", "roles", "bulk", "add", agent, "--users", path, "--yes"]) == 0
    assert "--yes answered the batch-size guard" in capsys.readouterr().err
    assert all(agent in roles_of(emu, u["id"]) for u in targets)


def test_a_real_ctrl_c_while_changes_are_on_the_wire(emu: Emulator, run, tmp_path: Path) -> None:
    analyst = role_id(emu, "Analyst")
    targets = users_without(emu, analyst, 10)
    path = users_file(tmp_path, [u["id"] for u in targets])
    emu.configure(latency_ms=LATENCY_MS)
    done = threading.Event()
    watcher = _interrupt_when_a_write_is_on_the_wire(done)
    try:
        code, out, err = run("--format", "json", "users", "roles", "bulk", "add", analyst, "--users", path,
                             "--concurrency", "2")
    finally:
        done.set()
        watcher.join(5)
        emu.configure(latency_ms=0)
    assert code == 130, err
    report = rows(out)
    statuses = [r["status"] for r in report]
    assert "unknown" in statuses and "skipped" in statuses, statuses  # on the wire, and never started
    assert "may have been applied" in err and "skipped" in err
    time.sleep(LATENCY_MS / 1000 * 3)  # what was on the wire has been answered by now
    for row in report:
        if row["status"] == "skipped":
            assert analyst not in roles_of(emu, row["id"])  # never sent
        elif row["status"] == "changed":
            assert analyst in roles_of(emu, row["id"])


def test_against_the_independent_scim2_server(scim2_server, monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                              capsys) -> None:
    role = str(uuid.uuid4())
    ids = scim2_server.seed_users(4, prefix=f"bulk{uuid.uuid4().hex[:6]}", roles=[str(uuid.uuid4())])
    names = [scim2_server.raw("GET", f"Users/{i}").json()["userName"] for i in ids]
    path = users_file(tmp_path, [ids[0], names[1], ids[2], names[3]])
    monkeypatch.setenv("BIRDADMIN_ACCESS_KEY", scim2_server.key)
    code = main(["--base-url", scim2_server.base_url, "--format", "json", "users", "roles", "bulk", "add", role,
                 "--users", path, "--allow-unknown-role"])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert [r["id"] for r in rows(out)] == ids and {r["status"] for r in rows(out)} == {"changed"}
    for user_id in ids:
        assert role in scim2_server.raw("GET", f"Users/{user_id}").json()["roles"]


def test_a_hostile_username_is_escaped_in_every_format(emu: Emulator, run, tmp_path: Path) -> None:
    hostile = emu.state.create("Users", {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
                                         "userName": "=cmd|x\x1b[2J\u202e@example.com", "active": True,
                                         "roles": [role_id(emu, "Agent")]})
    path = users_file(tmp_path, [hostile["id"]])
    code, out, err = run("users", "roles", "bulk", "add", "Analyst", "--users", path, "--dry-run")
    assert code == 0, err
    assert "\x1b" not in out and "\u202e" not in out and "\\x1b" in out
    code, out, err = run("users", "roles", "bulk", "add", "Analyst", "--users", path, "--format", "csv")
    assert code == 0, err
    assert "'=cmd" in out  # a spreadsheet would have evaluated it
    code, out, err = run("users", "roles", "bulk", "add", "Analyst", "--users", path, "--format", "json")
    assert code == 0 and "\u202e" not in out and json.loads(out)[0]["userName"] == hostile["userName"]


def test_concurrency_before_or_after_the_command_and_its_help(capsys) -> None:
    from birdadmin.cli import DEFAULT_CONCURRENCY, build_parser

    tail = ["users", "roles", "bulk", "add", "Analyst", "--users", "-"]
    for argv, expected in (([*tail], DEFAULT_CONCURRENCY), (["--concurrency", "3", *tail], 3),
                           ([*tail, "--concurrency", "5"], 5)):
        assert build_parser(argv).parse_args(argv).concurrency == expected
    assert main([*tail, "--help"]) == 0
    assert f"users changed at once (as for listings, pages in flight; default {DEFAULT_CONCURRENCY})" in " ".join(
        capsys.readouterr().out.split())
