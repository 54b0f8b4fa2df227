"""The models the organization feeds, in their partial and "no Accounts API" modes, through the model tester."""

from __future__ import annotations

from typing import Any

import pytest

from birdadmin.qtmodels.catalogue import RoleColumn, RolesModel
from birdadmin.qtmodels.groups import GroupColumn, GroupsModel
from birdadmin.qtmodels.roles import SortRole
from birdadmin.qtmodels.users import UsersModel
from tests.gui.test_models import OWNER, make_context, users

pytestmark = pytest.mark.usefixtures("no_qt_warnings")


def test_roles_model_says_at_least_and_unknown(qtmodeltester: Any) -> None:
    _context, _groups, _map, catalogue = make_context()
    model = RolesModel()
    model.set_catalogue(catalogue, {OWNER: 2}, {OWNER: 1}, at_least=True, via_known=False)
    qtmodeltester.check(model, force_py=True)
    row = model.row_of(OWNER)
    assert model.index(row, RoleColumn.DIRECT).data() == "at least 2"
    assert model.index(row, RoleColumn.DIRECT).data(SortRole) == 2
    assert model.index(row, RoleColumn.GROUPS).data() == "unknown"
    model.set_catalogue(catalogue, {OWNER: 2}, {OWNER: 1})
    assert model.index(row, RoleColumn.DIRECT).data() == "2"
    assert model.index(row, RoleColumn.GROUPS).data() == "1"
    qtmodeltester.check(model, force_py=True)


def test_groups_model_shows_unknown_roles_without_the_accounts_api(qtmodeltester: Any) -> None:
    context, groups, group_map, _catalogue = make_context()
    model = GroupsModel()
    model.set_groups(groups, group_map, context, roles_known=False)
    qtmodeltester.check(model, force_py=True)
    assert {model.index(r, GroupColumn.ROLES).data() for r in range(model.rowCount())} == {"unknown"}
    assert "Accounts API" in model.index(0, GroupColumn.ROLES).data(3)  # tooltip
    model.set_groups(groups, group_map, context)
    assert "unknown" not in {model.index(r, GroupColumn.ROLES).data() for r in range(model.rowCount())}
    qtmodeltester.check(model, force_py=True)


def test_users_model_takes_a_fresher_user_in_place(qtmodeltester: Any) -> None:
    from dataclasses import replace

    context, *_ = make_context()
    model = UsersModel(context=context)
    listed = users()
    model.append_users(listed)
    row = model.row_of(listed[2].id)
    fresh = replace(listed[2], roles=(OWNER,), version='W/"2"')
    model.append_users([fresh])
    assert model.loaded_count() == len(listed) and model.row_of(fresh.id) == row
    assert model.user_at(row) is fresh
    qtmodeltester.check(model, force_py=True)
