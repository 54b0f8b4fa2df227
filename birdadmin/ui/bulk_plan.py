"""Planning one edit over many targets (the bulk actions, "Grant this role to..."): plain Python, no Qt.

Kept apart from the dialogs so that planning 10,000 users is a dictionary walk with no widget work in it. Only
changes that alter the queue are returned, so an undo step's text ("Add role Analyst to 12 users") counts the
users it really touches.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping, Sequence

from birdadmin.domain.changes import Change, ChangeQueue, plan_members, plan_user_roles, same_values
from birdadmin.scim.resources import User
from birdadmin.scim.role_values import role_key


def present_roles(queue: ChangeQueue, user: User) -> tuple[str, ...]:
    """The user's direct roles as planned: the queued change's ``after``, or the roles as loaded."""
    queued = queue.get(("user-roles", user.id))
    return queued.after if queued is not None else user.roles


def holding(queue: ChangeQueue, users: Iterable[User], role_id: str) -> tuple[int, int]:
    """(users holding ``role_id`` directly after the planned changes, users lacking it)."""
    wanted = role_key(role_id)
    have = lack = 0
    for user in users:
        if any(role_key(r) == wanted for r in present_roles(queue, user)):
            have += 1
        else:
            lack += 1
    return have, lack


def plan_role_for_users(queue: ChangeQueue, users: Sequence[User], role_id: str, *, add: bool) -> list[Change]:
    """Add (or remove) ``role_id`` for every user, on top of the queue; users it would not change are left out."""
    planned = plan_user_roles(queue, users, add=[role_id] if add else [], remove=[] if add else [role_id])
    return [change for user, change in zip(users, planned, strict=True)
            if not same_values("user-roles", present_roles(queue, user), change.after)]


def plan_in_slices(queue: ChangeQueue, users: Sequence[User], role_id: str, *, add: bool,
                   size: int = 500) -> list[Change]:
    """``plan_role_for_users`` for a worker thread: a slice at a time, handing the interpreter lock to the GUI
    thread between slices (the lock is otherwise held for up to its 5 ms switch interval at a time)."""
    out: list[Change] = []
    for start in range(0, len(users), size):
        out += plan_role_for_users(queue, users[start:start + size], role_id, add=add)
        time.sleep(0)
    return out


def snapshot(queue: ChangeQueue, users: Iterable[User]) -> ChangeQueue:
    """The queued user-role changes of ``users`` only: what a worker plans against while the queue lives on."""
    return ChangeQueue(c for c in (queue.get(("user-roles", u.id)) for u in users) if c is not None)


def still_current(queue: ChangeQueue, planned_on: ChangeQueue, changes: Iterable[Change],
                  users: Iterable[User]) -> bool:
    """True when no change was queued for these targets since ``planned_on`` was taken (the same objects): every
    user of the edit, not only those it changes (one it left out may have been edited meanwhile)."""
    keys = [c.key for c in changes] + [("user-roles", u.id) for u in users]
    return all(queue.get(k) is planned_on.get(k) for k in keys)


def group_members(memberships: Mapping[str, Sequence[tuple[str, str]]], group_id: str) -> list[str]:
    """A group's member ids as loaded with the organization (user id -> groups)."""
    return [uid for uid, groups in memberships.items() if any(gid == group_id for gid, _name in groups)]


def present_members(queue: ChangeQueue, group_id: str, loaded: Sequence[str]) -> tuple[str, ...]:
    queued = queue.get(("group-members", group_id))
    return queued.after if queued is not None else tuple(loaded)


def plan_member_addition(queue: ChangeQueue, group_id: str, group_name: str, loaded: Sequence[str],
                         user_ids: Sequence[str], version: str | None = None) -> Change | None:
    """Add ``user_ids`` to the group on top of the queue; None when every one of them is already a member."""
    present = present_members(queue, group_id, loaded)
    change = plan_members(queue, group_id, group_name, loaded, add=user_ids, version=version)
    return None if same_values("group-members", present, change.after) else change
