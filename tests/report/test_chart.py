"""The report's bar chart, painted on an image: bars as long as their counts, direct and through-groups parts in
their own colours (and the through-groups part hatched, so it reads apart without colour)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QRectF
from PySide6.QtGui import QColor, QImage, QPainter

from birdadmin.report.chart import DIRECT_COLOUR, GROUPS_COLOUR, paint_chart

pytestmark = pytest.mark.usefixtures("no_qt_warnings")


def _painted(rows: list[tuple[str, int, int]], **kwargs: int) -> QImage:
    image = QImage(800, 400, QImage.Format.Format_RGB32)
    image.fill(QColor("white"))
    painter = QPainter(image)
    paint_chart(painter, QRectF(0, 0, 800, 400), rows, **kwargs)
    painter.end()
    return image


def _run(image: QImage, y: int, colour: QColor) -> int:
    return sum(1 for x in range(image.width()) if image.pixelColor(x, y).rgb() == colour.rgb())


def _bar_rows(image: QImage) -> list[int]:
    """The y of the middle of each run of rows that hold direct-colour pixels (one per bar with a direct part)."""
    ys = [y for y in range(image.height()) if _run(image, y, DIRECT_COLOUR) > 20]
    bands: list[list[int]] = []
    for y in ys:
        if bands and y - bands[-1][-1] <= 1:
            bands[-1].append(y)
        else:
            bands.append([y])
    return [band[len(band) // 2] for band in bands if len(band) > 3]


def test_bars_are_as_long_as_their_counts() -> None:
    image = _painted([("Agent", 80, 20), ("Owner", 40, 0), ("Analyst", 20, 0)])
    mids = _bar_rows(image)
    assert len(mids) >= 3  # the legend's key is drawn in the direct colour too, above the bars
    agent, owner, analyst = (_run(image, y, DIRECT_COLOUR) for y in mids[-3:])
    assert owner == pytest.approx(agent / 2, rel=0.08) and analyst == pytest.approx(agent / 4, rel=0.12)
    hatched = sum(_run(image, y, GROUPS_COLOUR) for y in range(mids[-3] - 3, mids[-3] + 4))
    assert 0 < hatched < 7 * 0.25 * 800  # the through-groups part is there, and hatched (not solid)


def test_a_continued_chart_keeps_the_scale_it_is_given() -> None:
    alone = _painted([("Analyst", 20, 0)])
    scaled = _painted([("Analyst", 20, 0)], most=100)
    assert _run(scaled, _bar_rows(scaled)[-1], DIRECT_COLOUR) < _run(alone, _bar_rows(alone)[-1], DIRECT_COLOUR) / 3


def test_no_rows_says_so_without_failing() -> None:
    image = _painted([])
    assert image.width() == 800  # painted without an error (the text is checked in the PDF tests)
