"""The Groups page: groups with member counts and roles; the pane lists members, read when a group is opened."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QItemSelectionModel, QModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from birdadmin.domain.effective import GroupRoleMap
from birdadmin.errors import Explanation
from birdadmin.qtmodels.groups import GroupColumn, GroupsModel
from birdadmin.qtmodels.marked_records import MarkedRecordsModel
from birdadmin.qtmodels.plan_marks import Mark
from birdadmin.qtmodels.records import Record, RecordsModel
from birdadmin.qtmodels.roles import IdRole, ObjectRole, RoleContext
from birdadmin.scim.resources import Group
from birdadmin.ui.icons import icon
from birdadmin.ui.labels import ElidedLabel
from birdadmin.ui.role_checklist import RoleChecklist
from birdadmin.ui.scope_marks import partial_mark, show_mark
from birdadmin.ui.tables import fit_tabs, make_table, select_row_by_id, sorting_proxy


class GroupDetailPane(QWidget):
    group_shown = Signal(object)  # Group or None: the pane now shows this group (the editing controller follows)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("groupDetailPane")
        self.setAccessibleName(self.tr("Group details"))
        self.group: Group | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 0, 0, 0)
        self.title = ElidedLabel(self.tr("No group selected"), self)  # a long name must not widen the window
        self.title.setObjectName("groupTitle")
        font = self.title.font()
        font.setPointSizeF(font.pointSizeF() * 1.25)
        font.setBold(True)
        self.title.setFont(font)
        layout.addWidget(self.title)
        self.note = QLabel("", self)
        self.note.setObjectName("groupNote")
        self.note.setWordWrap(True)
        layout.addWidget(self.note)
        self.tabs = QTabWidget(self)
        self.tabs.setDocumentMode(True)
        layout.addWidget(self.tabs, 1)
        self.tabs.addTab(self._build_members(), self.tr("Members"))
        self.tabs.addTab(self._build_roles(), self.tr("Roles"))
        self.tabs.setObjectName("groupDetailTabs")
        fit_tabs(self.tabs)
        self.refresh_icons()

    def _build_members(self) -> QWidget:
        """The members (with planned additions and removals marked) and the buttons that plan them."""
        tab = QWidget(self.tabs)
        layout = QVBoxLayout(tab)
        layout.setContentsMargins(0, 4, 0, 0)
        self.members_note = QLabel(tab)
        self.members_note.setObjectName("groupMembersNote")
        self.members_note.setTextFormat(Qt.TextFormat.PlainText)
        self.members_note.setWordWrap(True)
        self.members_note.setVisible(False)
        layout.addWidget(self.members_note)
        self.members_model = MarkedRecordsModel((self.tr("Planned"), self.tr("User name"), self.tr("Display name")),
                                                self)
        self.members_table = make_table(
            tab, "groupMembersList", self.tr("Members of the group"), sorting_proxy(self.members_model, self),
            multi=True,
        )
        layout.addWidget(self.members_table, 1)
        row = QHBoxLayout()
        self.add_members_button = QPushButton(self.tr("Add members…"), tab)
        self.add_members_button.setObjectName("addMembersButton")
        self.add_members_button.setAccessibleName(self.tr("Add users to the group (planned, not sent)"))
        row.addWidget(self.add_members_button)
        self.remove_members_button = QPushButton(self.tr("Remove from group"), tab)
        self.remove_members_button.setObjectName("removeMembersButton")
        self.remove_members_button.setAccessibleName(self.tr("Remove the selected members (planned, not sent)"))
        row.addWidget(self.remove_members_button)
        row.addStretch(1)
        layout.addLayout(row)
        return tab

    def _build_roles(self) -> QWidget:
        """The roles the group gives: a checklist of the planned state, and the roles as loaded (read-only)."""
        splitter = QSplitter(Qt.Orientation.Vertical, self.tabs)
        splitter.setObjectName("groupRolesSplitter")
        splitter.setChildrenCollapsible(False)
        self.role_checklist = RoleChecklist("groupRoleChecklist", "groupRoleSearch",
                                            self.tr("Roles the group gives, as planned"), splitter)
        splitter.addWidget(self.role_checklist)
        self.roles_model = RecordsModel((self.tr("Role"), self.tr("UUID")), self)
        self.roles_table = make_table(
            splitter, "groupRolesTable", self.tr("Roles the group gives"), sorting_proxy(self.roles_model, self),
            flags=True,
        )
        splitter.addWidget(self.roles_table)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 1)
        return splitter

    def show_members(self, rows: list[Record], marks: dict[str, Mark]) -> None:
        """The member rows, planned additions and removals marked (``ui/group_editing.py`` keeps them current)."""
        group_id = self.group.id if self.group is not None else None
        same = group_id is not None and group_id == getattr(self, "_members_of", None)
        self._members_of = group_id
        selected = set(self.selected_member_ids()) if same else set()
        self.members_model.set_marked(rows, marks)
        self.members_table.resizeColumnToContents(0)  # the planned mark
        self.members_table.resizeColumnToContents(1)  # user names are emails: show them whole
        if selected:  # a re-render (the queue changed) keeps the rows the person selected
            proxy, selection = self.members_table.model(), self.members_table.selectionModel()
            for row in range(proxy.rowCount()):
                index = proxy.index(row, 0)
                if index.data(IdRole) in selected:
                    selection.select(index, QItemSelectionModel.SelectionFlag.Select
                                     | QItemSelectionModel.SelectionFlag.Rows)

    def selected_member_ids(self) -> list[str]:
        return [str(index.data(IdRole)) for index in self.members_table.selectionModel().selectedRows()]

    def refresh_icons(self) -> None:
        self.tabs.setTabIcon(0, icon("users", self.palette()))
        self.tabs.setTabIcon(1, icon("roles", self.palette()))

    def show_group(self, group: Group | None, group_map: GroupRoleMap, context: RoleContext, user_names: Any,
                   *, roles_known: bool = True, accounts_configured: bool = False) -> None:
        self.group = group
        if group is None:
            self.title.setText(self.tr("No group selected"))
            self.note.setText(self.tr("Select a group to see its members and roles."))
            self.members_model.set_records([])
            self.roles_model.set_records([])
            self.group_shown.emit(None)
            return
        self.title.setText(group.display_name or group.id)
        notes = []
        if not roles_known and accounts_configured:
            notes.append(self.tr("Bird's groups could not be read from the Accounts API, so the roles this group "
                                 "gives are unknown."))
        elif not roles_known:
            notes.append(self.tr("The Accounts API is not configured, so the roles this group gives are unknown."))
        elif group_map.was_matched_by_name(group.id):
            notes.append(self.tr("Roles found by matching the name to a Bird group: the ids differ."))
        elif group_map.team(group.id) is None:
            notes.append(self.tr("No Bird group matches this SCIM group, so the roles it gives are unknown."))
        if group.members is None:
            notes.append(self.tr("Reading the members from the server…"))
        self.note.setText(" ".join(notes))
        self.note.setVisible(bool(notes))
        members = []
        for member in group.members or ():
            known = user_names.get(member.value)
            name = known.user_name if known is not None else member.value
            display = (known.display_name if known is not None else "") or member.display
            members.append(Record(("", name, display), member.value))
        self.show_members(members, {})
        roles = []
        for rid in group_map.roles_for(group.id):
            flag = "" if context.is_known(rid) else self.tr("This UUID is not in the role catalogue")
            roles.append(Record((context.role_name(rid), rid), rid, flag))
        self.roles_model.set_records(roles)
        self.group_shown.emit(group)

    def show_error(self, group_id: str, explanation: Explanation) -> None:
        if self.group is not None and self.group.id == group_id:
            self.note.setText(self.tr("The members could not be read: {message}").format(message=explanation.message))
            self.note.setVisible(True)


class GroupsView(QWidget):
    current_group_changed = Signal(object)  # Group or None

    def __init__(self, model: GroupsModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("groupsPage")
        self.model = model
        self.proxy = sorting_proxy(model, self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.partial_mark = partial_mark(self)
        layout.addWidget(self.partial_mark)
        self.accounts_note = QLabel(self)
        self.accounts_note.setObjectName("accountsApiNote")
        self.accounts_note.setAccessibleName(self.tr("Group roles are unknown"))
        self.accounts_note.setWordWrap(True)
        self.accounts_note.setStyleSheet("QLabel#accountsApiNote { padding: 3px 6px; }")
        self.accounts_note.setVisible(False)
        layout.addWidget(self.accounts_note)
        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.setObjectName("groupsSplitter")
        self.table = make_table(self.splitter, "groupsTable", self.tr("Groups"), self.proxy, flags=True)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.resizeSection(GroupColumn.NAME, 240)
        header.resizeSection(GroupColumn.MEMBERS, 90)
        self.detail = GroupDetailPane(self.splitter)
        self.splitter.addWidget(self.table)
        self.splitter.addWidget(self.detail)
        self.splitter.setSizes([650, 450])
        self.splitter.setCollapsible(1, False)  # a pane dragged out of sight would still take the focus
        layout.addWidget(self.splitter, 1)
        self.table.selectionModel().currentRowChanged.connect(self._current_changed)

    def _current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        self.current_group_changed.emit(current.data(ObjectRole) if current.isValid() else None)

    def select_group(self, group_id: str) -> bool:
        return select_row_by_id(self.table, self.proxy, self.model.row_of(group_id))

    def refresh_icons(self) -> None:
        self.detail.refresh_icons()

    def show_scope(self, mark: str, roles_known: bool, accounts_configured: bool = False) -> None:
        show_mark(self.partial_mark, mark)
        if accounts_configured:
            note = self.tr("Bird's groups could not be read from the Accounts API: the roles groups give are "
                           "unknown (shown as \"unknown\"), and role counts cover direct grants only.")
        else:
            note = self.tr("The Accounts API is not configured for this connection: the roles groups give are "
                           "unknown (shown as \"unknown\"), and role counts cover direct grants only.")
        self.accounts_note.setText(note)
        self.accounts_note.setVisible(not roles_known)
