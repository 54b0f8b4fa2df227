"""The Snapshots page: the organization's saved states (``store/snapshots.py``), saved, compared and opened.

Every read and write of the snapshot file, every OrgState built from the window's organization and every diff
runs on a worker (``context.runner``); the page only shows finished rows. A snapshot of an organization that is
not completely loaded would hold lower bounds, so saving one is refused unless the person confirms that it is to be
saved marked partial. "Open read-only" shows a snapshot in its own window (``ui/snapshot_window.py``) with no
connection at all.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from birdadmin.domain.org_state import OrgState
from birdadmin.domain.snapshot_diff import diff
from birdadmin.errors import Explanation
from birdadmin.qtmodels.records import Record, RecordsModel
from birdadmin.qtmodels.roles import IdRole, ObjectRole
from birdadmin.qtmodels.snapshots import (
    DIFF_HEADERS,
    LIST_HEADERS,
    diff_records,
    group_records,
    list_records,
    local_time,
    user_records,
)
from birdadmin.store.snapshots import SnapshotInfo, SnapshotStore
from birdadmin.ui.context import WindowContext
from birdadmin.ui.file_actions import rows_csv, save_text
from birdadmin.ui.labels import plain_labels
from birdadmin.ui.snapshot_window import SnapshotWindow
from birdadmin.ui.tables import make_table, sorting_proxy

LIST, SAVE, DIFF, OPEN = "snapshots-list", "snapshots-save", "snapshots-diff", "snapshots-open"  # runner channels


def _with_store(path: Path | None, work: Any) -> Any:
    """Run ``work(store)`` on a store of its own (one per task: workers never share a connection)."""
    store = SnapshotStore(path)
    try:
        return work(store)
    finally:
        store.close()


class SnapshotsPage(QWidget):
    """The snapshot list, Save / Compare / Open buttons, and the diff of the last comparison below."""

    snapshot_opened = Signal(object)  # the SnapshotWindow just shown

    def __init__(self, context: WindowContext, parent: QWidget | None = None, *,
                 store_path: Path | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("snapshotsPage")
        self._context = context
        self._path = store_path  # None: snapshots.sqlite3 in the data directory, opened on the worker
        self._loaded_once = False
        self.windows: list[SnapshotWindow] = []
        self.model = RecordsModel([self.tr(h) for h in LIST_HEADERS], self)
        self.proxy = sorting_proxy(self.model, self)
        self.diff_model = RecordsModel([self.tr(h) for h in DIFF_HEADERS], self)
        self.diff_proxy = sorting_proxy(self.diff_model, self)
        self._build()
        plain_labels(self)
        self._update_buttons()

    # building ------------------------------------------------------------------------------------------------

    def _build(self) -> None:
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        row = QHBoxLayout()
        self.save_button = self._button("snapshotSave", self.tr("&Save snapshot"), self.save_snapshot)
        self.live_button = self._button("snapshotCompareLive", self.tr("Compare with &live"), self.compare_live)
        self.two_button = self._button("snapshotCompareTwo", self.tr("Compare selected &two"), self.compare_two)
        self.open_button = self._button("snapshotOpen", self.tr("&Open read-only"), self.open_selected)
        self.reload_button = self._button("snapshotReload", self.tr("&Reload"), self.reload)
        for button in (self.save_button, self.live_button, self.two_button, self.open_button, self.reload_button):
            row.addWidget(button)
        row.addStretch(1)
        layout.addLayout(row)
        self.status_label = self._label("snapshotStatus")
        layout.addWidget(self.status_label)
        splitter = QSplitter(Qt.Orientation.Vertical, self)
        splitter.setObjectName("snapshotSplitter")
        self.table = make_table(splitter, "snapshotsTable", self.tr("Saved snapshots"), self.proxy, multi=True)
        for column, width in enumerate((150, 110, 180, 70, 70, 100)):
            self.table.setColumnWidth(column, width)
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._update_buttons())
        self.table.doubleClicked.connect(lambda _index: self.open_selected())
        splitter.addWidget(self.table)
        lower = QWidget(splitter)
        lower_layout = QVBoxLayout(lower)
        lower_layout.setContentsMargins(0, 0, 0, 0)
        head = QHBoxLayout()
        self.diff_label = self._label("snapshotDiffSummary")
        self.diff_label.setText(self.tr("Compare a snapshot with the live organization, or two snapshots."))
        head.addWidget(self.diff_label, 1)
        self.export_button = self._button("snapshotDiffExport", self.tr("E&xport CSV…"), lambda: self.export_csv())
        head.addWidget(self.export_button)
        lower_layout.addLayout(head)
        self.diff_table = make_table(lower, "snapshotDiffTable", self.tr("Changes between the two states"),
                                     self.diff_proxy)
        for column, width in enumerate((130, 240, 200)):
            self.diff_table.setColumnWidth(column, width)
        lower_layout.addWidget(self.diff_table, 1)
        splitter.addWidget(lower)
        splitter.setSizes([260, 340])
        layout.addWidget(splitter, 1)

    def _label(self, name: str) -> QLabel:
        label = QLabel(self)
        label.setObjectName(name)
        label.setTextFormat(Qt.TextFormat.PlainText)
        label.setWordWrap(True)
        return label

    def _button(self, name: str, text: str, slot: Any) -> QPushButton:
        button = QPushButton(text, self)
        button.setObjectName(name)
        button.setAccessibleName(text.replace("&", "").rstrip("…"))
        button.clicked.connect(slot)
        return button

    # the list ------------------------------------------------------------------------------------------------

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt override
        super().showEvent(event)
        if not self._loaded_once:
            self.reload()

    @Slot()
    def reload(self) -> None:
        self._loaded_once = True
        path = self._path
        self.status_label.setText(self.tr("Reading the snapshots…"))
        self._context.runner.submit(lambda: list_records(_with_store(path, lambda s: s.list())), channel=LIST,
                                    on_result=self._listed, on_error=self._failed)

    def _listed(self, records: list[Record]) -> None:
        self.model.set_records(records)
        self.status_label.setText(self.tr("{n} snapshots saved on this machine.").format(n=len(records)))
        self._update_buttons()

    def _failed(self, explanation: Explanation) -> None:
        self.status_label.setText(explanation.message)
        self._context.show_error(explanation)
        self._update_buttons()

    def selected(self) -> list[SnapshotInfo]:
        """The selected snapshots, oldest first."""
        rows = self.table.selectionModel().selectedRows()
        found = [self.proxy.index(i.row(), 0).data(ObjectRole) for i in rows]
        return sorted((i for i in found if isinstance(i, SnapshotInfo)), key=lambda i: i.id)

    def _update_buttons(self) -> None:
        count = len(self.selected())
        live = self._live_ready()
        self.save_button.setEnabled(live)
        self.live_button.setEnabled(live and count == 1)
        self.two_button.setEnabled(count == 2)
        self.open_button.setEnabled(count == 1)
        self.export_button.setEnabled(self.diff_model.rowCount() > 0)

    def _live_ready(self) -> bool:
        ctx = self._context
        return ctx.session is not None and ctx.organization is not None and ctx.org is not None

    # saving --------------------------------------------------------------------------------------------------

    def _live_state_builder(self, *, complete: bool) -> Any:
        """A function building the live OrgState on a worker (the users copied here, on the GUI thread)."""
        from birdadmin.org_load import org_state

        ctx = self._context
        assert ctx.organization is not None and ctx.org is not None and ctx.session is not None
        users, data = ctx.organization.users.as_list(), ctx.org
        label, profile = ctx.session.label, ctx.session.spec.profile_name or ""
        return lambda: org_state(users, data, label=label, profile=profile, complete=complete)

    def confirm_partial(self) -> bool:
        """Ask whether to save an organization that is not completely loaded, marked partial (tests replace it)."""
        answer = QMessageBox.question(
            self, self.tr("Save a partial snapshot?"),
            self.tr("The organization is not completely loaded, so a snapshot now would miss users or groups. "
                    "Save it marked partial anyway?"),
            QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Cancel, QMessageBox.StandardButton.Cancel,
        )
        return answer == QMessageBox.StandardButton.Save

    @Slot()
    def save_snapshot(self) -> bool:
        """Save the window's organization; False when refused (not connected, or a partial one not confirmed)."""
        if not self._live_ready():
            self.status_label.setText(self.tr("Connect to an organization and wait for it to load before saving a "
                                              "snapshot."))
            return False
        assert self._context.organization is not None
        complete = self._context.organization.scope().complete
        if not complete and not self.confirm_partial():
            self.status_label.setText(self.tr("No snapshot was saved: the organization is not completely loaded."))
            return False
        build, path = self._live_state_builder(complete=complete), self._path
        self.status_label.setText(self.tr("Saving a snapshot…"))
        self._context.runner.submit(lambda: _with_store(path, lambda s: s.save(build())), channel=SAVE,
                                    on_result=self._saved, on_error=self._failed)
        return True

    def _saved(self, info: SnapshotInfo) -> None:
        partial = "" if info.complete else self.tr(" (partial)")
        self._context.show_message(self.tr("Snapshot {id} saved{partial}: {users} users, {groups} groups.").format(
            id=info.id, partial=partial, users=info.users, groups=info.groups), 6000)
        self.reload()

    # comparing -----------------------------------------------------------------------------------------------

    @Slot()
    def compare_live(self) -> None:
        chosen = self.selected()
        if len(chosen) != 1 or not self._live_ready():
            self.diff_label.setText(self.tr("Select one snapshot, while connected, to compare it with live data."))
            return
        assert self._context.organization is not None
        build, path, old = self._live_state_builder(complete=self._context.organization.scope().complete), \
            self._path, chosen[0]

        def work() -> tuple[list[Record], int]:
            then, now = _with_store(path, lambda s: s.load(old.id)), build()
            result = diff(then, now)
            return diff_records(result, now), result.count()

        self._run_diff(work, self.tr("{n} changes from snapshot {id} ({when}) to the live organization.").format(
            n="{n}", id=old.id, when=local_time(old.taken_at)))

    @Slot()
    def compare_two(self) -> None:
        chosen = self.selected()
        if len(chosen) != 2:
            self.diff_label.setText(self.tr("Select exactly two snapshots to compare them."))
            return
        old, new, path = chosen[0], chosen[1], self._path

        def work() -> tuple[list[Record], int]:
            then, now = _with_store(path, lambda s: (s.load(old.id), s.load(new.id)))
            result = diff(then, now)
            return diff_records(result, now), result.count()

        self._run_diff(work, self.tr("{n} changes from snapshot {a} ({at}) to snapshot {b} ({bt}).").format(
            n="{n}", a=old.id, b=new.id, at=local_time(old.taken_at), bt=local_time(new.taken_at)))

    def _run_diff(self, work: Any, summary: str) -> None:
        """Run ``work`` (-> records, count) on a worker; ``summary`` has "{n}" for the count."""
        self.diff_label.setText(self.tr("Comparing…"))
        self._context.runner.submit(work, channel=DIFF, on_result=lambda r: self._diffed(r, summary),
                                    on_error=self._diff_failed)

    def _diffed(self, result: tuple[list[Record], int], summary: str) -> None:
        records, count = result
        self.diff_model.set_records(records)
        self.diff_label.setText(summary.replace("{n}", str(count)))
        self._update_buttons()

    def _diff_failed(self, explanation: Explanation) -> None:
        self.diff_model.set_records([])
        self.diff_label.setText(explanation.message)
        self._context.show_error(explanation)
        self._update_buttons()

    # exporting and opening -----------------------------------------------------------------------------------

    def csv_export(self) -> tuple[str, list[list[str]]]:
        """Exactly the diff rows shown (order and filter of the view), header first, then the subject's SCIM id
        and the role's UUID (names alone are ambiguous)."""
        model = self.diff_proxy
        columns = range(model.columnCount())
        found = [[*(str(model.headerData(c, Qt.Orientation.Horizontal)) for c in columns), "id", "roleId"]]
        found += [[*(model.index(r, c).data() or "" for c in columns), model.index(r, 0).data(IdRole) or "",
                   model.index(r, 0).data(ObjectRole) or ""] for r in range(model.rowCount())]
        return "snapshot-diff.csv", found

    def export_csv(self, path: str | None = None) -> bool:
        saved = self.tr("Saved {n} changes to {path}").format(n=self.diff_proxy.rowCount(), path="{path}")
        return save_text(self, self._context, rows_csv(self.csv_export()[1]), path, name="snapshot-diff.csv",
                         title=self.tr("Export the changes as CSV"), filters=self.tr("CSV files (*.csv)"), saved=saved)

    @Slot()
    def open_selected(self) -> None:
        chosen = self.selected()
        if len(chosen) != 1:
            return
        snapshot_id, path = chosen[0].id, self._path

        def work() -> tuple[OrgState, list[Record], list[Record]]:
            state = _with_store(path, lambda s: s.load(snapshot_id))
            return state, user_records(state), group_records(state)

        self.status_label.setText(self.tr("Opening snapshot {id}…").format(id=snapshot_id))
        self._context.runner.submit(work, channel=OPEN, on_result=lambda r: self._opened(snapshot_id, r),
                                    on_error=self._failed)

    def _opened(self, snapshot_id: int, loaded: tuple[OrgState, list[Record], list[Record]]) -> None:
        state, users, groups = loaded
        window = SnapshotWindow(state, None, snapshot_id=snapshot_id, records=(users, groups))
        self.windows.append(window)
        window.show()
        self.status_label.setText(self.tr("Snapshot {id} opened in its own window.").format(id=snapshot_id))
        self.snapshot_opened.emit(window)

    def close_windows(self) -> None:
        for window in self.windows:
            window.close()
            window.deleteLater()
        self.windows.clear()


