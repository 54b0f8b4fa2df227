"""``roles list`` and ``groups roles add|remove|set`` end to end against the emulator."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from birdadmin.bird import AccountsClient, RoleRef
from birdadmin.cli import main
from birdadmin.emulator import EmulatorOptions, start_emulator

WORKSPACE = "7d0c6f4e-0000-4000-8000-0000000000bb"


@pytest.fixture(scope="module")
def emu() -> Iterator[object]:
    with start_emulator(EmulatorOptions(port=0, users=30, groups=6, seed=5)) as running:
        yield running


@pytest.fixture()
def accounts(emu: object) -> Iterator[AccountsClient]:
    with AccountsClient(emu.accounts_url, emu.org_id, emu.accounts_key) as client:
        yield client


@pytest.fixture()
def run(emu: object, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]):
    monkeypatch.setenv("BIRDADMIN_ACCESS_KEY", emu.key)
    monkeypatch.setenv("BIRDADMIN_ACCOUNTS_KEY", emu.accounts_key)

    def invoke(*argv: str, accounts: bool = True) -> tuple[int, str, str]:
        where = ["--base-url", emu.scim_url] + (["--accounts-url", emu.accounts_url] if accounts else [])
        code = main([*where, *argv])
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return invoke


def test_roles_list_json_is_the_catalogue(emu: object, run) -> None:
    code, out, _ = run("--format", "json", "roles", "list")
    assert code == 0
    listed = json.loads(out)
    assert {r["id"] for r in listed} == {r["id"].lower() for r in emu.state.roles()}
    assert all(set(r) == {"id", "name", "type", "description"} for r in listed)
    owner = next(r for r in listed if r["name"] == "Owner")
    assert owner["type"] in ("organization", "managed")


def test_roles_list_table_has_the_columns(run) -> None:
    code, out, _ = run("roles", "list")
    assert code == 0
    assert out.splitlines()[0].split() == ["id", "name", "type", "description"]
    assert "Owner" in out


def test_roles_list_without_accounts_shows_uuids_seen_on_users(emu: object, run) -> None:
    code, out, _ = run("--format", "json", "roles", "list", accounts=False)
    assert code == 0
    seen = {r.lower() for u in emu.state.users() for r in u.get("roles", [])}
    assert {r["id"] for r in json.loads(out)} == seen
    assert all(r["name"].startswith("Unknown role ") for r in json.loads(out))


def _new_team(accounts: AccountsClient, name: str, refs: list[RoleRef]) -> str:
    return accounts.create_team(name, role_refs=refs).id


def _role(accounts: AccountsClient, name: str) -> str:
    return next(r.id for r in accounts.list_roles() if r.name == name)


def test_groups_roles_add_by_name_keeps_workspaces(emu: object, accounts: AccountsClient, run) -> None:
    agent, owner = _role(accounts, "Agent"), _role(accounts, "Owner")
    team_id = _new_team(accounts, "CLI add", [RoleRef(agent, workspaces=(WORKSPACE,))])
    code, out, err = run("--format", "json", "groups", "roles", "add", "CLI add", "owner")
    assert code == 0, err
    record = json.loads(out)
    assert record["status"] == "changed" and record["added"] == [owner] and record["matchedBy"] == "id"
    assert accounts.get_team(team_id).role_refs == (RoleRef(agent, workspaces=(WORKSPACE,)), RoleRef(owner))


def test_groups_roles_dry_run_sends_nothing(emu: object, accounts: AccountsClient, run) -> None:
    agent, analyst = _role(accounts, "Agent"), _role(accounts, "Analyst")
    team_id = _new_team(accounts, "CLI dry", [RoleRef(agent, workspaces=(WORKSPACE,))])
    code, out, _ = run("--format", "json", "groups", "roles", "set", team_id, "Analyst", agent, "--dry-run")
    assert code == 0
    record = json.loads(out)
    assert record["status"] == "dry-run"
    assert record["roleRefs"] == [
        {"id": agent, "type": "organization", "workspaces": [WORKSPACE]},
        {"id": analyst, "type": "organization", "workspaces": []},
    ]
    assert accounts.get_team(team_id).role_refs == (RoleRef(agent, workspaces=(WORKSPACE,)),)


def test_groups_roles_remove_and_table_output(accounts: AccountsClient, run) -> None:
    agent, owner = _role(accounts, "Agent"), _role(accounts, "Owner")
    team_id = _new_team(accounts, "CLI remove", [RoleRef(agent), RoleRef(owner, workspaces=(WORKSPACE,))])
    code, out, _ = run("groups", "roles", "remove", team_id, agent)
    assert code == 0
    assert "status" in out and "changed" in out and f"Owner (workspaces: {WORKSPACE})" in out
    assert accounts.get_team(team_id).role_refs == (RoleRef(owner, workspaces=(WORKSPACE,)),)
    code, out, _ = run("--format", "json", "groups", "roles", "remove", team_id, agent)
    assert code == 0 and json.loads(out)["status"] == "unchanged"


def test_unknown_role_name_is_refused_with_exit_2_and_nothing_changes(accounts: AccountsClient, run) -> None:
    team_id = _new_team(accounts, "CLI refuse", [])
    code, out, err = run("groups", "roles", "add", team_id, "Owner", "Chief wizard")
    assert code == 2 and out == ""
    assert "No role named 'Chief wizard'" in err and "Owner" in err
    assert accounts.get_team(team_id).role_refs == ()


def test_role_names_need_the_accounts_api(run) -> None:
    code, _, err = run("groups", "roles", "add", "whatever", "Owner", accounts=False)
    assert code == 2 and "Accounts API" in err


def test_set_without_roles_needs_allow_empty(accounts: AccountsClient, run) -> None:
    team_id = _new_team(accounts, "CLI empty", [RoleRef(_role(accounts, "Agent"))])
    code, _, err = run("groups", "roles", "set", team_id)
    assert code == 2 and "--allow-empty" in err
    code, _, _ = run("groups", "roles", "set", team_id, "--allow-empty")
    assert code == 0 and accounts.get_team(team_id).role_refs == ()


def test_unknown_group_is_reported(run) -> None:
    code, _, err = run("groups", "roles", "add", "No such group", "Owner")
    assert code == 1 and "No group" in err


def test_team_lookup_by_id_then_unique_name() -> None:
    import httpx

    from birdadmin.cli.roles import _find_team
    from birdadmin.errors import InputError

    teams = [{"id": "t1", "name": "Sales"}, {"id": "t2", "name": "Twins"}, {"id": "t3", "name": "twins"}]

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"results": teams})

    org = "5e1b8c1a-0000-4000-8000-00000000abcd"
    with AccountsClient("http://127.0.0.1:9", org, "k-123456", transport=httpx.MockTransport(handler)) as client:
        assert _find_team(client, "t2").id == "t2"
        assert _find_team(client, "SALES").id == "t1"
        assert _find_team(client, "Nobody") is None
        with pytest.raises(InputError, match="t2, t3"):
            _find_team(client, "TWINS")
