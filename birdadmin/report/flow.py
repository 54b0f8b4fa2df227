"""Placing the report's blocks on pages, then drawing one page: prose as small QTextDocuments, tables cell by cell.

A table row is as tall as its tallest cell (text wrapped at word boundaries, or anywhere when a single word, such
as an e-mail address, is wider than its column); a row never splits, and a table that runs over a page goes on with
its header row repeated. A cell is cut at :data:`CELL_LIMIT` characters (a hostile 100 KB display name would
otherwise make one row taller than a page).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPaintDevice, QPainter, QTextDocument

from birdadmin.report.markup import Block, Mark, PageBreak, Prose, Table, cell_text

CELL_LIMIT = 300
TABLE_PT = 8.0
PAD_PT = 2.0
HEADER_FILL = QColor("#e6e6e6")
RULE = QColor("#b0b0b0")


@dataclass
class _Op:
    kind: str  # "prose" | "header" | "row"
    y: float
    height: float
    doc: QTextDocument | None = None
    table: Table | None = None
    row: int = -1


@dataclass
class Layout:
    body: QRectF
    fonts: tuple[QFont, QFont]  # regular, bold (table cells)
    pad: float
    pages: list[list[_Op]] = field(default_factory=lambda: [[]])

    @property
    def page_count(self) -> int:
        return len(self.pages)

    def draw_page(self, painter: QPainter, page: int) -> None:
        for op in self.pages[page]:
            if op.kind == "prose" and op.doc is not None:
                painter.save()
                painter.translate(self.body.left(), op.y)
                op.doc.drawContents(painter)
                painter.restore()
            elif op.table is not None:
                self._draw_row(painter, op)

    def _draw_row(self, painter: QPainter, op: _Op) -> None:
        table = op.table
        assert table is not None
        header = op.kind == "header"
        cells: Sequence[object] = table.headers if header else table.rows[op.row]
        widths = _column_widths(table, self.body.width())
        rect = QRectF(self.body.left(), op.y, self.body.width(), op.height)
        painter.save()
        if header:
            painter.fillRect(rect, HEADER_FILL)
        x = self.body.left()
        for cell, width in zip(cells, widths, strict=True):
            bold = header or isinstance(cell, Mark)
            text = _clip(cell if isinstance(cell, str) and header else cell_text(cell))  # type: ignore[arg-type]
            painter.setFont(self.fonts[1] if bold else self.fonts[0])
            inner = QRectF(x + self.pad, op.y + self.pad, width - 2 * self.pad, op.height - 2 * self.pad)
            painter.setPen(QColor("#000000"))
            painter.drawText(inner, _flags(QFontMetricsF(painter.font()), text, inner.width()), text)
            x += width
        painter.setPen(RULE)
        painter.drawLine(QPointF(rect.left(), rect.bottom()), QPointF(rect.right(), rect.bottom()))
        painter.restore()


def font(points: float, *, bold: bool = False) -> QFont:
    """A report font: no ligatures, so text copied from the PDF (a role UUID ending in "ff", "file") is the text
    written, not a ligature glyph."""
    made = QFont()
    made.setPointSizeF(points)
    made.setBold(bold)
    for tag in ("liga", "clig", "dlig"):
        made.setFeature(QFont.Tag(tag), 0)
    return made


def _clip(text: str) -> str:
    return text if len(text) <= CELL_LIMIT else text[:CELL_LIMIT] + "…"


def _column_widths(table: Table, width: float) -> list[float]:
    total = sum(table.widths) or 1
    return [width * w / total for w in table.widths]


def _flags(metrics: QFontMetricsF, text: str, width: float) -> int:
    wrap = Qt.TextFlag.TextWordWrap
    if any(metrics.horizontalAdvance(word) > width for word in text.split()):
        wrap = Qt.TextFlag.TextWrapAnywhere
    return int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop | wrap)


def _row_height(metrics: tuple[QFontMetricsF, QFontMetricsF], cells: Sequence[object], widths: Sequence[float],
                pad: float, *, header: bool = False) -> float:
    line = metrics[0].height()
    tallest = line
    for cell, width in zip(cells, widths, strict=True):
        bold = header or isinstance(cell, Mark)
        text = _clip(cell if header else cell_text(cell))  # type: ignore[arg-type]
        m = metrics[1] if bold else metrics[0]
        inner = width - 2 * pad
        if m.horizontalAdvance(text) <= inner:
            continue
        box = m.boundingRect(QRectF(0, 0, inner, 1e7), _flags(m, text, inner), text)
        tallest = max(tallest, box.height())
    return tallest + 2 * pad


def lay_out(
    blocks: Sequence[Block], body: QRectF, device: QPaintDevice, make_doc: Callable[[str], QTextDocument]
) -> Layout:
    """Place ``blocks`` on pages of ``body``'s size (measured on ``device``)."""
    regular, bold = font(TABLE_PT), font(TABLE_PT, bold=True)
    metrics = (QFontMetricsF(regular, device), QFontMetricsF(bold, device))
    pad = PAD_PT * device.logicalDpiY() / 72
    layout = Layout(body, (regular, bold), pad)
    y = body.top()

    def new_page() -> None:
        nonlocal y
        layout.pages.append([])
        y = body.top()

    for block in blocks:
        if isinstance(block, PageBreak):
            if layout.pages[-1]:
                new_page()
        elif isinstance(block, Prose):
            doc = make_doc(block.html)
            height = doc.size().height()
            if layout.pages[-1] and layout.pages[-1][-1].kind == "prose":
                y += pad * 3  # a heading after a paragraph: the space a heading's top margin would give
            if y + height > body.bottom() and layout.pages[-1]:
                new_page()
            layout.pages[-1].append(_Op("prose", y, height, doc=doc))
            y += height
        else:
            widths = _column_widths(block, body.width())
            header = _row_height(metrics, block.headers, widths, pad, header=True)
            placed_header = False
            for index, row in enumerate(block.rows):
                height = min(_row_height(metrics, row, widths, pad), body.height() - header)
                if not placed_header or y + height > body.bottom():
                    if y + header + height > body.bottom():
                        new_page()
                    layout.pages[-1].append(_Op("header", y, header, table=block))
                    y += header
                    placed_header = True
                layout.pages[-1].append(_Op("row", y, height, table=block, row=index))
                y += height
            y += pad * 3
    return layout
