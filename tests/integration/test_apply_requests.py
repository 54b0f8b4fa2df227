"""The preview (``requests_for``) is what apply sends: the same method, path, If-Match and body on the wire, for
each role strategy, for group members and for group (team) roles."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from birdadmin.domain.changes import Change, plan_group_roles, plan_members, plan_user_roles
from birdadmin.emulator import Emulator, EmulatorOptions, start_emulator
from birdadmin.org_load import Session, load_org
from birdadmin.scim.endpoint import ScimSettings
from birdadmin.scim.resources import RolesShape, RoleStrategy
from birdadmin.services.apply import Applier, requests_for
from tests.services.helpers import Wire, session_on


@pytest.fixture
def emu() -> Iterator[Emulator]:
    with start_emulator(EmulatorOptions(port=0, users=12, groups=3, seed=9)) as running:
        yield running


@pytest.mark.parametrize("settings", [
    pytest.param(ScimSettings(), id="replace"),
    pytest.param(ScimSettings(role_strategy=RoleStrategy.ADD_REMOVE), id="add-remove"),
    pytest.param(ScimSettings(role_strategy=RoleStrategy.ADD_REMOVE, roles_shape=RolesShape.COMPLEX),
                 id="add-remove-complex"),
    pytest.param(ScimSettings(role_strategy=RoleStrategy.PUT), id="put"),
    pytest.param(ScimSettings(use_etag=False), id="no-etag"),
])
def test_user_role_preview_is_the_wire(emu: Emulator, settings: ScimSettings) -> None:
    roles = [r["id"] for r in emu.state.roles()]
    with session_on(emu, settings) as session:
        users = [u for u in session.scim.list_users() if u.roles][:3]
        changes = plan_user_roles(None, users[:2], add=[roles[-1]], remove=[users[0].roles[0]])
        changes += plan_user_roles(None, users[2:], add=[roles[-1], roles[-2]])
        base = httpx.URL(session.base_url).path.rstrip("/")
        session.scim.capabilities()  # what the directory's load would have read
        for change in changes:
            preview = requests_for(change, session)
            wire = Wire(session.scim)
            [result] = Applier(session, journal=None, profile_record={}).apply([change])
            assert result.status == "done", result
            assert len(preview) == len(wire.sent) == 1
            sent, planned = wire.sent[0], preview[0]
            assert (sent.method, sent.path, sent.if_match) == (planned.method, base + planned.path, planned.if_match)
            if settings.role_strategy is RoleStrategy.PUT:  # the whole user as read, with the planned roles
                assert sent.body["roles"] == planned.body["roles"] and sent.body["id"] == change.target_id
                assert planned.note
            else:
                assert sent.body == planned.body
            assert bool(planned.note) == (not settings.use_etag or settings.role_strategy is RoleStrategy.PUT)
            assert emu.key not in repr(planned)


def test_complex_replace_preview_says_the_body_depends_on_the_server() -> None:
    from birdadmin.scim.client import ScimClient
    from birdadmin.services.requests_preview import _user_roles

    with ScimClient("http://127.0.0.1:9/scim/v2", "k",
                    settings=ScimSettings(roles_shape=RolesShape.COMPLEX)) as scim:
        change = Change("user-roles", "u1", "u1", ("a",), ("a", "b"), version='W/"3"')
        planned = _user_roles(change, scim)
    assert planned.body["Operations"][0]["value"] == [{"value": "a"}, {"value": "b"}]
    assert "exactly as the server holds them" in planned.note and "read first" in planned.note


def test_member_and_team_previews_are_the_wire(emu: Emulator) -> None:
    roles = [r["id"] for r in emu.state.roles()]
    with session_on(emu) as session:
        assert session.accounts is not None
        users = [u.id for u in session.scim.list_users()]
        group = session.scim.get_group(session.scim.list_groups()[0].id)
        outsider = next(u for u in users if u not in group.member_ids)
        members = plan_members(None, group.id, group.display_name, group.member_ids, add=[outsider],
                               remove=[group.member_ids[0]])
        base = httpx.URL(session.base_url).path.rstrip("/")
        _check_wire(session, members, base)
        session.org = load_org(session)  # the window previews after loading: the teams' scoped roleRefs are known
        team = next(t for t in (session.accounts.get_team(t.id) for t in session.accounts.list_teams())
                    if any(r.workspaces for r in t.role_refs))
        team_change = plan_group_roles(None, team.id, team.name, team.id, team.role_ids, add=[roles[-1]],
                                       version=team.version)
        _check_wire(session, team_change, "")


def _check_wire(session: Session, change: Change, prefix: str) -> None:
    preview = requests_for(change, session)
    wire = Wire(session.scim, *([session.accounts] if session.accounts else []))
    [result] = Applier(session, journal=None, profile_record={}).apply([change])
    assert result.status == "done", result
    got = [(s.method, s.path, s.if_match, s.body) for s in wire.sent]
    assert got == [(p.method, prefix + p.path, p.if_match, p.body) for p in preview]
    assert preview and all(p.note for p in preview)


def test_preview_sends_nothing(emu: Emulator) -> None:
    with session_on(emu) as session:
        users = session.scim.list_users()
        changes = plan_user_roles(None, users, add=[emu.state.roles()[0]["id"]])
        before = emu.request_count
        previews = [requests_for(c, session) for c in changes]
    assert emu.request_count == before and any(previews)
