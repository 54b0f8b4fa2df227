"""The appending users table: rows below a full viewport change the scroll bar only, never the picture."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt
from PySide6.QtWidgets import QWidget

from birdadmin.ui.tables import AppendingTableView, make_table

pytestmark = pytest.mark.usefixtures("no_qt_warnings")


class Rows(QAbstractTableModel):
    def __init__(self) -> None:
        super().__init__()
        self.count = 0

    def rowCount(self, parent: Any = QModelIndex()) -> int:
        return 0 if parent.isValid() else self.count

    def columnCount(self, parent: Any = QModelIndex()) -> int:
        return 0 if parent.isValid() else 2

    def data(self, index: Any, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        return f"row {index.row()}" if role == Qt.ItemDataRole.DisplayRole and index.isValid() else None

    def append(self, n: int) -> None:
        self.beginInsertRows(QModelIndex(), self.count, self.count + n - 1)
        self.count += n
        self.endInsertRows()

    def reset_to(self, n: int) -> None:
        self.beginResetModel()
        self.count = n
        self.endResetModel()


def test_appending_view_repaints_only_when_new_rows_can_be_seen(qtbot: Any) -> None:
    parent = QWidget()
    qtbot.addWidget(parent)
    model = Rows()
    view = make_table(parent, "t", "t", model, sortable=False, appending=True)
    assert isinstance(view, AppendingTableView)
    paints: list[int] = []
    view.viewport().installEventFilter(parent)
    original = parent.eventFilter

    def count(obj: Any, event: Any) -> bool:
        if obj is view.viewport() and event.type() == event.Type.Paint:
            paints.append(1)
        return original(obj, event)

    parent.eventFilter = count  # type: ignore[method-assign]
    view.resize(400, 300)
    parent.show()
    qtbot.waitExposed(parent)
    model.append(3)  # the viewport is not full: the rows must appear
    qtbot.waitUntil(lambda: view.rowAt(5) == 0)
    qtbot.wait(50)
    assert view.rowAt(view.viewport().height() - 1) == -1
    model.append(200)  # fills the viewport and beyond
    qtbot.wait(50)
    bottom = view.rowAt(view.viewport().height() - 1)
    assert 0 <= bottom < 203
    paints.clear()
    maximum = view.verticalScrollBar().maximum()
    for _ in range(5):
        model.append(500)
        qtbot.wait(20)
    assert paints == []  # nothing visible changed
    assert view.verticalScrollBar().maximum() > maximum  # but the scroll bar grew
    view.scrollToBottom()
    qtbot.waitUntil(lambda: view.rowAt(view.viewport().height() - 1) == model.count - 1)
    model.reset_to(10)  # other changes still relayout normally
    qtbot.waitUntil(lambda: view.rowAt(5) == 0)
    assert view.verticalScrollBar().maximum() == 0
