"""Planning the roles a group gives, shared by the group's Roles tab (ui/group_editing.py) and the matrix's groups
view (ui/matrix_menu.py), so that both find the group's Bird team the same way and say the same thing when they
cannot.

A group's roles live on its Bird team (docs/bird.md, H2), found through ``GroupRoleMap`` (A2); the change is
written to that team (A3, U7: ``team.version`` is the precondition kept with the change). Nothing is sent here:
the change goes into ``context.pending`` as one undo step.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication

from birdadmin.bird.models import Team
from birdadmin.domain.changes import plan_group_roles
from birdadmin.ui.context import WindowContext


def _tr(text: str) -> str:
    return QCoreApplication.translate("GroupEditing", text)


def group_team(context: WindowContext, group_id: str) -> tuple[Team | None, str]:
    """The group's Bird team, or None and the sentence that says why its roles cannot be changed ("" when not
    connected at all)."""
    org, session = context.org, context.session
    if org is None or session is None:
        return None, ""
    if session.accounts is None:
        return None, _tr("The Accounts API is not configured for this connection, so the roles a group gives cannot "
                         "be changed here.")
    if not org.group_roles_known:
        return None, _tr("Bird's groups could not be read from the Accounts API, so the roles this group gives "
                         "cannot be changed.")
    team = org.group_map.team(group_id)
    if team is None:
        return None, _tr("No Bird group (team) matches this SCIM group, so the roles it gives cannot be changed "
                         "here.")
    return team, ""


def blocked_reason(context: WindowContext, group_id: str) -> str:
    """Why a role of this group cannot be planned now ("" when it can): no team (see :func:`group_team`), a
    read-only connection, or a role change of the group being applied."""
    _team, why = group_team(context, group_id)
    pending = context.pending
    if not why and not pending.writable:
        why = pending.read_only_reason
    queued = pending.get(("group-roles", group_id))
    if not why and queued is not None and queued.status == "in-flight":
        why = _tr("This group's role change is being applied.")
    return why


def present_group_roles(context: WindowContext, group_id: str) -> tuple[str, ...]:
    """The roles the group gives as planned: the queued change's ``after``, or its team's roles as loaded."""
    queued = context.pending.get(("group-roles", group_id))
    if queued is not None:
        return queued.after
    org = context.org
    return org.group_map.roles_for(group_id) if org is not None else ()


def plan_group_role(context: WindowContext, group_id: str, group_name: str, role_id: str, *, add: bool) -> bool:
    """Plan one role added to (removed from) the group's team as one undo step; False when it cannot be planned
    (no team, read-only, being applied) or would change nothing."""
    org, pending = context.org, context.pending
    team, _why = group_team(context, group_id)
    if org is None or team is None or blocked_reason(context, group_id):
        return False
    change = plan_group_roles(pending.queue, group_id, group_name, team.id, org.group_map.roles_for(group_id),
                              add=[role_id] if add else [], remove=[] if add else [role_id], version=team.version)
    role = org.catalogue.name_for(role_id)
    text = (_tr("Add role {role} to group {group}") if add else
            _tr("Remove role {role} from group {group}")).format(role=role, group=group_name)
    if not pending.queue.would_change([change]):
        return False
    pending.plan([change], text)
    return True
