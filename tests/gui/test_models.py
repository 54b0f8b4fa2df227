"""Every item model through QAbstractItemModelTester, plus the users model's own filter/sort/identity rules."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import QPersistentModelIndex, Qt

from birdadmin.bird.models import Role, RoleRef, Team
from birdadmin.domain.catalogue import RoleCatalogue
from birdadmin.domain.effective import GroupRoleMap, memberships_from_groups
from birdadmin.qtmodels.catalogue import RoleColumn, RolesModel
from birdadmin.qtmodels.groups import GroupColumn, GroupsModel
from birdadmin.qtmodels.records import Record, RecordsModel
from birdadmin.qtmodels.roles import FlagRole, IdRole, ObjectRole, RoleContext, SortRole
from birdadmin.qtmodels.users import UserColumn, UsersModel
from birdadmin.scim.resources import Group, Member, User

pytestmark = pytest.mark.usefixtures("no_qt_warnings")

OWNER = "7498db5e-e0bb-54b8-a970-494292e242c3"
AGENT = "0d63183e-9b7f-5c8b-94c8-4c94f8c6f5b4"
STRAY = "2a380a23-0000-4000-8000-000000000001"


def make_context() -> tuple[RoleContext, list[Group], GroupRoleMap, RoleCatalogue]:
    catalogue = RoleCatalogue([Role(OWNER, "Owner"), Role(AGENT, "Agent")])
    groups = [Group("g1", "Support", (Member("u2"), Member("u3"))), Group("g2", "Sales", (Member("u3"),))]
    teams = [Team("g1", "Support", role_refs=(RoleRef(AGENT),)), Team("t9", "Sales", role_refs=(RoleRef(OWNER),))]
    group_map = GroupRoleMap.build(groups, teams)
    names = {g.id: g.display_name for g in groups}
    context = RoleContext(catalogue, memberships_from_groups(groups), group_map.group_roles(), names)
    return context, groups, group_map, catalogue


def users() -> list[User]:
    return [
        User("u1", "zed@example.com", "Zed Zulu", True, (OWNER,)),
        User("u2", "amy@example.com", "Amy Alpha", False, (STRAY,)),
        User("u3", "bob@example.com", "Bob Bravo", True, ()),
        User("u4", "carl+ops@example.com", "Carl Charlie", True, (OWNER, AGENT)),
    ]


def test_users_model_passes_the_model_tester(qtmodeltester: Any) -> None:
    context, *_ = make_context()
    model = UsersModel(context=context)
    model.append_users(users())
    qtmodeltester.check(model, force_py=True)
    model.sort(UserColumn.USER_NAME, Qt.SortOrder.DescendingOrder)
    model.set_quick_filter("example")
    qtmodeltester.check(model, force_py=True)


def test_users_model_shows_names_groups_and_counts() -> None:
    context, *_ = make_context()
    model = UsersModel(context=context)
    model.append_users(users())
    assert model.rowCount() == 4
    row = model.row_of("u4")
    assert model.index(row, UserColumn.ROLES).data() == "Owner, Agent"
    row3 = model.row_of("u3")
    assert model.index(row3, UserColumn.GROUPS).data() == "Support, Sales"
    # u3 holds no role directly, Agent through Support and Owner through Sales (team matched by name).
    assert model.index(row3, UserColumn.ROLE_COUNT).data() == "2"
    row2 = model.row_of("u2")
    assert model.index(row2, UserColumn.ROLES).data() == "Unknown role 2a380a23"
    assert model.index(row2, UserColumn.ACTIVE).data() == "No"
    assert model.index(row2, 0).data(ObjectRole).id == "u2"
    assert model.index(row2, 0).data(IdRole) == "u2"


def test_quick_filter_narrows_widens_and_matches_every_term() -> None:
    context, *_ = make_context()
    model = UsersModel(context=context)
    model.append_users(users())
    model.set_quick_filter("a")
    assert {u.id for u in model.visible_users()} == {"u1", "u2", "u3", "u4"}  # 'a' is in example.com
    model.set_quick_filter("AMY")
    assert [u.id for u in model.visible_users()] == ["u2"]
    model.set_quick_filter("owner")  # role names are searchable
    assert {u.id for u in model.visible_users()} == {"u1", "u4"}
    model.set_quick_filter("owner carl")
    assert [u.id for u in model.visible_users()] == ["u4"]
    model.set_quick_filter("sales")  # group names too
    assert [u.id for u in model.visible_users()] == ["u3"]
    model.set_quick_filter("")
    assert model.rowCount() == 4


def test_sort_uses_keys_and_keeps_selection_on_the_same_user() -> None:
    context, *_ = make_context()
    model = UsersModel(context=context)
    model.append_users(users())
    held = QPersistentModelIndex(model.index(model.row_of("u3"), 1))
    model.sort(UserColumn.USER_NAME, Qt.SortOrder.AscendingOrder)
    assert [u.user_name for u in model.visible_users()] == sorted(u.user_name for u in users())
    assert held.isValid() and model.user_at(held.row()).id == "u3" and held.column() == 1
    model.sort(UserColumn.ROLE_COUNT, Qt.SortOrder.DescendingOrder)
    counts = [int(model.index(r, UserColumn.ROLE_COUNT).data()) for r in range(model.rowCount())]
    assert counts == sorted(counts, reverse=True)
    assert model.index(0, UserColumn.ROLE_COUNT).data(SortRole) == counts[0]


def test_rows_are_tied_to_ids_across_pages() -> None:
    model = UsersModel()
    model.append_users(users()[:2])
    model.sort(UserColumn.USER_NAME)
    model.append_users(users()[2:])  # appended while "loading"
    model.settle()
    assert [u.user_name for u in model.visible_users()] == sorted(u.user_name for u in users())
    renamed = User("u1", "zed@example.com", "Zed Renamed", True, ())
    model.append_users([renamed])  # the same id again is an update, not a new row
    assert model.loaded_count() == 4
    assert model.user_by_id("u1").display_name == "Zed Renamed"
    assert model.index(model.row_of("u1"), UserColumn.DISPLAY_NAME).data() == "Zed Renamed"


def test_new_context_refreshes_names_and_haystack() -> None:
    model = UsersModel()
    model.append_users(users())
    model.set_quick_filter("owner")
    assert model.rowCount() == 0  # no catalogue yet: roles are nameless
    context, *_ = make_context()
    model.set_context(context)
    assert {u.id for u in model.visible_users()} == {"u1", "u4"}


def test_groups_model(qtmodeltester: Any) -> None:
    context, groups, group_map, _ = make_context()
    model = GroupsModel()
    model.set_groups(groups, group_map, context)
    qtmodeltester.check(model, force_py=True)
    sales = model.row_of("g2")
    assert model.index(sales, GroupColumn.ROLES).data() == "Owner"
    assert model.index(sales, GroupColumn.ROLES).data(FlagRole)  # matched by name: flagged
    assert model.index(model.row_of("g1"), GroupColumn.MEMBERS).data() == "2"
    model.update_group(Group("g1", "Support", (Member("u2"),)))
    assert model.index(model.row_of("g1"), GroupColumn.MEMBERS).data() == "1"
    qtmodeltester.check(model, force_py=True)


def test_roles_model_edits_local_names(qtmodeltester: Any) -> None:
    _, _, _, catalogue = make_context()
    catalogue.learn([STRAY])
    model = RolesModel()
    model.set_catalogue(catalogue, {OWNER: 2}, {AGENT: 1})
    qtmodeltester.check(model, force_py=True)
    row = model.row_of(STRAY)
    name = model.index(row, RoleColumn.NAME)
    assert name.data(FlagRole)
    assert name.flags() & Qt.ItemFlag.ItemIsEditable
    assert model.setData(name, "Night shift")
    assert catalogue.name_for(STRAY) == "Night shift"
    assert not model.index(row, RoleColumn.NAME).data(FlagRole)
    assert model.index(model.row_of(OWNER), RoleColumn.DIRECT).data() == "2"
    qtmodeltester.check(model, force_py=True)


def test_records_model(qtmodeltester: Any) -> None:
    model = RecordsModel(("A", "B"))
    model.set_records([Record(("x", "y"), "1", "warn"), Record(("z", "w"), "2")])
    qtmodeltester.check(model, force_py=True)
    assert model.texts(0) == ["x", "z"]
    assert model.index(0, 0).data(FlagRole) == "warn"
    assert model.index(1, 0).data(FlagRole) == ""


def test_users_model_multidata_matches_data(qtbot: Any) -> None:
    """Views paint through multiData; it must give exactly what data() gives, role by role."""
    from PySide6.QtWidgets import QStyledItemDelegate, QStyleOptionViewItem, QTableView

    context, *_ = make_context()
    model = UsersModel(context=context)
    model.append_users(users())
    view = QTableView()
    qtbot.addWidget(view)
    view.setModel(model)
    delegate = QStyledItemDelegate(view)
    for row in range(model.rowCount()):
        for column in range(model.columnCount()):
            option = QStyleOptionViewItem()
            delegate.initStyleOption(option, model.index(row, column))  # goes through multiData
            assert option.text == model.index(row, column).data()
    option = QStyleOptionViewItem()
    delegate.initStyleOption(option, model.index(0, UserColumn.ROLE_COUNT))
    assert option.displayAlignment & Qt.AlignmentFlag.AlignHCenter
