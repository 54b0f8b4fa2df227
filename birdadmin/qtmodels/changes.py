"""The planned changes as a table (target, what changes, status), and the words that name what a change holds.

Role UUIDs are shown by their catalogue names and member ids by the users' userNames, so a person reviews names,
not identifiers; a role the catalogue does not know is flagged "unknown role" (it may be a typo or a role that
was deleted in Bird, docs/bird.md A5). Additions and removals are told apart by words and signs ("+ Analyst",
"- Viewer" with a minus sign), never by colour alone.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from enum import IntEnum
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QCoreApplication, QModelIndex, QObject, QPersistentModelIndex, Qt

from birdadmin.domain.catalogue import short_id
from birdadmin.domain.changes import Change, Key
from birdadmin.qtmodels.plain import plain_tooltip
from birdadmin.qtmodels.roles import IdRole, ObjectRole, RoleContext, SortRole

Index = QModelIndex | QPersistentModelIndex
_ROOT = QModelIndex()
MINUS = "\u2212"  # a minus sign, as wide as "+", for removals
UserName = Callable[[str], str | None]  # user id -> userName, None when the user is not loaded


def _tr(text: str) -> str:
    return QCoreApplication.translate("ChangesModel", text)


class ChangeColumn(IntEnum):
    TARGET = 0
    KIND = 1
    CHANGE = 2
    STATUS = 3


class ChangeNames:
    """Names for what a change holds: roles through the catalogue, members through the loaded users."""

    def __init__(self, context: RoleContext | None = None, user_name: UserName | None = None) -> None:
        self.context = context or RoleContext()
        self._user_name = user_name or (lambda _id: None)

    def role(self, role_id: str) -> str:
        if self.context.is_known(role_id):
            return self.context.role_name(role_id)
        return _tr("{id} (unknown role)").format(id=short_id(role_id.lower()))

    def member(self, user_id: str) -> str:
        return self._user_name(user_id) or user_id

    def value(self, change: Change, value: str) -> str:
        return self.member(value) if change.kind == "group-members" else self.role(value)

    def values(self, change: Change, values: Iterable[str]) -> list[str]:
        return [self.value(change, v) for v in values]

    @staticmethod
    def kind(change: Change) -> str:
        return {"user-roles": _tr("User roles"), "group-members": _tr("Group members"),
                "group-roles": _tr("Group roles")}[change.kind]

    def summary(self, change: Change) -> str:
        """What is added ("+ Analyst") and removed (a minus sign before the name); "no change" for a no-op."""
        parts = [f"+ {name}" for name in self.values(change, change.added)]
        parts += [f"{MINUS} {name}" for name in self.values(change, change.removed)]
        return ", ".join(parts) if parts else _tr("no change")

    def before_after(self, change: Change) -> str:
        """The whole lists, before -> after, for a tooltip or the detail pane."""
        before = ", ".join(self.values(change, change.before)) or _tr("(none)")
        after = ", ".join(self.values(change, change.after)) or _tr("(none)")
        return f"{before} → {after}"


def status_text(change: Change) -> str:
    """"Pending", "In flight", "Conflict: …", "Failed: …" (the reason in the status, not in a colour)."""
    label = {"pending": _tr("Pending"), "in-flight": _tr("In flight"), "done": _tr("Done"),
             "unchanged": _tr("Unchanged"), "conflict": _tr("Conflict"), "failed": _tr("Failed")}[change.status]
    if change.reason and change.status in ("conflict", "failed", "unchanged"):
        return f"{label}: {change.reason}"
    return label


class ChangesModel(QAbstractTableModel):
    """One row per queued change, in the queue's order; a status update replaces its row in place."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[Change] = []
        self._row_by_key: dict[Key, int] = {}
        self.names = ChangeNames()

    def rowCount(self, parent: Index = _ROOT) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = _ROOT) -> int:
        return 0 if parent.isValid() else len(ChangeColumn)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation != Qt.Orientation.Horizontal or role != Qt.ItemDataRole.DisplayRole:
            return None
        headers = (_tr("Target"), _tr("Kind"), _tr("Change"), _tr("Status"))
        return headers[section] if 0 <= section < len(headers) else None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        change = self._rows[index.row()]
        column = index.column()
        if role in (Qt.ItemDataRole.DisplayRole, SortRole):
            return self._display(change, column)
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == ChangeColumn.CHANGE:  # role names and reasons are the server's: text, never markup
                return plain_tooltip(self.names.before_after(change))
            if column == ChangeColumn.STATUS:
                return plain_tooltip(status_text(change))
            return None
        if role == ObjectRole:
            return change
        if role == IdRole:
            return change.id
        return None

    def _display(self, change: Change, column: int) -> str:
        if column == ChangeColumn.TARGET:
            return change.target_name or change.target_id
        if column == ChangeColumn.KIND:
            return self.names.kind(change)
        if column == ChangeColumn.CHANGE:
            return self.names.summary(change)
        return status_text(change)

    def set_names(self, names: ChangeNames) -> None:
        self.names = names
        if self._rows:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._rows) - 1, len(ChangeColumn) - 1))

    def set_changes(self, changes: Sequence[Change]) -> None:
        self.beginResetModel()
        self._rows = list(changes)
        self._row_by_key = {c.key: row for row, c in enumerate(self._rows)}  # a scan per look-up was O(n) each
        self.endResetModel()

    def update_change(self, change: Change) -> bool:
        """Show ``change`` (matched by target) in its row, e.g. "In flight"; False when it has no row."""
        row = self.row_of(change.key)
        if row < 0:
            return False
        self._rows[row] = change
        self.dataChanged.emit(self.index(row, 0), self.index(row, len(ChangeColumn) - 1))
        return True

    def change_at(self, row: int) -> Change | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def row_of(self, key: Key) -> int:
        return self._row_by_key.get(key, -1)

    def changes(self) -> list[Change]:
        return list(self._rows)
