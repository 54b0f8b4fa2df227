""""Review and apply": the whole batch with its requests, the guards, then the apply on a worker with Cancel.

Nothing is sent before every guard's violation is answered (``ui/apply_guards.py``). The apply runs on the
TaskRunner's "apply" channel (``services/apply_relay.py``); each change's progress reaches the GUI thread as the
task's progress (``TaskRunner.submit_with_progress``) and is passed on (``change_updated``) so the changes dock shows
it live. Cancel sets a
threading.Event: changes already sent finish, the others stay pending. The end says "N done, N unchanged,
N conflicts, N failed"; the results go to ``PendingChanges.record_results`` (conflicts and failures stay queued).
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QCloseEvent, QFontDatabase
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from birdadmin.domain.changes import Change
from birdadmin.errors import Explanation
from birdadmin.qtmodels.changes import ChangeNames, status_text
from birdadmin.services.apply_relay import apply_changes
from birdadmin.services.tasks import Report
from birdadmin.ui.apply_guards import GuardInput, GuardsPanel
from birdadmin.ui.change_requests import requests_text
from birdadmin.ui.context import WindowContext

APPLY_CHANNEL = "apply"
PREVIEW_REQUESTS = 200  # changes shown with their full requests in the preview
_ENDED = frozenset({"done", "unchanged", "conflict", "failed"})


def outcome_text(results: Sequence[Change]) -> str:
    counts = Counter(c.status for c in results)
    text = (f"{counts['done']} done, {counts['unchanged']} unchanged, {counts['conflict']} conflicts, "
            f"{counts['failed']} failed")
    if counts["pending"]:
        text += f", {counts['pending']} not sent (cancelled)"
    return text


class ApplyDialog(QDialog):
    """Window-modal while open, so the queue cannot change under a running apply; the window keeps painting."""

    change_updated = Signal(object)  # a Change with its new status (in flight, done, conflict, ...)
    applied = Signal(object)  # list[Change]: the results, once recorded

    def __init__(self, context: WindowContext, changes: Sequence[Change], guards: GuardInput,
                 names: ChangeNames, profile_record: dict[str, Any], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("applyDialog")
        self.setWindowTitle(self.tr("Review and apply changes"))
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self._context = context
        self._changes = [c for c in changes if c.status != "conflict"]
        self._left_out = [c for c in changes if c.status == "conflict"]
        self._names = names
        self._record = profile_record
        self.on_worker: Callable[[Change], None] | None = None  # each status change, on the applying thread
        self._cancel = threading.Event()
        self._ended: set[str] = set()
        self.results: list[Change] | None = None
        self.running = False
        self._session: object = None  # the connection the apply runs on
        layout = QVBoxLayout(self)
        self.summary = self._label("applySummary", "")
        layout.addWidget(self.summary)
        self.preview = QPlainTextEdit(self)
        self.preview.setObjectName("applyPreview")
        self.preview.setAccessibleName(self.tr("Changes and their requests"))
        self.preview.setReadOnly(True)
        self.preview.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.preview.setPlainText(self._preview_text())
        layout.addWidget(self.preview, 1)
        self.guards = GuardsPanel(guards, self)  # a few sentences at most: below the preview, never scrolled
        layout.addWidget(self.guards)
        self.summary.setText(self._summary_text())
        self.progress = QProgressBar(self)
        self.progress.setObjectName("applyProgress")
        self.progress.setAccessibleName(self.tr("Apply progress"))
        self.progress.setRange(0, max(1, len(self._changes)))
        self.progress.setValue(0)
        self.progress.setVisible(False)
        layout.addWidget(self.progress)
        self.outcome = self._label("applyOutcome", "")
        self.outcome.setVisible(False)
        layout.addWidget(self.outcome)
        self.buttons = QDialogButtonBox(self)
        count = len(self._changes)
        self.apply_button = QPushButton(
            self.tr("&Apply 1 change") if count == 1 else self.tr("&Apply {count} changes").format(count=count), self)
        self.apply_button.setObjectName("applyButton")
        self.apply_button.setDefault(False)
        self.apply_button.setAutoDefault(False)
        self.buttons.addButton(self.apply_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.cancel_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.cancel_button.setObjectName("applyCancelButton")
        self.apply_button.clicked.connect(self.start_apply)
        self.cancel_button.clicked.connect(self._cancel_clicked)
        layout.addWidget(self.buttons)
        self.guards.changed.connect(self._update_buttons)
        self._update_buttons()
        self.resize(760, 560)

    def _label(self, name: str, text: str) -> QLabel:
        label = QLabel(text, self)
        label.setObjectName(name)
        label.setWordWrap(True)
        label.setTextFormat(Qt.TextFormat.PlainText)
        return label

    def _summary_text(self) -> str:
        count, users = len(self._changes), self.guards.touched
        sent = self.tr("1 change will be sent") if count == 1 else self.tr("{count} changes will be sent").format(
            count=count)
        touch = self.tr("it touches 1 user.") if users == 1 and count == 1 else (
            self.tr("they touch 1 user.") if users == 1 else self.tr("{what} {users} users.").format(
                what=self.tr("it touches") if count == 1 else self.tr("they touch"), users=users))
        text = f"{sent}; {touch}"
        if self._left_out:
            text += " " + self.tr("{count} conflicts are left out: re-plan them on the current state first.").format(
                count=len(self._left_out))
        return text

    def _preview_text(self) -> str:
        """Each change with its requests; past ``PREVIEW_REQUESTS`` changes, one line each (a 10,000-user batch
        stays quick to show and to read)."""
        blocks = []
        session = self._context.session
        names = self._names
        for at, change in enumerate(self._changes):
            head = f"{change.target_name or change.target_id} ({names.kind(change)}): {names.summary(change)}"
            if at < PREVIEW_REQUESTS:
                blocks.append(f"{head}\n{requests_text(change, session)}\n")
            else:
                if at == PREVIEW_REQUESTS:
                    blocks.append(self.tr("The other {count} changes send requests of the same form:").format(
                        count=len(self._changes) - PREVIEW_REQUESTS))
                blocks.append(head)
        return "\n".join(blocks) if blocks else self.tr("Nothing to apply.")

    def _update_buttons(self) -> None:
        writable = self._context.pending.writable and self._context.session is not None
        can = writable and bool(self._changes) and not self.running and self.results is None
        self.apply_button.setEnabled(can and self.guards.answered())
        if not writable:
            self.apply_button.setToolTip(self._context.pending.read_only_reason or self.tr("Not connected."))

    # -- applying ----------------------------------------------------------------------------------------------

    def start_apply(self) -> None:
        session = self._context.session
        if session is None or not self.apply_button.isEnabled():
            return
        self.running = True
        self._session = session
        self.guards.lock(True)
        self._update_buttons()
        self.progress.setVisible(True)
        self.progress.setFormat(self.tr("%v of %m changes"))
        changes, cancel, record = list(self._changes), self._cancel, dict(self._record)
        allow_empty, on_worker = self.guards.overrides().allow_empty, self.on_worker
        work: Callable[[Report], list[Change]] = lambda report: apply_changes(  # noqa: E731 - one call, typed
            session, changes, cancel, report, record, allow_empty=allow_empty, on_worker=on_worker)
        self._context.runner.submit_with_progress(work, channel=APPLY_CHANNEL, on_progress=self._updated,
                                                  on_result=self._finished, on_error=self._failed)

    def _updated(self, change: Change) -> None:
        self.change_updated.emit(change)
        if change.status in _ENDED:
            self._ended.add(change.id)
            self.progress.setValue(len(self._ended))

    def _finished(self, results: list[Change]) -> None:
        self.running = False
        self.results = list(results)
        if self._session is self._context.session:  # else the queue now belongs to another organization
            self._context.pending.record_results(self.results)
        self._show_outcome(outcome_text(self.results))
        self.applied.emit(self.results)

    def _failed(self, explanation: Explanation) -> None:
        self.running = False
        self.results = []
        self._show_outcome(self.tr("Nothing more was applied: {reason}").format(reason=explanation.message))
        self._context.show_error(explanation)

    def _show_outcome(self, text: str) -> None:
        self.outcome.setText(text)
        self.outcome.setVisible(True)
        self.progress.setVisible(False)
        self.cancel_button.setText(self.tr("Close"))
        self.cancel_button.setEnabled(True)
        self._update_buttons()
        lines = [f"{c.target_name or c.target_id}: {status_text(c)}" for c in self.results or ()
                 if c.status not in ("done", "unchanged")]
        if lines:
            self.preview.setPlainText("\n".join([text, "", *lines]))

    def _cancel_clicked(self) -> None:
        if self.running:
            self._cancel.set()
            self.cancel_button.setEnabled(False)
            self.cancel_button.setText(self.tr("Cancelling…"))
            return
        self.reject()

    def reject(self) -> None:
        if self.running:  # Escape or the close box while sending: cancel, and close once it has stopped
            self._cancel_clicked()
            return
        super().reject()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt override
        if self.running:
            self._cancel_clicked()
            event.ignore()
            return
        super().closeEvent(event)
