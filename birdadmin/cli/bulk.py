"""``users roles bulk add|remove|set ROLE... --users FILE``: one role change for many users, as a script needs it.

Everything the single-user commands check happens first and for every user (roles resolved, users resolved, the
guards of ``domain/guards.py`` answered), so a bad line or a refusal sends nothing. The changes are then sent
concurrently by ``scim/bulk.py`` (each one read fresh, written with If-Match, checked), each journaled as
``users roles add`` journals its one, and reported one row per user. Exit 0 when every user ended changed or
unchanged, 1 when any failed (or was accepted unchecked, docs/bird.md U8), 6 when the journal missed a change,
130 on Ctrl+C (users not started are "skipped", those on the wire "unknown").
"""

from __future__ import annotations

import argparse
from collections import Counter
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

from birdadmin import errors, in_flight
from birdadmin.cli.context import CliContext
from birdadmin.cli.guards import add_guard_options, add_role_change_arguments, confirm_empty_set
from birdadmin.cli.user_file import read_users_file
from birdadmin.domain.role_plan import RoleRequest

if TYPE_CHECKING:
    from birdadmin.scim.bulk import Interrupted, Outcome
    from birdadmin.scim.client import ScimClient
    from birdadmin.scim.resources import User

COLUMNS = ["id", "userName", "status", "before", "after", "error"]
EXIT_FAILED = 1
EXIT_NOT_JOURNALED = 6
EXIT_INTERRUPTED = 130


def register(roles_sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """``users roles bulk`` and its three actions, beside ``users roles add|remove|set``."""
    bulk = roles_sub.add_parser("bulk", help="change the roles of many users at once (users listed in a file)")
    actions = bulk.add_subparsers(dest="bulk_action", metavar="add|remove|set", required=True)
    for action, text in (
        ("add", "add roles to every user listed"),
        ("remove", "remove roles from every user listed"),
        ("set", "replace all the roles of every user listed"),
    ):
        p = actions.add_parser(action, help=text, epilog="Exit codes: 0 every user changed or unchanged, 1 any "
                               "failed, 2 bad input or refused (nothing sent), 6 a change not journaled, 130 "
                               "interrupted (users not started are skipped).")
        add_role_change_arguments(p, action)
        p.add_argument("--users", metavar="FILE", required=True,
                       help="one SCIM id or userName per line ('-' reads stdin; blank lines and # comments ignored)")
        p.add_argument("--dry-run", action="store_true", help="show the change per user; send nothing")
        add_guard_options(p)  # --yes answers the batch threshold, for an add too
        p.add_argument("--concurrency", type=int, default=argparse.SUPPRESS, metavar="N",  # the global option's
                       help="users changed at once (as for listings, pages in flight; default 8)")
        p.set_defaults(handler=change_roles_bulk, action=action)


def change_roles_bulk(args: argparse.Namespace, ctx: CliContext) -> int:
    tokens = read_users_file(args.users, ctx.stdin)  # before anything is sent: a bad file is exit 2
    confirm_empty_set(ctx, args, "users roles bulk", "of the users")
    request = ctx.role_request(args, "users roles bulk", "of the users")
    client = ctx.scim()
    users = resolve_users(client, tokens, args.concurrency)
    request = ctx.guards().user_roles_bulk(args, request, users)
    if args.dry_run:
        _dry_run(ctx, client, request, users, args.concurrency)
        return 0
    in_flight.describe(in_flight.Subject(f"the roles of {len(users)} users",
                                         "check them with `birdadmin-cli users show USER`"))
    return _send(ctx, client, request, users, args.concurrency)


def resolve_users(client: ScimClient, tokens: Sequence[tuple[int, str]], concurrency: int) -> list[User]:
    """Every line's user (SCIM id or userName), concurrently; one not found, or two lines naming the same user, is
    an InputError (exit 2) naming the line, and nothing is sent."""

    def one(item: tuple[int, str]) -> User:
        line, token = item
        try:
            return client.resolve_user(token)
        except errors.NotFoundError as exc:
            raise errors.InputError(f"Line {line} of the users file: no user with id or userName {token!r} was "
                                    "found, so nothing was changed.") from exc

    with ThreadPoolExecutor(max_workers=max(1, concurrency), thread_name_prefix="cli-users") as pool:
        users = list(pool.map(one, tokens))
    seen: dict[str, int] = {}
    for (line, _), user in zip(tokens, users, strict=True):
        if user.id in seen:
            raise errors.InputError(f"Lines {seen[user.id]} and {line} of the users file name the same user "
                                    f"({user.user_name or user.id}); list each user once. Nothing was changed.")
        seen[user.id] = line
    return users


def _dry_run(
    ctx: CliContext, client: ScimClient, request: RoleRequest, users: Sequence[User], concurrency: int
) -> None:
    """The plan per user, from the roles a real run would plan from (``roles_to_plan_from``); nothing is sent."""
    with ThreadPoolExecutor(max_workers=max(1, concurrency), thread_name_prefix="cli-plan") as pool:
        currents = list(pool.map(client.roles_to_plan_from, [u.id for u in users]))
    rows = []
    for user, current in zip(users, currents, strict=True):
        plan = request.plan(current)
        rows.append(_row(user.id, user.user_name, "dry-run", plan.before, plan.after))
    _emit(ctx, rows)
    changing = sum(1 for user, current in zip(users, currents, strict=True) if request.plan(current).changed)
    ctx.out.message(f"Dry run: {changing} of {len(users)} users would change; nothing was sent.")


def _send(ctx: CliContext, client: ScimClient, request: RoleRequest, users: Sequence[User], concurrency: int) -> int:
    from birdadmin.scim.bulk import Interrupted, Status, change_roles_bulk

    not_journaled: dict[str, str] = {}

    def journal(outcome: Outcome) -> None:  # on this thread, as each user is answered
        if outcome.change is None:
            return
        try:
            ctx.journal_user_roles(request, outcome.change)
        except errors.BirdadminError as exc:
            not_journaled[outcome.user_id] = exc.message

    by_id = {u.id: u for u in users}
    try:
        outcomes = change_roles_bulk(client, [u.id for u in users], allow_empty=request.allow_empty,
                                     concurrency=concurrency, on_outcome=journal, **request.change())
    except Interrupted as stopped:
        rows = [_interrupted_row(user, stopped) for user in users]
        _emit(ctx, rows)
        unknown = sum(1 for r in rows if r["status"] == "unknown")
        skipped = sum(1 for r in rows if r["status"] == "skipped")
        ctx.out.error(f"birdadmin-cli: Interrupted: {unknown} users' changes were on the wire and may have been "
                      f"applied (status unknown; check them with `birdadmin-cli users show USER`); {skipped} users "
                      "not started were skipped.")
        return EXIT_INTERRUPTED
    rows = [_outcome_row(o, by_id[o.user_id], not_journaled.get(o.user_id)) for o in outcomes]
    _emit(ctx, rows)
    counts = Counter(r["status"] for r in rows)
    ctx.out.message(f"{len(rows)} users: " + ", ".join(f"{n} {status}" for status, n in sorted(counts.items())))
    for message in dict.fromkeys(not_journaled.values()):
        ctx.out.error(f"birdadmin-cli: {message}")
    failed = sum(1 for o in outcomes if o.status is Status.FAILED)
    unchecked = sum(1 for r in rows if r["status"] == "sent")
    if failed or unchecked:
        ctx.out.error(f"birdadmin-cli: {failed} of {len(outcomes)} users failed"
                      + (f" and {unchecked} were accepted but could not be checked." if unchecked else "."))
    if not_journaled:
        return EXIT_NOT_JOURNALED
    return EXIT_FAILED if failed or unchecked else 0


def _outcome_row(outcome: Outcome, user: User, not_journaled: str | None) -> dict[str, Any]:
    """One user's row; a change the server accepted without showing roles (U8) is "sent", never "changed"."""
    status = str(outcome.status)
    before, after = outcome.before, outcome.after
    if outcome.change is not None and not outcome.change.roles_shown:
        status = "sent"
    elif outcome.status in ("failed", "skipped"):
        before, after = user.roles, ()
    error = outcome.error
    if not_journaled:
        error = f"{error} {not_journaled}".strip()
    return _row(outcome.user_id, outcome.user_name or user.user_name, status, before, after, error)


def _interrupted_row(user: User, stopped: Interrupted) -> dict[str, Any]:
    """What is known of one user after Ctrl+C: answered, on the wire (unknown), or never started (skipped)."""
    outcome = stopped.outcomes.get(user.id)
    if outcome is not None:
        return _outcome_row(outcome, user, None)
    if user.id in stopped.in_flight:
        return _row(user.id, user.user_name, "unknown", user.roles, (),
                    "Interrupted while its change was being sent; it may have been applied.")
    return _row(user.id, user.user_name, "skipped", user.roles, (), "Interrupted before it was started.")


def _row(user_id: str, name: str, status: str, before: Sequence[str], after: Sequence[str],
         error: str = "") -> dict[str, Any]:
    return {"id": user_id, "userName": name, "status": status, "before": list(before), "after": list(after),
            "error": error}


def _emit(ctx: CliContext, rows: list[dict[str, Any]]) -> None:
    """One row per user, in the file's order; role names in a table (as ``users roles add`` shows them)."""
    if ctx.out.format == "table":
        for row in rows:
            for key in ("before", "after"):
                row[key] = ", ".join(ctx.role_label(r) for r in row[key]) or "-"
            row["error"] = row["error"] or "-"
    ctx.out.emit(rows, COLUMNS)

