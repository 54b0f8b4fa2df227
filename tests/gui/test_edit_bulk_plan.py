"""The bulk planner (``ui/bulk_plan.py``, Qt-free) by properties: what it plans, what it leaves out, and that an
add followed by a remove of the same role gives the queue back."""

from __future__ import annotations

import uuid

from hypothesis import given, settings
from hypothesis import strategies as st

from birdadmin.domain.changes import ChangeQueue, plan_user_roles
from birdadmin.scim.resources import User
from birdadmin.ui import bulk_plan

ROLES = [str(uuid.UUID(int=i * 7919 + 1)) for i in range(6)]

role_lists = st.lists(st.sampled_from(ROLES + [r.upper() for r in ROLES]), max_size=4, unique_by=str.lower)


@st.composite
def organizations(draw: st.DrawFn) -> tuple[list[User], ChangeQueue]:
    """Users with roles in either case, some with a change already queued."""
    users = [User(f"u{i}", f"user{i}@example.com", roles=tuple(draw(role_lists)), version='W/"1"')
             for i in range(draw(st.integers(1, 8)))]
    queue = ChangeQueue()
    for user in users:
        if draw(st.booleans()):
            for change in plan_user_roles(queue, [user], set_to=draw(role_lists)):
                queue.put(change)
    return users, queue


@settings(max_examples=150, deadline=None)
@given(organizations(), st.sampled_from(ROLES), st.booleans())
def test_bulk_role_plan(org: tuple[list[User], ChangeQueue], role: str, add: bool) -> None:
    users, queue = org
    have, lack = bulk_plan.holding(queue, users, role)
    assert have + lack == len(users)
    changes = bulk_plan.plan_role_for_users(queue, users, role, add=add)
    assert len(changes) == (lack if add else have)  # exactly the users it changes
    for change in changes:
        user = next(u for u in users if u.id == change.target_id)
        queued = queue.get(change.key)
        assert change.before == (queued.before if queued is not None else user.roles)  # the original kept
        assert (role in {r.lower() for r in change.after}) is add
    # Queued, then the opposite edit: every user is back where the queue had them.
    after = ChangeQueue(queue)
    for change in changes:
        after.put(change)
    for change in bulk_plan.plan_role_for_users(after, users, role, add=not add):
        after.put(change)
    for user in users:
        now, was = after.get(("user-roles", user.id)), queue.get(("user-roles", user.id))
        now_roles = {r.lower() for r in (now.after if now is not None else user.roles)}
        was_roles = {r.lower() for r in (was.after if was is not None else user.roles)}
        assert now_roles - {role} == was_roles - {role}


@settings(max_examples=100, deadline=None)
@given(st.lists(st.sampled_from([f"m{i}" for i in range(8)]), unique=True),
       st.lists(st.sampled_from([f"m{i}" for i in range(12)]), unique=True, min_size=1))
def test_member_addition(loaded: list[str], adding: list[str]) -> None:
    queue = ChangeQueue()
    change = bulk_plan.plan_member_addition(queue, "g1", "Group", loaded, adding)
    if set(adding) <= set(loaded):
        assert change is None
        return
    assert change is not None
    assert set(change.after) == set(loaded) | set(adding) and change.before == tuple(loaded)
    assert set(change.added) == set(adding) - set(loaded) and not change.removed
    queue.put(change)
    assert bulk_plan.plan_member_addition(queue, "g1", "Group", loaded, adding) is None  # nothing more to add
    memberships = dict.fromkeys(loaded, (("g1", "Group"),))
    assert set(bulk_plan.group_members(memberships, "g1")) == set(loaded)


def test_a_user_the_worker_left_out_but_edited_meanwhile_is_planned_again() -> None:
    """A bulk removal planned on a worker leaves out a user who lacked the role; when that user is given the role
    while the worker runs, the result is stale and planned again, so the role is removed from them too."""
    role = ROLES[0]
    lacks, holds = User("u1", "a@example.com", roles=(ROLES[1],)), User("u2", "b@example.com", roles=(role,))
    queue = ChangeQueue()
    planned_on = bulk_plan.snapshot(queue, [lacks, holds])
    changes = bulk_plan.plan_in_slices(planned_on, [lacks, holds], role, add=False)
    assert [c.target_id for c in changes] == ["u2"]
    for change in plan_user_roles(queue, [lacks], add=[role]):  # the checklist, while the worker ran
        queue.put(change)
    assert not bulk_plan.still_current(queue, planned_on, changes, [lacks, holds])
    assert bulk_plan.still_current(ChangeQueue(), planned_on, changes, [lacks, holds])
