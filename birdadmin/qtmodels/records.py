"""Small read-only tables for detail panes (a user's grants, a group's members, a role's holders).

Rows are plain tuples of cell texts plus an optional id and a warning flag, so a pane can show anything tabular
without its own model class; the view decides how a flag looks.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
)

from birdadmin.qtmodels.roles import FlagRole, IdRole, ObjectRole, SortRole

Index = QModelIndex | QPersistentModelIndex
_ROOT = QModelIndex()


@dataclass(frozen=True, slots=True)
class Record:
    cells: tuple[str, ...]
    id: str = ""
    flag: str = ""  # a warning for the first column ("not in the catalogue"); empty for none
    obj: Any = None


class RecordsModel(QAbstractTableModel):
    def __init__(self, headers: Sequence[str], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._headers = tuple(headers)
        self._rows: list[Record] = []

    def rowCount(self, parent: Index = _ROOT) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = _ROOT) -> int:
        return 0 if parent.isValid() else len(self._headers)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self._headers[section] if 0 <= section < len(self._headers) else None
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self._rows):
            return None
        record = self._rows[index.row()]
        column = index.column()
        if role in (Qt.ItemDataRole.DisplayRole, SortRole):
            text = record.cells[column] if column < len(record.cells) else ""
            return text if role == Qt.ItemDataRole.DisplayRole else text.casefold()
        if role == Qt.ItemDataRole.ToolTipRole and column == 0 and record.flag:
            return record.flag
        if role == FlagRole:
            return record.flag if column == 0 else ""
        if role == IdRole:
            return record.id
        if role == ObjectRole:
            return record.obj
        return None

    def set_records(self, rows: Sequence[Record]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def records(self) -> list[Record]:
        return list(self._rows)

    def texts(self, column: int) -> list[str]:
        return [r.cells[column] if column < len(r.cells) else "" for r in self._rows]
