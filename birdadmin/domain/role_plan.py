"""Planning a role change: which roles a user will hold after ``add``, ``remove`` or ``set``. Pure Python.

One planner for every entry point: the SCIM client computes what it sends with :func:`plan_roles` (from a fresh
read, again after a conflict), and the CLI's ``--dry-run`` shows the same function's answer, so what a dry run
shows is what a real run would send.

Rules:

- role UUIDs compare case-insensitively (a server may hold ``5F0C...`` where the person typed ``5f0c...``); a role
  the user already holds keeps the server's spelling, so nothing is duplicated and nothing is silently kept;
- values that are not UUIDs compare exactly;
- a change that leaves a user who holds roles with none empties the array, which Bird reads as "no roles at all"
  (docs/bird.md, H1): ``set`` with no roles, or ``remove`` of the last ones. It is refused unless asked for
  explicitly (``allow_empty``), checked against the roles the user holds when the change is planned;
- ``add`` and ``remove`` need at least one role.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from birdadmin.errors import InputError
from birdadmin.scim.role_values import plan_roles, refuse_emptying, role_key

Action = Literal["add", "remove", "set"]
ACTIONS: tuple[Action, ...] = ("add", "remove", "set")


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
        after = plan_roles(current, **self.change())
        refuse_emptying(current, after, allow_empty=self.allow_empty, subject=self.subject)
        return RolePlan(tuple(current), tuple(after))
