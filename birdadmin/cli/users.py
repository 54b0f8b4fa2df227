"""``users list|show`` and ``users roles add|remove|set``."""

from __future__ import annotations

import argparse
from typing import Any

from birdadmin import in_flight
from birdadmin.cli import bulk
from birdadmin.cli.context import CliContext
from birdadmin.cli.guards import add_guard_options, add_role_change_arguments, confirm_empty_set
from birdadmin.cli.time_limits import add_listing_max_time, listing_max_time
from birdadmin.domain.role_plan import RolePlan
from birdadmin.scim.resources import User

LIST_COLUMNS = ["id", "userName", "displayName", "active", "roles"]
def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    users = commands.add_parser("users", help="list, show and change users' roles")
    sub = users.add_subparsers(dest="users_command", metavar="ACTION", required=True)

    listing = sub.add_parser("list", help="list users")
    listing.add_argument("--filter", metavar="SCIM_FILTER", help='e.g. \'userName sw "j"\' or \'active eq false\'')
    add_listing_max_time(listing)
    listing.set_defaults(handler=list_users)

    show = sub.add_parser("show", help="show one user")
    show.add_argument("user", metavar="USER", help="SCIM id or userName")
    show.set_defaults(handler=show_user)

    roles = sub.add_parser("roles", help="change a user's roles")
    roles_sub = roles.add_subparsers(dest="roles_action", metavar="add|remove|set", required=True)
    for action, text in (
        ("add", "add roles to the user"),
        ("remove", "remove roles from the user"),
        ("set", "replace all of the user's roles"),
    ):
        p = roles_sub.add_parser(action, help=text)
        p.add_argument("user", metavar="USER", help="SCIM id or userName")
        add_role_change_arguments(p, action)
        p.add_argument("--dry-run", action="store_true", help="show the change; send nothing")
        p.add_argument("--if-match", metavar="VERSION", help="only if the user is still at this version (ETag)")
        if action != "add":
            add_guard_options(p)
        p.set_defaults(handler=change_roles, action=action)
    bulk.register(roles_sub)


def user_record(ctx: CliContext, user: User) -> dict[str, Any]:
    record = user.to_json()
    if ctx.out.format == "table":
        record["roles"] = ", ".join(ctx.role_label(r) for r in user.roles) or "-"
        record["groups"] = ", ".join(g.display or g.id for g in user.groups) or "-"
    return record


def list_users(args: argparse.Namespace, ctx: CliContext) -> int:
    from birdadmin.scim.paging import in_server_order

    limit = listing_max_time(args)
    client = ctx.scim()
    if ctx.out.format == "table":
        ctx.prefetch_catalogue()  # role names, fetched while the users are
    pages = (page.items for page in in_server_order(client.iter_users(args.filter, max_time=limit)))
    written = ctx.out.emit_pages(pages, LIST_COLUMNS, lambda user: user_record(ctx, user))
    if ctx.out.format == "table":
        ctx.out.message(f"{written} users")
    return 0


def show_user(args: argparse.Namespace, ctx: CliContext) -> int:
    user = ctx.scim().resolve_user(args.user)
    record = user_record(ctx, user)
    ctx.out.emit_one(record, None if ctx.out.format == "json" else list(record))
    return 0


def change_roles(args: argparse.Namespace, ctx: CliContext) -> int:
    confirm_empty_set(ctx, args, "users roles", "of the user")
    request = ctx.role_request(args, "users roles", "of the user")
    in_flight.describe(in_flight.for_user(args.user))
    client = ctx.scim()
    user = client.resolve_user(args.user)
    request = ctx.guards().user_roles(args, request, user)
    if args.dry_run:
        _report(ctx, user, request.plan(client.roles_to_plan_from(user.id)), "dry-run")
        return 0
    result = client.change_roles(
        user.id, if_match=args.if_match, allow_empty=request.allow_empty, **request.change()
    )
    ctx.journal_user_roles(request, result)
    if not result.roles_shown:
        # The server shows no roles (docs/bird.md, U8): the PATCH was accepted, but nothing can confirm it.
        _report(ctx, result.after, RolePlan((), tuple(request.roles) if request.action == "add" else ()), "sent")
        ctx.out.error(
            "birdadmin-cli: the server accepted the change but does not show this user's roles, so it could not be "
            "checked."
        )
        return 1
    plan = RolePlan(result.before.roles, result.after.roles)
    _report(ctx, result.after, plan, "changed" if result.changed else "unchanged")
    return 0


def _report(ctx: CliContext, user: User, plan: RolePlan, status: str) -> None:
    record = {
        "id": user.id,
        "userName": user.user_name,
        "status": status,
        "before": list(plan.before),
        "after": list(plan.after),
        "added": list(plan.added),
        "removed": list(plan.removed),
    }
    if ctx.out.format == "json":
        ctx.out.emit_one(record)
        return
    if ctx.out.format == "table":
        for key in ("before", "after", "added", "removed"):
            record[key] = ", ".join(ctx.role_label(r) for r in record[key]) or "-"
    ctx.out.emit_one(record, ["id", "userName", "status", "before", "after", "added", "removed"])
