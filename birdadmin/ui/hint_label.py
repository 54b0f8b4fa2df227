"""The red validation message under a form field (the profile editor's), readable on light and dark palettes."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QRect, Qt
from PySide6.QtGui import QPalette, QResizeEvent
from PySide6.QtWidgets import QLabel, QWidget

from birdadmin.ui.icons import error_color


class HintLabel(QLabel):
    """A validation message, in a red taken from the palette so that it reads on light and dark backgrounds
    alike (and follows a change of scheme). With ``reserve``, the room for one line stays while it is hidden,
    so the fields below do not move as messages come and go while someone types."""

    def __init__(self, parent: QWidget, name: str, *, reserve: bool = False) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self.setWordWrap(True)
        self.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)  # under its field, always
        self._reserve = reserve
        if reserve:
            policy = self.sizePolicy()
            policy.setRetainSizeWhenHidden(True)
            self.setSizePolicy(policy)
        self._recolour()
        self._fit()
        self.setVisible(False)

    def setText(self, text: str) -> None:  # noqa: N802 - Qt override
        super().setText(text)
        self._fit()

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        self._fit()

    def _fit(self) -> None:
        # The height the text needs at this width, as a minimum: a form does not reliably ask a wrapping label
        # nested in a row for it, and a message cut in half is worse than none.
        # (Measured directly: QLabel's own heightForWidth never goes below the minimum set here.)
        needed = 0
        room = self.contentsRect().width()
        if self.text() and room > 0:
            flags = int(Qt.TextFlag.TextWordWrap) | int(Qt.AlignmentFlag.AlignLeft)
            box = self.fontMetrics().boundingRect(QRect(0, 0, room, 100_000), flags, self.text())
            margins = self.contentsMargins()
            needed = box.height() + margins.top() + margins.bottom()
        if self._reserve:
            needed = max(needed, self.fontMetrics().lineSpacing())
        if self.minimumHeight() != needed:
            self.setMinimumHeight(needed)

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt override
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:
            self._recolour()

    def _recolour(self) -> None:
        palette = self.palette()
        color = error_color(palette)
        if palette.color(QPalette.ColorRole.WindowText) != color:  # the check ends the PaletteChange it causes
            palette.setColor(QPalette.ColorRole.WindowText, color)
            self.setPalette(palette)


def error_label(parent: QWidget, name: str, *, reserve: bool = False) -> QLabel:
    return HintLabel(parent, name, reserve=reserve)
