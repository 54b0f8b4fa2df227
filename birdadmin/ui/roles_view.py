"""The Roles page: the catalogue, who holds a selected role (each holder once, with every source: directly and
through which groups; docs/bird.md, H2), and a chart of holders per role beside them."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from birdadmin.domain.audit import HolderRow
from birdadmin.domain.catalogue import RoleInfo
from birdadmin.domain.organization import Scope
from birdadmin.qtmodels.catalogue import RoleColumn, RolesModel
from birdadmin.qtmodels.records import Record, RecordsModel
from birdadmin.qtmodels.roles import ObjectRole
from birdadmin.safe_text import file_name_part
from birdadmin.ui.holders_chart import HoldersChart
from birdadmin.ui.icons import icon
from birdadmin.ui.scope_marks import partial_mark, show_mark
from birdadmin.ui.tables import fit_tabs, make_table, select_row_by_id, sorting_proxy

HOLDERS_CSV_HEADER = ("id", "userName", "displayName", "active", "source", "groupId", "roleId", "role", "kind")
KIND_COLUMN = 5  # "User" or "Access key": keys hold roles as users do (issue 13)


class RolesView(QWidget):
    current_role_changed = Signal(object)  # RoleInfo or None
    import_requested = Signal()
    export_requested = Signal()

    def __init__(self, model: RolesModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("rolesPage")
        self.model = model
        self.proxy = sorting_proxy(model, self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        top = QHBoxLayout()
        self.source_note = QLabel(self)
        self.source_note.setObjectName("catalogueSourceNote")
        self.source_note.setWordWrap(True)
        top.addWidget(self.source_note, 1)
        self.import_button = QPushButton(self.tr("Import names…"), self)
        self.import_button.setObjectName("importRoleNamesButton")
        self.import_button.setAccessibleName(self.tr("Import local role names from a CSV file"))
        self.import_button.clicked.connect(self.import_requested)
        top.addWidget(self.import_button)
        self.export_button = QPushButton(self.tr("Export names…"), self)
        self.export_button.setObjectName("exportRoleNamesButton")
        self.export_button.setAccessibleName(self.tr("Export local role names to a CSV file"))
        self.export_button.clicked.connect(self.export_requested)
        top.addWidget(self.export_button)
        layout.addLayout(top)
        self.partial_mark = partial_mark(self)
        layout.addWidget(self.partial_mark)
        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.setObjectName("rolesSplitter")
        self.table = make_table(self.splitter, "rolesTable", self.tr("Roles"), self.proxy, flags=True)
        self.table.setEditTriggers(
            self.table.EditTrigger.DoubleClicked | self.table.EditTrigger.EditKeyPressed
        )
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.resizeSection(RoleColumn.NAME, 200)
        header.resizeSection(RoleColumn.ID, 280)
        header.resizeSection(RoleColumn.SOURCE, 100)
        header.resizeSection(RoleColumn.DIRECT, 100)
        self.splitter.addWidget(self.table)
        self.splitter.addWidget(self._build_holders())
        self.splitter.setSizes([620, 500])
        layout.addWidget(self.splitter, 1)
        self.table.selectionModel().currentRowChanged.connect(self._current_changed)
        self.refresh_icons()

    def _build_holders(self) -> QWidget:
        """The right-hand pane: who holds the selected role, directly or through which groups."""
        holders = QWidget(self.splitter)
        holders.setObjectName("roleHoldersPane")
        holders.setAccessibleName(self.tr("Holders of the selected role"))
        holders_layout = QVBoxLayout(holders)
        holders_layout.setContentsMargins(6, 0, 0, 0)
        self.holders_title = QLabel(self.tr("Select a role to see who holds it."), holders)
        self.holders_title.setObjectName("holdersTitle")
        self.holders_title.setWordWrap(True)
        font = self.holders_title.font()
        font.setBold(True)
        self.holders_title.setFont(font)
        title_row = QHBoxLayout()
        title_row.addWidget(self.holders_title, 1)
        self.grant_button = QPushButton(self.tr("Grant this role to…"), holders)
        self.grant_button.setObjectName("grantRoleButton")
        self.grant_button.setAccessibleName(self.tr("Grant the selected role to users (planned, not sent)"))
        self.grant_button.setEnabled(False)
        title_row.addWidget(self.grant_button, 0, Qt.AlignmentFlag.AlignTop)
        holders_layout.addLayout(title_row)
        self.holders_model = RecordsModel(
            (self.tr("User name"), self.tr("Display name"), self.tr("Holds it"), self.tr("Active"), self.tr("Notes"),
             self.tr("Kind")),
            holders,
        )
        self.holders_tabs = QTabWidget(holders)
        self.holders_tabs.setObjectName("holdersTabs")
        self.holders_table = make_table(
            self.holders_tabs, "roleHoldersTable", self.tr("Users holding the role"),
            sorting_proxy(self.holders_model, holders), flags=True,
        )
        header = self.holders_table.horizontalHeader()
        # The pane is narrow: who, the marks and how first; the display name last (it stretches).
        for visual, column in enumerate((0, KIND_COLUMN, 4, 2, 3, 1)):
            header.moveSection(header.visualIndex(column), visual)
        for column, width in ((0, 170), (KIND_COLUMN, 80), (4, 100), (2, 150), (3, 50)):
            header.resizeSection(column, width)
        self.holders_tabs.addTab(self.holders_table, self.tr("Who has it"))
        self.holders_chart = HoldersChart()
        chart_scroll = QScrollArea(self.holders_tabs)
        chart_scroll.setObjectName("holdersChartScroll")
        chart_scroll.setWidgetResizable(True)
        chart_scroll.setWidget(self.holders_chart)
        self.holders_tabs.addTab(chart_scroll, self.tr("Holders per role"))
        fit_tabs(self.holders_tabs)
        holders_layout.addWidget(self.holders_tabs, 1)
        return holders

    def refresh_icons(self) -> None:
        self.import_button.setIcon(icon("import", self.palette()))
        self.export_button.setIcon(icon("export", self.palette()))

    def set_source_note(self, from_accounts: bool, has_names: bool) -> None:
        if from_accounts:
            text = self.tr("Role names come from Bird's Accounts API. Double-click a name to override it locally.")
        elif has_names:
            text = self.tr("No Accounts API: roles are learned from the data and named from your local names.")
        else:
            text = self.tr(
                "No Accounts API: roles are learned from the data and shown by UUID. Double-click a name to give "
                "it a local name, or import names from a CSV file (id,name,description)."
            )
        self.source_note.setText(text)

    def current_role(self) -> RoleInfo | None:
        index = self.table.currentIndex()
        return index.data(ObjectRole) if index.isValid() else None

    def select_role(self, role_id: str) -> bool:
        return select_row_by_id(self.table, self.proxy, self.model.row_of(role_id))

    def _current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        self.current_role_changed.emit(current.data(ObjectRole) if current.isValid() else None)

    def show_scope(self, mark: str) -> None:
        show_mark(self.partial_mark, mark)

    def show_holders(self, role: RoleInfo | None, found: list[HolderRow], total: int,
                     scope: Scope | None = None) -> None:
        """Who holds ``role`` among the organization's ``total`` users, each once with every source; ``scope``
        says how complete that is. Inactive holders and holders through several sources are marked by an icon and
        a word (never colour alone)."""
        if role is None:
            self.holders_title.setText(self.tr("Select a role to see who holds it."))
            self.holders_model.set_records([])
            return
        self.holders_title.setText(self._holders_title(role, found, total, scope))
        self.holders_model.set_records([self._holder_record(holder) for holder in found])

    def _holder_record(self, holder: HolderRow) -> Record:
        user = holder.user
        how = "; ".join(self.tr("directly") if s == "direct" else self.tr("group {name}").format(name=s)
                        for s in self._sources(holder))
        notes = []
        if not user.active:
            notes.append(self.tr("inactive"))
        if holder.several:
            notes.append(self.tr("{count} sources").format(count=len(holder.sources)))
        flag = "; ".join(notes)
        if flag:
            flag = self.tr("Check this holder: {notes}").format(notes=flag)
        cells = (user.user_name, user.display_name, how, self.tr("yes") if user.active else self.tr("no"),
                 "; ".join(notes), self.tr("Access key") if holder.kind == "key" else self.tr("User"))
        return Record(cells, user.id, flag=flag, obj=holder)

    @staticmethod
    def _sources(holder: HolderRow) -> list[str]:
        """"direct" first, then each group's name (its id when it has none)."""
        return (["direct"] if holder.direct else []) + [name or gid for gid, name in holder.groups]

    def shown_holders(self) -> list[HolderRow]:
        proxy = self.holders_table.model()
        return [proxy.index(row, 0).data(ObjectRole) for row in range(proxy.rowCount())]

    def csv_export(self) -> tuple[str, list[list[str]]] | None:
        """What Ctrl+E exports on this page: who holds the selected role, as the holders pane shows them (its order),
        one row per way a user holds it: ``direct``, or ``group NAME`` with the group's id. None when no role is
        selected (then the catalogue table is exported)."""
        role = self.current_role()
        if role is None:
            return None
        rows = [list(HOLDERS_CSV_HEADER)]
        for holder in self.shown_holders():
            user = holder.user
            ways = ([("direct", "")] if holder.direct else []) + [
                (f"group {name or gid}", gid) for gid, name in holder.groups]
            for label, group_id in ways:
                rows.append([user.id, user.user_name, user.display_name, "yes" if user.active else "no",
                             label, group_id, role.id, role.name, holder.kind])
        return f"{file_name_part(role.name)} holders.csv", rows

    def json_export(self) -> tuple[str, Any] | None:
        """The JSON counterpart of ``csv_export``: the role, then each holder once with every source."""
        role = self.current_role()
        if role is None:
            return None
        holders = [{"kind": h.kind, "id": h.user.id, "userName": h.user.user_name, "displayName": h.user.display_name,
                    "active": h.user.active, "sources": self._sources(h),
                    "groups": [{"id": gid, "name": name} for gid, name in h.groups], "several": h.several}
                   for h in self.shown_holders()]
        return f"{file_name_part(role.name)} holders.json", {"role": {"id": role.id, "name": role.name},
                                                            "holders": holders}

    def _holders_title(self, role: RoleInfo, found: list[HolderRow], total: int, scope: Scope | None) -> str:
        users = [h for h in found if h.kind == "user"]
        keys = len(found) - len(users)
        also = ""
        if keys:
            also = (self.tr(" and 1 access key") if keys == 1 else
                    self.tr(" and {keys} access keys").format(keys=keys))
        return self._holders_count(role, users, total, scope) + also + self._holders_notes(found)

    def _holders_notes(self, found: list[HolderRow]) -> str:
        inactive = sum(1 for h in found if not h.user.active)
        several = sum(1 for h in found if h.several)
        return self.tr(": {inactive} inactive, {several} through several sources").format(
            inactive=inactive, several=several)

    def _holders_count(self, role: RoleInfo, found: list[HolderRow], total: int, scope: Scope | None) -> str:
        direct = sum(1 for h in found if h.direct)
        partial = scope is not None and scope.partial
        if scope is not None and not scope.group_roles_known:
            if partial:
                return self.tr("At least {direct} users hold {name} directly (the organization is not completely "
                               "loaded; roles through groups are unknown without the Accounts API)").format(
                    direct=direct, name=role.name)
            return self.tr("{direct} users hold {name} directly (roles through groups are unknown without the "
                           "Accounts API)").format(direct=direct, name=role.name)
        if partial:
            return self.tr("At least {count} of at least {total} users hold {name} ({direct} directly; the "
                           "organization is not completely loaded)").format(
                name=role.name, count=len(found), total=total, direct=direct)
        return self.tr("{count} of {total} users hold {name} ({direct} directly)").format(
            name=role.name, count=len(found), total=total, direct=direct)
