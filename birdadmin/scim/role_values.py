"""How a user's role values compare, and how a change to them is planned: the rules of the ``roles`` attribute.

They sit below the SCIM client because the client applies them on every attempt (from a fresh read, and again
after a conflict); ``domain/role_plan.py`` builds a person's request on them, so a dry run and a real run agree.
The rules themselves are described there.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from birdadmin.errors import InputError
from birdadmin.scim.resources import RolesShape, encode_roles, is_uuid


@functools.lru_cache(maxsize=4096)
def role_key(role: str) -> str:
    """What two role values are compared by: UUIDs without case, anything else exactly.

    Cached: an organization has a few dozen role values, and queueing a 10,000-user edit compares each user's
    list several times on the GUI thread (the regular expression was most of that time)."""
    return role.lower() if is_uuid(role) else role


def plan_roles(
    current: Sequence[str], *, set_to: Sequence[str] | None = None, add: Iterable[str] = (), remove: Iterable[str] = ()
) -> list[str]:
    """The target role list, order kept: ``set_to`` replaces, then ``add`` appends and ``remove`` drops."""
    spelled = {role_key(r): r for r in current}
    planned: dict[str, str] = {}
    for role in [*(set_to if set_to is not None else current), *add]:
        key = role_key(role)
        planned.setdefault(key, spelled.get(key, role))
    dropped = {role_key(r) for r in remove}
    return [role for key, role in planned.items() if key not in dropped]


def refuse_emptying(before: Sequence[str], after: Sequence[str], *, allow_empty: bool, subject: str) -> None:
    """Refuse a plan that takes every role from someone who holds some, unless it was asked for explicitly."""
    if before and not after and not allow_empty:
        raise InputError(
            f"This would remove every role {subject} (Bird reads an empty list as no roles at all), so nothing was "
            "changed; pass --allow-empty if that is really meant."
        )


# -- the wire form of a change (docs/bird.md, U1 and U8) ---------------------------------------------------------


def roles_as_read(user: Mapping[str, Any]) -> list[Any] | None:
    """The ``roles`` items exactly as the server sent them, or None when it sent none (absent or null).

    Absent is not empty: a server may leave ``roles`` out unless asked (docs/bird.md, U8), and writing back a list
    planned from nothing would remove every role it did not show (H1).
    """
    value = user.get("roles")
    if value is None:
        return None
    return [value] if isinstance(value, (str, dict)) else list(value) if isinstance(value, list) else None


def _value(item: Any) -> str | None:
    role = item.get("value") if isinstance(item, dict) else item
    return role if isinstance(role, str) and role else None


def new_roles_shape(as_read: Sequence[Any] | None, configured: RolesShape) -> RolesShape:
    """The shape of roles added to a list: the list's own when all its items share one, else the configured one."""
    kinds = {type(item) for item in as_read or () if _value(item) is not None}
    if kinds == {dict}:
        return RolesShape.COMPLEX
    if kinds == {str}:
        return RolesShape.STRINGS
    return configured


def encode_keeping(as_read: Sequence[Any] | None, target: Sequence[str], configured: RolesShape) -> list[Any]:
    """``target`` on the wire: every role the change keeps exactly as it was read (a complex role keeps its
    ``type``, ``display``, ``primary`` and anything else), new ones in :func:`new_roles_shape`."""
    read: dict[str, Any] = {}
    for item in as_read or ():
        role = _value(item)
        if role is not None:
            read.setdefault(role_key(role), item)
    shape = new_roles_shape(as_read, configured)
    return [read[role_key(r)] if role_key(r) in read else encode_roles([r], shape)[0] for r in target]
