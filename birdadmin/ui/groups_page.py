"""The Groups page's behaviour: the list from the organization data, and a group's members re-read when opened."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, Slot

from birdadmin.domain.effective import GroupRoleMap
from birdadmin.domain.organization import Scope
from birdadmin.qtmodels.groups import GroupsModel
from birdadmin.qtmodels.roles import RoleContext
from birdadmin.qtmodels.users import UsersModel
from birdadmin.scim.resources import Group
from birdadmin.services.connection import OrgData
from birdadmin.ui.context import WindowContext
from birdadmin.ui.group_editing import GroupEditing
from birdadmin.ui.groups_view import GroupsView

DETAIL_CHANNEL = "group-detail"


class GroupsPage(QObject):
    def __init__(self, context: WindowContext, model: GroupsModel, view: GroupsView, users: UsersModel) -> None:
        super().__init__(view)
        self._context = context
        self.model = model
        self.view = view
        self._users = users
        view.current_group_changed.connect(self.group_selected)
        self.editing = GroupEditing(context, view.detail)  # members and roles, planned into context.pending

    @Slot(object)
    def group_selected(self, group: Group | None) -> None:
        session, org, pane = self._context.session, self._context.org, self.view.detail
        if group is None or session is None or org is None:
            pane.show_group(None, self.model.group_map, RoleContext(), {})
            self._context.runner.invalidate(DETAIL_CHANNEL)
            return
        pane.show_group(group, org.group_map, self._context.role_context(), self._users_by_id(),
                        roles_known=org.group_roles_known, accounts_configured=self._accounts_configured())
        group_id = group.id
        self._context.runner.submit(
            lambda: session.scim.get_group(group_id, members=True),
            on_result=self._group_arrived,
            on_error=lambda exp: pane.show_error(group_id, exp),
            channel=DETAIL_CHANNEL,
        )

    def _group_arrived(self, group: Group) -> None:
        org = self._context.org
        if org is None:
            return
        self.model.update_group(group)
        pane = self.view.detail
        if pane.group is not None and pane.group.id == group.id:
            pane.show_group(group, org.group_map, self._context.role_context(), self._users_by_id(),
                            roles_known=org.group_roles_known, accounts_configured=self._accounts_configured())

    def _users_by_id(self) -> Any:
        """The organization's users by id (members are named from the organization, not from the Users view)."""
        organization = self._context.organization
        if organization is not None:
            return organization.users
        return {u.id: u for u in self._users.users()}

    def show_org(self, org: OrgData, context: RoleContext) -> None:
        """The organization data arrived: list its groups, keeping the one being looked at."""
        current = self.view.detail.group
        self.model.set_groups(org.groups, org.group_map, context, org.member_counts,
                              roles_known=org.group_roles_known)
        if current is not None:
            self.view.select_group(current.id)

    def clear(self) -> None:
        self.model.set_groups([], GroupRoleMap(), RoleContext())
        self.view.detail.show_group(None, GroupRoleMap(), RoleContext(), {})

    def show_scope(self, mark: str, scope: Scope | None) -> None:
        """The organization's partial mark, and why groups carry no known roles when the Accounts API is off."""
        self.view.show_scope(mark, scope is None or scope.group_roles_known, self._accounts_configured())

    def _accounts_configured(self) -> bool:
        session = self._context.session
        return session is not None and session.accounts is not None
