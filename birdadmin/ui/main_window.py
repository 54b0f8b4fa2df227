"""The main window's shell: pages, actions, status bar and banner, and the parts that run them.

Everything that talks to a server goes through the TaskRunner or the DirectoryLoader, so the GUI thread only
ever updates models; results for a selection the user has left are dropped by channel (see services/tasks.py).
The window holds the open Session in a WindowContext that it hands to each part explicitly; nothing is global.
The parts: one controller per page (``users_page``, ``groups_page``, ``roles_page``) and the journal page, the
directory (loading and keeping pages in step), connections (profile switcher, profile manager, demo), the planned
changes (``changes``: dock, apply, the queue kept on disk), files and links (``window_files``), the status bar,
the actions with menus and toolbar, and the window state.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal, Slot
from PySide6.QtGui import QAction, QCloseEvent, QGuiApplication
from PySide6.QtWidgets import (
    QAbstractItemView,
    QMainWindow,
    QMenu,
    QMessageBox,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from birdadmin import errors
from birdadmin.connection import ConnectionSpec
from birdadmin.errors import Explanation, explain
from birdadmin.qtmodels.catalogue import RolesModel
from birdadmin.qtmodels.groups import GroupsModel
from birdadmin.qtmodels.users import UsersModel
from birdadmin.services.connection import Session
from birdadmin.services.loader import DirectoryLoader
from birdadmin.services.tasks import TaskRunner
from birdadmin.ui import window_state
from birdadmin.ui.audit_pages import AuditPages
from birdadmin.ui.banner import ErrorBanner
from birdadmin.ui.changes_controller import ChangesController
from birdadmin.ui.connections import ConnectionsController
from birdadmin.ui.context import WindowContext
from birdadmin.ui.directory import DirectoryController
from birdadmin.ui.empty_state import EmptyState
from birdadmin.ui.file_actions import FileActions
from birdadmin.ui.groups_page import GroupsPage
from birdadmin.ui.groups_view import GroupsView
from birdadmin.ui.icons import app_icon, icon
from birdadmin.ui.journal_page import JournalPage
from birdadmin.ui.labels import plain_labels
from birdadmin.ui.pages import PAGE_EMPTY, PAGE_GROUPS, PAGE_JOURNAL, PAGE_ROLES, PAGE_SNAPSHOTS, PAGE_USERS
from birdadmin.ui.pane_focus import PaneCycle, window_panes
from birdadmin.ui.roles_page import RolesPage
from birdadmin.ui.roles_view import RolesView
from birdadmin.ui.status_bar import WindowStatus
from birdadmin.ui.toolbar_fit import ToolbarFit
from birdadmin.ui.users_page import UsersPage
from birdadmin.ui.users_view import UsersView
from birdadmin.ui.window_actions import (
    ActionSlots,
    WindowActions,
    about_box,
    add_edit_actions,
    build_menus,
    build_toolbar,
)
from birdadmin.ui.window_files import WindowFiles

log = logging.getLogger(__name__)


class MainWindow(QMainWindow, WindowFiles):
    """The shell; its files and links (exports, role names, open a user or group) are in ui/window_files.py."""

    users_loaded = Signal(int)  # a users listing finished (rows loaded)
    org_loaded = Signal()  # groups, catalogue and memberships arrived
    connected = Signal(str)  # label of the new connection

    def __init__(
        self,
        *,
        demo_factory: Callable[[], ConnectionSpec] | None = None,
        profile_store: Any = None,
        secret_store: Any = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("mainWindow")
        self.setWindowTitle(self.tr("birdadmin"))
        self.setWindowIcon(app_icon())
        self._on_close: list[Callable[[], None]] = []
        self._closed = False
        self.runner = TaskRunner(self)
        self.loader = DirectoryLoader(self.runner.pool, self)
        self.context = WindowContext(self.runner, self.show_error, self._show_message)
        self.users_model = UsersModel(self)
        self.groups_model = GroupsModel(self)
        self.roles_model = RolesModel(self)
        self._build_pages()
        self.window_actions = WindowActions(self, self._action_slots())
        self.window_actions.add_undo(self.context.pending)
        build_menus(self, self.window_actions)
        self.audit.add_to(self.findChild(QMenu, "viewMenu"), self.window_actions.page_group)
        self.toolbar, combo = build_toolbar(self, self.window_actions)
        self.status = WindowStatus(self.statusBar(), self.window_actions.cancel)
        self.files = FileActions(self, self.context, self._names_imported)
        self.connections = ConnectionsController(self, self.context, self.status, combo, self.connect_to,
                                                 demo_factory=demo_factory, profile_store=profile_store,
                                                 secret_store=secret_store)
        self.directory = DirectoryController(self.context, self.loader, self.status, self.window_actions.cancel,
                                             self.users_page, self.groups_page, self.roles_page, self)
        self.changes = ChangesController(self, self.context, self.window_actions, self.status,
                                         self.connections.profiles, self.refresh, self.directory.users_changed)
        self.audit.keys.set_stores(lambda: (self.connections.profiles(), self.connections.keys().secrets))
        self.audit.keys.profile_key_changed.connect(self.connections.connect_profile)
        add_edit_actions(self.findChild(QMenu, "editMenu"), self.toolbar, self.users_page.edit_actions)
        self.toolbar_fit = ToolbarFit(self.toolbar, self.users_page.edit_actions)  # all of it shown at 1024x640
        self._wire()
        self.pane_cycle = PaneCycle(self, lambda: window_panes(self))  # F6 / Shift+F6: ui/pane_focus.py
        plain_labels(self)  # server text is text, never markup
        self.resize(1280, 800)
        # The first connection opens on the page shown when the window was last closed.
        self._next_page = window_state.restore_state(self, *self._layout_parts(), PAGE_USERS)
        self._show_page(PAGE_EMPTY)
        QGuiApplication.styleHints().colorSchemeChanged.connect(self._scheme_changed)

    # -- construction ---------------------------------------------------------------------------------------

    def _build_pages(self) -> None:
        central = QWidget(self)
        layout = QVBoxLayout(central)
        layout.setContentsMargins(6, 4, 6, 0)
        self.banner = ErrorBanner(central)
        layout.addWidget(self.banner)
        self.stack = QStackedWidget(central)
        self.stack.setObjectName("pages")
        self.empty_state = EmptyState(self.stack)
        self.users_view = UsersView(self.users_model, self.stack)
        self.groups_view = GroupsView(self.groups_model, self.stack)
        self.roles_view = RolesView(self.roles_model, self.stack)
        self.journal_page = JournalPage(self.context, self.stack)
        for page in (self.empty_state, self.users_view, self.groups_view, self.roles_view, self.journal_page):
            self.stack.addWidget(page)
        self.audit = AuditPages(self, self.context, self.stack, self._show_page, self.open_user, self.open_group)
        layout.addWidget(self.stack, 1)
        self.setCentralWidget(central)
        self.users_page = UsersPage(self.context, self.users_model, self.users_view)
        self.groups_page = GroupsPage(self.context, self.groups_model, self.groups_view, self.users_model)
        self.roles_page = RolesPage(self.context, self.roles_model, self.roles_view, self.users_model)

    def _action_slots(self) -> ActionSlots:
        return ActionSlots(
            open_profiles=self.open_profile_manager, open_demo=self.open_demo, export_csv=self.export_csv,
            export_json=self.export_json, export_report=self.export_report,
            quit=self.close, show_users=self.show_users, show_groups=self.show_groups, show_roles=self.show_roles,
            show_journal=self.show_journal,
            refresh=self.refresh, find=self.focus_quick_filter, server_query=self.focus_scim_filter,
            cancel_loading=self.cancel_loading, about=self.show_about,
            review_apply=lambda: self.changes.review_apply(), discard_changes=lambda: self.changes.discard(),
        )

    def _wire(self) -> None:
        self.directory.users_loaded.connect(self.users_loaded)
        self.directory.org_loaded.connect(self.org_loaded)
        self.directory.org_loaded.connect(self.audit.organization_changed)
        self.users_view.scim_filter_requested.connect(self.apply_scim_filter)
        self.roles_view.import_requested.connect(self.import_role_names)
        self.roles_view.export_requested.connect(self.export_role_names)
        self.roles_page.names_changed.connect(self.directory.role_names_changed)
        self.empty_state.connect_requested.connect(self.open_profile_manager)
        self.empty_state.demo_requested.connect(self.open_demo)
        self.connections.active_renamed.connect(self._active_profile_renamed)
        self.connections.active_deleted.connect(self._active_profile_deleted)
        self.changes.applied.connect(self.journal_page.reload)

    @property
    def session(self) -> Session | None:
        """The open connection, or None."""
        return self.context.session

    @property
    def profile_dialog(self) -> Any:
        """The profile manager while it is open."""
        return self.connections.profile_dialog

    # -- pages ----------------------------------------------------------------------------------------------

    def _show_page(self, page: int) -> None:
        if page not in (PAGE_EMPTY, PAGE_JOURNAL, PAGE_SNAPSHOTS) and self.session is None:
            page = PAGE_EMPTY
        self.stack.setCurrentIndex(page)
        actions = self.window_actions
        action = {PAGE_USERS: actions.users, PAGE_GROUPS: actions.groups, PAGE_ROLES: actions.roles,
                  PAGE_JOURNAL: actions.journal, **self.audit.actions}.get(page)
        if action is not None:
            action.setChecked(True)
        self._update_actions()

    def current_page(self) -> int:
        return self.stack.currentIndex()

    @Slot()
    def show_users(self) -> None:
        self._show_page(PAGE_USERS)

    @Slot()
    def show_groups(self) -> None:
        self._show_page(PAGE_GROUPS)

    @Slot()
    def show_roles(self) -> None:
        self._show_page(PAGE_ROLES)

    @Slot()
    def show_journal(self) -> None:
        self._show_page(PAGE_JOURNAL)

    def _update_actions(self) -> None:
        for action in (*self.window_actions.needing_connection(), *self.audit.needing_connection()):
            action.setEnabled(self.session is not None)
        self.window_actions.cancel.setEnabled(self.directory.running if hasattr(self, "directory") else False)

    @Slot()
    def focus_quick_filter(self) -> None:
        self._focus_users_field(self.users_view.quick_filter)

    @Slot()
    def focus_scim_filter(self) -> None:
        self._focus_users_field(self.users_view.scim_filter)

    def _focus_users_field(self, field: Any) -> None:
        if self.session is None:
            return
        self._show_page(PAGE_USERS)
        field.setFocus(Qt.FocusReason.ShortcutFocusReason)
        field.selectAll()

    # -- connection -----------------------------------------------------------------------------------------

    def connect_to(self, spec: ConnectionSpec) -> bool:
        """Open ``spec`` and start loading; a spec that cannot be used shows the reason and returns False."""
        try:
            session = Session(spec)
        except errors.BirdadminError as exc:
            self.show_error(explain(exc))
            return False
        self._drop_session()
        self.context.session = session
        self._connection_changed_for_queue()
        self.banner.dismiss()
        self.users_page.reset()
        self.status.show_opening(spec.label, session.base_url)
        self.setWindowTitle(self.tr("{label} – birdadmin").format(label=spec.label))
        self.connections.show_connected(spec)
        self._show_page(self._next_page)
        self._next_page = PAGE_USERS
        self.connected.emit(spec.label)
        self.refresh()
        return True

    def _drop_session(self) -> None:
        old, self.context.session = self.context.session, None  # first, so the end of the cancelled load sends nothing
        self.directory.clear()
        self._connection_changed_for_queue()
        if old is not None:
            # Workers may still hold the old clients for a moment; close them on the pool after those finish.
            self.runner.submit(old.close)

    def _connection_changed_for_queue(self) -> None:
        """The connection changed or closed: the queued changes belong to the previous organization (they stay on
        disk, ui/queue_keeper.py); the new connection's kept queue comes back, checked, and the queue is read-only
        unless the new connection may write."""
        self.changes.connection_changed()
        self.journal_page.reload()
        self.audit.organization_changed()

    @Slot(str)
    def _active_profile_renamed(self, name: str) -> None:
        """The profile of the open connection was renamed (here or elsewhere): the window follows the name."""
        session = self.session
        if session is None:
            return
        session.spec.label = name
        session.spec.profile_name = name
        self.setWindowTitle(self.tr("{label} – birdadmin").format(label=name))
        self.directory.report.connection_renamed()

    @Slot(str)
    def _active_profile_deleted(self, name: str) -> None:
        """The profile of the open connection was deleted: close the connection and say why."""
        if self.session is None:
            return
        self._drop_session()
        self.status.show_not_connected(self.tr("the profile {name} was deleted").format(name=name))
        self.setWindowTitle(self.tr("birdadmin"))
        self._show_page(PAGE_EMPTY)

    def add_close_callback(self, callback: Callable[[], None]) -> None:
        """Run ``callback`` when the window closes (the demo emulator's stop, for instance)."""
        self._on_close.append(callback)

    @Slot()
    def open_demo(self) -> None:
        """Start (or reuse) the demo organization on a worker, then connect to it."""
        self.connections.open_demo()

    def connect_profile(self, name: str) -> bool:
        """Connect with a stored profile, its keys read on a worker; False when there is no such profile."""
        return self.connections.connect_profile(name)

    @Slot()
    def open_profile_manager(self, select: str | None = None) -> Any:
        """The profile manager (non-modal); connecting there connects the window."""
        return self.connections.open_profile_manager(select)

    # -- loading --------------------------------------------------------------------------------------------

    @Slot()
    def refresh(self) -> None:
        """Reload users (with the current server query), groups, memberships and the role catalogue."""
        self.directory.refresh()

    @Slot(str)
    def apply_scim_filter(self, text: str) -> None:
        """Run a SCIM filter on the server ("" lists everyone again)."""
        self.directory.apply_scim_filter(text)

    @Slot()
    def cancel_loading(self) -> None:
        self.directory.cancel()

    # -- errors, about --------------------------------------------------------------------------------------

    @Slot(object)
    def show_error(self, explanation: Explanation) -> None:
        log.info("%s: %s", explanation.title, explanation.message)
        self.banner.show_error(explanation)

    def _show_message(self, text: str, timeout_ms: int) -> None:
        self.statusBar().showMessage(text, timeout_ms)

    @Slot()
    def show_about(self) -> QMessageBox:
        return about_box(self)

    # -- appearance and state -------------------------------------------------------------------------------

    def _scheme_changed(self, *_: Any) -> None:
        QTimer.singleShot(0, self.refresh_icons)

    def changeEvent(self, event: Any) -> None:  # noqa: N802 - Qt override
        if event.type() == event.Type.PaletteChange:
            self.refresh_icons()
        super().changeEvent(event)

    def refresh_icons(self) -> None:
        palette = self.palette()
        for action in self.findChildren(QAction):
            name = action.property("iconName")
            if name:
                action.setIcon(icon(str(name), palette))
        for page in (self.empty_state, self.users_view, self.groups_view, self.roles_view, self.banner):
            page.refresh_icons()
        self.audit.refresh_icons()

    def save_state(self) -> None:
        window_state.save_state(self, *self._layout_parts(), max(PAGE_USERS, self.current_page()))

    def _layout_parts(self) -> tuple[dict[str, Any], dict[str, QAbstractItemView]]:
        """(splitters, tables) whose state is kept between sessions, by name."""
        views = {"users": self.users_view, "groups": self.groups_view, "roles": self.roles_view}
        return ({name: view.splitter for name, view in views.items()},
                {**{name: view.table for name, view in views.items()}, "journal": self.journal_page.table})

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt override
        self.save_state()
        self.shutdown()
        super().closeEvent(event)

    def shutdown(self) -> None:
        """Stop background work, close the connection and run close callbacks; safe to call twice."""
        if self._closed:
            return
        self._closed = True
        session, self.context.session = self.context.session, None  # first: the cancelled load's end sends nothing
        self.loader.cancel()
        if not self.runner.shutdown(15_000):
            log.warning("Background work was still running when the window closed")
        self.changes.close()
        if session is not None:
            session.close()
        callbacks, self._on_close = self._on_close, []
        for callback in callbacks:
            try:
                callback()
            except Exception:
                log.exception("A close callback failed")
