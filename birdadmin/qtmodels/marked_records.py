"""Records (``qtmodels/records.py``) with planned marks: a planned addition or removal per row id, shown with the
mark's icon and font (``qtmodels/plan_marks.py``) so that no colour is needed to tell them apart."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from PySide6.QtCore import QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QFont, QGuiApplication

from birdadmin.qtmodels.plan_marks import Mark, mark_description, mark_icon, marked_font
from birdadmin.qtmodels.records import Record, RecordsModel
from birdadmin.qtmodels.roles import IdRole


class MarkedRecordsModel(RecordsModel):
    def __init__(self, headers: Sequence[str], parent: QObject | None = None) -> None:
        super().__init__(headers, parent)
        self._marks: dict[str, Mark] = {}

    def set_marked(self, rows: Sequence[Record], marks: Mapping[str, Mark]) -> None:
        self._marks = {k: v for k, v in marks.items() if v}
        self.set_records(rows)

    def set_records(self, rows: Sequence[Record]) -> None:
        ids = {r.id for r in rows}
        self._marks = {k: v for k, v in self._marks.items() if k in ids}
        super().set_records(rows)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if index.isValid() and role in (Qt.ItemDataRole.FontRole, Qt.ItemDataRole.DecorationRole,
                                        Qt.ItemDataRole.AccessibleDescriptionRole):
            mark = self._marks.get(str(super().data(index, IdRole) or ""), "")
            if not mark:
                return None
            if role == Qt.ItemDataRole.FontRole:
                if index.column() == 0:
                    return None  # the mark's own words stay plain: "- planned" struck through reads poorly
                return marked_font(QGuiApplication.font() if QGuiApplication.instance() else QFont(), mark)
            if role == Qt.ItemDataRole.DecorationRole:
                return mark_icon(mark) if index.column() == 0 else None  # the mark's column
            return mark_description(mark)
        return super().data(index, role)
