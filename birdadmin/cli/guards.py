"""The guards of ``domain/guards.py`` run before the CLI's writes, with what they need loaded only when it matters.

The organization (every user, memberships, team roles) is loaded only when a change could take Owner from someone,
never for an ``add``; a group's roles are first read from the groups and teams alone. Refusals are exit 2 with the
guard's sentence; warnings go to stderr.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import TYPE_CHECKING

from birdadmin import errors
from birdadmin.scim.resources import is_uuid

if TYPE_CHECKING:
    from birdadmin.bird.models import RoleRef, Team
    from birdadmin.cli.context import CliContext
    from birdadmin.domain.guards import OrgSnapshot, PlannedChanges
    from birdadmin.domain.role_plan import RoleRequest
    from birdadmin.org_load import OrgData
    from birdadmin.scim.resources import User


def add_guard_options(parser: argparse.ArgumentParser, *, batch: bool = False) -> None:
    """The overrides of the guards a removal runs (docs/bird.md, H2)."""
    from birdadmin.domain.guards import DEFAULT_BATCH_THRESHOLD

    parser.add_argument("--allow-no-owner", action="store_true",
                        help="allow leaving the organization without an active Owner (directly or through groups)")
    parser.add_argument("--owner-role", metavar="UUID",
                        help="the Owner role's UUID, when role names are unknown (otherwise found by name)")
    if batch:
        parser.add_argument("--yes", action="store_true",
                            help=f"confirm a change to more than {DEFAULT_BATCH_THRESHOLD} users at once")


class CliGuards:
    """One command's guard runs; caches the organization it loaded for them."""

    def __init__(self, ctx: CliContext) -> None:
        self._ctx = ctx
        self._org_data: OrgData | None = None
        self._org: OrgSnapshot | None = None


    def user_roles(self, args: argparse.Namespace, request: RoleRequest, user: User) -> None:
        """``users roles remove|set``: refuse leaving the organization without an active Owner (docs/bird.md, H2)."""
        from birdadmin.domain.guards import PlannedChanges, UserRolesChange
        from birdadmin.scim.role_values import plan_roles

        if request.action == "add":
            return
        after = tuple(plan_roles(user.roles, **request.change()))
        owners = self._owner_roles(args)
        kept = {r.lower() for r in after}
        if not owners or not any(r.lower() in owners and r.lower() not in kept for r in user.roles):
            return
        self._guard(args, PlannedChanges(user_roles=(UserRolesChange(user.id, after),)))

    def member_removal(self, args: argparse.Namespace, group_id: str, user_ids: Sequence[str]) -> None:
        """``groups members remove``: more than the batch threshold needs --yes; removing the members who hold Owner
        only through this group is refused like any other loss of the last active Owner."""
        from birdadmin.domain.guards import MemberRemoval, Overrides, PlannedChanges, batch_violation

        if args.action != "remove" or not user_ids:
            return
        changes = PlannedChanges(member_removals=(MemberRemoval(group_id, tuple(user_ids)),))
        batch = batch_violation(changes, Overrides(confirmed=getattr(args, "yes", False)))
        if batch is not None:
            raise errors.InputError(batch.message)
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
        groups = [gid for gid, t in self._organization_data().group_map.team_for_group.items() if t.id == team.id]
        roles = tuple(ref.id for ref in after)
        self._guard(args, PlannedChanges(group_roles=tuple(GroupRolesChange(gid, roles) for gid in groups)))

    def _owner_roles(self, args: argparse.Namespace) -> frozenset[str]:
        """The Owner role(s): --owner-role, else the catalogue's role named Owner; empty (with a warning) if unknown."""
        from birdadmin.domain.guards import owner_role_ids, owner_unknown_warning

        given = getattr(args, "owner_role", None)
        if given is not None and not is_uuid(given.strip()):
            raise errors.InputError(f"--owner-role takes the Owner role's UUID; {given!r} is not one.")
        owners = owner_role_ids(None if given else self._ctx.catalogue(), given)
        if not owners:
            self._ctx.out.error(f"birdadmin-cli: {owner_unknown_warning()}")
        return owners

    def _organization_data(self) -> OrgData:
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

            data = self._organization_data()
            users = self._ctx.scim().list_users()
            self._org = OrgSnapshot(users, data.memberships, data.group_roles, data.catalogue)
        return self._org

    def _guard(self, args: argparse.Namespace, changes: PlannedChanges) -> None:
        """Run every guard on ``changes`` against the loaded organization; refuse (exit 2) unless overridden."""
        from birdadmin.domain.guards import Overrides, check

        overrides = Overrides(
            allow_empty=getattr(args, "allow_empty", False),
            allow_no_owner=getattr(args, "allow_no_owner", False),
            confirmed=getattr(args, "yes", False),
        )
        result = check(self.organization(), changes, overrides, owner_role_id=getattr(args, "owner_role", None))
        for warning in result.warnings:
            self._ctx.out.error(f"birdadmin-cli: {warning}")
        if result.violations:
            raise errors.InputError(" ".join(v.message for v in result.violations))
