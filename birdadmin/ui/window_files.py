"""The main window's files and links: exporting the current page's table (CSV, JSON), the PDF report, importing
and exporting role names, and opening a user or a group from another page's link.

A mixin of ``MainWindow`` (ui/main_window.py) so that the window's public methods stay where callers and tests
find them while the shell stays small; the work itself is done by ``FileActions`` (ui/file_actions.py), whose
every CSV cell goes through ``safe_text.csv_row``. Its methods see the window as a :class:`FilesWindow`, the part
of it they use, so this module never imports the window (the window imports it).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

from PySide6.QtCore import Slot
from PySide6.QtWidgets import QAbstractItemView, QWidget

from birdadmin.ui.file_actions import table_csv
from birdadmin.ui.pages import PAGE_GROUPS, PAGE_JOURNAL, PAGE_ROLES, PAGE_USERS

if TYPE_CHECKING:
    from birdadmin.qtmodels.users import UsersModel
    from birdadmin.services.connection import Session
    from birdadmin.ui.audit_pages import AuditPages
    from birdadmin.ui.context import WindowContext
    from birdadmin.ui.directory import DirectoryController
    from birdadmin.ui.file_actions import FileActions
    from birdadmin.ui.groups_view import GroupsView
    from birdadmin.ui.journal_page import JournalPage
    from birdadmin.ui.roles_page import RolesPage
    from birdadmin.ui.roles_view import RolesView
    from birdadmin.ui.users_view import UsersView


class FilesWindow(Protocol):
    """What the mixin's methods use of the window (``ui/main_window.py``'s ``MainWindow``), their own included
    (read-only, so the window's own types fit)."""

    @property
    def context(self) -> WindowContext: ...
    @property
    def files(self) -> FileActions: ...
    @property
    def directory(self) -> DirectoryController: ...
    @property
    def users_model(self) -> UsersModel: ...
    @property
    def users_view(self) -> UsersView: ...
    @property
    def groups_view(self) -> GroupsView: ...
    @property
    def roles_view(self) -> RolesView: ...
    @property
    def roles_page(self) -> RolesPage: ...
    @property
    def journal_page(self) -> JournalPage: ...
    @property
    def audit(self) -> AuditPages: ...
    @property
    def session(self) -> Session | None: ...
    def current_page(self) -> int: ...
    def tr(self, text: str) -> str: ...
    def _show_page(self, page: int) -> None: ...
    def _show_message(self, text: str, timeout_ms: int) -> None: ...
    def _current_table(self) -> QAbstractItemView: ...
    def window(self) -> QWidget: ...


class WindowFiles:
    """Files and links of the window; ``self`` is the MainWindow (a :class:`FilesWindow`)."""

    def _current_table(self: FilesWindow) -> QAbstractItemView:
        tables = {PAGE_GROUPS: self.groups_view.table, PAGE_ROLES: self.roles_view.table,
                  PAGE_JOURNAL: self.journal_page.table}
        tables.update({page: widget.table for page, widget in self.audit.pages.items()})  # type: ignore[attr-defined]
        return tables.get(self.current_page(), self.users_view.table)

    def visible_table_csv(self: FilesWindow) -> str:
        """The current page's table as CSV, rows and columns as shown (after quick filter and sort)."""
        return table_csv(self._current_table(), self.users_model)

    @Slot()
    def export_csv(self: FilesWindow, path: str | None = None) -> None:
        self.files.export_table(self._current_table(), self.users_model, path)

    @Slot()
    def export_json(self: FilesWindow, path: str | None = None) -> None:
        self.files.export_table_json(self._current_table(), self.users_model, path)

    @Slot()
    def export_report(self: FilesWindow) -> Any:
        """The PDF audit report: roles, a snapshot to compare with and a file are chosen in its dialog."""
        from birdadmin.ui.report_dialog import open_report_dialog

        return open_report_dialog(self.context, self.window()) if self.session is not None else None

    def open_user(self: FilesWindow, user_id: str) -> None:
        """Show a user on the Users page (a finding's or the matrix's link)."""
        self._show_page(PAGE_USERS)
        if not self.users_view.select_user(user_id):
            self._show_message(self.tr("That user is not in the loaded list (a server query may hide it)."), 5000)

    def open_group(self: FilesWindow, group_id: str) -> None:
        self._show_page(PAGE_GROUPS)
        self.groups_view.select_group(group_id)

    @Slot()
    def import_role_names(self: FilesWindow, path: str | None = None) -> None:
        self.files.import_role_names(path)

    @Slot()
    def export_role_names(self: FilesWindow, path: str | None = None) -> None:
        self.files.export_role_names(path)

    def _names_imported(self: FilesWindow) -> None:
        self.roles_page.refresh()
        self.directory.role_names_changed()
