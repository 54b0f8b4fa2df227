"""``snapshot save|list|diff``: the organization's state kept locally (store/snapshots.py), and what changed since.

``save`` reads the whole organization (as the window loads it) and stores it with its content hash; ``list`` and
``diff A B`` read only the local file (no connection); ``diff A`` compares snapshot A with the live organization.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from birdadmin.cli.time_limits import add_command_max_time

if TYPE_CHECKING:
    from birdadmin.cli.context import CliContext
    from birdadmin.domain.org_state import OrgState
    from birdadmin.domain.snapshot_diff import OrgDiff
    from birdadmin.store.snapshots import SnapshotInfo, SnapshotStore

LIST_COLUMNS = ["id", "time", "profile", "organization", "users", "groups", "complete", "hash"]
DIFF_COLUMNS = ["change", "subject", "role", "via"]


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    snapshot = commands.add_parser("snapshot", help="saved states of the organization, and what changed since")
    sub = snapshot.add_subparsers(dest="snapshot_command", metavar="ACTION", required=True)
    saving = sub.add_parser("save", help="read the organization and save it as a snapshot")
    saving.set_defaults(handler=save)
    add_command_max_time(saving)
    sub.add_parser(
        "list", help="list the saved snapshots, newest first (with --profile NAME: those taken through it)"
    ).set_defaults(handler=list_snapshots)
    compare = sub.add_parser("diff", help="what changed from snapshot A to snapshot B (or to the live organization)")
    compare.add_argument("old", metavar="A", type=int, help="the earlier snapshot's id")
    compare.add_argument("new", metavar="B", type=int, nargs="?", help="the later snapshot's id (default: live)")
    compare.set_defaults(handler=diff_snapshots)
    add_command_max_time(compare)


def _store() -> SnapshotStore:
    from birdadmin.store.snapshots import SnapshotStore

    return SnapshotStore()


def _record(info: SnapshotInfo, *, short: bool = False) -> dict[str, Any]:
    return {
        "id": info.id, "time": info.taken_at, "profile": info.profile, "organization": info.label,
        "users": info.users, "groups": info.groups, "complete": info.complete,
        "hash": info.content_hash[:12] if short else info.content_hash,
    }


def save(args: argparse.Namespace, ctx: CliContext) -> int:
    state = ctx.org_state()
    store = _store()
    try:
        info = store.save(state)
    finally:
        store.close()
    if ctx.out.format == "table":
        ctx.out.message(f"Snapshot {info.id} saved: {info.users} users and {info.groups} groups of "
                        f"{info.label or 'the organization'} at {info.taken_at}, hash {info.content_hash}.")
    else:
        ctx.out.emit_one(_record(info), LIST_COLUMNS)
    return 0


def list_snapshots(args: argparse.Namespace, ctx: CliContext) -> int:
    store = _store()
    try:
        found = store.list(getattr(args, "profile", None) or None)  # reads no key, connects nowhere
    finally:
        store.close()
    short = ctx.out.format == "table"
    ctx.out.emit([_record(i, short=short) for i in found], LIST_COLUMNS)
    if short:
        ctx.out.message(f"{len(found)} snapshots")
    return 0


def diff_json(result: OrgDiff, state: OrgState) -> dict[str, Any]:
    """The diff as lists of records (role names from ``state``'s catalogue)."""
    name = state.catalogue.name_for
    return {
        "usersAdded": [{"id": i, "name": n} for i, n in result.users_added],
        "usersRemoved": [{"id": i, "name": n} for i, n in result.users_removed],
        "groupsAdded": [{"id": i, "name": n} for i, n in result.groups_added],
        "groupsRemoved": [{"id": i, "name": n} for i, n in result.groups_removed],
        "roles": [{"subjectKind": d.subject_kind, "subjectId": d.subject_id, "subjectName": d.subject_name,
                   "roleId": d.role_id, "roleName": name(d.role_id), "change": d.change, "via": d.via}
                  for d in result.roles],
        "members": [{"group": g, "userId": u, "userName": n, "change": c} for g, u, n, c in result.members],
        "keysAdded": [{"id": i, "name": n} for i, n in result.keys_added],
        "keysRemoved": [{"id": i, "name": n} for i, n in result.keys_removed],
    }


def diff_snapshots(args: argparse.Namespace, ctx: CliContext) -> int:
    from birdadmin.domain.snapshot_diff import diff, rows

    store = _store()
    try:
        old = store.load(args.old)
        new = store.load(args.new) if args.new is not None else None
    finally:
        store.close()
    if new is None:
        new = ctx.org_state()
    result = diff(old, new)
    if ctx.out.format == "json":
        ctx.out.emit_one(diff_json(result, new))
        return 0
    names = {d.role_id: new.catalogue.name_for(d.role_id) for d in result.roles}
    ctx.out.emit(rows(result, names), DIFF_COLUMNS)
    if ctx.out.format == "table":
        against = f"snapshot {args.new}" if args.new is not None else "the live organization"
        ctx.out.message(f"{result.count()} changes from snapshot {args.old} ({old.taken_at}) to {against}.")
    return 0
