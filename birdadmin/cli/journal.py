"""``journal list|show|export|verify``, and the entries the write commands append (``store/journal.py``).

A write command appends one entry after a write that was sent (changed, changed-meanwhile, sent-unchecked), never
for a dry run or an unchanged result, and reads never touch the journal. When the server applied a change but the
journal could not record it, the command says so and exits 6 (:data:`~birdadmin.store.journal.EXIT_NOT_JOURNALED`).
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson

from birdadmin import errors
from birdadmin.domain.journal_undo import KEY_KIND, key_undo_refusal
from birdadmin.safe_text import csv_row

if TYPE_CHECKING:
    from birdadmin.cli.context import CliContext
    from birdadmin.store.journal import Entry

LIST_COLUMNS = ["id", "time", "osUser", "connection", "target", "action", "status", "before", "after"]
EXPORT_COLUMNS = [
    "id", "time", "osUser", "profile", "profileId", "baseUrl", "targetKind", "targetId", "targetName", "action",
    "status", "before", "after", "requested", "requests", "hash", "roles", "reason",
]


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    journal = commands.add_parser("journal", help="the local journal of changes sent (hash-chained)")
    sub = journal.add_subparsers(dest="journal_command", metavar="ACTION", required=True)
    sub.add_parser("list", help="list the journal's entries, oldest first").set_defaults(handler=list_entries)
    show = sub.add_parser("show", help="show one entry")
    show.add_argument("entry", metavar="ID", type=int, help="the entry's number")
    show.set_defaults(handler=show_entry)
    export = sub.add_parser("export", help="write every entry to FILE (.csv or .json)")
    export.add_argument("file", metavar="FILE", help="the file to write; its extension chooses CSV or JSON")
    export.set_defaults(handler=export_entries)
    sub.add_parser("verify", help="check the hash chain: exit 0 intact, 1 naming the first bad entry").set_defaults(
        handler=verify_entries
    )
    undo = sub.add_parser("undo", help="set a user's roles back to what they were before entry ID")
    undo.add_argument("entry", metavar="ID", type=int, help="the entry's number (a user role change)")
    undo.add_argument("--dry-run", action="store_true", help="show the change; send nothing")
    undo.add_argument("--allow-empty", action="store_true",
                      help="allow setting the user back to no roles (Bird reads an empty list as no roles at all)")
    undo.add_argument("--yes", action="store_true", help="answer the guards' confirmations (for scripts)")
    undo.set_defaults(handler=undo_entry)


# -- reading ---------------------------------------------------------------------------------------------------


def _record(entry: Entry) -> dict[str, Any]:
    """An entry as JSON output shows it: its content, with the chain's hashes."""
    return {**entry.content, "id": entry.id, "prev": entry.prev, "hash": entry.hash}


def _connection_text(content: dict[str, Any]) -> str:
    profile = content.get("profile") or {}
    if not isinstance(profile, dict):
        return str(profile)
    return str(profile.get("name") or profile.get("baseUrl") or "")


def _target_text(content: dict[str, Any]) -> str:
    target = content.get("target") or {}
    if not isinstance(target, dict):
        return str(target)
    return f"{target.get('kind', '')} {target.get('name') or target.get('id') or ''}".strip()


def _ids(value: Any, *, short: bool = False) -> str:
    if value is None:
        return "?"
    if isinstance(value, list):
        if short and len(value) > 3:  # a group's members: the listing shows how many; `journal show` shows them
            return f"{len(value)} ids"
        return ", ".join(str(v) for v in value) or "-"
    return str(value)


def _is_key(content: dict[str, Any]) -> bool:
    target = content.get("target")
    return isinstance(target, dict) and target.get("kind") == KEY_KIND


def _suffixes(value: Any) -> str:
    """An access key entry's before / after: the suffixes of the keys concerned (never a secret)."""
    if not isinstance(value, list):
        return "?"
    return ", ".join(f"…{v}" for v in value) or "-"


def _table_row(entry: Entry, *, short: bool = False) -> dict[str, Any]:
    content = entry.content
    if _is_key(content):
        return {"id": entry.id, "time": content.get("time", ""), "osUser": content.get("osUser", ""),
                "connection": _connection_text(content), "target": _target_text(content),
                "action": content.get("action", ""), "status": content.get("status", ""),
                "before": _suffixes(content.get("before")), "after": _suffixes(content.get("after"))}
    return {
        "id": entry.id,
        "time": content.get("time", ""),
        "osUser": content.get("osUser", ""),
        "connection": _connection_text(content),
        "target": _target_text(content),
        "action": content.get("action", ""),
        "status": content.get("status", ""),
        "before": _ids(content.get("before"), short=short),
        "after": _ids(content.get("after"), short=short),
    }


def list_entries(args: argparse.Namespace, ctx: CliContext) -> int:
    entries = ctx.journal().entries()
    if ctx.out.format == "json":
        ctx.out.emit([_record(e) for e in entries], LIST_COLUMNS)
        return 0
    short = ctx.out.format == "table"  # table cells go through safe_text in Output
    ctx.out.emit([_table_row(e, short=short) for e in entries], LIST_COLUMNS)
    if ctx.out.format == "table":
        ctx.out.message(f"{len(entries)} entries")
    return 0


def show_entry(args: argparse.Namespace, ctx: CliContext) -> int:
    entry = ctx.journal().get(args.entry)
    if ctx.out.format == "json":
        ctx.out.emit_one(_record(entry))
        return 0
    record = _table_row(entry)
    content = entry.content
    record["requested"] = _ids(content["requested"]) if "requested" in content else ""
    record["requests"] = _requests_text(content.get("requests"))
    record["hash"] = entry.hash
    columns = [*LIST_COLUMNS, "requested", "requests", "hash"]
    if _is_key(content):  # an access key's roles, and why a step failed
        record["roles"] = _ids(content.get("roles"))
        record["reason"] = str(content.get("reason") or "")
        columns += ["roles", "reason"]
    ctx.out.emit_one(record, columns)
    return 0


def _requests_text(requests: Any) -> str:
    if not isinstance(requests, list):
        return ""
    parts = []
    for r in requests:
        if isinstance(r, dict):
            parts.append(f"{r.get('method', '')} {r.get('path', '')} {r.get('status', '')}".strip())
    return "; ".join(parts) or "-"


def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _csv_cells(entry: Entry) -> list[str]:
    content = entry.content
    profile, target = _mapping(content.get("profile")), _mapping(content.get("target"))

    def ids(value: Any) -> str:
        return "" if value is None else " ".join(str(v) for v in value) if isinstance(value, list) else str(value)

    return [
        str(entry.id), str(content.get("time", "")), str(content.get("osUser", "")),
        str(profile.get("name") or ""), str(profile.get("id") or ""), str(profile.get("baseUrl") or ""),
        str(target.get("kind") or ""), str(target.get("id") or ""), str(target.get("name") or ""),
        str(content.get("action", "")), str(content.get("status", "")),
        ids(content.get("before")), ids(content.get("after")), ids(content.get("requested")),
        _requests_text(content.get("requests")), entry.hash, ids(content.get("roles")),
        str(content.get("reason") or ""),
    ]


def export_entries(args: argparse.Namespace, ctx: CliContext) -> int:
    path = Path(args.file)
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".json"):
        raise errors.InputError(f"{args.file}: the export file must end in .csv or .json.")
    entries = ctx.journal().entries()
    if suffix == ".json":
        data = orjson.dumps([_record(e) for e in entries], option=orjson.OPT_INDENT_2) + b"\n"
    else:
        data = (csv_row(EXPORT_COLUMNS) + "".join(csv_row(_csv_cells(e)) for e in entries)).encode("utf-8")
    path.write_bytes(data)
    ctx.out.message(f"{len(entries)} entries written to {path}")
    return 0


def verify_entries(args: argparse.Namespace, ctx: CliContext) -> int:
    journal = ctx.journal()
    result = journal.verify()
    if result.intact:
        ctx.out.message(f"The journal is intact: {result.count} entries, each linked to the one before it.")
        return 0
    ctx.out.error(f"birdadmin-cli: the journal at {journal.path} is broken at entry {result.bad_id}: {result.reason}.")
    return 1


# -- writing: the entries themselves are built in birdadmin/journal_entries.py (the window builds the same) ------


def undo_entry(args: argparse.Namespace, ctx: CliContext) -> int:
    """Set a user's roles back to an entry's ``before``, through ``users roles set`` (its rules and If-Match), and
    only while the user still holds what the entry left (its ``after``)."""
    from birdadmin.cli.users import change_roles

    entry = ctx.journal().get(args.entry)
    content = entry.content
    refusal = key_undo_refusal(entry.id, content)
    if refusal is not None:
        raise errors.InputError(refusal)
    action, status = str(content.get("action", "")), str(content.get("status", ""))
    target = _mapping(content.get("target"))
    before, after = content.get("before"), content.get("after")
    if (not action.startswith("users roles ") or status != "changed" or not isinstance(before, list)
            or not isinstance(after, list) or not target.get("id")):
        raise errors.InputError(
            f"Entry {entry.id} cannot be undone: only a user role change whose result is known (status changed) "
            f"can be; this one is {action or 'unknown'} ({status or 'no status'})."
        )
    made_on, here = _mapping(content.get("profile")), ctx.connection_record()
    same = made_on.get("id") == here.get("id") if made_on.get("id") else made_on == here  # a profile by its id
    if not same:
        raise errors.InputError(
            f"Entry {entry.id} was made on {_connection_text(content) or 'another connection'}; connect to that "
            "organization (--profile or --base-url) to undo it."
        )
    if not args.dry_run:
        ctx.require_writable(f"'journal undo {entry.id}'")
    client = ctx.scim()
    user = client.resolve_user(str(target["id"]))
    current = client.roles_to_plan_from(user.id)
    if {str(r).lower() for r in current} != {str(r).lower() for r in after}:
        now = ", ".join(current) or "no roles"
        raise errors.BirdadminError(
            f"The target has changed since entry {entry.id}: {user.user_name} now holds {now}, not what the entry "
            "left; nothing was sent. Change the roles with 'birdadmin-cli users roles set' instead."
        )
    ctx.journal_note = {"undoes": entry.id}
    redo = argparse.Namespace(**vars(args))
    redo.user, redo.roles, redo.action = user.id, [str(r) for r in before], "set"
    redo.if_match = user.version  # the version the check above was made against: a change since is a conflict
    redo.allow_unknown_role = True  # the roles the user held before, not typed names that might be typos
    return change_roles(redo, ctx)
