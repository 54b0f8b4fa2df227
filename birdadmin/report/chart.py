"""A bar chart of how many users hold each role, directly and only through groups, drawn with QPainter.

``paint_chart`` draws on any painter: the PDF report's QPdfWriter pages, and the Roles page's widget
(``ui/holders_chart.py``), which is why it lives here, below the widgets. One
horizontal bar per role, the largest first, labelled by the role's name with its count at the end. The part held
directly is solid; the part held only through groups is hatched as well as coloured, so the two read apart in
greyscale and for people who do not tell the colours apart (docs/bird.md, H2: the two sources of a role).
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QCoreApplication, QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFontMetricsF, QPainter, QPen

DIRECT_COLOR = QColor("#2f6db5")
GROUP_COLOR = QColor("#c77c11")
GROUP_TINT = QColor("#f7e4c4")  # under the hatch, so the part reads as the groups' colour from afar too
ROW_HEIGHT = 22.0
MIN_ROW_HEIGHT = 12.0


def tr(text: str) -> str:
    return QCoreApplication.translate("HoldersChart", text)


def sorted_rows(rows: Sequence[tuple[str, int, int]]) -> list[tuple[str, int, int]]:
    """Largest total first, then by name: the order the bars are drawn in."""
    return sorted(rows, key=lambda r: (-(r[1] + r[2]), r[0].casefold()))


def group_brush() -> QBrush:
    return QBrush(GROUP_COLOR, Qt.BrushStyle.BDiagPattern)


def _legend(painter: QPainter, rect: QRectF, text: QColor) -> float:
    """The key above the bars; returns its height."""
    metrics = QFontMetricsF(painter.font())
    size, x, y = metrics.height() * 0.8, rect.left(), rect.top()
    for brush, label in ((QBrush(DIRECT_COLOR), tr("directly")),
                         (group_brush(), tr("only through groups"))):
        box = QRectF(x, y + (metrics.height() - size) / 2, size, size)
        painter.fillRect(box, GROUP_TINT if brush.style() != Qt.BrushStyle.SolidPattern else DIRECT_COLOR)
        painter.fillRect(box, brush)
        painter.setPen(QPen(text, 1))
        painter.drawRect(box)
        painter.drawText(QPointF(box.right() + 4, y + metrics.ascent()), label)
        x = box.right() + 4 + metrics.horizontalAdvance(label) + 16
    return metrics.height() + 6


def paint_chart(painter: QPainter, rect: QRectF, rows: Sequence[tuple[str, int, int]],
                text_color: QColor | None = None) -> int:
    """Draw the chart of ``rows`` (role name, direct count, through-groups-only count) into ``rect``.

    Returns the number of bars drawn: when the rect is too short for every role, the smallest are left out and a
    last line says how many.
    """
    text = text_color or QColor("black")
    painter.save()
    try:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        metrics = QFontMetricsF(painter.font())
        if not rows:
            painter.setPen(text)
            painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, tr("No role is held by anyone."))
            return 0
        top = rect.top() + _legend(painter, rect, text)
        ordered = sorted_rows(rows)
        row_h = max(MIN_ROW_HEIGHT, min(ROW_HEIGHT, metrics.height() + 6))
        room = int((rect.bottom() - top) // row_h)
        shown = ordered if room >= len(ordered) else ordered[: max(room - 1, 0)]
        label_w = min(rect.width() * 0.35, max(metrics.horizontalAdvance(r[0]) for r in shown) + 8) if shown else 0
        count_w = metrics.horizontalAdvance("00000") + 8
        bar_left = rect.left() + label_w
        bar_room = max(rect.right() - count_w - bar_left, 1.0)
        peak = max((r[1] + r[2] for r in ordered), default=0) or 1
        for index, (name, direct, groups) in enumerate(shown):
            y = top + index * row_h
            painter.setPen(text)
            label = metrics.elidedText(name, Qt.TextElideMode.ElideRight, label_w - 8)
            painter.drawText(QRectF(rect.left(), y, label_w - 8, row_h),
                             Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight, label)
            _bar(painter, QRectF(bar_left, y + 3, bar_room, row_h - 6), direct / peak, groups / peak, text)
            end = bar_left + bar_room * (direct + groups) / peak
            painter.setPen(text)
            painter.drawText(QRectF(end + 4, y, count_w, row_h), Qt.AlignmentFlag.AlignVCenter, str(direct + groups))
        if len(shown) < len(ordered):
            painter.drawText(QPointF(rect.left(), top + len(shown) * row_h + metrics.ascent()),
                             tr("and {count} more roles").format(count=len(ordered) - len(shown)))
        return len(shown)
    finally:
        painter.restore()


def _bar(painter: QPainter, room: QRectF, direct: float, groups: float, outline: QColor) -> None:
    """One stacked bar: the direct part solid, the groups part tinted with a coloured hatch, both outlined."""
    solid = QRectF(room.left(), room.top(), room.width() * direct, room.height())
    hatched = QRectF(solid.right(), room.top(), room.width() * groups, room.height())
    if solid.width() > 0:
        painter.fillRect(solid, DIRECT_COLOR)
    if hatched.width() > 0:
        painter.fillRect(hatched, GROUP_TINT)
        painter.fillRect(hatched, group_brush())
    painter.setPen(QPen(outline, 1))
    painter.setBrush(Qt.BrushStyle.NoBrush)
    for part in (solid, hatched):
        if part.width() > 0:
            painter.drawRect(part)
