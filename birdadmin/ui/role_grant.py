"""The Roles page's "Grant this role to...": the user picker (multi-select), then one planned step that adds the
selected role to every picked user's direct roles. Nothing is sent; users who already hold it directly (as
planned) are listed greyed."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QObject, QPoint, Qt, Slot
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu

from birdadmin.domain.catalogue import RoleInfo
from birdadmin.scim.resources import User
from birdadmin.scim.role_values import role_key
from birdadmin.ui import bulk_plan
from birdadmin.ui.bulk_edit import user_count_text
from birdadmin.ui.context import WindowContext
from birdadmin.ui.roles_view import RolesView
from birdadmin.ui.user_picker import UserPickerDialog, server_search


class RoleGrant(QObject):
    def __init__(self, context: WindowContext, view: RolesView) -> None:
        super().__init__(view)
        self._context = context
        self._view = view
        self.picker: UserPickerDialog | None = None
        self.action = QAction(self.tr("Grant this role to…"), view)
        self.action.setObjectName("grantRoleAction")
        self.action.triggered.connect(self.open_picker)
        view.grant_button.clicked.connect(self.open_picker)
        view.table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        view.table.customContextMenuRequested.connect(self._context_menu)
        view.current_role_changed.connect(lambda _role: self.update())
        context.pending.writable_changed.connect(lambda _writable: self.update())
        self.update()

    def update(self) -> None:
        pending = self._context.pending
        role = self._view.current_role()
        enabled = pending.writable and role is not None and self._context.session is not None
        for widget in (self._view.grant_button, self.action):
            widget.setEnabled(enabled)
        if not pending.writable:
            tip = pending.read_only_reason
        elif role is None:
            tip = self.tr("Select a role first")
        else:
            tip = self.tr("Grant {role} to users you pick (planned, not sent)").format(role=role.name)
        self._view.grant_button.setToolTip(tip)
        self.action.setToolTip(tip)

    def context_menu(self) -> QMenu:
        self.update()
        menu = QMenu(self._view.table)
        menu.setObjectName("rolesContextMenu")
        menu.addAction(self.action)
        return menu

    @Slot(QPoint)
    def _context_menu(self, at: QPoint) -> None:
        menu = self.context_menu()
        menu.aboutToHide.connect(menu.deleteLater)
        menu.popup(self._view.table.viewport().mapToGlobal(at))

    @Slot()
    def open_picker(self) -> UserPickerDialog | None:
        role, session, pending = self._view.current_role(), self._context.session, self._context.pending
        organization = self._context.organization
        if role is None or session is None or not pending.writable:
            return None
        wanted = role_key(role.id)
        users = organization.users if organization is not None else ()
        excluded = {u.id: self.tr("already has it") for u in users
                    if any(role_key(r) == wanted for r in bulk_plan.present_roles(pending.queue, u))}
        dialog = UserPickerDialog(
            self._context.runner, server_search(session.scim), lambda: users,
            title=self.tr("Grant {role} to users").format(role=role.name), accept_text=self.tr("Grant role"),
            excluded=excluded, parent=self._view,
        )
        dialog.accepted.connect(lambda: self.plan(role, dialog.chosen()))
        dialog.finished.connect(dialog.deleteLater)
        self.picker = dialog
        dialog.open()
        return dialog

    def plan(self, role: RoleInfo, picked: Sequence[User]) -> int:
        """Plan ``role`` added to the picked users (the loaded copy of each where there is one); one undo step."""
        pending, organization = self._context.pending, self._context.organization
        if not pending.writable:
            return 0
        users = [(organization.users.get(u.id) if organization is not None else None) or u for u in picked]
        changes = bulk_plan.plan_role_for_users(pending.queue, users, role.id, add=True)
        if changes:
            pending.plan(changes, user_count_text(role.name, changes[0].target_name, len(changes), add=True))
        return len(changes)
