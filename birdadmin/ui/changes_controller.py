"""The window's side of the change queue: the dock, the status-bar count, the Edit actions' state, the read-only
rule, and "Review and apply" with what the guards read (the organization as loaded, the profile's settings).

The dock opens by itself on the first planned change, as tall as leaves the window's page ``PAGE_ROOM`` pixels
(at 1024x640 the Users page's role checklist then shows about eight rows), or compact, one line and its buttons,
when even a short list would not leave that room. "Show list" (or the status bar's count) opens the list at the
height the person last chose, kept in window.ini (ui/window_state.py).

Read-only (``ConnectionSpec.read_only``, the one rule in ``connection.py``) or not connected: the queue is told
(``PendingChanges.set_read_only``) and every write action is disabled with the reason as its tooltip.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal, Slot
from PySide6.QtWidgets import QMainWindow, QMenu

from birdadmin import errors
from birdadmin.domain.changes import Change
from birdadmin.domain.guards import OrgSnapshot
from birdadmin.domain.thresholds import DEFAULT_BATCH_THRESHOLD
from birdadmin.journal_entries import connection_record
from birdadmin.scim.resources import User
from birdadmin.services.apply_relay import reread_users
from birdadmin.ui.apply_dialog import ApplyDialog
from birdadmin.ui.apply_guards import GuardInput
from birdadmin.ui.apply_preview import PreviewInput
from birdadmin.ui.changes_dock import ChangesDock, change_names
from birdadmin.ui.context import WindowContext
from birdadmin.ui.queue_keeper import QueueKeeper
from birdadmin.ui.status_bar import WindowStatus
from birdadmin.ui.window_actions import WindowActions
from birdadmin.ui.window_state import save_dock_height, saved_dock_height

log = logging.getLogger(__name__)

REREAD_CHANNEL = "applied-users"
PAGE_ROOM = 560  # the window's height less the dock's that leaves the Roles tab eight checklist rows (measured)
LIST_MIN = 150  # the dock with its list: a header, a few rows and the buttons


class ChangesController(QObject):
    applied = Signal(list)  # an apply finished (its results): the journal has new entries

    def __init__(self, window: QMainWindow, context: WindowContext, actions: WindowActions, status: WindowStatus,
                 profiles: Callable[[], Any], refresh: Callable[[], None],
                 users_changed: Callable[[list[User]], None]) -> None:
        super().__init__(window)
        self._window = window
        self._context = context
        self._actions = actions
        self._status = status
        self._profiles = profiles  # the window's profile store (ui/connections.py), for the journal's profile id
        self._refresh = refresh
        self._users_changed = users_changed
        self.dialog: ApplyDialog | None = None
        # The queue kept on disk (store/change_store.py); told of each status change on the applying thread, so
        # a crash in the middle of an apply loses nothing.
        self.keeper = QueueKeeper(context, self.profile_record, self)
        self.keeper.restored.connect(self._restored)
        self.on_apply_update: Callable[[Any], None] | None = self.keeper.on_apply_update
        self.dock = ChangesDock(context, actions.apply_changes, actions.discard_changes, window)
        window.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, self.dock)
        self.dock.hide()  # shown when the first change is planned, or from the status bar or the View menu
        toggle = self.dock.toggleViewAction()
        toggle.setObjectName("changesPanelAction")
        toggle.setText(self.tr("&Planned changes"))
        view_menu = window.findChild(QMenu, "viewMenu")
        if view_menu is not None:
            view_menu.addSeparator()
            view_menu.addAction(toggle)
        self._had_changes = False
        context.pending.changed.connect(self._queue_changed)
        context.pending.writable_changed.connect(lambda _w: self.update_actions())
        status.pending_clicked.connect(self.show_dock)
        self.dock.list_toggled.connect(self._list_toggled)
        for loaded in ("org_loaded", "users_loaded"):  # names for role ids and member ids have arrived
            getattr(window, loaded).connect(lambda *_: self.names_changed())
        self.update_read_only()
        self._queue_changed()

    # -- state ---------------------------------------------------------------------------------------------------

    def connection_changed(self) -> None:
        """The queue shown belongs to the previous connection (it stays on disk): the new one's comes back, checked
        against the server (ui/queue_keeper.py), and writing follows the new connection's read-only rule."""
        self.keeper.connection_changed()  # first: it stops keeping the old queue, so the reset is not written there
        self._context.pending.reset()
        self.update_read_only()

    @Slot(str)
    def _restored(self, summary: str) -> None:
        if summary:
            self._context.show_message(summary, 0)
            self.show_dock()

    def close(self) -> None:
        self.remember_height()
        self.keeper.close()

    def update_read_only(self) -> None:
        """Tell the queue whether anything may be planned or applied on the open connection, and why not."""
        session = self._context.session
        reason = ""
        if session is None:
            reason = self.tr("Not connected; connect to an organization to plan and apply changes.")
        else:
            try:
                session.spec.require_writable(self.tr("applying changes"))
            except errors.InputError as exc:
                reason = exc.message
        self._context.pending.set_read_only(reason)
        self.update_actions()
        self.dock.update_state()  # the reason may change while read-only stays

    def update_actions(self) -> None:
        pending = self._context.pending
        open_changes = pending.queue.open()
        writable = pending.writable
        apply_action, discard = self._actions.apply_changes, self._actions.discard_changes
        busy = self.dialog is not None and self.dialog.running
        apply_action.setEnabled(writable and bool(open_changes) and not busy)
        discard.setEnabled(writable and bool(len(pending)) and not busy)
        for action, normal in ((apply_action, self.tr("Review the planned changes, then send them (Ctrl+Return)")),
                               (discard, self.tr("Forget every planned change (undoable)"))):
            action.setToolTip(normal if writable else pending.read_only_reason)

    @Slot()
    def _queue_changed(self) -> None:
        queue = self._context.pending.queue
        counts = dict.fromkeys(("pending", "conflict", "failed"), 0)
        for change in queue:
            if change.status in counts:
                counts[change.status] += 1
        self._status.set_pending(counts["pending"], counts["conflict"], counts["failed"])
        has = bool(len(queue))
        if has and not self._had_changes and self.dock.isHidden():
            self._open_dock()
        self._had_changes = has
        self.update_actions()

    def names_changed(self) -> None:
        self.dock.names_changed()

    # -- the dock's height -------------------------------------------------------------------------------------

    def list_height(self) -> int:
        """The dock's height with its list: the one the person chose last, else a third of the window."""
        chosen = saved_dock_height()
        height = chosen if chosen is not None else max(200, self._window.height() // 3)
        return max(LIST_MIN, min(height, self._window.height() // 2))

    def _open_dock(self) -> None:
        """Opened by the first planned change: never squeeze the page being edited below ``PAGE_ROOM``."""
        height = min(self.list_height(), self._window.height() - PAGE_ROOM)
        self.dock.set_compact(height < LIST_MIN)
        self.dock.show()
        self._resize_dock(self.dock.minimumSizeHint().height() if self.dock.compact else height)

    def _resize_dock(self, height: int) -> None:
        self._window.resizeDocks([self.dock], [height], Qt.Orientation.Vertical)

    @Slot(bool)
    def _list_toggled(self, shown: bool) -> None:
        if not shown:
            self.remember_height()
        self.dock.set_compact(not shown)
        self._resize_dock(self.list_height() if shown else self.dock.minimumSizeHint().height())

    def remember_height(self) -> None:
        """Keep the list's height as the person left it (window.ini), for the next time the list opens."""
        if self.dock.isVisible() and not self.dock.compact and not self.dock.isFloating():
            save_dock_height(self.dock.height())

    @Slot()
    def show_dock(self) -> None:
        if self.dock.isHidden() or self.dock.compact:
            self.dock.set_compact(False)
            self.dock.show()
            self._resize_dock(self.list_height())
        self.dock.show()
        self.dock.raise_()
        self.dock.table.setFocus(Qt.FocusReason.OtherFocusReason)

    # -- the Edit actions ----------------------------------------------------------------------------------------

    @Slot()
    def discard(self) -> None:
        if self._context.pending.writable:
            self._context.pending.discard(None, self.tr("Discard {count} planned changes").format(
                count=len(self._context.pending)))

    @Slot()
    def review_apply(self) -> ApplyDialog | None:
        """The preview of the whole batch with its guards, prepared on a worker (the dialog shows at once); nothing
        is sent until its Apply is pressed."""
        pending = self._context.pending
        if self._context.session is None or not pending.writable or not pending.queue.open() or self.dialog:
            return None
        dialog = ApplyDialog(self._context, self.preview_input, self.profile_record(), self._window)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.on_worker = self.on_apply_update
        dialog.change_updated.connect(self.dock.show_update)
        dialog.applied.connect(self._applied)
        dialog.finished.connect(lambda _r: self._dialog_closed())
        self.dialog = dialog
        dialog.open()
        return dialog

    def _dialog_closed(self) -> None:
        self.dialog = None
        self.update_actions()

    # -- what the guards and the journal read --------------------------------------------------------------------

    def _profile(self) -> Any:
        """The open connection's stored profile (its id goes in the journal), or None for an ad-hoc one."""
        session = self._context.session
        name = session.spec.profile_name if session is not None else None
        if not name:
            return None
        try:
            return self._profiles().get(name)
        except errors.BirdadminError as exc:
            log.info("profile unavailable: %s", exc.message)
            return None

    def preview_input(self) -> PreviewInput:
        """The batch "Review and apply" shows and sends, as immutable parts a worker may read (ui/apply_preview.py):
        conflicts are left out, as ApplyDialog sends them."""
        open_changes = self._context.pending.queue.open()
        sent = tuple(c for c in open_changes if c.status != "conflict")
        return PreviewInput(sent, len(open_changes) - len(sent), self.guard_input(sent),
                            change_names(self._context), self._context.session)

    def guard_input(self, sent: tuple[Change, ...] | None = None) -> GuardInput:
        """The organization as loaded, the changes an apply sends (conflicts are left out, so an Owner a conflict
        would give cannot hide the loss of the last one) and the connection's guard settings (``spec_for_profile``).
        Cheap: the changes are read as the guards' form on the worker (``GuardInput.planned``)."""
        org = self._context.organization
        data = self._context.org
        session = self._context.session
        snapshot = OrgSnapshot(
            users=org.users.as_list() if org is not None else [],
            memberships=data.memberships if data is not None else {},
            group_roles=data.group_roles if data is not None else {},
            **({"catalogue": data.catalogue} if data is not None else {}),
        )
        complete = org is not None and org.scope().complete and data is not None and data.group_roles_known
        if sent is None:
            sent = tuple(c for c in self._context.pending.queue.open() if c.status != "conflict")
        return GuardInput(
            snapshot, sent,
            owner_role_id=session.spec.owner_role_id if session is not None else None,
            batch_threshold=session.spec.batch_threshold if session is not None else DEFAULT_BATCH_THRESHOLD,
            complete=complete,
        )

    def profile_record(self) -> dict[str, Any]:
        """Which connection a journal entry was made on, like the CLI's: a profile by name and id, else the Base
        URL without user info or query (never a key)."""
        session = self._context.session
        if session is None:
            return {}
        profile = self._profile()
        return connection_record(session.base_url, profile=(profile.name, profile.id) if profile is not None else None,
                                 demo=session.spec.names_key == "demo")

    # -- after an apply ------------------------------------------------------------------------------------------

    def _applied(self, results: list[Any]) -> None:
        """Show the new state: a group change reloads the organization; user changes re-read those users."""
        self.update_actions()
        self.applied.emit(list(results))
        session = self._context.session
        done = [c for c in results if c.status == "done"]
        if session is None or not done:
            return
        if any(c.kind != "user-roles" for c in done):
            self._refresh()
            return
        ids = [c.target_id for c in done]
        self._context.runner.submit(lambda: reread_users(session, ids), channel=REREAD_CHANNEL,
                                    on_result=lambda users: self._reread(session, users))

    def _reread(self, session: Any, users: list[User]) -> None:
        if session is self._context.session and users:
            self._users_changed(users)
