"""A read-only connection: every editing surface is disabled and says why, and comes back when writable again."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from PySide6.QtCore import QItemSelectionModel, Qt

from birdadmin.ui.main_window import MainWindow
from tests.gui.edit_support import known_roles, lower, planned

pytestmark = pytest.mark.usefixtures("no_qt_warnings")

REASON = "The profile Acme production is read-only."


def _surfaces(window: MainWindow, qtbot: Any) -> dict[str, Any]:
    """Open a user, a group (members read) and a role, and select some users, so every surface is live."""
    users = window.users_model.users()
    user = next(u for u in users if u.roles)
    assert window.users_view.select_user(user.id)
    window.users_view.table.selectionModel().select(
        window.users_model.index(window.users_model.row_of(users[1].id), 0),
        QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows)
    org = window.context.org
    assert org is not None
    group = max(org.groups, key=lambda g: org.member_counts.get(g.id, 0))
    assert window.groups_view.select_group(group.id)
    gpane = window.groups_view.detail
    qtbot.waitUntil(lambda: gpane.group is not None and gpane.group.members is not None, timeout=30_000)
    gpane.members_table.selectRow(0)
    assert window.roles_view.select_role(known_roles(window)[0].id)
    pane = window.users_view.detail
    return {
        "roleChecklist": pane.role_checklist.list,
        "addRoleByUuidButton": pane.add_role_uuid_button,
        "addMembersButton": gpane.add_members_button,
        "removeMembersButton": gpane.remove_members_button,
        "groupRoleChecklist": gpane.role_checklist.list,
        "grantRoleButton": window.roles_view.grant_button,
        **{a.objectName(): a for a in window.users_page.edit_actions},
        "grantRoleAction": window.roles_page.grant.action,
    }


def test_read_only_disables_every_surface_and_says_why(demo_window: MainWindow, qtbot: Any) -> None:
    window = demo_window
    surfaces = _surfaces(window, qtbot)
    assert all(s.isEnabled() for s in surfaces.values()), [n for n, s in surfaces.items() if not s.isEnabled()]
    pending = window.context.pending
    pending.set_read_only(REASON)
    assert not [n for n, s in surfaces.items() if s.isEnabled()]
    for name, surface in surfaces.items():
        assert surface.toolTip() == REASON, name
    assert window.users_view.detail.role_checklist.note.text() == REASON
    assert window.groups_view.detail.members_note.text() == REASON
    assert window.groups_view.detail.role_checklist.note.text() == REASON
    # Nothing can be planned meanwhile, by any path.
    user = window.users_view.detail.user
    item = window.users_view.detail.role_checklist.item_for(user.roles[0])
    item.setCheckState(Qt.CheckState.Unchecked)
    assert item.checkState() == Qt.CheckState.Checked  # the tick is put back
    assert window.users_page.roles_editor.add_by_uuid() is None
    assert window.users_page.bulk.open_add_role() is None and window.roles_page.grant.open_picker() is None
    assert window.groups_page.editing.open_picker() is None and not window.groups_page.editing.remove_selected()
    assert window.users_page.bulk.plan_role([user], known_roles(window)[0].id, add=True) == 0
    assert planned(window) == set() and pending.undo_stack.count() == 0
    # Writable again: everything comes back.
    pending.set_read_only("")
    assert all(s.isEnabled() for s in surfaces.values()), [n for n, s in surfaces.items() if not s.isEnabled()]
    assert not window.users_view.detail.role_checklist.note.text()
    role = next(r for r in known_roles(window) if r.id not in lower(user.roles))
    window.users_view.detail.role_checklist.item_for(role.id).setCheckState(Qt.CheckState.Checked)
    assert planned(window) == {("user-roles", user.id, lower(user.roles), lower(user.roles) | {role.id})}


def test_a_change_being_applied_cannot_be_edited(demo_window: MainWindow, qtbot: Any) -> None:
    window = demo_window
    surfaces = _surfaces(window, qtbot)
    pane, gpane = window.users_view.detail, window.groups_view.detail
    user = pane.user
    role = next(r for r in known_roles(window) if r.id not in lower(user.roles))
    window.users_page.roles_editor.plan(add=role.id)
    window.groups_page.editing.remove_selected()
    window.groups_page.editing.plan_role(role.id, add=True)
    pending = window.context.pending
    flying = [replace(c, status="in-flight") for c in pending.queue]
    pending.restore(flying)  # what the apply engine reports before its first write
    for name in ("roleChecklist", "addRoleByUuidButton", "addMembersButton", "removeMembersButton",
                 "groupRoleChecklist"):
        assert not surfaces[name].isEnabled(), name
    assert "being applied" in pane.role_checklist.note.text()
    assert "being applied" in gpane.members_note.text()
    before = planned(window)
    window.users_page.roles_editor.plan(remove=user.roles[0])
    window.groups_page.editing.plan_role(role.id, add=False)
    assert window.groups_page.editing.open_picker() is None
    assert planned(window) == before
