"""Table views configured the same way everywhere, and the delegate that shows a warning flag."""

from __future__ import annotations

from PySide6.QtCore import (
    QAbstractItemModel,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
    Slot,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QWidget,
)

from birdadmin.qtmodels.roles import FlagRole, SortRole
from birdadmin.ui.icons import icon, warning_color


class FlagDelegate(QStyledItemDelegate):
    """Draws a warning icon in front of cells whose FlagRole is non-empty."""

    def initStyleOption(self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> None:
        super().initStyleOption(option, index)
        if index.data(FlagRole):
            option.features |= QStyleOptionViewItem.ViewItemFeature.HasDecoration
            option.icon = icon("warning", option.palette, warning_color(option.palette))


class TableView(QTableView):
    """The project's table view; see AppendingTableView for the one that streams rows."""


class AppendingTableView(TableView):
    """For a model that only ever inserts rows at the end (the users table while pages load).

    QTableView relays out and repaints the whole viewport whenever the row count changes, even when the new
    rows are far below what is shown. While pages arrive that is a full repaint several times a second, and
    every cell painted is a call into Python that must win the interpreter lock from the loading threads,
    which stalled the event loop for around 100 ms each time. Rows added below the visible ones only change
    the scroll bar, so that is all this view updates for them.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        header = self.verticalHeader()
        header.sectionCountChanged.disconnect()  # QTableView's own relayout-everything connection
        header.sectionCountChanged.connect(self._row_count_changed)

    @Slot(int, int)
    def _row_count_changed(self, old: int, new: int) -> None:
        if 0 < old < new:
            bottom = self.rowAt(self.viewport().height() - 1)
            if 0 <= bottom < old:  # the viewport is full and the new rows start below it
                self.updateGeometries()
                return
        self.rowCountChanged(old, new)


def sorting_proxy(model: QAbstractItemModel, parent: QWidget) -> QSortFilterProxyModel:
    """For the small tables only (groups, roles, detail lists); the users table sorts itself."""
    proxy = QSortFilterProxyModel(parent)
    proxy.setSourceModel(model)
    proxy.setSortRole(SortRole)
    proxy.setSortCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
    return proxy


def make_table(
    parent: QWidget,
    object_name: str,
    accessible_name: str,
    model: QAbstractItemModel,
    *,
    multi: bool = False,
    sortable: bool = True,
    flags: bool = False,
    appending: bool = False,
) -> QTableView:
    view = AppendingTableView(parent) if appending else TableView(parent)
    view.setObjectName(object_name)
    view.setAccessibleName(accessible_name)
    view.setModel(model)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(
        QAbstractItemView.SelectionMode.ExtendedSelection if multi else QAbstractItemView.SelectionMode.SingleSelection
    )
    view.setAlternatingRowColors(True)
    view.setShowGrid(False)
    view.setWordWrap(False)
    view.setTextElideMode(Qt.TextElideMode.ElideRight)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    # Arrow keys move inside a table; Tab moves on to the next widget (otherwise it walks every cell).
    view.setTabKeyNavigation(False)
    view.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
    vertical = view.verticalHeader()
    vertical.setVisible(False)
    vertical.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
    vertical.setDefaultSectionSize(max(22, view.fontMetrics().height() + 8))
    horizontal = view.horizontalHeader()
    horizontal.setHighlightSections(False)
    horizontal.setStretchLastSection(True)
    horizontal.setSectionsMovable(True)
    horizontal.setSortIndicatorShown(sortable)
    horizontal.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
    if sortable:
        view.setSortingEnabled(True)
    if flags:
        view.setItemDelegate(FlagDelegate(view))
    return view


def select_row_by_id(table: QTableView, proxy: QSortFilterProxyModel, row: int) -> bool:
    """Make source ``row`` (found by SCIM id, never kept as a number) current and selected in a sorted table."""
    if row < 0:
        return False
    index = proxy.mapFromSource(proxy.sourceModel().index(row, 0))
    table.setCurrentIndex(index)
    table.selectRow(index.row())
    return True
