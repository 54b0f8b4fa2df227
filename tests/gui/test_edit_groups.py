"""The group pane plans member removals, member additions through the user picker (which searches the server as
you type, debounced, dropping stale answers) and the roles the group gives (its Bird team's)."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import QItemSelectionModel, Qt

from birdadmin.connection import spec_for_emulator
from birdadmin.ui.main_window import MainWindow
from birdadmin.ui.user_picker import DEBOUNCE_MS, local_matches, search_filter
from tests.gui.conftest import LOAD_TIMEOUT_MS, spin, wait_loaded
from tests.gui.edit_support import create_user, known_roles, lower, planned, space_on, undo_texts

pytestmark = pytest.mark.usefixtures("no_qt_warnings")


def _open_group(window: MainWindow, qtbot: Any, *, min_members: int = 2) -> tuple[Any, Any]:
    """The group with the most members (at least ``min_members``), opened with its members read."""
    org = window.context.org
    assert org is not None
    counts = org.member_counts
    group = max(org.groups, key=lambda g: counts.get(g.id, 0))
    assert counts.get(group.id, 0) >= min_members
    window.show_groups()
    assert window.groups_view.select_group(group.id)
    pane = window.groups_view.detail
    qtbot.waitUntil(lambda: pane.group is not None and pane.group.members is not None, timeout=LOAD_TIMEOUT_MS)
    return pane.group, pane


def _select_members(pane: Any, ids: list[str]) -> None:
    table = pane.members_table
    model = table.model()
    table.clearSelection()
    for row in range(model.rowCount()):
        index = model.index(row, 0)
        if index.data(Qt.ItemDataRole.UserRole + 3) in ids:
            table.selectionModel().select(index, QItemSelectionModel.SelectionFlag.Select
                                          | QItemSelectionModel.SelectionFlag.Rows)


def _row_texts(pane: Any, user_id: str) -> list[str]:
    model = pane.members_model
    row = next(i for i, r in enumerate(model.records()) if r.id == user_id)
    return [model.index(row, c).data() for c in range(model.columnCount())]


def test_members_removed_are_planned_and_marked(demo_window: MainWindow, qtbot: Any) -> None:
    group, pane = _open_group(demo_window, qtbot)
    members = list(group.member_ids)
    assert pane.members_table.objectName() == "groupMembersList"
    assert not pane.remove_members_button.isEnabled()  # nothing selected yet
    _select_members(pane, members[:2])
    assert pane.remove_members_button.isEnabled()
    pane.remove_members_button.click()
    assert planned(demo_window) == {("group-members", group.id, frozenset(members), frozenset(members[2:]))}
    assert undo_texts(demo_window) == [f"Remove 2 members from group {group.display_name}"]
    # The removed members stay listed, marked in words and struck out, until applied or discarded.
    assert {r.id for r in pane.members_model.records()} == set(members)
    for uid in members[:2]:
        assert _row_texts(pane, uid)[0] == "- planned"
        row = next(i for i, r in enumerate(pane.members_model.records()) if r.id == uid)
        assert pane.members_model.index(row, 1).data(Qt.ItemDataRole.FontRole).strikeOut()
    demo_window.context.pending.undo_stack.undo()
    assert planned(demo_window) == set()
    assert all(_row_texts(pane, uid)[0] == "" for uid in members)
    demo_window.context.pending.undo_stack.redo()
    assert _row_texts(pane, members[0])[0] == "- planned"


def test_add_members_through_the_picker_searching_the_server(demo_window: MainWindow, qtbot: Any) -> None:
    emu = demo_window.emulator
    group, pane = _open_group(demo_window, qtbot)
    members = list(group.member_ids)
    # Made after the load: only the server search can offer this user.
    new_id = create_user(emu, "quentin.nouveau@example.com", "Quentin Nouveau")
    outsider = next(u for u in demo_window.users_model.users() if u.id not in members)
    pane.add_members_button.click()
    picker = demo_window.groups_page.editing.picker
    assert picker is not None and picker.objectName() == "userPicker" and picker.ok.isDefault()
    assert not picker.ok.isEnabled()
    before = emu.request_count
    qtbot.keyClicks(picker.search, "quentin.n")  # typed faster than the pause: one request
    qtbot.waitUntil(lambda: "The server has" in picker.status.text(), timeout=LOAD_TIMEOUT_MS)
    spin(qtbot, DEBOUNCE_MS + 100)
    assert emu.request_count - before == 1
    assert picker.pick(new_id)
    # The loaded users matching show at once, without the server.
    picker.search.setText(outsider.user_name[:6])
    assert picker.pick(outsider.id)
    member = demo_window.context.organization.users.get(members[0])  # type: ignore[union-attr]
    picker.search.setText(member.user_name)
    assert not picker.pick(member.id)  # already a member: listed, greyed, not pickable
    assert "2 users picked" in picker.chosen_label.text()
    picker.ok.click()
    assert planned(demo_window) == {
        ("group-members", group.id, frozenset(members), frozenset(members) | {new_id, outsider.id})}
    assert undo_texts(demo_window) == [f"Add 2 members to group {group.display_name}"]
    assert _row_texts(pane, new_id)[0] == "+ planned"
    assert pane.members_model.index(
        next(i for i, r in enumerate(pane.members_model.records()) if r.id == new_id), 1
    ).data(Qt.ItemDataRole.FontRole).italic()


def test_picker_drops_a_stale_server_answer(demo_window: MainWindow, qtbot: Any) -> None:
    _group, pane = _open_group(demo_window, qtbot)
    pane.add_members_button.click()
    picker = demo_window.groups_page.editing.picker
    wanted = demo_window.users_model.users()[0].user_name[:3]
    stale: list[str] = []
    demo_window.runner.stale_dropped.connect(stale.append)
    picker.search.setText("zzz-nobody")  # two searches in flight at once: the first one is superseded
    picker._ask_server()
    picker.search.setText(wanted)
    picker._ask_server()
    qtbot.waitUntil(lambda: "The server has" in picker.status.text(), timeout=LOAD_TIMEOUT_MS)
    qtbot.waitUntil(lambda: stale == ["user-picker"], timeout=LOAD_TIMEOUT_MS)
    shown = [picker.results.item(i).text() for i in range(picker.results.count())]
    assert shown and all(wanted.casefold() in t.casefold() for t in shown)
    qtbot.keyClick(picker, Qt.Key.Key_Escape)
    assert not picker.isVisible() and planned(demo_window) == set()


def test_search_filter_quotes_the_text_and_local_matches() -> None:
    assert search_filter('a"b\\c') == 'userName sw "a\\"b\\\\c" or displayName sw "a\\"b\\\\c"'
    assert search_filter("zoë") == 'userName sw "zoë" or displayName sw "zoë"'
    assert local_matches([], "x") == [] and local_matches([], "  ") == []


def test_group_roles_checklist_plans_the_team_roles(demo_window: MainWindow, qtbot: Any) -> None:
    group, pane = _open_group(demo_window, qtbot)
    org = demo_window.context.org
    team = org.group_map.team(group.id)  # type: ignore[union-attr]
    assert team is not None
    loaded = lower(org.group_map.roles_for(group.id))  # type: ignore[union-attr]
    checklist = pane.role_checklist
    assert checklist.list.objectName() == "groupRoleChecklist" and checklist.list.isEnabled()
    assert {e.id for e in checklist.entries() if e.checked} == loaded
    role = next(r for r in known_roles(demo_window) if r.id not in loaded)
    pane.tabs.setCurrentIndex(1)
    space_on(qtbot, checklist.list, checklist.item_for(role.id))
    assert planned(demo_window) == {("group-roles", group.id, loaded, loaded | {role.id})}
    change = demo_window.context.pending.get(("group-roles", group.id))
    assert change is not None and change.team_id == team.id
    assert undo_texts(demo_window) == [f"Add role {role.name} to group {group.display_name}"]
    assert "+ planned" in checklist.item_for(role.id).text()
    demo_window.context.pending.undo_stack.undo()
    assert planned(demo_window) == set() and "planned" not in checklist.item_for(role.id).text()


def test_group_roles_need_the_accounts_api(make_window: Any, demo_emulator: Any, qtbot: Any) -> None:
    window = make_window()
    spec = spec_for_emulator(demo_emulator)
    spec.accounts_url = spec.accounts_key = None
    with qtbot.waitSignal(window.users_loaded, timeout=LOAD_TIMEOUT_MS):
        assert window.connect_to(spec)
    wait_loaded(qtbot, window)
    _group, pane = _open_group(window, qtbot)
    checklist = pane.role_checklist
    assert not checklist.list.isEnabled()
    assert "Accounts API is not configured" in checklist.note.text() and not checklist.note.isHidden()
    assert pane.add_members_button.isEnabled()  # members are SCIM: still editable


def test_marked_records_model_passes_the_model_tester(qtmodeltester: Any) -> None:
    from birdadmin.qtmodels.marked_records import MarkedRecordsModel
    from birdadmin.qtmodels.records import Record

    model = MarkedRecordsModel(("Planned", "User name", "Display name"))
    model.set_marked([Record(("+ planned", "a@example.com", "A"), "u1"), Record(("", "b@example.com", "B"), "u2"),
                      Record(("- planned", "c@example.com", "C"), "u3")], {"u1": "added", "u3": "removed"})
    qtmodeltester.check(model)
    assert model.index(0, 1).data(Qt.ItemDataRole.FontRole).italic()
    assert model.index(2, 2).data(Qt.ItemDataRole.FontRole).strikeOut()
    assert model.index(1, 1).data(Qt.ItemDataRole.FontRole) is None
    assert model.index(2, 0).data(Qt.ItemDataRole.FontRole) is None  # the mark's words stay plain
    assert not model.index(0, 0).data(Qt.ItemDataRole.DecorationRole).isNull()
    assert "planned removal" in model.index(2, 1).data(Qt.ItemDataRole.AccessibleDescriptionRole)
