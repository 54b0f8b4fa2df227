"""The matrix page's role chooser: a searchable list of every role with a check box each; the checked roles are
the columns shown. Enter accepts, Esc cancels."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt, Slot
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

_ID = Qt.ItemDataRole.UserRole


class RoleChooser(QDialog):
    def __init__(self, roles: Sequence[tuple[str, str]], chosen: frozenset[str] | None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("matrixRoleChooser")
        self.setWindowTitle(self.tr("Roles to show"))
        self.search = QLineEdit(self)
        self.search.setObjectName("matrixRoleSearch")
        self.search.setPlaceholderText(self.tr("Search roles…"))
        self.search.setClearButtonEnabled(True)
        self.search.setAccessibleName(self.tr("Search roles"))
        self.list = QListWidget(self)
        self.list.setObjectName("matrixRoleList")
        self.list.setAccessibleName(self.tr("Roles"))
        for role_id, name in roles:
            item = QListWidgetItem(name, self.list)
            item.setData(_ID, role_id)
            item.setToolTip(role_id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            shown = chosen is None or role_id in chosen
            item.setCheckState(Qt.CheckState.Checked if shown else Qt.CheckState.Unchecked)
        self.search.textChanged.connect(self._search)
        every = QPushButton(self.tr("Check all shown"), self)
        every.clicked.connect(lambda: self.check_shown(Qt.CheckState.Checked))
        none = QPushButton(self.tr("Uncheck all shown"), self)
        none.clicked.connect(lambda: self.check_shown(Qt.CheckState.Unchecked))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel,
                                   self)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        row = QHBoxLayout()
        row.addWidget(every)
        row.addWidget(none)
        row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.search)
        layout.addWidget(self.list, 1)
        layout.addLayout(row)
        layout.addWidget(buttons)
        self.resize(360, 420)

    @Slot(str)
    def _search(self, text: str) -> None:
        needle = text.strip().casefold()
        for i in range(self.list.count()):
            item = self.list.item(i)
            hit = needle in item.text().casefold() or needle in str(item.data(_ID)).casefold()
            item.setHidden(bool(needle) and not hit)

    def check_shown(self, state: Qt.CheckState) -> None:
        for i in range(self.list.count()):
            item = self.list.item(i)
            if not item.isHidden():
                item.setCheckState(state)

    def chosen(self) -> frozenset[str] | None:
        """The checked role ids; None when every role is checked (new roles then show too)."""
        items = [self.list.item(i) for i in range(self.list.count())]
        checked = frozenset(str(i.data(_ID)) for i in items if i.checkState() == Qt.CheckState.Checked)
        return None if len(checked) == len(items) else checked
