"""The main window: Users, Groups and Roles pages, profile switcher, status bar, menus and error banner.

Everything that talks to a server goes through the TaskRunner or the DirectoryLoader, so the GUI thread only
ever updates models; results for a selection the user has left are dropped by channel (see services.tasks).
The window receives its Session explicitly through ``connect_to`` and hands it down; nothing is global.
"""

from __future__ import annotations

import csv
import io
import logging
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from PySide6.QtCore import QByteArray, QSettings, Qt, QTimer, Signal, Slot
from PySide6.QtGui import (
    QAction,
    QActionGroup,
    QCloseEvent,
    QGuiApplication,
    QKeySequence,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QFrame,
    QLabel,
    QMainWindow,
    QMessageBox,
    QProgressBar,
    QStackedWidget,
    QToolBar,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from birdadmin import errors
from birdadmin.connection import ConnectionSpec
from birdadmin.domain.catalogue import RoleInfo
from birdadmin.domain.effective import holders
from birdadmin.errors import Explanation, explain
from birdadmin.qtmodels.catalogue import RolesModel
from birdadmin.qtmodels.groups import GroupsModel
from birdadmin.qtmodels.roles import RoleContext
from birdadmin.qtmodels.users import UsersModel
from birdadmin.scim.resources import Group, User
from birdadmin.services.connection import OrgData, Session, load_org, role_counts
from birdadmin.services.loader import DirectoryLoader
from birdadmin.services.tasks import TaskRunner
from birdadmin.store.paths import config_dir
from birdadmin.ui.banner import ErrorBanner
from birdadmin.ui.empty_state import EmptyState
from birdadmin.ui.groups_view import GroupsView
from birdadmin.ui.icons import app_icon, icon
from birdadmin.ui.roles_view import RolesView
from birdadmin.ui.users_view import UsersView

log = logging.getLogger(__name__)

PAGE_EMPTY, PAGE_USERS, PAGE_GROUPS, PAGE_ROLES = range(4)
SETTINGS_FILE = "window.ini"


def window_settings() -> QSettings:
    """Window state lives in an ini file in birdadmin's config dir (overridable, so tests stay isolated)."""
    return QSettings(str(config_dir() / SETTINGS_FILE), QSettings.Format.IniFormat)


class MainWindow(QMainWindow):
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
        self.session: Session | None = None
        self._demo_factory = demo_factory
        self._profile_store = profile_store
        self._secret_store = secret_store  # the OS keyring unless given (tests)
        self._session_store: Any = None  # keys chosen "for this session only": one store for the window's life
        self._on_close: list[Callable[[], None]] = []
        self._scim_filter = ""
        self._last_refresh: datetime | None = None
        self._reselect_user: str | None = None
        self._closed = False

        self.runner = TaskRunner(self)
        self.loader = DirectoryLoader(self.runner.pool, self)
        self.users_model = UsersModel(self)
        self.groups_model = GroupsModel(self)
        self.roles_model = RolesModel(self)

        self._build_pages()
        self._build_actions()
        self._build_menus()
        self._build_toolbar()
        self._build_status_bar()
        self._wire()
        self.resize(1280, 800)
        self._restore_state()
        self._show_page(PAGE_EMPTY)
        self._update_actions()
        hints = QGuiApplication.styleHints()
        hints.colorSchemeChanged.connect(self._scheme_changed)

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
        for page in (self.empty_state, self.users_view, self.groups_view, self.roles_view):
            self.stack.addWidget(page)
        layout.addWidget(self.stack, 1)
        self.setCentralWidget(central)

    def _action(
        self, name: str, text: str, slot: Callable[..., Any], shortcut: QKeySequence | str | None = None, icon_name: str = ""
    ) -> QAction:
        action = QAction(text, self)
        action.setObjectName(name)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        if icon_name:
            action.setIcon(icon(icon_name))
            action.setProperty("iconName", icon_name)
        action.triggered.connect(slot)
        self.addAction(action)
        return action

    def _build_actions(self) -> None:
        tr = self.tr
        self.connect_action = self._action("connectAction", tr("&Connect…"), self.open_profile_manager,
                                           QKeySequence.StandardKey.Open, "connect")
        self.manage_profiles_action = self._action("manageProfilesAction", tr("&Manage profiles…"),
                                                   self.open_profile_manager)
        self.demo_action = self._action("demoAction", tr("Open the &demo organization"), self.open_demo,
                                        icon_name="demo")
        self.export_action = self._action("exportAction", tr("&Export visible table as CSV…"), self.export_csv,
                                          "Ctrl+E", "export")
        self.quit_action = self._action("quitAction", tr("&Quit"), self.close, QKeySequence.StandardKey.Quit)
        self.quit_action.setShortcut(QKeySequence("Ctrl+Q"))
        self.page_group = QActionGroup(self)
        self.page_group.setExclusive(True)
        self.users_action = self._action("usersAction", tr("&Users"), lambda: self._show_page(PAGE_USERS),
                                         "Ctrl+1", "users")
        self.groups_action = self._action("groupsAction", tr("&Groups"), lambda: self._show_page(PAGE_GROUPS),
                                          "Ctrl+2", "groups")
        self.roles_action = self._action("rolesAction", tr("&Roles"), lambda: self._show_page(PAGE_ROLES),
                                         "Ctrl+3", "roles")
        for action in (self.users_action, self.groups_action, self.roles_action):
            action.setCheckable(True)
            self.page_group.addAction(action)
        self.refresh_action = self._action("refreshAction", tr("&Refresh"), self.refresh,
                                           QKeySequence.StandardKey.Refresh, "refresh")
        self.refresh_action.setShortcuts([QKeySequence("F5"), QKeySequence("Ctrl+R")])
        self.refresh_action.setToolTip(tr("Reload users, groups and roles from the server (F5)"))
        self.find_action = self._action("findAction", tr("&Find"), self.focus_quick_filter,
                                        QKeySequence.StandardKey.Find, "filter")
        self.find_action.setShortcut(QKeySequence("Ctrl+F"))
        self.scim_filter_action = self._action("scimFilterAction", tr("&Server query"), self.focus_scim_filter,
                                               "Ctrl+Shift+F", "search")
        self.cancel_action = self._action("cancelAction", tr("&Cancel loading"), self.cancel_loading,
                                          "Escape", "cancel")
        self.cancel_action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        self.about_action = self._action("aboutAction", tr("&About birdadmin"), self.show_about)

    def _build_menus(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu(self.tr("&File"))
        file_menu.setObjectName("fileMenu")
        for action in (self.connect_action, self.manage_profiles_action, self.demo_action):
            file_menu.addAction(action)
        file_menu.addSeparator()
        file_menu.addAction(self.export_action)
        file_menu.addSeparator()
        file_menu.addAction(self.quit_action)
        view_menu = bar.addMenu(self.tr("&View"))
        view_menu.setObjectName("viewMenu")
        for action in (self.users_action, self.groups_action, self.roles_action):
            view_menu.addAction(action)
        view_menu.addSeparator()
        for action in (self.refresh_action, self.cancel_action, self.find_action, self.scim_filter_action):
            view_menu.addAction(action)
        help_menu = bar.addMenu(self.tr("&Help"))
        help_menu.setObjectName("helpMenu")
        help_menu.addAction(self.about_action)

    def _build_toolbar(self) -> None:
        toolbar = QToolBar(self.tr("Main toolbar"), self)
        toolbar.setObjectName("mainToolbar")
        toolbar.setMovable(False)
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        for action in (self.users_action, self.groups_action, self.roles_action):
            toolbar.addAction(action)
        toolbar.addSeparator()
        toolbar.addAction(self.refresh_action)
        spacer = QWidget(toolbar)
        spacer.setSizePolicy(spacer.sizePolicy().horizontalPolicy().Expanding, spacer.sizePolicy().verticalPolicy())
        toolbar.addWidget(spacer)
        label = QLabel(self.tr("Organization:"), toolbar)
        toolbar.addWidget(label)
        self.profile_combo = QComboBox(toolbar)
        self.profile_combo.setObjectName("profileSwitcher")
        self.profile_combo.setAccessibleName(self.tr("Connection profile"))
        self.profile_combo.setMinimumContentsLength(18)
        self.profile_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        label.setBuddy(self.profile_combo)
        toolbar.addWidget(self.profile_combo)
        toolbar.addAction(self.connect_action)
        self.addToolBar(toolbar)
        self.toolbar = toolbar
        self.reload_profiles()
        self.profile_combo.activated.connect(self._profile_chosen)

    def _build_status_bar(self) -> None:
        bar = self.statusBar()
        bar.setObjectName("statusBar")
        self.connection_label = QLabel(self.tr("Not connected"), bar)
        self.connection_label.setObjectName("connectionLabel")
        self.connection_label.setAccessibleName(self.tr("Connection"))
        bar.addWidget(self.connection_label)
        separator = QFrame(bar)
        separator.setFrameShape(QFrame.Shape.VLine)
        separator.setFrameShadow(QFrame.Shadow.Sunken)
        bar.addWidget(separator)
        self.counts_label = QLabel("", bar)
        self.counts_label.setObjectName("countsLabel")
        self.counts_label.setAccessibleName(self.tr("Counts"))
        bar.addWidget(self.counts_label, 1)
        self.progress = QProgressBar(bar)
        self.progress.setObjectName("loadProgress")
        self.progress.setAccessibleName(self.tr("Loading progress"))
        self.progress.setMaximumWidth(220)
        self.progress.setTextVisible(True)
        self.progress.setVisible(False)
        bar.addPermanentWidget(self.progress)
        self.cancel_button = QToolButton(bar)
        self.cancel_button.setObjectName("cancelLoadButton")
        self.cancel_button.setAccessibleName(self.tr("Cancel loading"))
        self.cancel_button.setDefaultAction(self.cancel_action)
        self.cancel_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.cancel_button.setVisible(False)
        bar.addPermanentWidget(self.cancel_button)
        self.refreshed_label = QLabel("", bar)
        self.refreshed_label.setObjectName("refreshedLabel")
        self.refreshed_label.setAccessibleName(self.tr("Last refresh"))
        bar.addPermanentWidget(self.refreshed_label)

    def _wire(self) -> None:
        self.loader.started.connect(self._load_started)
        self.loader.page_loaded.connect(self.users_model.append_users)
        self.loader.progress.connect(self._load_progress)
        self.loader.finished.connect(self._load_finished)
        self.loader.cancelled.connect(self._load_cancelled)
        self.loader.failed.connect(self._load_failed)
        self.users_model.visible_changed.connect(lambda *_: self._update_counts())
        self.users_view.current_user_changed.connect(self._user_selected)
        self.users_view.scim_filter_requested.connect(self.apply_scim_filter)
        self.users_view.selection_count_changed.connect(lambda *_: self._update_counts())
        self.groups_view.current_group_changed.connect(self._group_selected)
        self.roles_view.current_role_changed.connect(self._role_selected)
        self.roles_view.import_requested.connect(self.import_role_names)
        self.roles_view.export_requested.connect(self.export_role_names)
        self.roles_model.edit_failed.connect(self.show_error)
        self.roles_model.dataChanged.connect(self._catalogue_edited)
        self.empty_state.connect_requested.connect(self.open_profile_manager)
        self.empty_state.demo_requested.connect(self.open_demo)

    # -- pages ----------------------------------------------------------------------------------------------

    def _show_page(self, page: int) -> None:
        if page != PAGE_EMPTY and self.session is None:
            page = PAGE_EMPTY
        self.stack.setCurrentIndex(page)
        action = {PAGE_USERS: self.users_action, PAGE_GROUPS: self.groups_action, PAGE_ROLES: self.roles_action}.get(page)
        if action is not None:
            action.setChecked(True)
        self._update_actions()

    def current_page(self) -> int:
        return self.stack.currentIndex()

    def show_users(self) -> None:
        self._show_page(PAGE_USERS)

    def show_groups(self) -> None:
        self._show_page(PAGE_GROUPS)

    def show_roles(self) -> None:
        self._show_page(PAGE_ROLES)

    def _update_actions(self) -> None:
        connected = self.session is not None
        for action in (self.users_action, self.groups_action, self.roles_action, self.refresh_action,
                       self.find_action, self.scim_filter_action, self.export_action):
            action.setEnabled(connected)
        self.cancel_action.setEnabled(self.loader.running)

    @Slot()
    def focus_quick_filter(self) -> None:
        if self.session is None:
            return
        self._show_page(PAGE_USERS)
        self.users_view.quick_filter.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.users_view.quick_filter.selectAll()

    @Slot()
    def focus_scim_filter(self) -> None:
        if self.session is None:
            return
        self._show_page(PAGE_USERS)
        self.users_view.scim_filter.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.users_view.scim_filter.selectAll()

    # -- connection -----------------------------------------------------------------------------------------

    def connect_to(self, spec: ConnectionSpec) -> bool:
        """Open ``spec`` and start loading; a spec that cannot be used shows the reason and returns False."""
        try:
            session = Session(spec)
        except errors.BirdadminError as exc:
            self.show_error(explain(exc))
            return False
        self._drop_session()
        # A demo still starting, or keys still being read, must not replace this connection when they arrive.
        self.runner.invalidate("demo")
        self.runner.invalidate("profile-keys")
        self.session = session
        self.banner.dismiss()
        self._scim_filter = ""
        self.users_view.scim_filter.clear()
        self.users_view.quick_filter.clear()
        self.users_view.show_server_filter("")
        self.connection_label.setText(self.tr("Connected to {label}").format(label=spec.label))
        self.connection_label.setToolTip(session.base_url)
        self.setWindowTitle(self.tr("{label} – birdadmin").format(label=spec.label))
        self._select_profile_in_combo(spec.profile_name)
        self._show_page(PAGE_USERS)
        self.connected.emit(spec.label)
        self.refresh()
        return True

    def _drop_session(self) -> None:
        old, self.session = self.session, None  # first, so the end of the cancelled load sends nothing
        self.loader.cancel()
        for channel in ("org", "user-detail", "group-detail"):
            self.runner.invalidate(channel)
        self.users_model.clear()
        self.groups_model.set_groups([], self.groups_model.group_map.__class__(), RoleContext())
        self.roles_model.set_catalogue(None)
        self.users_view.detail.show_user(None)
        if old is not None:
            # Workers may still hold the old clients for a moment; close them on the pool after those finish.
            self.runner.submit(old.close)

    def add_close_callback(self, callback: Callable[[], None]) -> None:
        """Run ``callback`` when the window closes (the demo emulator's stop, for instance)."""
        self._on_close.append(callback)

    @Slot()
    def open_demo(self) -> None:
        """Start (or reuse) the demo organization on a worker, then connect to it."""
        factory = self._demo_factory
        if factory is None:
            self.show_error(Explanation(self.tr("Demo unavailable"),
                                        self.tr("The demo organization cannot be started here."), "", 1))
            return
        self.connection_label.setText(self.tr("Starting the demo organization…"))
        self.runner.invalidate("profile-keys")  # the latest choice wins
        self.runner.submit(factory, on_result=self.connect_to, on_error=self._demo_failed, channel="demo")

    def _demo_failed(self, explanation: Explanation) -> None:
        self._show_connection_state()
        self.show_error(explanation)

    def _profiles(self) -> Any:
        if self._profile_store is None:
            from birdadmin.store.profiles import ProfileStore

            self._profile_store = ProfileStore()
        return self._profile_store

    def reload_profiles(self) -> None:
        combo = self.profile_combo
        current = combo.currentText()
        combo.blockSignals(True)
        combo.clear()
        combo.addItem(self.tr("Choose…"), None)
        try:
            names = self._profiles().names()
        except errors.BirdadminError as exc:
            log.info("profiles unavailable: %s", exc.message)
            names = []
        for name in names:
            combo.addItem(name, name)
        if self._demo_factory is not None:
            combo.addItem(self.tr("Demo organization"), "__demo__")
        at = combo.findText(current)
        combo.setCurrentIndex(max(0, at))
        combo.blockSignals(False)

    def _select_profile_in_combo(self, name: str | None) -> None:
        self.reload_profiles()
        if self.session is not None and name is None and self.session.spec.names_key == "demo":
            at = self.profile_combo.findData("__demo__")
        else:
            at = self.profile_combo.findData(name) if name else 0
        self.profile_combo.setCurrentIndex(max(0, at))

    @Slot(int)
    def _profile_chosen(self, index: int) -> None:
        data = self.profile_combo.itemData(index)
        if data is None:
            return
        if data == "__demo__":
            self.open_demo()
            return
        self.connect_profile(str(data))

    def _secrets(self) -> Any:
        if self._secret_store is None:
            from birdadmin.store.secrets import SecretStore

            self._secret_store = SecretStore()
        return self._secret_store

    def _session_secrets(self) -> Any:
        """The window's in-memory keys: every profile manager it opens shares them, so a key given for this
        session still works the next time the manager opens (a store per manager forgot it on close)."""
        if self._session_store is None:
            from birdadmin.store.secrets import SessionSecrets

            self._session_store = SessionSecrets()
        return self._session_store

    def connect_profile(self, name: str) -> bool:
        """Connect with a stored profile; False when there is no such profile (the banner says so).

        The keys are read on a worker: a keyring may wait on D-Bus or on an unlock prompt, and the window must
        not freeze meanwhile. A keyring problem or a missing key then opens the profile manager.
        """
        from birdadmin.connection import spec_for_profile
        from birdadmin.store.keys import resolve_keys

        try:
            profile = self._profiles().get(name)
        except errors.BirdadminError as exc:
            self.show_error(explain(exc))
            return False
        secrets, session = self._secrets(), self._session_secrets()

        def read_keys() -> tuple[str | None, str | None] | None:
            try:
                keys = resolve_keys(profile, secrets, session=session)
            except errors.SecretStoreError:
                return None  # the profile manager explains it and offers a key for this session
            return keys.scim, keys.accounts

        def keys_read(keys: tuple[str | None, str | None] | None) -> None:
            self._show_connection_state()
            if keys is None or not keys[0]:
                self.open_profile_manager(select=name)
                return
            self.connect_to(spec_for_profile(profile, keys[0], keys[1]))

        def keys_failed(explanation: Explanation) -> None:
            self._show_connection_state()
            self.show_error(explanation)

        self.runner.invalidate("demo")  # the latest choice wins
        self.connection_label.setText(self.tr("Reading the access key of {name}…").format(name=name))
        self.runner.submit(read_keys, on_result=keys_read, on_error=keys_failed, channel="profile-keys")
        return True

    def _show_connection_state(self) -> None:
        if self.session is None:
            self.connection_label.setText(self.tr("Not connected"))
        else:
            self.connection_label.setText(self.tr("Connected to {label}").format(label=self.session.label))

    @Slot()
    def open_profile_manager(self, select: str | None = None) -> Any:
        """The profile manager (non-modal); connecting there connects the window."""
        from birdadmin.ui.profile_manager import ProfileManagerDialog

        dialog = ProfileManagerDialog(self._profiles(), self._secrets(), self._session_secrets(),
                                      pool=self.runner.pool, parent=self)
        if isinstance(select, str) and select:
            dialog.select(select)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.finished.connect(lambda _result: self._profile_dialog_done(dialog))
        self.profile_dialog = dialog
        dialog.open()
        return dialog

    def _profile_dialog_done(self, dialog: Any) -> None:
        choice = getattr(dialog, "choice", None)
        self.profile_dialog = None
        self.reload_profiles()
        if choice is not None:
            from birdadmin.connection import spec_for_profile

            self.connect_to(spec_for_profile(choice.profile, choice.scim_key, choice.accounts_key))

    # -- loading --------------------------------------------------------------------------------------------

    @Slot()
    def refresh(self) -> None:
        """Reload users (with the current server query), groups, memberships and the role catalogue."""
        session = self.session
        if session is None:
            return
        current = self.users_view.current_user()
        self._reselect_user = current.id if current is not None else None
        self.users_model.clear()
        self.loader.start_users(session.scim, self._scim_filter or None)
        self.runner.submit(
            lambda: load_org(session),
            on_result=lambda org: self._org_arrived(session, org),
            on_error=self.show_error,
            channel="org",
        )

    @Slot(str)
    def apply_scim_filter(self, text: str) -> None:
        """Run a SCIM filter on the server ("" lists everyone again)."""
        if self.session is None:
            return
        self._scim_filter = text.strip()
        self.users_view.show_server_filter(self._scim_filter)
        self.users_model.clear()
        self.loader.start_users(self.session.scim, self._scim_filter or None)

    @Slot()
    def cancel_loading(self) -> None:
        self.loader.cancel()

    @Slot()
    def _load_started(self) -> None:
        self.progress.setRange(0, 0)
        self.progress.setVisible(True)
        self.cancel_button.setVisible(True)
        self.cancel_action.setEnabled(True)
        self.progress.setFormat(self.tr("Loading users…"))

    @Slot(int, object)
    def _load_progress(self, fetched: int, total: Any) -> None:
        if isinstance(total, int) and total > 0:
            self.progress.setRange(0, total)
            self.progress.setValue(min(fetched, total))
            self.progress.setFormat(self.tr("{fetched} of {total} users").format(fetched=fetched, total=total))
        else:
            self.progress.setFormat(self.tr("{fetched} users").format(fetched=fetched))

    def _load_ended(self) -> None:
        self.progress.setVisible(False)
        self.cancel_button.setVisible(False)
        self.cancel_action.setEnabled(False)
        self.users_model.settle()
        if self._reselect_user and self.users_view.current_user() is None:
            self.users_view.select_user(self._reselect_user)
        self._reselect_user = None
        # The pane shows the reloaded user (or nothing when the listing left it out), and the role counts
        # describe the users now loaded.
        self.users_view.announce_current()
        self._refresh_roles_model()
        self._update_counts()

    @Slot(int)
    def _load_finished(self, count: int) -> None:
        self._last_refresh = datetime.now()
        self.refreshed_label.setText(
            self.tr("Refreshed {time}").format(time=self._last_refresh.strftime("%H:%M:%S"))
        )
        self._catalogue_learn()  # before _load_ended, which shows the catalogue with the new counts
        self._load_ended()
        self.users_loaded.emit(count)

    @Slot(int)
    def _load_cancelled(self, count: int) -> None:
        self._load_ended()
        if self.session is None:  # the connection was closed or replaced: nothing to report
            return
        self.statusBar().showMessage(
            self.tr("Loading cancelled; {count} users were loaded and are kept.").format(count=count), 8000
        )

    @Slot(object)
    def _load_failed(self, explanation: Explanation) -> None:
        self._load_ended()
        self.show_error(explanation)

    def _org_arrived(self, session: Session, org: OrgData) -> None:
        if session is not self.session:
            return
        session.org = org
        for warning in org.warnings:
            self.show_error(warning)
        self._catalogue_learn()
        context = self.role_context()
        self.users_model.set_context(context)
        current_group = self.groups_view.detail.group
        self.groups_model.set_groups(org.groups, org.group_map, context, org.member_counts)
        if current_group is not None:
            self.groups_view.select_group(current_group.id)
        self._refresh_roles_model()
        self._update_counts()
        if not self.loader.running:  # otherwise the end of the listing brings the pane up to date
            self.users_view.announce_current()
        self.org_loaded.emit()

    def role_context(self) -> RoleContext:
        org = self.session.org if self.session is not None else None
        if org is None:
            return RoleContext()
        return RoleContext(org.catalogue, org.memberships, org.group_roles, org.group_names)

    def _catalogue_learn(self) -> None:
        """Add role ids seen on loaded users to the catalogue; callers refresh the roles model afterwards."""
        org = self.session.org if self.session is not None else None
        if org is None:
            return
        seen: set[str] = set()
        for user in self.users_model.users():
            seen.update(user.roles)
        org.catalogue.learn(seen)

    def _refresh_roles_model(self) -> None:
        org = self.session.org if self.session is not None else None
        current = self.roles_view.current_role()
        if org is None:
            self.roles_model.set_catalogue(None)
            return
        direct, via = role_counts(self.users_model.users(), org)
        self.roles_model.set_catalogue(org.catalogue, direct, via)
        self.roles_view.set_source_note(org.catalogue.from_accounts, org.catalogue.has_names())
        if current is not None:
            self.roles_view.select_role(current.id)

    def _update_counts(self) -> None:
        if self.session is None:
            self.counts_label.setText("")
            return
        loaded = self.users_model.loaded_count()
        visible = self.users_model.rowCount()
        users = (
            self.tr("{visible} of {loaded} users").format(visible=visible, loaded=loaded)
            if visible != loaded
            else self.tr("{loaded} users").format(loaded=loaded)
        )
        parts = [users]
        org = self.session.org
        if org is not None:
            parts.append(self.tr("{count} groups").format(count=len(org.groups)))
            parts.append(self.tr("{count} roles").format(count=len(org.catalogue.roles())))
        selected = len(self.users_view.table.selectionModel().selectedRows())
        if selected > 1:
            parts.append(self.tr("{count} selected").format(count=selected))
        self.counts_label.setText(" · ".join(parts))

    # -- selections -----------------------------------------------------------------------------------------

    def _user_selected(self, user: User | None) -> None:
        session = self.session
        pane = self.users_view.detail
        if user is None or session is None:
            pane.show_user(None)
            self.runner.invalidate("user-detail")
            return
        pane.show_user(user, self.role_context(), session.base_url)
        user_id = user.id
        self.runner.submit(
            lambda: session.scim.get_user_json(user_id)[0],
            on_result=lambda data: pane.show_json(user_id, data),
            on_error=lambda exp: pane.show_json_error(user_id, exp),
            channel="user-detail",
        )

    def _group_selected(self, group: Group | None) -> None:
        session = self.session
        pane = self.groups_view.detail
        org = session.org if session is not None else None
        if group is None or session is None or org is None:
            pane.show_group(None, self.groups_model.group_map, RoleContext(), {})
            self.runner.invalidate("group-detail")
            return
        pane.show_group(group, org.group_map, self.role_context(), self._users_by_id())
        group_id = group.id
        self.runner.submit(
            lambda: session.scim.get_group(group_id, members=True),
            on_result=self._group_arrived,
            on_error=lambda exp: pane.show_error(group_id, exp),
            channel="group-detail",
        )

    def _group_arrived(self, group: Group) -> None:
        org = self.session.org if self.session is not None else None
        if org is None:
            return
        self.groups_model.update_group(group)
        pane = self.groups_view.detail
        if pane.group is not None and pane.group.id == group.id:
            pane.show_group(group, org.group_map, self.role_context(), self._users_by_id())

    def _users_by_id(self) -> dict[str, User]:
        return {u.id: u for u in self.users_model.users()}

    def _role_selected(self, role: RoleInfo | None) -> None:
        org = self.session.org if self.session is not None else None
        if role is None or org is None:
            self.roles_view.show_holders(None, [], 0)
            return
        users = self.users_model.users()
        found = holders(role.id, users, org.memberships, org.group_roles)
        self.roles_view.show_holders(role, found, len(users))

    # -- local role names -----------------------------------------------------------------------------------

    def _catalogue_edited(self, *_: Any) -> None:
        context = self.role_context()
        self.users_model.set_context(context)
        self.groups_model.set_context(context)
        current = self.users_view.current_user()
        if current is not None:
            self.users_view.detail.show_user(current, context, self.session.base_url if self.session else "")

    @Slot()
    def import_role_names(self, path: str | None = None) -> None:
        org = self.session.org if self.session is not None else None
        if org is None:
            return
        if not path:
            path, _ = QFileDialog.getOpenFileName(self, self.tr("Import role names"), "",
                                                  self.tr("CSV files (*.csv);;All files (*)"))
        if not path:
            return
        failed = self.tr("Import failed")
        try:
            text = Path(path).read_text(encoding="utf-8-sig")
        except OSError as exc:
            self.show_error(Explanation(failed, self.tr("{path} could not be read: {reason}.").format(
                path=path, reason=exc.strerror or exc), "", 1))
            return
        except UnicodeDecodeError:
            self.show_error(Explanation(failed, self.tr("{path} is not a UTF-8 text file.").format(path=path), "", 1))
            return
        try:
            count = org.catalogue.import_csv(text)
        except errors.BirdadminError as exc:
            self.show_error(explain(exc))
            return
        except OSError as exc:  # the names were taken in, but keeping them for the next session failed
            self._refresh_roles_model()
            self._catalogue_edited()
            self.show_error(Explanation(failed, self.tr(
                "The role names were imported for this session but could not be saved: {reason}.").format(
                reason=exc.strerror or exc), "", 1))
            return
        self._refresh_roles_model()
        self._catalogue_edited()
        self.statusBar().showMessage(self.tr("Imported {count} role names.").format(count=count), 6000)

    @Slot()
    def export_role_names(self, path: str | None = None) -> None:
        org = self.session.org if self.session is not None else None
        if org is None:
            return
        if not path:
            path, _ = QFileDialog.getSaveFileName(self, self.tr("Export role names"), "role-names.csv",
                                                  self.tr("CSV files (*.csv)"))
        if not path:
            return
        self._write_text(path, org.catalogue.to_csv())

    # -- export ---------------------------------------------------------------------------------------------

    def visible_table_csv(self) -> str:
        """The current page's table as CSV, rows and columns as shown (after quick filter and sort)."""
        view = {PAGE_GROUPS: self.groups_view.table, PAGE_ROLES: self.roles_view.table}.get(
            self.current_page(), self.users_view.table
        )
        model = view.model()
        header = view.horizontalHeader()
        columns = [header.logicalIndex(v) for v in range(header.count()) if not header.isSectionHidden(header.logicalIndex(v))]
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow([model.headerData(c, Qt.Orientation.Horizontal) for c in columns])
        if model is self.users_model:  # tens of thousands of rows: no round trip through Qt per cell
            writer.writerows(self.users_model.visible_texts(columns))
        else:
            for row in range(model.rowCount()):
                writer.writerow([model.index(row, c).data() or "" for c in columns])
        return out.getvalue()

    @Slot()
    def export_csv(self, path: str | None = None) -> None:
        if self.session is None:
            return
        if not path:
            path, _ = QFileDialog.getSaveFileName(self, self.tr("Export as CSV"), "birdadmin.csv",
                                                  self.tr("CSV files (*.csv)"))
        if path:
            self._write_text(path, self.visible_table_csv())

    def _write_text(self, path: str, text: str) -> None:
        try:
            Path(path).write_text(text, encoding="utf-8")
        except OSError as exc:
            self.show_error(Explanation(self.tr("Export failed"),
                                        self.tr("{path} could not be written: {reason}.").format(
                                            path=path, reason=exc.strerror or exc), "", 1))
            return
        self.statusBar().showMessage(self.tr("Saved {path}").format(path=path), 6000)

    # -- errors, about --------------------------------------------------------------------------------------

    @Slot(object)
    def show_error(self, explanation: Explanation) -> None:
        log.info("%s: %s", explanation.title, explanation.message)
        self.banner.show_error(explanation)

    @Slot()
    def show_about(self) -> QMessageBox:
        from birdadmin import __version__

        box = QMessageBox(self)
        box.setObjectName("aboutDialog")
        box.setWindowTitle(self.tr("About birdadmin"))
        box.setIconPixmap(app_icon().pixmap(64, 64))
        box.setText(self.tr("birdadmin {version}").format(version=__version__))
        box.setInformativeText(self.tr("Administer the roles of a Bird CRM organization over SCIM 2.0."))
        box.open()
        return box

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

    def _restore_state(self) -> None:
        settings = window_settings()
        geometry = settings.value("window/geometry")
        if isinstance(geometry, QByteArray):
            self.restoreGeometry(geometry)
        state = settings.value("window/state")
        if isinstance(state, QByteArray):
            self.restoreState(state)
        for name, splitter in self._splitters().items():
            value = settings.value(f"splitters/{name}")
            if isinstance(value, QByteArray):
                splitter.restoreState(value)
        for name, view in self._tables().items():
            value = settings.value(f"headers/{name}")
            if isinstance(value, QByteArray):
                view.horizontalHeader().restoreState(value)
        page = settings.value("window/page")
        self._restored_page = int(page) if isinstance(page, (int, str)) and str(page).isdigit() else PAGE_USERS

    def save_state(self) -> None:
        settings = window_settings()
        settings.setValue("window/geometry", self.saveGeometry())
        settings.setValue("window/state", self.saveState())
        for name, splitter in self._splitters().items():
            settings.setValue(f"splitters/{name}", splitter.saveState())
        for name, view in self._tables().items():
            settings.setValue(f"headers/{name}", view.horizontalHeader().saveState())
        settings.setValue("window/page", max(PAGE_USERS, self.current_page()))
        settings.sync()

    def _splitters(self) -> dict[str, Any]:
        return {"users": self.users_view.splitter, "groups": self.groups_view.splitter, "roles": self.roles_view.splitter}

    def _tables(self) -> dict[str, QAbstractItemView]:
        return {"users": self.users_view.table, "groups": self.groups_view.table, "roles": self.roles_view.table}

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt override
        self.save_state()
        self.shutdown()
        super().closeEvent(event)

    def shutdown(self) -> None:
        """Stop background work, close the connection and run close callbacks; safe to call twice."""
        if self._closed:
            return
        self._closed = True
        session, self.session = self.session, None  # first, so the end of the cancelled load sends nothing
        self.loader.cancel()
        if not self.runner.shutdown(15_000):
            log.warning("Background work was still running when the window closed")
        if session is not None:
            session.close()
        callbacks, self._on_close = self._on_close, []
        for callback in callbacks:
            try:
                callback()
            except Exception:  # noqa: BLE001 - closing must go on
                log.exception("A close callback failed")
