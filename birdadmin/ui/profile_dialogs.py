"""Profile manager and profile editor: pick an organization in one click, paste a key once.

Keys are typed into password fields, go straight to the OS keyring (or, by explicit choice when no keyring is
usable, to memory for this session) and are never shown again: the dialogs show a fingerprint and a date.
"Test connection" runs in a worker thread; a result for fields that changed since is dropped (generation token).
Every keyring call (store, read, forget) runs on a worker too: a locked Secret Service may put up an unlock prompt
and a D-Bus call may hang, and the window must keep painting meanwhile. The buttons that would start another
keyring call are disabled until the answer arrives.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from birdadmin.connection_check import ConnectionReport, check_connection
from birdadmin.errors import (
    BirdadminError,
    ConfigError,
    Explanation,
    InputError,
    SecretStoreError,
    explain,
)
from birdadmin.net.urls import org_id_from_url
from birdadmin.scim.resources import RolesShape, RoleStrategy
from birdadmin.store.keys import ResolvedKeys, forget_key, remove_profile, resolve_keys, store_key
from birdadmin.store.profiles import (
    MAX_TIMEOUT,
    MIN_TIMEOUT,
    Profile,
    ProfileStore,
    validate_profile_fields,
)
from birdadmin.store.secrets import (
    KEY_KINDS,
    KeyKind,
    Secrets,
    SecretStore,
    SessionSecrets,
    clean_key,
)
from birdadmin.ui.profile_list_model import ProfileListModel, ProfileRole

log = logging.getLogger(__name__)

CheckFunction = Callable[[Profile, str | None, str | None], ConnectionReport]
_KEY_FIELDS = ("scim_key_fingerprint", "scim_key_stored_at", "accounts_key_fingerprint", "accounts_key_stored_at")


# -- background work (keyring calls, the connection test) ------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Failure:
    """How background work failed: the plain sentence, and whether the keyring itself was the problem (then the
    dialog offers the key for this session only). Made on the worker, so no traceback (and no frame holding a key)
    crosses to the GUI thread."""

    explanation: Explanation
    keyring: bool

    @property
    def message(self) -> str:
        return self.explanation.message


class _JobRelay(QObject):
    """Carries a worker's outcome to the GUI thread (queued), tagged with the job's number (or generation)."""

    finished = Signal(int, object, object)  # job, result | None, _Failure | None


class _JobTask(QRunnable):
    def __init__(self, job: int, relay: _JobRelay, work: Callable[[], Any]) -> None:
        super().__init__()
        self._job = job
        self._relay = relay  # a strong reference: the relay outlives a closed dialog until this task ends
        self._work = work

    def run(self) -> None:
        try:
            result, failure = self._work(), None
        except Exception as exc:  # noqa: BLE001 - every failure becomes a sentence in the dialog
            result, failure = None, _Failure(explain(exc), isinstance(exc, SecretStoreError))
        try:
            self._relay.finished.emit(self._job, result, failure)
        except RuntimeError:  # the relay was deleted with its application; nobody is listening any more
            log.debug("a keyring call finished after its dialog was gone")


class _KeyringJobs(QObject):
    """One keyring call at a time per dialog, on the dialog's pool; the answer comes back on the GUI thread.

    ``busyChanged`` drives the dialog's buttons; ``drop()`` (when the dialog closes) makes a late answer be
    ignored, so a dialog that was cancelled meanwhile is never accepted by it.
    """

    busyChanged = Signal(bool)  # noqa: N815 - Qt naming
    done = Signal()  # an answer was handled (tests and callers wait on it)

    def __init__(self, pool: QThreadPool, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._pool = pool
        self._job = 0
        self._handler: Callable[[Any, _Failure | None], None] | None = None
        self._relay = _JobRelay()
        self._relay.finished.connect(self._finished)

    @property
    def busy(self) -> bool:
        return self._handler is not None

    def start(self, work: Callable[[], Any], handler: Callable[[Any, _Failure | None], None]) -> bool:
        """Run ``work`` on a worker and ``handler(result, failure)`` here afterwards; False while one is running."""
        if self._handler is not None:
            return False
        self._job += 1
        self._handler = handler
        self.busyChanged.emit(True)
        self._pool.start(_JobTask(self._job, self._relay, work))
        return True

    def drop(self) -> None:
        """Forget the running job: its answer will be ignored."""
        if self._handler is not None:
            self._job += 1
            self._handler = None
            self.busyChanged.emit(False)

    @Slot(int, object, object)
    def _finished(self, job: int, result: Any, failure: _Failure | None) -> None:
        if job != self._job or self._handler is None:
            return
        handler, self._handler = self._handler, None
        self.busyChanged.emit(False)
        try:
            handler(result, failure)
        finally:
            self.done.emit()


def _fingerprint_text(widget: QWidget, fingerprint: str | None, stored_at: datetime | None) -> str:
    if not fingerprint:
        return widget.tr("No key stored.")
    when = stored_at.astimezone().strftime("%Y-%m-%d %H:%M") if stored_at else widget.tr("unknown date")
    return widget.tr("Stored key ends {fingerprint} (saved {when}). Leave empty to keep it.").format(
        fingerprint=fingerprint, when=when
    )


def report_text(widget: QWidget, report: ConnectionReport) -> str:
    """The plain result of a connection test, one fact per line."""
    lines = report.lines()
    if not report.ok:
        verdict = widget.tr("Connection test failed.")
    elif report.reachable is None and report.accounts_reachable is None:
        # Nothing was sent (no key for either side): "works" would be a claim nobody checked.
        verdict = widget.tr("Nothing was tested: enter a key to test the connection.")
    else:
        verdict = widget.tr("Connection works.")
    return "\n".join([verdict, *lines])


# -- the editor ------------------------------------------------------------------------------------------------


class ProfileEditDialog(QDialog):
    """Create or edit one profile; saving it (and any new key) happens on OK."""

    testFinished = Signal(object)  # noqa: N815 - Qt naming; ConnectionReport or Explanation

    def __init__(
        self,
        profiles: ProfileStore,
        secrets: Secrets,
        session: SessionSecrets,
        profile: Profile | None = None,
        *,
        pool: QThreadPool | None = None,
        check: CheckFunction = check_connection,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._profiles = profiles
        self._secrets = secrets
        self._session = session
        self._original = profile
        self._pool = pool or QThreadPool.globalInstance()
        self._check = check
        self._generation = 0
        self._testing = False
        self._passed: dict[KeyKind, str] = {}  # new keys that passed a test with the current fields
        self._pending: list[tuple[KeyKind, str]] = []  # keys the keyring refused, waiting for a decision
        self._org_auto = ""
        self.saved: Profile | None = None
        self.session_only = False
        self._others: list[str] | None = None
        self._relay = _JobRelay()
        self._relay.finished.connect(self._on_test_finished)
        self.keyring_jobs = _KeyringJobs(self._pool, self)
        self.keyring_jobs.busyChanged.connect(self._keyring_busy)
        self.setObjectName("profileEditDialog")
        self.setWindowTitle(self.tr("Edit profile") if profile else self.tr("New profile"))
        self._build()
        self._load(profile)
        self._validate()

    # building ------------------------------------------------------------------------------------------------

    def _line(self, name: str, accessible: str, placeholder: str = "") -> QLineEdit:
        edit = QLineEdit(self)
        edit.setObjectName(name)
        edit.setAccessibleName(accessible)
        edit.setPlaceholderText(placeholder)
        edit.textChanged.connect(self._fields_changed)
        return edit

    def _error_label(self, name: str) -> QLabel:
        label = QLabel(self)
        label.setObjectName(name)
        label.setWordWrap(True)
        label.setStyleSheet("color: #b00020;")
        label.setVisible(False)
        return label

    def _build(self) -> None:
        form = QFormLayout()
        self.name_edit = self._line("nameEdit", self.tr("Profile name"), self.tr("e.g. Production"))
        self.name_error = self._error_label("nameError")
        form.addRow(self.tr("&Name:"), self.name_edit)
        form.addRow("", self.name_error)

        self.base_url_edit = self._line(
            "baseUrlEdit", self.tr("SCIM Base URL"), "https://api.bird.com/organizations/…/scim/v2"
        )
        self.base_url_edit.setToolTip(self.tr("Paste it exactly as Bird's SCIM settings page shows it."))
        self.base_url_edit.textChanged.connect(self._base_url_changed)
        self.base_url_error = self._error_label("baseUrlError")
        form.addRow(self.tr("SCIM &Base URL:"), self.base_url_edit)
        form.addRow("", self.base_url_error)

        self.accounts_url_edit = self._line(
            "accountsUrlEdit", self.tr("Accounts API URL"), self.tr("optional, e.g. https://api.bird.com")
        )
        self.accounts_url_error = self._error_label("accountsUrlError")
        form.addRow(self.tr("&Accounts API URL:"), self.accounts_url_edit)
        form.addRow("", self.accounts_url_error)

        self.org_id_edit = self._line("orgIdEdit", self.tr("Organization ID"), self.tr("read from the Base URL"))
        self.org_id_error = self._error_label("orgIdError")
        form.addRow(self.tr("&Organization ID:"), self.org_id_edit)
        form.addRow("", self.org_id_error)

        self.roles_shape_combo = QComboBox(self)
        self.roles_shape_combo.setObjectName("rolesShapeCombo")
        self.roles_shape_combo.setAccessibleName(self.tr("Roles wire shape"))
        self.roles_shape_combo.addItem(self.tr("String array (Bird)"), RolesShape.STRINGS)
        self.roles_shape_combo.addItem(self.tr("Complex objects (RFC 7643)"), RolesShape.COMPLEX)
        self.roles_shape_combo.currentIndexChanged.connect(self._fields_changed)
        form.addRow(self.tr("&Roles shape:"), self.roles_shape_combo)

        self.role_strategy_combo = QComboBox(self)
        self.role_strategy_combo.setObjectName("roleStrategyCombo")
        self.role_strategy_combo.setAccessibleName(self.tr("Role-change strategy"))
        self.role_strategy_combo.addItem(self.tr("Replace the whole array (PATCH)"), RoleStrategy.REPLACE)
        self.role_strategy_combo.addItem(self.tr("Add and remove the difference (PATCH)"), RoleStrategy.ADD_REMOVE)
        self.role_strategy_combo.addItem(self.tr("Full PUT of the user"), RoleStrategy.PUT)
        self.role_strategy_combo.currentIndexChanged.connect(self._fields_changed)
        form.addRow(self.tr("Role &changes:"), self.role_strategy_combo)

        self.ca_bundle_edit = self._line("caBundleEdit", self.tr("CA bundle file"), self.tr("optional PEM file"))
        self.ca_bundle_browse = QPushButton(self.tr("Browse…"), self)
        self.ca_bundle_browse.setObjectName("caBundleBrowse")
        self.ca_bundle_browse.setAccessibleName(self.tr("Choose a CA bundle file"))
        self.ca_bundle_browse.clicked.connect(self._browse_ca_bundle)
        ca_row = QHBoxLayout()
        ca_row.addWidget(self.ca_bundle_edit, 1)
        ca_row.addWidget(self.ca_bundle_browse)
        self.ca_bundle_error = self._error_label("caBundleError")
        form.addRow(self.tr("CA b&undle:"), ca_row)
        form.addRow("", self.ca_bundle_error)

        self.timeout_spin = QDoubleSpinBox(self)
        self.timeout_spin.setObjectName("timeoutSpin")
        self.timeout_spin.setAccessibleName(self.tr("Timeout in seconds"))
        self.timeout_spin.setRange(MIN_TIMEOUT, MAX_TIMEOUT)
        self.timeout_spin.setDecimals(0)
        self.timeout_spin.setSuffix(self.tr(" s"))
        self.timeout_spin.valueChanged.connect(self._fields_changed)
        form.addRow(self.tr("&Timeout:"), self.timeout_spin)

        self.read_only_check = QCheckBox(self.tr("Read-only: this profile can never change anything"), self)
        self.read_only_check.setObjectName("readOnlyCheck")
        self.read_only_check.setAccessibleName(self.tr("Read-only profile"))
        self.read_only_check.toggled.connect(self._fields_changed)
        form.addRow("", self.read_only_check)

        self.scim_key_edit = self._line("scimKeyEdit", self.tr("SCIM access key"), self.tr("paste the key once"))
        self.scim_key_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.scim_key_info = QLabel(self)
        self.scim_key_info.setObjectName("scimKeyInfo")
        self.scim_key_error = self._error_label("scimKeyError")
        form.addRow(self.tr("SCIM access &key:"), self.scim_key_edit)
        form.addRow("", self.scim_key_info)
        form.addRow("", self.scim_key_error)

        self.accounts_key_edit = self._line(
            "accountsKeyEdit", self.tr("Accounts API key"), self.tr("optional: role names and group roles")
        )
        self.accounts_key_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.accounts_key_info = QLabel(self)
        self.accounts_key_info.setObjectName("accountsKeyInfo")
        self.accounts_key_error = self._error_label("accountsKeyError")
        form.addRow(self.tr("Accounts API ke&y:"), self.accounts_key_edit)
        form.addRow("", self.accounts_key_info)
        form.addRow("", self.accounts_key_error)

        self.test_button = QPushButton(self.tr("&Test connection"), self)
        self.test_button.setObjectName("testButton")
        self.test_button.setAccessibleName(self.tr("Test connection"))
        self.test_button.clicked.connect(self.start_test)
        self.test_result = QLabel(self)
        self.test_result.setObjectName("testResult")
        self.test_result.setAccessibleName(self.tr("Connection test result"))
        self.test_result.setWordWrap(True)

        self.form_error = self._error_label("formError")

        self.keyring_status = QLabel(self)
        self.keyring_status.setObjectName("keyringStatus")
        self.keyring_status.setAccessibleName(self.tr("Keyring status"))
        self.keyring_status.setWordWrap(True)
        self.keyring_status.setVisible(False)

        self.keyring_panel = QWidget(self)
        self.keyring_panel.setObjectName("keyringPanel")
        panel = QVBoxLayout(self.keyring_panel)
        panel.setContentsMargins(0, 0, 0, 0)
        self.keyring_error = QLabel(self.keyring_panel)
        self.keyring_error.setObjectName("keyringError")
        self.keyring_error.setWordWrap(True)
        self.session_only_button = QPushButton(self.tr("Use the key for this &session only"), self.keyring_panel)
        self.session_only_button.setObjectName("sessionOnlyButton")
        self.session_only_button.setAccessibleName(self.tr("Use the key for this session only"))
        self.session_only_button.clicked.connect(self._use_session_only)
        panel.addWidget(self.keyring_error)
        panel.addWidget(self.session_only_button)
        self.keyring_panel.setVisible(False)

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.buttons.setObjectName("buttonBox")
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setObjectName("okButton")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addLayout(form)
        test_row = QHBoxLayout()
        test_row.addWidget(self.test_button)
        test_row.addStretch(1)
        layout.addLayout(test_row)
        layout.addWidget(self.test_result)
        layout.addWidget(self.form_error)
        layout.addWidget(self.keyring_status)
        layout.addWidget(self.keyring_panel)
        layout.addWidget(self.buttons)

    def _load(self, profile: Profile | None) -> None:
        widgets = (self.name_edit, self.base_url_edit, self.accounts_url_edit, self.org_id_edit,
                   self.ca_bundle_edit, self.timeout_spin, self.read_only_check, self.roles_shape_combo,
                   self.role_strategy_combo)
        for widget in widgets:
            widget.blockSignals(True)
        try:
            if profile is None:
                self.timeout_spin.setValue(30)
                self.roles_shape_combo.setCurrentIndex(0)
                self.role_strategy_combo.setCurrentIndex(0)
            else:
                self.name_edit.setText(profile.name)
                self.base_url_edit.setText(profile.base_url)
                self.accounts_url_edit.setText(profile.accounts_url or "")
                self.org_id_edit.setText(profile.org_id or "")
                self.ca_bundle_edit.setText(profile.ca_bundle or "")
                self.timeout_spin.setValue(profile.timeout)
                self.read_only_check.setChecked(profile.read_only)
                self.roles_shape_combo.setCurrentIndex(self.roles_shape_combo.findData(profile.roles_shape))
                self.role_strategy_combo.setCurrentIndex(self.role_strategy_combo.findData(profile.role_strategy))
                self._org_auto = org_id_from_url(profile.base_url) or ""
        finally:
            for widget in widgets:
                widget.blockSignals(False)
        self._show_key_info()

    def _show_key_info(self) -> None:
        profile = self._current_stored()
        self.scim_key_info.setText(
            _fingerprint_text(self, profile.scim_key_fingerprint if profile else None,
                              profile.scim_key_stored_at if profile else None)
        )
        self.accounts_key_info.setText(
            _fingerprint_text(self, profile.accounts_key_fingerprint if profile else None,
                              profile.accounts_key_stored_at if profile else None)
        )

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

    # reacting ------------------------------------------------------------------------------------------------

    @Slot(str)
    def _base_url_changed(self, text: str) -> None:
        # Follow the Base URL while the org ID field holds what was read from it (or nothing); once the user
        # typed their own, leave it alone.
        parsed = org_id_from_url(text) or ""
        if self.org_id_edit.text().strip() in ("", self._org_auto):
            self.org_id_edit.setText(parsed)
        self._org_auto = parsed

    @Slot()
    def _fields_changed(self, *_: Any) -> None:
        self._generation += 1  # a running test now describes old fields; its result will be dropped
        self._passed.clear()
        if self._testing:
            self._testing = False
            self.test_result.setText(self.tr("The fields changed during the test; test again."))
        self.keyring_panel.setVisible(False)
        self.form_error.setVisible(False)
        self._validate()

    @Slot()
    def _browse_ca_bundle(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, self.tr("Choose a CA bundle"), self.ca_bundle_edit.text(),
            self.tr("Certificates (*.pem *.crt *.cer);;All files (*)"),
        )
        if path:
            self.ca_bundle_edit.setText(path)

    # validation ----------------------------------------------------------------------------------------------

    def typed_key(self, kind: KeyKind) -> str:
        edit = self.scim_key_edit if kind == "scim" else self.accounts_key_edit
        return edit.text().strip()

    def problems(self) -> dict[str, str]:
        """Field -> message, the same sentences the CLI prints, plus the dialog's own key rules."""
        stored = self._current_stored()
        others = self._other_names()
        ca_bundle = self.ca_bundle_edit.text().strip() or None
        if stored is not None and ca_bundle == stored.ca_bundle:
            ca_bundle = None  # unchanged: a vanished file is reported by the connection test instead
        problems = validate_profile_fields(
            self.name_edit.text(),
            self.base_url_edit.text(),
            self.accounts_url_edit.text().strip() or None,
            ca_bundle,
            self.timeout_spin.value(),
            others,
            org_id=self.org_id_edit.text().strip() or None,
        )
        for kind in KEY_KINDS:
            key = self.typed_key(kind)
            if not key:
                continue
            field_name = f"{kind}_key"
            try:
                clean_key(key, kind)
            except InputError as exc:
                problems[field_name] = exc.message
                continue
            if kind == "accounts" and not self.accounts_url_edit.text().strip():
                problems[field_name] = self.tr("Enter the Accounts API URL for this key, or clear the key.")
            elif stored is not None and stored.has_key(kind) and self._passed.get(kind) != key:
                problems[field_name] = self.tr(
                    "Press Test connection: a new key replaces the stored one only after it works."
                )
        return problems

    def _validate(self) -> bool:
        problems = self.problems()
        labels = {
            "name": self.name_error,
            "base_url": self.base_url_error,
            "accounts_url": self.accounts_url_error,
            "org_id": self.org_id_error,
            "ca_bundle": self.ca_bundle_error,
            "scim_key": self.scim_key_error,
            "accounts_key": self.accounts_key_error,
        }
        for name, label in labels.items():
            message = problems.get(name, "")
            label.setText(message)
            label.setVisible(bool(message))
        self.ok_button.setEnabled(not problems and not self.keyring_jobs.busy)
        can_test = not (problems.keys() & {"base_url", "accounts_url", "org_id", "ca_bundle"})
        self.test_button.setEnabled(can_test and not self._testing)
        return not problems

    def profile_from_fields(self) -> Profile:
        """A Profile from the fields, keeping the stored id and key fingerprints."""
        stored = self._current_stored()
        data: dict[str, Any] = stored.model_dump() if stored else {}
        data.update(
            name=self.name_edit.text().strip(),
            base_url=self.base_url_edit.text().strip(),
            accounts_url=self.accounts_url_edit.text().strip() or None,
            org_id=self.org_id_edit.text().strip() or None,
            roles_shape=self.roles_shape_combo.currentData(),
            role_strategy=self.role_strategy_combo.currentData(),
            ca_bundle=self.ca_bundle_edit.text().strip() or None,
            timeout=float(self.timeout_spin.value()),
            read_only=self.read_only_check.isChecked(),
        )
        return Profile.model_validate(data)

    # connection test -----------------------------------------------------------------------------------------

    @Slot()
    def start_test(self) -> None:
        problems = self.problems()
        if problems.keys() & {"base_url", "accounts_url", "org_id", "ca_bundle"}:
            return
        profile = self.profile_from_fields()
        stored = self._current_stored()
        typed = {kind: self.typed_key(kind) for kind in KEY_KINDS}
        secrets, session, check = self._secrets, self._session, self._check

        def work() -> ConnectionReport:
            # The stored profile's id finds its session and keyring keys; the fields decide the rest.
            owner = profile if stored is None else profile.model_copy(
                update={"id": stored.id, "scim_key_fingerprint": stored.scim_key_fingerprint,
                        "accounts_key_fingerprint": stored.accounts_key_fingerprint})
            keys = resolve_keys(owner, secrets if stored is not None else None, session=session, typed=typed)
            return check(profile, keys.scim, keys.accounts)

        self._generation += 1
        self._testing = True
        self.test_button.setEnabled(False)
        self.test_result.setText(self.tr("Testing…"))
        self._pool.start(_JobTask(self._generation, self._relay, work))

    @Slot(int, object, object)
    def _on_test_finished(self, generation: int, report: ConnectionReport | None, failure: _Failure | None) -> None:
        if generation != self._generation:
            return  # the fields changed since this test started
        self._testing = False
        if report is not None:
            self.test_result.setText(report_text(self, report))
            if report.key_accepted and self.typed_key("scim"):
                self._passed["scim"] = self.typed_key("scim")
            if report.accounts_key_accepted and self.typed_key("accounts"):
                self._passed["accounts"] = self.typed_key("accounts")
            self.testFinished.emit(report)
        else:
            assert failure is not None
            self.test_result.setText(failure.message)
            self.testFinished.emit(failure.explanation)
        self._validate()

    # saving --------------------------------------------------------------------------------------------------

    def _save(self) -> None:
        if not self._validate():
            return
        profile = self.profile_from_fields()
        stored = self._current_stored()
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
        if self.keyring_jobs.busy:
            return  # the keys of the last OK are still on their way to the keyring
        self._save()

    def _store_pending_keys(self) -> None:
        """Store the typed keys on a worker (the profile file itself is already written)."""
        if not self._pending:
            self._clear_typed_keys()
            QDialog.accept(self)
            return
        assert self.saved is not None
        profiles, secrets, profile, pending = self._profiles, self._secrets, self.saved, list(self._pending)

        def work() -> tuple[Profile, int, _Failure | None]:
            current, stored = profile, 0
            try:
                for kind, key in pending:
                    current = store_key(profiles, secrets, current, kind, key)
                    stored += 1
            except Exception as exc:  # noqa: BLE001 - the keys stored so far must still be recorded
                return current, stored, _Failure(explain(exc), isinstance(exc, SecretStoreError))
            return current, stored, None

        self.keyring_jobs.start(work, self._keys_stored)

    def _keys_stored(self, outcome: tuple[Profile, int, _Failure | None] | None, failure: _Failure | None) -> None:
        if outcome is not None:
            self.saved, stored, failure = outcome
            del self._pending[:stored]
        self._show_key_info()
        if failure is None:
            self._clear_typed_keys()
            QDialog.accept(self)
        elif failure.keyring:
            self.keyring_error.setText(
                self.tr("{message}\nThe profile is saved; its key is not.").format(message=failure.message)
            )
            self.keyring_panel.setVisible(True)
        else:
            self.form_error.setText(failure.message)
            self.form_error.setVisible(True)

    @Slot(bool)
    def _keyring_busy(self, busy: bool) -> None:
        self.keyring_status.setText(self.tr("Saving the key in the keyring…") if busy else "")
        self.keyring_status.setVisible(busy)
        self.session_only_button.setEnabled(not busy)
        self._validate()

    def done(self, result: int) -> None:
        self.keyring_jobs.drop()  # closed meanwhile (Cancel): a late answer must not accept the dialog again
        super().done(result)

    def _clear_typed_keys(self) -> None:
        # Once stored, a key has no business staying in a widget's memory for the rest of the dialog's life.
        for edit in (self.scim_key_edit, self.accounts_key_edit):
            edit.blockSignals(True)
            try:
                edit.clear()
            finally:
                edit.blockSignals(False)

    def _show_form_error(self, exc: BaseException) -> None:
        self.form_error.setText(explain(exc).message)
        self.form_error.setVisible(True)

    @Slot()
    def _use_session_only(self) -> None:
        assert self.saved is not None
        for kind, key in self._pending:
            self._session.set(self.saved.id, kind, key)
        self._pending.clear()
        self.session_only = True
        self._clear_typed_keys()
        QDialog.accept(self)


# -- the manager -----------------------------------------------------------------------------------------------


@dataclass
class ConnectionChoice:
    """What the main window connects with; the keys stay out of repr and logs."""

    profile: Profile
    scim_key: str = field(repr=False)
    accounts_key: str | None = field(default=None, repr=False)
    session_only: bool = False


class ProfileManagerDialog(QDialog):
    """List, create, edit, duplicate, delete profiles and connect with one."""

    def __init__(
        self,
        profiles: ProfileStore,
        secrets: Secrets | None = None,
        session: SessionSecrets | None = None,
        *,
        pool: QThreadPool | None = None,
        check: CheckFunction = check_connection,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._profiles = profiles
        self._secrets: Secrets = secrets if secrets is not None else SecretStore()
        self._session = session if session is not None else SessionSecrets()
        self._pool = pool
        self._check = check
        self.choice: ConnectionChoice | None = None
        self.editor: ProfileEditDialog | None = None
        self._file_broken = False
        self.keyring_jobs = _KeyringJobs(pool or QThreadPool.globalInstance(), self)
        self.keyring_jobs.busyChanged.connect(self._keyring_busy)
        self.setObjectName("profileManagerDialog")
        self.setWindowTitle(self.tr("Connection profiles"))
        self._build()
        self.reload(select_name=self._safe_last_used())

    def _button(self, name: str, text: str, accessible: str, slot: Callable[[], None]) -> QPushButton:
        button = QPushButton(text, self)
        button.setObjectName(name)
        button.setAccessibleName(accessible)
        button.clicked.connect(slot)
        return button

    def _build(self) -> None:
        self.model = ProfileListModel(self)
        self.list_view = QListView(self)
        self.list_view.setObjectName("profileList")
        self.list_view.setAccessibleName(self.tr("Connection profiles"))
        self.list_view.setModel(self.model)
        self.list_view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.list_view.selectionModel().currentChanged.connect(self._selection_changed)
        self.list_view.doubleClicked.connect(self.connect_selected)

        self.details = QLabel(self)
        self.details.setObjectName("profileDetails")
        self.details.setAccessibleName(self.tr("Profile details"))
        self.details.setWordWrap(True)

        self.status = QLabel(self)
        self.status.setObjectName("statusLabel")
        self.status.setWordWrap(True)

        self.file_problem = QWidget(self)
        self.file_problem.setObjectName("fileProblemPanel")
        file_layout = QVBoxLayout(self.file_problem)
        file_layout.setContentsMargins(0, 0, 0, 0)
        self.file_problem_label = QLabel(self.file_problem)
        self.file_problem_label.setObjectName("fileProblemLabel")
        self.file_problem_label.setWordWrap(True)
        self.start_fresh_button = self._button(
            "startFreshButton", self.tr("Start with an empty list (the old file is kept as a copy)"),
            self.tr("Start with an empty profile list"), self._start_fresh,
        )
        file_layout.addWidget(self.file_problem_label)
        file_layout.addWidget(self.start_fresh_button)
        self.file_problem.setVisible(False)

        self.keyring_panel = QWidget(self)
        self.keyring_panel.setObjectName("keyringPanel")
        keyring_layout = QVBoxLayout(self.keyring_panel)
        keyring_layout.setContentsMargins(0, 0, 0, 0)
        self.keyring_error = QLabel(self.keyring_panel)
        self.keyring_error.setObjectName("keyringError")
        self.keyring_error.setWordWrap(True)
        self.session_key_edit = QLineEdit(self.keyring_panel)
        self.session_key_edit.setObjectName("sessionKeyEdit")
        self.session_key_edit.setAccessibleName(self.tr("SCIM access key for this session"))
        self.session_key_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.session_key_edit.setPlaceholderText(self.tr("paste the SCIM access key"))
        self.session_only_button = QPushButton(self.tr("Use for this &session only"), self.keyring_panel)
        self.session_only_button.setObjectName("sessionOnlyButton")
        self.session_only_button.setAccessibleName(self.tr("Use the key for this session only"))
        self.session_only_button.clicked.connect(self._connect_session_only)
        keyring_layout.addWidget(self.keyring_error)
        keyring_layout.addWidget(self.session_key_edit)
        keyring_layout.addWidget(self.session_only_button)
        self.keyring_panel.setVisible(False)

        self.new_button = self._button("newButton", self.tr("&New…"), self.tr("New profile"), self.new_profile)
        self.edit_button = self._button("editButton", self.tr("&Edit…"), self.tr("Edit profile"), self.edit_selected)
        self.duplicate_button = self._button(
            "duplicateButton", self.tr("D&uplicate"), self.tr("Duplicate profile"), self.duplicate_selected
        )
        self.delete_button = self._button(
            "deleteButton", self.tr("&Delete…"), self.tr("Delete profile"), self.delete_selected
        )
        self.forget_button = self._button(
            "forgetKeysButton", self.tr("&Forget keys…"), self.tr("Forget stored keys"), self.forget_selected
        )
        self.connect_button = self._button(
            "connectButton", self.tr("&Connect"), self.tr("Connect with this profile"), self.connect_selected
        )
        self.connect_button.setDefault(True)
        self.close_button = self._button("closeButton", self.tr("Close"), self.tr("Close"), self.reject)

        side = QVBoxLayout()
        for button in (self.new_button, self.edit_button, self.duplicate_button, self.delete_button,
                       self.forget_button):
            side.addWidget(button)
        side.addStretch(1)
        top = QHBoxLayout()
        left = QVBoxLayout()
        left.addWidget(self.list_view, 1)
        left.addWidget(self.details)
        top.addLayout(left, 1)
        top.addLayout(side)
        bottom = QHBoxLayout()
        bottom.addStretch(1)
        bottom.addWidget(self.connect_button)
        bottom.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.file_problem)
        layout.addLayout(top, 1)
        layout.addWidget(self.status)
        layout.addWidget(self.keyring_panel)
        layout.addLayout(bottom)

    # state ---------------------------------------------------------------------------------------------------

    def _safe_last_used(self) -> str | None:
        try:
            return self._profiles.last_used()
        except ConfigError:
            return None

    def reload(self, *, select_id: str | None = None, select_name: str | None = None) -> None:
        """Re-read the profile file and re-select by id (never by row number)."""
        try:
            profiles = self._profiles.list()
        except ConfigError as exc:
            self.model.set_profiles([])
            self.file_problem_label.setText(exc.message)
            self.file_problem.setVisible(True)
            self._file_broken = True
            self._update_buttons()
            return
        self._file_broken = False
        self.file_problem.setVisible(False)
        self.model.set_profiles(profiles)
        row = -1
        if select_id:
            row = self.model.row_of(select_id)
        elif select_name:
            row = next((i for i, p in enumerate(profiles) if p.name == select_name), -1)
        if row < 0 and profiles:
            row = 0
        if row >= 0:
            self.list_view.setCurrentIndex(self.model.index(row))
        self._selection_changed()

    def selected(self) -> Profile | None:
        index = self.list_view.currentIndex()
        return index.data(ProfileRole) if index.isValid() else None

    def select(self, name: str) -> None:
        row = next((i for i, p in enumerate(self.model.profiles()) if p.name == name), -1)
        if row >= 0:
            self.list_view.setCurrentIndex(self.model.index(row))

    @Slot()
    def _selection_changed(self, *_: Any) -> None:
        self.keyring_panel.setVisible(False)
        self._update_buttons()
        profile = self.selected()
        if profile is None:
            self.details.setText(self.tr("No profile yet: press New to add one.")
                                 if not self._file_broken else "")
            return
        lines = [
            profile.base_url,
            self.tr("Organization: {org}").format(org=profile.org_id or self.tr("unknown")),
            self.tr("Read-only") if profile.read_only else self.tr("Read and write"),
            self.tr("SCIM key: {info}").format(info=self._key_info(profile, "scim")),
        ]
        if profile.accounts_url:
            lines.append(self.tr("Accounts key: {info}").format(info=self._key_info(profile, "accounts")))
        self.details.setText("\n".join(lines))

    def _key_info(self, profile: Profile, kind: KeyKind) -> str:
        fingerprint = profile.scim_key_fingerprint if kind == "scim" else profile.accounts_key_fingerprint
        stored_at = profile.scim_key_stored_at if kind == "scim" else profile.accounts_key_stored_at
        if fingerprint:
            when = stored_at.astimezone().strftime("%Y-%m-%d %H:%M") if stored_at else self.tr("unknown date")
            return self.tr("ends {fingerprint}, stored {when}").format(fingerprint=fingerprint, when=when)
        if self._session.get(profile.id, kind):
            return self.tr("for this session only")
        return self.tr("none stored")

    def _update_buttons(self) -> None:
        busy = self.keyring_jobs.busy
        has = self.selected() is not None and not busy
        for button in (self.edit_button, self.duplicate_button, self.delete_button, self.forget_button,
                       self.connect_button):
            button.setEnabled(has)
        self.new_button.setEnabled(not self._file_broken and not busy)
        self.session_only_button.setEnabled(not busy)
        self.list_view.setEnabled(not busy)  # the answer belongs to the profile it was asked for

    @Slot(bool)
    def _keyring_busy(self, busy: bool) -> None:
        self._update_buttons()

    def done(self, result: int) -> None:
        self.keyring_jobs.drop()  # closed meanwhile: a late answer must not connect or accept again
        super().done(result)

    def _say(self, text: str) -> None:
        self.status.setText(text)

    # actions -------------------------------------------------------------------------------------------------

    def _open_editor(self, profile: Profile | None) -> ProfileEditDialog:
        editor = ProfileEditDialog(
            self._profiles, self._secrets, self._session, profile, pool=self._pool, check=self._check, parent=self
        )
        # A bound slot, not a lambda: a closure over self held by the child's connection would keep this
        # dialog's wrapper alive until the child is deleted, and then delete this dialog from inside that.
        editor.finished.connect(self._editor_finished)
        self.editor = editor
        editor.open()
        return editor

    @Slot(int)
    def _editor_finished(self, result: int) -> None:
        editor = self.sender()
        if isinstance(editor, ProfileEditDialog):
            self._editor_done(editor, result)

    def _editor_done(self, editor: ProfileEditDialog, result: int) -> None:
        if result == QDialog.DialogCode.Accepted.value and editor.saved is not None:
            note = self.tr("Saved profile '{name}'.").format(name=editor.saved.name)
            if editor.session_only:
                note += " " + self.tr("Its key is kept for this session only.")
            self._say(note)
            self.reload(select_id=editor.saved.id)
        elif editor.saved is not None:
            self.reload(select_id=editor.saved.id)
        editor.deleteLater()
        if self.editor is editor:
            self.editor = None

    @Slot()
    def new_profile(self) -> ProfileEditDialog:
        return self._open_editor(None)

    @Slot()
    def edit_selected(self) -> ProfileEditDialog | None:
        profile = self.selected()
        return self._open_editor(profile) if profile else None

    @Slot()
    def duplicate_selected(self) -> None:
        profile = self.selected()
        if profile is None:
            return
        taken = {p.name.casefold() for p in self.model.profiles()}
        new_name = self.tr("{name} copy").format(name=profile.name)
        number = 2
        while new_name.casefold() in taken:
            new_name = self.tr("{name} copy {n}").format(name=profile.name, n=number)
            number += 1
        try:
            copy = self._profiles.duplicate(profile.name, new_name)
        except BirdadminError as exc:
            self._say(explain(exc).message)
            return
        self._say(self.tr("Created '{name}'. Keys are not copied: add them with Edit.").format(name=copy.name))
        self.reload(select_id=copy.id)

    def _confirm(self, name: str, title: str, text: str, on_yes: Callable[[], None]) -> QMessageBox:
        box = QMessageBox(QMessageBox.Icon.Question, title, text,
                          QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel, self)
        box.setObjectName(name)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.finished.connect(
            lambda _result: on_yes()
            if box.standardButton(box.clickedButton()) == QMessageBox.StandardButton.Yes
            else None
        )
        box.finished.connect(box.deleteLater)
        box.open()
        return box

    @Slot()
    def delete_selected(self) -> QMessageBox | None:
        profile = self.selected()
        if profile is None:
            return None
        return self._confirm(
            "confirmDelete",
            self.tr("Delete profile"),
            self.tr("Delete the profile '{name}' and forget its stored keys? Bird keeps the keys themselves; "
                    "revoke them there if they are no longer needed.").format(name=profile.name),
            lambda: self._delete(profile),
        )

    def _delete(self, profile: Profile) -> None:
        profiles, secrets = self._profiles, (self._secrets if self._has_any_key(profile) else None)

        def deleted(_result: None, failure: _Failure | None) -> None:
            if failure is not None:
                self._say(failure.message)
                return
            for kind in KEY_KINDS:
                self._session.delete(profile.id, kind)
            self._say(self.tr("Deleted profile '{name}'.").format(name=profile.name))
            self.reload()

        self._say(self.tr("Deleting profile '{name}'…").format(name=profile.name))
        self.keyring_jobs.start(lambda: remove_profile(profiles, secrets, profile), deleted)

    @staticmethod
    def _has_any_key(profile: Profile) -> bool:
        return profile.has_key("scim") or profile.has_key("accounts")

    @Slot()
    def forget_selected(self) -> QMessageBox | None:
        profile = self.selected()
        if profile is None:
            return None
        return self._confirm(
            "confirmForget",
            self.tr("Forget keys"),
            self.tr("Forget the keys stored for '{name}'? You will need to paste a key again to connect.").format(
                name=profile.name
            ),
            lambda: self._forget(profile),
        )

    def _forget(self, profile: Profile) -> None:
        for kind in KEY_KINDS:
            self._session.delete(profile.id, kind)
        profiles, secrets = self._profiles, self._secrets

        def work() -> None:
            current = profile
            for kind in KEY_KINDS:
                if current.has_key(kind):
                    current = forget_key(profiles, secrets, current, kind)

        def forgotten(_result: None, failure: _Failure | None) -> None:
            if failure is not None:
                self._say(failure.message)
                self.reload(select_id=profile.id)  # a key forgotten before the failure shows as gone
                return
            self._say(self.tr("Forgot the keys of '{name}'.").format(name=profile.name))
            self.reload(select_id=profile.id)

        self._say(self.tr("Forgetting the keys of '{name}'…").format(name=profile.name))
        self.keyring_jobs.start(work, forgotten)

    @Slot()
    def _start_fresh(self) -> None:
        try:
            backup = self._profiles.start_fresh()
        except BirdadminError as exc:
            self._say(explain(exc).message)
            return
        self._say(self.tr("Started an empty profile list; the old file is kept as {name}.").format(name=backup.name))
        self.reload()

    @Slot()
    def connect_selected(self, *_: Any) -> None:
        """Fetch the profile's keys and accept; a keyring problem shows the fix and the session-only choice."""
        profile = self.selected()
        if profile is None or self.keyring_jobs.busy:
            return
        self.keyring_panel.setVisible(False)
        # The same rule as every other path (store.keys.resolve_keys), on a worker: the keyring may block.
        secrets, session = self._secrets, self._session

        def work() -> ResolvedKeys:
            return resolve_keys(profile, secrets, session=session)

        def keys_read(keys: ResolvedKeys | None, failure: _Failure | None) -> None:
            self._say("")
            if failure is not None:
                if failure.keyring:
                    self.keyring_error.setText(failure.message)
                    self.keyring_panel.setVisible(True)
                    self.session_key_edit.setFocus()
                else:
                    self._say(failure.message)
                return
            assert keys is not None
            self._connect_with(profile, keys.scim, keys.accounts, keys.scim_source == "session")

        self._say(self.tr("Reading the access key of '{name}' from the keyring…").format(name=profile.name))
        self.keyring_jobs.start(work, keys_read)

    def _connect_with(self, profile: Profile, scim_key: str | None, accounts_key: str | None,
                      session_only: bool) -> None:
        if not scim_key:
            self._say(
                self.tr("'{name}' has no stored SCIM key (or the keyring no longer has it); "
                        "press Edit and paste the key.").format(name=profile.name)
            )
            return
        self._finish(ConnectionChoice(profile, scim_key, accounts_key, session_only))

    @Slot()
    def _connect_session_only(self) -> None:
        profile = self.selected()
        if profile is None or self.keyring_jobs.busy:
            return
        try:
            self._session.set(profile.id, "scim", self.session_key_edit.text())
        except InputError as exc:
            self.keyring_error.setText(exc.message)
            return
        self.session_key_edit.clear()
        key = self._session.get(profile.id, "scim")
        assert key is not None
        self._finish(ConnectionChoice(profile, key, None, session_only=True))

    def _finish(self, choice: ConnectionChoice) -> None:
        try:
            self._profiles.set_last_used(choice.profile.name)
        except BirdadminError:
            log.debug("could not record the last used profile", exc_info=True)
        self.choice = choice
        self.accept()
