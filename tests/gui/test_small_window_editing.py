"""Editing at 1024x640: the planned changes dock leaves the user's role checklist about eight rows and keeps the
list's height the person chose; Undo and Redo of planning follow the read-only rule; the Users table marks a user
with a planned role change (following plan, undo, discard), while its text and exports keep the server's roles."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QFont, QIcon
from PySide6.QtWidgets import QToolButton

from birdadmin.domain.changes import plan_user_roles
from birdadmin.qtmodels.users import UserColumn
from birdadmin.scim.resources import User
from birdadmin.ui.main_window import MainWindow
from birdadmin.ui.window_state import saved_dock_height
from tests.gui.conftest import spin
from tests.gui.edit_support import role, user_named

pytestmark = pytest.mark.usefixtures("no_qt_warnings")


def action(window: MainWindow, name: str) -> QAction:
    found = window.findChild(QAction, name)
    assert found is not None, name
    return found


def plan(window: MainWindow, users: list[User], text: str, **how: Any) -> None:
    pending = window.context.pending
    pending.plan(plan_user_roles(pending.queue, users, **how), text)


def small(qtbot: Any, window: MainWindow) -> MainWindow:
    window.show()
    qtbot.waitExposed(window)
    window.resize(1024, 640)
    spin(qtbot, 100)
    assert (window.width(), window.height()) == (1024, 640)
    return window


def checklist_rows(window: MainWindow) -> float:
    """How many checklist rows the viewport shows (its height over one row's)."""
    view = window.users_view.detail.role_checklist.list
    return view.viewport().height() / view.sizeHintForRow(0)


def not_clipped(widget: Any) -> bool:
    return widget.isVisible() and widget.height() >= widget.minimumSizeHint().height()


# -- the dock at 1024x640 -----------------------------------------------------------------------------------


def test_planning_at_1024x640_leaves_the_checklist_eight_rows(demo_window: MainWindow, qtbot: Any) -> None:
    window = small(qtbot, demo_window)
    user = user_named(window, "José Álvarez")
    assert window.users_view.select_user(user.id)
    window.users_view.detail.tabs.setCurrentIndex(1)  # Roles
    spin(qtbot, 50)
    window.users_page.roles_editor.plan(add=role("Analyst"))  # as a tick in the checklist plans it
    spin(qtbot, 100)
    dock = window.changes.dock
    assert len(window.context.pending) == 1 and dock.isVisible() and dock.compact
    assert checklist_rows(window) >= 8, checklist_rows(window)
    assert "1 planned changes" in dock.note.text()
    for name in ("applyChangesButton", "removeChangeButton", "discardChangesButton"):
        button = dock.findChild(QToolButton, name)
        assert button is not None and not_clipped(button), name
    for widget in (dock.note, dock.list_button, window.users_view.detail.add_role_uuid_button,
                   window.users_view.detail.curl_button, window.users_view.detail.roles_table):
        assert not_clipped(widget), widget.objectName()
    # "Show list" opens the list and its requests; the height the person then gives it is kept.
    dock.list_button.click()
    spin(qtbot, 100)
    assert not dock.compact and dock.table.isVisible() and dock.requests.isVisible()
    assert dock.table.viewport().height() >= dock.table.verticalHeader().defaultSectionSize()
    window.resizeDocks([dock], [230], Qt.Orientation.Vertical)
    spin(qtbot, 50)
    chosen = dock.height()
    dock.list_button.click()  # back to one line: the page's room again
    spin(qtbot, 100)
    assert dock.compact and checklist_rows(window) >= 8
    assert saved_dock_height() == chosen
    window.changes.show_dock()  # the status bar's count: the list at the chosen height
    spin(qtbot, 100)
    assert not dock.compact and abs(dock.height() - chosen) <= 2


def test_a_tall_window_opens_the_list(demo_window: MainWindow, qtbot: Any) -> None:
    window = demo_window
    window.show()
    qtbot.waitExposed(window)
    window.resize(1280, 900)
    spin(qtbot, 100)
    plan(window, [user_named(window, "José Álvarez")], "Add role Analyst", add=[role("Analyst")])
    spin(qtbot, 100)
    dock = window.changes.dock
    assert dock.isVisible() and not dock.compact and dock.table.isVisible()
    assert window.height() - dock.height() >= 560 - 2  # the page keeps its room


# -- Undo and Redo follow the read-only rule ----------------------------------------------------------------


def test_undo_and_redo_are_off_while_read_only(demo_window: MainWindow) -> None:
    window = demo_window
    pending = window.context.pending
    undo, redo = action(window, "undoAction"), action(window, "redoAction")
    users = [user_named(window, "Siobhán O'Brien"), user_named(window, "José Álvarez")]
    plan(window, users, "Add role Analyst to 2 users", add=[role("Analyst")])
    plan(window, users[:1], "Add role Support to 1 user", add=[role("Support")])
    undo.trigger()
    assert undo.isEnabled() and redo.isEnabled()
    reason = "The connection is read-only; planning and applying are off."
    pending.set_read_only(reason)
    assert not undo.isEnabled() and not redo.isEnabled()
    assert undo.toolTip() == reason and redo.toolTip() == reason
    assert undo.text().replace("&", "") == "Undo Add role Analyst to 2 users"  # the step's name is kept
    assert redo.text().replace("&", "") == "Redo Add role Support to 1 user"
    before = [c.key for c in pending.queue]
    undo.trigger()
    redo.trigger()
    assert [c.key for c in pending.queue] == before  # a disabled action does nothing
    pending.set_read_only("")
    assert undo.isEnabled() and redo.isEnabled()
    assert undo.toolTip() == "Undo Add role Analyst to 2 users"
    undo.trigger()
    assert len(pending) == 0 and not undo.isEnabled() and undo.text().replace("&", "") == "Undo"


# -- the Users table's planned marks ------------------------------------------------------------------------


def roles_cell(window: MainWindow, user: User, role_: int) -> Any:
    model = window.users_model
    return model.data(model.index(model.row_of(user.id), UserColumn.ROLES), role_)


def test_the_users_table_marks_planned_role_changes(demo_window: MainWindow, qtbot: Any) -> None:
    window = demo_window
    model = window.users_model
    user = user_named(window, "José Álvarez")  # Administrator
    other = user_named(window, "Siobhán O'Brien")
    text = roles_cell(window, user, Qt.ItemDataRole.DisplayRole)
    assert roles_cell(window, user, Qt.ItemDataRole.DecorationRole) is None
    pending = window.context.pending
    with qtbot.waitSignal(model.dataChanged, timeout=1000):
        pending.plan(plan_user_roles(pending.queue, [user], add=[role("Analyst")], remove=[role("Administrator")]),
                     "Change the roles of one user")
    tip = roles_cell(window, user, Qt.ItemDataRole.ToolTipRole).replace("\xa0", " ")  # plain text, escaped
    assert "Planned, not sent: + Analyst, \u2212 Administrator" in tip
    assert isinstance(roles_cell(window, user, Qt.ItemDataRole.DecorationRole), QIcon)
    font = roles_cell(window, user, Qt.ItemDataRole.FontRole)
    assert isinstance(font, QFont) and font.italic()
    assert roles_cell(window, user, Qt.ItemDataRole.DisplayRole) == text  # the server's roles, as exported
    assert [row for row in model.visible_texts([UserColumn.ROLES]) if row == [text]]
    assert roles_cell(window, other, Qt.ItemDataRole.DecorationRole) is None  # others unmarked
    window.context.pending.undo_stack.undo()
    assert roles_cell(window, user, Qt.ItemDataRole.DecorationRole) is None
    assert "Planned" not in str(roles_cell(window, user, Qt.ItemDataRole.ToolTipRole))
    window.context.pending.undo_stack.redo()
    assert roles_cell(window, user, Qt.ItemDataRole.DecorationRole) is not None
    pending.discard(None, "Discard")
    assert roles_cell(window, user, Qt.ItemDataRole.DecorationRole) is None
