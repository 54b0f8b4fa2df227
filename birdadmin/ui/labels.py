"""A label for one line of text that may be far longer than the room it has (a group's name, for instance)."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QLabel, QSizePolicy, QWidget

from birdadmin.qtmodels.plain import plain_tooltip


class ElidedLabel(QLabel):
    """Shows its text whole when it fits and shortened with "…" when it does not, the whole text then in the
    tooltip. Unlike a plain QLabel it never asks for the width of its whole text, so a long name cannot widen
    the window or squeeze the widgets beside it."""

    def __init__(self, text: str = "", parent: QWidget | None = None,
                 mode: Qt.TextElideMode = Qt.TextElideMode.ElideRight) -> None:
        super().__init__(parent)
        self._full = ""
        self._mode = mode
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setText(text)

    def setText(self, text: str) -> None:  # noqa: N802 - Qt override
        self._full = text
        self._elide()

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt override
        hint = super().sizeHint()
        margins = self.contentsMargins()
        width = self.fontMetrics().horizontalAdvance(self._full) + margins.left() + margins.right()
        return QSize(width, hint.height())

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt override
        return QSize(self.fontMetrics().horizontalAdvance("…") * 3, super().minimumSizeHint().height())

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        self._elide()

    def _elide(self) -> None:
        shown = self.fontMetrics().elidedText(self._full, self._mode, max(0, self.contentsRect().width()))
        super().setText(shown)
        self.setToolTip(plain_tooltip(self._full) if shown != self._full else "")


def plain_labels(root: QWidget) -> None:
    """Every label under ``root`` shows its text as text: a server's string that looks like HTML is never drawn
    as markup (see ``qtmodels/plain.py``). Called once a window or dialog is built; labels made later call it too."""
    for label in root.findChildren(QLabel):
        label.setTextFormat(Qt.TextFormat.PlainText)
