"""The Roles page: the catalogue, and who holds a selected role, directly and through which groups."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from birdadmin.domain.catalogue import RoleInfo
from birdadmin.domain.effective import Holder
from birdadmin.domain.organization import Scope
from birdadmin.qtmodels.catalogue import RoleColumn, RolesModel
from birdadmin.qtmodels.records import Record, RecordsModel
from birdadmin.qtmodels.roles import ObjectRole
from birdadmin.safe_text import file_name_part
from birdadmin.ui.icons import icon
from birdadmin.ui.scope_marks import partial_mark, show_mark
from birdadmin.ui.tables import make_table, select_row_by_id, sorting_proxy

HOLDERS_CSV_HEADER = ("id", "userName", "displayName", "active", "source", "groupId", "roleId", "role")


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
        self.splitter.setSizes([700, 420])
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
            (self.tr("User name"), self.tr("Display name"), self.tr("Holds it")), holders
        )
        self.holders_table = make_table(
            holders, "roleHoldersTable", self.tr("Users holding the role"), sorting_proxy(self.holders_model, holders)
        )
        self.holders_table.horizontalHeader().resizeSection(0, 220)
        holders_layout.addWidget(self.holders_table, 1)
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

    def show_holders(self, role: RoleInfo | None, found: list[Holder], total: int, scope: Scope | None = None) -> None:
        """Who holds ``role`` among the organization's ``total`` users; ``scope`` says how complete that is."""
        if role is None:
            self.holders_title.setText(self.tr("Select a role to see who holds it."))
            self.holders_model.set_records([])
            return
        self.holders_title.setText(self._holders_title(role, found, total, scope))
        rows = []
        for holder in found:
            how = "; ".join(
                self.tr("directly")
                if g.source == "direct"
                else self.tr("group {name}").format(name=g.group_name or g.group_id)
                for g in holder.sources
            )
            rows.append(Record((holder.user.user_name, holder.user.display_name, how), holder.user.id, obj=holder))
        self.holders_model.set_records(rows)

    def csv_export(self) -> tuple[str, list[list[str]]] | None:
        """What Ctrl+E exports on this page: who holds the selected role, as the holders pane shows them (its order),
        one row per way a user holds it: ``direct``, or ``group NAME`` with the group's id. None when no role is
        selected (then the catalogue table is exported)."""
        role = self.current_role()
        if role is None:
            return None
        rows = [list(HOLDERS_CSV_HEADER)]
        proxy = self.holders_table.model()
        for row in range(proxy.rowCount()):
            holder: Holder = proxy.index(row, 0).data(ObjectRole)
            user = holder.user
            for grant in holder.sources:
                rows.append([user.id, user.user_name, user.display_name, "yes" if user.active else "no",
                             grant.label, grant.group_id or "", role.id, role.name])
        return f"{file_name_part(role.name)} holders.csv", rows

    def _holders_title(self, role: RoleInfo, found: list[Holder], total: int, scope: Scope | None) -> str:
        direct = sum(1 for h in found if any(g.source == "direct" for g in h.sources))
        partial = scope is not None and scope.partial
        if scope is not None and not scope.group_roles_known:
            if partial:
                return self.tr("At least {direct} users hold {name} directly (the organization is not completely "
                               "loaded); roles through groups are unknown without the Accounts API").format(
                    direct=direct, name=role.name)
            return self.tr("{direct} users hold {name} directly; roles through groups are unknown without the "
                           "Accounts API").format(direct=direct, name=role.name)
        if partial:
            return self.tr("{name}: at least {count} of at least {total} users hold it ({direct} directly); the "
                           "organization is not completely loaded").format(
                name=role.name, count=len(found), total=total, direct=direct)
        return self.tr("{name}: {count} of {total} users hold it ({direct} directly)").format(
            name=role.name, count=len(found), total=total, direct=direct)
