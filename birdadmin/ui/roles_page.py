"""The Roles page's behaviour: the catalogue with its counts, who holds the selected role, and local names."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal, Slot

from birdadmin.domain.catalogue import RoleInfo
from birdadmin.domain.effective import holders
from birdadmin.qtmodels.catalogue import RolesModel
from birdadmin.qtmodels.users import UsersModel
from birdadmin.ui.context import WindowContext
from birdadmin.ui.role_grant import RoleGrant
from birdadmin.ui.roles_view import RolesView


class RolesPage(QObject):
    names_changed = Signal()  # a local role name was edited in the table

    def __init__(self, context: WindowContext, model: RolesModel, view: RolesView, users: UsersModel) -> None:
        super().__init__(view)
        self._context = context
        self.model = model
        self.view = view
        self._users = users
        view.current_role_changed.connect(self.role_selected)
        model.edit_failed.connect(context.show_error)
        model.dataChanged.connect(self._edited)
        self.grant = RoleGrant(context, view)  # "Grant this role to...", planned into context.pending

    @Slot()
    def _edited(self, *_: object) -> None:
        self.names_changed.emit()

    @Slot(object)
    def role_selected(self, role: RoleInfo | None) -> None:
        organization, org = self._context.organization, self._context.org
        if role is None or org is None or organization is None:
            self.view.show_holders(None, [], 0)
            return
        users = organization.users
        found = holders(role.id, users, org.memberships, org.group_roles)
        self.view.show_holders(role, found, len(users), organization.scope())

    def learn(self, role_ids: set[str]) -> None:
        """Add role ids seen on loaded users to the catalogue; call ``refresh`` afterwards."""
        org = self._context.org
        if org is not None:
            org.catalogue.learn(role_ids)

    def refresh(self) -> None:
        """Show the catalogue with counts over the organization, keeping the selected role."""
        organization, org = self._context.organization, self._context.org
        current = self.view.current_role()
        if org is None or organization is None:
            self.model.set_catalogue(None)
            self.view.show_holders(None, [], 0)
            return
        direct, via = organization.role_counts()
        scope = organization.scope()
        self.model.set_catalogue(org.catalogue, direct, via, at_least=scope.partial,
                                 via_known=scope.group_roles_known)
        self.view.set_source_note(org.catalogue.names_from_accounts, org.catalogue.has_names())
        if current is not None and not self.view.select_role(current.id):
            self.view.show_holders(None, [], 0)

    def clear(self) -> None:
        """The connection is going: no catalogue, no holders."""
        self.model.set_catalogue(None)
        self.view.show_holders(None, [], 0)

    def show_scope(self, mark: str) -> None:
        self.view.show_scope(mark)
