"""The Users page's behaviour: the selected user's pane (the JSON re-read on a worker, a fresher version taking
the row's place), the server query and its scope line, and the selection kept across reloads."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, Signal, Slot
from PySide6.QtGui import QAction

from birdadmin.errors import BirdadminError
from birdadmin.qtmodels.users import UsersModel
from birdadmin.scim.resources import User, parse_user
from birdadmin.ui.bulk_edit import BulkEdit
from birdadmin.ui.context import WindowContext
from birdadmin.ui.user_roles_editor import UserRolesEditor
from birdadmin.ui.users_view import UsersView

DETAIL_CHANNEL = "user-detail"


class UsersPage(QObject):
    user_refreshed = Signal(object)  # User: the re-read showed a newer version than the row

    def __init__(self, context: WindowContext, model: UsersModel, view: UsersView) -> None:
        super().__init__(view)
        self._context = context
        self.model = model
        self.view = view
        self.scim_filter = ""  # the server query of the current listing ("" = everyone)
        self._reselect: str | None = None
        view.current_user_changed.connect(self.user_selected)
        view.add_scope_line()
        view.detail.mark_changed_on_server(False)
        # Editing plans into context.pending, never sends (issue 11): the pane's role checklist, and the bulk
        # actions over the selected rows, which the window puts in its Edit menu and toolbar.
        self.roles_editor = UserRolesEditor(context, view.detail)
        self.bulk = BulkEdit(context, view)
        self.edit_actions: list[QAction] = list(self.bulk.actions)
        # The table marks users with a planned role change (qtmodels/user_plans.py), following plan, undo,
        # discard and apply results.
        context.pending.changed.connect(lambda: model.set_plans(context.pending.queue))
        model.set_plans(context.pending.queue)

    @Slot(object)
    def user_selected(self, user: User | None) -> None:
        session, runner, pane = self._context.session, self._context.runner, self.view.detail
        if user is None or session is None:
            pane.show_user(None)
            runner.invalidate(DETAIL_CHANNEL)
            return
        pane.show_user(user, self._context.role_context(), session.base_url)
        pane.mark_changed_on_server(False)
        user_id = user.id
        runner.submit(
            lambda: session.scim.get_user_json(user_id)[0],
            on_result=lambda data: self._json_arrived(user_id, data),
            on_error=lambda exp: pane.show_json_error(user_id, exp),
            channel=DETAIL_CHANNEL,
        )

    def _json_arrived(self, user_id: str, data: dict[str, Any]) -> None:
        """The re-read user: shown as JSON; when its version differs from the row's, the fresh user wins."""
        pane, session = self.view.detail, self._context.session
        pane.show_json(user_id, data)
        listed = self.model.user_by_id(user_id)
        if listed is None or session is None or pane.user is None or pane.user.id != user_id:
            return
        try:
            fresh = parse_user(data)
        except (BirdadminError, ValueError, TypeError, KeyError):
            return
        if fresh.id != user_id or not fresh.version or fresh.version == listed.version:
            return
        self.model.append_users([fresh])  # replaces the row in place, matched by id
        self.user_refreshed.emit(fresh)
        pane.show_user(fresh, self._context.role_context(), session.base_url)
        pane.show_json(user_id, data)
        pane.mark_changed_on_server(True)

    def show_current_again(self) -> None:
        """Re-show the current user with today's role names (after they were edited or imported, or after an
        apply), and read it again: the JSON tab would otherwise say "Reading…" for good, or, after an apply, show
        the user as it was before."""
        current = self.view.current_user()
        if current is not None:
            changed = self.view.detail.changed_on_server()
            self.user_selected(current)
            self.view.detail.mark_changed_on_server(changed)

    def reset(self) -> None:
        """A new connection: no query, no filter, no user."""
        self.scim_filter = ""
        self.view.scim_filter.clear()
        self.view.quick_filter.clear()
        self.view.show_server_filter("")
        self.view.show_scope("", "")

    def clear(self) -> None:
        self.model.clear()
        self.view.detail.show_user(None)

    def set_query(self, text: str) -> None:
        self.scim_filter = text.strip()

    def remember_selection(self) -> None:
        """Before a reload: the user to select again once the listing has ended."""
        current = self.view.current_user()
        self._reselect = current.id if current is not None else None

    def listing_ended(self) -> None:
        self.model.settle()
        if self._reselect and self.view.current_user() is None:
            self.view.select_user(self._reselect)
        self._reselect = None
        # The pane shows the reloaded user (or nothing when the listing left it out).
        self.view.announce_current()

    def show_scope(self, line: str, mark: str) -> None:
        """The server query's scope line ("" hides it) and the organization's partial mark ("" hides it)."""
        self.view.show_scope(line, mark)
