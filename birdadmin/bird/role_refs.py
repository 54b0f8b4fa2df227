"""Planning a team's new ``roleRefs`` from its current ones.

Workspace scoping lives only on ``roleRefs`` (SCIM has no counterpart), so every plan starts from the team's
current refs and keeps each surviving ref exactly as Bird sent it: adding or removing one role must never drop
another role's workspaces. New roles are organization-wide.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from birdadmin.bird.models import RoleRef


def _ids(role_ids: Iterable[str]) -> list[str]:
    out: list[str] = []
    for role in role_ids:
        role = role.strip().lower()
        if role and role not in out:
            out.append(role)
    return out


def with_roles_added(current: Sequence[RoleRef], role_ids: Iterable[str]) -> tuple[RoleRef, ...]:
    present = {ref.id.lower() for ref in current}
    return tuple(current) + tuple(RoleRef(role) for role in _ids(role_ids) if role not in present)


def with_roles_removed(current: Sequence[RoleRef], role_ids: Iterable[str]) -> tuple[RoleRef, ...]:
    drop = set(_ids(role_ids))
    return tuple(ref for ref in current if ref.id.lower() not in drop)


def with_roles_set(current: Sequence[RoleRef], role_ids: Iterable[str]) -> tuple[RoleRef, ...]:
    """Exactly ``role_ids``: refs already present keep their place and workspaces, new ones are appended."""
    wanted = _ids(role_ids)
    keep = set(wanted)
    kept = tuple(ref for ref in current if ref.id.lower() in keep)
    present = {ref.id.lower() for ref in kept}
    return kept + tuple(RoleRef(role) for role in wanted if role not in present)


@dataclass(frozen=True, slots=True)
class RoleRefChange:
    """What a plan does, for a dry run or a confirmation: role ids added, removed and kept."""

    added: tuple[str, ...]
    removed: tuple[str, ...]
    kept: tuple[str, ...]

    @property
    def is_empty(self) -> bool:
        return not self.added and not self.removed


def describe_change(current: Sequence[RoleRef], planned: Sequence[RoleRef]) -> RoleRefChange:
    before = _ids(ref.id for ref in current)
    after = _ids(ref.id for ref in planned)
    return RoleRefChange(
        added=tuple(r for r in after if r not in before),
        removed=tuple(r for r in before if r not in after),
        kept=tuple(r for r in before if r in after),
    )
