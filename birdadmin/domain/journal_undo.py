"""Undoing a journal entry in the window: which planned change it was, and its inverse on the target's state now.

A journal entry (``store/journal.py``; the shapes are written by ``cli/journal.py``) records one target's
``before`` and ``after``. Undoing it plans, through the window's queue, the change that takes back what the entry
added and puts back what it removed, on top of what the server holds *now* (``Change.inverse``): another admin's
edit since the entry is kept, never overwritten, and the person is told plainly that the target changed since.
Pure: the target is read by the caller (on a worker); nothing here does I/O.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from birdadmin import errors
from birdadmin.domain.changes import KINDS, Change, Kind, same_values

# Entries whose before and after are what the server held (the write was checked): only these can be undone.
# "sent-unchecked" (U8: the server showed no roles) has no known before or after.
UNDOABLE_STATUSES = frozenset({"changed", "changed-meanwhile", "done"})
# The target kind of an access key created, revoked or rotated (journal_entries.py): never undone from the journal.
KEY_KIND = "access key"


def key_undo_refusal(entry_id: int, content: Mapping[str, Any]) -> str | None:
    """Why an access-key entry cannot be undone (one sentence), or None for any other entry."""
    target = content.get("target")
    if not isinstance(target, Mapping) or target.get("kind") != KEY_KIND:
        return None
    key_id = target.get("id") if isinstance(target.get("id"), str) else "ID"
    if content.get("action") == "keys create":
        return (f"Entry {entry_id} cannot be undone: it created an access key, which can be revoked instead with "
                f"'birdadmin-cli keys revoke {key_id}' or Revoke… on the Access keys page.")
    return (f"Entry {entry_id} cannot be undone: a revoked access key cannot come back; create a new key with "
            "'birdadmin-cli keys create' or Create key… on the Access keys page.")


@dataclass(frozen=True, slots=True)
class UndoTarget:
    """What an entry changed: the planned change's kind, the target, and the entry's before and after."""

    entry_id: int
    kind: Kind
    target_id: str
    target_name: str
    before: tuple[str, ...]
    after: tuple[str, ...]

    def entry_change(self) -> Change:
        """The entry as an applied change (its ``before`` -> ``after``), ready for :meth:`Change.inverse`."""
        team = self.target_id if self.kind == "group-roles" else None  # docs/bird.md, A2: the group's id is its team's
        return Change(self.kind, self.target_id, self.target_name, self.before, self.after, team_id=team,
                      status="done")


def change_kind(content: Mapping[str, Any]) -> Kind | None:
    """The planned-change kind an entry records: from its ``kind`` when the window wrote one, else from its target
    kind and action (``users roles ...``, ``groups members ...``, ``groups roles ...``)."""
    kind = content.get("kind")
    if isinstance(kind, str) and kind in KINDS:
        return kind
    target = content.get("target")
    target_kind = target.get("kind") if isinstance(target, Mapping) else None
    action = str(content.get("action") or "")
    if target_kind == "user":
        return "user-roles"
    if target_kind == "group":
        if action.startswith("groups members") or " members" in action:
            return "group-members"
        if action.startswith("groups roles") or " roles" in action:
            return "group-roles"
    return None


def _strings(value: Any) -> tuple[str, ...] | None:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        return None
    return tuple(value)


def undo_target(entry_id: int, content: Mapping[str, Any]) -> UndoTarget:
    """The target an entry changed, or an InputError saying in one sentence why this entry cannot be undone."""
    refusal = key_undo_refusal(entry_id, content)
    if refusal is not None:
        raise errors.InputError(refusal)
    status = str(content.get("status") or "")
    kind = change_kind(content)
    target = content.get("target")
    target_id = target.get("id") if isinstance(target, Mapping) else None
    before, after = _strings(content.get("before")), _strings(content.get("after"))
    if kind is None or not isinstance(target_id, str) or not target_id:
        raise errors.InputError(f"Entry {entry_id} cannot be undone: it does not say which user or group it changed.")
    if status not in UNDOABLE_STATUSES or before is None or after is None:
        raise errors.InputError(
            f"Entry {entry_id} cannot be undone: only a change whose result is known can be; this one is "
            f"{status or 'without a status'}."
        )
    name = target.get("name") if isinstance(target, Mapping) else None
    return UndoTarget(entry_id, kind, target_id, name if isinstance(name, str) and name else target_id, before, after)


@dataclass(frozen=True, slots=True)
class UndoPlan:
    """The inverse to queue (None: the target already holds what it held before the entry), and whether the
    target changed since the entry (its state now is not the entry's ``after``)."""

    change: Change | None
    changed_since: bool
    now: tuple[str, ...]
    already_planned: bool = False  # no change because the queued change for the target already undoes the entry


def plan_undo(target: UndoTarget, current: Sequence[str], version: str | None,
              queued: Change | None = None) -> UndoPlan:
    """The inverse of the entry planned on ``current`` (the server's state now, at ``version``).

    When a change for the same target is already queued, the inverse is planned on top of it (its ``before`` and
    version kept), so undoing never throws away an edit that is waiting to be applied.
    """
    changed_since = not same_values(target.kind, current, target.after)
    inverse = target.entry_change().inverse(current, version)
    if queued is not None:
        on_queued = inverse.replanned(queued.after, queued.version).after
        if same_values(target.kind, on_queued, queued.after):
            return UndoPlan(None, changed_since, tuple(current), already_planned=True)
        return UndoPlan(replace(queued, after=on_queued, status="pending", reason="", theirs=None), changed_since,
                        tuple(current))
    return UndoPlan(None if inverse.is_noop else inverse, changed_since, tuple(current))
