"""The Roles page's behaviour: the catalogue with its counts, who holds the selected role, and local names."""

from __future__ import annotations

from collections import Counter

from PySide6.QtCore import QObject, Signal, Slot

from birdadmin.domain.audit import who_has
from birdadmin.domain.catalogue import RoleCatalogue, RoleInfo
from birdadmin.domain.org_state import OrgState
from birdadmin.org_load import org_state
from birdadmin.qtmodels.catalogue import RolesModel
from birdadmin.qtmodels.users import UsersModel
from birdadmin.ui.context import WindowContext
from birdadmin.ui.role_grant import RoleGrant
from birdadmin.ui.roles_view import RolesView

CHART_CHANNEL = "roles-chart"


def chart_rows(state: OrgState) -> list[tuple[str, int, int]]:
    """(role name, users holding it directly, users holding it only through groups) for every catalogue role and
    every unknown role someone holds: what the holders chart draws (ui/holders_chart.py)."""
    direct: Counter[str] = Counter()
    via_only: Counter[str] = Counter()
    group_roles = state.group_roles()
    memberships = state.memberships()
    for user in state.users:
        own = {r.lower() for r in user.roles}
        direct.update(own)
        through = {r.lower() for gid, _ in memberships.get(user.id, ()) for r in group_roles.get(gid, ())}
        via_only.update(through - own)
    catalogue: RoleCatalogue = state.catalogue
    ids = dict.fromkeys([r.id.lower() for r in catalogue.roles()] + sorted(set(direct) | set(via_only)))
    return [(catalogue.name_for(rid), direct[rid], via_only[rid]) for rid in ids]


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
        self._state: OrgState | None = None  # the organization as one piece of data, built when first needed
        self._state_key: tuple[int, int, int, bool] | None = None
        self.grant = RoleGrant(context, view)  # "Grant this role to...", planned into context.pending

    @Slot()
    def _edited(self, *_: object) -> None:
        self.names_changed.emit()

    def state(self) -> OrgState | None:
        """The organization shown as an OrgState, rebuilt when it changed (another load, more users, a refresh)."""
        organization, org, session = self._context.organization, self._context.org, self._context.session
        if organization is None or org is None:
            return None
        scope = organization.scope()
        key = (id(organization), id(org), len(organization.users), scope.complete)
        if self._state is None or key != self._state_key:
            label = session.label if session is not None else ""
            self._state = org_state(organization.users.as_list(), org, label=label, complete=scope.complete)
            self._state_key = key
        return self._state

    @Slot(object)
    def role_selected(self, role: RoleInfo | None) -> None:
        organization = self._context.organization
        state = self.state()
        if role is None or state is None or organization is None:
            self.view.show_holders(None, [], 0)
            return
        self.view.show_holders(role, who_has(state, role.id), len(state.users), organization.scope())

    def learn(self, role_ids: set[str]) -> None:
        """Add role ids seen on loaded users to the catalogue; call ``refresh`` afterwards."""
        org = self._context.org
        if org is not None:
            org.catalogue.learn(role_ids)

    def refresh(self) -> None:
        """Show the catalogue with counts over the organization, keeping the selected role."""
        organization, org = self._context.organization, self._context.org
        current = self.view.current_role()
        self._state = None
        if org is None or organization is None:
            self.model.set_catalogue(None)
            self.view.show_holders(None, [], 0)
            self.view.holders_chart.set_rows([])
            return
        direct, via = organization.role_counts()
        scope = organization.scope()
        self.model.set_catalogue(org.catalogue, direct, via, at_least=scope.partial,
                                 via_known=scope.group_roles_known)
        self.view.set_source_note(org.catalogue.names_from_accounts, org.catalogue.has_names())
        if current is not None and not self.view.select_role(current.id):
            self.view.show_holders(None, [], 0)
        self._refresh_chart()

    def _refresh_chart(self) -> None:
        """Count holders per role on a worker; the chart keeps its bars until the new ones arrive."""
        organization, org = self._context.organization, self._context.org
        if organization is None or org is None:
            return
        users = organization.users.as_list()
        self._context.runner.submit(lambda: chart_rows(org_state(users, org)), channel=CHART_CHANNEL,
                                    on_result=self.view.holders_chart.set_rows)

    def clear(self) -> None:
        """The connection is going: no catalogue, no holders."""
        self._state = None
        self._context.runner.invalidate(CHART_CHANNEL)
        self.model.set_catalogue(None)
        self.view.show_holders(None, [], 0)
        self.view.holders_chart.set_rows([])

    def show_scope(self, mark: str) -> None:
        self.view.show_scope(mark)
