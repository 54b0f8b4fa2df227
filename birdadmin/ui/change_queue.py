"""The window's queue of planned changes, with Undo/Redo of planning built on ``QUndoStack``.

Every editing surface (the user's Roles tab, a group's members and roles, bulk actions, the journal's Undo) plans
with the Qt-free functions of ``domain/changes.py`` and hands the result to :meth:`PendingChanges.plan`, one undo
step per edit however many targets it touches. Nothing here talks to a server; applying is the change dock's job.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack

from birdadmin.domain.changes import Change, ChangeQueue, Key


class _Replace(QUndoCommand):
    """Put ``new`` changes in the queue (a no-op change removes its target's entry); undo restores what was there."""

    def __init__(self, owner: PendingChanges, new: Sequence[Change], text: str) -> None:
        super().__init__(text)
        self._owner = owner
        self._new = list(new)
        self._old: dict[Key, Change | None] = {c.key: owner.queue.get(c.key) for c in new}
        self._order = owner.queue.keys()  # a change this cancels comes back to its place on undo

    def redo(self) -> None:
        for change in self._new:
            self._owner.queue.put(change)
        self._owner.changed.emit()

    def undo(self) -> None:
        for key, old in self._old.items():
            if old is None:
                self._owner.queue.remove(key)
            else:
                self._owner.queue.put(old)
        self._owner.queue.reorder(self._order)
        self._owner.changed.emit()


class _Discard(QUndoCommand):
    def __init__(self, owner: PendingChanges, keys: Iterable[Key], text: str) -> None:
        super().__init__(text)
        self._owner = owner
        self._old = [c for c in (owner.queue.get(k) for k in keys) if c is not None]
        self._order = owner.queue.keys()

    def redo(self) -> None:
        for change in self._old:
            self._owner.queue.remove(change.key)
        self._owner.changed.emit()

    def undo(self) -> None:
        for change in self._old:
            self._owner.queue.put(change)
        self._owner.queue.reorder(self._order)
        self._owner.changed.emit()


class PendingChanges(QObject):
    """The queue plus its undo history; ``changed`` fires after every edit, undo, redo and apply result."""

    changed = Signal()
    writable_changed = Signal(bool)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.queue = ChangeQueue()
        self.undo_stack = QUndoStack(self)
        self.read_only_reason = ""  # not empty: nothing may be planned or applied, and this says why

    @property
    def writable(self) -> bool:
        return not self.read_only_reason

    def set_read_only(self, reason: str) -> None:
        """Forbid (reason given) or allow (empty) planning and applying; write surfaces follow ``writable_changed``."""
        was = self.writable
        self.read_only_reason = reason
        if was != self.writable:
            self.writable_changed.emit(self.writable)

    def __len__(self) -> int:
        return len(self.queue)

    def get(self, key: Key) -> Change | None:
        return self.queue.get(key)

    def plan(self, changes: Sequence[Change], text: str) -> None:
        """Queue ``changes`` as one undoable step named ``text`` (e.g. "Add role Analyst to 12 users"); a read-only
        connection plans nothing (the surfaces are disabled too, this is the backstop); a plan that changes nothing
        (adding a role everyone selected holds) is no undo step."""
        if changes and self.writable and self.queue.would_change(changes):
            self.undo_stack.push(_Replace(self, changes, text))

    def discard(self, keys: Iterable[Key] | None = None, text: str = "Discard changes") -> None:
        """Remove the given changes (all when None) as one undoable step."""
        keys = [c.key for c in self.queue] if keys is None else [k for k in keys if k in self.queue]
        if keys:
            self.undo_stack.push(_Discard(self, keys, text))

    def record_results(self, results: Iterable[Change]) -> None:
        """Outcomes of an apply: finished changes leave the queue, the rest stay with their status for a retry.

        The undo history of planning is cleared: undoing a plan that has reached the server would mislead (an
        applied change is undone from the journal, through the queue).
        """
        for change in results:
            if change.status in ("done", "unchanged"):
                self.queue.remove(change.key)
            else:
                self.queue.put(change)
        self.undo_stack.clear()
        self.changed.emit()

    def restore(self, changes: Iterable[Change]) -> None:
        """Load changes kept from an earlier run (not undoable: they were planned before this start)."""
        for change in changes:
            self.queue.put(change)
        self.changed.emit()

    def reset(self) -> None:
        """Forget everything, without undo (the connection changed: these changes belong to another organization)."""
        self.queue.clear()
        self.undo_stack.clear()
        self.changed.emit()
