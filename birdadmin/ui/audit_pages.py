"""The auditor's pages of the main window: the role matrix, the findings, the snapshots and the organization's
access keys (Ctrl+5/6/7/8).

Each page is self-contained and reads the window's organization through the WindowContext; this module puts
them in the window's page stack, gives each its View-menu action, tells them when the organization reloads, and
follows their links to a user or a group on the Users and Groups pages.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import QMainWindow, QMenu, QStackedWidget, QWidget

from birdadmin.ui.context import WindowContext
from birdadmin.ui.findings_page import FindingsPage
from birdadmin.ui.icons import icon
from birdadmin.ui.keys_page import KeysPage
from birdadmin.ui.matrix_page import MatrixPage
from birdadmin.ui.pages import PAGE_FINDINGS, PAGE_KEYS, PAGE_MATRIX, PAGE_SNAPSHOTS
from birdadmin.ui.snapshots_page import SnapshotsPage


class AuditPages(QObject):
    def __init__(self, window: QMainWindow, context: WindowContext, stack: QStackedWidget,
                 show_page: Callable[[int], None], open_user: Callable[[str], None],
                 open_group: Callable[[str], None]) -> None:
        super().__init__(window)
        self.matrix = MatrixPage(context, stack)
        self.findings = FindingsPage(context, stack)
        self.snapshots = SnapshotsPage(context, stack)
        self.keys = KeysPage(context, stack)
        self.pages: dict[int, QWidget] = {PAGE_MATRIX: self.matrix, PAGE_FINDINGS: self.findings,
                                          PAGE_SNAPSHOTS: self.snapshots, PAGE_KEYS: self.keys}
        for index in sorted(self.pages):
            assert stack.count() == index, "pages are added in the order of ui/pages.py"
            stack.addWidget(self.pages[index])
        for page in (self.matrix, self.findings):
            page.open_user.connect(open_user)
            page.open_group.connect(open_group)
        tr = window.tr
        specs = ((PAGE_MATRIX, "matrixAction", tr("Role &matrix"), "Ctrl+5", "roles"),
                 (PAGE_FINDINGS, "findingsAction", tr("&Findings"), "Ctrl+6", "warning"),
                 (PAGE_SNAPSHOTS, "snapshotsAction", tr("&Snapshots"), "Ctrl+7", "export"),
                 (PAGE_KEYS, "keysAction", tr("Access &keys"), "Ctrl+8", "connect"))
        self.actions: dict[int, QAction] = {}
        for page, name, text, keys, icon_name in specs:
            action = QAction(icon(icon_name), text, window)
            action.setObjectName(name)
            action.setProperty("iconName", icon_name)
            action.setShortcut(QKeySequence(keys))
            action.setCheckable(True)
            action.triggered.connect(lambda _checked=False, p=page: show_page(p))
            window.addAction(action)
            self.actions[page] = action

    def add_to(self, view_menu: QMenu | None, group: QActionGroup) -> None:
        """The page actions go after the other pages in the View menu, in the window's page group."""
        if view_menu is None:
            return
        first_other = next((a for a in view_menu.actions() if a.isSeparator()), None)
        for action in self.actions.values():
            group.addAction(action)
            view_menu.insertAction(first_other, action) if first_other is not None else view_menu.addAction(action)

    def organization_changed(self, *_: Any) -> None:
        """The organization reloaded (or the connection changed): the matrix and findings recompute when shown."""
        self.matrix.organization_changed()
        self.findings.organization_changed()
        self.keys.organization_changed()

    def needing_connection(self) -> tuple[QAction, ...]:
        return self.actions[PAGE_MATRIX], self.actions[PAGE_FINDINGS], self.actions[PAGE_KEYS]

    def refresh_icons(self) -> None:
        for page in self.pages.values():
            refresh = getattr(page, "refresh_icons", None)
            if callable(refresh):
                refresh()
