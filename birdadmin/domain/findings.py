"""Audit findings: the role situations an auditor wants listed, each with a one-line description.

One pass over the users with per-role and per-group answers cached, so an organization of 50,000 users is
audited in a fraction of a second. The older listing, kept for its existing callers (the SCIM benchmark); the
audit's findings as the window, the CLI and the report show them are ``birdadmin.domain.audit_findings.findings``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import ClassVar

from birdadmin.domain.catalogue import RoleCatalogue
from birdadmin.scim.resources import User


@dataclass(frozen=True, slots=True)
class UnknownRoles:
    """Direct role UUIDs the catalogue has no name for: stale roles, or a catalogue that is out of date."""

    kind: ClassVar[str] = "unknown-role"
    user_id: str
    user_label: str
    role_ids: tuple[str, ...]

    @property
    def description(self) -> str:
        roles = ", ".join(self.role_ids)
        plural = "s" if len(self.role_ids) > 1 else ""
        return f"{self.user_label} holds role{plural} not in the catalogue: {roles}."


@dataclass(frozen=True, slots=True)
class GroupUnknownRoles:
    kind: ClassVar[str] = "group-unknown-role"
    group_id: str
    group_name: str
    role_ids: tuple[str, ...]

    @property
    def description(self) -> str:
        roles = ", ".join(self.role_ids)
        return f"Group {self.group_name or self.group_id} carries roles not in the catalogue: {roles}."


@dataclass(frozen=True, slots=True)
class InactiveWithRoles:
    """Deactivated users keep their roles in Bird; reactivation would restore them silently."""

    kind: ClassVar[str] = "inactive-with-roles"
    user_id: str
    user_label: str
    direct_roles: tuple[str, ...]
    group_roles: tuple[str, ...]

    @property
    def description(self) -> str:
        parts = []
        if self.direct_roles:
            parts.append(f"{len(self.direct_roles)} directly")
        if self.group_roles:
            parts.append(f"{len(self.group_roles)} through groups")
        return f"{self.user_label} is inactive but still holds roles ({', '.join(parts)})."


@dataclass(frozen=True, slots=True)
class NoRoles:
    kind: ClassVar[str] = "no-roles"
    user_id: str
    user_label: str

    @property
    def description(self) -> str:
        return f"{self.user_label} is active but has no roles, directly or through a group."


@dataclass(frozen=True, slots=True)
class RedundantRole:
    """A role held directly and through a group: removing either grant alone changes nothing."""

    kind: ClassVar[str] = "redundant-role"
    user_id: str
    user_label: str
    role_id: str
    role_name: str
    groups: tuple[str, ...]  # names (or ids) of the groups that also grant it

    @property
    def description(self) -> str:
        return f"{self.user_label} holds {self.role_name} both directly and through group {', '.join(self.groups)}."


Finding = UnknownRoles | GroupUnknownRoles | InactiveWithRoles | NoRoles | RedundantRole


def audit(
    users: Iterable[User],
    catalogue: RoleCatalogue,
    memberships: Mapping[str, Sequence[tuple[str, str]]],
    group_roles: Mapping[str, Sequence[str]],
    *,
    group_names: Mapping[str, str] | None = None,
    check_unknown: bool | None = None,
) -> list[Finding]:
    """Every finding, grouped by kind (unknown roles, inactive, no roles, redundant), users in input order.

    ``check_unknown`` defaults to whether the catalogue has any names: with a learned-only catalogue every
    role is "unknown", and listing every user would hide the findings that matter.
    """
    if check_unknown is None:
        check_unknown = catalogue.has_names()
    lowered_groups = {gid: tuple(dict.fromkeys(r.lower() for r in roles)) for gid, roles in group_roles.items()}
    known: dict[str, bool] = {}

    def is_known(role: str) -> bool:
        answer = known.get(role)
        if answer is None:
            answer = known[role] = catalogue.is_known(role)
        return answer

    unknown: list[Finding] = []
    if check_unknown:
        names = group_names or {}
        for gid, roles in lowered_groups.items():
            missing = tuple(r for r in roles if not is_known(r))
            if missing:
                unknown.append(GroupUnknownRoles(gid, names.get(gid, ""), missing))
    inactive: list[Finding] = []
    empty: list[Finding] = []
    redundant: list[Finding] = []
    for user in users:
        direct = tuple(dict.fromkeys(r.lower() for r in user.roles)) if user.roles else ()  # one per UUID
        via: dict[str, list[str]] = {}
        for gid, gname in memberships.get(user.id, ()):
            for role in lowered_groups.get(gid, ()):
                via.setdefault(role, []).append(gname or gid)
        if check_unknown and direct:
            missing = tuple(r for r in direct if not is_known(r))
            if missing:
                unknown.append(UnknownRoles(user.id, user.label, missing))
        if not user.active:
            if direct or via:
                inactive.append(InactiveWithRoles(user.id, user.label, direct, tuple(via)))
        elif not direct and not via:
            empty.append(NoRoles(user.id, user.label))
        if direct and via:
            for role in direct:
                groups = via.get(role)
                if groups:
                    redundant.append(RedundantRole(user.id, user.label, role, catalogue.name_for(role), tuple(groups)))
    return unknown + inactive + empty + redundant
