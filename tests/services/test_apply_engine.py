"""The apply engine's own rules: unknown outcomes verified (never re-sent blindly), rate limits ridden out,
cancel leaves unstarted changes pending, roles the server hides fail with a sentence, verify() after a crash,
and a journal that many workers append to at once."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from birdadmin.domain.changes import Change, plan_group_roles, plan_members, plan_user_roles
from birdadmin.emulator import Emulator, EmulatorOptions, start_emulator
from birdadmin.services import apply as apply_module
from birdadmin.services.apply import Applier, JournalWriter, verify
from birdadmin.store.journal import Journal
from tests.hostile import GOOD_USER_ID, KEY, Answer, HostileServer, user
from tests.services.helpers import other_admin_sets_roles, session_at, session_on


@pytest.fixture
def emu() -> Iterator[Emulator]:
    with start_emulator(EmulatorOptions(port=0, users=16, groups=3, seed=4)) as running:
        yield running


def _role(emu: Emulator) -> str:
    return str(emu.state.roles()[-1]["id"])


def _roles(emu: Emulator, user_id: str) -> list[str]:
    found = emu.state.user(user_id)
    assert found is not None
    return list(found.get("roles") or [])


@pytest.mark.parametrize(("status", "after_apply"), [(500, True), (500, False), (503, False)])
def test_unknown_outcome_is_verified_not_resent_blindly(emu: Emulator, tmp_path: Path, status: int,
                                                        after_apply: bool) -> None:
    with session_on(emu) as session:
        target = session.scim.list_users()[0]
        [change] = plan_user_roles(None, [target], add=[_role(emu)])
        emu.inject(status, 1, f"/Users/{target.id}", method="PATCH", after_apply=after_apply)
        journal = Journal(tmp_path / "j.sqlite3")
        [result] = Applier(session, journal=journal, profile_record={}).apply([change])
    assert result.status == "done" and sorted(_roles(emu, target.id)) == sorted(change.after)
    [entry] = [e.content for e in journal.entries()]
    sent = [r["status"] for r in entry["requests"]]
    # applied before the answer was lost: the re-read shows it, so nothing is sent again
    assert sent == ([status] if after_apply else [status, 200]), sent


def test_rate_limit_beyond_the_http_retries_still_ends_done(emu: Emulator) -> None:
    with session_on(emu) as session:  # the emulator's spec retries an HTTP request twice
        target = session.scim.list_users()[0]
        [change] = plan_user_roles(None, [target], add=[_role(emu)])
        emu.inject(429, 4, f"/Users/{target.id}", method="PATCH", retry_after=0)
        [result] = Applier(session, journal=None, profile_record={}).apply([change])
    assert result.status == "done" and sorted(_roles(emu, target.id)) == sorted(change.after)


def test_a_conflict_after_an_unknown_outcome_is_not_overwritten(emu: Emulator) -> None:
    with session_on(emu) as session:
        target = session.scim.list_users()[0]
        [change] = plan_user_roles(None, [target], add=[_role(emu)])
        emu.inject(503, 1, f"/Users/{target.id}", method="PATCH")
        other = next(r["id"] for r in emu.state.roles() if r["id"] not in change.after)
        original = session.scim._write
        writes = []

        def write_then_someone_else(*args: object, **kw: object) -> object:
            writes.append(args[0])
            try:
                return original(*args, **kw)  # type: ignore[arg-type]
            finally:  # another admin's edit lands between our lost answer and the re-read
                if len(writes) == 1:
                    other_admin_sets_roles(emu.scim_url, emu.key, target.id, [other])

        session.scim._write = write_then_someone_else  # type: ignore[method-assign]
        [result] = Applier(session, journal=None, profile_record={}).apply([change])
    assert result.status == "conflict" and result.theirs == (other,) and result.reason
    assert _roles(emu, target.id) == [other] and writes == ["PATCH"]  # theirs kept: never sent again


def test_cancel_leaves_unstarted_changes_pending(emu: Emulator) -> None:
    emu.configure(latency_ms=20)
    cancel = threading.Event()

    def on_update(change: Change) -> None:
        if change.status == "in-flight":
            cancel.set()  # asked while the first change is being sent

    with session_on(emu) as session:
        users = session.scim.list_users()[:6]
        changes = [c for c in plan_user_roles(None, users, add=[_role(emu)]) if not c.is_noop]
        results = Applier(session, journal=None, profile_record={}, on_update=on_update,
                          concurrency=1).apply(changes, cancel)
    assert results[0].status == "done"  # started: it finishes
    assert [c.status for c in results[1:]] == ["pending"] * (len(changes) - 1)
    assert results[1:] == changes[1:]
    for change in changes[1:]:
        assert sorted(_roles(emu, change.target_id)) == sorted(change.before)  # nothing was sent


def test_roles_the_server_hides_fail_with_a_sentence() -> None:
    hidden = user(meta={"version": 'W/"1"'})
    del hidden["roles"]
    with HostileServer({f"/Users/{GOOD_USER_ID}": Answer.json(hidden), "/ServiceProviderConfig":
                        Answer.json({"etag": {"supported": True}})}) as server, \
            session_at(server.base_url, KEY) as session:
        planned = Change("user-roles", GOOD_USER_ID, "ada", ("r1",), ("r1", "r2"))
        direct = replace(planned, version='W/"1"', id="direct")
        read_first, sent = Applier(session, journal=None, profile_record={}).apply([planned, direct])
        writes = [s for s in server.seen if s.method != "GET"]
    assert read_first.status == "failed" and "does not show this user's roles" in read_first.reason
    assert sent.status == "failed" and "does not show the user's roles" in sent.reason
    assert len(writes) == 1 and writes[0].headers.get("If-Match") == 'W/"1"'  # only the direct one was sent
    for result in (read_first, sent):
        assert "\n" not in result.reason and "Traceback" not in result.reason


def test_verify_after_a_crash(emu: Emulator) -> None:
    role = _role(emu)
    with session_on(emu) as session:
        a, b, c = [u for u in session.scim.list_users() if role not in u.roles][:3]
        changes = plan_user_roles(None, [a, b, c], add=[role])
        other_admin_sets_roles(emu.scim_url, emu.key, a.id, list(changes[0].after))  # as if ours had landed
        other_admin_sets_roles(emu.scim_url, emu.key, c.id, [])
        checked = [verify(session, replace(ch, status="in-flight")) for ch in changes]
        group = session.scim.get_group(session.scim.list_groups()[0].id)
        outsider = next(u.id for u in session.scim.list_users() if u.id not in group.member_ids)
        members = plan_members(None, group.id, group.display_name, group.member_ids, add=[outsider])
        assert session.accounts is not None
        team = session.accounts.get_team(group.id)
        team_change = plan_group_roles(None, group.id, group.display_name, team.id, team.role_ids, add=[role])
        pending = [verify(session, members).status, verify(session, team_change).status]
    assert [x.status for x in checked] == ["done", "pending", "conflict"]
    assert checked[2].theirs == () and checked[1].version
    assert pending == ["pending", "pending"]


def test_a_failing_reporter_or_a_bug_fails_only_its_change(emu: Emulator, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: object, **kw: object) -> Change:
        raise KeyError("boom")

    def reporter(change: Change) -> None:
        raise RuntimeError("reporter broke")

    monkeypatch.setattr(apply_module, "apply_change", broken)
    with session_on(emu) as session:
        changes = plan_user_roles(None, session.scim.list_users()[:2], add=[_role(emu)])
        results = Applier(session, journal=None, profile_record={}, on_update=reporter).apply(changes)
    assert [r.status for r in results] == ["failed", "failed"]
    assert all("unexpected problem (KeyError)" in r.reason for r in results)


def test_journal_writer_takes_appends_from_many_threads(tmp_path: Path) -> None:
    journal = Journal(tmp_path / "j.sqlite3").open()  # opened on this thread: the writer uses its own connection
    writer = JournalWriter(journal)
    try:
        def append(n: int) -> None:
            for i in range(25):
                writer.append({"target": {"kind": "user", "id": f"{n}-{i}"}, "status": "changed"})

        threads = [threading.Thread(target=append, args=(n,)) for n in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
    finally:
        writer.close()
    assert len(journal.entries()) == 200 and journal.verify().intact
    journal.close()
