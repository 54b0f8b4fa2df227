"""The change model (domain/changes.py): planning onto the queue, what a change adds and removes, re-planning after
a conflict, undoing an applied change, the guards' view of the queue, and the stored form. Hand cases and
hypothesis properties."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from birdadmin.domain.changes import (
    KINDS,
    STATUSES,
    Change,
    ChangeQueue,
    plan_group_roles,
    plan_members,
    plan_user_roles,
    same_values,
    to_planned,
)
from birdadmin.domain.guards import OrgSnapshot, check
from birdadmin.scim.resources import User

R = [f"5f0c{n:04x}-1111-4a4a-8b8b-00000000000{n % 10}" for n in range(8)]
OWNER, AGENT, ANALYST = R[0], R[1], R[2]


def user(uid: str, *roles: str, active: bool = True) -> User:
    return User(uid, f"{uid}@example.com", active=active, roles=tuple(roles), version=f'W/"{uid}"')


def keys(values: tuple[str, ...]) -> set[str]:
    return {v.lower() for v in values}


# -- hand cases ---------------------------------------------------------------------------------------------------


def test_a_user_change_keeps_the_original_before_over_several_edits() -> None:
    queue = ChangeQueue()
    alice = user("a", AGENT)
    for change in plan_user_roles(queue, [alice], add=[ANALYST]):
        queue.put(change)
    for change in plan_user_roles(queue, [alice], remove=[AGENT]):
        queue.put(change)
    (change,) = queue
    assert change.before == (AGENT,) and change.after == (ANALYST,) and change.version == 'W/"a"'
    assert change.added == (ANALYST,) and change.removed == (AGENT,)
    assert change.target_name == "a@example.com"


def test_an_edit_cancelled_by_the_next_leaves_the_queue() -> None:
    queue = ChangeQueue()
    alice = user("a", AGENT)
    for change in plan_user_roles(queue, [alice], add=[ANALYST]):
        queue.put(change)
    assert len(queue) == 1
    for change in plan_user_roles(queue, [alice], remove=[ANALYST.upper()]):
        assert change.is_noop
        queue.put(change)
    assert len(queue) == 0


def test_role_uuids_compare_without_case() -> None:
    change = Change("user-roles", "u", "u", (OWNER.upper(), AGENT), (OWNER, AGENT))
    assert change.is_noop and change.added == () and change.removed == ()
    assert same_values("user-roles", [OWNER.upper()], [OWNER])
    assert not same_values("group-members", ["ABC"], ["abc"])  # member ids are compared exactly
    (planned,) = plan_user_roles(None, [user("a", OWNER.upper(), AGENT)], remove=[OWNER])
    assert planned.after == (AGENT,)
    (kept,) = plan_user_roles(None, [user("a", OWNER.upper())], add=[OWNER])
    assert kept.after == (OWNER.upper(),) and kept.is_noop  # the server's spelling, not a second copy


def test_a_finished_noop_stays_and_an_open_noop_leaves() -> None:
    queue = ChangeQueue()
    noop = Change("user-roles", "u", "u", (AGENT,), (AGENT,))
    queue.put(noop)
    assert len(queue) == 0
    queue.put(replace(noop, status="unchanged", reason="already so"))
    assert queue.get(("user-roles", "u")) is not None and queue.open() == []


def test_queue_keeps_first_planned_order_and_one_change_per_target() -> None:
    queue = ChangeQueue()
    a, b = user("a", AGENT), user("b", AGENT)
    for change in plan_user_roles(queue, [a, b], add=[ANALYST]):
        queue.put(change)
    for change in plan_user_roles(queue, [a], add=[OWNER]):
        queue.put(change)
    assert [c.target_id for c in queue] == ["a", "b"]
    assert queue.get(("user-roles", "a")).after == (AGENT, ANALYST, OWNER)  # type: ignore[union-attr]
    assert ("user-roles", "b") in queue and ("group-members", "b") not in queue


def test_members_and_group_roles_are_planned_on_the_queue() -> None:
    queue = ChangeQueue()
    queue.put(plan_members(queue, "g", "Sales", ["u1", "u2"], add=["u3"], version='W/"9"'))
    queue.put(plan_members(queue, "g", "Sales", ["u1", "u2"], remove=["u1"]))
    change = queue.get(("group-members", "g"))
    assert change is not None and change.before == ("u1", "u2") and change.after == ("u2", "u3")
    assert change.version == 'W/"9"' and change.added == ("u3",) and change.removed == ("u1",)
    roles = plan_group_roles(queue, "g", "Sales", "team-1", [AGENT], add=[OWNER])
    assert roles.team_id == "team-1" and roles.after == (AGENT, OWNER)
    queue.put(roles)
    queue.put(plan_group_roles(queue, "g", "Sales", "team-1", [AGENT], remove=[OWNER.upper()]))
    assert ("group-roles", "g") not in queue


def test_replanned_after_a_conflict() -> None:
    change = Change("user-roles", "u", "u", (AGENT, ANALYST), (AGENT, OWNER), version="1", status="conflict",
                    reason="changed", theirs=(R[5],))
    again = change.replanned((R[5], ANALYST), "2")
    assert again.before == (R[5], ANALYST) and again.after == (R[5], OWNER) and again.version == "2"
    assert again.status == "pending" and again.reason == "" and again.theirs is None and again.id == change.id
    members = Change("group-members", "g", "g", ("a", "b"), ("b", "c"))
    assert members.replanned(("a", "d"), None).after == ("d", "c")


def test_inverse_undoes_an_applied_change() -> None:
    change = Change("user-roles", "u", "u", (AGENT, ANALYST), (AGENT, OWNER), status="done")
    undo = change.inverse((AGENT, OWNER), "3")
    assert keys(undo.after) == keys(change.before) and undo.before == (AGENT, OWNER) and undo.version == "3"
    assert undo.id != change.id and undo.status == "pending"


def test_to_planned_skips_finished_changes_and_splits_member_changes() -> None:
    changes = [
        Change("user-roles", "a", "a", (AGENT,), ()),
        Change("user-roles", "b", "b", (AGENT,), (), status="done"),
        Change("group-members", "g", "g", ("x", "y"), ("y", "z"), status="failed"),
        Change("group-roles", "h", "h", (OWNER,), (AGENT,), team_id="t"),
    ]
    planned = to_planned(changes)
    assert [c.user_id for c in planned.user_roles] == ["a"]
    assert planned.member_removals[0].user_ids == ("x",) and planned.member_additions[0].user_ids == ("z",)
    assert planned.group_roles[0].roles_after == (AGENT,)
    assert planned.touched_users() == {"a", "x", "z"}


def test_removing_the_only_owner_from_their_group_is_caught_by_the_guards() -> None:
    owner, other = user("o", AGENT), user("p", ANALYST)
    org = OrgSnapshot([owner, other], {"o": [("g", "Owners")]}, {"g": (OWNER,)})
    queue = ChangeQueue([plan_members(None, "g", "Owners", ["o"], remove=["o"])])
    result = check(org, to_planned(queue), owner_role_id=OWNER)
    assert [v.guard for v in result.violations] == ["no-owner"]
    harmless = ChangeQueue([plan_members(None, "g", "Owners", ["o"], add=["p"])])
    assert check(org, to_planned(harmless), owner_role_id=OWNER).ok


def test_to_planned_feeds_the_empty_and_batch_guards() -> None:
    users = [user(f"u{n}", AGENT) for n in range(4)]
    org = OrgSnapshot(users, {}, {})
    emptied = plan_user_roles(None, users[:1], remove=[AGENT])
    assert [v.guard for v in check(org, to_planned(emptied), owner_role_id=OWNER).violations] == ["empty"]
    bulk = plan_user_roles(None, users, add=[ANALYST])
    result = check(org, to_planned(bulk), owner_role_id=OWNER, batch_threshold=3)
    assert [v.guard for v in result.violations] == ["batch"]


@pytest.mark.parametrize("data", [
    {},
    {"id": "c", "kind": "user-roles", "targetId": "u", "before": [], "after": [], "status": "lost"},
    {"id": "c", "kind": "users", "targetId": "u", "before": [], "after": []},
    {"id": "c", "kind": "user-roles", "targetId": "", "before": [], "after": []},
    {"id": "", "kind": "user-roles", "targetId": "u", "before": [], "after": []},
    {"id": "c", "kind": "user-roles", "targetId": "u", "before": "r", "after": []},
    {"id": "c", "kind": "user-roles", "targetId": "u", "before": [1], "after": []},
    {"id": "c", "kind": "user-roles", "targetId": "u", "before": [], "after": None},
    {"id": "c", "kind": "user-roles", "targetId": "u", "before": [], "after": [], "version": 3},
    {"id": "c", "kind": "user-roles", "targetId": "u", "before": [], "after": [], "theirs": "x"},
    {"id": 7, "kind": "user-roles", "targetId": "u", "before": [], "after": []},
    {"id": "c", "kind": ["user-roles"], "targetId": "u", "before": [], "after": []},
])
def test_from_json_rejects_malformed_data(data: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match="change"):
        Change.from_json(data)


# -- properties ---------------------------------------------------------------------------------------------------

_roles = st.sampled_from(R).flatmap(lambda r: st.sampled_from([r, r.upper()]))
_role_lists = st.lists(_roles, max_size=6, unique_by=str.lower).map(tuple)
_members = st.lists(st.sampled_from([f"m{n}" for n in range(8)]), max_size=6, unique=True).map(tuple)
_text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=12)


@st.composite
def changes(draw: Any) -> Change:
    kind = draw(st.sampled_from(KINDS))
    values = _members if kind == "group-members" else _role_lists
    return Change(
        kind, draw(_text.filter(bool)), draw(_text), draw(values), draw(values),
        version=draw(st.none() | _text), team_id=draw(st.none() | _text), status=draw(st.sampled_from(STATUSES)),
        reason=draw(_text), theirs=draw(st.none() | values), id=draw(_text.filter(bool)),
    )


@settings(max_examples=200, deadline=None)
@given(held=_role_lists, queued=st.lists(_roles, max_size=3), role=_roles)
def test_add_then_remove_of_a_role_not_held_leaves_the_queue_unchanged(
    held: tuple[str, ...], queued: list[str], role: str
) -> None:
    alice = user("a", *held)
    queue = ChangeQueue(plan_user_roles(None, [alice], add=queued))
    planned_after = queue.get(("user-roles", "a"))
    current = planned_after.after if planned_after is not None else held
    assume(role.lower() not in keys(current))  # adding a role held is no edit, and removing it then is a real one
    snapshot = list(queue)
    for change in plan_user_roles(queue, [alice], add=[role]):
        queue.put(change)
    for change in plan_user_roles(queue, [alice], remove=[role.swapcase()]):
        queue.put(change)
    assert list(queue) == snapshot


@settings(max_examples=200, deadline=None)
@given(held=_role_lists, edits=st.lists(st.tuples(st.sampled_from(["add", "remove", "set"]), _role_lists),
                                        min_size=1, max_size=5))
def test_before_is_always_the_original(held: tuple[str, ...], edits: list[tuple[str, tuple[str, ...]]]) -> None:
    alice = user("a", *held)
    queue = ChangeQueue()
    for action, roles in edits:
        kwargs: dict[str, Any] = {"set_to": roles} if action == "set" else {action: roles}
        for change in plan_user_roles(queue, [alice], **kwargs):
            queue.put(change)
            assert change.before == held and change.version == alice.version
    for change in queue:
        assert change.before == held and not change.is_noop


@settings(max_examples=300, deadline=None)
@given(change=changes())
def test_inverse_of_an_applied_change_gives_back_before(change: Change) -> None:
    undo = change.inverse(change.after, "v2")
    assert same_values(change.kind, undo.after, change.before)
    assert undo.before == change.after and undo.version == "v2" and undo.status == "pending"


@settings(max_examples=300, deadline=None)
@given(change=changes(), data=st.data())
def test_replanned_keeps_the_edit(change: Change, data: Any) -> None:
    now = data.draw(_members if change.kind == "group-members" else _role_lists)
    again = change.replanned(now, "v9")
    key = (lambda v: v) if change.kind == "group-members" else str.lower
    after = {key(v) for v in again.after}
    assert {key(v) for v in change.added} <= after
    assert not {key(v) for v in change.removed} & after
    removed = {key(v) for v in change.removed}
    assert {key(v) for v in now if key(v) not in removed} <= after  # the rest of theirs is kept
    assert after <= {key(v) for v in now} | {key(v) for v in change.added}  # and nothing else appears
    assert again.before == tuple(now) and again.version == "v9" and again.id == change.id
    assert len(again.after) == len(after)  # no value twice


@settings(max_examples=300, deadline=None)
@given(change=changes())
def test_json_round_trips(change: Change) -> None:
    assert Change.from_json(change.to_json()) == change


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | _text,
    lambda children: st.lists(children, max_size=3) | st.dictionaries(_text, children, max_size=3),
    max_leaves=8,
)


@settings(max_examples=300, deadline=None)
@given(change=changes(), field=st.sampled_from(["id", "kind", "targetId", "targetName", "before", "after",
                                                 "version", "teamId", "status", "reason", "theirs"]), value=_json)
def test_from_json_accepts_a_change_or_raises_value_error(change: Change, field: str, value: Any) -> None:
    data = {**change.to_json(), field: value}
    try:
        parsed = Change.from_json(data)
    except ValueError:
        return
    others = {k: v for k, v in change.to_json().items() if k != field}
    assert {k: v for k, v in parsed.to_json().items() if k != field} == others  # only that field differs
    assert Change.from_json(parsed.to_json()) == parsed


def test_reorder_and_would_change() -> None:
    a, b, c = (Change("user-roles", t, t, (AGENT,), (OWNER,)) for t in "abc")
    queue = ChangeQueue([a, b, c])
    order = queue.keys()
    queue.remove(a.key)
    queue.put(a)
    assert [x.target_id for x in queue] == ["b", "c", "a"]
    queue.reorder(order)
    assert [x.target_id for x in queue] == ["a", "b", "c"]
    queue.put(Change("user-roles", "d", "d", (AGENT,), (OWNER,)))
    queue.reorder([("user-roles", "c"), ("user-roles", "gone")])
    assert [x.target_id for x in queue] == ["c", "a", "b", "d"]
    assert not queue.would_change([a, Change("user-roles", "e", "e", (AGENT,), (AGENT,))])
    assert queue.would_change([replace(a, after=(ANALYST,))])
    assert queue.would_change([replace(a, after=a.before)])  # cancels a's edit
