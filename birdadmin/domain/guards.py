"""Guards against changes that cost people their access, checked before anything is written. Pure Python.

One place for the window and the CLI: given the organization as loaded (:class:`OrgSnapshot`) and the changes
planned (:class:`PlannedChanges`), :func:`check` returns what would go wrong, each a sentence naming the override
that lets it through:

- a user left with no roles (docs/bird.md, H1): the planner's own rule, ``scim/role_values.refuse_emptying``,
  applied to each user's change (override ``allow_empty``);
- the organization left with no active Owner, counting Owner held directly and through groups (docs/bird.md, H2),
  whether the change removes the role from a user, removes a member from a group that gives Owner, or takes Owner
  from a group's roles (override ``allow_no_owner``); an inactive user is no Owner. When exactly one active
  Owner would remain, a warning says so (not a refusal);
- a batch touching more users than ``batch_threshold`` needs confirming (override ``confirmed``).

The Owner role is the catalogue's role named "Owner" (case-insensitive), or ``owner_role_id`` when given (a
profile or ``--owner-role``). When neither tells it, the Owner guard cannot check and says so in a warning.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

from birdadmin.domain.catalogue import RoleCatalogue
from birdadmin.domain.thresholds import DEFAULT_BATCH_THRESHOLD
from birdadmin.errors import InputError
from birdadmin.scim.resources import User
from birdadmin.scim.role_values import refuse_emptying

OWNER_NAME = "owner"

GuardName = Literal["empty", "no-owner", "batch"]
Override = Literal["allow_empty", "allow_no_owner", "confirmed"]


@dataclass(frozen=True, slots=True)
class UserRolesChange:
    """A user's direct roles after the change."""

    user_id: str
    roles_after: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class MemberRemoval:
    """Users taken out of a group."""

    group_id: str
    user_ids: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class MemberAddition:
    """Users put into a group: it costs no one access, but counts towards the batch size."""

    group_id: str
    user_ids: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class GroupRolesChange:
    """The roles a group gives its members after the change."""

    group_id: str
    roles_after: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class PlannedChanges:
    user_roles: tuple[UserRolesChange, ...] = ()
    member_removals: tuple[MemberRemoval, ...] = ()
    group_roles: tuple[GroupRolesChange, ...] = ()
    member_additions: tuple[MemberAddition, ...] = ()

    def touched_users(self) -> frozenset[str]:
        """Users whose own roles or memberships change (a group's role edit is counted by the group, not here)."""
        ids = {c.user_id for c in self.user_roles}
        for removal in self.member_removals:
            ids.update(removal.user_ids)
        for addition in self.member_additions:
            ids.update(addition.user_ids)
        return frozenset(ids)


@dataclass(frozen=True, slots=True)
class OrgSnapshot:
    """The organization as loaded: users (with ``roles`` and ``active``), who is in which group, each group's roles
    (``GroupRoleMap.group_roles()``) and the role catalogue."""

    users: Sequence[User]
    memberships: Mapping[str, Sequence[tuple[str, str]]]  # user id -> ((group id, group name), ...)
    group_roles: Mapping[str, Sequence[str]]  # group id -> role ids
    catalogue: RoleCatalogue = field(default_factory=RoleCatalogue)


@dataclass(frozen=True, slots=True)
class Overrides:
    allow_empty: bool = False
    allow_no_owner: bool = False
    confirmed: bool = False


@dataclass(frozen=True, slots=True)
class Violation:
    guard: GuardName
    message: str  # one sentence, naming the override
    override: Override


@dataclass(frozen=True, slots=True)
class GuardResult:
    violations: tuple[Violation, ...] = ()  # what refuses the change (overridden ones are left out)
    warnings: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.violations


def owner_role_ids(catalogue: RoleCatalogue | None, owner_role_id: str | None = None) -> frozenset[str]:
    """The Owner role: ``owner_role_id`` when given, else every named role called "Owner"; empty when unknown."""
    if owner_role_id:
        return frozenset({owner_role_id.strip().lower()})
    if catalogue is None or not catalogue.has_names():
        return frozenset()
    return frozenset(
        info.id for info in catalogue.roles() if info.source != "learned" and info.name.strip().casefold() == OWNER_NAME
    )


def owner_unknown_warning() -> str:
    return (
        "The Owner role is unknown here (no role names from the Accounts API or local names), so whether this "
        "leaves the organization without an Owner was not checked; name it with --owner-role UUID."
    )


def active_owners(
    org: OrgSnapshot, owners: frozenset[str], changes: PlannedChanges = PlannedChanges()
) -> frozenset[str]:
    """Ids of the active users holding an Owner role, directly or through a group, once ``changes`` are applied."""
    if not owners:
        return frozenset()
    direct = {c.user_id: c.roles_after for c in changes.user_roles}
    group_roles = dict(org.group_roles)
    for change in changes.group_roles:
        group_roles[change.group_id] = change.roles_after
    carrying = {gid for gid, roles in group_roles.items() if _has_owner(roles, owners)}
    removed: dict[str, set[str]] = {}
    for removal in changes.member_removals:
        for user_id in removal.user_ids:
            removed.setdefault(user_id, set()).add(removal.group_id)
    found: set[str] = set()
    for user in org.users:
        if not user.active:
            continue
        if _has_owner(direct.get(user.id, user.roles), owners):
            found.add(user.id)
            continue
        gone = removed.get(user.id, set())
        if any(gid in carrying and gid not in gone for gid, _ in org.memberships.get(user.id, ())):
            found.add(user.id)
    return frozenset(found)


def _has_owner(roles: Iterable[str], owners: frozenset[str]) -> bool:
    return any(r.lower() in owners for r in roles)  # role UUIDs compare without case


def check(
    org: OrgSnapshot,
    changes: PlannedChanges,
    overrides: Overrides = Overrides(),
    *,
    owner_role_id: str | None = None,
    batch_threshold: int = DEFAULT_BATCH_THRESHOLD,
) -> GuardResult:
    """Every guard over ``changes``; a violation an override allows is left out."""
    violations: list[Violation] = []
    warnings: list[str] = []

    by_id = {user.id: user for user in org.users}
    if not overrides.allow_empty:
        for change in changes.user_roles:
            user = by_id.get(change.user_id)
            before = user.roles if user is not None else ()
            who = f"of {user.user_name}" if user is not None and user.user_name else f"of user {change.user_id}"
            try:
                refuse_emptying(before, change.roles_after, allow_empty=False, subject=who)
            except InputError as exc:
                violations.append(Violation("empty", exc.message, "allow_empty"))

    owners = owner_role_ids(org.catalogue, owner_role_id)
    if not owners:
        warnings.append(owner_unknown_warning())
    else:
        owners_before = active_owners(org, owners)
        after = active_owners(org, owners, changes)
        if owners_before and not after and not overrides.allow_no_owner:
            violations.append(Violation(
                "no-owner",
                "This would leave the organization without an active Owner (held directly or through a group; "
                "Bird advises keeping one outside SCIM, docs/bird.md H2), so nothing was changed; pass "
                "--allow-no-owner if that is really meant.",
                "allow_no_owner",
            ))
        elif len(after) == 1 and len(owners_before) > 1:
            (last,) = after
            name = by_id[last].user_name if last in by_id else last
            warnings.append(f"After this change {name} is the only active Owner of the organization.")

    batch = batch_violation(changes, overrides, batch_threshold)
    if batch is not None:
        violations.append(batch)
    return GuardResult(tuple(violations), tuple(warnings))


def batch_violation(
    changes: PlannedChanges, overrides: Overrides = Overrides(), batch_threshold: int = DEFAULT_BATCH_THRESHOLD
) -> Violation | None:
    """The batch guard alone: it needs no organization."""
    touched = changes.touched_users()
    if len(touched) <= batch_threshold or overrides.confirmed:
        return None
    return Violation(
        "batch",
        f"This changes {len(touched)} users, more than {batch_threshold} at once, so nothing was changed; "
        "pass --yes to confirm.",
        "confirmed",
    )
