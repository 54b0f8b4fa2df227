"""Small parts the profile dialogs share: the keyring problem panel, the unreadable-file panel, a question box."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QFrame, QLabel, QLineEdit, QMessageBox, QPushButton, QScrollArea, QVBoxLayout, QWidget


def wrapping_label(parent: QWidget, name: str, accessible: str = "") -> QLabel:
    label = QLabel(parent)
    label.setObjectName(name)
    if accessible:
        label.setAccessibleName(accessible)
    label.setWordWrap(True)
    return label


class ScrollingText(QScrollArea):
    """A wrapping text (a connection test's result) that grows up to ``max_lines`` and scrolls beyond them, so a
    long result is never cut off and never pushes the dialog off a small screen. Hidden while empty."""

    def __init__(self, parent: QWidget, name: str, accessible: str, max_lines: int = 6) -> None:
        super().__init__(parent)
        self.setObjectName(f"{name}Area")
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setWidgetResizable(True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.label = wrapping_label(self, name, accessible)
        self.label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.setWidget(self.label)
        self._max_lines = max_lines
        self.setVisible(False)

    def text(self) -> str:
        return self.label.text()

    def setText(self, text: str) -> None:  # noqa: N802 - Qt naming, as QLabel's
        self.label.setText(text)
        self.setVisible(bool(text))
        self._fit()

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        self._fit()

    def _fit(self) -> None:
        needed = self.label.heightForWidth(max(1, self.viewport().width()))
        cap = self.fontMetrics().lineSpacing() * self._max_lines
        height = max(1, min(needed, cap))
        if self.height() != height or self.minimumHeight() != height:
            self.setFixedHeight(height)


class KeyringPanel(QWidget):
    """Shown when the keyring cannot be used: the reason with its fix, and the choice to keep the key in memory
    for this session only (with a field to paste it, when the dialog has none of its own)."""

    chosen = Signal()  # "for this session only" was pressed

    def __init__(self, parent: QWidget, button_text: str, *, key_field: bool) -> None:
        super().__init__(parent)
        self.setObjectName("keyringPanel")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.error = wrapping_label(self, "keyringError")
        layout.addWidget(self.error)
        self.key_edit: QLineEdit | None = None
        if key_field:
            self.key_edit = QLineEdit(self)
            self.key_edit.setObjectName("sessionKeyEdit")
            self.key_edit.setAccessibleName(self.tr("SCIM access key for this session"))
            self.key_edit.setEchoMode(QLineEdit.EchoMode.Password)
            self.key_edit.setPlaceholderText(self.tr("paste the SCIM access key"))
            layout.addWidget(self.key_edit)
        self.button = QPushButton(button_text, self)
        self.button.setObjectName("sessionOnlyButton")
        self.button.setAccessibleName(self.tr("Use the key for this session only"))
        self.button.clicked.connect(self.chosen)
        layout.addWidget(self.button)
        self.setVisible(False)

    def show_problem(self, text: str) -> None:
        self.error.setText(text)
        self.setVisible(True)
        if self.key_edit is not None:
            self.key_edit.setFocus()


class FileProblemPanel(QWidget):
    """Shown when the profile file cannot be read: what is wrong, and starting afresh (the file is kept)."""

    start_fresh = Signal()

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("fileProblemPanel")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.label = wrapping_label(self, "fileProblemLabel")
        self.button = QPushButton(self.tr("Start with an empty list (the old file is kept as a copy)"), self)
        self.button.setObjectName("startFreshButton")
        self.button.setAccessibleName(self.tr("Start with an empty profile list"))
        self.button.clicked.connect(self.start_fresh)
        layout.addWidget(self.label)
        layout.addWidget(self.button)
        self.setVisible(False)

    def show_problem(self, text: str | None) -> None:
        """Show ``text``, or hide the panel when it is None."""
        self.label.setText(text or "")
        self.setVisible(text is not None)


def ask(parent: QWidget, name: str, title: str, text: str, on_yes: Callable[[], None]) -> QMessageBox:
    """A window-modal Yes/Cancel question (Cancel by default); ``on_yes`` runs only on Yes."""
    box = QMessageBox(QMessageBox.Icon.Question, title, text,
                      QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel, parent)
    box.setObjectName(name)
    box.setTextFormat(Qt.TextFormat.PlainText)  # the question may name a profile from the profile file
    box.setDefaultButton(QMessageBox.StandardButton.Cancel)
    box.finished.connect(
        lambda _result: on_yes() if box.standardButton(box.clickedButton()) == QMessageBox.StandardButton.Yes else None
    )
    box.finished.connect(box.deleteLater)
    box.open()
    return box
