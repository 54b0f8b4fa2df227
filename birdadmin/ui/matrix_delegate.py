"""Paints a matrix cell from its flags alone: a tint, then a filled dot (direct), a ring (through a group), or
both side by side (docs/bird.md, H2). Shapes, not colour, tell the sources apart; the tint is a second cue. A
cell a planned change would alter gets a dashed outline and a corner sign, "+" (planned grant) or "-" (planned
revocation), drawn from the same one int (``PAINT_ROLE``; qtmodels/matrix_plans.py).

One ``data()`` call per cell instead of the dozen a text delegate makes, and no text layout: a 1360x820 view of
the 100,000-row matrix paints well inside the 100 ms budget (tests/benchmarks/bench_matrix.py)."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QPointF, QRect, Qt
from PySide6.QtGui import QBrush, QColor, QPainter, QPen
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem

from birdadmin.domain.audit import DIRECT, INHERITED
from birdadmin.qtmodels.matrix import PAINT_ROLE, TINTS
from birdadmin.qtmodels.matrix_plans import PLANNED, PLANNED_ADD

_RADIUS = 4.5


class MarkDelegate(QStyledItemDelegate):
    def paint(self, painter: QPainter, option: QStyleOptionViewItem,
              index: QModelIndex | QPersistentModelIndex) -> None:
        if index.column() == 0:
            return  # the name column lies under the frozen view (ui/matrix_frozen.py), which paints it
        painted = index.data(PAINT_ROLE) or 0
        flags, planned = painted & (DIRECT | INHERITED), painted & PLANNED
        rect: QRect = option.rect
        state = option.state
        palette = option.palette
        selected = bool(state & QStyle.StateFlag.State_Selected)
        if selected:
            painter.fillRect(rect, palette.highlight())
        elif flags:
            painter.fillRect(rect, TINTS[flags])
        ink = palette.highlightedText().color() if selected else palette.text().color()
        if planned:
            _paint_planned(painter, rect, planned, ink)
        if not flags:
            return
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        both = flags == DIRECT | INHERITED
        center = QPointF(rect.center()) + QPointF(0.5, 0.5)
        shift = QPointF(_RADIUS + 2, 0) if both else QPointF(0, 0)
        if flags & DIRECT:
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QBrush(ink))
            painter.drawEllipse(center - shift, _RADIUS, _RADIUS)
        if flags & INHERITED:
            painter.setPen(QPen(QColor(ink), 1.6))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawEllipse(center + shift, _RADIUS - 0.8, _RADIUS - 0.8)
        painter.restore()
        if state & QStyle.StateFlag.State_HasFocus:
            painter.save()
            painter.setPen(QPen(palette.highlight().color(), 1, Qt.PenStyle.DotLine))
            painter.drawRect(rect.adjusted(0, 0, -1, -1))
            painter.restore()


def _paint_planned(painter: QPainter, rect: QRect, planned: int, ink: QColor) -> None:
    """A dashed outline inside the cell and a sign in its top right corner: "+" a grant, "-" a revocation."""
    painter.save()
    painter.setBrush(Qt.BrushStyle.NoBrush)
    painter.setPen(QPen(ink, 1, Qt.PenStyle.DashLine))
    painter.drawRect(rect.adjusted(1, 1, -2, -2))
    painter.setPen(QPen(ink, 1.6))
    x, y = rect.right() - 9.5, rect.top() + 7.5
    painter.drawLine(QPointF(x - 3.5, y), QPointF(x + 3.5, y))
    if planned & PLANNED_ADD:
        painter.drawLine(QPointF(x, y - 3.5), QPointF(x, y + 3.5))
    painter.restore()
