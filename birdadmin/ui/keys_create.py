"""The "Create key…" dialog: name, description and roles, then the new secret shown once.

Bird shows a key's secret only when it is created (docs/bird.md). The secret lives in this dialog's widgets only:
the read-only field, and for "Copy" the clipboard (cleared again when the dialog closes, if it still holds the
secret). It is never logged, never put in window state, and "Store in keyring" hands it to ``store_key`` on a
worker; the dialog clears the field and forgets the secret when it closes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QCloseEvent, QGuiApplication
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from birdadmin.bird.access_keys import AccessKey, AccessKeys
from birdadmin.domain.catalogue import RoleCatalogue
from birdadmin.errors import Explanation
from birdadmin.qtmodels.roles import IdRole
from birdadmin.services.key_journal import Created, connection_record, create_key

if TYPE_CHECKING:
    from birdadmin.org_load import Session
    from birdadmin.store.profiles import ProfileStore
    from birdadmin.store.secrets import Secrets
    from birdadmin.ui.context import WindowContext

CHANNEL = "access-key-create"
Stores = Callable[[], "tuple[ProfileStore, Secrets]"]  # the window's profile store and keyring, asked when needed
STORE_CHANNEL = "access-key-store"


class CreateKeyDialog(QDialog):
    created = Signal(object)  # the new AccessKey (never the secret)
    stored = Signal(str)  # the profile the secret was stored for

    def __init__(self, context: WindowContext, session: Session, catalogue: RoleCatalogue | None,
                 stores: Stores | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("createKeyDialog")
        self.setWindowTitle(self.tr("Create access key"))
        self.setModal(True)
        self._context = context
        self._session = session
        self._stores = stores
        self._secret: str | None = None
        self.new_key: AccessKey | None = None
        layout = QVBoxLayout(self)
        self.pages = QStackedWidget(self)
        self.pages.addWidget(self._build_form(catalogue))
        self.pages.addWidget(self._build_secret())
        layout.addWidget(self.pages)
        self.status = QLabel(self)
        self.status.setObjectName("createKeyStatus")
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        self.status.setWordWrap(True)
        layout.addWidget(self.status)
        self.resize(560, 480)

    # -- the form -----------------------------------------------------------------------------------------------

    def _build_form(self, catalogue: RoleCatalogue | None) -> QWidget:
        page = QWidget(self)
        form = QFormLayout(page)
        self.name_edit = QLineEdit(page)
        self.name_edit.setObjectName("keyNameEdit")
        self.name_edit.setAccessibleName(self.tr("Name"))
        self.name_edit.textChanged.connect(lambda _t: self._update_create())
        form.addRow(self.tr("&Name:"), self.name_edit)
        self.description_edit = QLineEdit(page)
        self.description_edit.setObjectName("keyDescriptionEdit")
        self.description_edit.setAccessibleName(self.tr("Description"))
        form.addRow(self.tr("&Description:"), self.description_edit)
        self.role_list = QListWidget(page)
        self.role_list.setObjectName("keyRoleChecklist")
        self.role_list.setAccessibleName(self.tr("Roles of the new key"))
        for info in (catalogue.roles() if catalogue is not None else []):
            item = QListWidgetItem(info.name, self.role_list)
            item.setData(IdRole, info.id)
            item.setToolTip(info.description or info.id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
        self.role_list.itemChanged.connect(lambda _i: self._update_create())
        form.addRow(self.tr("&Roles:"), self.role_list)
        buttons = QDialogButtonBox(page)
        self.create_button = buttons.addButton(self.tr("Create key"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.create_button.setObjectName("createKeyButtonOk")
        buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.create_key)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        self._update_create()
        return page

    def role_ids(self) -> list[str]:
        items = (self.role_list.item(i) for i in range(self.role_list.count()))
        return [str(item.data(IdRole)) for item in items if item.checkState() == Qt.CheckState.Checked]

    def _update_create(self) -> None:
        busy = self._context.runner.busy(CHANNEL)
        self.create_button.setEnabled(bool(self.name_edit.text().strip()) and bool(self.role_ids()) and not busy)

    def create_key(self) -> None:
        accounts = self._session.accounts
        if accounts is None or not self.create_button.isEnabled():
            return
        name, description, roles = self.name_edit.text().strip(), self.description_edit.text().strip(), self.role_ids()
        session = self._session
        self.status.setText(self.tr("Creating the key…"))
        self._context.runner.submit(lambda: create_key(AccessKeys(accounts), name, description, roles,
                                                       profile=connection_record(session)),
                                    channel=CHANNEL, on_result=self._created, on_error=self._failed)
        self._update_create()

    def _failed(self, explanation: Explanation) -> None:
        self.status.setText(explanation.message)
        self._update_create()

    def _created(self, outcome: Created) -> None:
        key = outcome.key
        self.new_key = key
        self._secret = outcome.secret
        self.secret_edit.setText(outcome.secret)
        self.pages.setCurrentIndex(1)
        self.status.setText(" ".join(filter(None, (self.tr("Key {name} created (…{suffix}).").format(
            name=key.name, suffix=key.suffix), outcome.note))))  # a journal that could not record it says so
        self.created.emit(key)

    # -- the secret, once ---------------------------------------------------------------------------------------

    def _build_secret(self) -> QWidget:
        page = QWidget(self)
        layout = QVBoxLayout(page)
        warning = QLabel(self.tr("This secret will not be shown again. Copy it or store it in the keyring for a "
                                 "profile now."), page)
        warning.setObjectName("keySecretWarning")
        warning.setWordWrap(True)
        warning.setStyleSheet("font-weight: bold")
        layout.addWidget(warning)
        row = QHBoxLayout()
        self.secret_edit = QLineEdit(page)
        self.secret_edit.setObjectName("keySecret")
        self.secret_edit.setAccessibleName(self.tr("The new key's secret"))
        self.secret_edit.setReadOnly(True)
        row.addWidget(self.secret_edit, 1)
        self.copy_button = QPushButton(self.tr("&Copy"), page)
        self.copy_button.setObjectName("copyKeySecretButton")
        self.copy_button.clicked.connect(self._copy)
        row.addWidget(self.copy_button)
        layout.addLayout(row)
        store_row = QHBoxLayout()
        self.store_button = QPushButton(self.tr("&Store in keyring for profile"), page)
        self.store_button.setObjectName("storeKeySecretButton")
        self.store_button.clicked.connect(self.store)
        store_row.addWidget(self.store_button)
        self.profile_combo = QComboBox(page)
        self.profile_combo.setObjectName("storeKeyProfile")
        self.profile_combo.setAccessibleName(self.tr("Profile to store the key for"))
        store_row.addWidget(self.profile_combo, 1)
        self.kind_combo = QComboBox(page)
        self.kind_combo.setObjectName("storeKeyKind")
        self.kind_combo.setAccessibleName(self.tr("Which of the profile's keys"))
        self.kind_combo.addItem(self.tr("as its SCIM key"), "scim")
        self.kind_combo.addItem(self.tr("as its Accounts API key"), "accounts")
        store_row.addWidget(self.kind_combo)
        layout.addLayout(store_row)
        self._fill_profiles()
        layout.addStretch(1)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, page)
        close.rejected.connect(self.reject)
        layout.addWidget(close)
        return page

    def _fill_profiles(self) -> None:
        names: list[str] = []
        if self._stores is not None:
            try:
                names = self._stores()[0].names()
            except Exception:  # noqa: BLE001 - an unreadable profiles file: nothing to offer
                names = []
        for name in names:
            self.profile_combo.addItem(name, name)
        current = self._session.spec.profile_name
        if current and current in names:
            self.profile_combo.setCurrentIndex(names.index(current))
        self.store_button.setEnabled(bool(names))
        if not names:
            self.store_button.setToolTip(self.tr("There is no stored profile to keep the key for."))

    def _copy(self) -> None:
        if self._secret:
            QGuiApplication.clipboard().setText(self._secret)
            self.status.setText(self.tr("The secret was copied to the clipboard."))

    def store(self) -> None:
        secret, stores, name = self._secret, self._stores, self.profile_combo.currentData()
        if not secret or stores is None or not name:
            return
        kind = self.kind_combo.currentData()

        def work() -> str:
            from birdadmin.store.keys import store_key

            profiles, secrets = stores()
            store_key(profiles, secrets, profiles.get(name), kind, secret)
            return str(name)

        self.store_button.setEnabled(False)
        self.status.setText(self.tr("Storing the key in the keyring…"))
        self._context.runner.submit(work, channel=STORE_CHANNEL, on_result=self._stored, on_error=self._store_failed)

    def _stored(self, name: str) -> None:
        self.store_button.setEnabled(True)
        self.status.setText(self.tr("The key is stored in the keyring for profile {name}.").format(name=name))
        self.stored.emit(name)

    def _store_failed(self, explanation: Explanation) -> None:
        self.store_button.setEnabled(True)
        self.status.setText(explanation.message)

    # -- forgetting the secret ----------------------------------------------------------------------------------

    def _forget(self) -> None:
        clipboard = QGuiApplication.clipboard()
        if self._secret and clipboard.text() == self._secret:
            clipboard.clear()
        self._secret = None
        self.secret_edit.clear()

    def done(self, result: int) -> None:
        self._forget()
        super().done(result)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt override
        self._forget()
        super().closeEvent(event)

    def secret_shown(self) -> bool:
        return bool(self.secret_edit.text())

    def __repr__(self) -> str:  # never the secret
        return f"<CreateKeyDialog key={self.new_key.name if self.new_key else None!r}>"
