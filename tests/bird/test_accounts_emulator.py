"""AccountsClient against the project's emulator: the real wire behaviour of paging, errors and writes."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from birdadmin import errors
from birdadmin.bird import AccountsClient, RoleRef, ValidationError
from birdadmin.bird.role_refs import with_roles_added, with_roles_removed
from birdadmin.emulator import EmulatorOptions, start_emulator

UNKNOWN_ROLE = "deadbeef-0000-4000-8000-00000000000f"
WORKSPACE = "7d0c6f4e-0000-4000-8000-0000000000aa"


@pytest.fixture(scope="module")
def emu() -> Iterator[object]:
    with start_emulator(EmulatorOptions(port=0, users=40, groups=250, seed=3)) as running:
        yield running


@pytest.fixture()
def accounts(emu: object) -> Iterator[AccountsClient]:
    with AccountsClient(emu.accounts_url, emu.org_id, emu.accounts_key, sleep=lambda _s: None) as client:
        yield client


def test_role_catalogue_matches_the_server(emu: object, accounts: AccountsClient) -> None:
    roles = accounts.list_roles()
    truth = {r["id"].lower(): r for r in emu.state.roles()}
    assert len(roles) == len(truth) > 0
    for role in roles:
        assert role.name == truth[role.id]["name"]
        assert role.type == truth[role.id]["type"]
    assert any(r.name == "Owner" for r in roles)


def test_teams_page_through_more_than_a_hundred(emu: object) -> None:
    with AccountsClient(emu.accounts_url, emu.org_id, emu.accounts_key, page_limit=100) as client:
        before = emu.request_count
        teams = client.list_teams()
        requests = emu.request_count - before
    assert len(teams) >= 250
    assert len({t.id for t in teams}) == len(teams)
    assert 3 <= requests <= 4  # 100 + 100 + the rest (+ one empty last page at most)
    assert all(emu.state.group(t.id) is not None for t in teams[:20])  # a team is the SCIM group with its id


def test_small_pages_give_the_same_listing(emu: object, accounts: AccountsClient) -> None:
    with AccountsClient(emu.accounts_url, emu.org_id, emu.accounts_key, page_limit=3) as small:
        assert [r.id for r in small.list_roles()] == [r.id for r in accounts.list_roles()]


@pytest.mark.parametrize(("which", "statuses"), [("scim", (401, 403)), ("wrong", (401,))])
def test_keys_other_than_the_accounts_key_are_refused_with_exit_code_3(
    emu: object, which: str, statuses: tuple[int, ...]
) -> None:
    key = emu.key if which == "scim" else "not-the-accounts-key-9876"
    with AccountsClient(emu.accounts_url, emu.org_id, key) as wrong, pytest.raises(errors.AuthError) as caught:
        wrong.list_roles()
    assert caught.value.status in statuses and caught.value.exit_code == 3
    assert key not in caught.value.message + caught.value.details + repr(caught.value)


def test_an_out_of_range_limit_is_a_validation_error(accounts: AccountsClient) -> None:
    accounts.page_limit = 0  # what a buggy caller would send; the constructor refuses it, the server must too
    with pytest.raises(ValidationError) as caught:
        accounts.list_teams()
    assert caught.value.status == 422


def test_a_duplicate_team_is_a_conflict(accounts: AccountsClient) -> None:
    existing = accounts.list_teams()[0]
    with pytest.raises(errors.ConflictError) as caught:
        accounts.create_team(existing.name.upper())
    assert caught.value.status == 409


def test_roles_outside_the_catalogue_are_refused(accounts: AccountsClient) -> None:
    team = accounts.create_team("Refusals", "bad role refs")
    with pytest.raises(ValidationError):
        accounts.set_team_roles(team.id, [RoleRef(UNKNOWN_ROLE)])
    with pytest.raises(ValidationError):
        accounts.set_team_roles(team.id, [RoleRef("not-a-uuid")])
    with pytest.raises(ValidationError):
        accounts.create_team("Refusals 2", role_refs=[RoleRef(UNKNOWN_ROLE)])
    assert accounts.get_team(team.id).role_refs == ()


def test_team_members_add_and_remove(emu: object, accounts: AccountsClient) -> None:
    team = accounts.create_team("Members test")
    user_id = emu.state.users()[0]["id"]
    accounts.add_team_member(team.id, user_id)
    assert [m["value"] for m in emu.state.group(team.id)["members"]] == [user_id]
    with pytest.raises(errors.ConflictError):
        accounts.add_team_member(team.id, user_id)
    with pytest.raises(errors.NotFoundError):
        accounts.add_team_member(team.id, "no-such-user")
    accounts.remove_team_member(team.id, user_id)
    assert emu.state.group(team.id)["members"] == []


def test_changing_one_role_keeps_the_other_roles_workspaces(emu: object, accounts: AccountsClient) -> None:
    owner, agent, analyst = (r.id for r in _roles(accounts, "Owner", "Agent", "Analyst"))
    team = accounts.create_team("Scoped", role_refs=[RoleRef(agent, workspaces=(WORKSPACE,))])
    assert team.role_refs == (RoleRef(agent, workspaces=(WORKSPACE,)),)

    added = accounts.set_team_roles(team.id, with_roles_added(team.role_refs, [owner, analyst]))
    assert added.role_refs == (RoleRef(agent, workspaces=(WORKSPACE,)), RoleRef(owner), RoleRef(analyst))
    removed = accounts.set_team_roles(team.id, with_roles_removed(added.role_refs, [owner]))
    assert removed.role_refs == (RoleRef(agent, workspaces=(WORKSPACE,)), RoleRef(analyst))
    with AccountsClient(emu.accounts_url, emu.org_id, emu.accounts_key) as fresh:
        assert fresh.get_team(team.id).role_refs == removed.role_refs


def test_unknown_team_is_not_found(accounts: AccountsClient) -> None:
    with pytest.raises(errors.NotFoundError):
        accounts.get_team("00000000-0000-4000-8000-000000000000")


def _roles(accounts: AccountsClient, *names: str) -> list:
    by_name = {r.name: r for r in accounts.list_roles()}
    return [by_name[n] for n in names]


def test_a_lost_answer_after_the_change_was_applied_is_recognised(emu: object, accounts: AccountsClient) -> None:
    agent = _roles(accounts, "Agent")[0].id
    team = accounts.create_team("Lost answer")
    emu.inject(500, 1, f"/teams/{team.id}", method="PATCH", after_apply=True)
    assert accounts.set_team_roles(team.id, [RoleRef(agent)]).role_refs == (RoleRef(agent),)


def test_a_change_refused_before_it_was_applied_is_a_failure(emu: object, accounts: AccountsClient) -> None:
    agent = _roles(accounts, "Agent")[0].id
    team = accounts.create_team("Refused write")
    emu.inject(503, 1, f"/teams/{team.id}", method="PATCH")
    with pytest.raises(errors.ServerError):
        accounts.set_team_roles(team.id, [RoleRef(agent)])
    assert accounts.get_team(team.id).role_refs == ()


def test_rate_limited_reads_are_retried(emu: object, accounts: AccountsClient) -> None:
    slept: list[float] = []
    with AccountsClient(emu.accounts_url, emu.org_id, emu.accounts_key, sleep=slept.append) as client:
        emu.inject(429, 2, "/iam-roles", retry_after=1)
        assert len(client.list_roles()) == len(emu.state.roles())
    assert len(slept) == 2 and all(0.9 <= s <= 1.1 for s in slept)
