"""The auditor's pages in the window: their actions and shortcuts, which need a connection, and the links from a
finding or a matrix row to the user or group it names."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from PySide6.QtWidgets import QMenu

from birdadmin.ui.main_window import MainWindow
from birdadmin.ui.pages import PAGE_FINDINGS, PAGE_GROUPS, PAGE_KEYS, PAGE_MATRIX, PAGE_SNAPSHOTS, PAGE_USERS

pytestmark = pytest.mark.usefixtures("no_qt_warnings")


def test_the_audit_pages_have_their_shortcuts_and_menu_places(make_window: Callable[..., MainWindow]) -> None:
    window = make_window()
    actions = window.audit.actions
    assert {a.objectName(): a.shortcut().toString() for a in actions.values()} == {
        "matrixAction": "Ctrl+5", "findingsAction": "Ctrl+6", "snapshotsAction": "Ctrl+7", "keysAction": "Ctrl+8"}
    view = [a.objectName() for a in window.findChild(QMenu, "viewMenu").actions()]
    assert view[:8] == ["usersAction", "groupsAction", "rolesAction", "journalAction", "matrixAction",
                        "findingsAction", "snapshotsAction", "keysAction"]
    files = [a.objectName() for a in window.findChild(QMenu, "fileMenu").actions()]
    assert files.index("exportAction") < files.index("exportJsonAction") < files.index("reportAction")
    # Not connected: the matrix and findings need an organization; snapshots are local and open.
    assert not any(actions[p].isEnabled() for p in (PAGE_MATRIX, PAGE_FINDINGS, PAGE_KEYS))
    actions[PAGE_SNAPSHOTS].trigger()
    assert window.current_page() == PAGE_SNAPSHOTS and actions[PAGE_SNAPSHOTS].isChecked()


def test_links_from_the_audit_pages_open_the_user_or_group(demo_window: MainWindow, qtbot: Any) -> None:
    window = demo_window
    window.audit.actions[PAGE_FINDINGS].trigger()
    assert window.current_page() == PAGE_FINDINGS
    user = window.users_model.user_at(5)
    window.audit.findings.open_user.emit(user.id)
    assert window.current_page() == PAGE_USERS and window.users_view.current_user().id == user.id
    group = window.context.org.groups[1]
    window.audit.actions[PAGE_MATRIX].trigger()
    window.audit.matrix.open_group.emit(group.id)
    assert window.current_page() == PAGE_GROUPS
    assert window.groups_view.table.currentIndex().isValid()
