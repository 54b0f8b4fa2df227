"""A table whose first column (the user or group name) stays put while the rest scrolls sideways, as in Qt's
"Frozen Column" example: a second QTableView over the first column, sharing the model and the selection, its
vertical scrolling tied to the main view's. The horizontal header stays put while scrolling down by itself."""

from __future__ import annotations

from PySide6.QtCore import QAbstractItemModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QWidget


class FrozenColumnTable(QTableView):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.frozen = QTableView(self)
        self.frozen.setObjectName("matrixFrozenColumn")
        self.frozen.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.frozen.setTabKeyNavigation(False)  # never a Tab trap, like every table in the window
        self.frozen.verticalHeader().hide()
        self.frozen.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.frozen.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.frozen.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.frozen.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.frozen.setStyleSheet("QTableView#matrixFrozenColumn { border: none; "
                                  "border-right: 1px solid palette(mid); }")
        self.viewport().stackUnder(self.frozen)
        self.horizontalHeader().sectionResized.connect(self._section_resized)
        self.verticalHeader().sectionResized.connect(self._row_resized)
        self.frozen.verticalScrollBar().valueChanged.connect(self.verticalScrollBar().setValue)
        self.verticalScrollBar().valueChanged.connect(self.frozen.verticalScrollBar().setValue)

    def setModel(self, model: QAbstractItemModel | None) -> None:  # noqa: N802 - Qt override
        super().setModel(model)
        self.frozen.setModel(model)
        self.frozen.setSelectionModel(self.selectionModel())
        self.frozen.setSelectionBehavior(self.selectionBehavior())
        self.frozen.setContextMenuPolicy(Qt.ContextMenuPolicy.NoContextMenu)
        if model is not None:
            model.modelReset.connect(self._columns_changed)
            model.columnsInserted.connect(self._columns_changed)
        self._columns_changed()

    def _columns_changed(self) -> None:
        model = self.model()
        for col in range(1, model.columnCount()):
            self.frozen.setColumnHidden(col, True)
        self.frozen.setColumnWidth(0, self.columnWidth(0))
        self.frozen.verticalHeader().setDefaultSectionSize(self.verticalHeader().defaultSectionSize())
        self.frozen.horizontalHeader().setFixedHeight(self.horizontalHeader().height())
        self._place()

    def _section_resized(self, logical: int, _old: int, new: int) -> None:
        if logical == 0:
            self.frozen.setColumnWidth(0, new)
            self._place()

    def _row_resized(self, logical: int, _old: int, new: int) -> None:
        self.frozen.setRowHeight(logical, new)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        self._place()

    def updateGeometries(self) -> None:  # noqa: N802 - Qt override
        super().updateGeometries()
        self._place()

    def _place(self) -> None:
        self.frozen.horizontalHeader().setFixedHeight(self.horizontalHeader().height())
        left = self.verticalHeader().width() + self.frameWidth()
        self.frozen.setGeometry(left, self.frameWidth(), self.columnWidth(0),
                                self.viewport().height() + self.horizontalHeader().height())

    def moveCursor(self, action: QAbstractItemView.CursorAction,  # noqa: N802 - Qt override
                   modifiers: Qt.KeyboardModifier) -> QModelIndex:
        """Keep the current cell out from under the frozen column when moving left with the keyboard."""
        current = super().moveCursor(action, modifiers)
        if (action == QAbstractItemView.CursorAction.MoveLeft and current.column() > 0
                and self.visualRect(current).topLeft().x() < self.frozen.columnWidth(0)):
            bar = self.horizontalScrollBar()
            bar.setValue(bar.value() + self.visualRect(current).topLeft().x() - self.frozen.columnWidth(0))
        return current

    def scrollTo(self, index: QModelIndex | QPersistentModelIndex,  # noqa: N802 - Qt override
                 hint: QAbstractItemView.ScrollHint = QAbstractItemView.ScrollHint.EnsureVisible) -> None:
        if index.column() > 0:
            super().scrollTo(index, hint)
        else:  # the name column is always visible: only scroll vertically
            bar = self.horizontalScrollBar()
            keep = bar.value()
            super().scrollTo(index, hint)
            bar.setValue(keep)
