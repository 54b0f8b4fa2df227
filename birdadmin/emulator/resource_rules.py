"""What a stored SCIM User or Group must be, checked on every create, replace and patch.

Required names, unique regardless of case, write-only attributes dropped, omitted roles read as no roles, and
group members that are known users, each listed once. Pure functions over the state's name indexes, so the rules
read apart from the locking and caching in ``state``.
"""

from __future__ import annotations

from typing import Any

from birdadmin.emulator.errors import ScimError, invalid_value


def validated_user(doc: dict[str, Any], rid: str, user_names: dict[str, str]) -> dict[str, Any]:
    """The user as it will be stored: a userName no other user has (case-insensitively), no password, a roles list."""
    name = doc.get("userName")
    if not isinstance(name, str) or not name.strip():
        raise invalid_value("userName is required")
    owner = user_names.get(name.casefold())
    if owner is not None and owner != rid:
        raise ScimError(409, f"userName {name} is already taken", "uniqueness")
    doc.pop("password", None)  # write-only and never kept: the emulator stores no secrets
    doc["roles"] = list(doc.get("roles") or [])  # omitted roles are NO roles (docs/bird.md, H1)
    return doc


def validated_group(
    doc: dict[str, Any], rid: str, group_names: dict[str, str], users: dict[str, dict[str, Any]]
) -> dict[str, Any]:
    """The group as it will be stored: a unique displayName, and members that are known users, each once."""
    name = doc.get("displayName")
    if not isinstance(name, str) or not name.strip():
        raise invalid_value("displayName is required")
    owner = group_names.get(name.casefold())
    if owner is not None and owner != rid:
        raise ScimError(409, f"a group named {name} already exists", "uniqueness")
    members: list[dict[str, Any]] = []
    seen: set[str] = set()
    for member in doc.get("members") or []:
        uid = member.get("value")
        if not isinstance(uid, str) or not uid:
            raise invalid_value("each member needs a value (the user's id)")
        kind = member.get("type", "User")
        if not isinstance(kind, str) or kind.lower() != "user":
            raise invalid_value("Bird groups hold users only; nested groups are not supported")
        user = users.get(uid)
        if user is None:
            raise invalid_value(f"member {uid} is not a known user")
        if uid in seen:
            continue
        seen.add(uid)
        item = {"value": uid, "display": member.get("display", user.get("displayName") or user["userName"]),
                "type": "User"}  # fmt: skip
        if "$ref" in member:
            item["$ref"] = member["$ref"]
        members.append(item)
    doc["members"] = members
    return doc
