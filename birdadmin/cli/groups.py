"""``groups list|show`` and ``groups members add|remove`` (group roles: see cli/roles.py)."""

from __future__ import annotations

import argparse

from birdadmin import errors
from birdadmin.cli.context import CliContext
from birdadmin.cli.guards import add_guard_options
from birdadmin.cli.roles import register_group_roles
from birdadmin.cli.time_limits import add_listing_max_time, listing_max_time


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    groups = commands.add_parser("groups", help="list and show groups, change their members and roles")
    sub = groups.add_subparsers(dest="groups_command", metavar="ACTION", required=True)

    listing = sub.add_parser("list", help="list groups (without members)")
    listing.add_argument("--filter", metavar="SCIM_FILTER", help="e.g. 'displayName sw \"Sales\"'")
    add_listing_max_time(listing)
    listing.set_defaults(handler=list_groups)

    show = sub.add_parser("show", help="show one group with its members")
    show.add_argument("group", metavar="GROUP", help="SCIM id or displayName")
    show.set_defaults(handler=show_group)

    members = sub.add_parser("members", help="add or remove members")
    members_sub = members.add_subparsers(dest="members_action", metavar="add|remove", required=True)
    for action in ("add", "remove"):
        p = members_sub.add_parser(action, help=f"{action} users {'to' if action == 'add' else 'from'} the group")
        p.add_argument("group", metavar="GROUP", help="SCIM id or displayName")
        p.add_argument("users", metavar="USER", nargs="+", help="SCIM id or userName")
        p.add_argument("--dry-run", action="store_true", help="show the change; send nothing")
        if action == "remove":
            add_guard_options(p)
        p.set_defaults(handler=change_members, action=action)

    register_group_roles(sub)


def list_groups(args: argparse.Namespace, ctx: CliContext) -> int:
    from birdadmin.scim.paging import in_server_order

    limit = listing_max_time(args)
    pages = (page.items for page in in_server_order(ctx.scim().iter_groups(args.filter, max_time=limit)))
    written = ctx.out.emit_pages(pages, ["id", "displayName", "externalId"], lambda group: group.to_json())
    if ctx.out.format == "table":
        ctx.out.message(f"{written} groups")
    return 0


def show_group(args: argparse.Namespace, ctx: CliContext) -> int:
    group = ctx.scim().resolve_group(args.group, members=True)
    record = group.to_json(with_members=True)
    if ctx.out.format == "json":
        record["memberDetails"] = [{"value": m.value, "display": m.display} for m in group.members or ()]
        ctx.out.emit_one(record)
        return 0
    record["members"] = [m.display or m.value for m in group.members or ()]
    record["memberCount"] = len(group.members or ())
    ctx.out.emit_one(record, ["id", "displayName", "externalId", "memberCount", "members"])
    return 0


def change_members(args: argparse.Namespace, ctx: CliContext) -> int:
    if not args.dry_run:
        ctx.require_writable(f"'groups members {args.action}'")
    client = ctx.scim()
    group = client.resolve_group(args.group, members=True)
    users = [client.resolve_user(token) for token in args.users]  # all resolved before anything is written
    ids = [u.id for u in users]
    present = set(group.member_ids)
    if args.action == "add":
        todo = [i for i in ids if i not in present]
    else:
        todo = [i for i in ids if i in present]
    ctx.guards().member_removal(args, group.id, todo)
    names = {u.id: u.user_name for u in users}
    if args.dry_run or not todo:
        status = "dry-run" if args.dry_run else "unchanged"
    else:
        group = client.add_members(group.id, todo) if args.action == "add" else client.remove_members(group.id, todo)
        ctx.journal_members(args.action, group, present, todo)
        status = "changed"
        if args.action == "add" and not all(i in group.member_ids for i in ids):
            raise errors.ProtocolError("The server did not keep every added member.")
    ctx.out.emit(
        [{"groupId": group.id, "group": group.display_name, "id": i, "user": names[i], "action": args.action,
          "status": status if i in todo else "unchanged"} for i in ids],
        ["groupId", "group", "id", "user", "action", "status"],
    )
    return 0
