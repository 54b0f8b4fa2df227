"""``roles list`` (the catalogue) and ``groups roles add|remove|set`` (a Bird group's roles, via the Accounts API)."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from birdadmin import errors, in_flight
from birdadmin.cli.context import CliContext
from birdadmin.cli.guards import add_guard_options, confirm_empty_set

if TYPE_CHECKING:
    from birdadmin.bird import role_refs
    from birdadmin.bird.models import RoleRef, Team
    from birdadmin.domain.team_match import TeamMatch

ROLE_COLUMNS = ["id", "name", "type", "description"]
DEFAULT_SETTLE = 1.0  # seconds; see --settle-delay
CHANGE_COLUMNS = ["id", "name", "matchedBy", "status", "before", "after", "added", "removed", "roleRefs"]


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    roles = commands.add_parser("roles", help="the role catalogue (names need the Accounts API)")
    sub = roles.add_subparsers(dest="roles_command", metavar="ACTION", required=True)
    listing = sub.add_parser("list", help="list the organization's roles: id, name, type, description")
    listing.set_defaults(handler=list_roles)


def register_group_roles(groups_subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    roles = groups_subparsers.add_parser("roles", help="change the roles a group gives its members (Accounts API)")
    sub = roles.add_subparsers(dest="group_roles_action", metavar="add|remove|set", required=True)
    for action, text in (
        ("add", "add roles to the group"),
        ("remove", "remove roles from the group"),
        ("set", "replace all of the group's roles"),
    ):
        p = sub.add_parser(action, help=text)
        p.add_argument("group", metavar="GROUP", help="SCIM id or displayName (or the Bird team's id or name)")
        p.add_argument("roles", metavar="ROLE", nargs="*", help="role UUID or name")
        p.add_argument("--dry-run", action="store_true", help="print the planned roleRefs; send nothing")
        if action != "remove":
            p.add_argument("--allow-unknown-role", action="store_true",
                           help="use role UUIDs the role catalogue does not know (otherwise refused as likely typos)")
        if action == "set":
            p.add_argument("--allow-empty", action="store_true", help="allow removing every role of the group")
        if action != "add":
            add_guard_options(p)
        p.add_argument("--settle-delay", type=_seconds, default=DEFAULT_SETTLE, metavar="SECONDS",
                       help="on servers without a precondition on teams: wait this long after the write, then check "
                       f"that no one else changed the group meanwhile (default {DEFAULT_SETTLE:g})")
        p.set_defaults(handler=change_group_roles, action=action)


def _seconds(text: str) -> float:
    value = float(text)
    if not 0 <= value <= 60:
        raise argparse.ArgumentTypeError("must be a number of seconds from 0 to 60")
    return value


def list_roles(args: argparse.Namespace, ctx: CliContext) -> int:
    catalogue = ctx.catalogue()
    if ctx.has_accounts():
        # As the window does: roles that teams carry but the catalogue does not name are listed too.
        catalogue.learn(role for team in ctx.accounts().list_teams() for role in team.role_ids)
    else:
        # Without Bird's names the roles known are the local names and the UUIDs seen on users (one listing).
        catalogue.learn(role for user in ctx.scim().list_users() for role in user.roles)
    rows = [{"id": r.id, "name": r.name, "type": r.type, "description": r.description} for r in catalogue.roles()]
    ctx.out.emit(rows, ROLE_COLUMNS)
    if ctx.out.format == "table":
        ctx.out.message(f"{len(rows)} roles" + ("" if ctx.has_accounts() else " (UUIDs seen on users; names need "
                                                 "--accounts-url and BIRDADMIN_ACCOUNTS_KEY, or local names)"))
    return 0


def resolve_team(ctx: CliContext, token: str) -> TeamMatch:
    """The Bird team behind GROUP, by the window's rule (``domain.team_match``), from every SCIM group and team."""
    from concurrent.futures import ThreadPoolExecutor

    from birdadmin.domain.team_match import resolve_team as match

    if not token.strip():
        raise errors.InputError("An empty group was given; pass a SCIM id or a displayName.")
    accounts, scim = ctx.accounts(), ctx.scim()
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="cli-teams") as pool:
        teams = pool.submit(accounts.list_teams)
        groups = scim.list_groups()
        return match(token, groups, teams.result())


def change_group_roles(args: argparse.Namespace, ctx: CliContext) -> int:
    from birdadmin.bird import role_refs

    action = args.action
    confirm_empty_set(ctx, args, "groups roles", "the group gives its members")
    wanted = list(ctx.role_request(args, "groups roles", "the group gives its members").roles)
    in_flight.describe(in_flight.for_group_roles(args.group))
    found = resolve_team(ctx, args.group)
    team, matched_by = found.team, found.matched_by

    def plan(current: tuple[RoleRef, ...]) -> tuple[RoleRef, ...]:
        if action == "add":
            return role_refs.with_roles_added(current, wanted)
        if action == "remove":
            return role_refs.with_roles_removed(current, wanted)
        return role_refs.with_roles_set(current, wanted)

    ctx.guards().group_roles(args, team, plan(team.role_refs))
    meanwhile: Team | None = None
    if args.dry_run:
        before, after, status = team.role_refs, plan(team.role_refs), "dry-run"
    else:
        # Planned again from a fresh read of the team, guarded by its ETag when the server offers one (U7).
        result = ctx.accounts().change_team_roles(team.id, plan, settle=args.settle_delay)
        ctx.journal_team_roles(action, result)
        team, before, meanwhile = result.after, result.before.role_refs, result.meanwhile
        after = result.after.role_refs
        status = "unchanged" if not result.changed else "changed" if meanwhile is None else "changed-meanwhile"
    change = role_refs.describe_change(before, after)
    if matched_by == "name" and ctx.out.format == "table":
        ctx.out.message(f"Note: matched the Bird group {team.name!r} by name, not by id.")
    _report(ctx, team, matched_by, status, tuple(ref.id for ref in before), after, change, meanwhile)
    if meanwhile is not None:
        now = ", ".join(ctx.role_label(r) for r in meanwhile.role_ids) or "no roles"
        wrote = ", ".join(ctx.role_label(r.id) for r in after) or "no roles"
        ctx.out.error(
            f"birdadmin-cli: the change was applied, but the group changed meanwhile: birdadmin wrote {wrote}, and "
            f"it now holds {now}. This server offers no precondition on teams, so the last writer wins; check the "
            "group's roles and run the command again if needed."
        )
        return 1
    return 0


def _refs_text(ctx: CliContext, refs: tuple[RoleRef, ...]) -> str:
    parts = []
    for ref in refs:
        scope = f" (workspaces: {', '.join(ref.workspaces)})" if ref.workspaces else ""
        parts.append(ctx.role_label(ref.id) + scope)
    return "; ".join(parts) or "-"


def _report(
    ctx: CliContext,
    team: Team,
    matched_by: str,
    status: str,
    before: tuple[str, ...],
    after: tuple[RoleRef, ...],
    change: role_refs.RoleRefChange,
    meanwhile: Team | None = None,
) -> None:
    record: dict[str, Any] = {
        "id": team.id,
        "name": team.name,
        "matchedBy": matched_by,
        "status": status,
        "before": list(before),
        "after": [ref.id for ref in after],
        "added": list(change.added) if status != "unchanged" else [],
        "removed": list(change.removed) if status != "unchanged" else [],
        "roleRefs": [ref.to_json() for ref in after],
    }
    columns = list(CHANGE_COLUMNS)
    if meanwhile is not None:  # what the group holds now, after someone else's change
        record["now"] = list(meanwhile.role_ids)
        columns.append("now")
    if ctx.out.format == "json":
        ctx.out.emit_one(record)
        return
    for key in ("before", "after", "added", "removed", "now"):
        if key in record:
            record[key] = ", ".join(ctx.role_label(r) for r in record[key]) or "-"
    record["roleRefs"] = _refs_text(ctx, after)
    ctx.out.emit_one(record, columns)
