"""The user pane's direct-role checklist: toggles and "Add role by UUID..." plan changes, nothing is sent.

Every edit is planned with ``domain/changes.py`` on top of what is already queued for the user and handed to
``context.pending.plan`` as one undo step. The checklist shows the roles *after* the queued change, with the
planned additions and removals marked; it re-renders when the queue changes, for the one user shown only.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Slot

from birdadmin.domain.changes import Change, plan_user_roles
from birdadmin.scim.resources import User
from birdadmin.ui.context import WindowContext
from birdadmin.ui.role_checklist import role_entries
from birdadmin.ui.role_uuid_dialog import RoleUuidDialog
from birdadmin.ui.user_detail import UserDetailPane


class UserRolesEditor(QObject):
    def __init__(self, context: WindowContext, pane: UserDetailPane) -> None:
        super().__init__(pane)
        self._context = context
        self._pane = pane
        self._user: User | None = None
        self._shown: Change | None = None  # the queued change the checklist was drawn from
        self.uuid_dialog: RoleUuidDialog | None = None
        pane.user_shown.connect(self.show)
        pane.role_checklist.toggled.connect(self._toggled)
        pane.add_role_uuid_button.clicked.connect(self.add_by_uuid)
        context.pending.changed.connect(self._pending_changed)
        context.pending.writable_changed.connect(lambda _writable: self.render())
        self.render()

    @Slot(object)
    def show(self, user: User | None) -> None:
        self._user = user
        self.render()

    def _change(self) -> Change | None:
        return self._context.pending.get(("user-roles", self._user.id)) if self._user is not None else None

    @Slot()
    def _pending_changed(self) -> None:
        if self._user is not None and self._change() is not self._shown:
            self.render()

    def render(self) -> None:
        """Draw the checklist from the user as listed and the change queued for them."""
        checklist, org, user = self._pane.role_checklist, self._context.org, self._user
        change = self._change()
        self._shown = change
        if user is None or org is None:
            checklist.set_entries([])
            self._enable(False, "")
            return
        before = change.before if change is not None else user.roles
        after = change.after if change is not None else user.roles
        checklist.set_entries(role_entries(org.catalogue, before, after))
        pending = self._context.pending
        if not pending.writable:
            self._enable(False, pending.read_only_reason)
        elif change is not None and change.status == "in-flight":
            self._enable(False, self.tr("This user's change is being applied."))
        else:
            self._enable(True, self._status_note(change))

    def _status_note(self, change: Change | None) -> str:
        if change is None:
            return ""
        if change.status in ("conflict", "failed") and change.reason:
            return self.tr("The planned change was not applied: {reason}").format(reason=change.reason)
        if change.before and not change.after:
            return self.tr("Planned: the user is left with no direct roles; Bird reads that as no roles at all "
                           "(docs/bird.md, H1), so applying asks for confirmation.")
        return ""

    def _enable(self, enabled: bool, note: str) -> None:
        pane = self._pane
        pane.role_checklist.list.setEnabled(enabled)
        pane.add_role_uuid_button.setEnabled(enabled)
        tip = "" if enabled else note
        pane.role_checklist.list.setToolTip(tip)
        pane.add_role_uuid_button.setToolTip(tip)
        pane.role_checklist.show_note(note)

    # -- planning ---------------------------------------------------------------------------------------------

    @Slot(str, bool)
    def _toggled(self, role_id: str, checked: bool) -> None:
        if checked:
            self.plan(add=role_id)
        else:
            self.plan(remove=role_id)

    def plan(self, *, add: str = "", remove: str = "", user: User | None = None) -> None:
        """Plan adding or removing one direct role of the user shown (one undo step)."""
        user, org, pending = user or self._user, self._context.org, self._context.pending
        queued = pending.get(("user-roles", user.id)) if user is not None else None
        if user is None or org is None or not pending.writable or (queued is not None and queued.status == "in-flight"):
            self.render()
            return
        changes = plan_user_roles(pending.queue, [user], add=[add] if add else [], remove=[remove] if remove else [])
        name = org.catalogue.name_for(add or remove)
        who = user.user_name or user.id
        if add:
            text = self.tr("Add role {role} to {user}").format(role=name, user=who)
        else:
            text = self.tr("Remove role {role} from {user}").format(role=name, user=who)
        pending.plan(changes, text)
        self.render()

    @Slot()
    def add_by_uuid(self) -> RoleUuidDialog | None:
        """Ask for a role UUID (checked, and confirmed when the catalogue does not name it), then plan it."""
        user, org = self._user, self._context.org
        if user is None or org is None or not self._context.pending.writable:
            return None
        change = self._change()
        held = change.after if change is not None else user.roles
        dialog = RoleUuidDialog(org.catalogue, held, user.user_name or user.id, self._pane)
        dialog.accepted.connect(lambda: self.plan(add=dialog.role_id(), user=user))
        dialog.finished.connect(dialog.deleteLater)
        self.uuid_dialog = dialog
        dialog.open()
        return dialog
