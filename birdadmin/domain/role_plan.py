"""Planning a role change: which roles a user will hold after ``add``, ``remove`` or ``set``. Pure Python.

One planner for every entry point: the SCIM client computes what it sends with :func:`plan_roles` (from a fresh
read, again after a conflict), and the CLI's ``--dry-run`` shows the same function's answer, so what a dry run
shows is what a real run would send.

Rules:

- role UUIDs compare case-insensitively (a server may hold ``5F0C...`` where the person typed ``5f0c...``); a role
  the user already holds keeps the server's spelling, so nothing is duplicated and nothing is silently kept;
- values that are not UUIDs compare exactly;
- ``set`` with no roles empties the array, which Bird reads as "no roles at all" (docs/bird.md, H1): it is refused
  unless it is asked for explicitly (``allow_empty``); ``add`` and ``remove`` need at least one role.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from birdadmin.domain.catalogue import is_uuid
from birdadmin.errors import InputError

Action = Literal["add", "remove", "set"]
ACTIONS: tuple[Action, ...] = ("add", "remove", "set")


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


@dataclass(frozen=True, slots=True)
class RolePlan:
    """Roles before and after a change, with what it adds and removes (compared as :func:`plan_roles` does)."""

    before: tuple[str, ...]
    after: tuple[str, ...]

    @property
    def added(self) -> tuple[str, ...]:
        had = {role_key(r) for r in self.before}
        return tuple(r for r in self.after if role_key(r) not in had)

    @property
    def removed(self) -> tuple[str, ...]:
        keeps = {role_key(r) for r in self.after}
        return tuple(r for r in self.before if role_key(r) not in keeps)

    @property
    def changed(self) -> bool:
        return bool(self.added or self.removed)


@dataclass(frozen=True, slots=True)
class RoleRequest:
    """What a person asked for: an action and its roles (already resolved to UUIDs), checked on creation.

    ``subject`` completes the sentences of the refusals: "... would remove every role {subject}".
    """

    action: Action
    roles: tuple[str, ...]
    allow_empty: bool = False
    command: str = "roles"
    subject: str = "of the user"

    def __post_init__(self) -> None:
        if self.action not in ACTIONS:
            raise InputError(f"Unknown role action {self.action!r}; use add, remove or set.")
        if self.action in ("add", "remove") and not self.roles:
            raise InputError(f"'{self.command} {self.action}' needs at least one role.")
        if self.action == "set" and not self.roles and not self.allow_empty:
            raise InputError(
                f"'{self.command} set' with no roles would remove every role {self.subject}; pass --allow-empty if "
                "that is really meant."
            )

    def change(self) -> dict[str, Any]:
        """The keyword arguments of :func:`plan_roles` (and of ``ScimClient.change_roles``) for this request."""
        if self.action == "set":
            return {"set_to": list(self.roles)}
        return {self.action: list(self.roles)}

    def plan(self, current: Sequence[str]) -> RolePlan:
        return RolePlan(tuple(current), tuple(plan_roles(current, **self.change())))
