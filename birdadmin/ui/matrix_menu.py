"""A matrix cell's context menu: plan a direct grant or revocation of the cell's role for the cell's user, or (groups
x roles) the role a group gives, through the change queue (nothing is sent from here; ``context.pending``). A
role held only through a group cannot be revoked directly: the menu says which group gives it (docs/bird.md, H2).
A group's roles are its Bird team's, planned as its Roles tab plans them (ui/group_roles_plan.py; H2, A2, U7):
without the Accounts API or a team the action is disabled and the menu says why. Read-only: the actions stay,
disabled, with the reason as the menu's first line."""

from __future__ import annotations

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu, QWidget

from birdadmin.domain.audit import INHERITED
from birdadmin.domain.changes import plan_user_roles
from birdadmin.qtmodels.matrix import MatrixData, via_groups
from birdadmin.scim.role_values import role_key
from birdadmin.ui import bulk_plan
from birdadmin.ui.context import WindowContext
from birdadmin.ui.group_roles_plan import blocked_reason, plan_group_role, present_group_roles


def _note(menu: QMenu, text: str) -> QAction:
    action = menu.addAction(text)
    action.setEnabled(False)
    return action


def cell_menu(context: WindowContext, data: MatrixData, row: int, col: int, parent: QWidget) -> QMenu:
    """The menu for matrix cell (row, col); a group row gets notes only (group roles are edited on the Groups
    page)."""
    menu = QMenu(parent)
    menu.setObjectName("matrixCellMenu")
    matrix = data.matrix
    role_id, role_name, row_name = matrix.role_ids[col], data.role_names[col], matrix.row_names[row]
    flags = data.planes[col][row]
    groups = via_groups(flags, matrix.sources(row, col)) if flags else []
    pending = context.pending
    if not pending.writable:
        _note(menu, menu.tr("Read-only: {reason}").format(reason=pending.read_only_reason))
    if flags & INHERITED:
        _note(menu, menu.tr("{role} comes through group {groups}").format(role=role_name, groups=", ".join(groups)))
    if data.kind == "groups":
        _group_action(context, menu, matrix.row_ids[row], row_name, role_id, role_name)
        return menu
    user = data.users.get(matrix.row_ids[row])
    if user is None:  # an access key's row (its roles are the key's, not planned here)
        return menu
    wanted = role_key(role_id)
    planned_direct = any(role_key(r) == wanted for r in bulk_plan.present_roles(pending.queue, user))
    if planned_direct:  # as planned: a revocation already queued offers the grant back
        text = menu.tr("Revoke direct {role} from {user} (planned)").format(role=role_name, user=row_name)
        action = menu.addAction(text)
        action.setObjectName("matrixRevokeAction")
        action.triggered.connect(lambda: pending.plan(
            plan_user_roles(pending.queue, [user], remove=[role_id]), text))
    else:
        text = menu.tr("Grant {role} to {user} (planned)").format(role=role_name, user=row_name)
        action = menu.addAction(text)
        action.setObjectName("matrixGrantAction")
        action.triggered.connect(lambda: pending.plan(plan_user_roles(pending.queue, [user], add=[role_id]), text))
    action.setEnabled(pending.writable and context.session is not None)
    if not pending.writable:
        action.setToolTip(pending.read_only_reason)
    return menu


def _group_action(context: WindowContext, menu: QMenu, group_id: str, group_name: str, role_id: str,
                  role_name: str) -> QAction:
    """Add (or, when the group gives it as planned, remove) the cell's role on the group's team."""
    wanted = role_key(role_id)
    gives = any(role_key(r) == wanted for r in present_group_roles(context, group_id))
    why = blocked_reason(context, group_id)
    if why and why != context.pending.read_only_reason:  # read-only is already the first line
        _note(menu, why)
    if gives:
        text = menu.tr("Remove role {role} from group {group} (planned)").format(role=role_name, group=group_name)
    else:
        text = menu.tr("Add role {role} to group {group} (planned)").format(role=role_name, group=group_name)
    action = menu.addAction(text)
    action.setObjectName("matrixGroupRemoveAction" if gives else "matrixGroupAddAction")
    action.triggered.connect(lambda: plan_group_role(context, group_id, group_name, role_id, add=not gives))
    action.setEnabled(not why and context.session is not None)
    action.setToolTip(why)
    return action
