"""Planned changes: what the window queues before anything is sent. Pure Python.

A :class:`Change` is one target's whole edit, whatever number of clicks made it: a user's direct roles, a
group's members, or the roles a group gives (written to its Bird team). It keeps the state it was planned against
(``before`` and ``version``) next to the state asked for (``after``), so that applying it can tell another admin's
edit from ours: a difference is a *conflict*, shown with theirs and ours, never an overwrite.

The :class:`ChangeQueue` holds at most one change per target: editing a target again re-plans its ``after`` from
the queued one and keeps the original ``before``; a change whose ``after`` equals its ``before`` leaves the queue.
Planning is plain dictionary work (10,000 users in a few tens of milliseconds), so a bulk edit needs no worker.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal, get_args

from birdadmin.domain.guards import (
    GroupRolesChange,
    MemberAddition,
    MemberRemoval,
    PlannedChanges,
    UserRolesChange,
)
from birdadmin.scim.resources import User
from birdadmin.scim.role_values import plan_roles, role_key

Kind = Literal["user-roles", "group-members", "group-roles"]
KINDS: tuple[Kind, ...] = get_args(Kind)
Status = Literal["pending", "in-flight", "done", "unchanged", "conflict", "failed"]
STATUSES: tuple[Status, ...] = get_args(Status)
OPEN: frozenset[Status] = frozenset({"pending", "in-flight", "conflict", "failed"})  # still queued
FINISHED: frozenset[Status] = frozenset({"done", "unchanged"})

Key = tuple[Kind, str]  # (kind, target id): one queued change per key


def _same_key(kind: Kind) -> Any:
    """Roles compare like the planner compares them (UUIDs without case); member ids exactly."""
    return (lambda v: v) if kind == "group-members" else role_key


def same_values(kind: Kind, a: Iterable[str], b: Iterable[str]) -> bool:
    key = _same_key(kind)
    return {key(v) for v in a} == {key(v) for v in b}


@dataclass(frozen=True, slots=True)
class Change:
    """One target's planned edit, and (once applied) how it ended."""

    kind: Kind
    target_id: str
    target_name: str
    before: tuple[str, ...]  # roles (user, group) or member ids (group) as planned against
    after: tuple[str, ...]
    version: str | None = None  # the ETag / meta.version planned against, when the server has one
    team_id: str | None = None  # group-roles: the Bird team that is written
    status: Status = "pending"
    reason: str = ""  # failed: the server's reason; conflict: what differs; unchanged: why nothing was sent
    theirs: tuple[str, ...] | None = None  # conflict: what the server holds now
    id: str = field(default_factory=lambda: uuid.uuid4().hex)

    @property
    def key(self) -> Key:
        return (self.kind, self.target_id)

    @property
    def added(self) -> tuple[str, ...]:
        key = _same_key(self.kind)
        had = {key(v) for v in self.before}
        return tuple(v for v in self.after if key(v) not in had)

    @property
    def removed(self) -> tuple[str, ...]:
        key = _same_key(self.kind)
        keeps = {key(v) for v in self.after}
        return tuple(v for v in self.before if key(v) not in keeps)

    @property
    def is_noop(self) -> bool:
        return same_values(self.kind, self.before, self.after)

    def replanned(self, before: Sequence[str], version: str | None) -> Change:
        """The same edit (what it adds and removes) planned again on the server's current state, after a conflict."""
        if self.kind == "group-members":
            dropped, present = set(self.removed), set(before)  # once: a big group has tens of thousands of members
            after = [m for m in before if m not in dropped] + [m for m in self.added if m not in present]
        else:
            after = plan_roles(before, add=self.added, remove=self.removed)
        return replace(self, before=tuple(before), after=tuple(after), version=version, status="pending", reason="",
                       theirs=None)

    def inverse(self, current: Sequence[str], version: str | None) -> Change:
        """What undoes this applied change, planned on ``current`` (the target's state now)."""
        undo = replace(self, before=self.after, after=self.before, id=uuid.uuid4().hex)
        return undo.replanned(current, version)

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id, "kind": self.kind, "targetId": self.target_id, "targetName": self.target_name,
            "before": list(self.before), "after": list(self.after), "version": self.version,
            "teamId": self.team_id, "status": self.status, "reason": self.reason,
            "theirs": None if self.theirs is None else list(self.theirs),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Change:
        """A change as stored; anything malformed is a ValueError (a hand-edited file may hold anything)."""
        kind, status = data.get("kind"), data.get("status", "pending")
        if kind not in KINDS or status not in STATUSES:
            raise ValueError(f"unknown change kind or status: {kind!r}, {status!r}")

        def strings(name: str) -> tuple[str, ...]:
            value = data.get(name)
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise ValueError(f"change field {name!r} is not a list of strings")
            return tuple(value)

        def text(name: str, default: str | None = "") -> Any:
            value = data.get(name, default)
            if value is not None and not isinstance(value, str):
                raise ValueError(f"change field {name!r} is not a string")
            return value

        target = text("targetId")
        change_id = text("id")
        if not target or not change_id:
            raise ValueError("a change needs an id and a target")
        return cls(
            kind=kind, target_id=target, target_name=text("targetName"), before=strings("before"),
            after=strings("after"), version=text("version", None), team_id=text("teamId", None), status=status,
            reason=text("reason"), theirs=None if data.get("theirs") is None else strings("theirs"), id=change_id,
        )


class ChangeQueue:
    """The planned changes, in the order first planned, one per target."""

    def __init__(self, changes: Iterable[Change] = ()) -> None:
        self._items: dict[Key, Change] = {}
        for change in changes:
            self.put(change)

    def __len__(self) -> int:
        return len(self._items)

    def __iter__(self) -> Iterator[Change]:
        return iter(list(self._items.values()))

    def __contains__(self, key: object) -> bool:
        return key in self._items

    def get(self, key: Key) -> Change | None:
        return self._items.get(key)

    def put(self, change: Change) -> None:
        """Queue (or replace) the change for its target; a change that changes nothing leaves the queue."""
        if change.is_noop and change.status in ("pending", "failed", "conflict"):
            self._items.pop(change.key, None)
        else:
            self._items[change.key] = change

    def remove(self, key: Key) -> Change | None:
        return self._items.pop(key, None)

    def clear(self) -> None:
        self._items.clear()

    def keys(self) -> list[Key]:
        """The targets in queue order (what :meth:`reorder` takes back)."""
        return list(self._items)

    def reorder(self, keys: Sequence[Key]) -> None:
        """Put the queue in the order of ``keys`` (an undo brings a removed change back to its place, not to the
        end); changes ``keys`` does not name follow in their current order."""
        ordered = {k: self._items[k] for k in keys if k in self._items}
        ordered.update(self._items)
        self._items = ordered

    def would_change(self, changes: Iterable[Change]) -> bool:
        """Whether putting ``changes`` alters the queue (a no-op for a target with nothing queued does not)."""
        return any(self._items.get(c.key) != c and not (c.key not in self._items and c.is_noop
                                                        and c.status in ("pending", "failed", "conflict"))
                   for c in changes)

    def open(self) -> list[Change]:
        return [c for c in self._items.values() if c.status in OPEN]


def plan_user_roles(
    queue: ChangeQueue | None,
    users: Iterable[User],
    *,
    add: Sequence[str] = (),
    remove: Sequence[str] = (),
    set_to: Sequence[str] | None = None,
) -> list[Change]:
    """One change per user, planned on top of what is already queued for them (their original ``before`` kept).

    Users whose planned roles end as they started are returned too (as no-ops), so that putting them in the
    queue drops an earlier edit that this one cancels.
    """
    out: list[Change] = []
    for user in users:
        queued = queue.get(("user-roles", user.id)) if queue is not None else None
        base = queued.after if queued is not None else user.roles
        after = tuple(plan_roles(base, set_to=set_to, add=add, remove=remove))
        if queued is not None:
            out.append(replace(queued, after=after, status="pending", reason="", theirs=None))
        else:
            out.append(Change("user-roles", user.id, user.user_name or user.id, tuple(user.roles), after,
                              version=user.version))
    return out


def plan_members(
    queue: ChangeQueue | None,
    group_id: str,
    group_name: str,
    members: Sequence[str],
    *,
    add: Sequence[str] = (),
    remove: Sequence[str] = (),
    version: str | None = None,
) -> Change:
    """A group's member change on top of what is queued for it."""
    queued = queue.get(("group-members", group_id)) if queue is not None else None
    base = queued.after if queued is not None else tuple(members)
    dropped = set(remove)
    after = [m for m in base if m not in dropped]
    present = set(after)  # built once (it was rebuilt per added member: seconds for a bulk add to a big group)
    after += [m for m in dict.fromkeys(add) if m not in present and m not in dropped]
    if queued is not None:
        return replace(queued, after=tuple(after), status="pending", reason="", theirs=None)
    return Change("group-members", group_id, group_name, tuple(members), tuple(after), version=version)


def plan_group_roles(
    queue: ChangeQueue | None,
    group_id: str,
    group_name: str,
    team_id: str,
    roles: Sequence[str],
    *,
    add: Sequence[str] = (),
    remove: Sequence[str] = (),
    version: str | None = None,
) -> Change:
    """The roles a group gives, changed on top of what is queued for it (written to the group's Bird team)."""
    queued = queue.get(("group-roles", group_id)) if queue is not None else None
    base = queued.after if queued is not None else tuple(roles)
    after = tuple(plan_roles(base, add=add, remove=remove))
    if queued is not None:
        return replace(queued, after=after, status="pending", reason="", theirs=None)
    return Change("group-roles", group_id, group_name, tuple(roles), after, version=version, team_id=team_id)


def to_planned(changes: Iterable[Change]) -> PlannedChanges:
    """The open changes as the guards (``domain/guards.py``) read them; adding members can cost no one access."""
    user_roles: list[UserRolesChange] = []
    removals: list[MemberRemoval] = []
    additions: list[MemberAddition] = []
    group_roles: list[GroupRolesChange] = []
    for change in changes:
        if change.status not in OPEN:
            continue
        if change.kind == "user-roles":
            user_roles.append(UserRolesChange(change.target_id, change.after))
        elif change.kind == "group-members":
            if change.removed:
                removals.append(MemberRemoval(change.target_id, change.removed))
            if change.added:
                additions.append(MemberAddition(change.target_id, change.added))
        else:
            group_roles.append(GroupRolesChange(change.target_id, change.after))
    return PlannedChanges(tuple(user_roles), tuple(removals), tuple(group_roles), tuple(additions))
