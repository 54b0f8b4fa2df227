"""The guards before a write, end to end against the emulator: removing Owner from the last active Owner, directly,
through the group that gives it or through the membership that gives it, is refused (exit 2) and changes nothing
unless --allow-no-owner; large member removals need --yes; an 'add' never loads the organization."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from birdadmin.cli.guards import CliGuards
from birdadmin.emulator import Emulator, EmulatorOptions, start_emulator


@pytest.fixture()
def emu() -> Iterator[Emulator]:
    with start_emulator(EmulatorOptions(port=0, users=40, groups=3, seed=21)) as running:
        yield running


def owner_id(emu: Emulator) -> str:
    return str(next(r["id"] for r in emu.state.roles() if r["name"] == "Owner")).lower()


def role_id(emu: Emulator, name: str) -> str:
    return str(next(r["id"] for r in emu.state.roles() if r["name"] == name)).lower()


def roles_of(emu: Emulator, user_id: str) -> list[str]:
    return [str(r if isinstance(r, str) else r["value"]).lower() for r in emu.state.user(user_id).get("roles", [])]


def direct_owners(emu: Emulator) -> list[dict[str, Any]]:
    owner = owner_id(emu)
    return [u for u in emu.state.users() if u.get("active", True) and owner in roles_of(emu, u["id"])]


def new_group(emu: Emulator, name: str) -> dict[str, Any]:
    """A group (and its Bird team) with no members yet."""
    return emu.state.create("Groups", {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "displayName": name})


def plain_user(emu: Emulator) -> dict[str, Any]:
    """An active user without Owner and in no group."""
    owner = owner_id(emu)
    in_groups = {m["value"] for g in emu.state.groups() for m in g.get("members", [])}
    return next(u for u in emu.state.users() if u.get("active", True) and owner not in roles_of(emu, u["id"])
                and u["id"] not in in_groups and roles_of(emu, u["id"]))


def test_removing_owner_from_the_last_active_owner_is_refused(emu: Emulator, run) -> None:
    owners = direct_owners(emu)
    assert len(owners) >= 2  # the demo organization's Owners: Margaret Hamilton and Grace Hopper
    *others, last = owners
    for other in others:
        code, _, err = run("users", "roles", "set", other["userName"], "Agent")
        assert code == 0, err
    assert f"{last['userName']} is the only active Owner" in err
    assert run("users", "roles", "add", last["userName"], "Analyst")[0] == 0
    before = roles_of(emu, last["id"])
    code, out, err = run("users", "roles", "remove", last["userName"], "Owner")
    assert code == 2 and out == ""
    assert "without an active Owner" in err and "--allow-no-owner" in err
    assert roles_of(emu, last["id"]) == before
    assert run("users", "roles", "remove", last["userName"], "Owner", "--dry-run")[0] == 2  # as a real run would
    code, _, err = run("users", "roles", "set", last["userName"], "Agent")
    assert code == 2 and roles_of(emu, last["id"]) == before
    code, _, err = run("users", "roles", "remove", last["userName"], "Owner", "--allow-no-owner")
    assert code == 0, err
    assert owner_id(emu) not in roles_of(emu, last["id"])


def test_an_inactive_owner_does_not_count(emu: Emulator, run) -> None:
    *others, last = direct_owners(emu)
    for other in others:
        emu.state.patch("Users", other["id"], {
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
            "Operations": [{"op": "replace", "path": "active", "value": False}],
        })
    code, _, err = run("users", "roles", "remove", last["userName"], "Owner")
    assert code == 2 and "without an active Owner" in err


def test_owner_through_a_group_membership_and_group_roles(emu: Emulator, run) -> None:
    group = new_group(emu, "Owners")
    member = plain_user(emu)
    assert run("groups", "roles", "add", group["id"], "Owner")[0] == 0
    assert run("groups", "members", "add", group["id"], member["userName"])[0] == 0
    for owner in direct_owners(emu):  # the group's member is the Owner left
        code, _, err = run("users", "roles", "set", owner["userName"], "Agent")
        assert code == 0, err

    members_before = [m["value"] for m in emu.state.group(group["id"]).get("members", [])]
    code, out, err = run("groups", "members", "remove", group["id"], member["userName"])
    assert code == 2 and out == "" and "without an active Owner" in err
    assert [m["value"] for m in emu.state.group(group["id"]).get("members", [])] == members_before

    refs_before = emu.state.team(group["id"])["roleRefs"]
    code, _, err = run("groups", "roles", "remove", group["id"], "Owner")
    assert code == 2 and "without an active Owner" in err
    code, _, err = run("groups", "roles", "set", group["id"], "Agent")
    assert code == 2 and "--allow-no-owner" in err
    assert emu.state.team(group["id"])["roleRefs"] == refs_before

    code, _, err = run("groups", "roles", "remove", group["id"], "Owner", "--allow-no-owner", "--settle-delay", "0")
    assert code == 0, err
    assert owner_id(emu) not in [r["id"].lower() for r in emu.state.team(group["id"])["roleRefs"]]


def test_membership_removal_with_the_override_goes_through(emu: Emulator, run) -> None:
    group = new_group(emu, "Owners")
    member = plain_user(emu)
    assert run("groups", "roles", "add", group["id"], "Owner")[0] == 0
    assert run("groups", "members", "add", group["id"], member["userName"])[0] == 0
    for owner in direct_owners(emu):
        assert run("users", "roles", "set", owner["userName"], "Agent")[0] == 0
    code, _, err = run("groups", "members", "remove", group["id"], member["userName"], "--allow-no-owner")
    assert code == 0, err
    assert member["id"] not in [m["value"] for m in emu.state.group(group["id"]).get("members", [])]


def test_owner_role_by_uuid_without_role_names(emu: Emulator, run) -> None:
    *others, last = direct_owners(emu)
    agent = role_id(emu, "Agent")
    for other in others:
        assert run("users", "roles", "set", other["userName"], agent, accounts=False)[0] == 0
    assert run("users", "roles", "add", last["userName"], agent, accounts=False)[0] == 0
    code, _, err = run("users", "roles", "remove", last["userName"], owner_id(emu), accounts=False)
    assert code == 0 and "--owner-role" in err  # no names: the guard says it could not check
    assert run("users", "roles", "add", last["userName"], owner_id(emu), accounts=False)[0] == 0
    code, _, err = run("users", "roles", "remove", last["userName"], owner_id(emu), "--owner-role", owner_id(emu),
                       accounts=False)
    assert code == 2 and "without an active Owner" in err
    assert owner_id(emu) in roles_of(emu, last["id"])


def test_a_large_member_removal_needs_yes(emu: Emulator, run) -> None:
    group = emu.state.groups()[2]
    users = [u["userName"] for u in emu.state.users()[:30]]
    assert run("groups", "members", "add", group["id"], *users)[0] == 0
    code, _, err = run("groups", "members", "remove", group["id"], *users)
    assert code == 2 and "--yes" in err
    assert len(emu.state.group(group["id"]).get("members", [])) >= 30
    code, _, err = run("groups", "members", "remove", group["id"], *users, "--yes")
    assert code == 0, err


def test_add_and_harmless_removals_never_load_the_organization(
    emu: Emulator, run, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(self: CliGuards) -> None:
        raise AssertionError("the organization was loaded")

    monkeypatch.setattr(CliGuards, "organization", refuse)
    monkeypatch.setattr(CliGuards, "organization_data", refuse)
    group = emu.state.groups()[0]
    user = plain_user(emu)
    assert run("users", "roles", "add", user["userName"], "Owner")[0] == 0
    assert run("groups", "roles", "add", group["id"], "Owner")[0] == 0
    assert run("groups", "members", "add", group["id"], user["userName"])[0] == 0
    assert run("users", "roles", "add", user["userName"], "Analyst")[0] == 0
    assert run("users", "roles", "remove", user["userName"], "Analyst")[0] == 0
    other = emu.state.groups()[1]  # carries no Owner
    assert run("groups", "members", "add", other["id"], user["userName"])[0] == 0
    assert run("groups", "members", "remove", other["id"], user["userName"])[0] == 0
    assert run("groups", "roles", "add", other["id"], "Analyst")[0] == 0
    assert run("groups", "roles", "remove", other["id"], "Analyst", "--settle-delay", "0")[0] == 0


def test_the_context_is_all_the_guards_use_of_it() -> None:
    """cli/guards.py sees the command's context through GuardContext and never imports cli/context.py (one way):
    CliContext has every member GuardContext names, each method taking the same parameters."""
    import argparse
    import inspect

    from birdadmin.cli.context import CliContext
    from birdadmin.cli.guards import GuardContext
    from birdadmin.cli.output import Output

    ctx = CliContext(argparse.Namespace(), Output("table"))
    try:
        assert isinstance(ctx, GuardContext)
        assert isinstance(ctx.guards(), CliGuards) and ctx.guards() is ctx.guards()  # one per command
        methods = [n for n, v in vars(GuardContext).items() if inspect.isfunction(v) and not n.startswith("_")]
        assert len(methods) == 8
        for name in methods:
            wanted = list(inspect.signature(getattr(GuardContext, name)).parameters)
            assert list(inspect.signature(getattr(CliContext, name)).parameters) == wanted, name
    finally:
        ctx.close()
