"""Undoing a journal entry: which planned change it was, and its inverse on the target's state now."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from birdadmin import errors
from birdadmin.domain.changes import Change, same_values
from birdadmin.domain.journal_undo import UndoTarget, change_kind, plan_undo, undo_target

ROLES = [f"{i:08x}-0000-4000-8000-000000000000" for i in range(8)]


def content(**over: Any) -> dict[str, Any]:
    base = {"target": {"kind": "user", "id": "u1", "name": "bob"}, "action": "users roles add",
            "before": [ROLES[0]], "after": [ROLES[0], ROLES[1]], "status": "changed"}
    return {**base, **over}


@pytest.mark.parametrize(("over", "kind"), [
    ({}, "user-roles"),
    ({"target": {"kind": "group", "id": "g"}, "action": "groups members remove"}, "group-members"),
    ({"target": {"kind": "group", "id": "g"}, "action": "groups roles set"}, "group-roles"),
    ({"target": {"kind": "group", "id": "g"}, "action": "something"}, None),
    ({"target": "junk"}, None),
    ({"kind": "group-roles", "target": {"kind": "group", "id": "g"}}, "group-roles"),  # the window's own field
])
def test_change_kind(over: dict[str, Any], kind: str | None) -> None:
    assert change_kind(content(**over)) == kind


@pytest.mark.parametrize(("over", "sentence"), [
    ({"status": "sent-unchecked", "before": None, "after": None}, "only a change whose result is known"),
    ({"status": "dry-run"}, "this one is dry-run"),
    ({"before": [1, 2]}, "only a change whose result is known"),
    ({"target": {"kind": "user"}}, "does not say which user or group"),
])
def test_entries_that_cannot_be_undone_say_why(over: dict[str, Any], sentence: str) -> None:
    with pytest.raises(errors.InputError, match=sentence):
        undo_target(4, content(**over))


def test_group_roles_undo_writes_the_team_of_the_same_id() -> None:
    target = undo_target(1, content(target={"kind": "group", "id": "g1", "name": "Sales"},
                                    action="groups roles add"))
    assert target.entry_change().team_id == "g1"  # docs/bird.md, A2


role_lists = st.lists(st.sampled_from(ROLES), unique=True, max_size=6)


@given(role_lists, role_lists, role_lists)
def test_the_inverse_takes_back_only_the_entrys_own_edit(before: list[str], after: list[str],
                                                         other: list[str]) -> None:
    target = UndoTarget(1, "user-roles", "u1", "bob", tuple(before), tuple(after))
    # Unchanged since: the undo sets the target back to the entry's before.
    plan = plan_undo(target, after, "v1")
    assert not plan.changed_since
    if plan.change is None:
        assert same_values("user-roles", before, after)
    else:
        assert same_values("user-roles", plan.change.after, before) and plan.change.version == "v1"
    # Changed since (another admin's edit): what the entry added is removed, what it removed is back, the rest kept.
    plan = plan_undo(target, other, "v2")
    assert plan.changed_since == (not same_values("user-roles", other, after))
    result = set(plan.change.after if plan.change else other)
    added = set(after) - set(before)
    removed = set(before) - set(after)
    assert result == (set(other) - added) | removed


def test_an_undo_plans_on_top_of_a_queued_change_of_the_same_target() -> None:
    target = UndoTarget(1, "user-roles", "u1", "bob", (ROLES[0],), (ROLES[0], ROLES[1]))
    queued = Change("user-roles", "u1", "bob", (ROLES[0], ROLES[1]), (ROLES[0], ROLES[1], ROLES[2]), version="v0")
    plan = plan_undo(target, [ROLES[0], ROLES[1]], "v1", queued)
    assert plan.change is not None and plan.change.id == queued.id
    assert plan.change.before == queued.before and plan.change.version == "v0"  # the queued edit's base is kept
    assert set(plan.change.after) == {ROLES[0], ROLES[2]}
    already = Change("user-roles", "u1", "bob", (ROLES[0], ROLES[1]), (ROLES[0],))
    again = plan_undo(target, [ROLES[0], ROLES[1]], "v1", already)
    assert again.change is None and again.already_planned


def test_members_compare_exactly_and_roles_without_case() -> None:
    target = UndoTarget(1, "user-roles", "u1", "bob", (), (ROLES[1].upper(),))
    assert not plan_undo(target, [ROLES[1]], None).changed_since
    members = UndoTarget(2, "group-members", "g", "G", ("a",), ("a", "b"))
    plan = plan_undo(members, ["a", "b", "c"], None)
    assert plan.changed_since and plan.change is not None and plan.change.removed == ("b",)
