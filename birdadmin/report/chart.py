"""A bar chart of holders per role, drawn with QPainter on any paint device (the PDF's pages here).

One horizontal bar per role, most-held first: holders who have the role directly (solid) and those who have it
only through groups (hatched, lighter), so the two read apart without colour; the total at the bar's end. The
same rows as the window's chart: (role name, direct count, through-group-only count).
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetricsF, QPainter, QPen

DIRECT_COLOUR = QColor("#2b5797")
GROUPS_COLOUR = QColor("#7fa7d9")
ChartRow = tuple[str, int, int]


def _brushes() -> tuple[QBrush, QBrush]:
    return QBrush(DIRECT_COLOUR, Qt.BrushStyle.SolidPattern), QBrush(GROUPS_COLOUR, Qt.BrushStyle.BDiagPattern)


def _legend(painter: QPainter, rect: QRectF, line: float) -> float:
    """The key above the bars; returns the height it took."""
    direct, groups = _brushes()
    x = rect.left()
    for brush, text in ((direct, "direct"), (groups, "through groups only")):
        box = QRectF(x, rect.top() + line * 0.2, line * 0.9, line * 0.6)
        painter.setPen(QPen(DIRECT_COLOUR, 0))
        painter.fillRect(box, Qt.GlobalColor.white)
        painter.fillRect(box, brush)
        painter.drawRect(box)
        x += line * 1.2
        painter.setPen(QPen(Qt.GlobalColor.black))
        painter.drawText(QRectF(x, rect.top(), rect.width(), line), Qt.AlignmentFlag.AlignVCenter, text)
        x += QFontMetricsF(painter.font()).horizontalAdvance(text) + line * 1.5
    return line * 1.5


def paint_chart(painter: QPainter, rect: QRectF, rows: Sequence[ChartRow], *, most: int | None = None) -> None:
    """Draw ``rows`` (role name, direct, through groups only) as bars filling ``rect``; ``most``: the count a
    full-width bar stands for (default the largest here; a chart continued over pages keeps one scale)."""
    painter.save()
    try:
        font = QFont(painter.font())
        line = min(rect.height() / (len(rows) + 2.5), rect.height() / 12) if rows else rect.height() / 12
        font.setPixelSize(max(1, int(line * 0.6)))
        painter.setFont(font)
        metrics = QFontMetricsF(font)
        top = rect.top() + _legend(painter, rect, line)
        if not rows:
            painter.drawText(QRectF(rect.left(), top, rect.width(), line), Qt.AlignmentFlag.AlignVCenter,
                             "No role is held by anyone.")
            return
        label_width = min(rect.width() * 0.35, max(metrics.horizontalAdvance(r[0]) for r in rows) + line * 0.5)
        count_width = metrics.horizontalAdvance(f"{max(d + g for _, d, g in rows):,}") + line * 0.5
        bars = QRectF(rect.left() + label_width, top, rect.width() - label_width - count_width, line * len(rows))
        most = max(1, most or 0, *(d + g for _, d, g in rows))
        direct, groups = _brushes()
        for i, (name, n_direct, n_groups) in enumerate(rows):
            y = top + i * line
            label = metrics.elidedText(name, Qt.TextElideMode.ElideRight, label_width - line * 0.5)
            painter.setPen(QPen(Qt.GlobalColor.black))
            painter.drawText(QRectF(rect.left(), y, label_width - line * 0.3, line),
                             Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight, label)
            x = bars.left()
            for count, brush in ((n_direct, direct), (n_groups, groups)):
                width = bars.width() * count / most
                if width > 0:
                    bar = QRectF(x, y + line * 0.15, width, line * 0.7)
                    painter.fillRect(bar, Qt.GlobalColor.white)
                    painter.fillRect(bar, brush)
                    painter.setPen(QPen(DIRECT_COLOUR, 0))
                    painter.drawRect(bar)
                    x += width
            painter.setPen(QPen(Qt.GlobalColor.black))
            painter.drawText(QRectF(x + line * 0.2, y, count_width, line), Qt.AlignmentFlag.AlignVCenter,
                             f"{n_direct + n_groups:,}")
        painter.setPen(QPen(Qt.GlobalColor.gray, 0))
        painter.drawLine(QPointF(bars.left(), bars.top()), QPointF(bars.left(), bars.bottom()))
    finally:
        painter.restore()
