"""The Users page's behaviour: the selected user's pane (the JSON re-read on a worker), the server query, the
selection kept across reloads, and the counts shown in the status bar."""

from __future__ import annotations

from PySide6.QtCore import QObject, Slot

from birdadmin.qtmodels.users import UsersModel
from birdadmin.scim.resources import User
from birdadmin.ui.context import WindowContext
from birdadmin.ui.users_view import UsersView

DETAIL_CHANNEL = "user-detail"


class UsersPage(QObject):
    def __init__(self, context: WindowContext, model: UsersModel, view: UsersView) -> None:
        super().__init__(view)
        self._context = context
        self.model = model
        self.view = view
        self.scim_filter = ""  # the server query of the current listing ("" = everyone)
        self._reselect: str | None = None
        view.current_user_changed.connect(self.user_selected)

    @Slot(object)
    def user_selected(self, user: User | None) -> None:
        session, runner, pane = self._context.session, self._context.runner, self.view.detail
        if user is None or session is None:
            pane.show_user(None)
            runner.invalidate(DETAIL_CHANNEL)
            return
        pane.show_user(user, self._context.role_context(), session.base_url)
        user_id = user.id
        runner.submit(
            lambda: session.scim.get_user_json(user_id)[0],
            on_result=lambda data: pane.show_json(user_id, data),
            on_error=lambda exp: pane.show_json_error(user_id, exp),
            channel=DETAIL_CHANNEL,
        )

    def show_current_again(self) -> None:
        """Re-show the current user with today's role names (after they were edited or imported)."""
        current = self.view.current_user()
        session = self._context.session
        if current is not None:
            self.view.detail.show_user(current, self._context.role_context(), session.base_url if session else "")

    def reset(self) -> None:
        """A new connection: no query, no filter, no user."""
        self.scim_filter = ""
        self.view.scim_filter.clear()
        self.view.quick_filter.clear()
        self.view.show_server_filter("")

    def clear(self) -> None:
        self.model.clear()
        self.view.detail.show_user(None)

    def set_query(self, text: str) -> None:
        self.scim_filter = text.strip()
        self.view.show_server_filter(self.scim_filter)

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

    def seen_role_ids(self) -> set[str]:
        seen: set[str] = set()
        for user in self.model.users():
            seen.update(user.roles)
        return seen

    def counts_text(self) -> str:
        """"12 of 60 users · 6 groups · 11 roles · 3 selected", or "" when not connected."""
        if self._context.session is None:
            return ""
        loaded, visible = self.model.loaded_count(), self.model.rowCount()
        users = (
            self.tr("{visible} of {loaded} users").format(visible=visible, loaded=loaded)
            if visible != loaded
            else self.tr("{loaded} users").format(loaded=loaded)
        )
        parts = [users]
        org = self._context.org
        if org is not None:
            parts.append(self.tr("{count} groups").format(count=len(org.groups)))
            parts.append(self.tr("{count} roles").format(count=len(org.catalogue.roles())))
        selected = len(self.view.table.selectionModel().selectedRows())
        if selected > 1:
            parts.append(self.tr("{count} selected").format(count=selected))
        return " · ".join(parts)
