"""The window driven by the keyboard alone: Tab leaves tables, F6 cycles the panes, the quick filter leads to its
results and says how many it shows, and the detail pane never shows a user the filter has hidden."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractItemView, QApplication, QLabel, QWidget

from birdadmin.ui.main_window import MainWindow
from birdadmin.ui.pages import PAGE_FINDINGS, PAGE_MATRIX
from tests.gui.conftest import LOAD_TIMEOUT_MS

pytestmark = pytest.mark.usefixtures("no_qt_warnings")

# Enough for one lap of the Users page in either direction, far fewer than a table has cells.
MAX_PRESSES = 40


def shown(qtbot: Any, window: MainWindow) -> MainWindow:
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    return window


def focused() -> QWidget:
    widget = QApplication.focusWidget()
    assert widget is not None, "nothing has the keyboard focus"
    return widget


def press(qtbot: Any, key: Qt.Key, modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier) -> QWidget:
    qtbot.keyClick(focused(), key, modifier)
    return focused()


def names_of(widget: QWidget) -> set[str]:
    """The objectNames of the widget and of its ancestors (a tab bar is found by its tab widget's name)."""
    names: set[str] = set()
    while widget is not None:
        if widget.objectName():
            names.add(widget.objectName())
        widget = widget.parentWidget()
    return names


def in_pane(pane: QWidget) -> bool:
    widget = focused()
    return widget is pane or pane.isAncestorOf(widget)


def test_every_table_lets_tab_leave_it(demo_window: MainWindow, qtbot: Any) -> None:
    tables = demo_window.findChildren(QAbstractItemView)
    assert len(tables) >= 8
    for table in tables:
        assert not table.tabKeyNavigation(), table.objectName()
    window = shown(qtbot, demo_window)
    table = window.users_view.table
    table.setFocus(Qt.FocusReason.OtherFocusReason)
    table.setCurrentIndex(window.users_model.index(0, 0))
    assert press(qtbot, Qt.Key.Key_Tab) is not table
    table.setFocus(Qt.FocusReason.OtherFocusReason)
    assert press(qtbot, Qt.Key.Key_Backtab, Qt.KeyboardModifier.ShiftModifier) is not table


def test_tab_shift_tab_and_f6_reach_every_main_widget(demo_window: MainWindow, qtbot: Any) -> None:
    window = shown(qtbot, demo_window)
    view = window.users_view
    assert view.select_user(window.users_model.user_at(0).id)
    view.quick_filter.setFocus(Qt.FocusReason.OtherFocusReason)
    wanted = {"quickFilter", "scimFilter", "usersTable", "userDetailTabs", "copyCurlButton", "copyRoleIdsButton",
              "mainToolbar", "profileSwitcher"}
    for key, modifier in ((Qt.Key.Key_Tab, Qt.KeyboardModifier.NoModifier),
                          (Qt.Key.Key_Backtab, Qt.KeyboardModifier.ShiftModifier)):
        view.quick_filter.setFocus(Qt.FocusReason.OtherFocusReason)
        seen: set[str] = set()
        for _ in range(MAX_PRESSES):
            seen |= names_of(press(qtbot, key, modifier))
        assert wanted <= seen, f"{key.name} never reached {sorted(wanted - seen)}"
    # F6 and Shift+F6 cycle the panes: filter, table, detail pane, toolbar (the page switch).
    view.quick_filter.setFocus(Qt.FocusReason.OtherFocusReason)
    order = [view.quick_filter, view.table, view.detail, window.toolbar]
    for step in (1, 2, 3, 0):
        press(qtbot, Qt.Key.Key_F6)
        assert in_pane(order[step]), (step, focused().objectName())
    for step in (3, 2, 1, 0):
        press(qtbot, Qt.Key.Key_F6, Qt.KeyboardModifier.ShiftModifier)
        assert in_pane(order[step]), (step, focused().objectName())
    # The page switch is reachable from the keyboard and works with it.
    press(qtbot, Qt.Key.Key_F6, Qt.KeyboardModifier.ShiftModifier)
    assert in_pane(window.toolbar)
    for _ in range(5):
        if focused() is window.toolbar.widgetForAction(window.window_actions.groups):
            break
        press(qtbot, Qt.Key.Key_Tab)
    assert focused() is window.toolbar.widgetForAction(window.window_actions.groups)
    press(qtbot, Qt.Key.Key_Space)
    assert window.stack.currentWidget() is window.groups_view
    # On the Groups page F6 goes from the table to the group's pane and back.
    window.groups_view.table.setFocus(Qt.FocusReason.OtherFocusReason)
    press(qtbot, Qt.Key.Key_F6)
    assert in_pane(window.groups_view.detail)


def test_detail_tabs_and_buttons_are_reached_with_tab(demo_window: MainWindow, qtbot: Any) -> None:
    window = shown(qtbot, demo_window)
    view = window.users_view
    user = next(u for u in window.users_model.users() if u.roles)
    assert view.select_user(user.id)
    view.table.setFocus(Qt.FocusReason.OtherFocusReason)
    bar = view.detail.tabs.tabBar()
    assert press(qtbot, Qt.Key.Key_Tab) is bar
    press(qtbot, Qt.Key.Key_Right)  # arrows switch the tabs
    assert view.detail.tabs.currentIndex() == 1
    reached = set()
    for _ in range(7):  # the Roles tab: role search, role checklist, "Add role by UUID...", every grant
        reached |= names_of(press(qtbot, Qt.Key.Key_Tab))
    assert {"roleSearch", "roleChecklist", "addRoleByUuidButton", "userRolesTable", "copyCurlButton",
            "copyRoleIdsButton"} <= reached
    view.detail.tabs.setCurrentIndex(3)  # the JSON view hands Tab on too
    view.detail.json_view.setFocus(Qt.FocusReason.OtherFocusReason)
    assert press(qtbot, Qt.Key.Key_Tab) is view.detail.curl_button


@pytest.mark.parametrize("key", [Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Down])
def test_enter_or_down_in_the_quick_filter_goes_to_the_first_result(demo_window: MainWindow, qtbot: Any,
                                                                     key: Qt.Key) -> None:
    window = shown(qtbot, demo_window)
    view = window.users_view
    window.window_actions.find.trigger()
    qtbot.keyClicks(view.quick_filter, "owner")
    assert focused() is view.quick_filter
    press(qtbot, key)
    assert focused() is view.table
    first = window.users_model.user_at(0)
    assert view.current_user() is not None and view.current_user().id == first.id
    assert [u.id for u in view.selected_users()] == [first.id]
    assert view.detail.user is not None and view.detail.user.id == first.id


def test_enter_with_no_matches_stays_in_the_filter(demo_window: MainWindow, qtbot: Any) -> None:
    window = shown(qtbot, demo_window)
    view = window.users_view
    window.window_actions.find.trigger()
    qtbot.keyClicks(view.quick_filter, "no-such-user-anywhere")
    press(qtbot, Qt.Key.Key_Return)
    assert focused() is view.quick_filter


def test_the_quick_filter_says_how_many_it_shows(demo_window: MainWindow, qtbot: Any) -> None:
    view = demo_window.users_view
    label = demo_window.findChild(QLabel, "filterCountLabel")
    assert label is not None and label.accessibleName()
    total = demo_window.users_model.loaded_count()
    qtbot.keyClicks(view.quick_filter, "owner")
    shown_rows = demo_window.users_model.rowCount()
    assert 0 < shown_rows < total
    assert label.isVisibleTo(view) and label.text() == f"{shown_rows} of {total} shown"
    view.quick_filter.clear()
    qtbot.keyClicks(view.quick_filter, "no-such-user-anywhere")
    assert label.isVisibleTo(view) and label.text() == "No matches"
    view.quick_filter.clear()
    assert not label.isVisibleTo(view)


def test_the_pane_does_not_show_a_user_the_filter_hides(demo_window: MainWindow, qtbot: Any) -> None:
    view, pane = demo_window.users_view, demo_window.users_view.detail
    user = demo_window.users_model.user_at(0)
    assert view.select_user(user.id)
    qtbot.waitUntil(lambda: pane.json_user_id == user.id, timeout=LOAD_TIMEOUT_MS)
    qtbot.keyClicks(view.quick_filter, "no-such-user-anywhere")
    assert pane.user is None
    assert user.user_name not in pane.title.text()
    assert pane.roles_model.rowCount() == 0 and not pane.json_view.toPlainText()
    assert "hidden by the quick filter" in pane.subtitle.text()
    assert not pane.curl_button.isEnabled()
    # Clearing the filter brings the user back, selected and shown.
    view.quick_filter.clear()
    assert view.current_user() is not None and view.current_user().id == user.id
    assert pane.user is not None and pane.user.id == user.id
    qtbot.waitUntil(lambda: pane.json_user_id == user.id, timeout=LOAD_TIMEOUT_MS)


@pytest.mark.parametrize(("page", "wanted"), [
    ("groups", {"groupsTable", "groupDetailTabs", "groupMembersList", "mainToolbar", "profileSwitcher"}),
    ("roles", {"rolesTable", "holdersTabs", "roleHoldersTable", "grantRoleButton", "importRoleNamesButton",
               "exportRoleNamesButton", "mainToolbar"}),
])
def test_tab_alone_walks_the_groups_and_roles_pages(demo_window: MainWindow, qtbot: Any, page: str,
                                                    wanted: set[str]) -> None:
    window = shown(qtbot, demo_window)
    if page == "groups":
        window.show_groups()
        assert window.groups_view.select_group(window.groups_model.group_at(0).id)
        start = window.groups_view.table
    else:
        window.show_roles()
        assert window.roles_view.select_role(window.roles_model.role_at(0).id)
        start = window.roles_view.table
    start.setFocus(Qt.FocusReason.OtherFocusReason)
    for key, modifier in ((Qt.Key.Key_Tab, Qt.KeyboardModifier.NoModifier),
                          (Qt.Key.Key_Backtab, Qt.KeyboardModifier.ShiftModifier)):
        start.setFocus(Qt.FocusReason.OtherFocusReason)
        seen: set[str] = set()
        for _ in range(MAX_PRESSES):
            seen |= names_of(press(qtbot, key, modifier))
        assert wanted <= seen, f"{key.name} never reached {sorted(wanted - seen)}"


def test_f6_reaches_the_journal_and_the_audit_pages(demo_window: MainWindow, qtbot: Any) -> None:
    window = shown(qtbot, demo_window)
    audit = window.audit
    for trigger, page in ((window.window_actions.journal, window.journal_page),
                          (audit.actions[PAGE_MATRIX], audit.matrix), (audit.actions[PAGE_FINDINGS], audit.findings)):
        trigger.trigger()
        assert window.stack.currentWidget() is page
        window.toolbar.widgetForAction(window.window_actions.users).setFocus(Qt.FocusReason.OtherFocusReason)
        press(qtbot, Qt.Key.Key_F6)
        assert in_pane(page), (page.objectName(), focused().objectName())
        press(qtbot, Qt.Key.Key_F6, Qt.KeyboardModifier.ShiftModifier)
        assert in_pane(window.toolbar), focused().objectName()
