"""What one journal entry holds (``store/journal.py``), built the same way by the CLI and by the window.

The CLI's write commands and the window's apply engine (``services/apply.py``) append entries of one shape: the
time, the OS user, the connection (``profile``: a profile's name and id, or a Base URL; never a key), the target,
the action, ``before`` and ``after``, the status and the write requests' outcomes (method, path, status). Entries
made by the window also say ``"via": "window"`` and carry the planned change's id. Qt-free and free of I/O.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from birdadmin.bird.accounts import TeamRoleChange
    from birdadmin.domain.changes import Change
    from birdadmin.domain.role_plan import RoleRequest
    from birdadmin.scim.resources import Group
    from birdadmin.scim.writes import RoleChange

# A planned change's final status as the journal names it (the CLI's word for an applied change is "changed").
JOURNAL_STATUS = {"done": "changed", "conflict": "conflict", "failed": "failed"}
_ACTIONS = {"user-roles": "users roles set", "group-members": "groups members change",
            "group-roles": "groups roles set"}


def envelope(
    content: Mapping[str, Any],
    *,
    time: str,
    os_user: str,
    profile: Mapping[str, Any],
    requests: Sequence[Mapping[str, Any]],
    extra: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The whole entry: who, when and where around ``content``, then the requests that were sent."""
    return {"time": time, "osUser": os_user, "profile": dict(profile), **content, **(extra or {}),
            "requests": [dict(r) for r in requests]}


def user_roles_entry(request: RoleRequest, result: RoleChange) -> dict[str, Any] | None:
    """The entry for a user role change, or None when nothing was changed (nothing to record)."""
    user = result.after
    if not result.roles_shown:  # accepted, but the server shows no roles: before and after are unknown (U8)
        before, after, status = None, None, "sent-unchecked"
    elif not result.changed:
        return None
    else:
        before, after, status = list(result.before.roles), list(result.after.roles), "changed"
    return {
        "target": {"kind": "user", "id": user.id, "name": user.user_name},
        "action": f"users roles {request.action}",
        "requested": list(request.roles),
        "before": before,
        "after": after,
        "status": status,
    }


def members_entry(action: str, group: Group, before: list[str], ids: list[str]) -> dict[str, Any]:
    return {
        "target": {"kind": "group", "id": group.id, "name": group.display_name},
        "action": f"groups members {action}",
        "requested": list(ids),
        "before": sorted(before),
        "after": sorted(group.member_ids),
        "status": "changed",
    }


def team_roles_entry(action: str, result: TeamRoleChange) -> dict[str, Any] | None:
    if not result.changed:
        return None
    team = result.after
    entry: dict[str, Any] = {
        "target": {"kind": "group", "id": team.id, "name": team.name},
        "action": f"groups roles {action}",
        "before": [ref.id for ref in result.before.role_refs],
        "after": [ref.id for ref in result.after.role_refs],
        "status": "changed" if result.meanwhile is None else "changed-meanwhile",
    }
    if result.meanwhile is not None:
        entry["now"] = list(result.meanwhile.role_ids)
    return entry


def change_entry(change: Change) -> dict[str, Any]:
    """The entry for a planned change that reached the server (done, or conflict/failed after a write was sent).

    ``before`` is the state it was planned against and ``after`` the state asked for; a conflict also records what
    the server held instead (``now``), a failure the server's reason. Member lists are sorted as the CLI's are.
    """
    members = change.kind == "group-members"
    target: dict[str, Any] = {"kind": "user" if change.kind == "user-roles" else "group", "id": change.target_id,
                              "name": change.target_name}
    if change.kind == "group-roles":
        target["teamId"] = change.team_id
    entry: dict[str, Any] = {
        "target": target,
        "action": _ACTIONS[change.kind],
        "requested": {"add": list(change.added), "remove": list(change.removed)},
        "before": sorted(change.before) if members else list(change.before),
        "after": sorted(change.after) if members else list(change.after),
        "status": JOURNAL_STATUS.get(change.status, change.status),
        "via": "window",
        "change": change.id,
    }
    if change.status == "conflict" and change.theirs is not None:
        entry["now"] = sorted(change.theirs) if members else list(change.theirs)
    if change.status in ("conflict", "failed") and change.reason:
        entry["reason"] = change.reason
    return entry
