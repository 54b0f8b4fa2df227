"""Bulk edits of the users selected in the Users table: "Add role...", "Remove role...", "Add to group...".

Each opens a chooser (``ui/chooser_dialog.py``) whose line says how many users the edit touches and how many
already have or lack the role (or are already members), and plans the whole edit as one undo step through
``context.pending.plan``. Planning is ``ui/bulk_plan.py``: no widget work per user, so 10,000 users plan within
the event loop's budget. The actions are exposed (``UsersPage.edit_actions``) for the window's Edit menu and
toolbar, and shown in the table's context menu.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QCoreApplication, QObject, QPoint, Qt, Signal, Slot
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu

from birdadmin.domain.changes import Change
from birdadmin.scim.resources import User
from birdadmin.scim.role_values import role_key
from birdadmin.ui import bulk_plan
from birdadmin.ui.chooser_dialog import Choice, ChooserDialog
from birdadmin.ui.context import WindowContext
from birdadmin.ui.icons import icon
from birdadmin.ui.users_view import UsersView

BACKGROUND_FROM = 1000  # users: below this a bulk edit is planned at once (well under 100 ms)


_ICONS = {"addRoleAction": "role-add", "removeRoleAction": "role-remove", "addToGroupAction": "groups"}


class BulkEdit(QObject):
    planned = Signal(int)  # a bulk role edit was queued (how many users it changes)

    def __init__(self, context: WindowContext, view: UsersView) -> None:
        super().__init__(view)
        self._context = context
        self._view = view
        self.dialog: ChooserDialog | None = None
        self.add_role = self._action("addRoleAction", self.tr("Add role…"), self.open_add_role,
                                     self.tr("Add a role to the selected users (planned, not sent)"))
        self.remove_role = self._action("removeRoleAction", self.tr("Remove role…"), self.open_remove_role,
                                        self.tr("Remove a role from the selected users (planned, not sent)"))
        self.add_to_group = self._action("addToGroupAction", self.tr("Add to group…"), self.open_add_to_group,
                                         self.tr("Add the selected users to a group (planned, not sent)"))
        self.actions = [self.add_role, self.remove_role, self.add_to_group]
        view.table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        view.table.customContextMenuRequested.connect(self._context_menu)
        view.selection_count_changed.connect(lambda _count: self.update_actions())
        view.current_user_changed.connect(lambda _user: self.update_actions())
        context.pending.writable_changed.connect(lambda _writable: self.update_actions())
        self.update_actions()

    def _action(self, name: str, text: str, slot: object, tip: str) -> QAction:
        action = QAction(text, self._view)
        action.setObjectName(name)
        # Told apart by their icons alone when the toolbar is narrow (ui/toolbar_fit.py); re-coloured with the scheme.
        action.setProperty("iconName", _ICONS[name])
        action.setIcon(icon(str(action.property("iconName")), self._view.palette()))
        action.setStatusTip(tip)
        action.setToolTip(tip)
        action.triggered.connect(slot)
        return action

    def update_actions(self) -> None:
        """Enabled with users selected, the organization loaded and a writable connection; otherwise the tooltip
        says why not."""
        pending = self._context.pending
        selected = bool(self._view.table.selectionModel().selectedRows())
        enabled = pending.writable and selected and self._context.org is not None
        for action in self.actions:
            action.setEnabled(enabled)
            if not pending.writable:
                action.setToolTip(pending.read_only_reason)
            elif not selected:
                action.setToolTip(self.tr("Select users in the table first"))
            else:
                action.setToolTip(action.statusTip())

    def context_menu(self) -> QMenu:
        menu = QMenu(self._view.table)
        menu.setObjectName("usersContextMenu")
        menu.addActions(self.actions)
        return menu

    @Slot(QPoint)
    def _context_menu(self, at: QPoint) -> None:
        self.update_actions()
        menu = self.context_menu()
        menu.aboutToHide.connect(menu.deleteLater)
        menu.popup(self._view.table.viewport().mapToGlobal(at))

    def _users(self) -> list[User]:
        return self._view.selected_users() if self._context.org is not None else []

    # -- roles ------------------------------------------------------------------------------------------------

    @Slot()
    def open_add_role(self) -> ChooserDialog | None:
        return self._open_role(add=True)

    @Slot()
    def open_remove_role(self) -> ChooserDialog | None:
        return self._open_role(add=False)

    def _open_role(self, *, add: bool) -> ChooserDialog | None:
        users, org, pending = self._users(), self._context.org, self._context.pending
        if not users or org is None or not pending.writable:
            return None
        catalogue = org.catalogue
        if add:
            named = catalogue.has_names()
            infos = [r for r in catalogue.roles() if not named or catalogue.is_known(r.id)]
        else:
            held = {role_key(r) for u in users for r in bulk_plan.present_roles(pending.queue, u)}
            infos = sorted((catalogue.info(r) for r in held), key=lambda r: (r.name.casefold(), r.id))
        choices = [Choice(r.id, r.name if catalogue.is_known(r.id) else self.tr("{name} (unknown role)").format(
            name=r.name), r.description or r.id) for r in infos]
        count = len(users)

        def describe(role_id: str) -> tuple[str, bool]:
            have, lack = bulk_plan.holding(pending.queue, users, role_id)
            if add:
                return self.tr("{count} selected users: {have} already have it, {lack} lack it; the role is added "
                               "to {lack}.").format(count=count, have=have, lack=lack), lack > 0
            return self.tr("{count} selected users: {have} have it, {lack} lack it; the role is removed from "
                           "{have}.").format(count=count, have=have, lack=lack), have > 0

        title = self.tr("Add role to {count} users") if add else self.tr("Remove role from {count} users")
        dialog = ChooserDialog("bulkRoleDialog", title.format(count=count),
                               self.tr("Choose the role:"), self.tr("Add role") if add else self.tr("Remove role"),
                               choices, describe, self._view)
        dialog.accepted.connect(lambda: self.plan_role(users, dialog.chosen_id(), add=add))
        return self._show(dialog)

    def plan_role(self, users: Sequence[User], role_id: str, *, add: bool) -> int | None:
        """Plan ``role_id`` added to (removed from) ``users`` as one undo step; returns how many users it changes,
        or None when a large batch is being planned on a worker (``planned`` says when it is queued)."""
        org, pending = self._context.org, self._context.pending
        if org is None or not role_id or not pending.writable:
            return 0
        users = list(users)
        if len(users) < BACKGROUND_FROM:
            return self._queue_roles(bulk_plan.plan_role_for_users(pending.queue, users, role_id, add=add), role_id,
                                     add=add)
        # Planning itself is plain Python, but 10,000 users take over 100 ms on a busy machine: a worker plans
        # against a snapshot of their queued changes, and the GUI thread only queues the result.
        planned_on = bulk_plan.snapshot(pending.queue, users)

        def done(changes: list[Change]) -> None:
            if self._context.org is not org:
                return  # another connection or load meanwhile: these users are not its users
            if not bulk_plan.still_current(pending.queue, planned_on, changes, users):  # edited meanwhile: plan again
                changes = bulk_plan.plan_role_for_users(pending.queue, users, role_id, add=add)
            self._queue_roles(changes, role_id, add=add)

        self._context.runner.submit(lambda: bulk_plan.plan_in_slices(planned_on, users, role_id, add=add),
                                    on_result=done, on_error=self._context.show_error)  # no channel: none dropped
        return None

    def _queue_roles(self, changes: list[Change], role_id: str, *, add: bool) -> int:
        org, pending = self._context.org, self._context.pending
        if org is None or not pending.writable:
            return 0
        if not changes:
            self._context.show_message(self.tr("Nothing to plan: no selected user would change."), 6000)
        else:
            name = org.catalogue.name_for(role_id)
            pending.plan(changes, user_count_text(name, changes[0].target_name, len(changes), add=add))
        self.planned.emit(len(changes))
        return len(changes)

    # -- groups -----------------------------------------------------------------------------------------------

    @Slot()
    def open_add_to_group(self) -> ChooserDialog | None:
        users, org, pending = self._users(), self._context.org, self._context.pending
        if not users or org is None or not pending.writable:
            return None
        groups = sorted(org.groups, key=lambda g: ((g.display_name or g.id).casefold(), g.id))
        choices = [Choice(g.id, g.display_name or g.id, g.id) for g in groups]
        ids = [u.id for u in users]

        def describe(group_id: str) -> tuple[str, bool]:
            loaded = bulk_plan.group_members(org.memberships, group_id)
            present = set(bulk_plan.present_members(pending.queue, group_id, loaded))
            already = sum(1 for uid in ids if uid in present)
            return self.tr("{count} selected users: {already} already members; {new} are added.").format(
                count=len(ids), already=already, new=len(ids) - already), already < len(ids)

        dialog = ChooserDialog("groupChooser", self.tr("Add {count} users to a group").format(count=len(ids)),
                               self.tr("Choose the group:"), self.tr("Add to group"), choices, describe, self._view)
        dialog.accepted.connect(lambda: self.plan_group(ids, dialog.chosen_id()))
        return self._show(dialog)

    def plan_group(self, user_ids: Sequence[str], group_id: str) -> bool:
        """Plan adding ``user_ids`` to the group as one undo step; False when nothing would change."""
        org, pending = self._context.org, self._context.pending
        group = next((g for g in org.groups if g.id == group_id), None) if org is not None else None
        if org is None or group is None or not pending.writable:
            return False
        loaded = bulk_plan.group_members(org.memberships, group_id)
        name = group.display_name or group.id
        change = bulk_plan.plan_member_addition(pending.queue, group_id, name, loaded, user_ids, group.version)
        if change is None:
            self._context.show_message(self.tr("Nothing to plan: the users are already members."), 6000)
            return False
        present = set(bulk_plan.present_members(pending.queue, group_id, loaded))
        added = len({uid for uid in user_ids if uid not in present})
        if added == 1:
            text = self.tr("Add 1 user to group {group}").format(group=name)
        else:
            text = self.tr("Add {count} users to group {group}").format(count=added, group=name)
        pending.plan([change], text)
        return True

    def _show(self, dialog: ChooserDialog) -> ChooserDialog:
        dialog.finished.connect(dialog.deleteLater)
        self.dialog = dialog
        dialog.open()
        return dialog


def user_count_text(role: str, first: str, count: int, *, add: bool) -> str:
    """The undo step's name: "Add role Analyst to 12 users", or to the one user by name."""
    tr = QCoreApplication.translate
    if count == 1 and add:
        return tr("BulkEdit", "Add role {role} to {user}").format(role=role, user=first)
    if count == 1:
        return tr("BulkEdit", "Remove role {role} from {user}").format(role=role, user=first)
    if add:
        return tr("BulkEdit", "Add role {role} to {count} users").format(role=role, count=count)
    return tr("BulkEdit", "Remove role {role} from {count} users").format(role=role, count=count)
