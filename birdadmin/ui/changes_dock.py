"""The changes dock: the queued changes, the exact requests of the selected one, and conflicts side by side.

It lists ``WindowContext.pending`` (``ui/change_queue.py``) through ``qtmodels/changes.py``. Selecting a change
shows what it will send (``requests_for``). A conflict (another admin changed the target after it was planned)
shows the server's values next to ours; "Re-plan on current state" re-reads the target on a worker and plans
the same additions and removals on it (``Change.replanned``), one undoable step. Nothing here writes to a server.

Compact, the dock is one line and its buttons ("Show list" opens the rest): in a short window it opens so, and
the page being edited keeps its room (ui/changes_controller.py decides).
"""

from __future__ import annotations

from PySide6.QtCore import QItemSelection, QItemSelectionModel, Qt, Signal, Slot
from PySide6.QtGui import QAction, QFontDatabase
from PySide6.QtWidgets import (
    QDockWidget,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from birdadmin.domain.changes import Change
from birdadmin.errors import Explanation
from birdadmin.qtmodels.changes import ChangeColumn, ChangeNames, ChangesModel, status_text
from birdadmin.services.apply_relay import current_state
from birdadmin.ui.change_requests import requests_text
from birdadmin.ui.context import WindowContext
from birdadmin.ui.tables import make_table

REPLAN_CHANNEL = "replan"


def change_names(context: WindowContext) -> ChangeNames:
    """Role names from the catalogue, member names from the loaded users."""
    org = context.organization

    def user_name(user_id: str) -> str | None:
        user = org.users.get(user_id) if org is not None else None
        return (user.user_name or None) if user is not None else None

    return ChangeNames(context.role_context(), user_name)


class ChangesDock(QDockWidget):
    list_toggled = Signal(bool)  # the person asked to show (True) or hide the list and its requests

    def __init__(self, context: WindowContext, apply_action: QAction, discard_action: QAction,
                 parent: QWidget | None = None) -> None:
        super().__init__(self.tr("Planned changes"), parent)
        self.setObjectName("changesPanel")
        self._context = context
        self.model = ChangesModel(self)
        self.compact = False  # the list and the requests hidden: one line and the buttons
        body = QWidget(self)
        layout = QVBoxLayout(body)
        layout.setContentsMargins(4, 2, 4, 4)
        self.note = QLabel(body)
        self.note.setObjectName("changesNote")
        self.note.setWordWrap(True)
        self.note.setTextFormat(Qt.TextFormat.PlainText)
        layout.addWidget(self.note)
        splitter = QSplitter(Qt.Orientation.Horizontal, body)  # a bottom dock is wide: the requests beside the list
        self.splitter = splitter
        self.table = self._table(splitter)
        splitter.addWidget(self.table)
        splitter.addWidget(self._detail(splitter))
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        layout.addWidget(splitter, 1)
        layout.addLayout(self._buttons(body, apply_action, discard_action))
        self.setWidget(body)
        pending = context.pending
        pending.changed.connect(self.reload)
        pending.writable_changed.connect(lambda _w: self.update_state())
        self.reload()

    # -- construction ------------------------------------------------------------------------------------------

    def _table(self, parent: QWidget) -> QTableView:
        table = make_table(parent, "changesTable", self.tr("Planned changes"), self.model, multi=True,
                           sortable=False)
        header = table.horizontalHeader()
        header.setSectionsMovable(False)
        header.resizeSection(ChangeColumn.TARGET, 170)
        header.resizeSection(ChangeColumn.KIND, 105)
        header.resizeSection(ChangeColumn.CHANGE, 200)
        table.selectionModel().selectionChanged.connect(lambda *_: self._selection_changed())
        return table

    def _detail(self, parent: QWidget) -> QWidget:
        detail = QWidget(parent)
        layout = QVBoxLayout(detail)
        layout.setContentsMargins(0, 0, 0, 0)
        self.requests = QPlainTextEdit(detail)
        self.requests.setObjectName("changeRequests")
        self.requests.setAccessibleName(self.tr("Requests this change will send"))
        self.requests.setReadOnly(True)
        self.requests.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.requests.setPlaceholderText(self.tr("Select a change to see the requests it will send."))
        layout.addWidget(self.requests, 1)
        self.conflict = QWidget(detail)
        self.conflict.setObjectName("conflictPane")
        column = QVBoxLayout(self.conflict)
        column.setContentsMargins(0, 0, 0, 0)
        grid = QHBoxLayout()
        self.theirs = self._side(grid, "theirsList", self.tr("Theirs (on the server now)"))
        self.yours = self._side(grid, "yoursList", self.tr("Yours (planned)"))
        column.addLayout(grid, 1)
        self.replan_button = QPushButton(self.tr("Re-plan on current state"), self.conflict)
        self.replan_button.setObjectName("replanButton")
        self.replan_button.setToolTip(self.tr("Read the server's current state and plan the same additions and "
                                              "removals on it"))
        self.replan_button.clicked.connect(self.replan_selected)
        column.addWidget(self.replan_button, 0, Qt.AlignmentFlag.AlignRight)
        self.conflict.setVisible(False)
        layout.addWidget(self.conflict)
        return detail

    def _side(self, layout: QHBoxLayout, name: str, title: str) -> QListWidget:
        column = QVBoxLayout()
        label = QLabel(title, self.conflict)
        items = QListWidget(self.conflict)
        items.setObjectName(name)
        items.setAccessibleName(title)
        label.setBuddy(items)
        column.addWidget(label)
        column.addWidget(items)
        layout.addLayout(column, 1)
        return items

    def _buttons(self, parent: QWidget, apply_action: QAction, discard_action: QAction) -> QHBoxLayout:
        row = QHBoxLayout()
        self.remove_action = QAction(self.tr("&Remove selected"), self)
        self.remove_action.setObjectName("removeChangeAction")
        self.remove_action.setShortcut(Qt.Key.Key_Delete)
        self.remove_action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.remove_action.triggered.connect(self.remove_selected)
        self.addAction(self.remove_action)
        for name, action in (("applyChangesButton", apply_action), ("removeChangeButton", self.remove_action),
                             ("discardChangesButton", discard_action)):
            button = QToolButton(parent)
            button.setObjectName(name)
            button.setDefaultAction(action)
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
            button.setFocusPolicy(Qt.FocusPolicy.TabFocus)
            row.addWidget(button)
        row.addStretch(1)
        self.list_button = QToolButton(parent)
        self.list_button.setObjectName("changesListButton")
        self.list_button.setCheckable(True)
        self.list_button.setChecked(True)
        self.list_button.setText(self.tr("Hide list"))
        self.list_button.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        self.list_button.toggled.connect(self.list_toggled)
        row.addWidget(self.list_button)
        return row

    def set_compact(self, compact: bool) -> None:
        """Hide (or show) the list and the requests; the note then says how many changes are planned."""
        self.compact = compact
        self.splitter.setVisible(not compact)
        self.list_button.blockSignals(True)
        self.list_button.setChecked(not compact)
        self.list_button.blockSignals(False)
        self.list_button.setText(self.tr("Show list") if compact else self.tr("Hide list"))
        self.list_button.setToolTip(self.tr("Show the planned changes and the requests each will send")
                                    if compact else self.tr("Keep only this line, for the page's room"))
        self.update_state()

    # -- state -------------------------------------------------------------------------------------------------

    @Slot()
    def reload(self) -> None:
        """The queue changed (a plan, undo, redo, discard or apply results): list it again, keeping the selection."""
        keep = {c.key for c in self.selected_changes()}
        self.model.set_names(change_names(self._context))
        self.model.set_changes(list(self._context.pending.queue))
        rows = sorted(r for r in (self.model.row_of(key) for key in keep) if r >= 0)
        if rows:  # one selection of row ranges: a row at a time re-listed the selection per row (10,000: minutes)
            kept = QItemSelection()
            start = previous = rows[0]
            for row in [*rows[1:], None]:
                if row is None or row != previous + 1:
                    kept.select(self.model.index(start, 0), self.model.index(previous, 0))
                    start = row if row is not None else start
                previous = row if row is not None else previous
            flags = QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows
            self.table.selectionModel().select(kept, flags)
        self.update_state()
        self._selection_changed()

    def names_changed(self) -> None:
        """Role names or the loaded users changed: rename what is shown."""
        self.model.set_names(change_names(self._context))
        self._selection_changed()

    def show_update(self, change: Change) -> None:
        """An apply reported ``change``'s new status: show it in its row at once."""
        self.model.update_change(change)
        current = self._current()
        if current is not None and current.key == change.key:
            self._show_conflict(change)

    def update_state(self) -> None:
        pending = self._context.pending
        if not pending.writable:
            self.note.setText(self.tr("Read-only: {reason}").format(reason=pending.read_only_reason))
        elif not len(pending):
            self.note.setText(self.tr("No planned changes. Edits are planned here before anything is sent."))
        elif self.compact:
            self.note.setText(self.tr("{count} planned changes, not sent yet.").format(count=len(pending)))
        else:
            self.note.setText("")
        self.note.setVisible(bool(self.note.text()))
        self.remove_action.setEnabled(pending.writable and bool(self.selected_changes()))

    def selected_changes(self) -> list[Change]:
        """From the selection's ranges (rows are selected whole): ``selectedRows()`` walks every cell."""
        rows = sorted({r for part in self.table.selectionModel().selection() for r in range(part.top(),
                                                                                            part.bottom() + 1)})
        return [c for c in (self.model.change_at(r) for r in rows) if c is not None]

    def _current(self) -> Change | None:
        selected = self.selected_changes()
        return selected[0] if len(selected) == 1 else None

    def select_row(self, row: int) -> None:
        self.table.selectRow(row)

    def _selection_changed(self) -> None:
        change = self._current()
        self.remove_action.setEnabled(self._context.pending.writable and bool(self.selected_changes()))
        if change is None:
            count = len(self.selected_changes())
            self.requests.setPlainText(self.tr("{count} changes selected.").format(count=count) if count else "")
            self.conflict.setVisible(False)
            return
        names = self.model.names
        head = f"{change.target_name or change.target_id} ({names.kind(change)})\n{names.before_after(change)}"
        if change.status != "pending":
            head += f"\n{status_text(change)}"
        self.requests.setPlainText(f"{head}\n\n{requests_text(change, self._context.session)}")
        self._show_conflict(change)

    def _show_conflict(self, change: Change) -> None:
        shown = change.status == "conflict" and change.theirs is not None
        self.conflict.setVisible(shown)
        if not shown:
            return
        names = self.model.names
        self.theirs.clear()
        self.theirs.addItems(names.values(change, change.theirs or ()))
        self.yours.clear()
        self.yours.addItems(names.values(change, change.after))
        self.replan_button.setEnabled(self._context.pending.writable and self._context.session is not None)

    # -- actions -----------------------------------------------------------------------------------------------

    @Slot()
    def remove_selected(self) -> None:
        selected = self.selected_changes()
        if selected:
            text = self.tr("Remove {count} planned changes").format(count=len(selected)) if len(selected) > 1 \
                else self.tr("Remove the change to {name}").format(name=selected[0].target_name)
            self._context.pending.discard([c.key for c in selected], text)

    @Slot()
    def replan_selected(self) -> None:
        """Re-read the conflicting target on a worker and plan the same edit on what the server holds now."""
        change = self._current()
        session = self._context.session
        if change is None or change.status != "conflict" or session is None:
            return
        self.replan_button.setEnabled(False)

        def planned(state: tuple[tuple[str, ...], str | None]) -> None:
            if session is not self._context.session:
                return
            current, version = state
            text = self.tr("Re-plan the change to {name}").format(name=change.target_name or change.target_id)
            self._context.pending.plan([change.replanned(current, version)], text)

        def failed(explanation: Explanation) -> None:
            self.replan_button.setEnabled(True)
            self._context.show_error(explanation)

        self._context.runner.submit(lambda: current_state(session, change), channel=REPLAN_CHANNEL,
                                    on_result=planned, on_error=failed)
