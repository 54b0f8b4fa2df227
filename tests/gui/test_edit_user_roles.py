"""The user pane's Roles tab plans direct-role changes: the checklist (click and Space), "Add role by UUID..."
(valid, invalid, unknown to the catalogue), the inline planned marks, and undo/redo through the queue's stack."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from PySide6.QtCore import Qt

from birdadmin.ui.main_window import MainWindow
from tests.gui.edit_support import known_roles, lower, planned, shown, space_on, tooltip_text, undo_texts

pytestmark = pytest.mark.usefixtures("no_qt_warnings")


def _user_with_known_roles(window: MainWindow) -> Any:
    catalogue = window.context.org.catalogue  # type: ignore[union-attr]
    return next(u for u in window.users_model.users()
                if len(u.roles) >= 2 and all(catalogue.is_known(r) for r in u.roles))


def _open(window: MainWindow, user: Any) -> Any:
    assert window.users_view.select_user(user.id)
    pane = window.users_view.detail
    pane.tabs.setCurrentIndex(1)
    return pane


def test_checklist_lists_the_catalogue_by_name_checked_as_held(demo_window: MainWindow) -> None:
    user = _user_with_known_roles(demo_window)
    checklist = _open(demo_window, user).role_checklist
    entries = checklist.entries()
    names = [e.name for e in entries]
    assert names == sorted(names, key=str.casefold)
    assert {e.id for e in entries} >= {r.id for r in known_roles(demo_window)}
    assert {e.id for e in entries if e.checked} == lower(user.roles)
    assert not any(e.mark for e in entries)
    role = known_roles(demo_window)[0]
    item = checklist.item_for(role.id)
    tip = tooltip_text(item.toolTip())
    assert role.id in tip and (not role.description or role.description in tip)
    # The search box narrows the list by name.
    checklist.search.setText(role.name[:4])
    items = [checklist.list.item(i) for i in range(checklist.list.count())]
    visible = [item.text() for item in items if not item.isHidden()]
    assert visible and all(role.name[:4].casefold() in t.casefold() for t in visible)
    checklist.search.clear()


def test_unknown_roles_the_user_holds_are_listed_and_flagged(demo_window: MainWindow) -> None:
    catalogue = demo_window.context.org.catalogue  # type: ignore[union-attr]
    user = next(u for u in demo_window.users_model.users() if any(not catalogue.is_known(r) for r in u.roles))
    checklist = _open(demo_window, user).role_checklist
    unknown = [e for e in checklist.entries() if e.unknown]
    assert {e.id for e in unknown} == {r.lower() for r in user.roles if not catalogue.is_known(r)}
    for entry in unknown:
        item = checklist.item_for(entry.id)
        assert "(unknown role)" in item.text() and item.checkState() == Qt.CheckState.Checked


def test_toggles_plan_adds_and_removes_with_marks_and_undo(demo_window: MainWindow, qtbot: Any) -> None:
    window = shown(qtbot, demo_window)
    pending = window.context.pending
    user = _user_with_known_roles(window)
    checklist = _open(window, user).role_checklist
    missing = next(r for r in known_roles(window) if r.id not in lower(user.roles))
    held = user.roles[0].lower()
    # Space on a role the user lacks plans its addition.
    space_on(qtbot, checklist.list, checklist.item_for(missing.id))
    added = ("user-roles", user.id, lower(user.roles), lower(user.roles) | {missing.id})
    assert planned(window) == {added}
    assert undo_texts(window) == [f"Add role {missing.name} to {user.user_name}"]
    item = checklist.item_for(missing.id)
    assert item.checkState() == Qt.CheckState.Checked and "+ planned" in item.text() and item.font().italic()
    # A click on a held role plans its removal, on top of the queued change (one change for the user).
    checklist.item_for(held).setCheckState(Qt.CheckState.Unchecked)
    both = ("user-roles", user.id, lower(user.roles), (lower(user.roles) | {missing.id}) - {held})
    assert planned(window) == {both}
    item = checklist.item_for(held)
    assert item.checkState() == Qt.CheckState.Unchecked and "- planned" in item.text() and item.font().strikeOut()
    assert len(undo_texts(window)) == 2
    # Undo and redo restore the queue and the marks.
    pending.undo_stack.undo()
    assert planned(window) == {added}
    assert "planned" not in checklist.item_for(held).text()
    assert checklist.item_for(held).checkState() == Qt.CheckState.Checked
    pending.undo_stack.undo()
    assert planned(window) == set() and not any(e.mark for e in checklist.entries())
    pending.undo_stack.redo()
    pending.undo_stack.redo()
    assert planned(window) == {both}
    assert "- planned" in checklist.item_for(held).text() and "+ planned" in checklist.item_for(missing.id).text()
    # Ticking the removed role again cancels that part of the plan; unticking the added one empties the queue.
    checklist.item_for(held).setCheckState(Qt.CheckState.Checked)
    checklist.item_for(missing.id).setCheckState(Qt.CheckState.Unchecked)
    assert planned(window) == set()


def test_marks_follow_the_shown_user_only(demo_window: MainWindow) -> None:
    users = [u for u in demo_window.users_model.users() if u.roles][:2]
    role = next(r for r in known_roles(demo_window) if r.id not in lower(users[0].roles))
    checklist = _open(demo_window, users[0]).role_checklist
    checklist.item_for(role.id).setCheckState(Qt.CheckState.Checked)
    _open(demo_window, users[1])
    assert not any(e.mark for e in checklist.entries())
    _open(demo_window, users[0])
    assert [e.id for e in checklist.entries() if e.mark == "added"] == [role.id]


def _uuid_dialog(window: MainWindow, user: Any) -> Any:
    pane = _open(window, user)
    assert pane.add_role_uuid_button.isEnabled()
    pane.add_role_uuid_button.click()
    dialog = window.users_page.roles_editor.uuid_dialog
    assert dialog is not None and dialog.isVisible() and dialog.ok.isDefault()
    return dialog


def test_add_role_by_uuid_known_role(demo_window: MainWindow, qtbot: Any) -> None:
    user = _user_with_known_roles(demo_window)
    role = next(r for r in known_roles(demo_window) if r.id not in lower(user.roles))
    dialog = _uuid_dialog(demo_window, user)
    dialog.edit.setText(role.id.upper())  # UUIDs compare without case
    assert dialog.ok.isEnabled() and role.name in dialog.message.text() and not dialog.anyway.isVisible()
    dialog.ok.click()
    assert planned(demo_window) == {("user-roles", user.id, lower(user.roles), lower(user.roles) | {role.id})}
    assert undo_texts(demo_window) == [f"Add role {role.name} to {user.user_name}"]


def test_add_role_by_uuid_refuses_what_is_not_a_uuid(demo_window: MainWindow, qtbot: Any) -> None:
    user = _user_with_known_roles(demo_window)
    dialog = _uuid_dialog(demo_window, user)
    for text in ("Analyst", "4fc52f09-2d8c-50c1-a46d-ecf53ba6ec3", "4fc52f09-2d8c-50c1-a46d-ecf53ba6ec3g", " "):
        dialog.edit.setText(text)
        assert not dialog.ok.isEnabled(), text
    dialog.edit.setText("Analyst")
    assert "not a role UUID" in dialog.message.text()
    dialog.edit.setText(user.roles[0].upper())
    assert not dialog.ok.isEnabled() and "already" in dialog.message.text()
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert not dialog.isVisible()
    assert planned(demo_window) == set() and undo_texts(demo_window) == []


def test_add_role_by_uuid_unknown_to_the_catalogue_needs_confirming(demo_window: MainWindow, qtbot: Any) -> None:
    user = _user_with_known_roles(demo_window)
    # One character off a known role: named as the likely intended role.
    near = known_roles(demo_window)[0]
    typo = near.id[:-1] + ("0" if near.id[-1] != "0" else "1")
    dialog = _uuid_dialog(demo_window, user)
    dialog.edit.setText(typo)
    assert dialog.anyway.isVisible() and not dialog.ok.isEnabled()
    assert "not in the organization's role catalogue" in dialog.message.text() and near.name in dialog.message.text()
    fresh = str(uuid.uuid4())
    dialog.edit.setText(fresh)
    assert dialog.anyway.isVisible() and not dialog.ok.isEnabled()
    dialog.anyway.setChecked(True)
    assert dialog.ok.isEnabled()
    dialog.ok.click()
    assert planned(demo_window) == {("user-roles", user.id, lower(user.roles), lower(user.roles) | {fresh})}
    checklist = demo_window.users_view.detail.role_checklist
    item = checklist.item_for(fresh)
    assert item is not None and "(unknown role)" in item.text() and "+ planned" in item.text()
    # Undo takes it out of the queue and out of the list.
    demo_window.context.pending.undo_stack.undo()
    assert planned(demo_window) == set() and checklist.item_for(fresh) is None
    # Redone, then unticked in the list: the row goes once the list has handed control back.
    demo_window.context.pending.undo_stack.redo()
    checklist.item_for(fresh).setCheckState(Qt.CheckState.Unchecked)
    assert planned(demo_window) == set()
    qtbot.waitUntil(lambda: checklist.item_for(fresh) is None, timeout=2000)


def test_taking_the_last_direct_role_says_what_bird_does(demo_window: MainWindow) -> None:
    user = next(u for u in demo_window.users_model.users() if len(u.roles) == 1)
    checklist = _open(demo_window, user).role_checklist
    checklist.item_for(user.roles[0]).setCheckState(Qt.CheckState.Unchecked)
    assert planned(demo_window) == {("user-roles", user.id, lower(user.roles), frozenset())}
    assert "H1" in checklist.note.text() and not checklist.note.isHidden()
    checklist.item_for(user.roles[0]).setCheckState(Qt.CheckState.Checked)
    assert planned(demo_window) == set() and checklist.note.isHidden()
