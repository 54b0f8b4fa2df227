"""``birdadmin-cli journal`` and the entries the write commands append, against the emulator (a fresh demo
organization per test; the journal in the test's own BIRDADMIN_DATA_DIR)."""

from __future__ import annotations

import csv
import io
import json
import os
import sqlite3
from pathlib import Path
from typing import Any

import httpx
import pytest

from birdadmin import errors
from birdadmin.cli import main
from birdadmin.store.journal import EXIT_NOT_JOURNALED, FILE_NAME, Journal
from birdadmin.store.profiles import Profile, ProfileStore


@pytest.fixture
def journal_path() -> Path:
    return Path(os.environ["BIRDADMIN_DATA_DIR"]) / FILE_NAME


@pytest.fixture
def cli(demo_emulator: Any, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]):
    emu = demo_emulator
    monkeypatch.setenv("BIRDADMIN_ACCESS_KEY", emu.key)
    monkeypatch.setenv("BIRDADMIN_ACCOUNTS_KEY", emu.accounts_key)

    def run(*argv: str, connect: bool = True) -> tuple[int, str, str]:
        where = ["--base-url", emu.scim_url, "--accounts-url", emu.accounts_url] if connect else []
        code = main([*where, *argv])
        out, err = capsys.readouterr()
        assert emu.key not in out + err and emu.accounts_key not in out + err
        assert "Traceback" not in err
        return code, out, err

    return run


def _role(emu: Any, name: str) -> str:
    return str(next(r["id"] for r in emu.state.roles() if r["name"] == name)).lower()


def _user(emu: Any, without: str) -> dict[str, Any]:
    """A demo user who does not hold the role ``without`` and holds at least one role."""
    return next(u for u in emu.state.users()
                if u.get("roles") and without not in [str(r).lower() for r in u.get("roles", [])]
                and all(isinstance(r, str) for r in u["roles"]))


def _entries(cli) -> list[dict[str, Any]]:
    code, out, err = cli("--format", "json", "journal", "list", connect=False)
    assert code == 0, err
    return list(json.loads(out))


def test_a_role_change_is_journaled_and_listed(cli, demo_emulator, journal_path: Path) -> None:
    emu = demo_emulator
    analyst = _role(emu, "Analyst")
    user = _user(emu, analyst)
    code, _, err = cli("users", "roles", "add", user["userName"], analyst, "--dry-run")
    assert code == 0, err
    code, _, err = cli("users", "show", user["userName"])
    assert code == 0, err
    assert not journal_path.exists()  # neither a dry run nor a read opens the journal
    code, out, err = cli("--format", "json", "users", "roles", "add", user["userName"], analyst)
    assert code == 0, err
    report = json.loads(out)
    code, _, err = cli("users", "roles", "add", user["userName"], analyst)  # unchanged: nothing to record
    assert code == 0, err
    [entry] = _entries(cli)
    assert entry["id"] == 1 and entry["time"].endswith("Z") and entry["status"] == "changed"
    assert entry["target"] == {"kind": "user", "id": user["id"], "name": user["userName"]}
    assert (entry["before"], entry["after"]) == (report["before"], report["after"]) and analyst in entry["after"]
    assert entry["action"] == "users roles add" and entry["requested"] == [analyst]
    assert entry["profile"] == {"baseUrl": emu.scim_url}
    assert entry["osUser"]
    assert [r["method"] for r in entry["requests"]] == ["PATCH"] and entry["requests"][0]["status"] == 200
    assert entry["requests"][0]["path"].endswith(f"/Users/{user['id']}")
    code, out, _ = cli("journal", "list", connect=False)
    assert code == 0 and user["userName"] in out and "1 entries" in out
    code, out, _ = cli("--format", "json", "journal", "show", "1", connect=False)
    assert code == 0 and json.loads(out)["hash"] == entry["hash"]
    assert cli("journal", "show", "7", connect=False)[0] == 2


def test_members_and_group_roles_are_journaled(cli, demo_emulator) -> None:
    emu = demo_emulator
    owner = _role(emu, "Owner")
    group = next(g for g in emu.state.groups() if g["displayName"] == "Analytics")
    members = {m["value"] for m in group.get("members", [])}
    outsider = next(u for u in emu.state.users() if u["id"] not in members)
    assert cli("groups", "members", "add", "Analytics", outsider["userName"])[0] == 0
    assert cli("groups", "roles", "add", "Analytics", owner, "--settle-delay", "0")[0] == 0
    first, second = _entries(cli)
    assert first["action"] == "groups members add" and first["target"]["name"] == "Analytics"
    assert sorted(first["after"]) == sorted(members | {outsider["id"]}) and sorted(first["before"]) == sorted(members)
    assert second["action"] == "groups roles add" and second["target"]["kind"] == "group"
    assert owner in second["after"] and owner not in second["before"]
    assert second["requests"] and all(r["method"] != "GET" for r in second["requests"])


def test_a_profile_connection_is_recorded_by_name_and_id(cli, demo_emulator) -> None:
    emu = demo_emulator
    profile = ProfileStore().add(Profile(name="Demo", base_url=emu.scim_url, accounts_url=emu.accounts_url,
                                         org_id=emu.org_id))
    analyst = _role(emu, "Analyst")
    user = _user(emu, analyst)
    code, _, err = cli("--profile", "Demo", "users", "roles", "add", user["userName"], analyst, connect=False)
    assert code == 0, err
    assert _entries(cli)[0]["profile"] == {"name": "Demo", "id": profile.id}


def test_verify_exit_codes(cli, demo_emulator, journal_path: Path) -> None:
    emu = demo_emulator
    assert cli("journal", "verify", connect=False)[0] == 0  # an empty journal is intact
    for name in ("Analyst", "Developer", "Supervisor"):
        role = _role(emu, name)
        assert cli("users", "roles", "add", _user(emu, role)["userName"], role)[0] == 0
    code, out, _ = cli("journal", "verify", connect=False)
    assert code == 0 and "3 entries" in out
    with sqlite3.connect(journal_path) as db:
        db.execute("UPDATE entries SET entry = replace(entry, 'changed', 'unchanged') WHERE id = 2")
    code, _, err = cli("journal", "verify", connect=False)
    assert code == 1 and "entry 2" in err


def test_export_csv_and_json(cli, demo_emulator, tmp_path: Path) -> None:
    emu = demo_emulator
    group = emu.state.groups()[0]
    hostile = "=HYPERLINK(\"x\")\x1b]0;owned\x07"
    renamed = httpx.patch(  # a server name a spreadsheet or a terminal would act on
        f"{emu.scim_url}/Groups/{group['id']}", timeout=30,
        headers={"Authorization": f"Bearer {emu.key}", "Content-Type": "application/scim+json"},
        json={"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
              "Operations": [{"op": "replace", "path": "displayName", "value": hostile}]},
    )
    assert renamed.status_code in (200, 204), renamed.text
    outsider = next(u for u in emu.state.users() if u["id"] not in {m["value"] for m in group.get("members", [])})
    code, _, err = cli("groups", "members", "add", group["id"], outsider["userName"])
    assert code == 0, err
    code, out, _ = cli("journal", "list", connect=False)
    assert code == 0 and "\x1b" not in out and "\\x1b" in out
    code, _, err = cli("journal", "export", str(tmp_path / "j.csv"), connect=False)
    assert code == 0, err
    rows = list(csv.DictReader(io.StringIO((tmp_path / "j.csv").read_text(encoding="utf-8"))))
    assert len(rows) == 1 and rows[0]["targetName"] == "'" + hostile and rows[0]["targetId"] == group["id"]
    assert rows[0]["status"] == "changed" and outsider["id"] in rows[0]["after"].split()
    assert cli("journal", "export", str(tmp_path / "j.json"), connect=False)[0] == 0
    [entry] = json.loads((tmp_path / "j.json").read_text(encoding="utf-8"))
    assert entry["target"]["name"] == hostile and {"id", "time", "target", "before", "after", "status"} <= set(entry)
    code, _, err = cli("journal", "export", str(tmp_path / "j.txt"), connect=False)
    assert code == 2 and ".csv or .json" in err


def test_no_key_in_the_journal_file(cli, demo_emulator, journal_path: Path) -> None:
    emu = demo_emulator
    for name in ("Analyst", "Developer"):
        role = _role(emu, name)
        assert cli("users", "roles", "add", _user(emu, role)["userName"], role)[0] == 0
    assert cli("groups", "roles", "add", "Analytics", _role(emu, "Owner"), "--settle-delay", "0")[0] == 0
    files = list(journal_path.parent.iterdir())
    assert files
    for path in files:
        data = path.read_bytes()
        assert emu.key.encode() not in data and emu.accounts_key.encode() not in data, path


def test_an_unusable_journal_refuses_the_write_before_sending(cli, demo_emulator, journal_path: Path) -> None:
    emu = demo_emulator
    analyst = _role(emu, "Analyst")
    user = _user(emu, analyst)
    journal_path.parent.mkdir(parents=True, exist_ok=True)
    journal_path.write_bytes(b"not a database" * 200)
    code, _, err = cli("users", "roles", "add", user["userName"], analyst)
    assert code == 2 and "journal" in err and "nothing was sent" in err and len(err.strip().splitlines()) == 1
    assert analyst not in [str(r).lower() for r in emu.state.user(user["id"])["roles"]]


def test_a_change_the_journal_cannot_record_is_reported_as_applied(
    cli, demo_emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    emu = demo_emulator
    analyst = _role(emu, "Analyst")
    user = _user(emu, analyst)

    def refuse(self: Journal, content: object) -> None:
        raise errors.ConfigError(f"The journal at {self.path} could not be written (disk full).")

    monkeypatch.setattr(Journal, "append", refuse)
    code, _, err = cli("users", "roles", "add", user["userName"], analyst)
    assert code == EXIT_NOT_JOURNALED == 6
    assert "WAS applied" in err and "disk full" in err
    assert analyst in [str(r).lower() for r in emu.state.user(user["id"])["roles"]]


def _roles_of(emu: Any, user_id: str) -> set[str]:
    return {str(r).lower() for r in emu.state.user(user_id)["roles"]}


def test_undo_sets_the_roles_back_and_is_journaled(cli, demo_emulator) -> None:
    emu = demo_emulator
    analyst = _role(emu, "Analyst")
    user = _user(emu, analyst)
    held = _roles_of(emu, user["id"])
    assert cli("users", "roles", "add", user["userName"], analyst)[0] == 0
    code, out, err = cli("--format", "json", "journal", "undo", "1", "--dry-run")
    assert code == 0 and json.loads(out)["status"] == "dry-run", err
    assert _roles_of(emu, user["id"]) == held | {analyst}
    code, out, err = cli("--format", "json", "journal", "undo", "1")
    assert code == 0, err
    assert json.loads(out)["status"] == "changed" and _roles_of(emu, user["id"]) == held
    undo = _entries(cli)[1]
    assert undo["undoes"] == 1 and undo["action"] == "users roles set" and set(undo["after"]) == held


def test_undo_refuses_when_the_target_changed_since(cli, demo_emulator) -> None:
    emu = demo_emulator
    analyst, developer = _role(emu, "Analyst"), _role(emu, "Developer")
    user = next(u for u in emu.state.users() if u.get("roles") and not {analyst, developer} & _roles_of(emu, u["id"]))
    assert cli("users", "roles", "add", user["userName"], analyst)[0] == 0
    assert cli("users", "roles", "add", user["userName"], developer)[0] == 0
    code, _, err = cli("journal", "undo", "1")
    assert code == 1 and "has changed since entry 1" in err and "nothing was sent" in err
    assert {analyst, developer} <= _roles_of(emu, user["id"])
    assert len(_entries(cli)) == 2


def test_undo_only_takes_user_role_changes_on_their_own_connection(cli, demo_emulator) -> None:
    emu = demo_emulator
    group = next(g for g in emu.state.groups() if g["displayName"] == "Analytics")
    outsider = next(u for u in emu.state.users() if u["id"] not in {m["value"] for m in group.get("members", [])})
    assert cli("groups", "members", "add", "Analytics", outsider["userName"])[0] == 0
    code, _, err = cli("journal", "undo", "1")
    assert code == 2 and "cannot be undone" in err
    analyst = _role(emu, "Analyst")
    assert cli("users", "roles", "add", _user(emu, analyst)["userName"], analyst)[0] == 0
    code, _, err = main_with_other_url(cli, emu)
    assert code == 2 and "was made on" in err


def main_with_other_url(cli, emu: Any) -> tuple[int, str, str]:
    other = emu.scim_url.replace("127.0.0.1", "localhost")
    return cli("--base-url", other, "--accounts-url", emu.accounts_url, "journal", "undo", "2", connect=False)


def test_undo_back_to_no_roles_is_a_confirmation_that_yes_answers(cli, demo_emulator) -> None:
    emu = demo_emulator
    analyst = _role(emu, "Analyst")
    user = _user(emu, analyst)
    assert cli("users", "roles", "set", user["userName"], "--allow-empty")[0] == 0
    assert cli("users", "roles", "add", user["userName"], analyst)[0] == 0
    undone = len(_entries(cli))
    code, _, err = cli("journal", "undo", str(undone))
    assert code == 2 and "--yes" in err and "--allow-empty" in err, err
    assert _roles_of(emu, user["id"]) == {analyst}
    code, _, err = cli("journal", "undo", str(undone), "--yes")
    assert code == 0, err
    assert "--yes answered" in err and _roles_of(emu, user["id"]) == set()
