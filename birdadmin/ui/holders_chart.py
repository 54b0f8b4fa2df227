"""The holders-per-role chart as a widget for the Roles page; the drawing itself is ``report/chart.py``'s
``paint_chart``, shared with the PDF report."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QRectF, QSize
from PySide6.QtGui import QPainter, QPaintEvent, QPalette
from PySide6.QtWidgets import QSizePolicy, QWidget

from birdadmin.report.chart import paint_chart, sorted_rows, tr

__all__ = ["HoldersChart", "paint_chart"]


class HoldersChart(QWidget):
    """The chart as a widget for the Roles page: it asks for a height that fits every role."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("holdersChart")
        self.setAccessibleName(tr("Holders per role"))
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self._rows: list[tuple[str, int, int]] = []
        self.drawn = 0  # bars drawn by the last paint

    def set_rows(self, rows: Sequence[tuple[str, int, int]]) -> None:
        self._rows = sorted_rows(rows)
        self.setAccessibleDescription("; ".join(
            tr("{name}: {total} ({direct} directly)").format(name=n, total=d + g, direct=d) for n, d, g in self._rows))
        self.updateGeometry()
        self.update()

    def rows(self) -> list[tuple[str, int, int]]:
        return list(self._rows)

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt override
        line = self.fontMetrics().height() + 6
        return QSize(400, int(line * (len(self._rows) + 2) + 12))

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt override
        return QSize(200, 80)

    def paintEvent(self, _event: QPaintEvent) -> None:  # noqa: N802 - Qt override
        painter = QPainter(self)
        try:
            rect = QRectF(self.rect()).adjusted(6, 6, -6, -6)
            self.drawn = paint_chart(painter, rect, self._rows, self.palette().color(QPalette.ColorRole.WindowText))
        finally:
            painter.end()
