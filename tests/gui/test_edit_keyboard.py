"""The editing surfaces by keyboard alone: Tab reaches every control, Space ticks, Enter takes the default button,
Esc cancels."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import QItemSelectionModel, Qt

from birdadmin.ui.main_window import MainWindow
from tests.gui.conftest import LOAD_TIMEOUT_MS
from tests.gui.edit_support import known_roles, lower, planned, shown

pytestmark = pytest.mark.usefixtures("no_qt_warnings")


def _tab(qtbot: Any, window: Any) -> Any:
    """Press Tab where ``window``'s focus is; the widget that has it next (asked of the window: on the offscreen
    platform a dialog is never the active window, so the application's focus widget says nothing)."""
    focused = window.focusWidget()
    assert focused is not None
    qtbot.keyClick(focused, Qt.Key.Key_Tab)
    return window.focusWidget()


def test_group_pane_controls_are_reached_with_tab(demo_window: MainWindow, qtbot: Any) -> None:
    window = shown(qtbot, demo_window)
    org = window.context.org
    assert org is not None
    group = max(org.groups, key=lambda g: org.member_counts.get(g.id, 0))
    window.show_groups()
    assert window.groups_view.select_group(group.id)
    pane = window.groups_view.detail
    qtbot.waitUntil(lambda: pane.group is not None and pane.group.members is not None, timeout=LOAD_TIMEOUT_MS)
    pane.members_table.setFocus(Qt.FocusReason.OtherFocusReason)
    # Selected through the selection model: QTableView.selectRow reads the keyboard modifiers the application
    # last saw, which an earlier test's Shift+Tab can leave behind (then it selects nothing).
    first = pane.members_table.model().index(0, 0)
    pane.members_table.selectionModel().select(
        first, QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows)
    assert _tab(qtbot, window) is pane.add_members_button
    assert _tab(qtbot, window) is pane.remove_members_button
    qtbot.keyClick(pane.remove_members_button, Qt.Key.Key_Space)  # a push button is pressed with Space
    assert len(planned(window)) == 1
    pane.tabs.setCurrentIndex(1)
    pane.role_checklist.search.setFocus(Qt.FocusReason.OtherFocusReason)
    assert _tab(qtbot, window) is pane.role_checklist.list
    assert _tab(qtbot, window) is pane.roles_table


def test_grant_picker_by_keyboard(demo_window: MainWindow, qtbot: Any) -> None:
    window = shown(qtbot, demo_window)
    role = known_roles(window)[0]
    window.show_roles()
    assert window.roles_view.select_role(role.id)
    picker = window.roles_page.grant.open_picker()
    assert picker is not None
    qtbot.waitExposed(picker)
    target = next(u for u in window.users_model.users() if role.id not in lower(u.roles))
    picker.search.setFocus(Qt.FocusReason.OtherFocusReason)
    qtbot.keyClicks(picker.search, target.user_name)
    assert _tab(qtbot, picker) is picker.results
    qtbot.keyClick(picker.results, Qt.Key.Key_Home)
    assert picker.results.currentItem() is not None and target.user_name in picker.results.currentItem().text()
    qtbot.keyClick(picker.results, Qt.Key.Key_Space)
    assert [u.id for u in picker.chosen()] == [target.id]
    qtbot.keyClick(picker.results, Qt.Key.Key_Return)  # the default button
    assert not picker.isVisible()
    assert planned(window) == {("user-roles", target.id, lower(target.roles), lower(target.roles) | {role.id})}


def test_bulk_dialog_esc_cancels(demo_window: MainWindow, qtbot: Any) -> None:
    window = shown(qtbot, demo_window)
    window.users_view.table.selectRow(0)
    dialog = window.users_page.bulk.open_add_role()
    assert dialog is not None
    qtbot.waitExposed(dialog)
    assert dialog.focusWidget() is dialog.search  # typing searches at once
    qtbot.keyClicks(dialog.search, known_roles(window)[1].name)
    qtbot.keyClick(dialog.search, Qt.Key.Key_Escape)
    assert not dialog.isVisible() and planned(window) == set()
