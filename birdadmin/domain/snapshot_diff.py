"""What changed between two states of one organization (two snapshots, or a snapshot and live data). Pure Python.

A user's effective grants are the set of (role, source), where the source is "direct" (the user's own ``roles``)
or a group the user is a member of that gives the role (docs/bird.md, H2: two sources). The diff compares those
sets per user, so "gained Owner through group Admins" and "lost Owner direct" are told apart even when the user
holds Owner before and after. Sources are compared by group id (a renamed group is not a change of source) and
named by the group's name (the new name for a gain, the old one for a loss).

A group whose roles are unknown in either state (no Accounts API, ``role_ids is None``) is left out of both sides'
grants, so a missing Accounts API never shows as every member losing or gaining roles.

Users present in only one state are listed as added or removed, and their grants count as gained or lost too, as
do a new group's members (joined) and roles; so ``diff(b, a)`` is exactly ``diff(a, b)`` mirrored.

Access keys (``OrgState.keys``, issue 13) are compared the same way: a key added or removed, and a key gaining or
losing a role (always "direct"); a key whose roles the server did not say (``role_ids`` None) on either side gives
no role changes, as a group whose roles are unknown.
"""

from __future__ import annotations

import gc
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from birdadmin.domain.org_state import GroupState, KeyPrincipal, OrgState
from birdadmin.scim.resources import User

DIRECT = "direct"

Change = Literal["gained", "lost"]
Membership = Literal["joined", "left"]


@dataclass(frozen=True, slots=True)
class RoleDelta:
    subject_kind: Literal["user", "group", "key"]
    subject_id: str
    subject_name: str
    role_id: str
    change: Change
    via: str  # "direct" or the group's name


@dataclass(frozen=True)
class OrgDiff:
    users_added: tuple[tuple[str, str], ...]  # (id, name)
    users_removed: tuple[tuple[str, str], ...]
    groups_added: tuple[tuple[str, str], ...]
    groups_removed: tuple[tuple[str, str], ...]
    roles: tuple[RoleDelta, ...]  # who gained or lost which role, and through what
    members: tuple[tuple[str, str, str, Membership], ...]  # (group name, user id, user name, change)
    keys_added: tuple[tuple[str, str], ...] = ()  # access keys (id, name)
    keys_removed: tuple[tuple[str, str], ...] = ()

    @property
    def is_empty(self) -> bool:
        return not (self.users_added or self.users_removed or self.groups_added or self.groups_removed
                    or self.roles or self.members or self.keys_added or self.keys_removed)

    def count(self) -> int:
        return (len(self.users_added) + len(self.users_removed) + len(self.groups_added) + len(self.groups_removed)
                + len(self.roles) + len(self.members) + len(self.keys_added) + len(self.keys_removed))


def _user_name(user: User) -> str:
    return user.user_name or user.display_name or user.id


def _roles(role_ids: Iterable[str]) -> frozenset[str]:
    return frozenset(r.lower() for r in role_ids)


class _Side:
    """One state, indexed for the comparison."""

    def __init__(self, state: OrgState) -> None:
        self.users = {u.id: u for u in state.users}
        self.groups: dict[str, GroupState] = {g.id: g for g in state.groups}
        self.member_of: dict[str, set[str]] = {}
        self._group_roles: dict[str, frozenset[str]] = {}

    def index(self, user_ids: set[str]) -> None:
        """Which groups each of ``user_ids`` is in (only they are looked at: indexing everyone costs most)."""
        for group in self.groups.values():
            for member in group.member_ids:
                if member in user_ids:
                    self.member_of.setdefault(member, set()).add(group.id)

    def name(self, user_id: str) -> str:
        user = self.users.get(user_id)
        return _user_name(user) if user is not None else user_id

    def group_roles(self, group_id: str) -> frozenset[str]:
        found = self._group_roles.get(group_id)
        if found is None:
            group = self.groups.get(group_id)
            found = frozenset() if group is None or group.role_ids is None else _roles(group.role_ids)
            self._group_roles[group_id] = found
        return found


def _grants(side: _Side, user_id: str, counted: frozenset[str]) -> set[tuple[str, str]]:
    """(role, source) for one user: "direct", or the id of a counted group that gives the role."""
    user = side.users.get(user_id)
    found = {(r, DIRECT) for r in _roles(user.roles)} if user is not None else set()
    for group_id in side.member_of.get(user_id, ()):
        if group_id in counted:
            found.update((r, group_id) for r in side.group_roles(group_id))
    return found


def _counted_groups(old: _Side, new: _Side) -> frozenset[str]:
    """Groups whose roles are known wherever the group exists (see the module docstring)."""
    return frozenset(
        gid for gid in old.groups.keys() | new.groups.keys()
        if all(side.groups[gid].role_ids is not None for side in (old, new) if gid in side.groups)
    )


def _changed_groups(old: _Side, new: _Side, counted: frozenset[str]) -> set[str]:
    return {gid for gid in counted if old.group_roles(gid) != new.group_roles(gid)}


def _candidates(old: _Side, new: _Side, counted: frozenset[str], moved: set[str]) -> set[str]:
    """Users whose grants may differ: added or removed, direct roles changed, joined or left a group (``moved``),
    or members of a group whose roles changed; everyone else is skipped without building grant sets."""
    found = (old.users.keys() ^ new.users.keys()) | moved
    for user_id, before in old.users.items():
        after = new.users.get(user_id)
        if after is not None and before.roles != after.roles and _roles(before.roles) != _roles(after.roles):
            found.add(user_id)
    for gid in _changed_groups(old, new, counted):
        for side in (old, new):
            if gid in side.groups:
                found.update(side.groups[gid].member_ids)
    return found


def _user_deltas(old: _Side, new: _Side, counted: frozenset[str], moved: set[str]) -> list[RoleDelta]:
    candidates = _candidates(old, new, counted, moved)
    old.index(candidates)
    new.index(candidates)
    deltas: list[RoleDelta] = []
    for user_id in candidates:
        had, has = _grants(old, user_id, counted), _grants(new, user_id, counted)
        if had == has:
            continue
        name = new.name(user_id) if user_id in new.users else old.name(user_id)
        for role, source, change, side in (
            *((r, s, "gained", new) for r, s in has - had),
            *((r, s, "lost", old) for r, s in had - has),
        ):
            via = source if source == DIRECT else side.groups[source].name
            deltas.append(RoleDelta("user", user_id, name, role, change, via))  # type: ignore[arg-type]
    return deltas


def _group_deltas(old: _Side, new: _Side, counted: frozenset[str]) -> list[RoleDelta]:
    deltas: list[RoleDelta] = []
    for gid in counted:
        before, after = old.group_roles(gid), new.group_roles(gid)
        if before == after:
            continue
        name = new.groups[gid].name if gid in new.groups else old.groups[gid].name
        deltas += [RoleDelta("group", gid, name, r, "gained", DIRECT) for r in after - before]
        deltas += [RoleDelta("group", gid, name, r, "lost", DIRECT) for r in before - after]
    return deltas


def _members(old: _Side, new: _Side) -> list[tuple[str, str, str, Membership]]:
    found: list[tuple[str, str, str, Membership]] = []
    for gid in old.groups.keys() | new.groups.keys():
        before = set(old.groups[gid].member_ids) if gid in old.groups else set()
        after = set(new.groups[gid].member_ids) if gid in new.groups else set()
        if before == after:
            continue
        if after - before:
            name = new.groups[gid].name
            found += [(name, uid, new.name(uid) if uid in new.users else old.name(uid), "joined")
                      for uid in after - before]
        if before - after:
            name = old.groups[gid].name
            found += [(name, uid, old.name(uid) if uid in old.users else new.name(uid), "left")
                      for uid in before - after]
    found.sort(key=lambda m: (m[0].casefold(), m[2].casefold(), m[1], m[3]))
    return found


def _key_deltas(old: dict[str, KeyPrincipal], new: dict[str, KeyPrincipal]) -> list[RoleDelta]:
    """Keys gaining or losing a role (an added or removed key's roles count too); unknown roles give none."""
    deltas: list[RoleDelta] = []
    for kid in old.keys() | new.keys():
        before, after = old.get(kid), new.get(kid)
        if (before is not None and before.role_ids is None) or (after is not None and after.role_ids is None):
            continue
        had = _roles(before.role_ids or ()) if before is not None else frozenset()
        has = _roles(after.role_ids or ()) if after is not None else frozenset()
        named = after if after is not None else before
        name = named.name if named is not None else kid
        deltas += [RoleDelta("key", kid, name, r, "gained", DIRECT) for r in has - had]
        deltas += [RoleDelta("key", kid, name, r, "lost", DIRECT) for r in had - has]
    return deltas


def _pairs(ids: Iterable[str], names: dict[str, str]) -> tuple[tuple[str, str], ...]:
    return tuple(sorted(((i, names[i]) for i in ids), key=lambda p: (p[1].casefold(), p[0])))


def diff(old: OrgState, new: OrgState) -> OrgDiff:
    """What changed from ``old`` to ``new`` (see the module docstring for what counts).

    The cyclic garbage collector is paused meanwhile: the indexes hold no cycles, and its passes over 100,000
    users' worth of new sets cost a quarter of the time (tests/benchmarks/bench_snapshots.py)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        return _diff(old, new)
    finally:
        if was_enabled:
            gc.enable()


def _diff(old: OrgState, new: OrgState) -> OrgDiff:
    a, b = _Side(old), _Side(new)
    counted = _counted_groups(a, b)
    members = _members(a, b)
    old_keys, new_keys = {k.id: k for k in old.keys}, {k.id: k for k in new.keys}
    roles = (_user_deltas(a, b, counted, {m[1] for m in members}) + _group_deltas(a, b, counted)
             + _key_deltas(old_keys, new_keys))
    roles.sort(key=lambda d: (d.subject_kind != "user", d.subject_kind, d.subject_name.casefold(), d.subject_id,
                              d.role_id, d.change, d.via))
    user_names = {uid: a.name(uid) for uid in a.users.keys() - b.users.keys()}
    user_names.update((uid, b.name(uid)) for uid in b.users.keys() - a.users.keys())
    group_names = {g.id: g.name for g in old.groups} | {g.id: g.name for g in new.groups}
    return OrgDiff(
        users_added=_pairs(b.users.keys() - a.users.keys(), user_names),
        users_removed=_pairs(a.users.keys() - b.users.keys(), user_names),
        groups_added=_pairs(b.groups.keys() - a.groups.keys(), group_names),
        groups_removed=_pairs(a.groups.keys() - b.groups.keys(), group_names),
        roles=tuple(roles),
        members=tuple(members),
        keys_added=_pairs(new_keys.keys() - old_keys.keys(), {k: v.name for k, v in new_keys.items()}),
        keys_removed=_pairs(old_keys.keys() - new_keys.keys(), {k: v.name for k, v in old_keys.items()}),
    )


def rows(result: OrgDiff, role_name: dict[str, str] | None = None) -> list[dict[str, str]]:
    """One row per change (change, subject, role, via): what the CLI's table and the window's diff table show."""
    names = role_name or {}
    found: list[dict[str, str]] = []
    for kind, pairs in (("user added", result.users_added), ("user removed", result.users_removed),
                        ("group added", result.groups_added), ("group removed", result.groups_removed),
                        ("key added", result.keys_added), ("key removed", result.keys_removed)):
        found += [{"change": kind, "subject": name, "subjectId": sid, "role": "", "via": ""} for sid, name in pairs]
    for d in result.roles:
        found.append({"change": f"{d.subject_kind} {d.change}", "subject": d.subject_name, "subjectId": d.subject_id,
                      "role": names.get(d.role_id, d.role_id), "via": d.via})
    for group, uid, uname, change in result.members:
        found.append({"change": f"member {change}", "subject": uname, "subjectId": uid, "role": "", "via": group})
    return found
