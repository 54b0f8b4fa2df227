"""The group pane's edits: members removed or added (through the user picker) and the roles the group gives.

Each edit is planned with ``domain/changes.py`` on top of the queue and handed to ``context.pending.plan`` as one
undo step; nothing is sent. A group's roles live on its Bird team (docs/bird.md, H2), found through
``GroupRoleMap`` (A2); without a team, or without the Accounts API, the role checklist is off and says why.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Slot

from birdadmin.bird.models import Team
from birdadmin.domain.changes import Change, plan_members
from birdadmin.qtmodels.plan_marks import ADDED, REMOVED, Mark
from birdadmin.qtmodels.records import Record
from birdadmin.scim.resources import Group
from birdadmin.ui import bulk_plan
from birdadmin.ui.context import WindowContext
from birdadmin.ui.group_roles_plan import blocked_reason, group_team, plan_group_role
from birdadmin.ui.groups_view import GroupDetailPane
from birdadmin.ui.role_checklist import role_entries
from birdadmin.ui.user_picker import UserPickerDialog, server_search


class GroupEditing(QObject):
    def __init__(self, context: WindowContext, pane: GroupDetailPane) -> None:
        super().__init__(pane)
        self._context = context
        self._pane = pane
        self._group: Group | None = None
        self._shown: tuple[Change | None, Change | None] = (None, None)
        self.picker: UserPickerDialog | None = None
        pane.group_shown.connect(self.show)
        pane.add_members_button.clicked.connect(self.open_picker)
        pane.remove_members_button.clicked.connect(self.remove_selected)
        pane.members_table.selectionModel().selectionChanged.connect(lambda *_: self._enable_members())
        pane.role_checklist.toggled.connect(self._role_toggled)
        context.pending.changed.connect(self._pending_changed)
        context.pending.writable_changed.connect(lambda _writable: self.render())
        self.render()

    @Slot(object)
    def show(self, group: Group | None) -> None:
        self._group = group
        self.render()

    def _changes(self) -> tuple[Change | None, Change | None]:
        group, pending = self._group, self._context.pending
        if group is None:
            return None, None
        return pending.get(("group-members", group.id)), pending.get(("group-roles", group.id))

    @Slot()
    def _pending_changed(self) -> None:
        if self._group is not None and any(a is not b for a, b in zip(self._changes(), self._shown, strict=True)):
            self.render()

    def render(self) -> None:
        self._shown = self._changes()
        self._render_members()
        self._render_roles()

    # -- members ----------------------------------------------------------------------------------------------

    def _render_members(self) -> None:
        group, change = self._group, self._shown[0]
        if group is None or group.members is None:
            self._enable_members()
            return
        loaded = group.member_ids
        before = change.before if change is not None else loaded
        after = change.after if change is not None else loaded
        had, has = set(before), set(after)
        marks: dict[str, Mark] = {uid: ADDED for uid in after if uid not in had}
        marks.update({uid: REMOVED for uid in before if uid not in has})
        displays = {m.value: m.display for m in group.members}
        # Planned rows first, so that what is about to change is in view (the header sorts them otherwise).
        order = [*(u for u in after if u in marks), *(u for u in before if u not in has),
                 *(u for u in after if u not in marks)]
        rows = [self._member_row(uid, displays.get(uid, ""), marks.get(uid, "")) for uid in order]
        self._pane.show_members(rows, marks)
        self._enable_members()

    def _member_row(self, user_id: str, display: str, mark: Mark) -> Record:
        organization = self._context.organization
        user = organization.users.get(user_id) if organization is not None else None
        name = user.user_name if user is not None else user_id
        shown = (user.display_name if user is not None else "") or display
        text = {ADDED: self.tr("+ planned"), REMOVED: self.tr("- planned")}.get(mark, "")
        return Record((text, name, shown), user_id)

    def _enable_members(self) -> None:
        pane, pending, group = self._pane, self._context.pending, self._group
        change = self._shown[0]
        reason = pending.read_only_reason if not pending.writable else ""
        if not reason and change is not None and change.status == "in-flight":
            reason = self.tr("This group's member change is being applied.")
        ready = group is not None and group.members is not None and self._context.org is not None and not reason
        selected = bool(pane.members_table.selectionModel().selectedRows())
        pane.add_members_button.setEnabled(ready)
        pane.remove_members_button.setEnabled(ready and selected)
        for widget in (pane.add_members_button, pane.remove_members_button):
            widget.setToolTip(reason)
        note = reason
        if not note and change is not None and change.status in ("conflict", "failed") and change.reason:
            note = self.tr("The planned member change was not applied: {reason}").format(reason=change.reason)
        pane.members_note.setText(note)
        pane.members_note.setVisible(bool(note))

    def _members_base(self) -> tuple[Group, list[str]] | None:
        group = self._group
        if group is None or group.members is None or not self._context.pending.writable:
            return None
        queued = self._context.pending.get(("group-members", group.id))
        if queued is not None and queued.status == "in-flight":
            return None  # being applied: a new plan waits for its outcome
        return group, list(group.member_ids)

    @Slot()
    def remove_selected(self) -> bool:
        """Plan removing the selected members (one undo step)."""
        base, ids = self._members_base(), self._pane.selected_member_ids()
        if base is None or not ids:
            return False
        group, loaded = base
        pending = self._context.pending
        present = bulk_plan.present_members(pending.queue, group.id, loaded)
        ids = [uid for uid in ids if uid in set(present)]
        if not ids:
            return False
        name = group.display_name or group.id
        change = plan_members(pending.queue, group.id, name, loaded, remove=ids, version=group.version)
        if len(ids) == 1:
            text = self.tr("Remove {user} from group {group}").format(user=self._user_name(ids[0]), group=name)
        else:
            text = self.tr("Remove {count} members from group {group}").format(count=len(ids), group=name)
        pending.plan([change], text)
        return True

    def _user_name(self, user_id: str) -> str:
        organization = self._context.organization
        user = organization.users.get(user_id) if organization is not None else None
        return user.user_name if user is not None else user_id

    @Slot()
    def open_picker(self) -> UserPickerDialog | None:
        """"Add members...": the user picker, members (as planned) greyed; accepting plans the additions."""
        base, session = self._members_base(), self._context.session
        if base is None or session is None:
            return None
        group, loaded = base
        present = bulk_plan.present_members(self._context.pending.queue, group.id, loaded)
        organization = self._context.organization
        dialog = UserPickerDialog(
            self._context.runner, server_search(session.scim),
            lambda: organization.users if organization is not None else (),
            title=self.tr("Add members to {group}").format(group=group.display_name or group.id),
            accept_text=self.tr("Add members"), excluded={uid: self.tr("already a member") for uid in present},
            parent=self._pane,
        )
        dialog.accepted.connect(lambda: self.add_members(group, loaded, [u.id for u in dialog.chosen()]))
        dialog.finished.connect(dialog.deleteLater)
        self.picker = dialog
        dialog.open()
        return dialog

    def add_members(self, group: Group, loaded: list[str], user_ids: list[str]) -> bool:
        pending = self._context.pending
        if not user_ids or not pending.writable:
            return False
        name = group.display_name or group.id
        change = bulk_plan.plan_member_addition(pending.queue, group.id, name, loaded, user_ids, group.version)
        if change is None:
            return False
        if len(user_ids) == 1:
            text = self.tr("Add {user} to group {group}").format(user=self._user_name(user_ids[0]), group=name)
        else:
            text = self.tr("Add {count} members to group {group}").format(count=len(user_ids), group=name)
        pending.plan([change], text)
        return True

    # -- roles ------------------------------------------------------------------------------------------------

    def _team(self) -> tuple[Team | None, str]:
        """The group's Bird team, or None and the sentence that says why its roles cannot be changed."""
        return group_team(self._context, self._group.id) if self._group is not None else (None, "")

    def _render_roles(self) -> None:
        checklist, org, group, change = self._pane.role_checklist, self._context.org, self._group, self._shown[1]
        team, _why = self._team()
        if group is None or org is None:
            checklist.set_entries([])
            checklist.list.setEnabled(False)
            checklist.show_note("")
            return
        loaded = org.group_map.roles_for(group.id)
        before = change.before if change is not None else loaded
        after = change.after if change is not None else loaded
        checklist.set_entries(role_entries(org.catalogue, before, after) if team is not None else [])
        reason = blocked_reason(self._context, group.id)  # no team, read-only, or being applied
        checklist.list.setEnabled(not reason)
        checklist.list.setToolTip(reason)
        checklist.show_note(reason)

    @Slot(str, bool)
    def _role_toggled(self, role_id: str, checked: bool) -> None:
        self.plan_role(role_id, add=checked)

    def plan_role(self, role_id: str, *, add: bool) -> bool:
        """Plan one role added to (removed from) the group's team (one undo step; ui/group_roles_plan.py)."""
        group = self._group
        planned = group is not None and plan_group_role(self._context, group.id, group.display_name or group.id,
                                                        role_id, add=add)
        self.render()
        return planned
