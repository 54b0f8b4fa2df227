"""The Journal page: every change sent from this machine (``store/journal.py``), filtered, exported, verified and
undone through the planned changes.

Reading and verifying the journal, and re-reading an entry's target before its undo is planned, run on workers
(``context.runner``); the page is usable while they run. An undo is never sent from here: it is planned into
``context.pending`` as one undoable step, reviewed and applied like any other edit, on top of what the server
holds now (``domain/journal_undo.py``). When the target changed since the entry, the page says so.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from PySide6.QtCore import QModelIndex, Qt, Slot
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from birdadmin import errors
from birdadmin.domain.journal_undo import UndoPlan, UndoTarget, plan_undo, undo_target
from birdadmin.errors import Explanation
from birdadmin.qtmodels.journal import JournalColumn, JournalFilter, JournalModel, JournalRow
from birdadmin.qtmodels.roles import ObjectRole
from birdadmin.store.journal import Verification
from birdadmin.ui.context import WindowContext
from birdadmin.ui.file_actions import rows_csv, save_text
from birdadmin.ui.journal_detail import (
    CSV_HEADER,
    csv_cells,
    current_state,
    detail_text,
    elsewhere_reason,
    read_journal,
    undo_note,
    verify_journal,
)
from birdadmin.ui.labels import plain_labels
from birdadmin.ui.tables import ColumnFitter, make_table, sorting_proxy

READ, VERIFY, UNDO = "journal-read", "journal-verify", "journal-undo"  # task runner channels
PERIODS = ((0, "Any time"), (1, "Today"), (7, "Last 7 days"), (30, "Last 30 days"), (90, "Last 90 days"),
           (365, "Last 365 days"))
KIND_FILTERS = (("", "All changes"), ("user-roles", "Users' roles"), ("group-members", "Group members"),
                ("group-roles", "Group roles"), ("access-key", "Access keys"))


class JournalPage(QWidget):
    """The journal table with its filters, the selected entry's detail, CSV export, Verify chain and Undo."""

    def __init__(
        self, context: WindowContext, parent: QWidget | None = None, *, journal_path: Path | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("journalPage")
        self._context = context
        self._path = journal_path  # None: the data directory's journal, looked up on the worker
        self._loaded_once = False
        self._note_kept = False  # the undo note reports a planned undo: keep it until the selection changes
        self.model = JournalModel(self)
        self.proxy = sorting_proxy(self.model, self)
        self._build()
        plain_labels(self)
        context.pending.writable_changed.connect(self._update_undo)
        context.runner.channel_busy_changed.connect(self._channel_busy)
        self._update_undo()

    # building ------------------------------------------------------------------------------------------------

    def _build(self) -> None:
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(self._build_filters())
        status_row = QHBoxLayout()
        status_row.setSpacing(24)
        self.count_label, self.verify_label = self._label("journalCount"), self._label("journalVerifyResult")
        status_row.addWidget(self.count_label)
        status_row.addWidget(self.verify_label, 1)
        layout.addLayout(status_row)
        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.setObjectName("journalSplitter")
        self.table = make_table(self.splitter, "journalTable", self.tr("Journal entries"), self.proxy, flags=True)
        self._fitter = ColumnFitter(self.table, {JournalColumn.TIME: 150, JournalColumn.OS_USER: 90,
                                                 JournalColumn.PROFILE: 120, JournalColumn.TARGET: 200,
                                                 JournalColumn.CHANGE: 260, JournalColumn.STATUS: 110})
        self.splitter.addWidget(self.table)
        self.splitter.addWidget(self._build_detail())
        self.splitter.setSizes([760, 380])
        layout.addWidget(self.splitter, 1)
        self.table.selectionModel().currentRowChanged.connect(self._current_changed)

    def _label(self, name: str) -> QLabel:
        label = QLabel(self)
        label.setObjectName(name)
        label.setTextFormat(Qt.TextFormat.PlainText)
        label.setWordWrap(name != "journalCount")
        return label

    def _button(self, name: str, text: str, slot: Any) -> QPushButton:
        button = QPushButton(text, self)
        button.setObjectName(name)
        button.setAccessibleName(text.replace("&", "").rstrip("…"))
        button.clicked.connect(slot)
        return button

    def _combo(self, name: str, accessible: str, items: Any) -> QComboBox:
        combo = QComboBox(self)
        combo.setObjectName(name)
        combo.setAccessibleName(accessible)
        for data, text in items:
            combo.addItem(self.tr(text), data)
        combo.currentIndexChanged.connect(self._filter_changed)
        return combo

    def _build_filters(self) -> QHBoxLayout:
        row = QHBoxLayout()
        self.search_edit = QLineEdit(self)
        self.search_edit.setObjectName("journalSearch")
        self.search_edit.setAccessibleName(self.tr("Search the journal"))
        self.search_edit.setPlaceholderText(self.tr("Search user, group, role, profile…"))
        self.search_edit.setClearButtonEnabled(True)
        self.search_edit.textChanged.connect(self._filter_changed)
        row.addWidget(self.search_edit, 1)
        self.kind_combo = self._combo("journalKindFilter", self.tr("Kind of change"), KIND_FILTERS)
        self.status_combo = self._combo("journalStatusFilter", self.tr("Status"), (("", "Any status"),))
        self.period_combo = self._combo("journalPeriodFilter", self.tr("Period"), PERIODS)
        for combo in (self.kind_combo, self.status_combo, self.period_combo):
            row.addWidget(combo)
        self.reload_button = self._button("journalReload", self.tr("&Reload"), self.reload)
        self.verify_button = self._button("journalVerify", self.tr("&Verify chain"), self.verify)
        self.export_button = self._button("journalExport", self.tr("E&xport CSV…"), lambda: self.export_csv())
        for button in (self.reload_button, self.verify_button, self.export_button):
            row.addWidget(button)
        return row

    def _build_detail(self) -> QWidget:
        pane = QWidget(self.splitter)
        pane.setObjectName("journalDetailPane")
        layout = QVBoxLayout(pane)
        layout.setContentsMargins(6, 0, 0, 0)
        self.detail = QPlainTextEdit(pane)
        self.detail.setObjectName("journalDetail")
        self.detail.setAccessibleName(self.tr("The selected entry"))
        self.detail.setReadOnly(True)
        self.detail.setPlaceholderText(self.tr("Select an entry to see what it changed and the requests it sent."))
        layout.addWidget(self.detail, 1)
        self.undo_button = self._button("journalUndo", self.tr("&Undo this change…"), self.undo_selected)
        layout.addWidget(self.undo_button)
        self.undo_note = self._label("journalUndoNote")
        layout.addWidget(self.undo_note)
        return pane

    # reading -------------------------------------------------------------------------------------------------

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt override
        super().showEvent(event)
        if not self._loaded_once:
            self.reload()
        self._update_undo()

    @Slot()
    def reload(self) -> None:
        """Read the journal again on a worker (the window calls this after an apply)."""
        self._loaded_once = True
        path, role_name = self._path, self._context.role_context().role_name
        self.count_label.setText(self.tr("Reading the journal…"))
        self._context.runner.submit(lambda: read_journal(path, role_name), channel=READ, on_result=self._loaded,
                                    on_error=self._read_failed)

    def _loaded(self, read: tuple[list[JournalRow], list[tuple[str, ...]]]) -> None:
        rows, texts = read
        with self._keeping_selection():
            self.model.set_rows(rows, self._context.role_context().role_name, texts)
            self._fill_statuses()

    def _read_failed(self, explanation: Explanation) -> None:
        self.count_label.setText(self.tr("The journal could not be read."))
        self._context.show_error(explanation)

    def _fill_statuses(self) -> None:
        combo = self.status_combo
        current = combo.currentData()
        combo.blockSignals(True)
        try:
            combo.clear()
            combo.addItem(self.tr("Any status"), "")
            for status in self.model.statuses():
                combo.addItem(status, status)
            combo.setCurrentIndex(max(0, combo.findData(current)))
        finally:
            combo.blockSignals(False)
        self._filter_changed()

    # filtering -----------------------------------------------------------------------------------------------

    def current_filter(self) -> JournalFilter:
        days = self.period_combo.currentData() or 0
        since = None
        if days:
            midnight = datetime.now().astimezone().replace(hour=0, minute=0, second=0, microsecond=0)
            since = midnight - timedelta(days=days - 1)
        return JournalFilter(self.search_edit.text(), self.kind_combo.currentData() or None,
                             self.status_combo.currentData() or "", since)

    @Slot()
    def _filter_changed(self, *_: Any) -> None:
        with self._keeping_selection():
            self.model.set_filter(self.current_filter())

    @contextlib.contextmanager
    def _keeping_selection(self) -> Iterator[None]:
        """Around a model reset: the selected entry stays selected while it is shown; if it is not, its undo note
        goes with it."""
        selected = self.selected_row()
        yield
        if selected is None or not self.select_entry(selected.id):
            self._note_kept = False
        self._show_count()
        self._show_detail(self.selected_row())

    def _show_count(self) -> None:
        shown, total = self.model.rowCount(), self.model.entry_count
        if self.model.filter.active:
            self.count_label.setText(self.tr("{shown} of {total} entries").format(shown=shown, total=total)
                                     if total != 1 else self.tr("{shown} of 1 entry").format(shown=shown))
        else:
            text = self.tr("1 entry") if total == 1 else self.tr("{total} entries").format(total=total)
            self.count_label.setText(text)

    # selection and detail ------------------------------------------------------------------------------------

    def selected_row(self) -> JournalRow | None:
        index = self.table.currentIndex()
        row = index.data(ObjectRole) if index.isValid() else None
        return row if isinstance(row, JournalRow) else None

    def select_entry(self, entry_id: int) -> bool:
        row = self.model.row_of(entry_id)
        if row < 0:
            return False
        index = self.proxy.mapFromSource(self.model.index(row, 0))
        self.table.setCurrentIndex(index)
        self.table.selectRow(index.row())
        return True

    def _current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        self._note_kept = False
        self._show_detail(self.selected_row())

    def _show_detail(self, row: JournalRow | None) -> None:
        if row is None:
            self.detail.setPlainText("")
        else:
            self.detail.setPlainText(detail_text(row, self._context.role_context().role_name, self._user_name))
        self._update_undo()

    def _user_name(self, user_id: str) -> str:
        organization = self._context.organization
        user = organization.users.get(user_id) if organization is not None else None
        return user.user_name if user is not None and user.user_name else user_id

    # export --------------------------------------------------------------------------------------------------

    def shown_rows(self) -> list[JournalRow]:
        """The rows as the table shows them: filtered, in the table's order."""
        rows = []
        for row in range(self.proxy.rowCount()):
            item = self.proxy.index(row, 0).data(ObjectRole)
            if isinstance(item, JournalRow):
                rows.append(item)
        return rows

    def csv_export(self) -> tuple[str, list[list[str]]]:
        """What the window's Export CSV (``ui/file_actions.py``) writes on this page: the rows shown."""
        role_name = self._context.role_context().role_name
        return "journal.csv", [list(CSV_HEADER), *(csv_cells(r, role_name) for r in self.shown_rows())]

    def export_csv(self, path: str | None = None) -> bool:
        """Write exactly the rows shown as CSV (every cell through ``safe_text.csv_row``); True when written."""
        saved = self.tr("Saved {count} journal entries to {path}").format(count=self.proxy.rowCount(), path="{path}")
        return save_text(self, self._context, rows_csv(self.csv_export()[1]), path, name="journal.csv",
                         title=self.tr("Export the journal as CSV"), filters=self.tr("CSV files (*.csv)"), saved=saved)

    # verify --------------------------------------------------------------------------------------------------

    @Slot()
    def verify(self) -> None:
        """Check the hash chain on a worker; the result says intact, or names the first entry that breaks it."""
        path = self._path
        self.verify_label.setText(self.tr("Verifying the journal…"))
        self._context.runner.submit(lambda: verify_journal(path), channel=VERIFY, on_result=self._verified,
                                    on_error=self._verify_failed)

    def _verified(self, result: Verification) -> None:
        if result.intact:
            self.verify_label.setText(self.tr(
                "The journal is intact: {count} entries, each linked to the one before it.").format(count=result.count))
            self.model.mark_broken(None)
            return
        self.verify_label.setText(self.tr("The journal is broken at entry {id}: {reason}.").format(
            id=result.bad_id, reason=result.reason))
        self.model.mark_broken(result.bad_id, result.reason)

    def _verify_failed(self, explanation: Explanation) -> None:
        self.verify_label.setText(explanation.message)

    # undo ----------------------------------------------------------------------------------------------------

    def _undo_refusal(self, row: JournalRow | None) -> tuple[UndoTarget | None, str]:
        """The target to undo, or why the selected entry cannot be undone now (one sentence)."""
        if row is None:
            return None, self.tr("Select an entry to undo it.")
        try:
            target = undo_target(row.id, row.content)
        except errors.InputError as exc:
            return None, exc.message
        session = self._context.session
        if session is None:
            return None, self.tr("Connect to the organization entry {id} was made on to undo it.").format(id=row.id)
        if not self._context.pending.writable:
            return None, self._context.pending.read_only_reason
        elsewhere = elsewhere_reason(row, session.spec)
        if elsewhere:
            return None, elsewhere
        if self._context.runner.busy(UNDO):
            return None, self.tr("Reading the target's current state…")
        return target, ""

    @Slot()
    def _update_undo(self, *_: Any) -> None:
        target, reason = self._undo_refusal(self.selected_row())
        self.undo_button.setEnabled(target is not None)
        self.undo_button.setToolTip(reason)
        if not self._note_kept:
            self.undo_note.setText(reason)

    @Slot(str, bool)
    def _channel_busy(self, channel: str, _busy: bool) -> None:
        if channel == UNDO:
            self._update_undo()

    @Slot()
    def undo_selected(self) -> None:
        """Re-read the entry's target on a worker, then plan the inverse into the planned changes."""
        target, reason = self._undo_refusal(self.selected_row())
        session = self._context.session
        if target is None or session is None:
            self.undo_note.setText(reason)
            return
        team_groups = getattr(getattr(self._context.org, "group_map", None), "team_for_group", {}) or {}
        self.undo_note.setText(self.tr("Reading {name} as it is now…").format(name=target.target_name))
        self._context.runner.submit(lambda: current_state(session, target, team_groups), channel=UNDO,
                                    on_result=lambda state: self._plan_undo(target, state, session),
                                    on_error=self._undo_failed)

    def _plan_undo(self, target: UndoTarget, state: tuple[str, tuple[str, ...], str | None], session: Any) -> None:
        if session is not self._context.session:  # read on a connection since closed: not this queue's target
            return
        group_id, current, version = state
        key_target = target if group_id == target.target_id else UndoTarget(
            target.entry_id, target.kind, group_id, target.target_name, target.before, target.after)
        queued = self._context.pending.get((key_target.kind, key_target.target_id))
        plan: UndoPlan = plan_undo(key_target, current, version, queued)
        if plan.change is not None:
            self._context.pending.plan([plan.change], self.tr("Undo journal entry {id}").format(id=target.entry_id))
        note = undo_note(target, plan, self._context.role_context().role_name)
        self.undo_note.setText(note)
        self._note_kept = True
        self._context.show_message(note, 10_000)
        self._update_undo()

    def _undo_failed(self, explanation: Explanation) -> None:
        self.undo_note.setText(explanation.message)
        self._note_kept = True
        self._update_undo()
        self._context.show_error(explanation)
