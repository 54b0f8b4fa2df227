"""The organization as one piece of data (domain/org_state.py), built from a real load of the emulator."""

from __future__ import annotations

import httpx
import pytest

from birdadmin.connection import spec_for_emulator
from birdadmin.emulator import EmulatorOptions, start_emulator
from birdadmin.org_load import Session, load_org, org_state


def test_a_loaded_organization_becomes_one_state_with_the_same_memberships_and_roles() -> None:
    with start_emulator(EmulatorOptions(port=0, users=40, groups=5, seed=4)) as emu:
        session = Session(spec_for_emulator(emu))
        try:
            data = load_org(session)
            users = session.scim.list_users()
        finally:
            session.close()
    state = org_state(users, data, label="Demo", complete=True)
    assert len(state.users) == 40 and len(state.groups) == len(data.groups) == 5
    assert state.memberships() == data.memberships
    assert state.group_roles() == dict(data.group_roles)
    assert all(g.team_id for g in state.groups)  # every demo group has its Bird team
    assert state.taken_at.endswith("Z") and state.group_roles_known
    some = users[3]
    assert state.user(some.id) is some and state.user("nobody") is None


def test_without_the_accounts_api_group_roles_are_unknown_not_empty() -> None:
    with start_emulator(EmulatorOptions(port=0, users=10, groups=3, seed=4)) as emu:
        spec = spec_for_emulator(emu)
        spec.accounts_url = None
        session = Session(spec)
        try:
            data = load_org(session)
            users = session.scim.list_users()
        finally:
            session.close()
    state = org_state(users, data)
    assert not state.group_roles_known and all(g.role_ids is None for g in state.groups)
    assert state.group_roles() == {}


def test_the_access_keys_are_loaded_into_the_state_and_a_failure_is_a_warning() -> None:
    with start_emulator(EmulatorOptions(port=0, users=10, groups=3, seed=4)) as emu:
        base = f"{emu.accounts_url}/organizations/{emu.org_id}"
        raw = httpx.get(f"{base}/access-keys", headers={"Authorization": f"AccessKey {emu.accounts_key}"},
                        timeout=10).json()["results"]
        session = Session(spec_for_emulator(emu))
        try:
            data = load_org(session)
            users = session.scim.list_users()
            emu.inject(500, 20, "/access-keys")
            failed = load_org(session)
        finally:
            session.close()
    state = org_state(users, data)
    assert sorted((k.id, k.name) for k in state.keys) == sorted((k["id"], k["name"]) for k in raw)
    assert not data.warnings
    assert failed.keys == [] and len(failed.warnings) == 1 and failed.group_roles_known
    assert len(failed.groups) == 3 and org_state(users, failed).keys == ()


def test_bird_groups_that_give_roles_without_a_scim_group_are_said_not_left_out(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A group made in Bird itself has no SCIM group, so its members (and the roles they hold through it) cannot be
    listed; the load says so instead of counting as if it were complete. The emulator makes every team a SCIM group
    (docs/bird.md, A6), so the Bird-only teams are added to its answer here."""
    from birdadmin.bird.models import RoleRef, Team

    with start_emulator(EmulatorOptions(port=0, users=10, groups=3, seed=4)) as emu:
        session = Session(spec_for_emulator(emu))
        try:
            assert not [w for w in load_org(session).warnings if "no SCIM group" in w.message]
            assert session.accounts is not None
            real = session.accounts.list_teams()
            owner = real[0].role_ids[0] if real[0].role_ids else "4fc52f09-2d8c-50c1-a46d-ecf53ba6ec31"
            extra = [Team("bird-only-1", "Contractors\x1b[2J", role_refs=(RoleRef(owner),)),
                     Team("bird-only-2", "Empty")]  # gives no roles: nothing is missing through it
            monkeypatch.setattr(session.accounts, "list_teams", lambda: [*real, *extra])
            warnings = [w for w in load_org(session).warnings if "no SCIM group" in w.message]
        finally:
            session.close()
    assert len(warnings) == 1
    assert warnings[0].message.startswith("1 Bird group ('Contractors") and "Empty" not in warnings[0].message
    assert "role counts cover direct grants and SCIM groups only" in warnings[0].message
