"""The Groups page's behaviour: the list from the organization data, and a group's members re-read when opened."""

from __future__ import annotations

from PySide6.QtCore import QObject, Slot

from birdadmin.domain.effective import GroupRoleMap
from birdadmin.qtmodels.groups import GroupsModel
from birdadmin.qtmodels.roles import RoleContext
from birdadmin.qtmodels.users import UsersModel
from birdadmin.scim.resources import Group, User
from birdadmin.services.connection import OrgData
from birdadmin.ui.context import WindowContext
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

    @Slot(object)
    def group_selected(self, group: Group | None) -> None:
        session, org, pane = self._context.session, self._context.org, self.view.detail
        if group is None or session is None or org is None:
            pane.show_group(None, self.model.group_map, RoleContext(), {})
            self._context.runner.invalidate(DETAIL_CHANNEL)
            return
        pane.show_group(group, org.group_map, self._context.role_context(), self._users_by_id())
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
            pane.show_group(group, org.group_map, self._context.role_context(), self._users_by_id())

    def _users_by_id(self) -> dict[str, User]:
        return {u.id: u for u in self._users.users()}

    def show_org(self, org: OrgData, context: RoleContext) -> None:
        """The organization data arrived: list its groups, keeping the one being looked at."""
        current = self.view.detail.group
        self.model.set_groups(org.groups, org.group_map, context, org.member_counts)
        if current is not None:
            self.view.select_group(current.id)

    def clear(self) -> None:
        self.model.set_groups([], GroupRoleMap(), RoleContext())
