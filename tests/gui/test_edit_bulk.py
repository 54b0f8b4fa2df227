"""Bulk edits over the selected users (Add role, Remove role, Add to group), the Roles page's "Grant this role
to...", and planning 10,000 users within the event loop's budget."""

from __future__ import annotations

import time
from typing import Any

import pytest
from PySide6.QtCore import QItemSelectionModel, QPoint, Qt, QTimer
from PySide6.QtWidgets import QMenu

from birdadmin.scim.resources import User
from birdadmin.ui.bulk_plan import group_members
from birdadmin.ui.main_window import MainWindow
from tests.gui.edit_support import known_roles, lower, planned, undo_texts

pytestmark = pytest.mark.usefixtures("no_qt_warnings")


def _select(window: MainWindow, users: list[User]) -> None:
    view = window.users_view
    view.table.clearSelection()
    for user in users:
        row = window.users_model.row_of(user.id)
        view.table.selectionModel().select(window.users_model.index(row, 0),
                                           QItemSelectionModel.SelectionFlag.Select
                                           | QItemSelectionModel.SelectionFlag.Rows)


def _record_popups(monkeypatch: pytest.MonkeyPatch) -> list[QMenu]:
    popped: list[QMenu] = []
    monkeypatch.setattr(QMenu, "popup", lambda menu, *_args: popped.append(menu))
    return popped


def test_edit_actions_are_exposed_and_in_the_context_menu(demo_window: MainWindow,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    page = demo_window.users_page
    assert [a.objectName() for a in page.edit_actions] == ["addRoleAction", "removeRoleAction", "addToGroupAction"]
    assert not any(a.isEnabled() for a in page.edit_actions)  # nothing selected
    _select(demo_window, demo_window.users_model.users()[:3])
    assert all(a.isEnabled() for a in page.edit_actions)
    menu = page.bulk.context_menu()
    assert [a.objectName() for a in menu.actions()] == ["addRoleAction", "removeRoleAction", "addToGroupAction"]
    # A right click on the table pops the same actions up (offscreen, a real popup only warns: recorded instead).
    popped = _record_popups(monkeypatch)
    demo_window.users_view.table.customContextMenuRequested.emit(QPoint(10, 10))
    assert [m.objectName() for m in popped] == ["usersContextMenu"]
    assert [a.objectName() for a in popped[0].actions()] == ["addRoleAction", "removeRoleAction", "addToGroupAction"]


def test_bulk_add_role_counts_and_plans_those_lacking_it(demo_window: MainWindow, qtbot: Any) -> None:
    role = known_roles(demo_window)[0]
    users = demo_window.users_model.users()
    having = [u for u in users if role.id in lower(u.roles)][:2]
    lacking = [u for u in users if role.id not in lower(u.roles)][:5]
    assert len(having) == 2 and len(lacking) == 5
    _select(demo_window, having + lacking)
    demo_window.users_page.edit_actions[0].trigger()
    dialog = demo_window.users_page.bulk.dialog
    assert dialog is not None and dialog.objectName() == "bulkRoleDialog" and dialog.ok.isDefault()
    dialog.search.setText(role.name)
    assert dialog.choose(role.id)
    assert dialog.count.text() == ("7 selected users: 2 already have it, 5 lack it; the role is added to 5.")
    dialog.ok.click()
    assert planned(demo_window) == {("user-roles", u.id, lower(u.roles), lower(u.roles) | {role.id}) for u in lacking}
    assert undo_texts(demo_window) == [f"Add role {role.name} to 5 users"]
    demo_window.context.pending.undo_stack.undo()
    assert planned(demo_window) == set()


def test_bulk_remove_role_plans_on_top_of_the_queue(demo_window: MainWindow, qtbot: Any) -> None:
    role = known_roles(demo_window)[0]
    users = demo_window.users_model.users()
    having = [u for u in users if role.id in lower(u.roles)][:3]
    lacking = next(u for u in users if role.id not in lower(u.roles))
    assert len(having) == 3
    # One of them has the role planned away already; another user has it planned in.
    page = demo_window.users_page
    page.bulk.plan_role([having[0]], role.id, add=False)
    page.bulk.plan_role([lacking], role.id, add=True)
    _select(demo_window, [*having, lacking])
    page.edit_actions[1].trigger()
    dialog = page.bulk.dialog
    assert dialog is not None and dialog.choose(role.id)
    assert dialog.count.text() == "4 selected users: 3 have it, 1 lack it; the role is removed from 3."
    dialog.ok.click()
    expected = {("user-roles", u.id, lower(u.roles), lower(u.roles) - {role.id}) for u in having}
    assert planned(demo_window) == expected  # the planned addition was taken back: no change left for that user
    assert undo_texts(demo_window)[-1] == f"Remove role {role.name} from 3 users"
    demo_window.context.pending.undo_stack.undo()
    assert len(planned(demo_window)) == 2


def test_bulk_add_to_group(demo_window: MainWindow, qtbot: Any) -> None:
    org = demo_window.context.org
    assert org is not None
    group = max(org.groups, key=lambda g: org.member_counts.get(g.id, 0))
    members = group_members(org.memberships, group.id)
    users = demo_window.users_model.users()
    inside = [u for u in users if u.id in members][:1]
    outside = [u for u in users if u.id not in members][:3]
    _select(demo_window, inside + outside)
    demo_window.users_page.edit_actions[2].trigger()
    dialog = demo_window.users_page.bulk.dialog
    assert dialog is not None and dialog.objectName() == "groupChooser"
    dialog.search.setText(group.display_name)
    assert dialog.choose(group.id)
    assert dialog.count.text() == "4 selected users: 1 already members; 3 are added."
    qtbot.keyClick(dialog.list, Qt.Key.Key_Return)  # Enter takes the default button
    assert planned(demo_window) == {
        ("group-members", group.id, frozenset(members), frozenset(members) | {u.id for u in outside})}
    assert undo_texts(demo_window) == [f"Add 3 users to group {group.display_name}"]


def test_grant_role_from_the_roles_page(demo_window: MainWindow, qtbot: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    window = demo_window
    role = known_roles(window)[0]
    window.show_roles()
    assert window.roles_view.select_role(role.id)
    button = window.roles_view.grant_button
    assert button.objectName() == "grantRoleButton" and button.isEnabled()
    assert [a.objectName() for a in window.roles_page.grant.context_menu().actions()] == ["grantRoleAction"]
    popped = _record_popups(monkeypatch)
    window.roles_view.table.customContextMenuRequested.emit(QPoint(10, 10))
    assert [m.objectName() for m in popped] == ["rolesContextMenu"] and popped[0].actions()[0].isEnabled()
    button.click()
    picker = window.roles_page.grant.picker
    assert picker is not None and picker.objectName() == "userPicker"
    lacking = [u for u in window.users_model.users() if role.id not in lower(u.roles)][:2]
    holder = next(u for u in window.users_model.users() if role.id in lower(u.roles))
    for user in lacking:
        picker.search.setText(user.user_name)
        assert picker.pick(user.id)
    picker.search.setText(holder.user_name)
    assert not picker.pick(holder.id)  # already holds it directly
    picker.ok.click()
    assert planned(window) == {("user-roles", u.id, lower(u.roles), lower(u.roles) | {role.id}) for u in lacking}
    assert undo_texts(window) == [f"Add role {role.name} to 2 users"]


def test_planning_ten_thousand_users_runs_beside_the_event_loop(demo_window: MainWindow, qtbot: Any) -> None:
    """The plan is made on a worker in slices, so the window keeps running meanwhile; how long its longest stall
    is, is measured by tests/benchmarks/bench_editing.py (wall-clock budgets live in the benchmarks)."""
    roles = known_roles(demo_window)
    users = [User(f"bulk-{i:05d}", f"bulk{i}@example.com", roles=(roles[1].id,), version='W/"1"')
             for i in range(10_000)]
    bulk, pending = demo_window.users_page.bulk, demo_window.context.pending
    ticks: list[float] = []
    timer = QTimer()
    timer.setInterval(5)
    timer.timeout.connect(lambda: ticks.append(time.perf_counter()))
    timer.start()
    with qtbot.waitSignal(bulk.planned, timeout=30_000) as blocker:
        assert bulk.plan_role(users, roles[0].id, add=True) is None  # handed to a worker, not planned here
        started = len(ticks)
    timer.stop()
    assert len(ticks) > started  # the event loop ran while the plan was made
    assert blocker.args == [10_000] and len(pending.queue) == 10_000
    assert undo_texts(demo_window)[-1] == f"Add role {roles[0].name} to 10000 users"
    assert all(lower(c.after) == {roles[0].id, roles[1].id} for c in pending.queue)
    assert bulk.plan_group([u.id for u in users], demo_window.context.org.groups[0].id)  # type: ignore[union-attr]
    pending.undo_stack.undo()
    pending.undo_stack.undo()
    assert len(pending.queue) == 0
