"""The profile editor: create or edit one profile, paste a key once, test the connection before trusting it.

Keys go straight to the OS keyring (or, by explicit choice when no keyring is usable, to memory for this
session) and are never shown again. The connection test and every keyring call run on workers through the
dialog's ProfileKeys service (``services/profile_keys.py``); a test result for fields that changed since is
dropped, and OK stays off while a key is on its way to the keyring.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QThreadPool, QTimer, Signal, Slot
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from birdadmin.connection_check import ConnectionReport, check_connection
from birdadmin.errors import BirdadminError, ConfigError, explain
from birdadmin.services.profile_keys import CheckFunction, KeyFailure, ProfileKeys, StoreOutcome
from birdadmin.services.tasks import TaskRunner
from birdadmin.store.profiles import Profile, ProfileStore
from birdadmin.store.secrets import KEY_KINDS, KeyKind, Secrets
from birdadmin.ui.hint_label import error_label
from birdadmin.ui.labels import plain_labels
from birdadmin.ui.profile_form import ADDRESS_FIELDS, ProfileForm
from birdadmin.ui.profile_panels import KeyringPanel, ScrollingText
from birdadmin.ui.profile_texts import report_text

_KEY_FIELDS = ("scim_key_fingerprint", "scim_key_stored_at", "accounts_key_fingerprint", "accounts_key_stored_at")


class ProfileEditDialog(QDialog):
    """Create or edit one profile; saving it (and any new key) happens on OK."""

    testFinished = Signal(object)  # noqa: N815 - Qt naming; ConnectionReport or Explanation

    def __init__(
        self,
        profiles: ProfileStore,
        secrets: Secrets,
        session: Secrets,
        profile: Profile | None = None,
        *,
        pool: QThreadPool | None = None,
        check: CheckFunction = check_connection,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._profiles = profiles
        self._original = profile
        self._check = check
        self._passed: dict[KeyKind, str] = {}  # new keys that passed a test with the current fields
        self._refused: dict[KeyKind, tuple[str, tuple[str, ...]]] = {}  # keys a test refused, with the addresses
        self._pending: list[tuple[KeyKind, str]] = []  # keys the keyring refused, waiting for a decision
        self._others: list[str] | None = None
        self.saved: Profile | None = None
        self.session_only = False
        self.runner = TaskRunner(self, pool=pool or QThreadPool.globalInstance())
        self.keys = ProfileKeys(profiles, secrets, session, self.runner, parent=self)
        self.keys.busyChanged.connect(self._keyring_busy)
        self.setObjectName("profileEditDialog")
        self.setWindowTitle(self.tr("Edit profile") if profile else self.tr("New profile"))
        self._build()
        plain_labels(self)
        self.form.load(profile)
        self._validate()

    def _build(self) -> None:
        self.form = ProfileForm(self)
        self.form.changed.connect(self._fields_changed)
        self.test_button = QPushButton(self.tr("&Test connection"), self)
        self.test_button.setObjectName("testButton")
        self.test_button.setAccessibleName(self.tr("Test connection"))
        self.test_button.clicked.connect(self.start_test)
        self.test_result = ScrollingText(self, "testResult", self.tr("Connection test result"))
        self.form_error = error_label(self, "formError")
        self.keyring_status = QLabel(self)
        self.keyring_status.setObjectName("keyringStatus")
        self.keyring_status.setAccessibleName(self.tr("Keyring status"))
        self.keyring_status.setWordWrap(True)
        self.keyring_status.setVisible(False)
        self.keyring_panel = KeyringPanel(self, self.tr("Use the key for this &session only"), key_field=False)
        self.keyring_panel.chosen.connect(self._use_session_only)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.buttons.setObjectName("buttonBox")
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setObjectName("okButton")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        # Wide enough for a Base URL and for most messages to take one line (the room kept for them while hidden);
        # the dialog grows when one needs more, so nothing is cut off.
        self.setMinimumWidth(self.fontMetrics().averageCharWidth() * 115)
        layout = QVBoxLayout(self)
        layout.addWidget(self.form)
        test_row = QHBoxLayout()
        test_row.addWidget(self.test_button)
        test_row.addStretch(1)
        layout.addLayout(test_row)
        for widget in (self.test_result, self.form_error, self.keyring_status, self.keyring_panel, self.buttons):
            layout.addWidget(widget)

    # state ---------------------------------------------------------------------------------------------------

    def _current_stored(self) -> Profile | None:
        return self.saved or self._original

    def _other_names(self) -> list[str]:
        # Read once per dialog, not per keystroke; the store re-checks uniqueness when saving anyway.
        if self._others is None:
            stored = self._current_stored()
            try:
                self._others = [p.name for p in self._profiles.list() if stored is None or p.id != stored.id]
            except ConfigError:
                self._others = []
        return self._others

    def typed_key(self, kind: KeyKind) -> str:
        return self.form.typed_key(kind)

    def _addresses(self) -> tuple[str, ...]:
        form = self.form
        return tuple(edit.text().strip() for edit in (form.base_url_edit, form.accounts_url_edit, form.org_id_edit,
                                                       form.ca_bundle_edit))

    def problems(self) -> dict[str, str]:
        problems = self.form.problems(self._current_stored(), self._other_names(), self._passed)
        for kind in KEY_KINDS:
            # A key the server refused, for these same addresses, is not saved (new profile or not).
            key, field_name = self.typed_key(kind), f"{kind}_key"
            if key and field_name not in problems and self._refused.get(kind) == (key, self._addresses()):
                problems[field_name] = self.tr(
                    "The connection test refused this key: paste the right key, or clear it to save without it."
                )
        return problems

    def _validate(self) -> bool:
        problems = self.problems()
        self.form.show_problems(problems)
        QTimer.singleShot(0, self, self._fit_height)
        self.ok_button.setEnabled(not problems and not self.keys.busy)
        self.test_button.setEnabled(not (problems.keys() & ADDRESS_FIELDS) and not self.keys.testing())
        return not problems

    @Slot()
    def _fields_changed(self) -> None:
        self._passed.clear()
        if self.keys.testing():  # a running test now describes old fields; its result will be dropped
            self.keys.drop_test()
            self.test_result.setText(self.tr("The fields changed during the test; test again."))
        self.keyring_panel.setVisible(False)
        self.form_error.setVisible(False)
        self._validate()

    # connection test -----------------------------------------------------------------------------------------

    @Slot()
    def start_test(self) -> None:
        if self.problems().keys() & ADDRESS_FIELDS:
            return
        typed: dict[str, str] = {kind: self.typed_key(kind) for kind in KEY_KINDS}
        stored = self._current_stored()
        self.keys.test_connection(self.form.profile_from_fields(stored), stored, typed, self._check,
                                  self._test_finished, keep_stored=self.form.keep_keys_check.isChecked())
        self.test_button.setEnabled(False)
        self.test_result.setText(self.tr("Testing…"))

    def _test_finished(self, report: ConnectionReport | None, failure: KeyFailure | None) -> None:
        if report is not None:
            self.test_result.setText(report_text(self, report))
            if report.key_accepted and self.typed_key("scim"):
                self._passed["scim"] = self.typed_key("scim")
            if report.accounts_key_accepted and self.typed_key("accounts"):
                self._passed["accounts"] = self.typed_key("accounts")
            for kind, accepted in (("scim", report.key_accepted), ("accounts", report.accounts_key_accepted)):
                if accepted is False and self.typed_key(kind):
                    self._refused[kind] = (self.typed_key(kind), self._addresses())
            self.testFinished.emit(report)
        else:
            assert failure is not None
            self.test_result.setText(failure.message)
            self.testFinished.emit(failure.explanation)
        self._validate()

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt override
        super().showEvent(event)
        # Once the messages know their real width: as tall as the fields need, no taller (before showing, Qt
        # measures the dialog at a narrower width, where they wrap more).
        QTimer.singleShot(0, self, self._fit_shown)

    def _fit_shown(self) -> None:
        self._fit_height(shrink=True)

    def _fit_height(self, *, shrink: bool = False) -> None:
        """Grow to what the messages and the result need at this width (a dialog does not do so by itself)."""
        layout = self.layout()
        if not self.isVisible():
            return  # the first showing sizes it
        needed = layout.totalHeightForWidth(self.width()) if layout.hasHeightForWidth() else self.sizeHint().height()
        if needed > self.height() or (shrink and needed < self.height()):
            self.resize(self.width(), needed)

    # saving --------------------------------------------------------------------------------------------------

    def _save(self) -> None:
        if not self._validate():
            return
        stored = self._current_stored()
        profile = self.form.profile_from_fields(stored)
        try:
            if stored:
                # Keys may have been rotated or forgotten elsewhere while this dialog was open: keep the file's
                # fingerprints rather than writing back the ones this dialog was opened with.
                current = self._profiles.get_by_id(stored.id)
                profile = profile.model_copy(update={name: getattr(current, name) for name in _KEY_FIELDS})
            saved = self._profiles.update(profile) if stored else self._profiles.add(profile)
        except BirdadminError as exc:
            self._others = None  # another window may have added a profile with this name
            self._show_form_error(exc)
            return
        self.saved = saved
        self._pending = [(kind, self.typed_key(kind)) for kind in KEY_KINDS if self.typed_key(kind)]
        self._store_pending_keys()

    def accept(self) -> None:
        if self.keys.busy:
            return  # the keys of the last OK are still on their way to the keyring
        self._save()

    def _store_pending_keys(self) -> None:
        """Store the typed keys on a worker (the profile file itself is already written)."""
        if not self._pending:
            self.form.clear_typed_keys()
            QDialog.accept(self)
            return
        assert self.saved is not None
        self.keys.store_keys(self.saved, list(self._pending), self._keys_stored)

    def _keys_stored(self, outcome: StoreOutcome | None, failure: KeyFailure | None) -> None:
        if outcome is not None:
            self.saved, failure = outcome.profile, outcome.failure
            del self._pending[:outcome.stored]
        self.form.show_key_info(self._current_stored())
        if failure is None:
            self.form.clear_typed_keys()
            QDialog.accept(self)
        elif failure.keyring:
            self.keyring_panel.show_problem(
                self.tr("{message}\nThe profile is saved; its key is not.").format(message=failure.message)
            )
        else:
            self.form_error.setText(failure.message)
            self.form_error.setVisible(True)

    @Slot(bool)
    def _keyring_busy(self, busy: bool) -> None:
        self.keyring_status.setText(self.tr("Saving the key in the keyring…") if busy else "")
        self.keyring_status.setVisible(busy)
        self.keyring_panel.button.setEnabled(not busy)
        self._validate()

    def done(self, result: int) -> None:
        self.keys.drop()  # closed meanwhile (Cancel): a late answer must not accept the dialog again
        self.keys.drop_test()
        super().done(result)

    def _show_form_error(self, exc: BaseException) -> None:
        self.form_error.setText(explain(exc).message)
        self.form_error.setVisible(True)

    @Slot()
    def _use_session_only(self, *_: Any) -> None:
        assert self.saved is not None
        for kind, key in self._pending:
            self.keys.session.set(self.saved.id, kind, key)
        self._pending.clear()
        self.session_only = True
        self.form.clear_typed_keys()
        QDialog.accept(self)
