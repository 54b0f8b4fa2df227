"""The organization across the three pages: loading it, and keeping the pages, the counts and the marks in step.

One Organization (``services/connection.py``) is what every page and count reads: its users stream through the
DirectoryLoader (pages, progress, cancel); groups, memberships, team roles and the catalogue come in one piece
through the TaskRunner on the "org" channel. Either may arrive first; a result for a connection or a load that
was replaced meanwhile is dropped.

A SCIM filter narrows the Users *view* only: it is a separate listing (``query_loader``) whose users fill the
Users table; the organization, the counts and the other pages are untouched by it.

Scope: while the organization is loading, after a cancel or a failure, every page shows a mark and the counts
read "at least N" (``ui/scope_marks.py``); ``ui/directory_report.py`` puts the marks, the scope line, the
counts and the connection state on screen. A failed refresh puts the previous complete organization back,
marked stale; without one, everything is cleared together.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from PySide6.QtCore import QObject, Signal, Slot
from PySide6.QtGui import QAction

from birdadmin.domain.organization import LoadState
from birdadmin.errors import Explanation
from birdadmin.services.connection import Organization, OrgData, Session, load_org
from birdadmin.services.loader import DirectoryLoader
from birdadmin.ui import groups_page, users_page
from birdadmin.ui.context import WindowContext
from birdadmin.ui.directory_report import DirectoryReport
from birdadmin.ui.groups_page import GroupsPage
from birdadmin.ui.roles_page import RolesPage
from birdadmin.ui.status_bar import WindowStatus
from birdadmin.ui.users_page import UsersPage

ORG_CHANNEL = "org"


class DirectoryController(QObject):
    users_loaded = Signal(int)  # the Users view's listing finished (rows loaded)
    org_loaded = Signal()  # groups, catalogue and memberships arrived

    def __init__(self, context: WindowContext, loader: DirectoryLoader, status: WindowStatus, cancel: QAction,
                 users: UsersPage, groups: GroupsPage, roles: RolesPage, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._context = context
        self.loader = loader  # the organization's users
        self.query_loader = DirectoryLoader(context.runner.pool, self)  # the Users view's server query
        self._status = status
        self._cancel = cancel
        self.users, self.groups, self.roles = users, groups, roles
        self.report = DirectoryReport(context, status, users, groups, roles, self)
        self._previous: Organization | None = None  # the last complete organization, while a refresh runs
        self._cancel_note = ""
        loader.started.connect(self._load_started)
        loader.page_loaded.connect(self._org_page)
        loader.progress.connect(self._org_progress)
        loader.finished.connect(self._org_finished)
        loader.cancelled.connect(self._org_cancelled)
        loader.failed.connect(self._org_failed)
        loader.short.connect(self._org_short)
        query = self.query_loader
        query.started.connect(self._load_started)
        query.page_loaded.connect(users.model.append_users)
        query.progress.connect(status.load_progress)
        query.finished.connect(self._query_finished)
        query.cancelled.connect(self._query_cancelled)
        query.failed.connect(self._query_failed)
        query.short.connect(self._query_failed)  # the rows shown stay, the scope line says it failed
        users.model.visible_changed.connect(lambda *_: self.report.update_counts())
        users.view.selection_count_changed.connect(lambda *_: self.report.update_counts())
        users.user_refreshed.connect(self._user_refreshed)

    @property
    def organization(self) -> Organization | None:
        return self._context.organization

    @property
    def running(self) -> bool:
        return self.loader.running or self.query_loader.running

    # -- starting and stopping ---------------------------------------------------------------------------------

    def refresh(self) -> None:
        """Reload the organization (users, groups, memberships, catalogue), and the server query if one is set."""
        session = self._context.session
        if session is None:
            return
        self.users.remember_selection()
        current = self._context.organization
        if current is not None and current.scope().complete:
            self._previous = current
        org = Organization(current.data if current is not None else None)
        self._context.organization = org
        self.users.model.clear()  # refilled by the organization's listing, or by the server query when one is set
        self.loader.start_users(session.scim, None)
        if self.users.scim_filter:
            self._start_query(session)
        self._context.runner.submit(
            lambda: load_org(session),
            on_result=lambda data: self._data_arrived(session, org, data),
            on_error=lambda exp: self._data_failed(session, org, exp),
            channel=ORG_CHANNEL,
        )
        self.report.update_scope()

    def apply_scim_filter(self, text: str) -> None:
        """Run a SCIM filter on the server for the Users view ("" shows the whole organization again)."""
        session = self._context.session
        if session is None:
            return
        self.users.set_query(text)
        self.users.remember_selection()
        self.query_loader.stop()
        self.users.model.clear()
        if self.users.scim_filter:
            self._start_query(session)
        else:
            self.report.query_state = None
            org = self._context.organization
            if org is not None:
                self.users.model.append_users(org.users.as_list())
            self._load_ended()
            self._view_listing_ended()
            if not self.loader.running:
                self.users_loaded.emit(self.users.model.loaded_count())
        self.report.update_scope()

    def _start_query(self, session: Session) -> None:
        self.report.query_state, self.report.query_failure = LoadState.LOADING, ""
        self.query_loader.start_users(session.scim, self.users.scim_filter)

    def cancel(self) -> None:
        """Esc: stop whatever is loading; what was loaded is kept, and marked as not complete."""
        self.query_loader.cancel()
        self.loader.cancel()

    def clear(self) -> None:
        """The connection is going: stop loading, and drop everything derived from its organization at once."""
        self.loader.stop()
        self.query_loader.stop()
        for channel in (ORG_CHANNEL, users_page.DETAIL_CHANNEL, groups_page.DETAIL_CHANNEL):
            self._context.runner.invalidate(channel)
        self._context.organization = None
        self._previous = None
        self.report.query_state = None
        self.users.clear()
        self.groups.clear()
        self.roles.clear()
        self._status.load_ended()
        self._cancel.setEnabled(False)
        self.report.update_scope()

    # -- progress ----------------------------------------------------------------------------------------------

    @Slot()
    def _load_started(self) -> None:
        self._status.take_back(self._cancel_note)  # it spoke of the earlier load and hid the connection state
        self._status.load_started()
        self._cancel.setEnabled(True)

    def _load_ended(self) -> None:
        if self.running:
            return
        self._status.load_ended()
        self._cancel.setEnabled(False)

    def _view_listing_ended(self) -> None:
        self.users.listing_ended()
        self.roles.refresh()
        self.report.update_scope()

    # -- the organization's users ------------------------------------------------------------------------------

    @Slot(list)
    def _org_page(self, items: list[Any]) -> None:
        org = self._context.organization
        if org is None:
            return
        org.users.add(items)
        if not self.users.scim_filter:
            self.users.model.append_users(items)
        self.report.show_connected()
        self.report.update_scope()

    @Slot(int, object)
    def _org_progress(self, fetched: int, total: Any) -> None:
        org = self._context.organization
        if org is not None and isinstance(total, int):
            org.total = total
        if not self.query_loader.running:
            self._status.load_progress(fetched, total)

    @Slot(int)
    def _org_finished(self, count: int) -> None:
        org = self._context.organization
        if org is None:
            return
        org.users_state = LoadState.COMPLETE
        org.total = len(org.users)
        self.report.show_connected()
        self._completed(org)
        self.roles.learn(self._org_role_ids())  # before the catalogue is shown with the new counts
        self._load_ended()
        self._org_listing_ended()
        if not self.users.scim_filter:
            self.users_loaded.emit(count)

    def _org_listing_ended(self) -> None:
        if not self.users.scim_filter:
            self._view_listing_ended()
        else:
            self.roles.refresh()
            self.report.update_scope()

    @Slot(int)
    def _org_cancelled(self, count: int) -> None:
        org = self._context.organization
        if org is None or self._context.session is None:  # the connection was closed or replaced
            return
        org.users_state = LoadState.CANCELLED
        self._load_ended()
        self._org_listing_ended()
        self._cancel_note = self.tr("Loading cancelled; {count} users were loaded and are kept.").format(count=count)
        self._context.show_message(self._cancel_note, 8000)

    @Slot(object)
    def _org_short(self, explanation: Explanation) -> None:
        """The server listed fewer users than it said it has (or a bound stopped it): keep them, marked partial."""
        org = self._context.organization
        self._load_ended()
        if org is None or self._context.session is None:
            return
        org.users_state = LoadState.FAILED
        org.failure = explanation.title
        self._org_listing_ended()
        self._context.show_error(explanation)

    @Slot(object)
    def _org_failed(self, explanation: Explanation) -> None:
        org = self._context.organization
        self._load_ended()
        if org is not None:
            self._give_up(org, explanation)
        self._context.show_error(explanation)

    def _give_up(self, org: Organization, explanation: Explanation) -> None:
        """A load failed: show the previous complete organization, marked stale, or clear every page together."""
        self.report.connection_failed(explanation)
        self.loader.stop()
        self._context.runner.invalidate(ORG_CHANNEL)
        previous = self._previous
        reason = explanation.title
        if previous is not None:
            previous.stale_reason = reason
            self._context.organization = previous
            if not self.users.scim_filter:
                self.users.model.clear()
                self.users.model.append_users(previous.users.as_list())
            if previous.data is not None:
                self._show_data(previous.data)
        else:
            org.users_state = LoadState.FAILED
            org.failure = reason
            org.users = type(org.users)()
            org.data = None
            if not self.users.scim_filter:
                self.users.model.clear()
            self.groups.clear()
            self.roles.clear()
        self._org_listing_ended()

    def _completed(self, org: Organization) -> None:
        if org.mark_complete_if_done(datetime.now()):
            self._previous = None

    # -- groups, memberships, catalogue ------------------------------------------------------------------------

    def _data_arrived(self, session: Session, org: Organization, data: OrgData) -> None:
        if session is not self._context.session or org is not self._context.organization:
            return
        org.data = data
        org.data_state = LoadState.COMPLETE
        session.org = data
        for warning in data.warnings:
            self._context.show_error(warning)
        self.report.show_connected()
        self._completed(org)
        self._show_data(data)
        if not self.running:  # otherwise the end of the listing brings the pane up to date
            self.users.view.announce_current()
        self.report.update_scope()
        self.org_loaded.emit()

    def _show_data(self, data: OrgData) -> None:
        self.roles.learn(self._org_role_ids())
        context = self._context.role_context()
        self.users.model.set_context(context)
        self.groups.show_org(data, context)
        self.roles.refresh()

    def _data_failed(self, session: Session, org: Organization, explanation: Explanation) -> None:
        if session is not self._context.session or org is not self._context.organization:
            return
        org.data_state = LoadState.FAILED
        self._give_up(org, explanation)
        self._load_ended()
        self._context.show_error(explanation)

    # -- the server query --------------------------------------------------------------------------------------

    @Slot(int)
    def _query_finished(self, count: int) -> None:
        self.report.query_state = LoadState.COMPLETE
        self._load_ended()
        self._view_listing_ended()
        self.users_loaded.emit(count)

    @Slot(int)
    def _query_cancelled(self, _count: int) -> None:
        self.report.query_state = LoadState.CANCELLED
        self._load_ended()
        self._view_listing_ended()

    @Slot(object)
    def _query_failed(self, explanation: Explanation) -> None:
        self.report.query_state = LoadState.FAILED
        self.report.query_failure = explanation.title
        self._load_ended()
        self._view_listing_ended()
        self._context.show_error(explanation)

    def _org_role_ids(self) -> set[str]:
        org = self._context.organization
        seen: set[str] = set()
        for user in org.users if org is not None else ():
            seen.update(user.roles)
        return seen

    # -- fresher data ------------------------------------------------------------------------------------------

    def _user_refreshed(self, user: Any) -> None:
        """The re-read of a user showed a newer version: the organization and the counts take it."""
        org = self._context.organization
        if org is not None:
            org.users.replace(user)
        self.roles.learn(set(user.roles))
        self.roles.refresh()

    def users_changed(self, users: list[Any]) -> None:
        """Users re-read after an apply: their rows, the organization and the counts show the new state."""
        org = self._context.organization
        for user in users:
            if org is not None:
                org.users.replace(user)
        if not self.users.scim_filter:
            self.users.model.append_users(users)  # replaces the rows in place, matched by id
        self.roles.learn({r for user in users for r in user.roles})
        self.roles.refresh()
        self.users.show_current_again()
        self.report.update_counts()

    def role_names_changed(self, *_: Any) -> None:
        """Local role names changed (edited or imported): every page names roles anew."""
        context = self._context.role_context()
        self.users.model.set_context(context)
        self.groups.model.set_context(context)
        self.users.show_current_again()
