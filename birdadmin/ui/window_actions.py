"""The window's actions (with their shortcuts and icons), its menus and its toolbar with the profile switcher."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import QComboBox, QLabel, QMainWindow, QSizePolicy, QToolBar, QWidget

from birdadmin.ui.icons import icon

Slot = Callable[..., Any]


@dataclass(frozen=True)
class ActionSlots:
    """What each action does; the window passes its own methods."""

    open_profiles: Slot
    open_demo: Slot
    export_csv: Slot
    quit: Slot
    show_users: Slot
    show_groups: Slot
    show_roles: Slot
    refresh: Slot
    find: Slot
    server_query: Slot
    cancel_loading: Slot
    about: Slot


class WindowActions:
    """Every action of the main window, created on ``window`` (so their shortcuts work window-wide); their texts
    are the window's (translated in its context)."""

    def __init__(self, window: QMainWindow, slots: ActionSlots) -> None:
        self._window = window
        tr = window.tr
        standard = QKeySequence.StandardKey
        self.connect = self._action("connectAction", tr("&Connect…"), slots.open_profiles, standard.Open, "connect")
        self.manage_profiles = self._action("manageProfilesAction", tr("&Manage profiles…"), slots.open_profiles)
        self.demo = self._action("demoAction", tr("Open the &demo organization"), slots.open_demo, icon_name="demo")
        self.export = self._action("exportAction", tr("&Export visible table as CSV…"), slots.export_csv,
                                   "Ctrl+E", "export")
        self.quit = self._action("quitAction", tr("&Quit"), slots.quit, "Ctrl+Q")
        self.page_group = QActionGroup(window)
        self.page_group.setExclusive(True)
        self.users = self._action("usersAction", tr("&Users"), slots.show_users, "Ctrl+1", "users")
        self.groups = self._action("groupsAction", tr("&Groups"), slots.show_groups, "Ctrl+2", "groups")
        self.roles = self._action("rolesAction", tr("&Roles"), slots.show_roles, "Ctrl+3", "roles")
        for action in self.pages():
            action.setCheckable(True)
            self.page_group.addAction(action)
        self.refresh = self._action("refreshAction", tr("&Refresh"), slots.refresh, standard.Refresh, "refresh")
        self.refresh.setShortcuts([QKeySequence("F5"), QKeySequence("Ctrl+R")])
        self.refresh.setToolTip(tr("Reload users, groups and roles from the server (F5)"))
        self.find = self._action("findAction", tr("&Find"), slots.find, "Ctrl+F", "filter")
        self.scim_filter = self._action("scimFilterAction", tr("&Server query"), slots.server_query,
                                        "Ctrl+Shift+F", "search")
        self.cancel = self._action("cancelAction", tr("&Cancel loading"), slots.cancel_loading, "Escape", "cancel")
        self.cancel.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        self.about = self._action("aboutAction", tr("&About birdadmin"), slots.about)

    def _action(
        self,
        name: str,
        text: str,
        slot: Slot,
        shortcut: QKeySequence | QKeySequence.StandardKey | str | None = None,
        icon_name: str = "",
    ) -> QAction:
        action = QAction(text, self._window)
        action.setObjectName(name)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        if icon_name:
            action.setIcon(icon(icon_name))
            action.setProperty("iconName", icon_name)
        action.triggered.connect(slot)
        self._window.addAction(action)
        return action

    def pages(self) -> tuple[QAction, QAction, QAction]:
        return self.users, self.groups, self.roles

    def needing_connection(self) -> tuple[QAction, ...]:
        """The actions that make sense only while connected."""
        return (*self.pages(), self.refresh, self.find, self.scim_filter, self.export)


def build_menus(window: QMainWindow, actions: WindowActions) -> None:
    bar = window.menuBar()
    file_menu = bar.addMenu(window.tr("&File"))
    file_menu.setObjectName("fileMenu")
    for action in (actions.connect, actions.manage_profiles, actions.demo):
        file_menu.addAction(action)
    file_menu.addSeparator()
    file_menu.addAction(actions.export)
    file_menu.addSeparator()
    file_menu.addAction(actions.quit)
    view_menu = bar.addMenu(window.tr("&View"))
    view_menu.setObjectName("viewMenu")
    for action in actions.pages():
        view_menu.addAction(action)
    view_menu.addSeparator()
    for action in (actions.refresh, actions.cancel, actions.find, actions.scim_filter):
        view_menu.addAction(action)
    help_menu = bar.addMenu(window.tr("&Help"))
    help_menu.setObjectName("helpMenu")
    help_menu.addAction(actions.about)


def build_toolbar(window: QMainWindow, actions: WindowActions) -> tuple[QToolBar, QComboBox]:
    """The main toolbar: pages, Refresh, then (on the right) the profile switcher and Connect."""
    toolbar = QToolBar(window.tr("Main toolbar"), window)
    toolbar.setObjectName("mainToolbar")
    toolbar.setMovable(False)
    toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
    for action in actions.pages():
        toolbar.addAction(action)
    toolbar.addSeparator()
    toolbar.addAction(actions.refresh)
    spacer = QWidget(toolbar)
    spacer.setSizePolicy(QSizePolicy.Policy.Expanding, spacer.sizePolicy().verticalPolicy())
    toolbar.addWidget(spacer)
    label = QLabel(window.tr("Organization:"), toolbar)
    toolbar.addWidget(label)
    combo = QComboBox(toolbar)
    combo.setObjectName("profileSwitcher")
    combo.setAccessibleName(window.tr("Connection profile"))
    combo.setMinimumContentsLength(18)
    combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
    label.setBuddy(combo)
    toolbar.addWidget(combo)
    toolbar.addAction(actions.connect)
    for action in (*actions.pages(), actions.refresh, actions.connect):
        button = toolbar.widgetForAction(action)
        if button is not None:  # reachable with Tab (and F6), pressed with Space
            button.setFocusPolicy(Qt.FocusPolicy.TabFocus)
    window.addToolBar(toolbar)
    return toolbar, combo
