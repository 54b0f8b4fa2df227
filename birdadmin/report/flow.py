"""Placing the report's blocks on pages, then drawing one page: prose as small QTextDocuments, tables cell by cell.

A table row is as tall as its tallest cell (text wrapped at word boundaries, or anywhere when a single word, such
as an e-mail address, is wider than its column); a row never splits, and a table that runs over a page goes on with
its header row repeated. Each cell is measured once, when it is placed; drawing reuses what was measured. A cell is
cut at :data:`CELL_LIMIT` characters (a hostile 100 KB display name would otherwise make one row taller than a page).
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
INK = QColor("#000000")
_TOP_LEFT = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop
ONE_LINE = int(_TOP_LEFT)
WORD_WRAP = int(_TOP_LEFT | Qt.TextFlag.TextWordWrap)
ANY_WRAP = int(_TOP_LEFT | Qt.TextFlag.TextWrapAnywhere)


def font(points: float, *, bold: bool = False) -> QFont:
    """A report font: no ligatures, so text copied from the PDF (a role UUID ending in "ff", "file") is the text
    written, not a ligature glyph."""
    made = QFont()
    made.setPointSizeF(points)
    made.setBold(bold)
    for tag in ("liga", "clig", "dlig"):
        made.setFeature(QFont.Tag(tag), 0)
    return made


@dataclass(frozen=True, slots=True)
class _Cell:
    text: str
    bold: bool
    flags: int


@dataclass
class _Op:
    kind: str  # "prose" | "header" | "row"
    y: float
    height: float
    doc: QTextDocument | None = None
    widths: Sequence[float] = ()
    cells: tuple[_Cell, ...] = ()


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
        painter.save()
        painter.setFont(self.fonts[0])
        bold = False
        for op in self.pages[page]:
            if op.doc is not None:
                painter.save()
                painter.translate(self.body.left(), op.y)
                op.doc.drawContents(painter)
                painter.restore()
                continue
            left, right = self.body.left(), self.body.right()
            if op.kind == "header":
                painter.fillRect(QRectF(left, op.y, self.body.width(), op.height), HEADER_FILL)
            painter.setPen(INK)
            x, pad = left, self.pad
            for cell, width in zip(op.cells, op.widths, strict=True):
                if cell.bold != bold:
                    bold = cell.bold
                    painter.setFont(self.fonts[1] if bold else self.fonts[0])
                painter.drawText(QRectF(x + pad, op.y + pad, width - 2 * pad, op.height - 2 * pad), cell.flags,
                                 cell.text)
                x += width
            painter.setPen(RULE)
            bottom = op.y + op.height
            painter.drawLine(QPointF(left, bottom), QPointF(right, bottom))
        painter.restore()


def _column_widths(table: Table, width: float) -> list[float]:
    total = sum(table.widths) or 1
    return [width * w / total for w in table.widths]


class _Measure:
    """Cells measured once: their text as drawn, their font, how they wrap, and the row's height."""

    def __init__(self, device: QPaintDevice, fonts: tuple[QFont, QFont], pad: float) -> None:
        self.metrics = (QFontMetricsF(fonts[0], device), QFontMetricsF(fonts[1], device))
        self.pad = pad
        self.line = self.metrics[0].height()

    def row(self, cells: Sequence[object], widths: Sequence[float], *, header: bool = False
            ) -> tuple[float, tuple[_Cell, ...]]:
        tallest, made = self.line, []
        for cell, width in zip(cells, widths, strict=True):
            bold = header or isinstance(cell, Mark)
            text = cell_text(cell)  # type: ignore[arg-type]
            if len(text) > CELL_LIMIT:
                text = text[:CELL_LIMIT] + "…"
            metrics, inner = self.metrics[1 if bold else 0], width - 2 * self.pad
            if metrics.horizontalAdvance(text) <= inner:
                made.append(_Cell(text, bold, ONE_LINE))
                continue
            wrap = ANY_WRAP if any(metrics.horizontalAdvance(w) > inner for w in text.split()) else WORD_WRAP
            box = metrics.boundingRect(QRectF(0, 0, inner, 1e7), wrap, text)
            tallest = max(tallest, box.height())
            made.append(_Cell(text, bold, wrap))
        return tallest + 2 * self.pad, tuple(made)


def lay_out(
    blocks: Sequence[Block], body: QRectF, device: QPaintDevice, make_doc: Callable[[str], QTextDocument]
) -> Layout:
    """Place ``blocks`` on pages of ``body``'s size (measured on ``device``)."""
    fonts = (font(TABLE_PT), font(TABLE_PT, bold=True))
    pad = PAD_PT * device.logicalDpiY() / 72
    layout, measure = Layout(body, fonts, pad), _Measure(device, fonts, pad)
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
            header_height, header = measure.row(block.headers, widths, header=True)
            placed_header = False
            for row in block.rows:
                height, cells = measure.row(row, widths)
                height = min(height, body.height() - header_height)
                if not placed_header or y + height > body.bottom():
                    if y + header_height + height > body.bottom():
                        new_page()
                    layout.pages[-1].append(_Op("header", y, header_height, widths=widths, cells=header))
                    y += header_height
                    placed_header = True
                layout.pages[-1].append(_Op("row", y, height, widths=widths, cells=cells))
                y += height
            y += pad * 3
    return layout
