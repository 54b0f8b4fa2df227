"""Table views configured the same way everywhere, and the delegate that shows a warning flag."""

from __future__ import annotations

import math
from collections.abc import Mapping

from PySide6.QtCore import (
    QAbstractItemModel,
    QEvent,
    QModelIndex,
    QObject,
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
    QTabWidget,
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


class ColumnFitter(QObject):
    """Keeps a table's columns inside its width: the preferred widths when they fit, otherwise each shrunk in
    proportion (never below what its header needs), so that on a small screen no column is pushed out of view.

    Once the widths were set any other way (a column dragged, a layout restored from the last session) the
    person's widths win and fitting stops; the last section stretches to fill, as everywhere.
    """

    def __init__(self, view: QTableView, widths: Mapping[int, int]) -> None:
        super().__init__(view)
        self._view = view
        self._preferred = dict(widths)
        self.active = True
        for column, width in self._preferred.items():
            view.horizontalHeader().resizeSection(column, width)
        self._applied = self._current()
        view.viewport().installEventFilter(self)

    def eventFilter(self, _watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if event.type() in (QEvent.Type.Resize, QEvent.Type.Show) and self.active:
            self.fit()
        return False

    def _current(self) -> list[int]:
        header = self._view.horizontalHeader()
        last = header.logicalIndex(header.count() - 1)
        return [header.sectionSize(c) for c in sorted(self._preferred) if c != last]

    def _minimum(self, column: int) -> int:
        header = self._view.horizontalHeader()
        text = str(self._view.model().headerData(column, Qt.Orientation.Horizontal) or "")
        return max(header.minimumSectionSize(), header.fontMetrics().horizontalAdvance(text) + 16)

    def fit(self) -> None:
        if not self._view.isVisible():
            return  # a hidden page's viewport is a few pixels wide (a grab() lays it out): fit it once shown
        if self._current() != self._applied:
            self.active = False  # someone else set the widths: keep them
            return
        header = self._view.horizontalHeader()
        columns = [c for c in sorted(self._preferred) if not header.isSectionHidden(c)]
        available = self._view.viewport().width()
        total = sum(self._preferred[c] for c in columns)
        if not columns or available <= 0:
            return
        scale = min(1.0, available / total)
        minimum = {c: self._minimum(c) for c in columns}
        widths = {c: max(minimum[c], int(self._preferred[c] * scale)) for c in columns}
        excess = sum(widths.values()) - available
        slack = sum(widths[c] - minimum[c] for c in columns)
        if excess > 0 and slack > 0:  # the minimums pushed it over: take the rest from the wide columns
            for c in columns:
                widths[c] -= min(widths[c] - minimum[c], math.ceil(excess * (widths[c] - minimum[c]) / slack))
        for c in columns:  # the last one too: a stretched section never shrinks below the size it was given
            header.resizeSection(c, widths[c])
        self._applied = self._current()


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


def fit_tabs(tabs: QTabWidget) -> None:
    """Tabs that shrink (elided, the whole name in a tooltip) rather than hide behind scroll arrows."""
    tabs.setUsesScrollButtons(False)
    tabs.setElideMode(Qt.TextElideMode.ElideRight)
    bar = tabs.tabBar()
    for index in range(bar.count()):
        bar.setTabToolTip(index, bar.tabText(index).replace("&", ""))


def select_row_by_id(table: QTableView, proxy: QSortFilterProxyModel, row: int) -> bool:
    """Make source ``row`` (found by SCIM id, never kept as a number) current and selected in a sorted table."""
    if row < 0:
        return False
    index = proxy.mapFromSource(proxy.sourceModel().index(row, 0))
    table.setCurrentIndex(index)
    table.selectRow(index.row())
    return True
