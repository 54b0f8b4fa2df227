"""The window's actions (with their shortcuts and icons), its menus and its toolbar with the profile switcher.

The Edit menu holds Undo/Redo of planning (the queue's QUndoStack, ``ui/change_queue.py``), the editing actions
(placed with :func:`add_edit_actions`) and then "Review and apply…" and "Discard planned changes".
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import QComboBox, QLabel, QMainWindow, QMenu, QMessageBox, QSizePolicy, QToolBar, QWidget
from shiboken6 import isValid

from birdadmin.ui.change_queue import PendingChanges
from birdadmin.ui.icons import app_icon, icon

Slot = Callable[..., Any]


@dataclass(frozen=True)
class ActionSlots:
    """What each action does; the window passes its own methods."""

    open_profiles: Slot
    open_demo: Slot
    export_csv: Slot
    export_json: Slot
    export_report: Slot
    quit: Slot
    show_users: Slot
    show_groups: Slot
    show_roles: Slot
    show_journal: Slot
    refresh: Slot
    find: Slot
    server_query: Slot
    cancel_loading: Slot
    about: Slot
    review_apply: Slot
    discard_changes: Slot


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
        self.export_json = self._action("exportJsonAction", tr("Export visible table as &JSON…"), slots.export_json,
                                        "Ctrl+Shift+E", "export")
        self.export_report = self._action("reportAction", tr("Export audit &report (PDF)…"), slots.export_report,
                                          icon_name="export")
        self.quit = self._action("quitAction", tr("&Quit"), slots.quit, "Ctrl+Q")
        self.page_group = QActionGroup(window)
        self.page_group.setExclusive(True)
        self.users = self._action("usersAction", tr("&Users"), slots.show_users, "Ctrl+1", "users")
        self.groups = self._action("groupsAction", tr("&Groups"), slots.show_groups, "Ctrl+2", "groups")
        self.roles = self._action("rolesAction", tr("&Roles"), slots.show_roles, "Ctrl+3", "roles")
        self.journal = self._action("journalAction", tr("&Journal"), slots.show_journal, "Ctrl+4", "info")
        self.journal.setToolTip(tr("The changes made from this computer, hash-chained (Ctrl+4)"))
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
        self.apply_changes = self._action("applyChangesAction", tr("Review and &apply…"), slots.review_apply,
                                          "Ctrl+Return")
        self.apply_changes.setShortcuts([QKeySequence("Ctrl+Return"), QKeySequence("Ctrl+Enter")])
        self.apply_changes.setToolTip(tr("Review the planned changes, then send them (Ctrl+Return)"))
        self.discard_changes = self._action("discardChangesAction", tr("&Discard planned changes"),
                                            slots.discard_changes)
        self.undo: QAction | None = None
        self.redo: QAction | None = None

    def add_undo(self, pending: PendingChanges) -> None:
        """Undo and Redo of planning, named after the step ("Undo Add role Analyst to 12 users"), off while the
        connection is read-only (``pending.writable``) with the reason as their tooltip: QUndoStack's own actions
        follow only the stack."""
        self.undo = self._step("undoAction", self._window.tr("&Undo"), pending, undo=True)
        self.undo.setShortcut(QKeySequence("Ctrl+Z"))
        self.redo = self._step("redoAction", self._window.tr("&Redo"), pending, undo=False)
        self.redo.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")])

    def _step(self, name: str, prefix: str, pending: PendingChanges, *, undo: bool) -> QAction:
        stack = pending.undo_stack
        action = QAction(prefix, self._window)
        action.setObjectName(name)
        action.triggered.connect(stack.undo if undo else stack.redo)

        def update(*_: object) -> None:
            if not (isValid(stack) and isValid(action)):  # the stack tells its end while being destroyed
                return
            step = stack.undoText() if undo else stack.redoText()
            possible = stack.canUndo() if undo else stack.canRedo()
            action.setText(f"{prefix} {step}" if step else prefix)
            action.setEnabled(possible and pending.writable)
            action.setToolTip(action.text().replace("&", "") if pending.writable else pending.read_only_reason)

        for signal in ((stack.canUndoChanged, stack.undoTextChanged) if undo
                       else (stack.canRedoChanged, stack.redoTextChanged)):
            signal.connect(update)
        pending.writable_changed.connect(update)
        update()
        self._window.addAction(action)
        return action

    def write_actions(self) -> tuple[QAction, ...]:
        """The actions a read-only or closed connection disables (their tooltip then says why)."""
        return self.apply_changes, self.discard_changes

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

    def pages(self) -> tuple[QAction, ...]:
        return self.users, self.groups, self.roles, self.journal

    def needing_connection(self) -> tuple[QAction, ...]:
        """The actions that make sense only while connected (the journal is local: always open)."""
        return (self.users, self.groups, self.roles, self.refresh, self.find, self.scim_filter, self.export,
                self.export_json, self.export_report)


def build_menus(window: QMainWindow, actions: WindowActions) -> None:
    bar = window.menuBar()
    file_menu = bar.addMenu(window.tr("&File"))
    file_menu.setObjectName("fileMenu")
    for action in (actions.connect, actions.manage_profiles, actions.demo):
        file_menu.addAction(action)
    file_menu.addSeparator()
    for action in (actions.export, actions.export_json, actions.export_report):
        file_menu.addAction(action)
    file_menu.addSeparator()
    file_menu.addAction(actions.quit)
    view_menu = bar.addMenu(window.tr("&View"))
    view_menu.setObjectName("viewMenu")
    for action in actions.pages():
        view_menu.addAction(action)
    view_menu.addSeparator()
    for action in (actions.refresh, actions.cancel, actions.find, actions.scim_filter):
        view_menu.addAction(action)
    edit_menu = QMenu(window.tr("&Edit"), bar)
    edit_menu.setObjectName("editMenu")
    bar.insertMenu(view_menu.menuAction(), edit_menu)
    for step in (actions.undo, actions.redo):
        if step is not None:
            edit_menu.addAction(step)
    edit_menu.addSeparator()
    # The editing actions go between these separators (add_edit_actions).
    end = edit_menu.addSeparator()
    end.setObjectName("editActionsEnd")
    edit_menu.addAction(actions.apply_changes)
    edit_menu.addAction(actions.discard_changes)
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
    toolbar.addSeparator()
    # The editing actions go before Apply (add_edit_actions).
    toolbar.addAction(actions.apply_changes)
    spacer = QWidget(toolbar)
    spacer.setSizePolicy(QSizePolicy.Policy.Expanding, spacer.sizePolicy().verticalPolicy())
    toolbar.addWidget(spacer)
    label = QLabel(window.tr("Organization:"), toolbar)
    label.setObjectName("organizationLabel")
    toolbar.addWidget(label)
    combo = QComboBox(toolbar)
    combo.setObjectName("profileSwitcher")
    combo.setAccessibleName(window.tr("Connection profile"))
    combo.setMinimumContentsLength(18)
    combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
    label.setBuddy(combo)
    toolbar.addWidget(combo)
    toolbar.addAction(actions.connect)
    for action in (*actions.pages(), actions.refresh, actions.apply_changes, actions.connect):
        button = toolbar.widgetForAction(action)
        if button is not None:  # reachable with Tab (and F6), pressed with Space
            button.setFocusPolicy(Qt.FocusPolicy.TabFocus)
    window.addToolBar(toolbar)
    return toolbar, combo


def add_edit_actions(menu: QMenu, toolbar: QToolBar | None, actions: list[QAction]) -> None:
    """Put editing actions (bulk role edits and the like) in the Edit menu after Undo/Redo and on the toolbar
    before Apply: the one place they go, so the menu keeps Undo, edits, then Review and apply."""
    marker = next((a for a in menu.actions() if a.objectName() == "editActionsEnd"), None)
    menu.insertActions(marker, actions) if marker is not None else menu.addActions(actions)
    if toolbar is None:
        return
    apply_action = next((a for a in toolbar.actions() if a.objectName() == "applyChangesAction"), None)
    for action in actions:
        toolbar.insertAction(apply_action, action) if apply_action is not None else toolbar.addAction(action)
        button = toolbar.widgetForAction(action)
        if button is not None:
            button.setFocusPolicy(Qt.FocusPolicy.TabFocus)


def about_box(window: QMainWindow) -> QMessageBox:
    from birdadmin import __version__

    box = QMessageBox(window)
    box.setObjectName("aboutDialog")
    box.setWindowTitle(window.tr("About birdadmin"))
    box.setIconPixmap(app_icon().pixmap(64, 64))
    box.setText(window.tr("birdadmin {version}").format(version=__version__))
    box.setInformativeText(window.tr("Administer the roles of a Bird CRM organization over SCIM 2.0."))
    box.open()
    return box
