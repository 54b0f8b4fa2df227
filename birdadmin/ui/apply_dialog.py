""""Review and apply": the whole batch with its requests, the guards, then the apply on a worker with Cancel.

The dialog opens at once in a "Preparing the preview…" state: the requests' text and the guards' verdict are
computed on the TaskRunner's "apply-preview" channel (``ui/apply_preview.py``) from an immutable copy of the
queue, and shown when they arrive. A change to the queue meanwhile takes a new copy and supersedes the running
preparation (its late result is dropped); closing the dialog abandons it. Apply stays disabled until the verdict
for the current queue is in. Nothing is sent before every guard's violation is answered (``ui/apply_guards.py``).
The apply runs on the TaskRunner's "apply" channel (``services/apply_relay.py``); each change's progress reaches
the GUI thread as the task's progress (``TaskRunner.submit_with_progress``) and is passed on (``change_updated``)
so the changes dock shows it live. Cancel sets a
threading.Event: changes already sent finish, the others stay pending. The end says "N done, N unchanged,
N conflicts, N failed"; the results go to ``PendingChanges.record_results`` (conflicts and failures stay queued).
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
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
from birdadmin.qtmodels.changes import status_text
from birdadmin.services.apply_relay import apply_changes
from birdadmin.services.tasks import Report
from birdadmin.ui.apply_guards import GuardsPanel
from birdadmin.ui.apply_preview import Prepared, PreviewInput, prepare
from birdadmin.ui.context import WindowContext

APPLY_CHANNEL = "apply"
PREVIEW_CHANNEL = "apply-preview"
FILL_LINES = 400  # preview lines laid out per turn of the event loop
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

    def __init__(self, context: WindowContext, source: Callable[[], PreviewInput],
                 profile_record: dict[str, Any], parent: QWidget | None = None) -> None:
        """``source`` takes the batch as it stands (cheap, on the GUI thread); it is called again whenever the
        queue changes before Apply is pressed."""
        super().__init__(parent)
        self.setObjectName("applyDialog")
        self.setWindowTitle(self.tr("Review and apply changes"))
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self._context = context
        self._source = source
        self._changes: list[Change] = []
        self._left_out = 0
        self._record = profile_record
        self.on_worker: Callable[[Change], None] | None = None  # each status change, on the applying thread
        self._cancel = threading.Event()
        self._ended: set[str] = set()
        self.results: list[Change] | None = None
        self.running = False
        self.ready = False  # the preview and the guards' verdict for the current queue are shown
        self._open = True  # False once closed: nothing more is prepared
        self._generation = 0  # counts the batches prepared: a preview still filling in for an older one stops
        self._session: object = None  # the connection the apply runs on
        layout = QVBoxLayout(self)
        self.summary = self._label("applySummary", "")
        layout.addWidget(self.summary)
        self.preview = QPlainTextEdit(self)
        self.preview.setObjectName("applyPreview")
        self.preview.setAccessibleName(self.tr("Changes and their requests"))
        self.preview.setReadOnly(True)
        self.preview.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        layout.addWidget(self.preview, 1)
        self.guards = GuardsPanel(self)  # a few sentences at most: below the preview, never scrolled
        layout.addWidget(self.guards)
        self.progress = QProgressBar(self)
        self.progress.setObjectName("applyProgress")
        self.progress.setAccessibleName(self.tr("Apply progress"))
        self.progress.setVisible(False)
        layout.addWidget(self.progress)
        self.outcome = self._label("applyOutcome", "")
        self.outcome.setVisible(False)
        layout.addWidget(self.outcome)
        self.buttons = QDialogButtonBox(self)
        self.apply_button = QPushButton(self)
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
        self.finished.connect(self._closed)
        context.pending.changed.connect(self._queue_changed)
        self.resize(760, 560)
        self.prepare()

    def _label(self, name: str, text: str) -> QLabel:
        label = QLabel(text, self)
        label.setObjectName(name)
        label.setWordWrap(True)
        label.setTextFormat(Qt.TextFormat.PlainText)
        return label

    # -- preparing the preview ---------------------------------------------------------------------------------

    def prepare(self) -> None:
        """Take the batch as it stands and compute its preview and verdict on a worker; until they arrive the
        dialog says so and Apply is disabled. A preparation still running is superseded (its result dropped)."""
        data = self._source()
        self._changes, self._left_out = list(data.changes), data.left_out
        self.ready = False
        self._generation += 1
        count = len(self._changes)
        self.apply_button.setText(
            self.tr("&Apply 1 change") if count == 1 else self.tr("&Apply {count} changes").format(count=count))
        self.progress.setRange(0, max(1, count))
        self.progress.setValue(0)
        waiting = self.tr("Preparing the preview…")
        self.summary.setText(waiting)
        self.preview.setPlainText(waiting)
        self.guards.clear()
        self._update_buttons()
        self._context.runner.submit(lambda: prepare(data), channel=PREVIEW_CHANNEL, on_result=self._prepared,
                                    on_error=self._not_prepared)

    def _prepared(self, prepared: Prepared) -> None:
        if not self._open:
            return
        self.guards.show_verdict(prepared.verdict)
        self.summary.setText(self._summary_text())
        lines = prepared.text.split("\n")
        self.preview.setPlainText("\n".join(lines[:FILL_LINES]))
        self._fill(self._generation, lines, FILL_LINES)

    def _fill(self, generation: int, lines: list[str], at: int) -> None:
        """The rest of the preview, ``FILL_LINES`` at a time between events: laying out 10,000 changes' lines at
        once held the GUI thread 30-100 ms. Ready (and Apply possible) once the whole text is in."""
        if generation != self._generation or not self._open:
            return  # the queue changed (or the dialog closed) while filling: a newer preview takes over
        if at < len(lines):
            bar = self.preview.verticalScrollBar()
            kept = bar.value()  # appending scrolls to the end when the view is there; the reader stays put
            self.preview.appendPlainText("\n".join(lines[at:at + FILL_LINES]))
            bar.setValue(kept)
            QTimer.singleShot(0, self, lambda: self._fill(generation, lines, at + FILL_LINES))
            return
        self.ready = True
        self._update_buttons()

    def _not_prepared(self, explanation: Explanation) -> None:
        if self._open:
            text = self.tr("The preview could not be prepared: {reason}").format(reason=explanation.message)
            self.summary.setText(text)
            self.preview.setPlainText(text)

    def _queue_changed(self) -> None:
        """The queue changed under the open dialog (a restore, a connection change): prepare the new batch, unless
        an apply has started (then the queue changes by its own progress) or the dialog is closed."""
        if self._open and not self.running and self.results is None:
            self.prepare()

    def _closed(self) -> None:
        self._open = False
        self._context.runner.invalidate(PREVIEW_CHANNEL)

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
                count=self._left_out)
        return text

    def _update_buttons(self) -> None:
        writable = self._context.pending.writable and self._context.session is not None
        can = writable and self.ready and bool(self._changes) and not self.running and self.results is None
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
