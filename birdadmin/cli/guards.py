"""The guards of ``domain/guards.py`` run before the CLI's writes, with what they need loaded only when it matters.

The organization (every user, memberships, team roles) is loaded only when a change could take Owner from someone,
never for an ``add``; a group's roles are first read from the groups and teams alone. A guard that would refuse
is answered by ``cli/confirm.py`` (``--yes``, a typed "yes" on a terminal, else exit 2 with the guard's sentence);
warnings go to stderr. With a profile, its ``batch_threshold`` and ``owner_role_id`` are used (``--owner-role``
wins over the profile's).

The guards see the command's context through :class:`GuardContext`, the part of ``cli/context.py``'s ``CliContext``
they use: the context builds a :class:`CliGuards` (``CliContext.guards``), so this module never imports it back.
"""

from __future__ import annotations

import argparse
import dataclasses
from collections.abc import Sequence
from typing import IO, TYPE_CHECKING, Protocol, runtime_checkable

from birdadmin import errors
from birdadmin.cli import confirm
from birdadmin.scim.resources import is_uuid

if TYPE_CHECKING:
    from birdadmin.bird.accounts import AccountsClient
    from birdadmin.bird.models import RoleRef, Team
    from birdadmin.cli.output import Output
    from birdadmin.connection import ConnectionSpec
    from birdadmin.domain.catalogue import RoleCatalogue
    from birdadmin.domain.guards import GuardName, OrgSnapshot, PlannedChanges, Violation
    from birdadmin.domain.role_plan import RoleRequest
    from birdadmin.org_load import OrgData
    from birdadmin.scim.client import ScimClient
    from birdadmin.scim.resources import User
    from birdadmin.store.profile_model import Profile
    from birdadmin.store.profiles import ProfileStore


@runtime_checkable
class GuardContext(Protocol):
    """What the guards use of one command's context (``cli/context.py``'s ``CliContext`` is the one there is)."""

    out: Output
    stdin: IO[str]

    def connection(self) -> ConnectionSpec: ...
    def profiles(self) -> ProfileStore: ...
    def scim(self) -> ScimClient: ...
    def has_accounts(self) -> bool: ...
    def accounts(self) -> AccountsClient: ...
    def catalogue(self) -> RoleCatalogue: ...
    def require_writable(self, what: str) -> None: ...
    def guards(self) -> CliGuards: ...


def add_role_change_arguments(parser: argparse.ArgumentParser, action: str) -> None:
    """The roles of an add, remove or set, and the two overrides that depend on the action (one user or many)."""
    parser.add_argument("roles", metavar="ROLE", nargs="*", help="role UUID (or name, with the Accounts API)")
    if action != "remove":
        parser.add_argument("--allow-unknown-role", action="store_true",
                            help="use role UUIDs the role catalogue does not know (otherwise refused as likely typos)")
    if action != "add":
        parser.add_argument("--allow-empty", action="store_true",
                            help="allow removing every role (Bird reads an empty list as no roles at all)")


def add_guard_options(parser: argparse.ArgumentParser) -> None:
    """The overrides of the guards a removal runs (docs/bird.md, H1 and H2), and ``--yes`` that answers them all."""
    from birdadmin.domain.thresholds import DEFAULT_BATCH_THRESHOLD  # not the guards: `users list` needs none

    parser.add_argument("--allow-no-owner", action="store_true",
                        help="allow leaving the organization without an active Owner (directly or through groups)")
    parser.add_argument("--owner-role", metavar="UUID",
                        help="the Owner role's UUID, when role names are unknown (otherwise found by name, or the "
                        "profile's)")
    parser.add_argument("--yes", action="store_true",
                        help="answer the guards' confirmations for scripts (no roles left, no active Owner left, more "
                        f"users than the batch threshold: {DEFAULT_BATCH_THRESHOLD} or the profile's); without it a "
                        "guarded change asks on a terminal and is refused otherwise")


def confirm_empty_set(ctx: GuardContext, args: argparse.Namespace, command: str, subject: str) -> None:
    """``set`` with no roles empties the list (docs/bird.md, H1): without --allow-empty it needs confirming
    (``cli/confirm.py``); once answered, ``args.allow_empty`` is set. A read-only connection is refused first."""
    from birdadmin.domain.role_plan import RoleRequest

    if args.action != "set" or args.roles or not hasattr(args, "allow_empty") or args.allow_empty:
        return
    if not args.dry_run:
        ctx.require_writable(f"'{command} set'")
    try:
        RoleRequest("set", (), False, command, subject)  # refuses: its sentence is the one to confirm
    except errors.InputError as exc:
        ctx.guards().answer(args, [_empty_violation(exc.message)])
        args.allow_empty = True


def _empty_violation(message: str) -> Violation:
    """The no-roles-left guard's refusal (docs/bird.md, H1), found by the planner's own rule."""
    from birdadmin.domain.guards import Violation

    return Violation("empty", message, "allow_empty")


def _one_empty(violations: Sequence[Violation]) -> list[Violation]:
    """The no-roles-left refusals of many users as one sentence (the first few named), the others as they are."""
    empties = [v for v in violations if v.guard == "empty"]
    if len(empties) < 2:
        return list(violations)
    named = [v.message.partition(" every role of ")[2].partition(" (")[0] for v in empties[:3]]
    more = f" and {len(empties) - 3} more" if len(empties) > 3 else ""
    merged = _empty_violation(
        f"This would remove every role of {len(empties)} users ({', '.join(named)}{more}; Bird reads an empty list as "
        "no roles at all), so nothing was changed; pass --allow-empty if that is really meant."
    )
    return [merged, *(v for v in violations if v.guard != "empty")]


class CliGuards:
    """One command's guard runs; caches the organization it loaded for them."""

    def __init__(self, ctx: GuardContext) -> None:
        self._ctx = ctx
        self._org_data: OrgData | None = None
        self._org: OrgSnapshot | None = None
        self._answered: set[GuardName] = set()  # confirmed on a terminal or by --yes: not asked twice
        self._profile: Profile | None = None
        self._profile_read = False

    def answer(self, args: argparse.Namespace, violations: Sequence[Violation]) -> None:
        """Let ``violations`` through (--yes, or typed on a terminal) or refuse, exit 2 (``cli/confirm.py``)."""
        todo = [v for v in violations if v.guard not in self._answered]
        confirm.answer(todo, out=self._ctx.out, yes=bool(getattr(args, "yes", False)),
                       accepts_yes=hasattr(args, "yes"), stdin=self._ctx.stdin)
        self._answered.update(v.guard for v in todo)

    def user_roles(self, args: argparse.Namespace, request: RoleRequest, user: User) -> RoleRequest:
        """``users roles remove|set``: confirm taking a user's last roles (docs/bird.md, H1) and leaving the
        organization without an active Owner (H2); returns the request, with ``allow_empty`` once confirmed."""
        from birdadmin.domain.guards import PlannedChanges, UserRolesChange
        from birdadmin.scim.role_values import plan_roles, refuse_emptying

        if request.action == "add":
            return request
        after = tuple(plan_roles(user.roles, **request.change()))
        owners = self._owner_roles(args)
        kept = {r.lower() for r in after}
        if owners and any(r.lower() in owners and r.lower() not in kept for r in user.roles):
            # every guard at once (the empty list too), so one answer covers all that would refuse
            self._guard(args, PlannedChanges(user_roles=(UserRolesChange(user.id, after),)))
        elif not request.allow_empty:
            try:
                refuse_emptying(user.roles, after, allow_empty=False, subject=f"of user {user.user_name}")
            except errors.InputError as exc:
                self.answer(args, [_empty_violation(exc.message)])
        if "empty" in self._answered and not request.allow_empty:
            args.allow_empty = True
            request = dataclasses.replace(request, allow_empty=True)
        return request

    def user_roles_bulk(self, args: argparse.Namespace, request: RoleRequest, users: Sequence[User]) -> RoleRequest:
        """``users roles bulk``: the guards the window runs on the same planned changes, answered at once: more
        users than the batch threshold, users left with no roles (docs/bird.md, H1) and, when Owner could be taken,
        no active Owner left (H2). Returns the request, with ``allow_empty`` once confirmed."""
        from birdadmin.domain.guards import PlannedChanges, UserRolesChange, batch_violation
        from birdadmin.scim.role_values import plan_roles, refuse_emptying, role_key

        planned = [(user, tuple(plan_roles(user.roles, **request.change()))) for user in users]
        changes = PlannedChanges(user_roles=tuple(
            UserRolesChange(user.id, after) for user, after in planned
            if {role_key(r) for r in after} != {role_key(r) for r in user.roles}
        ))
        owners = self._owner_roles(args) if request.action != "add" else frozenset()
        if any(r.lower() in owners and r.lower() not in {a.lower() for a in after}
               for user, after in planned for r in user.roles):
            self._guard(args, changes, merge_empty=True)  # every guard at once, with the whole organization loaded
        else:
            violations: list[Violation] = []
            for user, after in planned:
                if request.allow_empty:
                    break
                try:
                    refuse_emptying(user.roles, after, allow_empty=False, subject=f"of {user.user_name or user.id}")
                except errors.InputError as exc:
                    violations.append(_empty_violation(exc.message))
            batch = batch_violation(changes, batch_threshold=self._batch_threshold())
            self.answer(args, _one_empty(violations) + ([batch] if batch is not None else []))
        if "empty" in self._answered and not request.allow_empty:
            args.allow_empty = True
            request = dataclasses.replace(request, allow_empty=True)
        return request

    def member_removal(self, args: argparse.Namespace, group_id: str, user_ids: Sequence[str]) -> None:
        """``groups members remove``: more than the batch threshold needs confirming; removing the members who hold
        Owner only through this group is refused like any other loss of the last active Owner."""
        from birdadmin.domain.guards import MemberRemoval, PlannedChanges, batch_violation

        if args.action != "remove" or not user_ids:
            return
        changes = PlannedChanges(member_removals=(MemberRemoval(group_id, tuple(user_ids)),))
        batch = batch_violation(changes, batch_threshold=self._batch_threshold())
        if batch is not None:
            self.answer(args, [batch])
        owners = self._owner_roles(args)
        if not owners:
            return
        if not self._ctx.has_accounts():
            self._ctx.out.error("birdadmin-cli: without the Accounts API the roles this group gives are unknown, so "
                           "whether this removes the last active Owner was not checked.")
            return
        if not any(r.lower() in owners for r in self._roles_of_group(group_id)):
            return
        self._guard(args, changes)

    def _roles_of_group(self, group_id: str) -> tuple[str, ...]:
        """The roles a group gives its members, by the window's matching rule (``GroupRoleMap``), from the groups
        listed without members and the teams: cheaper than the whole organization, which is loaded only if needed."""
        if self._org_data is not None:
            return tuple(self._org_data.group_roles.get(group_id, ()))
        from concurrent.futures import ThreadPoolExecutor

        from birdadmin.domain.effective import GroupRoleMap

        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="cli-teams") as pool:
            teams = pool.submit(self._ctx.accounts().list_teams)
            groups = self._ctx.scim().list_groups()
            return GroupRoleMap.build(groups, teams.result()).roles_for(group_id)

    def group_roles(self, args: argparse.Namespace, team: Team, after: Sequence[RoleRef]) -> None:
        """``groups roles remove|set``: refuse taking Owner from the group that gives the last active Owner theirs."""
        from birdadmin.domain.guards import GroupRolesChange, PlannedChanges

        if args.action == "add":
            return
        owners = self._owner_roles(args)
        kept = {ref.id.lower() for ref in after}
        if not owners or not any(r.lower() in owners and r.lower() not in kept for r in team.role_ids):
            return
        groups = [gid for gid, t in self.organization_data().group_map.team_for_group.items() if t.id == team.id]
        roles = tuple(ref.id for ref in after)
        self._guard(args, PlannedChanges(group_roles=tuple(GroupRolesChange(gid, roles) for gid in groups)))

    def _profile_used(self) -> Profile | None:
        """The profile this command connects through (its guard settings), or None (--base-url, --demo)."""
        if not self._profile_read:
            name = self._ctx.connection().profile_name
            self._profile = self._ctx.profiles().get(name) if name else None
            self._profile_read = True
        return self._profile

    def _batch_threshold(self) -> int:
        from birdadmin.domain.thresholds import DEFAULT_BATCH_THRESHOLD

        profile = self._profile_used()
        return profile.batch_threshold if profile is not None else DEFAULT_BATCH_THRESHOLD

    def _owner_role_id(self, args: argparse.Namespace) -> str | None:
        """--owner-role, else the profile's Owner role; None: found by name in the catalogue."""
        given = getattr(args, "owner_role", None)
        if given is not None:
            if not is_uuid(given.strip()):
                raise errors.InputError(f"--owner-role takes the Owner role's UUID; {given!r} is not one.")
            return str(given).strip()
        profile = self._profile_used()
        return profile.owner_role_id if profile is not None else None

    def _owner_roles(self, args: argparse.Namespace) -> frozenset[str]:
        """The Owner role(s): --owner-role, the profile's, else the catalogue's role named Owner; empty (with a
        warning) if unknown."""
        from birdadmin.domain.guards import owner_role_ids, owner_unknown_warning

        given = self._owner_role_id(args)
        owners = owner_role_ids(None if given else self._ctx.catalogue(), given)
        if not owners:
            self._ctx.out.error(f"birdadmin-cli: {owner_unknown_warning()}")
        return owners

    def organization_data(self) -> OrgData:
        """Groups with their members, teams and their roles, loaded as the window loads them (``org_load``)."""
        if self._org_data is None:
            from birdadmin.org_load import Session, load_org

            session = Session(self._ctx.connection())
            try:
                self._org_data = load_org(session)
            finally:
                session.close()
            for warning in self._org_data.warnings:
                self._ctx.out.error(f"birdadmin-cli: {warning.message}")
        return self._org_data

    def organization(self) -> OrgSnapshot:
        """The whole organization, for the guards: every user, who is in which group, and each group's roles."""
        if self._org is None:
            from birdadmin.domain.guards import OrgSnapshot

            data = self.organization_data()
            users = self._ctx.scim().list_users()
            self._org = OrgSnapshot(users, data.memberships, data.group_roles, data.catalogue)
        return self._org

    def _guard(self, args: argparse.Namespace, changes: PlannedChanges, *, merge_empty: bool = False) -> None:
        """Run every guard on ``changes`` against the loaded organization; what would refuse is answered (``answer``)
        unless its override flag was given or it was confirmed already."""
        from birdadmin.domain.guards import Overrides, check

        overrides = Overrides(
            allow_empty=bool(getattr(args, "allow_empty", False)) or "empty" in self._answered,
            allow_no_owner=bool(getattr(args, "allow_no_owner", False)) or "no-owner" in self._answered,
            confirmed="batch" in self._answered,
        )
        result = check(self.organization(), changes, overrides, owner_role_id=self._owner_role_id(args),
                       batch_threshold=self._batch_threshold())
        for warning in result.warnings:
            self._ctx.out.error(f"birdadmin-cli: {warning}")
        self.answer(args, _one_empty(result.violations) if merge_empty else result.violations)
