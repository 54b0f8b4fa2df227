"""A saved snapshot shown on its own, with no connection: who held what when it was taken. Nothing can be edited.

The banner says plainly that this is a snapshot and of when, so it is never taken for the live organization.
"""

from __future__ import annotations

from PySide6.QtCore import QSortFilterProxyModel, Qt
from PySide6.QtWidgets import QLabel, QLineEdit, QMainWindow, QTableView, QTabWidget, QVBoxLayout, QWidget

from birdadmin.domain.org_state import OrgState
from birdadmin.qtmodels.records import Record, RecordsModel
from birdadmin.qtmodels.roles import SortRole
from birdadmin.qtmodels.snapshots import GROUP_HEADERS, USER_HEADERS, group_records, local_time, user_records
from birdadmin.ui.labels import plain_labels
from birdadmin.ui.tables import make_table


def banner_text(state: OrgState) -> str:
    org = state.label or "the organization"
    text = f"Snapshot of {org} taken {local_time(state.taken_at)} - read-only, not connected"
    if not state.complete:
        text += " (partial: the listing was not complete when it was saved)"
    if not state.group_roles_known:
        text += " (roles through groups were not known)"
    return text


class SnapshotWindow(QMainWindow):
    """Users and Groups tabs of one snapshot; ``records`` may be given when built on a worker already."""

    def __init__(
        self,
        state: OrgState,
        parent: QWidget | None = None,
        *,
        snapshot_id: int | None = None,
        records: tuple[list[Record], list[Record]] | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("snapshotWindow")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, False)
        self.state = state
        number = f" {snapshot_id}" if snapshot_id is not None else ""
        self.setWindowTitle(self.tr("Snapshot{number} of {org} - birdadmin").format(
            number=number, org=state.label or self.tr("the organization")))
        users, groups = records if records is not None else (user_records(state), group_records(state))
        central = QWidget(self)
        layout = QVBoxLayout(central)
        self.banner = QLabel(banner_text(state), central)
        self.banner.setObjectName("snapshotBanner")
        self.banner.setWordWrap(True)
        self.banner.setStyleSheet("QLabel#snapshotBanner { background: palette(highlight); "
                                  "color: palette(highlighted-text); padding: 6px; font-weight: bold; }")
        layout.addWidget(self.banner)
        self.filter_edit = QLineEdit(central)
        self.filter_edit.setObjectName("snapshotFilter")
        self.filter_edit.setAccessibleName(self.tr("Filter the snapshot"))
        self.filter_edit.setPlaceholderText(self.tr("Filter by any column…"))
        self.filter_edit.setClearButtonEnabled(True)
        layout.addWidget(self.filter_edit)
        self.tabs = QTabWidget(central)
        self.tabs.setObjectName("snapshotTabs")
        self.users_model, self.users_view = self._table(USER_HEADERS, users, "snapshotUsersTable", "Users")
        self.groups_model, self.groups_view = self._table(GROUP_HEADERS, groups, "snapshotGroupsTable", "Groups")
        self.tabs.addTab(self.users_view, self.tr("Users ({n})").format(n=len(users)))
        self.tabs.addTab(self.groups_view, self.tr("Groups ({n})").format(n=len(groups)))
        layout.addWidget(self.tabs, 1)
        self.setCentralWidget(central)
        plain_labels(self)
        self.resize(1000, 640)

    def _table(self, headers: tuple[str, ...], rows: list[Record], name: str,
               title: str) -> tuple[RecordsModel, QTableView]:
        model = RecordsModel([self.tr(h) for h in headers], self)
        model.set_records(rows)
        proxy = QSortFilterProxyModel(self)
        proxy.setSourceModel(model)
        proxy.setSortRole(SortRole)
        proxy.setFilterKeyColumn(-1)
        proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.filter_edit.textChanged.connect(proxy.setFilterFixedString)
        view = make_table(self, name, self.tr("{title} in the snapshot").format(title=self.tr(title)), proxy)
        for column in range(len(headers) - 1):  # not resizeColumnsToContents: it measures every one of 100,000 rows
            view.setColumnWidth(column, 220 if column in (0, 3) else 160)
        return model, view
