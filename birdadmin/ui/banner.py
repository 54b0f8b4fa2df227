"""The error banner: one plain sentence at the top of the window, details on demand, never a traceback."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QToolButton,
    QWidget,
)

from birdadmin.errors import Explanation
from birdadmin.redact import redact
from birdadmin.ui.icons import icon, warning_color


def show_details(parent: QWidget, explanation: Explanation) -> QMessageBox:
    """A dialog with the sentence and the request details (redacted), the details already shown."""
    box = QMessageBox(parent)
    box.setObjectName("errorDetailsDialog")
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle(explanation.title)
    box.setTextFormat(Qt.TextFormat.PlainText)  # the sentence may quote the server: never drawn as markup
    box.setText(redact(explanation.message))
    box.setStandardButtons(QMessageBox.StandardButton.Close)
    if explanation.details:
        box.setDetailedText(redact(explanation.details))
        # The details are what this dialog was opened for: show them at once, not behind a second click.
        for button in box.buttons():
            if box.buttonRole(button) == QMessageBox.ButtonRole.ActionRole:
                button.click()
    box.open()
    return box


class ErrorBanner(QFrame):
    """Hidden until ``show_error``; closing it hides it."""

    closed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("errorBanner")
        self.setAccessibleName(self.tr("Error message"))
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAutoFillBackground(True)
        self._explanation: Explanation | None = None
        self.details_dialog: QMessageBox | None = None
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 4, 4, 4)
        self.icon_label = QLabel(self)
        layout.addWidget(self.icon_label)
        self.message_label = QLabel(self)
        self.message_label.setObjectName("errorMessage")
        self.message_label.setTextFormat(Qt.TextFormat.PlainText)  # the sentence may quote the server's text
        self.message_label.setWordWrap(True)
        self.message_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.message_label, 1)
        self.details_button = QPushButton(self.tr("Details…"), self)
        self.details_button.setObjectName("errorDetailsButton")
        self.details_button.setAccessibleName(self.tr("Show error details"))
        self.details_button.clicked.connect(self.show_details)
        layout.addWidget(self.details_button)
        self.close_button = QToolButton(self)
        self.close_button.setObjectName("errorCloseButton")
        self.close_button.setAccessibleName(self.tr("Dismiss error"))
        self.close_button.setToolTip(self.tr("Dismiss"))
        self.close_button.setAutoRaise(True)
        self.close_button.clicked.connect(self.dismiss)
        layout.addWidget(self.close_button)
        self.refresh_icons()
        self.setVisible(False)

    def refresh_icons(self) -> None:
        self.icon_label.setPixmap(icon("warning", color=warning_color(self.palette())).pixmap(20, 20))
        self.close_button.setIcon(icon("close", self.palette()))

    @property
    def explanation(self) -> Explanation | None:
        return self._explanation

    def message(self) -> str:
        return self.message_label.text()

    def show_error(self, explanation: Explanation) -> None:
        self._explanation = explanation
        self.message_label.setText(redact(explanation.message))
        self.message_label.setToolTip(explanation.title)
        self.details_button.setVisible(bool(explanation.details))
        self.setVisible(True)

    @Slot()
    def show_details(self) -> None:
        if self._explanation is not None:
            self.details_dialog = show_details(self, self._explanation)

    @Slot()
    def dismiss(self) -> None:
        self._explanation = None
        self.setVisible(False)
        self.closed.emit()
