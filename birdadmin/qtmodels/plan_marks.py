"""How a planned (not yet applied) change looks in a list: a text mark, an icon and a font, never colour alone.

A planned addition reads "+ planned" with a plus sign and italic text; a planned removal reads "- planned" with a
minus sign and struck-out text, so the two are told apart in grey scale, by a screen reader and in a screenshot.
"""

from __future__ import annotations

import functools
from typing import Literal

from PySide6.QtCore import QCoreApplication, QPointF, Qt
from PySide6.QtGui import QColor, QFont, QGuiApplication, QIcon, QPainter, QPalette, QPen, QPixmap

Mark = Literal["", "added", "removed"]

ADDED: Mark = "added"
REMOVED: Mark = "removed"


def mark_text(mark: Mark) -> str:
    """The words shown beside a planned item."""
    text = {"added": "+ planned", "removed": "- planned"}.get(mark, "")
    return QCoreApplication.translate("PlanMarks", text) if text else ""


def mark_description(mark: Mark) -> str:
    """What a screen reader says about the mark."""
    text = {"added": "planned addition, not applied yet", "removed": "planned removal, not applied yet"}.get(mark, "")
    return QCoreApplication.translate("PlanMarks", text) if text else ""


def marked_font(base: QFont, mark: Mark) -> QFont:
    """Struck out for a removal, italic for an addition, unchanged otherwise."""
    font = QFont(base)
    font.setStrikeOut(mark == REMOVED)
    font.setItalic(mark == ADDED)
    return font


@functools.lru_cache(maxsize=16)
def _mark_icon(mark: Mark, color: str) -> QIcon:
    result = QIcon()
    for size in (16, 20, 24, 32):
        pixmap = QPixmap(size, size)
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        pen = QPen(QColor(color), max(2.0, size / 8))
        pen.setCapStyle(Qt.PenCapStyle.RoundCap)
        painter.setPen(pen)
        middle, inset = size / 2, size / 4
        painter.drawLine(QPointF(inset, middle), QPointF(size - inset, middle))
        if mark == ADDED:
            painter.drawLine(QPointF(middle, inset), QPointF(middle, size - inset))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.setPen(QPen(QColor(color), 1.0))
        painter.drawRoundedRect(1, 1, size - 2, size - 2, size / 5, size / 5)
        painter.end()
        result.addPixmap(pixmap)
    return result


def mark_icon(mark: Mark, palette: QPalette | None = None) -> QIcon:
    """A boxed plus (addition) or minus (removal) in the text colour; an empty icon without a mark."""
    if not mark:
        return QIcon()
    palette = palette or QGuiApplication.palette()
    return _mark_icon(mark, palette.color(QPalette.ColorRole.Text).name())
