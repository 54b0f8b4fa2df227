"""The "Revoke…" dialog, with its guard: a revoked key stops working at once and cannot be brought back.

These revocations need an explicit confirmation (the key's name typed), each saying why: the key the current
profile connects with (this window, and every script using the profile, would be locked out), its Accounts API
key, and the last key holding Owner or a role the profile marks sensitive (no key would keep that access).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QLineEdit, QVBoxLayout, QWidget

from birdadmin.bird.access_keys import AccessKey, AccessKeys
from birdadmin.errors import Explanation
from birdadmin.qtmodels.keys import KeyRow
from birdadmin.services.key_journal import connection_record, revoke_key

if TYPE_CHECKING:
    from birdadmin.org_load import Session
    from birdadmin.ui.context import WindowContext

CHANNEL = "access-key-revoke"


def _tr(text: str) -> str:
    return QCoreApplication.translate("RevokeKeyDialog", text)


def revoke_reasons(key: AccessKey, keys: Sequence[AccessKey], current_id: str | None,
                   sensitive_ids: frozenset[str], accounts_id: str | None = None) -> list[str]:
    """Why revoking ``key`` needs an explicit confirmation (empty: it does not)."""
    reasons = []
    if key.id == current_id:
        reasons.append(_tr("This is the key this profile connects with: once it is revoked, this window and anything "
                           "else using the profile can no longer connect until a new key is stored."))
    elif key.id == accounts_id:
        reasons.append(_tr("This is the key this profile uses for the Accounts API: once it is revoked, the profile "
                           "can no longer list, create or revoke keys, nor read role names and team roles."))
    held = set(key.role_ids or ()) & sensitive_ids
    others = [k for k in keys if k.id != key.id and set(k.role_ids or ()) & held]
    if held and not others:
        reasons.append(_tr("This is the last access key holding Owner or a sensitive role: after it, no key of the "
                           "organization holds that access."))
    return reasons


class RevokeKeyDialog(QDialog):
    revoked = Signal(str)  # the revoked key's id

    def __init__(self, context: WindowContext, session: Session, row: KeyRow, keys: Sequence[AccessKey],
                 current_id: str | None, sensitive_ids: frozenset[str], parent: QWidget | None = None, *,
                 accounts_id: str | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("revokeKeyDialog")
        self.setWindowTitle(self.tr("Revoke access key"))
        self.setModal(True)
        self._context = context
        self._session = session
        self.key = row.key
        self.reasons = revoke_reasons(row.key, keys, current_id, sensitive_ids, accounts_id)
        layout = QVBoxLayout(self)
        intro = QLabel(self.tr("Revoke {name} (…{suffix}), roles: {roles}? It stops working at once, and this cannot "
                               "be undone.").format(name=row.key.name, suffix=row.key.suffix, roles=row.roles_text),
                       self)
        intro.setTextFormat(Qt.TextFormat.PlainText)
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.guard_label = QLabel("\n".join(self.reasons), self)
        self.guard_label.setObjectName("revokeGuard")
        self.guard_label.setTextFormat(Qt.TextFormat.PlainText)
        self.guard_label.setWordWrap(True)
        self.guard_label.setVisible(bool(self.reasons))
        self.guard_label.setStyleSheet("font-weight: bold")
        layout.addWidget(self.guard_label)
        self.confirm_edit = QLineEdit(self)
        self.confirm_edit.setObjectName("revokeConfirmName")
        self.confirm_edit.setAccessibleName(self.tr("Type the key's name to confirm"))
        self.confirm_edit.setPlaceholderText(self.tr("Type {name} to confirm").format(name=row.key.name))
        self.confirm_edit.setVisible(bool(self.reasons))
        self.confirm_edit.textChanged.connect(lambda _t: self._update())
        layout.addWidget(self.confirm_edit)
        self.status = QLabel(self)
        self.status.setObjectName("revokeStatus")
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        self.status.setWordWrap(True)
        layout.addWidget(self.status)
        buttons = QDialogButtonBox(self)
        self.revoke_button = buttons.addButton(self.tr("Revoke"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.revoke_button.setObjectName("revokeKeyButtonOk")
        buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.revoke)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        # Word-wrapped labels: a top-level dialog does not grow to their height by itself.
        self.setMinimumSize(560, 200 if self.reasons else 140)
        self._update()

    def confirmed(self) -> bool:
        return not self.reasons or self.confirm_edit.text().strip() == self.key.name

    def _update(self) -> None:
        self.revoke_button.setEnabled(self.confirmed() and not self._context.runner.busy(CHANNEL))

    def revoke(self) -> None:
        accounts = self._session.accounts
        if accounts is None or not self.confirmed() or self._context.runner.busy(CHANNEL):
            return
        key, session = self.key, self._session
        self.status.setText(self.tr("Revoking the key…"))
        self._context.runner.submit(lambda: revoke_key(AccessKeys(accounts), key, profile=connection_record(session)),
                                    channel=CHANNEL, on_result=self._revoked, on_error=self._failed)
        self._update()

    def _revoked(self, note: str = "") -> None:
        """Revoked; ``note`` says why the journal could not record it (empty: journaled)."""
        text = self.tr("Revoked the access key {name}.").format(name=self.key.name)
        self._context.show_message(f"{text} {note}" if note else text, 15000 if note else 5000)
        self.revoked.emit(self.key.id)
        self.accept()

    def _failed(self, explanation: Explanation) -> None:
        self.status.setText(explanation.message)
        self._update()
