"""The Matrix page and the change queue against the demo organization: the groups view's menu plans the role a
group gives on its Bird team (docs/bird.md, H2, A2), disabled with its reason without the Accounts API or when
read-only; cells a planned change would alter are marked (and follow plan, undo, redo, discard and apply), while
the exports keep what the server holds."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QModelIndex, Qt

from birdadmin.connection import spec_for_emulator
from birdadmin.domain.audit import DIRECT
from birdadmin.domain.changes import Change
from birdadmin.qtmodels.changes import ChangeColumn
from birdadmin.qtmodels.matrix import FlagsRole, PaintRole, PlanRole, RoleIdRole
from birdadmin.qtmodels.matrix_plans import PLANNED_ADD, PLANNED_REMOVE, planned_cells
from birdadmin.qtmodels.roles import IdRole
from birdadmin.ui.main_window import MainWindow
from birdadmin.ui.matrix_page import MatrixPage
from tests.gui.conftest import LOAD_TIMEOUT_MS, wait_loaded

pytestmark = pytest.mark.usefixtures("no_qt_warnings")
TIMEOUT_MS = 30_000
TOOLTIP = Qt.ItemDataRole.ToolTipRole


def _page(window: MainWindow, qtbot: Any, kind: str = "users") -> MatrixPage:
    page = MatrixPage(window.context)
    qtbot.addWidget(page)
    page.resize(1100, 700)
    with qtbot.waitSignal(page.computed, timeout=TIMEOUT_MS):
        page.show()
    page.kind.setCurrentIndex(page.kind.findData(kind))
    return page


def _cell(page: MatrixPage, want: int, row_ok: Any = lambda _row_id: True) -> QModelIndex:
    model = page.model
    for r in range(model.rowCount()):
        if not row_ok(model.index(r, 0).data(IdRole)):
            continue
        for c in range(1, model.columnCount()):
            if model.index(r, c).data(FlagsRole) == want:
                return model.index(r, c)
    raise AssertionError(f"no cell with flags {want}")


def _has_team(window: MainWindow) -> Any:
    org = window.context.org
    assert org is not None
    return lambda group_id: org.group_map.team(group_id) is not None


def _action(menu: Any, name: str) -> Any:
    found = [a for a in menu.actions() if a.objectName() == name]
    assert len(found) == 1, [a.objectName() for a in menu.actions()]
    return found[0]


def test_groups_view_plans_a_role_on_the_groups_team(demo_window: MainWindow, qtbot: Any) -> None:
    page = _page(demo_window, qtbot, "groups")
    org, pending = demo_window.context.org, demo_window.context.pending
    assert org is not None
    index = _cell(page, 0, _has_team(demo_window))
    group_id, role_id = page.model.index(index.row(), 0).data(IdRole), index.data(RoleIdRole)
    team = org.group_map.team(group_id)
    assert team is not None
    add = _action(page.menu_for(index), "matrixGroupAddAction")
    assert add.isEnabled() and add.text().startswith("Add role ") and add.text().endswith("(planned)")
    add.trigger()
    change = pending.get(("group-roles", group_id))
    assert change is not None and change.team_id == team.id and change.version == team.version
    assert role_id.lower() in {r.lower() for r in change.added} and not change.removed
    stack = pending.undo_stack
    assert stack.text(stack.count() - 1) == (f"Add role {org.catalogue.name_for(role_id)} to group "
                                             f"{page.model.index(index.row(), 0).data()}")
    dock = demo_window.changes.dock.model
    assert dock.rowCount() == 1
    assert dock.index(0, ChangeColumn.KIND).data() == "Group roles"
    assert dock.index(0, ChangeColumn.CHANGE).data() == f"+ {org.catalogue.name_for(role_id)}"
    # As planned, the group gives the role now: the next menu offers its removal, which cancels the plan.
    remove = _action(page.menu_for(index), "matrixGroupRemoveAction")
    remove.trigger()
    assert pending.get(("group-roles", group_id)) is None and dock.rowCount() == 0


def test_groups_view_removes_a_role_the_group_gives(demo_window: MainWindow, qtbot: Any) -> None:
    page = _page(demo_window, qtbot, "groups")
    index = _cell(page, DIRECT, _has_team(demo_window))
    group_id, role_id = page.model.index(index.row(), 0).data(IdRole), index.data(RoleIdRole)
    _action(page.menu_for(index), "matrixGroupRemoveAction").trigger()
    change = demo_window.context.pending.get(("group-roles", group_id))
    assert change is not None and [r.lower() for r in change.removed] == [role_id.lower()] and not change.added
    assert index.data(PlanRole) == PLANNED_REMOVE
    assert index.data(TOOLTIP).endswith("; planned: remove (not sent)")


def test_groups_view_needs_the_accounts_api(make_window: Any, demo_emulator: Any, qtbot: Any) -> None:
    window = make_window()
    spec = spec_for_emulator(demo_emulator)
    spec.accounts_url = spec.accounts_key = None
    with qtbot.waitSignal(window.users_loaded, timeout=LOAD_TIMEOUT_MS):
        assert window.connect_to(spec)
    wait_loaded(qtbot, window)
    page = _page(window, qtbot, "groups")
    assert page.model.rowCount() > 0
    menu = page.menu_for(page.model.index(0, 1))
    add = next(a for a in menu.actions() if a.objectName().startswith("matrixGroup"))
    assert not add.isEnabled() and "Accounts API is not configured" in add.toolTip()
    assert any("Accounts API is not configured" in a.text() and not a.isEnabled() for a in menu.actions())
    add.trigger()
    assert len(window.context.pending) == 0


def test_groups_view_without_a_team_says_why(demo_window: MainWindow, qtbot: Any) -> None:
    """A SCIM group no Bird team matches (docs/bird.md A2: unmatched) has no roles to change."""
    page = _page(demo_window, qtbot, "groups")
    org = demo_window.context.org
    assert org is not None
    index = _cell(page, 0, _has_team(demo_window))
    group_id = page.model.index(index.row(), 0).data(IdRole)
    del org.group_map.team_for_group[group_id]  # as if the load had matched no team to it
    menu = page.menu_for(index)
    add = _action(menu, "matrixGroupAddAction")
    assert not add.isEnabled() and add.toolTip().startswith("No Bird group (team) matches this SCIM group")
    assert menu.actions()[0].text() == add.toolTip() and not menu.actions()[0].isEnabled()
    add.trigger()
    assert len(demo_window.context.pending) == 0


def test_groups_view_read_only_says_why(demo_window: MainWindow, qtbot: Any) -> None:
    page = _page(demo_window, qtbot, "groups")
    pending = demo_window.context.pending
    pending.set_read_only("The profile is read-only.")
    menu = page.menu_for(_cell(page, 0, _has_team(demo_window)))
    assert menu.actions()[0].text() == "Read-only: The profile is read-only."
    add = _action(menu, "matrixGroupAddAction")
    assert not add.isEnabled() and add.toolTip() == "The profile is read-only."
    add.trigger()
    assert len(pending) == 0


def _dark_near(page: MatrixPage, index: QModelIndex) -> bool:
    """Whether the planned sign's corner (top right of the cell) is drawn."""
    table = page.table
    table.scrollTo(index)
    table.viewport().repaint()
    rect = table.visualRect(index)
    image = table.viewport().grab().toImage()
    x, y = rect.right() - 9, rect.top() + 7
    return any(image.pixelColor(x + dx, y + dy).lightness() < 100 for dx in range(-2, 3) for dy in range(-1, 2))


def test_a_planned_grant_marks_its_cell_and_undo_clears_it(demo_window: MainWindow, qtbot: Any) -> None:
    page = _page(demo_window, qtbot)
    pending = demo_window.context.pending
    index = _cell(page, 0)
    page.table.setCurrentIndex(page.model.index(0, 0))  # keep the cell unselected: its own colours are checked
    assert index.data(PlanRole) == 0 and "planned" not in index.data(TOOLTIP)
    assert not _dark_near(page, index)
    _action(page.menu_for(index), "matrixGrantAction").trigger()
    assert index.data(PlanRole) == PLANNED_ADD and index.data(PaintRole) == PLANNED_ADD
    assert index.data(FlagsRole) == 0 and index.data() == ""  # what the server holds is unchanged
    assert index.data(TOOLTIP).endswith("not held; planned: add (not sent)")
    assert "planned: add (not sent)" in index.data(Qt.ItemDataRole.AccessibleTextRole)
    assert _dark_near(page, index)
    pending.undo_stack.undo()
    assert index.data(PlanRole) == 0 and "planned" not in index.data(TOOLTIP)
    assert not _dark_near(page, index)
    pending.undo_stack.redo()
    assert index.data(PlanRole) == PLANNED_ADD
    pending.discard()
    assert index.data(PlanRole) == 0


def test_marks_follow_apply_results_and_the_kind(demo_window: MainWindow, qtbot: Any) -> None:
    page = _page(demo_window, qtbot)
    pending = demo_window.context.pending
    index = _cell(page, DIRECT)
    row_id, role_id = page.model.index(index.row(), 0).data(IdRole), index.data(RoleIdRole)
    _action(page.menu_for(index), "matrixRevokeAction").trigger()
    assert index.data(PlanRole) == PLANNED_REMOVE and index.data(PaintRole) == DIRECT | PLANNED_REMOVE
    change = pending.get(("user-roles", row_id))
    assert change is not None
    pending.record_results([replace(change, status="conflict", reason="changed meanwhile")])
    assert index.data(TOOLTIP).endswith("planned: remove (not applied: conflict)")
    page.kind.setCurrentIndex(page.kind.findData("groups"))  # a user's change marks nothing among groups
    model = page.model
    assert not any(model.index(r, c).data(PlanRole) for r in range(model.rowCount())
                   for c in range(1, model.columnCount()))
    page.kind.setCurrentIndex(page.kind.findData("users"))
    marked = page.model.index(index.row(), index.column())
    assert marked.data(RoleIdRole) == role_id and marked.data(PlanRole) == PLANNED_REMOVE
    pending.record_results([replace(change, status="done")])
    assert marked.data(PlanRole) == 0


def test_the_model_with_marks_passes_the_model_tester(demo_window: MainWindow, qtbot: Any,
                                                      qtmodeltester: Any) -> None:
    page = _page(demo_window, qtbot)
    _action(page.menu_for(_cell(page, 0)), "matrixGrantAction").trigger()
    assert page.model.plans
    qtmodeltester.check(page.model)


def test_exports_keep_what_the_server_holds(demo_window: MainWindow, qtbot: Any, tmp_path: Path) -> None:
    page = _page(demo_window, qtbot)
    page.export_csv(str(tmp_path / "before.csv"))
    page.export_json(str(tmp_path / "before.json"))
    _action(page.menu_for(_cell(page, 0)), "matrixGrantAction").trigger()
    _action(page.menu_for(_cell(page, DIRECT)), "matrixRevokeAction").trigger()
    assert len(demo_window.context.pending) >= 1
    page.export_csv(str(tmp_path / "after.csv"))
    page.export_json(str(tmp_path / "after.json"))
    for name in ("csv", "json"):
        assert (tmp_path / f"after.{name}").read_bytes() == (tmp_path / f"before.{name}").read_bytes()


def test_planned_cells_from_a_queue() -> None:
    """Only open changes of the matrix's kind mark cells; UUIDs compare without case; unknown targets and roles no
    column shows mark nothing."""
    role_a, role_b = "0a0a0a0a-0000-4000-8000-00000000000a", "0b0b0b0b-0000-4000-8000-00000000000b"
    row_at = {"u1": 0, "u2": 1, "g1": 0}
    grant = Change("user-roles", "u1", "u1", (role_a,), (role_a, role_b.upper(), "not-a-column"))
    revoke = Change("user-roles", "u2", "u2", (role_a,), (), status="failed")
    done = Change("user-roles", "u2", "u2", (), (role_b,), status="done")
    stranger = Change("user-roles", "nobody", "nobody", (), (role_a,))
    group = Change("group-roles", "g1", "g1", (), (role_a,), team_id="g1")
    users = planned_cells("users", (role_a, role_b), row_at, [grant, revoke, done, stranger, group])
    assert dict(users.cells) == {(0, 1): PLANNED_ADD, (1, 0): PLANNED_REMOVE}
    assert users.text(1, 0) == "planned: remove (not applied: failed)" and users.text(0, 0) == ""
    groups = planned_cells("groups", (role_a, role_b), row_at, [grant, group])
    assert dict(groups.cells) == {(0, 0): PLANNED_ADD}
    assert not planned_cells("users", (role_a,), row_at, [])
