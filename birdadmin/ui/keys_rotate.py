"""The "Rotate this profile's key…" dialog: ``services/key_rotation.py`` on a worker, each step shown as it is done.

The steps are create, store, test, switch, revoke (``STEPS``). ``on_step`` is called on the worker as a step
begins (so every step before it is done); a relay object living on the GUI thread carries it over through a
queued signal. A stop names the step and says that
the old key still works (the rotation's own sentence); after success the dialog emits ``rotated`` with the
profile's name and the window reconnects with the new key. The new secret never reaches this dialog.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from birdadmin.errors import Explanation
from birdadmin.services.key_journal import journal_rotation
from birdadmin.services.key_rotation import STEPS, RotationResult, rotate_profile_key
from birdadmin.services.tasks import Report
from birdadmin.ui.icons import error_color, icon

if TYPE_CHECKING:
    from birdadmin.ui.context import WindowContext
    from birdadmin.ui.keys_create import Stores

CHANNEL = "access-key-rotate"
STEP_TEXTS = {
    "create": "Create a new key with the same roles",
    "store": "Store it in the keyring",
    "test": "Test it against the server",
    "switch": "Switch the profile to it",
    "revoke": "Revoke the old key",
}


class RotateKeyDialog(QDialog):
    rotated = Signal(str)  # the profile now uses its new key
    finished_rotation = Signal(object)  # the RotationResult (tests wait for it)

    def __init__(self, context: WindowContext, profile_name: str, stores: Stores,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("rotateKeyDialog")
        self.setWindowTitle(self.tr("Rotate this profile's key"))
        self.setModal(True)
        self._context = context
        self.profile_name = profile_name
        self._stores = stores
        self.started_steps: list[str] = []
        self.result_: RotationResult | None = None
        layout = QVBoxLayout(self)
        intro = QLabel(self.tr("Rotate the SCIM key of profile {name}: a new key with the same roles replaces it. If "
                               "any step fails, the rotation stops and the old key keeps working.").format(
                                   name=profile_name), self)
        intro.setTextFormat(Qt.TextFormat.PlainText)
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.steps = QListWidget(self)
        self.steps.setObjectName("rotationSteps")
        self.steps.setAccessibleName(self.tr("Rotation steps"))
        for step in STEPS:
            item = QListWidgetItem(self._step_text(step, self.tr("to do")), self.steps)
            item.setData(Qt.ItemDataRole.UserRole, step)
        layout.addWidget(self.steps)
        self.message = QLabel(self)
        self.message.setObjectName("rotationMessage")
        self.message.setTextFormat(Qt.TextFormat.PlainText)
        self.message.setWordWrap(True)
        layout.addWidget(self.message)
        self.buttons = QDialogButtonBox(self)
        self.start_button = self.buttons.addButton(self.tr("Rotate"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.start_button.setObjectName("rotateStartButton")
        self.close_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Close)
        self.buttons.accepted.connect(self.start)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.setMinimumSize(580, 330)

    def _step_text(self, step: str, state: str) -> str:
        return f"{self.tr(STEP_TEXTS.get(step, step))}: {state}"

    def _item(self, step: str) -> QListWidgetItem | None:
        return next((self.steps.item(i) for i in range(self.steps.count())
                     if self.steps.item(i).data(Qt.ItemDataRole.UserRole) == step), None)

    def start(self) -> None:
        if self._context.runner.busy(CHANNEL) or self.result_ is not None:
            return
        name, stores = self.profile_name, self._stores

        def work(report: Report) -> tuple[RotationResult, str]:  # each step begun is the task's progress
            profiles, secrets = stores()  # (services/tasks.py); the rotation is journaled as it ends
            return journal_rotation(lambda: rotate_profile_key(name, profiles=profiles, secrets=secrets, kind="scim",
                                                               on_step=report), name)

        self.start_button.setEnabled(False)
        self.close_button.setEnabled(False)
        self.message.setText(self.tr("Rotating…"))
        self._context.runner.submit_with_progress(work, channel=CHANNEL, on_progress=self._step_started,
                                                  on_result=self._finished, on_error=self._failed)

    def _step_started(self, step: str) -> None:
        """``step`` begins: the steps before it are done."""
        if step not in STEPS or step in self.started_steps or self.result_ is not None:
            return
        self.started_steps.append(step)
        for earlier in STEPS[:STEPS.index(step)]:
            self._mark_done(earlier)
        item = self._item(step)
        if item is not None:
            item.setText(self._step_text(step, self.tr("in progress…")))

    def _mark_done(self, step: str) -> None:
        item = self._item(step)
        if item is not None:
            item.setText(self._step_text(step, self.tr("done")))

    def _finished(self, outcome: tuple[RotationResult, str]) -> None:
        result, note = outcome  # note: why the journal could not record it (empty: journaled)
        self.result_ = result
        for step in result.completed:
            self._mark_done(step)
        if result.stopped_at is not None:
            item = self._item(result.stopped_at)
            if item is not None:
                item.setText(self._step_text(result.stopped_at, self.tr("stopped here")))
                item.setIcon(icon("error", self.palette(), error_color(self.palette())))
        self.message.setText(f"{result.message} {note}" if note else result.message)
        self.close_button.setEnabled(True)
        self.finished_rotation.emit(result)
        if result.stopped_at is None:
            self.rotated.emit(self.profile_name)

    def _failed(self, explanation: Explanation) -> None:
        # rotate_profile_key reports its own stops; an exception means it could not even start (say, no profile).
        self.message.setText(self.tr("The rotation did not start: {why} The old key still works.").format(
            why=explanation.message))
        self.close_button.setEnabled(True)
        self.start_button.setEnabled(True)
        self.finished_rotation.emit(None)
