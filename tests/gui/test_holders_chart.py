"""The holders-per-role chart: rendered to an image, its bars are really there, in order, the two parts told apart
by pattern as well as colour; on the Roles page it counts what a raw listing counts."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import QRectF
from PySide6.QtGui import QColor, QImage, QPainter

from birdadmin.report.chart import DIRECT_COLOR, GROUP_COLOR, paint_chart
from tests.gui.test_main_window import all_users_raw, roles_raw, scim_get, teams_raw

pytestmark = pytest.mark.usefixtures("qapp", "no_qt_warnings")  # fonts need the application
ROWS = [("Agent", 2, 0), ("Owner", 9, 3), ("Analyst", 0, 4)]


def render(rows: list[tuple[str, int, int]], width: int = 600, height: int = 300) -> tuple[QImage, int]:
    image = QImage(width, height, QImage.Format.Format_ARGB32)
    image.fill(QColor("white"))
    painter = QPainter(image)
    try:
        drawn = paint_chart(painter, QRectF(0, 0, width, height), rows)
    finally:
        painter.end()
    return image, drawn


def runs(image: QImage, color: QColor) -> list[tuple[int, int, int]]:
    """(y, first x, last x) of each line holding ``color``."""
    out = []
    for y in range(image.height()):
        xs = [x for x in range(image.width()) if image.pixelColor(x, y) == color]
        if xs:
            out.append((y, xs[0], xs[-1]))
    return out


def bars(image: QImage, color: QColor) -> list[tuple[int, int]]:
    """(top y, widest extent) of each separate band of ``color``, top to bottom (the legend's key included)."""
    found: list[tuple[int, int]] = []
    last_y = -10
    for y, first, last in runs(image, color):
        if y > last_y + 1:
            found.append((y, last - first))
        else:
            found[-1] = (found[-1][0], max(found[-1][1], last - first))
        last_y = y
    return found


def test_one_bar_per_role_sorted_by_count_with_two_patterns() -> None:
    image, drawn = render(ROWS)
    assert drawn == 3
    solid = bars(image, DIRECT_COLOR)
    # The key's swatch, then Owner (9) and Agent (2); Analyst has no direct holders.
    assert len(solid) == 3
    owner, agent = solid[1], solid[2]
    assert owner[0] < agent[0] and owner[1] > agent[1] * 3
    hatched = runs(image, GROUP_COLOR)
    assert hatched, "the through-groups parts are drawn"
    # Hatched, not filled: in a band of group colour, most pixels of a line are not that colour.
    y, first, last = max(hatched, key=lambda r: r[2] - r[1])
    line = [image.pixelColor(x, y) == GROUP_COLOR for x in range(first, last + 1)]
    assert 0 < sum(line) < len(line) / 2
    # Analyst (4, only through groups) comes between Owner (12) and Agent (2).
    assert any(owner[0] + 10 < r[0] < agent[0] for r in hatched)


def test_nothing_to_draw_and_too_little_room() -> None:
    image, drawn = render([])
    assert drawn == 0 and not runs(image, DIRECT_COLOR)
    many = [(f"Role {i}", i + 1, 0) for i in range(40)]
    image, drawn = render(many, height=200)
    assert 0 < drawn < 40
    assert len(bars(image, DIRECT_COLOR)) == drawn + 1  # the key's swatch and one bar per role drawn


def test_the_roles_page_chart_counts_as_a_raw_listing_does(demo_window: Any, qtbot: Any) -> None:
    emu = demo_window.emulator
    names = roles_raw(emu)
    users = all_users_raw(emu)
    via: dict[str, set[str]] = {}
    for team in teams_raw(emu):
        members = {m["value"] for m in scim_get(emu, f"Groups/{team['id']}").get("members", [])}
        for ref in team.get("roleRefs", []):
            via.setdefault(ref["id"], set()).update(members)
    chart = demo_window.roles_view.holders_chart
    assert chart.objectName() == "holdersChart"
    qtbot.wait(200)
    assert chart.rows() == [] and demo_window.roles_page.state() is None  # no work for a page not shown
    demo_window.show()
    demo_window.window_actions.roles.trigger()
    qtbot.waitUntil(lambda: bool(chart.rows()), timeout=10_000)
    got = {name: (direct, groups) for name, direct, groups in chart.rows()}
    for role_id, name in names.items():
        direct = {u["id"] for u in users if role_id in (r.lower() for r in u.get("roles", []))}
        assert got[name] == (len(direct), len(via.get(role_id, set()) - direct)), name
    totals = [d + g for _, d, g in chart.rows()]
    assert totals == sorted(totals, reverse=True)
    chart.resize(500, chart.sizeHint().height())
    image = chart.grab().toImage()
    assert runs(image, DIRECT_COLOR) and chart.drawn > 0
