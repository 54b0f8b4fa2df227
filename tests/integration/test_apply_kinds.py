"""The apply engine against real servers on 127.0.0.1: each kind of planned change ends done, unchanged,
conflict (another admin's edit between plan and apply is kept, never overwritten) or failed with the server's
reason; user roles also against the independent scim2-server."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from birdadmin.domain.changes import Change, plan_group_roles, plan_members, plan_user_roles
from birdadmin.emulator import Emulator, EmulatorOptions, start_emulator
from birdadmin.org_load import Session
from birdadmin.scim.endpoint import ScimSettings
from birdadmin.scim.resources import RoleStrategy
from birdadmin.services.apply import Applier
from birdadmin.store.journal import Journal
from tests.services.helpers import other_admin_sets_roles, server_roles, session_at, session_on

STRATEGIES = [
    pytest.param(ScimSettings(), id="replace"),
    pytest.param(ScimSettings(role_strategy=RoleStrategy.ADD_REMOVE), id="add-remove"),
    pytest.param(ScimSettings(role_strategy=RoleStrategy.PUT), id="put"),
    pytest.param(ScimSettings(use_etag=False), id="no-etag"),
]


@pytest.fixture
def emu() -> Iterator[Emulator]:
    with start_emulator(EmulatorOptions(port=0, users=24, groups=4, seed=5)) as running:
        yield running


def apply(session: Session, changes: list[Change], journal: Journal | None = None, **kw: Any) -> list[Change]:
    seen: list[Change] = []
    results = Applier(session, journal=journal, profile_record={"name": "test", "id": "p1"},
                      on_update=seen.append, **kw).apply(changes)
    for change in results:  # each change reported in-flight before its final status, which is reported too
        mine = [c.status for c in seen if c.id == change.id]
        if change.is_noop:
            continue
        assert mine[0] == "in-flight" and mine[-1] == change.status, (mine, change)
    return results


def roles_of(emu: Emulator, user_id: str) -> list[str]:
    user = emu.state.user(user_id)
    assert user is not None
    return list(user.get("roles") or [])


def two_roles(emu: Emulator) -> tuple[str, str]:
    ids = [r["id"] for r in emu.state.roles()]
    return ids[-1], ids[-2]


@pytest.mark.parametrize("settings", STRATEGIES)
def test_user_roles_done_unchanged_conflict_failed(emu: Emulator, settings: ScimSettings, tmp_path: Path) -> None:
    new, other = two_roles(emu)
    with session_on(emu, settings) as session:
        users = [u for u in session.scim.list_users() if u.roles and new not in u.roles and other not in u.roles]
        done_u, same_u, conflict_u, gone_u = users[:4]
        changes = plan_user_roles(None, [done_u, same_u, conflict_u, gone_u], add=[new])
        # between plan and apply: another admin makes our edit, another makes a different one, one user is deleted
        other_admin_sets_roles(emu.scim_url, emu.key, same_u.id, [*same_u.roles, new])
        other_admin_sets_roles(emu.scim_url, emu.key, conflict_u.id, [other])
        httpx.delete(f"{emu.scim_url}/Users/{gone_u.id}", headers={"Authorization": f"Bearer {emu.key}"})
        journal = Journal(tmp_path / "journal.sqlite3")
        done, same, conflict, gone = apply(session, changes, journal)

    assert done.status == "done" and sorted(roles_of(emu, done_u.id)) == sorted([*done_u.roles, new])
    assert same.status == "unchanged" and same.reason
    assert conflict.status == "conflict" and conflict.theirs == (other,) and conflict.reason
    assert roles_of(emu, conflict_u.id) == [other]  # theirs kept, not overwritten
    assert gone.status == "failed" and "404" in gone.reason and "\n" not in gone.reason
    entries = {e.content["change"]: e.content for e in journal.entries()}
    assert entries[done.id]["status"] == "changed" and entries[done.id]["via"] == "window"
    assert entries[done.id]["profile"] == {"name": "test", "id": "p1"}
    assert entries[done.id]["requests"][-1]["status"] in (200, 204)
    assert same.id not in entries  # nothing was changed: nothing to record
    if conflict.id in entries:  # a write went out (If-Match) and was refused: recorded as such
        assert entries[conflict.id]["status"] == "conflict" and entries[conflict.id]["now"] == [other]
        assert [r["status"] for r in entries[conflict.id]["requests"]] == [412]
    assert journal.verify().intact


def test_direct_write_with_etag_is_one_request(emu: Emulator) -> None:
    """With the version planned against and strings roles, the write goes straight out: no read first."""
    new, _ = two_roles(emu)
    with session_on(emu) as session:
        users = session.scim.list_users()[:6]
        changes = plan_user_roles(None, users, add=[new])
        before = emu.request_count
        results = apply(session, changes)
    assert all(c.status in ("done", "unchanged") for c in results)
    assert emu.request_count - before == sum(1 for c in changes if not c.is_noop)


def test_emptying_is_refused_unless_allowed(emu: Emulator) -> None:
    with session_on(emu) as session:
        user = next(u for u in session.scim.list_users() if u.roles)
        [change] = plan_user_roles(None, [user], set_to=[])
        before = emu.request_count
        [refused] = apply(session, [change])
        assert refused.status == "failed" and "every role" in refused.reason
        assert emu.request_count == before and roles_of(emu, user.id)
        [allowed] = apply(session, [change], allow_empty=True)
    assert allowed.status == "done" and roles_of(emu, user.id) == []


def test_unknown_role_uuids_are_sent(emu: Emulator) -> None:
    unknown = "0f0f0f0f-0000-4000-8000-000000000001"
    with session_on(emu) as session:
        user = session.scim.list_users()[0]
        [result] = apply(session, plan_user_roles(None, [user], add=[unknown]))
    assert result.status == "done" and unknown in roles_of(emu, user.id)


def test_user_roles_against_scim2_server(scim2_server: Any, tmp_path: Path) -> None:
    a, b, c = ("11111111-1111-4111-8111-111111111111", "22222222-2222-4222-8222-222222222222",
               "33333333-3333-4333-8333-333333333333")
    ids = scim2_server.seed_users(4, prefix="apply", roles=[a])
    with session_at(scim2_server.base_url, scim2_server.key) as session:
        users = [session.scim.get_user(i) for i in ids]
        changes = plan_user_roles(None, users, add=[b])
        other_admin_sets_roles(scim2_server.base_url, scim2_server.key, ids[1], [a, b])
        other_admin_sets_roles(scim2_server.base_url, scim2_server.key, ids[2], [c])
        assert scim2_server.raw("DELETE", f"Users/{ids[3]}").status_code == 204
        done, same, conflict, gone = apply(session, changes, Journal(tmp_path / "j.sqlite3"))
    assert done.status == "done" and sorted(server_roles(scim2_server.base_url, scim2_server.key, ids[0])) == [a, b]
    assert same.status == "unchanged"
    assert conflict.status == "conflict" and conflict.theirs == (c,)
    assert server_roles(scim2_server.base_url, scim2_server.key, ids[2]) == [c]
    assert gone.status == "failed" and "404" in gone.reason and "\n" not in gone.reason


def _members(emu: Emulator, group_id: str) -> set[str]:
    group = emu.state.group(group_id)
    assert group is not None
    return {m["value"] for m in group.get("members") or []}


def test_group_members_merge_and_keep_other_edits(emu: Emulator, tmp_path: Path) -> None:
    with session_on(emu) as session:
        groups = session.scim.list_groups()
        users = [u.id for u in session.scim.list_users()]
        g1, g2, g3 = (session.scim.get_group(g.id) for g in groups[:3])
        outsiders = [u for u in users if u not in g1.member_ids]
        add, theirs = outsiders[0], outsiders[1]
        remove = g1.member_ids[0]
        done = plan_members(None, g1.id, g1.display_name, g1.member_ids, add=[add], remove=[remove])
        present = g2.member_ids[0]
        unchanged = plan_members(None, g2.id, g2.display_name, g2.member_ids, add=[present])
        assert unchanged.is_noop  # planned on a group that already has them
        unchanged = Change("group-members", g2.id, g2.display_name, tuple(m for m in g2.member_ids if m != present),
                           g2.member_ids)
        gone = plan_members(None, g3.id, g3.display_name, g3.member_ids, add=[add])
        # between plan and apply: another admin adds someone to g1 (a merge keeps it) and deletes g3
        patch = {"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                 "Operations": [{"op": "add", "path": "members", "value": [{"value": theirs}]}]}
        auth = {"Authorization": f"Bearer {emu.key}", "Content-Type": "application/scim+json"}
        assert httpx.patch(f"{emu.scim_url}/Groups/{g1.id}", content=json.dumps(patch), headers=auth).is_success
        assert httpx.delete(f"{emu.scim_url}/Groups/{g3.id}", headers=auth).is_success
        journal = Journal(tmp_path / "j.sqlite3")
        r_done, r_same, r_gone = apply(session, [done, unchanged, gone], journal)
    assert r_done.status == "done"
    assert _members(emu, g1.id) == (set(g1.member_ids) - {remove}) | {add, theirs}  # theirs kept
    assert r_same.status == "unchanged"
    assert r_gone.status == "failed" and "404" in r_gone.reason
    [entry] = [e.content for e in journal.entries()]
    assert entry["change"] == r_done.id and entry["action"] == "groups members change"
    assert [r["method"] for r in entry["requests"]] == ["PATCH", "PATCH"]


def _team_refs(emu: Emulator, team_id: str) -> list[dict[str, Any]]:
    return list(emu.state.team(team_id)["roleRefs"])


@pytest.mark.parametrize("etags", [True, False], ids=["team-etag", "no-team-etag"])
def test_group_roles_done_unchanged_conflict(emu: Emulator, etags: bool, tmp_path: Path) -> None:
    emu.state.team_etags = etags
    new, other = two_roles(emu)
    with session_on(emu) as session:
        assert session.accounts is not None
        teams = [session.accounts.get_team(t.id) for t in session.accounts.list_teams()[:3]]
        changes = [plan_group_roles(None, t.id, t.name, t.id, t.role_ids, add=[new], version=t.version)
                   for t in teams]
        scoped = [dict(r) for r in _team_refs(emu, teams[0].id)]
        # between plan and apply: the second team gets our role from someone else, the third another role
        auth = {"Authorization": f"AccessKey {emu.accounts_key}", "Content-Type": "application/json"}
        base = f"{emu.accounts_url}/organizations/{emu.org_id}/teams"
        for team, role in ((teams[1], new), (teams[2], other)):
            refs = [*_team_refs(emu, team.id), {"id": role, "type": "organization", "workspaces": []}]
            assert httpx.patch(f"{base}/{team.id}", json={"roleRefs": refs}, headers=auth).is_success
        journal = Journal(tmp_path / "j.sqlite3")
        done, same, conflict = apply(session, changes, journal)
    assert done.status == "done"
    refs = _team_refs(emu, teams[0].id)
    assert [r for r in refs if r["id"] != new] == scoped  # the other roles keep their workspaces
    assert same.status == "unchanged"
    assert conflict.status == "conflict" and conflict.theirs is not None and other in conflict.theirs
    assert new not in [r["id"] for r in _team_refs(emu, teams[2].id)]  # theirs kept
    assert [e.content["change"] for e in journal.entries()] == [done.id]


def test_group_roles_without_accounts_fail_with_a_sentence(emu: Emulator) -> None:
    new, _ = two_roles(emu)
    with session_on(emu, accounts=False) as session:
        group = session.scim.list_groups()[0]
        change = plan_group_roles(None, group.id, group.display_name, group.id, (), add=[new])
        [result] = apply(session, [change])
    assert result.status == "failed" and "Accounts API" in result.reason


def test_group_roles_overwritten_after_our_write_are_never_a_clean_done(
    emu: Emulator, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Without a team precondition (docs/bird.md U7) another admin's write that lands after ours wins: the window's
    apply re-reads the team after a settle delay and reports both lists instead of 'done'; it is journaled."""
    from birdadmin.services import apply_kinds

    monkeypatch.setattr(apply_kinds, "SETTLE_DELAY", 0.5)
    emu.state.team_etags = False
    new, other = two_roles(emu)
    with session_on(emu) as session:
        assert session.accounts is not None
        team = session.accounts.get_team(session.accounts.list_teams()[0].id)
        assert new not in team.role_ids and other not in team.role_ids
        change = plan_group_roles(None, team.id, team.name, team.id, team.role_ids, add=[new], version=team.version)
        stop = threading.Event()

        def other_admin() -> None:  # overwrites the whole list as soon as our write has landed
            deadline = time.monotonic() + 20
            while not stop.is_set() and time.monotonic() < deadline:
                if any(r["id"] == new for r in emu.state.team(team.id)["roleRefs"]):
                    emu.state.set_team_role_refs(team.id, {"roleRefs": [{"id": other}]})
                    return
                time.sleep(0.002)

        thread = threading.Thread(target=other_admin, daemon=True)
        thread.start()
        journal = Journal(tmp_path / "j.sqlite3")
        try:
            [result] = apply(session, [change], journal)
        finally:
            stop.set()
            thread.join(5)
    assert result.status == "conflict" and result.theirs == (other,)
    assert "was applied" in result.reason and "last writer wins" in result.reason
    [entry] = journal.entries()
    assert entry.content["change"] == change.id and entry.content["now"] == [other]


def test_group_roles_nobody_overtook_are_done_after_the_settle_check(
    emu: Emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    from birdadmin.services import apply_kinds

    monkeypatch.setattr(apply_kinds, "SETTLE_DELAY", 0.05)
    emu.state.team_etags = False
    new, _ = two_roles(emu)
    with session_on(emu) as session:
        assert session.accounts is not None
        team = session.accounts.get_team(session.accounts.list_teams()[0].id)
        change = plan_group_roles(None, team.id, team.name, team.id, team.role_ids, add=[new], version=team.version)
        [result] = apply(session, [change])
    assert result.status == "done" and new in [r["id"] for r in _team_refs(emu, team.id)]
