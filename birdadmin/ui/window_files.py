"""The main window's files and links: exporting the current page's table (CSV, JSON), the PDF report, importing
and exporting role names, and opening a user or a group from another page's link.

A mixin of ``MainWindow`` (ui/main_window.py) so that the window's public methods stay where callers and tests
find them while the shell stays small; the work itself is done by ``FileActions`` (ui/file_actions.py), whose
every CSV cell goes through ``safe_text.csv_row``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Slot
from PySide6.QtWidgets import QAbstractItemView

from birdadmin.ui.file_actions import table_csv
from birdadmin.ui.pages import PAGE_GROUPS, PAGE_JOURNAL, PAGE_ROLES, PAGE_USERS

if TYPE_CHECKING:
    from birdadmin.ui.main_window import MainWindow


class WindowFiles:
    """Files and links of the window; ``self`` is the MainWindow."""

    def _current_table(self: MainWindow) -> QAbstractItemView:
        tables = {PAGE_GROUPS: self.groups_view.table, PAGE_ROLES: self.roles_view.table,
                  PAGE_JOURNAL: self.journal_page.table}
        tables.update({page: widget.table for page, widget in self.audit.pages.items()})  # type: ignore[attr-defined]
        return tables.get(self.current_page(), self.users_view.table)

    def visible_table_csv(self: MainWindow) -> str:
        """The current page's table as CSV, rows and columns as shown (after quick filter and sort)."""
        return table_csv(self._current_table(), self.users_model)

    @Slot()
    def export_csv(self: MainWindow, path: str | None = None) -> None:
        self.files.export_table(self._current_table(), self.users_model, path)

    @Slot()
    def export_json(self: MainWindow, path: str | None = None) -> None:
        self.files.export_table_json(self._current_table(), self.users_model, path)

    @Slot()
    def export_report(self: MainWindow) -> Any:
        """The PDF audit report: roles, a snapshot to compare with and a file are chosen in its dialog."""
        from birdadmin.ui.report_dialog import open_report_dialog

        return open_report_dialog(self.context, self) if self.session is not None else None

    def open_user(self: MainWindow, user_id: str) -> None:
        """Show a user on the Users page (a finding's or the matrix's link)."""
        self._show_page(PAGE_USERS)
        if not self.users_view.select_user(user_id):
            self._show_message(self.tr("That user is not in the loaded list (a server query may hide it)."), 5000)

    def open_group(self: MainWindow, group_id: str) -> None:
        self._show_page(PAGE_GROUPS)
        self.groups_view.select_group(group_id)

    @Slot()
    def import_role_names(self: MainWindow, path: str | None = None) -> None:
        self.files.import_role_names(path)

    @Slot()
    def export_role_names(self: MainWindow, path: str | None = None) -> None:
        self.files.export_role_names(path)

    def _names_imported(self: MainWindow) -> None:
        self.roles_page.refresh()
        self.directory.role_names_changed()
