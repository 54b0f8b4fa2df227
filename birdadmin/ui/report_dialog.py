"""File > Export audit report…: choose the roles for who-has, an optional snapshot to compare with and a file, then
the PDF (``birdadmin/report``) is written on a worker thread and the dialog says when it is done.

The organization is the window's, as loaded: a load that is not complete gives a report marked PARTIAL on every
page. Qt allows QPainter on a QPdfWriter away from the GUI thread (tests/report/test_pdf.py writes one on a
plain thread); the worker gets a copy of the user list, taken on the GUI thread.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, Slot
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from birdadmin.errors import Explanation
from birdadmin.safe_text import file_name_part, terminal_line

if TYPE_CHECKING:
    from birdadmin.domain.org_state import OrgState
    from birdadmin.ui.context import WindowContext

CHANNEL = "report-pdf"
SNAPSHOTS_CHANNEL = "report-snapshots"
ROLE_ID = Qt.ItemDataRole.UserRole


def default_path(label: str) -> Path:
    day = datetime.now(UTC).strftime("%Y-%m-%d")
    return Path.home() / f"audit-report-{file_name_part(label or 'organization', 40)}-{day}.pdf"


class ReportDialog(QDialog):
    """Roles (none ticked: every role held, or the Owner and the most-held ones), a snapshot, a file; Write."""

    def __init__(self, context: WindowContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("reportDialog")
        self.setWindowTitle(self.tr("Export audit report"))
        self._context = context
        self.pages: int | None = None
        layout = QVBoxLayout(self)
        intro = QLabel(self.tr("A dated PDF: who has the chosen roles and through what, holders per role, the "
                               "findings, and the changes since a snapshot. Tick no role for every role held "
                               "(or the Owner and the most-held ones when there are many)."), self)
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.roles = QListWidget(self)
        self.roles.setObjectName("reportRoles")
        self.roles.setAccessibleName(self.tr("Roles for who has"))
        layout.addWidget(self.roles, 1)
        form = QFormLayout()
        self.snapshot = QComboBox(self)
        self.snapshot.setObjectName("reportSnapshot")
        self.snapshot.setAccessibleName(self.tr("Snapshot to compare with"))
        self.snapshot.addItem(self.tr("No comparison"), None)
        form.addRow(self.tr("Compare with &snapshot:"), self.snapshot)
        row = QHBoxLayout()
        self.file = QLineEdit(self)
        self.file.setObjectName("reportFile")
        self.file.setAccessibleName(self.tr("Report file"))
        browse = QPushButton(self.tr("&Browse…"), self)
        browse.clicked.connect(self._browse)
        row.addWidget(self.file, 1)
        row.addWidget(browse)
        file_label = QLabel(self.tr("&File:"), self)
        file_label.setBuddy(self.file)  # a row holding a layout gets no buddy of its own
        form.addRow(file_label, row)
        layout.addLayout(form)
        self.status = QLabel(self)
        self.status.setObjectName("reportStatus")
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        self.status.setWordWrap(True)
        layout.addWidget(self.status)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        self.write = buttons.addButton(self.tr("&Write report"), QDialogButtonBox.ButtonRole.ActionRole)
        self.write.setObjectName("reportWrite")
        self.write.clicked.connect(self.start)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self._fill()

    def _fill(self) -> None:
        context, org = self._context, self._context.org
        label = context.session.label if context.session is not None else ""
        self.file.setText(str(default_path(label)))
        if org is None or context.organization is None:
            self.status.setText(self.tr("Connect to an organization and let it load first."))
            self.write.setEnabled(False)
            return
        held = {r.lower() for u in context.organization.users.as_list() for r in u.roles}
        held |= {r for roles in org.group_roles.values() for r in roles}
        infos = {i.id: i for i in org.catalogue.roles()}
        for rid in sorted(held | set(infos), key=lambda r: (r not in held, org.catalogue.name_for(r).casefold())):
            count = "" if rid in held else self.tr(" (held by no one)")
            item = QListWidgetItem(terminal_line(org.catalogue.name_for(rid)) + count, self.roles)
            item.setData(ROLE_ID, rid)
            item.setToolTip(rid)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
        profile = context.session.spec.profile_name if context.session is not None else None
        context.runner.submit(lambda: _list_snapshots(profile), channel=SNAPSHOTS_CHANNEL,
                              on_result=self._snapshots_listed, on_error=lambda _: None)

    def _snapshots_listed(self, infos: list[Any]) -> None:
        for info in infos:
            text = f"{info.taken_at} · {terminal_line(info.label)} · {info.users:,} users"
            self.snapshot.addItem(text + ("" if info.complete else self.tr(" (partial)")), int(info.id))

    def chosen_roles(self) -> list[str]:
        return [str(self.roles.item(i).data(ROLE_ID)) for i in range(self.roles.count())
                if self.roles.item(i).checkState() == Qt.CheckState.Checked]

    @Slot()
    def _browse(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, self.tr("Export audit report"), self.file.text(),
                                              self.tr("PDF files (*.pdf)"))
        if path:
            self.file.setText(path)

    @Slot()
    def start(self) -> None:
        """Write the report on a worker; the dialog stays usable and says when it is done."""
        context, org, organization = self._context, self._context.org, self._context.organization
        if org is None or organization is None or context.session is None:
            return
        path = Path(self.file.text().strip())
        if not self.file.text().strip():
            self.status.setText(self.tr("Choose a file to write."))
            return
        users = organization.users.as_list()
        complete = organization.scope().complete
        spec = context.session.spec
        roles, snapshot_id = self.chosen_roles(), self.snapshot.currentData()

        def work() -> int:
            from birdadmin.org_load import org_state
            from birdadmin.report.pdf import audit_settings, write_pdf

            state = org_state(users, org, label=spec.label, profile=spec.profile_name or "", complete=complete)
            since = _load_snapshot(snapshot_id) if snapshot_id is not None else None
            return write_pdf(path, state, roles=roles, since=since, **audit_settings(spec))

        self.write.setEnabled(False)
        self.status.setText(self.tr("Writing %1…").replace("%1", str(path)))
        context.runner.submit(work, channel=CHANNEL, on_result=lambda pages: self._done(path, pages),
                              on_error=self._failed)

    def _done(self, path: Path, pages: int) -> None:
        text = f"Audit report written: {path} ({pages} pages)."
        self._context.show_message(text, 8000)  # also when the dialog was closed meanwhile
        if not isValid(self):
            return
        self.pages = pages
        self.write.setEnabled(True)
        self.status.setText(text)

    def _failed(self, explanation: Explanation) -> None:
        if not isValid(self):
            self._context.show_error(explanation)
            return
        self.write.setEnabled(True)
        self.status.setText(self.tr("Not written: %1").replace("%1", explanation.message))


def _list_snapshots(profile: str | None) -> list[Any]:
    from birdadmin.store.snapshots import SnapshotStore

    store = SnapshotStore()
    try:
        return list(store.list(profile))
    finally:
        store.close()


def _load_snapshot(snapshot_id: int) -> OrgState:
    from birdadmin.store.snapshots import SnapshotStore

    store = SnapshotStore()
    try:
        return store.load(snapshot_id)
    finally:
        store.close()


def open_report_dialog(context: WindowContext, parent: QWidget | None = None) -> ReportDialog:
    """File > Export audit report…: the dialog, shown (modeless; it stays open while the report is written)."""
    dialog = ReportDialog(context, parent)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.show()
    return dialog
