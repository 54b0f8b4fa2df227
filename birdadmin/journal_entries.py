"""What one journal entry holds (``store/journal.py``), built the same way by the CLI and by the window.

The CLI's write commands and the window's apply engine (``services/apply.py``) append entries of one shape: the
time, the OS user, the connection (``profile``: a profile's name and id, or a Base URL; never a key), the target,
the action, ``before`` and ``after``, the status and the write requests' outcomes (method, path, status). Entries
made by the window also say ``"via": "window"`` and carry the planned change's id. Access keys created, revoked
and rotated (from either) are entries of target kind "access key" (below). Qt-free and free of I/O.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from birdadmin.domain.journal_undo import KEY_KIND

if TYPE_CHECKING:
    from birdadmin.bird.access_keys import AccessKey
    from birdadmin.bird.accounts import TeamRoleChange
    from birdadmin.domain.changes import Change
    from birdadmin.domain.role_plan import RoleRequest
    from birdadmin.scim.resources import Group
    from birdadmin.scim.writes import RoleChange

# A planned change's final status as the journal names it (the CLI's word for an applied change is "changed").
JOURNAL_STATUS = {"done": "changed", "conflict": "conflict", "failed": "failed"}
_ACTIONS = {"user-roles": "users roles set", "group-members": "groups members change",
            "group-roles": "groups roles set"}


def connection_record(base_url: str, *, profile: tuple[str, str | None] | None = None,
                      demo: bool = False) -> dict[str, Any]:
    """Which connection an entry was made on, the same for the window and the CLI: a profile by (name, id), else
    the Base URL without user info, query or fragment (never a key), named "demo" for the built-in demo."""
    if profile is not None:
        return {"name": profile[0], "id": profile[1]}
    import httpx

    url = httpx.URL(base_url)
    base = str(url.copy_with(userinfo=b"", query=None, fragment=None))
    return {"name": "demo", "baseUrl": base} if demo else {"baseUrl": base}


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


def take_requests(seen: list[dict[str, Any]], content: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The write requests an entry records, removed from ``seen`` (what the command's clients noted so far).

    A user's entry takes only the requests to that user: ``users roles bulk`` changes many users at once, so the
    requests of users still being changed are left for their own entries. Any other entry takes them all. Worker
    threads may append to ``seen`` meanwhile; only what was taken is removed.
    """
    target = content.get("target") or {}
    if target.get("kind") != "user" or not target.get("id"):
        taken = list(seen)
        del seen[: len(taken)]  # appends go to the end: what came in meanwhile stays
        return taken
    suffix = f"/Users/{target['id']}"
    taken = [r for r in list(seen) if str(r.get("path", "")).endswith(suffix)]
    for request in taken:
        seen.remove(request)
    return taken


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


# -- access keys (bird/access_keys.py; docs/bird.md A7 to A9) -------------------------------------------------
# A key entry's target is {"kind": "access key", id, name, suffix}; ``roles`` holds the key's role UUIDs and
# ``before`` / ``after`` the suffixes of the keys concerned before and after the event (never a secret, never a
# whole key: the suffix is all Bird shows of one after it is created).

KEY_ACTIONS = {"create": "keys create", "revoke": "keys revoke", "rotate": "keys rotate"}


def _key_target(key: AccessKey) -> dict[str, Any]:
    return {"kind": KEY_KIND, "id": key.id, "name": key.name, "suffix": key.suffix}


def key_created_entry(key: AccessKey, requested: Sequence[str], *, reason: str = "") -> dict[str, Any]:
    """A key created: its roles as the server said them (what was asked for when it did not say, A7)."""
    roles = list(key.role_ids) if key.role_ids is not None else list(requested)
    entry: dict[str, Any] = {"target": _key_target(key), "action": KEY_ACTIONS["create"], "roles": roles,
                             "before": [], "after": [key.suffix], "status": "created"}
    if reason:  # created, but a later step (storing it in the keyring) failed
        entry["reason"] = reason
    return entry


def key_revoked_entry(key: AccessKey) -> dict[str, Any]:
    return {"target": _key_target(key), "action": KEY_ACTIONS["revoke"],
            "roles": list(key.role_ids) if key.role_ids is not None else None,
            "before": [key.suffix], "after": [], "status": "revoked"}


def key_rotation_entry(old: AccessKey | None, new: AccessKey | None, completed: Sequence[str],
                       stopped_at: str | None, message: str) -> dict[str, Any] | None:
    """A rotation (services/key_rotation.py's result) that created a new key; None when it stopped before one was
    created (nothing changed on the server).

    ``before`` is the suffix of the key the profile used and ``after`` the one it uses now; a rotation that stopped
    says at which step (``failedStep``) and why (``reason``, the rotation's own sentence)."""
    if old is None or new is None:
        return None
    entry: dict[str, Any] = {
        "target": _key_target(old), "action": KEY_ACTIONS["rotate"],
        "roles": list(old.role_ids) if old.role_ids is not None else None,
        "before": [old.suffix], "after": [new.suffix] if "switch" in completed else [old.suffix],
        "status": "rotated" if stopped_at is None else "failed",
        "newKey": {"id": new.id, "name": new.name, "suffix": new.suffix},
        "completed": list(completed),
    }
    if stopped_at is not None:
        entry["failedStep"] = stopped_at
        entry["reason"] = message
    return entry


def key_entry_text(content: Mapping[str, Any]) -> str | None:
    """An access-key entry in words for the journal's listings (None for any other entry); untrusted shapes."""
    target = content.get("target")
    if not isinstance(target, Mapping) or target.get("kind") != KEY_KIND:
        return None
    suffix = f"…{target.get('suffix')}" if isinstance(target.get("suffix"), str) else "…?"
    action, status = content.get("action"), str(content.get("status") or "unknown")
    if action == KEY_ACTIONS["create"]:
        text = f"key created {suffix}"
    elif action == KEY_ACTIONS["revoke"]:
        text = f"key revoked {suffix}"
    elif action == KEY_ACTIONS["rotate"]:
        new = content.get("newKey")
        new_suffix = new.get("suffix") if isinstance(new, Mapping) else None
        text = f"key rotated {suffix} -> …{new_suffix if isinstance(new_suffix, str) else '?'}"
    else:
        text = f"key {action or 'event'} {suffix}"
    if status not in ("created", "revoked", "rotated"):
        step = content.get("failedStep")
        text += f" ({status}{f' at {step}' if isinstance(step, str) else ''})"
    return text
