"""F6 and Shift+F6: the focus moves pane by pane (the error banner when shown, the page's filter, table and detail
pane, the planned changes when shown, then the toolbar), so a keyboard user never has to Tab through a whole table
to reach the detail pane.

The cycle is given its window and the panes to cycle through (``PaneCycle(window, panes)``); which panes a page has
is :func:`window_panes`, read through :class:`PanedWindow`, the part of ``ui/main_window.py``'s window it uses, so
this module never imports the window (it imports this one).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

from PySide6.QtCore import QObject, Qt, Slot
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QApplication, QMainWindow, QMenu, QStackedWidget, QWidget

from birdadmin.ui.pages import PAGE_GROUPS, PAGE_ROLES, PAGE_USERS

if TYPE_CHECKING:
    from birdadmin.ui.groups_view import GroupsView
    from birdadmin.ui.roles_view import RolesView
    from birdadmin.ui.users_view import UsersView


class PanedWindow(Protocol):
    """What :func:`window_panes` reads of the window (``ui/main_window.py``'s ``MainWindow``; read-only, so the
    window's own types fit)."""

    @property
    def banner(self) -> QWidget: ...
    @property
    def users_view(self) -> UsersView: ...
    @property
    def groups_view(self) -> GroupsView: ...
    @property
    def roles_view(self) -> RolesView: ...
    @property
    def stack(self) -> QStackedWidget: ...
    @property
    def toolbar(self) -> QWidget: ...
    def current_page(self) -> int: ...


class PaneCycle(QObject):
    """The two actions of ``window``, moving the focus along what ``panes`` gives for the current page."""

    def __init__(self, window: QMainWindow, panes: Callable[[], list[QWidget]]) -> None:
        super().__init__(window)
        self._panes = panes
        self.next_action, self.previous_action = add_pane_actions(window, self.focus_next, self.focus_previous)

    def panes(self) -> list[QWidget]:
        """What F6 cycles through on the current page, in order."""
        return self._panes()

    @Slot()
    def focus_next(self) -> None:
        self._focus_pane(1)

    @Slot()
    def focus_previous(self) -> None:
        self._focus_pane(-1)

    def _focus_pane(self, step: int) -> None:
        panes = self.panes()
        focus = QApplication.focusWidget()
        current = next((i for i, pane in enumerate(panes)
                        if focus is not None and (focus is pane or pane.isAncestorOf(focus))), None)
        start = (current + step) if current is not None else (0 if step > 0 else len(panes) - 1)
        for offset in range(len(panes)):  # a pane with nothing to focus (empty, disabled) is passed over
            if focus_first_in(panes[(start + offset * step) % len(panes)]):
                return


def window_panes(window: PanedWindow) -> list[QWidget]:
    """The panes of the window's current page in F6 order: the error banner when shown, the page's own panes, the
    planned changes dock when shown, then the toolbar."""
    page = window.current_page()
    panes: list[QWidget] = [window.banner] if window.banner.isVisible() else []
    if page == PAGE_USERS:
        panes += [window.users_view.quick_filter, window.users_view.table, window.users_view.detail]
    elif page == PAGE_GROUPS:
        panes += [window.groups_view.table, window.groups_view.detail]
    elif page == PAGE_ROLES:
        holders = window.roles_view.findChild(QWidget, "roleHoldersPane")
        panes += [window.roles_view.table, *([holders] if holders is not None else [])]
    else:  # the journal, the audit pages, the empty state: the page is one pane (its first field, then Tab)
        panes.append(window.stack.currentWidget())
    changes = getattr(window, "changes", None)  # the planned changes dock, while it is shown
    if changes is not None and changes.dock.isVisible():
        panes.append(changes.dock)
    panes.append(window.toolbar)
    return panes


def add_pane_actions(
    window: QMainWindow, next_pane: Callable[[], None], previous_pane: Callable[[], None]
) -> tuple[QAction, QAction]:
    """F6 and Shift+F6 move the focus to the next or previous pane; listed in the View menu to be found."""
    made: list[QAction] = []
    for name, text, key, slot in (
        ("nextPaneAction", window.tr("Next &pane"), "F6", next_pane),
        ("previousPaneAction", window.tr("Pre&vious pane"), "Shift+F6", previous_pane),
    ):
        action = QAction(text, window)
        action.setObjectName(name)
        action.setShortcut(QKeySequence(key))
        action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        action.triggered.connect(slot)
        window.addAction(action)
        made.append(action)
    view_menu = window.findChild(QMenu, "viewMenu")
    if view_menu is not None:
        view_menu.addSeparator()
        view_menu.addActions(made)
    return made[0], made[1]


def focus_first_in(pane: QWidget) -> bool:
    """Give the focus to ``pane`` or, when it takes none itself, to its first child that Tab would reach."""
    if _takes_tab_focus(pane):
        pane.setFocus(Qt.FocusReason.TabFocusReason)
        return True
    widget = pane.nextInFocusChain()
    while widget is not pane and widget is not None:
        if pane.isAncestorOf(widget) and _takes_tab_focus(widget):
            widget.setFocus(Qt.FocusReason.TabFocusReason)
            return True
        widget = widget.nextInFocusChain()
    return False


def _takes_tab_focus(widget: QWidget) -> bool:
    return (
        widget.isVisible()
        and widget.isEnabled()
        and bool(widget.focusPolicy() & Qt.FocusPolicy.TabFocus)
        and widget.focusProxy() is None
    )
