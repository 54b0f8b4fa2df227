"""How a user's role values compare, and how a change to them is planned: the rules of the ``roles`` attribute.

They sit below the SCIM client because the client applies them on every attempt (from a fresh read, and again
after a conflict); ``domain/role_plan.py`` builds a person's request on them, so a dry run and a real run agree.
The rules themselves are described there.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from birdadmin.errors import InputError
from birdadmin.scim.resources import is_uuid


def role_key(role: str) -> str:
    """What two role values are compared by: UUIDs without case, anything else exactly."""
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
