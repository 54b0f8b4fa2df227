"""What the pages say about the organization: every page's partial mark, the Users view's scope line, the
counts and the refresh time in the status bar, and the connection state (connecting, connected, failed).

All of it is computed from one Scope of the one Organization (``domain/organization.py``), never from what the
Users table happens to show; ``ui/directory.py`` calls ``update_scope`` whenever the organization or the server
query moves on. The texts themselves are in ``ui/scope_marks.py``.
"""

from __future__ import annotations

from PySide6.QtCore import QObject

from birdadmin.domain.organization import LoadState
from birdadmin.errors import Explanation
from birdadmin.services.connection import Organization
from birdadmin.ui.context import WindowContext
from birdadmin.ui.groups_page import GroupsPage
from birdadmin.ui.roles_page import RolesPage
from birdadmin.ui.scope_marks import ScopeTexts
from birdadmin.ui.status_bar import WindowStatus
from birdadmin.ui.users_page import UsersPage

_UNREACHABLE_OR_REFUSED = (3, 4)  # exit codes: authentication/permission, not reachable


class DirectoryReport(QObject):
    """The marks, scope line, counts and connection state; ``query_state`` is the Users view's server query."""

    def __init__(self, context: WindowContext, status: WindowStatus, users: UsersPage, groups: GroupsPage,
                 roles: RolesPage, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._context = context
        self._status = status
        self.users, self.groups, self.roles = users, groups, roles
        self.texts = ScopeTexts(self)
        self.query_state: LoadState | None = None
        self.query_failure = ""

    def update_counts(self) -> None:
        self._status.set_counts(self._counts_text())

    def _counts_text(self) -> str:
        """"12 of 60 users · 6 groups · 11 roles · 3 selected" ("at least" while partial), "" when not connected."""
        org = self._context.organization
        if self._context.session is None or org is None:
            return ""
        scope = org.scope()
        total = self.texts.users(scope, len(org.users))
        visible = self.users.model.rowCount()
        parts = [total if visible == len(org.users) else self.tr("{visible} of {users}").format(
            visible=visible, users=total)]
        if org.data is not None:
            parts.append(self.tr("{count} groups").format(count=len(org.data.groups)))
            parts.append(self.tr("{count} roles").format(count=len(org.data.catalogue.roles())))
        selected = len(self.users.view.table.selectionModel().selectedRows())
        if selected > 1:
            parts.append(self.tr("{count} selected").format(count=selected))
        return " · ".join(parts)

    def update_scope(self) -> None:
        """Every page's mark, the Users view's scope line, the refresh time and the counts, from one Scope."""
        org = self._context.organization
        scope = org.scope() if org is not None else None
        mark = self.texts.mark(scope)
        self.users.show_scope(self._query_line(org), mark)
        self.groups.show_scope(mark, scope)
        self.roles.show_scope(mark)
        self._status.show_refreshed(self.texts.refreshed(scope))
        self.update_counts()

    def _query_line(self, org: Organization | None) -> str:
        query = self.users.scim_filter
        if not query or org is None:
            return ""
        total = self.texts.users(org.scope(), len(org.users))
        shown = self.users.model.loaded_count()
        if self.query_state is LoadState.FAILED:
            return self.tr("Server query: {query} — failed: {reason}").format(query=query,
                                                                            reason=self.query_failure)
        if self.query_state is LoadState.CANCELLED:
            return self.tr("Server query: {query} — cancelled after {shown} users (of {total})").format(
                query=query, shown=shown, total=total)
        if self.query_state is LoadState.LOADING:
            return self.tr("Server query: {query} — loading, {shown} so far (of {total})").format(
                query=query, shown=shown, total=total)
        return self.tr("Server query: {query} — {shown} of {total}").format(query=query, shown=shown, total=total)

    def show_connected(self) -> None:
        session = self._context.session
        if session is not None:
            self._status.show_connection(session.label, session.base_url, read_only=session.spec.read_only)

    def connection_renamed(self) -> None:
        """The open connection's profile has a new name: the status bar says it (failed stays failed)."""
        session = self._context.session
        org = self._context.organization
        if session is None:
            return
        if org is not None and (len(org.users) or org.data is not None):
            self.show_connected()
        else:
            self._status.show_opening(session.label, session.base_url)

    def connection_failed(self, explanation: Explanation) -> None:
        session = self._context.session
        if session is not None and explanation.exit_code in _UNREACHABLE_OR_REFUSED:
            self._status.show_failed(session.label, explanation, session.base_url)
