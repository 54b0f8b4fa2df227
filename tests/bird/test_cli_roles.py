"""``roles list`` and ``groups roles add|remove|set`` end to end against the emulator."""

from __future__ import annotations

import json
from collections.abc import Iterator

import httpx
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


def _clashing_scim_group(emulator: object, group: dict) -> dict:
    """Over SCIM (HTTP), as a provisioning system would: ``group`` is renamed, then a new group takes its old name
    in capitals. The emulator refuses two groups whose names differ only in case, hence the rename; the team behind
    ``group`` (same id) keeps the old name on the Accounts side."""
    headers = {"Authorization": f"Bearer {emulator.key}", "Content-Type": "application/scim+json"}
    rename = {"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
              "Operations": [{"op": "replace", "path": "displayName", "value": group["displayName"] + " (SCIM)"}]}
    response = httpx.patch(f"{emulator.scim_url}/Groups/{group['id']}", headers=headers, content=json.dumps(rename))
    assert response.status_code in (200, 204), response.text
    body = {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "displayName": group["displayName"].upper()}
    response = httpx.post(f"{emulator.scim_url}/Groups", headers=headers, content=json.dumps(body), timeout=30)
    assert response.status_code == 201, response.text
    return response.json()


def test_a_group_is_never_given_the_team_another_group_owns_by_id() -> None:
    """The reproduced bug, against real servers: Bird team t-1 "Sales" belongs to SCIM group t-1 (same id), and SCIM
    group g-2 "SALES" has no team with its id. ``groups roles`` on g-2 must refuse, not rewrite t-1's roles.

    The emulator serves a SCIM group and its team as one object, so it cannot show a group without a team of the
    same id. Two emulators seeded alike can: SCIM from the first (where "SALES" is then created), the Accounts API
    from the second (which has every seeded team, with the same ids, and no team for "SALES").
    """
    options = EmulatorOptions(port=0, users=8, groups=4, seed=11)
    with start_emulator(options) as scim_side, start_emulator(options) as bird_side:
        sales = scim_side.state.groups()[0]
        owner_team = bird_side.state.team(sales["id"])
        assert owner_team["name"] == sales["displayName"]
        clash = _clashing_scim_group(scim_side, sales)
        owner = next(r["id"] for r in bird_side.state.roles() if r["name"] == "Owner")
        env = {"BIRDADMIN_ACCESS_KEY": scim_side.key, "BIRDADMIN_ACCOUNTS_KEY": bird_side.accounts_key}
        where = ["--base-url", scim_side.scim_url, "--accounts-url", bird_side.accounts_url]
        with pytest.MonkeyPatch.context() as patch:
            for name, value in env.items():
                patch.setenv(name, value)
            for extra in (["--dry-run"], []):
                code = main([*where, "groups", "roles", "set", clash["id"], owner, *extra])
                assert code == 1
            assert main([*where, "--format", "json", "groups", "roles", "add", sales["id"], owner, "--dry-run"]) == 0
        assert bird_side.state.team(sales["id"])["roleRefs"] == owner_team["roleRefs"]  # nothing was rewritten


def test_the_refusal_says_why_in_one_sentence(capsys: pytest.CaptureFixture[str]) -> None:
    options = EmulatorOptions(port=0, users=4, groups=3, seed=12)
    with start_emulator(options) as scim_side, start_emulator(options) as bird_side:
        sales = scim_side.state.groups()[0]
        clash = _clashing_scim_group(scim_side, sales)
        with AccountsClient(bird_side.accounts_url, bird_side.org_id, bird_side.accounts_key) as bird:
            made_in_bird = {"id": bird.create_team("Made in Bird").id, "name": "Made in Bird"}
        with pytest.MonkeyPatch.context() as patch:
            patch.setenv("BIRDADMIN_ACCESS_KEY", scim_side.key)
            patch.setenv("BIRDADMIN_ACCOUNTS_KEY", bird_side.accounts_key)
            where = ["--base-url", scim_side.scim_url, "--accounts-url", bird_side.accounts_url, "--format", "json"]
            capsys.readouterr()
            assert main([*where, "groups", "roles", "add", clash["displayName"], "Owner", "--dry-run"]) == 1
            err = capsys.readouterr().err
            assert err.count("\n") == 1 and "belongs to another SCIM group" in err and "Traceback" not in err
            # A team made in Bird and never pushed over SCIM is still addressed by its name or its id.
            for token, how in (("made in bird", "name"), (made_in_bird["id"], "id")):
                assert main([*where, "groups", "roles", "add", token, "Owner", "--dry-run"]) == 0
                record = json.loads(capsys.readouterr().out)
                assert (record["id"], record["matchedBy"], record["status"]) == (made_in_bird["id"], how, "dry-run")


def test_every_demo_group_resolves_to_the_team_the_window_shows(emu: object, run) -> None:
    """The window's map (services.connection.load_org, Qt-free) and the CLI agree on every group, by id and by
    name: same team, same link kind."""
    from birdadmin.connection import spec_for_emulator
    from birdadmin.services.connection import Session, load_org

    session = Session(spec_for_emulator(emu))
    try:
        org = load_org(session)
    finally:
        session.close()
    owner = next(r.id for r in org.catalogue.roles() if r.name == "Owner")
    names = [g.display_name.casefold() for g in org.groups]
    checked = 0
    for group in org.groups:
        team = org.group_map.team(group.id)
        tokens = [group.id] + ([group.display_name] if names.count(group.display_name.casefold()) == 1 else [])
        for token in tokens:
            code, out, err = run("--format", "json", "groups", "roles", "add", token, owner, "--dry-run")
            if team is None:
                assert code != 0, out
                continue
            assert code == 0, err
            record = json.loads(out)
            assert record["id"] == team.id
            assert record["matchedBy"] == ("name" if org.group_map.was_matched_by_name(group.id) else "id")
            checked += 1
    assert checked >= len(org.groups)
