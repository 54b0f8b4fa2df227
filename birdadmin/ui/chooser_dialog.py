"""A small dialog to choose one thing (a role, a group) from a searchable list, with a line saying what the choice
would do; the bulk actions use it. Enter accepts (the default button), Esc cancels."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from PySide6.QtCore import QEvent, QObject, Qt, Slot
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from birdadmin.qtmodels.plain import plain_tooltip
from birdadmin.qtmodels.roles import IdRole


@dataclass(frozen=True, slots=True)
class Choice:
    id: str
    text: str
    tooltip: str = ""


# What choosing ``id`` would do, as one line, and whether it would do anything at all.
Describe = Callable[[str], tuple[str, bool]]


class ChooserDialog(QDialog):
    def __init__(self, name: str, title: str, intro: str, accept_text: str, choices: Sequence[Choice],
                 describe: Describe, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self.setWindowTitle(title)
        self._describe = describe
        layout = QVBoxLayout(self)
        label = QLabel(intro, self)
        label.setTextFormat(Qt.TextFormat.PlainText)
        label.setWordWrap(True)
        layout.addWidget(label)
        self.search = QLineEdit(self)
        self.search.setObjectName(f"{name}Search")
        self.search.setAccessibleName(self.tr("Search"))
        self.search.setPlaceholderText(self.tr("Type to search"))
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self._filter)
        self.search.installEventFilter(self)
        layout.addWidget(self.search)
        self.list = QListWidget(self)
        self.list.setObjectName(f"{name}List")
        self.list.setAccessibleName(title)
        for choice in choices:
            item = QListWidgetItem(choice.text, self.list)
            item.setData(IdRole, choice.id)
            item.setToolTip(plain_tooltip(choice.tooltip or choice.text))  # server names: text, never markup
        self.list.currentItemChanged.connect(self._update)
        self.list.itemDoubleClicked.connect(lambda _item: self.accept() if self.ok.isEnabled() else None)
        layout.addWidget(self.list, 1)
        self.count = QLabel(self)
        self.count.setObjectName(f"{name}Count")
        self.count.setTextFormat(Qt.TextFormat.PlainText)
        self.count.setWordWrap(True)
        layout.addWidget(self.count)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel,
                                        self)
        self.ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setText(accept_text)
        self.ok.setObjectName(f"{name}Ok")
        self.ok.setDefault(True)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.resize(420, 420)
        if self.list.count():
            self.list.setCurrentRow(0)
        self._update()
        self.search.setFocus(Qt.FocusReason.OtherFocusReason)  # typing searches at once

    def chosen_id(self) -> str:
        item = self.list.currentItem()
        return str(item.data(IdRole)) if item is not None and not item.isHidden() else ""

    def choose(self, choice_id: str) -> bool:
        for row in range(self.list.count()):
            if self.list.item(row).data(IdRole) == choice_id:
                self.list.setCurrentRow(row)
                return True
        return False

    @Slot(str)
    def _filter(self, text: str) -> None:
        wanted = text.strip().casefold()
        first: QListWidgetItem | None = None
        for row in range(self.list.count()):
            item = self.list.item(row)
            hidden = bool(wanted) and wanted not in item.text().casefold() and wanted not in str(item.data(IdRole))
            item.setHidden(hidden)
            if not hidden and first is None:
                first = item
        current = self.list.currentItem()
        if current is None or current.isHidden():
            self.list.setCurrentItem(first)
        self._update()

    @Slot()
    def _update(self, *_: object) -> None:
        chosen = self.chosen_id()
        if not chosen:
            self.count.setText(self.tr("Nothing matches the search.") if self.list.count() else
                               self.tr("There is nothing to choose from."))
            self.ok.setEnabled(False)
            return
        text, useful = self._describe(chosen)
        self.count.setText(text)
        self.ok.setEnabled(useful)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        """Up and Down in the search box move through the list, so the keyboard never has to leave it."""
        if (watched is self.search and event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent)
                and event.key() in (Qt.Key.Key_Up, Qt.Key.Key_Down)):
            self.list.keyPressEvent(event)
            return True
        return super().eventFilter(watched, event)
