"""The Roles page's behaviour: the catalogue with its counts, who holds the selected role (``domain/audit.py``
``who_has``), the chart of holders per role, and local names."""

from __future__ import annotations

from collections import Counter

from PySide6.QtCore import QEvent, QObject, Signal, Slot

from birdadmin.domain.audit import HolderRow, key_holder_rows, user_matrix, who_has
from birdadmin.domain.catalogue import RoleInfo
from birdadmin.domain.effective import holders
from birdadmin.domain.org_state import OrgState
from birdadmin.org_load import OrgData, org_state
from birdadmin.qtmodels.catalogue import RolesModel
from birdadmin.qtmodels.users import UsersModel
from birdadmin.scim.resources import User
from birdadmin.ui.context import WindowContext
from birdadmin.ui.role_grant import RoleGrant
from birdadmin.ui.roles_view import RolesView

CHART_CHANNEL = "roles-chart"


def chart_rows(state: OrgState) -> list[tuple[str, int, int]]:
    """(role name, users holding it directly, users holding it only through groups) for every role of the users
    matrix (the catalogue's, then unknown UUIDs someone holds): what the holders chart draws (ui/holders_chart.py).
    The matrix counts holders by any source; those not holding it directly hold it only through groups."""
    matrix = user_matrix(state)  # also builds the index who_has reads afterwards
    direct: Counter[str] = Counter()
    for user in state.users:
        direct.update({r.lower() for r in user.roles})
    keys: Counter[str] = Counter()  # the matrix's counts include access keys (issue 13); the chart counts users
    for key in state.keys:
        keys.update({r.lower() for r in key.role_ids or ()})
    names = state.catalogue.name_for
    return [(names(rid), direct[rid.lower()],
             max(matrix.counts.get(rid, 0) - keys[rid.lower()] - direct[rid.lower()], 0))
            for rid in matrix.role_ids]


def holder_rows(role_id: str, users: list[User], org: OrgData) -> list[HolderRow]:
    """Who holds ``role_id`` in one pass over the users (``domain/effective.py``), as the audit's rows, sorted as
    ``who_has`` sorts them: the page's answer while the organization's index is still being built on a worker."""
    found = holders(role_id, users, org.memberships, org.group_roles)
    rows = [HolderRow(h.user, any(g.source == "direct" for g in h.sources),
                      tuple((g.group_id or "", g.group_name or g.group_id or "") for g in h.sources
                            if g.source == "group")) for h in found]
    return sorted(rows, key=lambda r: r.user.user_name.casefold()) + key_holder_rows(org.keys, role_id)


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
        # The organization as one piece of data with its index, built on a worker after each refresh; who holds a
        # role is read from it once it is there (and from one pass over the users until then).
        self._state: OrgState | None = None
        self._state_key: tuple[int, int, int, bool] | None = None
        self._stale = False  # the state and chart wait for the page to be shown (no work for a page unseen)
        view.installEventFilter(self)
        self.grant = RoleGrant(context, view)  # "Grant this role to...", planned into context.pending

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if watched is self.view and event.type() == QEvent.Type.Show and self._stale:
            self._refresh_chart()
        return super().eventFilter(watched, event)

    @Slot()
    def _edited(self, *_: object) -> None:
        self.names_changed.emit()

    def _key(self) -> tuple[int, int, int, bool] | None:
        organization, org = self._context.organization, self._context.org
        if organization is None or org is None:
            return None
        return (id(organization), id(org), len(organization.users), organization.scope().complete)

    def state(self) -> OrgState | None:
        """The OrgState built for the organization as it is now, or None while it is being built."""
        key = self._key()
        return self._state if key is not None and key == self._state_key else None

    @Slot(object)
    def role_selected(self, role: RoleInfo | None) -> None:
        organization, org = self._context.organization, self._context.org
        if role is None or org is None or organization is None:
            self.view.show_holders(None, [], 0)
            return
        state = self.state()
        if state is not None:
            rows, total = who_has(state, role.id), len(state.users)
        else:
            users = organization.users.as_list()
            rows, total = holder_rows(role.id, users, org), len(users)
        self.view.show_holders(role, rows, total, organization.scope())

    def learn(self, role_ids: set[str]) -> None:
        """Add role ids seen on loaded users to the catalogue; call ``refresh`` afterwards."""
        org = self._context.org
        if org is not None:
            org.catalogue.learn(role_ids)

    def refresh(self) -> None:
        """Show the catalogue with counts over the organization, keeping the selected role."""
        organization, org = self._context.organization, self._context.org
        current = self.view.current_role()
        self._state = self._state_key = None
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
        """Build the OrgState, its index and the chart's counts on a worker (when the page is shown, else when it
        next is); the chart keeps its bars meanwhile."""
        organization, org, session = self._context.organization, self._context.org, self._context.session
        key = self._key()
        self._stale = not self.view.isVisible()
        if organization is None or org is None or key is None or self._stale:
            return
        users, label, complete = organization.users.as_list(), session.label if session else "", key[3]

        def work() -> tuple[OrgState, list[tuple[str, int, int]]]:
            state = org_state(users, org, label=label, complete=complete)
            return state, chart_rows(state)

        def done(result: tuple[OrgState, list[tuple[str, int, int]]]) -> None:
            if self._key() == key:  # else a newer refresh is on its way
                self._state, self._state_key = result[0], key
                self.view.holders_chart.set_rows(result[1])

        self._context.runner.submit(work, channel=CHART_CHANNEL, on_result=done)

    def clear(self) -> None:
        """The connection is going: no catalogue, no holders."""
        self._state = self._state_key = None
        self._context.runner.invalidate(CHART_CHANNEL)
        self.model.set_catalogue(None)
        self.view.show_holders(None, [], 0)
        self.view.holders_chart.set_rows([])

    def show_scope(self, mark: str) -> None:
        self.view.show_scope(mark)
