"""Table views configured the same way everywhere, and the delegate that shows a warning flag."""

from __future__ import annotations

from PySide6.QtCore import QAbstractItemModel, QModelIndex, QPersistentModelIndex, QSortFilterProxyModel, Qt
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QStyledItemDelegate, QStyleOptionViewItem, QTableView, QWidget

from birdadmin.qtmodels.roles import FlagRole, SortRole
from birdadmin.ui.icons import icon, warning_color


class FlagDelegate(QStyledItemDelegate):
    """Draws a warning icon in front of cells whose FlagRole is non-empty."""

    def initStyleOption(self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> None:
        super().initStyleOption(option, index)
        if index.data(FlagRole):
            option.features |= QStyleOptionViewItem.ViewItemFeature.HasDecoration
            option.icon = icon("warning", option.palette, warning_color(option.palette))


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
) -> QTableView:
    view = QTableView(parent)
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
