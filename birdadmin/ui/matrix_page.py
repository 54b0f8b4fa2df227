"""The Matrix page: users x roles or groups x roles, every cell saying whether the role is held directly, through
a group, or both (docs/bird.md, H2), with counts per role, filters, a frozen name column, planning from a cell's
menu (a user's direct grant, or the role a group gives) and CSV/JSON export of exactly what is shown. Cells a
planned change would alter are marked (``qtmodels/matrix_plans.py``), following ``context.pending.changed``; the
exports keep to what the server holds.

The matrix is computed on a worker (``context.runner``) from an OrgState built from the window's organization,
again whenever the page is told the organization changed (:meth:`MatrixPage.organization_changed`), lazily: only
when the page is shown. Filters run on the GUI thread over byte planes (``qtmodels/matrix.py``), well under
100 ms at 100,000 rows (tests/benchmarks/bench_matrix.py).
"""

from __future__ import annotations

import gc
from typing import Any

from PySide6.QtCore import QModelIndex, QPoint, Qt, Signal, Slot
from PySide6.QtGui import QFontMetrics, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QCompleter,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from birdadmin.domain.org_state import OrgState
from birdadmin.errors import Explanation
from birdadmin.org_load import org_state
from birdadmin.qtmodels.matrix import Kind, MatrixData, MatrixFilter, MatrixModel, build_both, visible
from birdadmin.qtmodels.matrix_plans import PlannedCells, planned_cells
from birdadmin.ui.context import WindowContext
from birdadmin.ui.file_actions import rows_csv, save_text
from birdadmin.ui.matrix_delegate import MarkDelegate
from birdadmin.ui.matrix_export import csv_rows, json_document
from birdadmin.ui.matrix_frozen import FrozenColumnTable
from birdadmin.ui.matrix_menu import cell_menu
from birdadmin.ui.matrix_roles import RoleChooser
from birdadmin.ui.scope_marks import ScopeTexts, partial_mark, show_mark

CHANNEL = "matrix"  # task runner channel: a newer computation drops an older one's result
KINDS = (("users", "Users and their roles"), ("groups", "Groups and their roles"))
ACTIVE = (("all", "Active and inactive"), ("active", "Active only"), ("inactive", "Inactive only"))
SOURCES = (("any", "Any source"), ("direct", "Held directly"), ("inherited", "Through a group"))
PLANNED_LEGEND = "   + / \u2212 in a dashed box: planned, not sent"  # ui/matrix_delegate.py draws it
LEGEND = "● direct   ○ through a group   ●○ both" + PLANNED_LEGEND
GROUP_LEGEND = "● the group gives the role to its members" + PLANNED_LEGEND


def _combo(parent: QWidget, name: str, accessible: str, items: tuple[tuple[str, str], ...]) -> QComboBox:
    combo = QComboBox(parent)
    combo.setObjectName(name)
    combo.setAccessibleName(accessible)
    for value, text in items:
        combo.addItem(combo.tr(text), value)
    return combo


class MatrixPage(QWidget):
    """The role matrix; ``open_user``/``open_group`` ask the window to show a row's user or group."""

    open_user = Signal(str)
    open_group = Signal(str)
    computed = Signal()  # a new matrix is shown (tests and the benchmark wait for it)

    def __init__(self, context: WindowContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("matrixPage")
        self._context = context
        self._data: dict[str, MatrixData] = {}
        self._dirty = True
        self._roles: frozenset[str] | None = None
        self._plans: dict[Kind, PlannedCells] = {}  # per kind, for the current data and queue
        self.model = MatrixModel(self)
        self._build()
        self._show_filtered()
        context.pending.changed.connect(self._pending_changed)

    # -- layout ---------------------------------------------------------------------------------------------

    def _build(self) -> None:
        self.kind = _combo(self, "matrixKind", self.tr("Rows"), KINDS)
        self.roles_button = QPushButton(self.tr("Roles…"), self)
        self.roles_button.setObjectName("matrixRolesButton")
        self.roles_button.setToolTip(self.tr("Choose the role columns shown"))
        self.group = _combo(self, "matrixGroupFilter", self.tr("Members of group"), (("", "All groups"),))
        self.group.setEditable(True)  # type to search; the completer finds a group by any part of its name
        self.group.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        completer = self.group.completer()
        if completer is not None:
            completer.setFilterMode(Qt.MatchFlag.MatchContains)
            completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        self.active = _combo(self, "matrixActiveFilter", self.tr("Active state"), ACTIVE)
        self.source = _combo(self, "matrixSourceFilter", self.tr("Source"), SOURCES)
        self.source.setToolTip(self.tr("Rows holding a shown role by this source"))
        self.csv_button = QPushButton(self.tr("Export CSV…"), self)
        self.csv_button.setObjectName("matrixExportCsv")
        self.json_button = QPushButton(self.tr("Export JSON…"), self)
        self.json_button.setObjectName("matrixExportJson")
        filters = QHBoxLayout()
        for widget in (self.kind, self.roles_button, self.group, self.active, self.source):
            filters.addWidget(widget)
        filters.addStretch(1)
        filters.addWidget(self.csv_button)
        filters.addWidget(self.json_button)
        self.count = QLabel(self)
        self.count.setObjectName("matrixCount")
        self.legend = QLabel(self.tr(LEGEND), self)
        self.legend.setObjectName("matrixLegend")
        self.legend.setAccessibleName(self.tr("Legend: filled dot direct, hollow dot through a group, both; plus "
                                              "or minus in a dashed box: planned, not sent"))
        counts = QHBoxLayout()
        counts.addWidget(self.count)
        counts.addStretch(1)
        counts.addWidget(self.legend)
        self.mark = partial_mark(self)
        self.table = self._make_table()
        layout = QVBoxLayout(self)
        layout.addLayout(filters)
        layout.addLayout(counts)
        layout.addWidget(self.mark)
        layout.addWidget(self.table, 1)
        self.kind.currentIndexChanged.connect(self._show_filtered)
        self.group.currentIndexChanged.connect(self._show_filtered)
        self.active.currentIndexChanged.connect(self._show_filtered)
        self.source.currentIndexChanged.connect(self._show_filtered)
        self.roles_button.clicked.connect(self.choose_roles)
        self.csv_button.clicked.connect(lambda: self.export_csv())
        self.json_button.clicked.connect(lambda: self.export_json())

    def _make_table(self) -> FrozenColumnTable:
        table = FrozenColumnTable(self)
        table.setObjectName("matrixTable")
        table.setAccessibleName(self.tr("Role matrix"))
        table.setModel(self.model)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setTabKeyNavigation(False)
        table.setWordWrap(False)
        table.setItemDelegate(MarkDelegate(table))  # the name column is in the frozen view, painted as text
        for view in (table, table.frozen):
            rows = view.verticalHeader()
            rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)  # 100,000 rows: never measured one by one
            rows.setDefaultSectionSize(max(22, view.fontMetrics().height() + 6))
            rows.setVisible(False)
        header = table.horizontalHeader()
        header.setDefaultSectionSize(96)
        header.setMinimumHeight(2 * table.fontMetrics().height() + 10)  # role name and count on two lines
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        table.setColumnWidth(0, 220)
        table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        table.customContextMenuRequested.connect(self._context_menu)
        table.doubleClicked.connect(self._open_row)
        table.frozen.doubleClicked.connect(self._open_row)
        return table

    # -- computing ------------------------------------------------------------------------------------------

    def organization_changed(self) -> None:
        """The window's organization was (re)loaded: recompute now if shown, else when next shown. Closed (another
        connection is opened): the previous organization's rows go at once, shown or not."""
        self._dirty = True
        if self.isVisible() or self._context.organization is None:
            self.refresh()

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt override
        super().showEvent(event)
        if self._dirty:
            self.refresh()

    def refresh(self) -> None:
        """Build an OrgState from the window's organization and compute both matrices on a worker."""
        organization, org, session = self._context.organization, self._context.org, self._context.session
        self._dirty = False
        if organization is None or org is None or session is None:
            self._context.runner.invalidate(CHANNEL)  # a matrix still being computed is the previous one's
            self._set_data({})
            return
        users = organization.users.as_list()
        complete = organization.scope().complete
        label = session.label

        def work() -> tuple[MatrixData, MatrixData]:
            return build_both(org_state(users, org, label=label, complete=complete))

        self.count.setText(self.tr("Computing the matrix…"))
        self._context.runner.submit(work, channel=CHANNEL, on_result=self._computed, on_error=self._failed)

    def set_state(self, state: OrgState) -> None:
        """Show the matrix of ``state`` (a snapshot, or a benchmark's organization), computed on a worker."""
        self._dirty = False
        self.count.setText(self.tr("Computing the matrix…"))
        self._context.runner.submit(lambda: build_both(state), channel=CHANNEL, on_result=self._computed,
                                    on_error=self._failed)

    def _computed(self, both: tuple[MatrixData, MatrixData]) -> None:
        # The matrices (with the organization they came from) live long; a full cyclic collection walking them
        # would stall the event loop by 100-250 ms at 100,000 users (tests/benchmarks/bench_matrix.py). Frozen,
        # the collector skips them; reference counting still frees them when replaced.
        gc.freeze()
        self._set_data({"users": both[0], "groups": both[1]})
        self.computed.emit()

    def _failed(self, explanation: Explanation) -> None:
        self.count.setText(self.tr("The matrix could not be computed."))
        self._context.show_error(explanation)

    def _set_data(self, data: dict[str, MatrixData]) -> None:
        self._data = data
        self._plans = {}
        keep = self.group.currentData()
        self.group.blockSignals(True)
        self.group.clear()
        self.group.addItem(self.tr("All groups"), "")
        users = data.get("users")
        for group_id, name in users.groups if users is not None else ():
            self.group.addItem(name, group_id)
        found = self.group.findData(keep) if keep else 0
        self.group.setCurrentIndex(max(found, 0))
        self.group.blockSignals(False)
        self._show_filtered()

    # -- filters --------------------------------------------------------------------------------------------

    def current_kind(self) -> Kind:
        return "groups" if self.kind.currentData() == "groups" else "users"

    def current_filter(self) -> MatrixFilter:
        group = self.group.currentData() or None
        if group is not None and self.group.currentText() != self.group.itemText(self.group.currentIndex()):
            group = None  # typed text that names no group yet
        return MatrixFilter(self._roles, group, self.active.currentData(), self.source.currentData())

    def set_roles(self, roles: frozenset[str] | None) -> None:
        """Show only these role columns (None: all)."""
        self._roles = roles
        self._show_filtered()

    @Slot()
    def choose_roles(self) -> RoleChooser | None:
        data = self._data.get(self.current_kind())
        if data is None:
            return None
        roles = list(zip(data.matrix.role_ids, data.role_names, strict=True))
        chooser = RoleChooser(roles, self._roles, self)
        chooser.accepted.connect(lambda: self.set_roles(chooser.chosen()))
        chooser.finished.connect(chooser.deleteLater)
        chooser.open()
        return chooser

    @Slot()
    def _show_filtered(self) -> None:
        data = self._data.get(self.current_kind())
        users = self.current_kind() == "users"
        self.active.setEnabled(users)  # a group is neither active nor inactive,
        self.source.setEnabled(users)  # and gives its roles itself (DIRECT): both filters are for users
        self.legend.setText(self.tr(LEGEND) if users else self.tr(GROUP_LEGEND))
        if data is None:
            self.model.show(None, [], [])
            self._update_count(None, [])
            return
        flt = self.current_filter()
        if data.kind == "groups":
            flt = MatrixFilter(flt.roles, flt.group_id, "all", "any")
        rows, cols = visible(data, flt)
        self.model.show(data, rows, cols, self._planned(data))
        self._fit_columns(data, cols)
        self._update_count(data, rows)

    def _planned(self, data: MatrixData) -> PlannedCells:
        """The cells the queue's open changes would alter in ``data``, worked out once per queue change."""
        plans = self._plans.get(data.kind)
        if plans is None:
            plans = planned_cells(data.kind, data.matrix.role_ids, data.row_at, self._context.pending.queue)
            self._plans[data.kind] = plans
        return plans

    @Slot()
    def _pending_changed(self) -> None:
        """A plan, undo, redo, discard or apply result: mark the cells again (the view repaints what it shows)."""
        self._plans = {}
        data = self.model.matrix_data
        if data is not None:
            self.model.set_plans(self._planned(data))

    def _fit_columns(self, data: MatrixData, cols: list[int]) -> None:
        """Each role column as wide as its name (bold, as the current column's header shows it), within bounds;
        a longer name is cut and read whole in the header's tooltip."""
        font = self.table.horizontalHeader().font()
        font.setBold(True)
        metrics = QFontMetrics(font)
        self.table.setColumnWidth(0, 220)
        for section, col in enumerate(cols, start=1):
            width = metrics.horizontalAdvance(data.role_names[col]) + 22
            self.table.setColumnWidth(section, max(64, min(width, 200)))

    def _update_count(self, data: MatrixData | None, rows: list[int]) -> None:
        for button in (self.csv_button, self.json_button, self.roles_button):
            button.setEnabled(data is not None)
        if data is None:
            self.count.setText(self.tr("Connect to see the role matrix.") if self._context.session is None
                               else self.tr("No matrix yet."))
            show_mark(self.mark, "")
            return
        self.count.setText(self.tr("{rows}, {cols} of {all} roles").format(
            rows=self._rows_text(data, rows), cols=len(self.model.shown_columns()), all=len(data.matrix.role_ids)))
        organization = self._context.organization
        text = ScopeTexts().mark(organization.scope()) if organization is not None else ""
        if not text and not data.complete:
            text = self.tr("Not complete: the organization was not completely loaded; counts are lower bounds.")
        if not text and not data.group_roles_known:
            text = self.tr("Roles through groups are unknown (no Accounts API access): only direct roles show.")
        show_mark(self.mark, text)

    def _rows_text(self, data: MatrixData, rows: list[int]) -> str:
        """"250 of 250 users", and access keys counted apart from users ("and 6 of 6 access keys")."""
        total = data.row_count()
        if data.kind == "groups":
            return self.tr("{shown} of {total} groups").format(shown=len(rows), total=total)
        kinds = data.matrix.row_kinds
        keys = kinds.count("key")
        if not keys:
            return self.tr("{shown} of {total} users").format(shown=len(rows), total=total)
        shown_keys = [kinds[r] for r in rows].count("key")
        return self.tr("{shown} of {total} users and {keys_shown} of {keys} access keys").format(
            shown=len(rows) - shown_keys, total=total - keys, keys_shown=shown_keys, keys=keys)

    # -- cells ----------------------------------------------------------------------------------------------

    @Slot(QPoint)
    def _context_menu(self, at: QPoint) -> None:
        menu = self.menu_for(self.table.indexAt(at))
        if menu is not None:
            menu.aboutToHide.connect(menu.deleteLater)
            menu.popup(self.table.viewport().mapToGlobal(at))

    def menu_for(self, index: QModelIndex) -> Any:
        """The context menu of a role cell (None for the name column or outside the cells)."""
        cell = self.model.cell(index)
        data = self.model.matrix_data
        if cell is None or data is None:
            return None
        return cell_menu(self._context, data, cell[0], cell[1], self.table)

    @Slot(QModelIndex)
    def _open_row(self, index: QModelIndex) -> None:
        data = self.model.matrix_data
        if data is None or not index.isValid():
            return
        row = self.model.shown_rows()[index.row()]
        if data.matrix.row_kind(row) == "key":  # an access key has no user page (the window's Access keys view)
            return
        row_id = data.matrix.row_ids[row]
        (self.open_user if data.kind == "users" else self.open_group).emit(row_id)

    # -- export ---------------------------------------------------------------------------------------------

    def _file_name(self, suffix: str) -> str:
        data = self.model.matrix_data
        incomplete = data is not None and not data.complete
        return f"matrix-{self.current_kind()}{' (incomplete)' if incomplete else ''}.{suffix}"

    def _filters(self) -> dict[str, Any]:
        flt = self.current_filter()
        return {"roles": sorted(flt.roles) if flt.roles is not None else None, "group": flt.group_id,
                "active": flt.active, "source": flt.source}

    def export_csv(self, path: str | None = None) -> None:
        """Exactly the rows and columns shown, every cell made safe for spreadsheets (``safe_text.csv_row``)."""
        self._export(path, "csv", lambda: rows_csv(csv_rows(self.model)))

    def export_json(self, path: str | None = None) -> None:
        self._export(path, "json", lambda: json_document(self.model, self._filters()))

    def _export(self, path: str | None, suffix: str, text: Any) -> None:
        if self.model.matrix_data is None:
            return
        content = text()  # taken before the dialog opens: what is shown now
        save_text(self, self._context, content, path, name=self._file_name(suffix), title=self.tr("Export the matrix"),
                  filters=self.tr("{kind} files (*.{suffix})").format(kind=suffix.upper(), suffix=suffix))
