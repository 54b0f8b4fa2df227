"""The PDF audit report, written with Qt's own PDF support (QPdfWriter, QPainter, QTextDocument; no widgets).

The report is a flow of blocks (``report/markup.py``): prose laid out by QTextDocument, tables drawn here cell by
cell (QTextDocument's own tables cost milliseconds a row; an organization of 10,000 users gives tens of thousands
of rows), page breaks. Two passes: the first places every block on pages (a table that runs over a page goes on
with its header row repeated), the second draws them, so each page's footer can say "Page i of N". Every page
has a header (the organization, when its data was read, and a PARTIAL mark on every page when the listing stopped
short) and a footer (when the report was made, the page number). The bar chart of holders per role follows:
the window's own chart (``ui/holders_chart.py`` ``paint_chart``, QPainter only; its module also holds the
widget, which the report never makes), drawn at screen scale on the page so it looks as it does on the Roles page.

Runs on any thread: Qt allows QPainter on a QPdfWriter outside the GUI thread (as on a QImage), and the documents
here are made, laid out and dropped on the calling thread. A QGuiApplication must exist (fonts); the CLI makes an
offscreen one (``report/app.py``).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from PySide6.QtCore import QMarginsF, QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFontMetricsF, QPageLayout, QPageSize, QPainter, QPdfWriter, QTextDocument

from birdadmin.domain.org_state import OrgState
from birdadmin.report import markup
from birdadmin.report.content import ReportContent, build
from birdadmin.report.flow import Layout, font, lay_out
from birdadmin.safe_text import terminal_line

RESOLUTION = 300  # dots per inch of the PDF's coordinate space (text and lines stay vector graphics)
MARGIN_MM = 15.0
BODY_PT = 9.0
SMALL_PT = 7.5
CHART_PX = (12, 11, 10, 9)  # the chart's text, in the screen pixels (1/96 inch) the window's chart is drawn in
PARTIAL_MARK = "PARTIAL ORGANIZATION: the listing stopped short; every count is a lower bound"
PARTIAL_COLOUR = QColor("#b00020")


def write_pdf(
    path: Path,
    state: OrgState,
    *,
    roles: Sequence[str] = (),
    since: OrgState | None = None,
    owner_role_id: str | None = None,
    owner_warn_above: int = 3,
    key_unused_days: int = 90,
    key_rotation_days: int = 365,
    sensitive_role_ids: Sequence[str] = (),
) -> int:
    """Write the audit report of ``state`` to ``path``; returns its page count.

    ``roles``: role ids for the who-has section (default: every role held, or the Owner and the most-held ones
    when there are many); ``since``: a snapshot to list the changes from.
    """
    content = build(state, roles=roles, since=since, owner_role_id=owner_role_id, owner_warn_above=owner_warn_above,
                    key_unused_days=key_unused_days, key_rotation_days=key_rotation_days,
                    sensitive_role_ids=sensitive_role_ids)
    return render(Path(path), content, state.catalogue.name_for)


def audit_settings(spec: Any) -> dict[str, Any]:
    """The audit settings of a connection (``ConnectionSpec``: the profile's), as ``write_pdf`` keywords."""
    return {"owner_role_id": spec.owner_role_id, "owner_warn_above": spec.owner_warn_above,
            "key_unused_days": spec.key_unused_days, "key_rotation_days": spec.key_rotation_days,
            "sensitive_role_ids": tuple(spec.sensitive_role_ids)}


class _Frame:
    """Each page's header and footer, and the body rectangle between them."""

    def __init__(self, writer: QPdfWriter, content: ReportContent) -> None:
        self.writer, self.content = writer, content
        self.width, self.height = float(writer.width()), float(writer.height())
        self.small = font(SMALL_PT)
        self.line = QFontMetricsF(self.small, writer).height()
        self.header = self.line * (3.2 if not content.complete else 2.0)
        self.footer = self.line * 2.0

    @property
    def body(self) -> QRectF:
        return QRectF(0, self.header, self.width, self.height - self.header - self.footer)

    def draw(self, p: QPainter, number: int, total: int) -> None:
        c, line = self.content, self.line
        p.save()
        p.setFont(self.small)
        left, right = Qt.AlignmentFlag.AlignLeft, Qt.AlignmentFlag.AlignRight
        org = QFontMetricsF(self.small, self.writer).elidedText(
            terminal_line(c.organization or "(unnamed organization)"), Qt.TextElideMode.ElideMiddle, self.width * 0.6
        )
        p.drawText(QRectF(0, 0, self.width, line), left, f"Role audit report: {org}")
        p.drawText(QRectF(0, 0, self.width, line), right, f"data read at {terminal_line(c.taken_at)}")
        if not c.complete:
            p.setPen(PARTIAL_COLOUR)
            p.setFont(font(SMALL_PT, bold=True))
            p.drawText(QRectF(0, line, self.width, line), left, PARTIAL_MARK)
            p.setFont(self.small)
        p.setPen(QColor("#888888"))
        rule = self.header - line * 0.6
        p.drawLine(QPointF(0, rule), QPointF(self.width, rule))
        bottom = self.height - self.footer + line * 0.6
        p.drawLine(QPointF(0, bottom), QPointF(self.width, bottom))
        p.setPen(QColor("#000000"))
        foot = QRectF(0, self.height - line, self.width, line)
        p.drawText(foot, left, f"Generated at {terminal_line(c.generated_at)} by birdadmin")
        p.drawText(foot, right, f"Page {number} of {total}")
        p.restore()


def prose_document(writer: QPdfWriter, html: str, width: float) -> QTextDocument:
    doc = QTextDocument()
    doc.documentLayout().setPaintDevice(writer)  # fonts measured in the PDF's own units
    doc.setDefaultFont(font(BODY_PT))
    doc.setDocumentMargin(0)
    doc.setHtml(html)
    doc.setTextWidth(width)
    return doc


class _Chart:
    """The window's chart on report pages: scaled from screen pixels, as many bars a page as fit."""

    def __init__(self, writer: QPdfWriter, body: QRectF, rows: list[tuple[str, int, int]]) -> None:
        from birdadmin.report.chart import MIN_ROW_HEIGHT, ROW_HEIGHT

        self.scale = writer.logicalDpiY() / 96
        title = QFontMetricsF(font(15, bold=True), writer).height()
        self.top = body.top() + title * 2.6
        self.area = QRectF(body.left() / self.scale, self.top / self.scale, body.width() / self.scale,
                           (body.bottom() - self.top) / self.scale)
        self.rows = rows
        for pixels in CHART_PX:  # the largest text with which every bar fits on one page (one scale for all)
            self.font = font(BODY_PT)
            self.font.setPixelSize(pixels)
            line = QFontMetricsF(self.font).height()
            row = max(MIN_ROW_HEIGHT, min(ROW_HEIGHT, line + 6))
            self.per_page = max(1, int((self.area.height() - (line + 6)) // row))
            if self.per_page >= len(rows):
                break

    @property
    def pages(self) -> int:
        return max(1, math.ceil(len(self.rows) / self.per_page))

    def draw(self, painter: QPainter, index: int) -> None:
        from birdadmin.report.chart import paint_chart

        painter.save()
        painter.scale(self.scale, self.scale)
        painter.setFont(self.font)
        paint_chart(painter, self.area, self.rows[index * self.per_page:(index + 1) * self.per_page],
                    QColor("#000000"))
        painter.restore()


def render(path: Path, content: ReportContent, role_name: Callable[[str], str]) -> int:
    """Lay out and write ``content``; returns the page count."""
    with path.open("wb"):  # a path that cannot be written fails here, as a plain OSError naming the file
        pass
    writer = QPdfWriter(str(path))
    writer.setResolution(RESOLUTION)
    writer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
    writer.setPageMargins(QMarginsF(MARGIN_MM, MARGIN_MM, MARGIN_MM, MARGIN_MM), QPageLayout.Unit.Millimeter)
    writer.setTitle(f"Role audit report: {terminal_line(content.organization)}")
    writer.setCreator("birdadmin")
    frame = _Frame(writer, content)
    layout = lay_out(markup.blocks(content, role_name), frame.body, writer,
                     lambda html: prose_document(writer, html, frame.body.width()))
    painter = QPainter()
    if not painter.begin(writer):
        raise OSError(0, "the PDF could not be started", str(path))
    try:
        return _paint(writer, painter, frame, layout, content)
    finally:
        painter.end()


def _paint(writer: QPdfWriter, painter: QPainter, frame: _Frame, layout: Layout, content: ReportContent) -> int:
    chart = _Chart(writer, frame.body, content.chart_rows())
    total = layout.page_count + chart.pages
    number = 0
    for page in range(layout.page_count):
        if number:
            writer.newPage()
        number += 1
        frame.draw(painter, number, total)
        layout.draw_page(painter, page)
    for index in range(chart.pages):
        writer.newPage()
        number += 1
        frame.draw(painter, number, total)
        _chart_heading(painter, writer, frame.body, index, content)
        chart.draw(painter, index)
    return number


def _chart_heading(painter: QPainter, writer: QPdfWriter, body: QRectF, index: int, content: ReportContent) -> None:
    title = font(15, bold=True)
    painter.save()
    painter.setFont(title)
    line = QFontMetricsF(title, writer).height()
    heading = "Holders per role, as a chart" + (" (continued, to its own scale)" if index else "")
    painter.drawText(QRectF(body.left(), body.top(), body.width(), line), Qt.AlignmentFlag.AlignLeft, heading)
    painter.setFont(font(BODY_PT))
    note = "Users per role: solid, directly; hatched, only through groups."
    if not content.group_roles_known:
        note = "Users per role, directly (roles through groups are unknown without the Accounts API)."
    if not content.complete:
        note += " Partial organization: the counts are lower bounds."
    painter.drawText(QRectF(body.left(), body.top() + line * 1.2, body.width(), line), Qt.AlignmentFlag.AlignLeft,
                     note)
    painter.restore()
