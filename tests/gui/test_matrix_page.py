"""The Matrix page against the demo organization: marks match who_has, filters, the frozen name column, planning
from a cell's menu (and not when read-only), and exports of exactly what is shown."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt

from birdadmin.domain.audit import DIRECT, INHERITED, who_has
from birdadmin.domain.org_state import OrgState
from birdadmin.org_load import org_state
from birdadmin.qtmodels.matrix import FlagsRole, MatrixFilter, MatrixModel, RoleIdRole, build, visible
from birdadmin.qtmodels.roles import IdRole
from birdadmin.ui.main_window import MainWindow
from birdadmin.ui.matrix_page import MatrixPage

pytestmark = pytest.mark.usefixtures("no_qt_warnings")
TIMEOUT_MS = 30_000


def _state(window: MainWindow) -> OrgState:
    context = window.context
    assert context.organization is not None and context.org is not None
    return org_state(context.organization.users.as_list(), context.org, label="demo", complete=True)


def _page(window: MainWindow, qtbot: Any) -> MatrixPage:
    page = MatrixPage(window.context)
    qtbot.addWidget(page)
    page.resize(1100, 700)
    with qtbot.waitSignal(page.computed, timeout=TIMEOUT_MS):
        page.show()
    return page


def _select(combo: Any, value: Any) -> None:
    combo.setCurrentIndex(combo.findData(value))


def test_marks_match_who_has_and_the_counts(demo_window: MainWindow, qtbot: Any) -> None:
    page = _page(demo_window, qtbot)
    state = _state(demo_window)
    model = page.model
    data = model.matrix_data
    assert data is not None and data.kind == "users"
    assert model.rowCount() == len(state.users) + len(state.keys)  # access keys are rows too (issue 13)
    checked = 0
    for c in range(1, model.columnCount()):
        role_id = model.headerData(c, Qt.Orientation.Horizontal, RoleIdRole)
        holders = {h.user.id: h for h in who_has(state, role_id)}
        assert str(model.headerData(c, Qt.Orientation.Horizontal)).endswith(f"\n{len(holders)}")
        for r in range(model.rowCount()):
            user_id = model.index(r, 0).data(IdRole)
            flags = model.index(r, c).data(FlagsRole)
            holder = holders.get(user_id)
            want = 0 if holder is None else (DIRECT if holder.direct else 0) | (INHERITED if holder.groups else 0)
            assert flags == want, (user_id, role_id)
            text = model.index(r, c).data()
            assert text == {0: "", DIRECT: "●", INHERITED: "○", DIRECT | INHERITED: "●○"}[want]
            if holder is not None and holder.groups:
                said = model.index(r, c).data(Qt.ItemDataRole.AccessibleTextRole)
                assert f"through group{'s' if len(holder.groups) > 1 else ''} {holder.groups[0][1]}" in said
                checked += 1
    assert checked, "the demo organization gives no role through a group"


def test_model_passes_the_model_tester(demo_window: MainWindow, qtbot: Any, qtmodeltester: Any) -> None:
    page = _page(demo_window, qtbot)
    assert isinstance(page.model, MatrixModel)
    qtmodeltester.check(page.model)


def test_filters_and_the_count_line(demo_window: MainWindow, qtbot: Any) -> None:
    page = _page(demo_window, qtbot)
    data = page.model.matrix_data
    assert data is not None
    total = data.row_count()
    kinds = [data.matrix.row_kind(r) for r in range(total)]
    users, keys = kinds.count("user"), kinds.count("key")
    assert keys, "the demo organization's keys are rows of the users matrix"
    assert page.count.text().startswith(f"{users} of {users} users and {keys} of {keys} access keys, ")
    role_id = max(data.matrix.role_ids, key=lambda r: data.matrix.counts.get(r, 0))
    page.set_roles(frozenset({role_id}))
    assert page.model.columnCount() == 2
    _select(page.source, "direct")
    col = data.matrix.role_ids.index(role_id)
    direct = [r for r in range(total) if data.matrix.flags(r, col) & DIRECT]
    assert page.model.shown_rows() == direct
    direct_keys = sum(1 for r in direct if kinds[r] == "key")
    assert page.count.text().startswith(
        f"{len(direct) - direct_keys} of {users} users and {direct_keys} of {keys} access keys, ")
    _select(page.source, "inherited")
    assert page.model.shown_rows() == [r for r in range(total) if data.matrix.flags(r, col) & INHERITED]
    _select(page.source, "any")
    page.set_roles(None)
    _select(page.active, "inactive")
    inactive = {u.id for u in _state(demo_window).users if not u.active}
    assert {data.matrix.row_ids[r] for r in page.model.shown_rows()} == inactive
    _select(page.active, "all")
    group_id, _name = next(g for g in data.groups if data.members[g[0]])
    _select(page.group, group_id)
    assert {data.matrix.row_ids[r] for r in page.model.shown_rows()} == set(data.members[group_id])
    _select(page.kind, "groups")
    assert page.model.rowCount() == 1 and page.model.index(0, 0).data(IdRole) == group_id
    _select(page.group, "")
    assert page.model.rowCount() == len(_state(demo_window).groups)


def test_the_role_chooser_searches_and_picks_columns(demo_window: MainWindow, qtbot: Any) -> None:
    page = _page(demo_window, qtbot)
    data = page.model.matrix_data
    assert data is not None
    chooser = page.choose_roles()
    assert chooser is not None
    name = data.role_names[0]
    chooser.search.setText(name)
    chooser.check_shown(Qt.CheckState.Unchecked)
    chooser.accept()
    assert name not in [page.model.headerData(c, Qt.Orientation.Horizontal).split("\n")[0]
                        for c in range(1, page.model.columnCount())]


def test_frozen_column_stays_in_sync(demo_window: MainWindow, qtbot: Any) -> None:
    page = _page(demo_window, qtbot)
    table = page.table
    page.resize(500, 300)
    qtbot.waitUntil(lambda: table.horizontalScrollBar().maximum() > 0 and table.verticalScrollBar().maximum() > 0)
    last = page.model.index(page.model.rowCount() - 1, page.model.columnCount() - 1)
    table.scrollTo(last)
    assert table.horizontalScrollBar().value() > 0
    assert table.verticalScrollBar().value() > 0
    assert table.frozen.verticalScrollBar().value() == table.verticalScrollBar().value()
    assert table.frozen.isVisible() and table.frozen.geometry().x() <= table.frameWidth() + 1
    row = table.rowAt(table.viewport().height() // 2)
    assert table.frozen.rowAt(table.viewport().height() // 2) == row
    assert all(table.frozen.isColumnHidden(c) for c in range(1, page.model.columnCount()))
    assert table.frozen.columnWidth(0) == table.columnWidth(0)


def _cell(page: MatrixPage, want: int) -> Any:
    model = page.model
    for r in range(model.rowCount()):
        for c in range(1, model.columnCount()):
            if model.index(r, c).data(FlagsRole) == want:
                return model.index(r, c)
    raise AssertionError(f"no cell with flags {want}")


def test_menu_plans_a_grant_into_the_queue(demo_window: MainWindow, qtbot: Any) -> None:
    page = _page(demo_window, qtbot)
    pending = demo_window.context.pending
    index = _cell(page, 0)
    user_id = page.model.index(index.row(), 0).data(IdRole)
    role_id = index.data(RoleIdRole)
    menu = page.menu_for(index)
    grant = next(a for a in menu.actions() if a.objectName() == "matrixGrantAction")
    assert grant.text().startswith("Grant ") and grant.text().endswith("(planned)") and grant.isEnabled()
    grant.trigger()
    change = pending.get(("user-roles", user_id))
    assert change is not None and role_id in change.after and role_id not in change.before
    # The next menu on that cell offers the revocation back.
    again = page.menu_for(index)
    assert [a.objectName() for a in again.actions() if a.objectName()] == ["matrixRevokeAction"]


def test_inherited_only_cell_offers_no_revocation(demo_window: MainWindow, qtbot: Any) -> None:
    page = _page(demo_window, qtbot)
    menu = page.menu_for(_cell(page, INHERITED))
    texts = [a.text() for a in menu.actions()]
    assert any("comes through group" in t for t in texts)
    assert not any(t.startswith("Revoke") for t in texts)


def test_read_only_disables_the_menu_and_says_why(demo_window: MainWindow, qtbot: Any) -> None:
    page = _page(demo_window, qtbot)
    pending = demo_window.context.pending
    pending.set_read_only("The profile is read-only.")
    menu = page.menu_for(_cell(page, DIRECT))
    texts = [a.text() for a in menu.actions()]
    assert texts[0] == "Read-only: The profile is read-only."
    revoke = next(a for a in menu.actions() if a.objectName() == "matrixRevokeAction")
    assert not revoke.isEnabled()
    revoke.trigger()
    assert len(pending) == 0


def test_exports_are_what_is_shown(demo_window: MainWindow, qtbot: Any, tmp_path: Path) -> None:
    page = _page(demo_window, qtbot)
    data = page.model.matrix_data
    assert data is not None
    role_ids = frozenset(data.matrix.role_ids[:2])
    page.set_roles(role_ids)
    _select(page.source, "inherited")
    rows, cols = visible(data, MatrixFilter(role_ids, None, "all", "inherited"))
    page.export_csv(str(tmp_path / "m.csv"))
    lines = list(csv.reader(io.StringIO((tmp_path / "m.csv").read_text(encoding="utf-8"))))
    assert lines[0] == ["user", *(data.role_names[c] for c in cols), "id", "kind"]
    assert [line[-2] for line in lines[1:]] == [data.matrix.row_ids[r] for r in rows]
    assert [line[-1] for line in lines[1:]] == [data.matrix.row_kind(r) for r in rows]
    assert all("○" in "".join(line[1:-2]) for line in lines[1:])
    page.export_json(str(tmp_path / "m.json"))
    doc = json.loads((tmp_path / "m.json").read_text(encoding="utf-8"))
    assert [c["id"] for c in doc["columns"]] == [data.matrix.role_ids[c] for c in cols]
    assert [(r["kind"], r["id"]) for r in doc["rows"]] == [(data.matrix.row_kind(r), data.matrix.row_ids[r])
                                                          for r in rows]
    assert doc["filters"]["source"] == "inherited"
    assert all(cell["groups"] for row in doc["rows"] for cell in row["roles"] if "inherited" in cell["source"])


def test_recomputes_when_told_and_only_when_shown(demo_window: MainWindow, qtbot: Any) -> None:
    page = _page(demo_window, qtbot)
    page.hide()
    page.organization_changed()
    first = page.model.matrix_data
    qtbot.wait(100)
    assert page.model.matrix_data is first  # hidden: nothing computed yet
    with qtbot.waitSignal(page.computed, timeout=TIMEOUT_MS):
        page.show()
    assert page.model.matrix_data is not first


def test_build_without_a_window_matches_the_page(demo_window: MainWindow, qtbot: Any) -> None:
    page = _page(demo_window, qtbot)
    data = build(_state(demo_window), "users")
    assert page.model.matrix_data is not None
    assert data.matrix.row_ids == page.model.matrix_data.matrix.row_ids


def _dark(image: Any, x: int, y: int) -> bool:
    color = image.pixelColor(x, y)
    return color.lightness() < 100


def test_cells_are_told_apart_by_shape(demo_window: MainWindow, qtbot: Any) -> None:
    """A direct cell has a filled dot at its centre; a through-group cell has a ring (its centre stays light)."""
    page = _page(demo_window, qtbot)
    table = page.table
    for want, centre_dark in ((DIRECT, True), (INHERITED, False)):
        index = _cell(page, want)
        table.scrollTo(index)
        qtbot.wait(20)
        rect = table.visualRect(index)
        image = table.viewport().grab().toImage()
        x, y = rect.center().x(), rect.center().y()
        assert _dark(image, x, y) is centre_dark, want
        assert any(_dark(image, x + dx, y) for dx in range(-6, 7)), want  # the ring's edge, or the dot


def test_a_partial_organization_is_marked(demo_window: MainWindow, qtbot: Any) -> None:
    page = _page(demo_window, qtbot)
    assert page.mark.isHidden()
    with qtbot.waitSignal(page.computed, timeout=TIMEOUT_MS):
        page.set_state(replace(_state(demo_window), complete=False))
    assert not page.mark.isHidden() and page.mark.text().startswith("Not complete")
    assert "at least" in page.model.headerData(1, Qt.Orientation.Horizontal, Qt.ItemDataRole.ToolTipRole)


def test_double_click_opens_the_user_or_group(demo_window: MainWindow, qtbot: Any) -> None:
    page = _page(demo_window, qtbot)
    index = page.model.index(2, 0)
    with qtbot.waitSignal(page.open_user, timeout=1000) as opened:
        page.table.doubleClicked.emit(index)
    assert opened.args == [index.data(IdRole)]
    _select(page.kind, "groups")
    with qtbot.waitSignal(page.open_group, timeout=1000) as opened:
        page.table.frozen.doubleClicked.emit(page.model.index(0, 0))
    assert opened.args == [page.model.index(0, 0).data(IdRole)]
