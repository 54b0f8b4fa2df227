"""The user detail pane: attributes, direct roles (unknown UUIDs flagged), groups and their roles, raw JSON."""

from __future__ import annotations

import json
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal, Slot
from PySide6.QtGui import QFontDatabase, QGuiApplication
from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from birdadmin.domain.effective import RoleGrant, effective_roles
from birdadmin.errors import Explanation
from birdadmin.qtmodels.records import Record, RecordsModel
from birdadmin.qtmodels.roles import RoleContext
from birdadmin.scim.resources import User
from birdadmin.services.curl import curl_for_user
from birdadmin.ui.icons import icon
from birdadmin.ui.role_checklist import RoleChecklist
from birdadmin.ui.tables import ColumnFitter, fit_tabs, make_table, sorting_proxy


class UserDetailPane(QWidget):
    """Shows the listed user at once; the raw JSON arrives from a background re-read."""

    curl_copied = Signal(str)
    user_shown = Signal(object)  # User or None: the pane now shows this user (the role editor follows)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("detailPane")
        self.setAccessibleName(self.tr("User details"))
        self.user: User | None = None
        self.base_url = ""
        self.json_user_id: str | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 0, 0, 0)
        self.title = QLabel(self.tr("No user selected"), self)
        self.title.setObjectName("userTitle")
        font = self.title.font()
        font.setPointSizeF(font.pointSizeF() * 1.25)
        font.setBold(True)
        self.title.setFont(font)
        self.title.setWordWrap(True)
        layout.addWidget(self.title)
        self.subtitle = QLabel("", self)
        self.subtitle.setObjectName("userSubtitle")
        self.subtitle.setWordWrap(True)
        layout.addWidget(self.subtitle)

        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("userDetailTabs")
        self.tabs.setDocumentMode(True)
        layout.addWidget(self.tabs, 1)
        self._build_attributes()
        self._build_tables()
        self._build_json()
        fit_tabs(self.tabs)
        layout.addLayout(self._build_buttons())
        self.refresh_icons()
        self.show_user(None)

    def _build_attributes(self) -> None:
        attributes = QWidget(self.tabs)
        self.form = QFormLayout(attributes)
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.fields: dict[str, QLabel] = {}
        for key, label in (
            ("userName", self.tr("User name")),
            ("displayName", self.tr("Display name")),
            ("email", self.tr("Email")),
            ("active", self.tr("Active")),
            ("externalId", self.tr("External id")),
            ("id", self.tr("SCIM id")),
            ("version", self.tr("Version")),
        ):
            value = QLabel("", attributes)
            value.setObjectName(f"field_{key}")
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            value.setWordWrap(True)
            self.fields[key] = value
            self.form.addRow(label, value)
        self.tabs.addTab(attributes, self.tr("Attributes"))

    def _build_tables(self) -> None:
        # The Roles tab: the direct roles as an editable checklist (planned, not sent), and below it every grant,
        # read-only, with where it comes from (docs/bird.md, H2).
        self.roles_splitter = QSplitter(Qt.Orientation.Vertical, self.tabs)
        self.roles_splitter.setObjectName("userRolesSplitter")
        self.roles_splitter.setChildrenCollapsible(False)
        self.roles_splitter.addWidget(self._build_role_editor())
        self.roles_model = RecordsModel((self.tr("Role"), self.tr("Given by"), self.tr("UUID")), self)
        self.roles_table = make_table(
            self, "userRolesTable", self.tr("Roles of the user"), sorting_proxy(self.roles_model, self), flags=True
        )
        self.roles_fitter = ColumnFitter(self.roles_table, {0: 160, 1: 165, 2: 110})
        self.roles_table.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self.roles_splitter.addWidget(self.roles_table)
        # The checklist first: at 1024x640 it keeps about eight rows, the grants below it a few (they scroll).
        self.roles_splitter.setStretchFactor(0, 4)
        self.roles_splitter.setStretchFactor(1, 1)
        self.roles_splitter.setSizes([400, 100])
        self.tabs.addTab(self.roles_splitter, self.tr("Roles"))

        self.groups_model = RecordsModel((self.tr("Group"), self.tr("Roles it brings")), self)
        self.groups_table = make_table(
            self, "userGroupsTable", self.tr("Groups of the user"), sorting_proxy(self.groups_model, self), flags=True
        )
        self.groups_fitter = ColumnFitter(self.groups_table, {0: 180, 1: 180})
        self.tabs.addTab(self.groups_table, self.tr("Groups"))

    def _build_role_editor(self) -> QWidget:
        """The direct roles after the planned changes, as a checklist; the page's controller plans the toggles."""
        editor = QWidget(self.roles_splitter)
        editor.setObjectName("userRoleEditor")
        layout = QVBoxLayout(editor)
        layout.setContentsMargins(0, 4, 0, 0)
        self.role_checklist = RoleChecklist("roleChecklist", "roleSearch", self.tr("Direct roles of the user"), editor)
        layout.addWidget(self.role_checklist, 1)
        row = QHBoxLayout()
        self.add_role_uuid_button = QPushButton(self.tr("Add role by UUID…"), editor)
        self.add_role_uuid_button.setObjectName("addRoleByUuidButton")
        self.add_role_uuid_button.setAccessibleName(self.tr("Add a role to the user by its UUID"))
        row.addWidget(self.add_role_uuid_button)
        row.addStretch(1)
        layout.addLayout(row)
        return editor

    def _build_json(self) -> None:
        self.json_view = QPlainTextEdit(self)
        self.json_view.setObjectName("userJson")
        self.json_view.setAccessibleName(self.tr("Raw SCIM JSON of the user"))
        self.json_view.setReadOnly(True)
        self.json_view.setTabChangesFocus(True)  # Tab moves on to the buttons; the text is only read
        self.json_view.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.tabs.addTab(self.json_view, self.tr("JSON"))

    def _build_buttons(self) -> QHBoxLayout:
        buttons = QHBoxLayout()
        self.curl_button = QPushButton(self.tr("Copy as curl"), self)
        self.curl_button.setObjectName("copyCurlButton")
        self.curl_button.setAccessibleName(self.tr("Copy a curl command that reads this user"))
        self.curl_button.setToolTip(self.tr("The access key is replaced by a placeholder"))
        self.curl_button.clicked.connect(self.copy_curl)
        buttons.addWidget(self.curl_button)
        self.copy_ids_button = QPushButton(self.tr("Copy role UUIDs"), self)
        self.copy_ids_button.setObjectName("copyRoleIdsButton")
        self.copy_ids_button.setAccessibleName(self.tr("Copy the UUIDs of the user's direct roles"))
        self.copy_ids_button.clicked.connect(self.copy_role_ids)
        buttons.addWidget(self.copy_ids_button)
        self.copy_feedback = QLabel(self)
        self.copy_feedback.setObjectName("copyFeedback")
        self.copy_feedback.setAccessibleName(self.tr("What was copied"))
        buttons.addWidget(self.copy_feedback, 1)
        self._feedback_timer = QTimer(self)
        self._feedback_timer.setSingleShot(True)
        self._feedback_timer.setInterval(4000)
        self._feedback_timer.timeout.connect(self.copy_feedback.clear)
        return buttons

    def _copied(self, text: str) -> None:
        """Say what went to the clipboard, for a few seconds (the buttons themselves do not change)."""
        self.copy_feedback.setText(text)
        self._feedback_timer.start()

    def refresh_icons(self) -> None:
        self.curl_button.setIcon(icon("copy", self.palette()))
        self.copy_ids_button.setIcon(icon("copy", self.palette()))
        for index, name in enumerate(("info", "roles", "groups", "export")):
            self.tabs.setTabIcon(index, icon(name, self.palette()))

    def show_user(self, user: User | None, context: RoleContext | None = None, base_url: str = "") -> None:
        """Fill everything known from the listing; the JSON tab waits for ``show_json``."""
        self.user = user
        self.base_url = base_url
        self.json_user_id = None
        enabled = user is not None
        self.curl_button.setEnabled(enabled and bool(base_url))
        self.copy_ids_button.setEnabled(enabled and bool(user and user.roles))
        self._feedback_timer.stop()
        self.copy_feedback.clear()
        if user is None:
            self.title.setText(self.tr("No user selected"))
            self.subtitle.setText(self.tr("Select a user to see their roles and groups."))
            for value in self.fields.values():
                value.clear()
            self.roles_model.set_records([])
            self.groups_model.set_records([])
            self.json_view.clear()
            self.user_shown.emit(None)
            return
        context = context or RoleContext()
        self.title.setText(user.label)
        state = self.tr("active") if user.active else self.tr("inactive")
        self.subtitle.setText(f"{user.user_name} · {state}")
        values = {
            "userName": user.user_name,
            "displayName": user.display_name,
            "email": user.email,
            "active": self.tr("Yes") if user.active else self.tr("No"),
            "externalId": user.external_id,
            "id": user.id,
            "version": user.version or "",
        }
        for key, value in values.items():
            self.fields[key].setText(value)
        groups = list(context.memberships.get(user.id) or [(g.id, g.display or g.id) for g in user.groups])
        self.roles_model.set_records(self._grant_rows(effective_roles(user, context.group_roles, groups), context))
        group_rows = []
        for gid, name in groups:
            roles = context.group_roles.get(gid, ())
            text = ", ".join(context.role_name(r) for r in roles) or self._no_group_roles(context)
            group_rows.append(Record((name, text), gid))
        self.groups_model.set_records(group_rows)
        self.json_view.setPlainText(self.tr("Reading the user from the server…"))
        self.user_shown.emit(user)

    def _grant_rows(self, grants: list[RoleGrant], context: RoleContext) -> list[Record]:
        """One row per grant (direct, or through which group), flagged when the catalogue does not name it."""
        no_names = context.catalogue is None or not context.catalogue.has_names()
        rows: list[Record] = []
        for grant in grants:
            flag = ""
            if not context.is_known(grant.role_id):
                flag = (
                    self.tr("No role names are available (no Accounts API, no local names)")
                    if no_names
                    else self.tr("This UUID is not in the role catalogue")
                )
            via = self.tr("directly") if grant.source == "direct" else self.tr("group {name}").format(
                name=grant.group_name or grant.group_id
            )
            rows.append(Record((context.role_name(grant.role_id), via, grant.role_id), grant.role_id, flag, grant))
        return rows

    def show_hidden_by_filter(self) -> None:
        """The pane is empty because the quick filter hid the user it showed."""
        self.subtitle.setText(self.tr("The user you were looking at is hidden by the quick filter."))

    def show_json(self, user_id: str, data: dict[str, Any]) -> None:
        if self.user is None or user_id != self.user.id:
            return
        self.json_user_id = user_id
        self.json_view.setPlainText(json.dumps(data, indent=2, ensure_ascii=False, sort_keys=False))

    def show_json_error(self, user_id: str, explanation: Explanation) -> None:
        if self.user is None or user_id != self.user.id:
            return
        text = self.tr("The user could not be read: {message}").format(message=explanation.message)
        self.json_view.setPlainText(text)

    def curl_text(self) -> str:
        if self.user is None or not self.base_url:
            return ""
        return curl_for_user(self.base_url, self.user.id)

    @Slot()
    def copy_curl(self) -> None:
        text = self.curl_text()
        if text:
            QGuiApplication.clipboard().setText(text)
            self._copied(self.tr("Copied a curl command (the key is a placeholder)."))
            self.curl_copied.emit(text)

    @Slot()
    def copy_role_ids(self) -> None:
        if self.user is not None and self.user.roles:
            QGuiApplication.clipboard().setText("\n".join(self.user.roles))
            count = len(self.user.roles)
            self._copied(self.tr("Copied 1 role UUID.") if count == 1
                         else self.tr("Copied {count} role UUIDs.").format(count=count))

    # -- what the pane says about its data ------------------------------------------------------------------

    def _no_group_roles(self, context: RoleContext) -> str:
        """A group without roles: "none", or "unknown" when the Accounts API (the teams' roles) is not there."""
        return self.tr("none") if context.group_roles_known else self.tr("unknown")

    def mark_changed_on_server(self, changed: bool) -> None:
        """Say that the re-read user is newer than the listed row (the row has taken the fresh version)."""
        if not hasattr(self, "changed_mark"):
            self.changed_mark = QLabel(self.tr("Changed on the server since the list was loaded"), self)
            self.changed_mark.setTextFormat(Qt.TextFormat.PlainText)
            self.changed_mark.setObjectName("changedOnServerMark")
            self.changed_mark.setAccessibleName(self.tr("The user changed on the server"))
            self.changed_mark.setWordWrap(True)
            self.changed_mark.setStyleSheet(
                "QLabel#changedOnServerMark { border-left: 3px solid #c98a00; padding: 3px 6px; "
                "background: palette(alternate-base); }")
            self.layout().insertWidget(2, self.changed_mark)
        self.changed_mark.setVisible(changed)

    def changed_on_server(self) -> bool:
        return hasattr(self, "changed_mark") and not self.changed_mark.isHidden()
