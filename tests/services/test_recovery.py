"""Changes found in flight after a stop: each re-checked against the emulator's real state before anything is
offered again (services/recovery.py)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from birdadmin.domain.changes import plan_user_roles
from birdadmin.emulator import EmulatorOptions, start_emulator
from birdadmin.services.recovery import recover
from birdadmin.store.journal import Journal
from tests.services.helpers import other_admin_sets_roles, session_on


def test_each_in_flight_change_is_sorted_by_what_the_server_holds(tmp_path: Path) -> None:
    with start_emulator(EmulatorOptions(port=0, users=8, groups=1, seed=3)) as emu, session_on(emu) as session:
        roles = [r["id"] for r in emu.state.roles()]
        users = session.scim.list_users()[:5]
        planned = [replace(c, status="in-flight") for c in plan_user_roles(None, users, add=[roles[6]])]
        applied, not_sent, theirs, gone, queued = planned
        other_admin_sets_roles(emu.scim_url, emu.key, applied.target_id, list(applied.after))  # it had landed
        other_admin_sets_roles(emu.scim_url, emu.key, theirs.target_id, [roles[7]])  # someone else meanwhile
        emu.state.delete("Users", gone.target_id)
        queued = replace(queued, status="pending")
        journal = Journal(tmp_path / "journal.sqlite3")

        found = recover(session, [*planned[:4], queued], journal=journal, profile_record={"name": "t"})

    assert [c.id for c in found.done] == [applied.id]
    by_id = {c.id: c for c in found.changes}
    assert applied.id not in by_id
    assert by_id[not_sent.id].status == "pending" and by_id[queued.id].status == "pending"
    assert by_id[theirs.id].status == "conflict" and by_id[theirs.id].theirs == (roles[7],)
    assert by_id[gone.id].status == "failed" and "could not be read now" in by_id[gone.id].reason
    assert (found.pending, found.in_flight, found.resend, found.conflicts, found.unchecked) == (1, 4, 1, 1, 1)
    summary = found.summary()
    assert summary.startswith("1 planned change from the last session is still queued.")
    assert "4 changes were being applied" in summary and "1 had been applied" in summary
    assert "1 now conflict" in summary and "1 could not be checked" in summary
    [entry] = journal.entries()  # the applied one was journaled now, marked as found after a restart
    assert entry.content["change"] == applied.id and entry.content["recovered"] is True


def test_nothing_to_restore_says_nothing() -> None:
    with start_emulator(EmulatorOptions(port=0, users=2, groups=1, seed=3)) as emu, session_on(emu) as session:
        assert recover(session, []).summary() == ""
