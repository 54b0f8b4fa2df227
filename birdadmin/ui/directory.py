"""The organization's data across the three pages: loading it, and keeping the pages and the counts in step.

The users listing streams through the DirectoryLoader (pages, progress, cancel); groups, memberships and the
role catalogue come in one piece through the TaskRunner on the "org" channel. Either may arrive first; a result
for a connection that was closed or replaced meanwhile is dropped.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from PySide6.QtCore import QObject, Signal, Slot
from PySide6.QtGui import QAction

from birdadmin.errors import Explanation
from birdadmin.services.connection import OrgData, Session, load_org
from birdadmin.services.loader import DirectoryLoader
from birdadmin.ui import groups_page, users_page
from birdadmin.ui.context import WindowContext
from birdadmin.ui.groups_page import GroupsPage
from birdadmin.ui.roles_page import RolesPage
from birdadmin.ui.status_bar import WindowStatus
from birdadmin.ui.users_page import UsersPage

ORG_CHANNEL = "org"


class DirectoryController(QObject):
    users_loaded = Signal(int)  # a users listing finished (rows loaded)
    org_loaded = Signal()  # groups, catalogue and memberships arrived

    def __init__(self, context: WindowContext, loader: DirectoryLoader, status: WindowStatus, cancel: QAction,
                 users: UsersPage, groups: GroupsPage, roles: RolesPage, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._context = context
        self.loader = loader
        self._status = status
        self._cancel = cancel
        self.users, self.groups, self.roles = users, groups, roles
        loader.started.connect(self._load_started)
        loader.page_loaded.connect(users.model.append_users)
        loader.progress.connect(status.load_progress)
        loader.finished.connect(self._load_finished)
        loader.cancelled.connect(self._load_cancelled)
        loader.failed.connect(self._load_failed)
        users.model.visible_changed.connect(lambda *_: self.update_counts())
        users.view.selection_count_changed.connect(lambda *_: self.update_counts())

    def refresh(self) -> None:
        """Reload users (with the current server query), groups, memberships and the role catalogue."""
        session = self._context.session
        if session is None:
            return
        self.users.remember_selection()
        self.users.model.clear()
        self.loader.start_users(session.scim, self.users.scim_filter or None)
        self._context.runner.submit(
            lambda: load_org(session),
            on_result=lambda org: self._org_arrived(session, org),
            on_error=self._context.show_error,
            channel=ORG_CHANNEL,
        )

    def apply_scim_filter(self, text: str) -> None:
        """Run a SCIM filter on the server ("" lists everyone again)."""
        session = self._context.session
        if session is None:
            return
        self.users.set_query(text)
        self.users.model.clear()
        self.loader.start_users(session.scim, self.users.scim_filter or None)

    def clear(self) -> None:
        """The connection is going: stop loading, forget its results and empty the pages."""
        self.loader.cancel()
        for channel in (ORG_CHANNEL, users_page.DETAIL_CHANNEL, groups_page.DETAIL_CHANNEL):
            self._context.runner.invalidate(channel)
        self.users.clear()
        self.groups.clear()
        self.roles.model.set_catalogue(None)

    def update_counts(self) -> None:
        self._status.set_counts(self.users.counts_text())

    # -- the listing -------------------------------------------------------------------------------------------

    @Slot()
    def _load_started(self) -> None:
        self._status.load_started()
        self._cancel.setEnabled(True)

    def _load_ended(self) -> None:
        self._status.load_ended()
        self._cancel.setEnabled(False)
        self.users.listing_ended()
        # The role counts describe the users now loaded.
        self.roles.refresh()
        self.update_counts()

    @Slot(int)
    def _load_finished(self, count: int) -> None:
        self._status.show_refreshed(datetime.now())
        self.roles.learn(self.users.seen_role_ids())  # before the catalogue is shown with the new counts
        self._load_ended()
        self.users_loaded.emit(count)

    @Slot(int)
    def _load_cancelled(self, count: int) -> None:
        self._load_ended()
        if self._context.session is None:  # the connection was closed or replaced: nothing to report
            return
        self._context.show_message(
            self.tr("Loading cancelled; {count} users were loaded and are kept.").format(count=count), 8000
        )

    @Slot(object)
    def _load_failed(self, explanation: Explanation) -> None:
        self._load_ended()
        self._context.show_error(explanation)

    # -- the organization data ---------------------------------------------------------------------------------

    def _org_arrived(self, session: Session, org: OrgData) -> None:
        if session is not self._context.session:
            return
        session.org = org
        for warning in org.warnings:
            self._context.show_error(warning)
        self.roles.learn(self.users.seen_role_ids())
        context = self._context.role_context()
        self.users.model.set_context(context)
        self.groups.show_org(org, context)
        self.roles.refresh()
        self.update_counts()
        if not self.loader.running:  # otherwise the end of the listing brings the pane up to date
            self.users.view.announce_current()
        self.org_loaded.emit()

    def role_names_changed(self, *_: Any) -> None:
        """Local role names changed (edited or imported): every page names roles anew."""
        context = self._context.role_context()
        self.users.model.set_context(context)
        self.groups.model.set_context(context)
        self.users.show_current_again()
