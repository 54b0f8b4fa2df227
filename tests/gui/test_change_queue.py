"""The window's queue of planned changes (ui/change_queue.py): planning, Undo and Redo through ``undo_stack`` (one
step per plan however many targets), discarding (undoable), the results of an apply, and a read-only connection."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from birdadmin.domain.changes import Change, plan_members, plan_user_roles
from birdadmin.scim.resources import User
from birdadmin.ui.change_queue import PendingChanges

pytestmark = pytest.mark.usefixtures("no_qt_warnings")

AGENT = "5f0c0001-1111-4a4a-8b8b-000000000001"
ANALYST = "5f0c0002-1111-4a4a-8b8b-000000000002"
USERS = [User(f"u{n}", f"u{n}@example.com", roles=(AGENT,)) for n in range(30)]


@pytest.fixture
def pending(qtbot: Any) -> PendingChanges:
    return PendingChanges()


def state(pending: PendingChanges) -> list[tuple[str, tuple[str, ...], str]]:
    return [(c.target_id, c.after, c.status) for c in pending.queue]


def test_one_undo_step_per_bulk_plan(pending: PendingChanges, qtbot: Any) -> None:
    with qtbot.waitSignal(pending.changed, timeout=1000):
        pending.plan(plan_user_roles(pending.queue, USERS, add=[ANALYST]), "Add Analyst to 30 users")
    assert len(pending) == 30 and pending.undo_stack.count() == 1
    assert pending.undo_stack.undoText() == "Add Analyst to 30 users"
    pending.plan(plan_user_roles(pending.queue, USERS[:5], remove=[AGENT]), "Remove Agent from 5 users")
    assert pending.undo_stack.count() == 2
    assert pending.get(("user-roles", "u0")).after == (ANALYST,)  # type: ignore[union-attr]

    pending.undo_stack.undo()
    assert all(c.after == (AGENT, ANALYST) for c in pending.queue) and len(pending) == 30
    pending.undo_stack.undo()
    assert len(pending) == 0 and not pending.undo_stack.canUndo()
    pending.undo_stack.redo()
    pending.undo_stack.redo()
    assert len(pending) == 30 and pending.get(("user-roles", "u4")).after == (ANALYST,)  # type: ignore[union-attr]


def test_undo_puts_a_cancelled_change_back_in_its_place(pending: PendingChanges) -> None:
    pending.plan(plan_user_roles(pending.queue, USERS[:3], add=[ANALYST]), "Add")
    before = state(pending)
    pending.plan(plan_user_roles(pending.queue, USERS[:1], remove=[ANALYST]), "Cancel u0")  # u0's edit leaves
    assert [c.target_id for c in pending.queue] == ["u1", "u2"]
    pending.undo_stack.undo()
    assert state(pending) == before


def test_a_plan_that_changes_nothing_adds_no_undo_step(pending: PendingChanges) -> None:
    pending.plan(plan_user_roles(pending.queue, USERS[:3], add=[AGENT]), "Add a role they hold")
    assert len(pending) == 0 and pending.undo_stack.count() == 0


def test_discard_is_undoable(pending: PendingChanges, qtbot: Any) -> None:
    pending.plan(plan_user_roles(pending.queue, USERS[:4], add=[ANALYST]), "Add")
    pending.plan([plan_members(pending.queue, "g", "Sales", ["u1"], add=["u2"])], "Member")
    before = state(pending)
    with qtbot.waitSignal(pending.changed, timeout=1000):
        pending.discard([("user-roles", "u1"), ("user-roles", "missing")], "Discard u1")
    assert [c.target_id for c in pending.queue] == ["u0", "u2", "u3", "g"]
    pending.undo_stack.undo()
    assert state(pending) == before
    pending.discard()
    assert len(pending) == 0 and pending.undo_stack.undoText() == "Discard changes"
    pending.undo_stack.undo()
    assert state(pending) == before
    count = pending.undo_stack.count()
    pending.discard([])
    assert pending.undo_stack.count() == count  # discarding nothing is no step


def test_record_results_drops_finished_and_keeps_the_rest(pending: PendingChanges, qtbot: Any) -> None:
    pending.plan(plan_user_roles(pending.queue, USERS[:4], add=[ANALYST]), "Add")
    c0, c1, c2, c3 = list(pending.queue)
    results = [
        replace(c0, status="done"),
        replace(c1, status="unchanged", reason="already so"),
        replace(c2, status="failed", reason="HTTP 500"),
        replace(c3, status="conflict", reason="changed meanwhile", theirs=(AGENT, "other")),
    ]
    with qtbot.waitSignal(pending.changed, timeout=1000):
        pending.record_results(results)
    assert [(c.target_id, c.status) for c in pending.queue] == [("u2", "failed"), ("u3", "conflict")]
    assert pending.get(("user-roles", "u3")).theirs == (AGENT, "other")  # type: ignore[union-attr]
    assert not pending.undo_stack.canUndo()  # planning that reached the server is not undone from here


def test_read_only_plans_nothing(pending: PendingChanges, qtbot: Any) -> None:
    with qtbot.waitSignal(pending.writable_changed, timeout=1000) as seen:
        pending.set_read_only("The profile is read-only.")
    assert seen.args == [False] and not pending.writable
    pending.plan(plan_user_roles(pending.queue, USERS[:2], add=[ANALYST]), "Add")
    assert len(pending) == 0 and pending.undo_stack.count() == 0
    with qtbot.assertNotEmitted(pending.writable_changed):
        pending.set_read_only("Still read-only.")
    with qtbot.waitSignal(pending.writable_changed, timeout=1000) as seen:
        pending.set_read_only("")
    assert seen.args == [True]
    pending.plan(plan_user_roles(pending.queue, USERS[:2], add=[ANALYST]), "Add")
    assert len(pending) == 2


def test_restore_and_reset(pending: PendingChanges) -> None:
    kept = [Change("user-roles", "u9", "u9", (AGENT,), (ANALYST,), status="failed", reason="HTTP 500")]
    pending.restore(kept)
    assert list(pending.queue) == kept and pending.undo_stack.count() == 0
    pending.plan(plan_user_roles(pending.queue, USERS[:1], add=[ANALYST]), "Add")
    pending.reset()
    assert len(pending) == 0 and pending.undo_stack.count() == 0
