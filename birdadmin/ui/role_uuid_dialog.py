""""Add role by UUID...": a role the catalogue may not list, typed or pasted as its UUID.

The UUID must be well formed (``scim.resources.is_uuid``). A UUID the catalogue does not name is most likely a
typo (docs/bird.md, A1): the dialog says so, names the nearest known role, and adds it only once "Add it anyway"
is ticked. A catalogue without any names cannot tell, so then every well-formed UUID passes.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt, Slot
from PySide6.QtWidgets import QCheckBox, QDialog, QDialogButtonBox, QLabel, QLineEdit, QVBoxLayout, QWidget

from birdadmin.domain.catalogue import RoleCatalogue
from birdadmin.scim.resources import is_uuid
from birdadmin.scim.role_values import role_key


class RoleUuidDialog(QDialog):
    """Asks for one role UUID; ``role_id()`` is the accepted UUID in lower case."""

    def __init__(self, catalogue: RoleCatalogue | None, held: Sequence[str], subject: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("roleUuidDialog")
        self.setWindowTitle(self.tr("Add role by UUID"))
        self._catalogue = catalogue
        self._held = {role_key(r) for r in held}
        layout = QVBoxLayout(self)
        intro = QLabel(self.tr("The role's UUID, to add to {subject}:").format(subject=subject), self)
        intro.setTextFormat(Qt.TextFormat.PlainText)
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.edit = QLineEdit(self)
        self.edit.setObjectName("roleUuidEdit")
        self.edit.setAccessibleName(self.tr("Role UUID"))
        self.edit.setPlaceholderText("00000000-0000-0000-0000-000000000000")
        self.edit.textChanged.connect(self._check)
        layout.addWidget(self.edit)
        self.message = QLabel(self)
        self.message.setObjectName("roleUuidMessage")
        self.message.setTextFormat(Qt.TextFormat.PlainText)
        self.message.setWordWrap(True)
        layout.addWidget(self.message)
        self.anyway = QCheckBox(self.tr("Add it anyway"), self)
        self.anyway.setObjectName("roleUuidAnyway")
        self.anyway.setVisible(False)
        self.anyway.toggled.connect(self._check)
        layout.addWidget(self.anyway)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel,
                                        self)
        self.ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setText(self.tr("Add role"))
        self.ok.setObjectName("roleUuidOk")
        self.ok.setDefault(True)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self._check()
        self.edit.setFocus(Qt.FocusReason.OtherFocusReason)

    def role_id(self) -> str:
        return self.edit.text().strip().lower()

    def unknown(self) -> bool:
        """True when the catalogue has names and this UUID is not one of them."""
        catalogue = self._catalogue
        return catalogue is not None and catalogue.has_names() and not catalogue.is_known(self.role_id())

    @Slot()
    def _check(self) -> None:
        text = self.edit.text().strip()
        unknown = False
        if not text:
            message, ok = self.tr("Type or paste a role UUID, e.g. 4fc52f09-2d8c-50c1-a46d-ecf53ba6ec31."), False
        elif not is_uuid(text):
            message, ok = self.tr("This is not a role UUID (8-4-4-4-12 hexadecimal digits)."), False
        elif role_key(text) in self._held:
            message, ok = self.tr("This role is already there."), False
        elif self.unknown():
            unknown = True
            message = self._unknown_message(text)
            ok = self.anyway.isChecked()
        else:
            name = self._catalogue.name_for(text) if self._catalogue is not None else text
            message, ok = self.tr("Role: {name}").format(name=name), True
        self.message.setText(message)
        self.anyway.setVisible(unknown)
        if not unknown and self.anyway.isChecked():
            self.anyway.setChecked(False)
        self.ok.setEnabled(ok)

    def _unknown_message(self, text: str) -> str:
        close = self._catalogue.nearest(text) if self._catalogue is not None else None
        if close is not None:
            return self.tr("This UUID is not in the organization's role catalogue; did you mean {name} ({id})? "
                           "Tick \"Add it anyway\" to use it.").format(name=close.name, id=close.id)
        return self.tr("This UUID is not in the organization's role catalogue, so it may be a typo. Tick \"Add it "
                       "anyway\" to use it.")
