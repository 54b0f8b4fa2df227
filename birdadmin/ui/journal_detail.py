"""What the Journal page says about one entry (its detail, its CSV row, whether it belongs to the connection in
use, the sentence after an undo was planned) and what its workers run (reading and verifying the journal, reading
an entry's target as it is now). No widgets."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from birdadmin import errors
from birdadmin.connection import ConnectionSpec
from birdadmin.domain.journal_undo import UndoPlan, UndoTarget
from birdadmin.org_load import Session
from birdadmin.qtmodels.journal import KEY_FILTER, JournalRow, RoleNamer, change_text, journal_rows, row_texts
from birdadmin.scim.resources import parse_user
from birdadmin.scim.role_values import roles_as_read
from birdadmin.store.journal import Journal, Verification

CSV_HEADER = ("id", "time", "osUser", "profile", "targetKind", "targetId", "targetName", "action", "change",
              "status", "before", "after", "requests")


def _values(values: tuple[str, ...] | None, row: JournalRow, role_name: RoleNamer) -> str:
    if values is None:
        return "unknown"
    if row.filter_kind == KEY_FILTER:  # the suffixes of the keys concerned
        return ", ".join(f"…{v}" for v in values) or "none"
    if row.kind == "group-members":
        return f"{len(values)} members"
    if not values:
        return "no roles"
    return ", ".join(f"{role_name(v)} ({v})" if role_name(v) != v else v for v in values)


def _member_lines(row: JournalRow, user_name: Callable[[str], str]) -> list[str]:
    diff = row.added_removed()
    if row.kind != "group-members" or diff is None:
        return []
    lines = []
    for title, ids in (("Added", diff[0]), ("Removed", diff[1])):
        if ids:
            lines.append(f"{title}:")
            lines += [f"  {user_name(i)} ({i})" if user_name(i) != i else f"  {i}" for i in ids]
    return lines


def detail_text(row: JournalRow, role_name: RoleNamer, user_name: Callable[[str], str] = str) -> str:
    """The selected entry in full: who, where, what it changed (before and after; members added and removed by
    userName where the organization shown knows them), and every request it sent."""
    lines = [
        f"Entry {row.id}, {row.time_text or 'time unknown'} (local time), by {row.os_user or 'unknown'}",
        f"Profile: {row.profile or 'unknown'}",
        f"Target: {row.target_text or 'unknown'} (id {row.target_id or 'unknown'})",
        f"Action: {row.action or 'unknown'}; status: {row.status or 'unknown'}",
        f"Change: {change_text(row, role_name)}",
        "",
        f"Before: {_values(row.before, row, role_name)}",
        f"After: {_values(row.after, row, role_name)}",
        *_member_lines(row, user_name),
    ]
    reason = row.content.get("reason")
    if isinstance(reason, str) and reason:  # a conflict's or failure's reason; a key step that failed
        lines.append(f"Reason: {reason}")
    undoes = row.content.get("undoes")
    if undoes is not None:
        lines.append(f"Undoes entry {undoes}")
    lines += ["", "Requests:" if row.requests else "Requests: none recorded"]
    lines += [f"  {r.method} {r.path} -> {r.status}" for r in row.requests]
    return "\n".join(lines)


def csv_cells(row: JournalRow, role_name: RoleNamer) -> list[str]:
    """One CSV row (the time as stored, in UTC); ``safe_text.csv_row`` escapes the cells when it is written."""
    def ids(values: tuple[str, ...] | None) -> str:
        return "" if values is None else " ".join(values)

    stored_time = row.content.get("time")
    return [
        str(row.id), stored_time if isinstance(stored_time, str) else "", row.os_user, row.profile, row.target_kind,
        row.target_id, row.target_name, row.action, change_text(row, role_name), row.status, ids(row.before),
        ids(row.after), "; ".join(f"{r.method} {r.path} {r.status}" for r in row.requests),
    ]


def _base(url: Any) -> str:
    return str(url or "").rstrip("/").casefold()


def elsewhere_reason(row: JournalRow, spec: ConnectionSpec) -> str:
    """Empty when the entry was made on the connection in use; else the sentence saying where to connect.

    A profile is known by its id (its local names file is ``profile-<id>``) or, for older entries, its name; an
    ad-hoc connection by its Base URL, as ``cli/context.py`` ``connection_record`` writes them.
    """
    made_on = row.content.get("profile")
    made_on = made_on if isinstance(made_on, Mapping) else {}
    profile_id, name, base = made_on.get("id"), made_on.get("name"), made_on.get("baseUrl")
    if profile_id:
        same = spec.names_key == f"profile-{profile_id}"
    elif base:
        same = _base(base) == _base(spec.base_url)
    elif name:
        same = spec.profile_name == name
    else:
        same = False
    if same:
        return ""
    where = row.profile or "another connection"
    return f"Entry {row.id} was made on {where}; connect to that organization to undo it."


def read_journal(path: Path | None, role_name: RoleNamer) -> tuple[list[JournalRow], list[tuple[str, ...]]]:
    """On a worker: every entry as a row, with its cells. A journal that does not exist yet is empty (reading
    creates nothing). ``role_name`` only reads the catalogue, which nothing changes while it is shown."""
    journal = Journal(path)
    if not journal.path.exists():
        return [], []
    with journal:
        rows = journal_rows(journal.entries())
    return rows, row_texts(rows, role_name)


def verify_journal(path: Path | None) -> Verification:
    journal = Journal(path)
    if not journal.path.exists():
        return Verification(0)
    with journal:
        return journal.verify()


def current_state(session: Session, target: UndoTarget,
                  team_for_group: Mapping[str, Any]) -> tuple[str, tuple[str, ...], str | None]:
    """On a worker: (the planned change's target id, what the target holds now, its version).

    Roles a server does not show are never taken for no roles (docs/bird.md, U8 and H1). A group's roles are its
    Bird team's; the group is the one whose team has the entry's id (A2), else the same id.
    """
    if target.kind == "user-roles":
        data, version = session.scim.get_user_json(target.target_id)
        if roles_as_read(data) is None:
            return target.target_id, tuple(session.scim.roles_to_plan_from(target.target_id)), version
        return target.target_id, tuple(parse_user(data).roles), version
    if target.kind == "group-members":
        group = session.scim.get_group(target.target_id, members=True)
        return group.id, group.member_ids, group.version
    if session.accounts is None:
        raise errors.InputError(
            f"Undoing entry {target.entry_id} needs the Accounts API: a group's roles are its Bird team's; add the "
            "Accounts API URL and key to this connection."
        )
    team = session.accounts.get_team(target.target_id)
    group_id = next((g for g, t in team_for_group.items() if getattr(t, "id", None) == team.id), team.id)
    return group_id, team.role_ids, team.version


def undo_note(target: UndoTarget, plan: UndoPlan, role_name: RoleNamer) -> str:
    """After the target was re-read: what was planned, and plainly whether the target changed since the entry."""
    if target.kind == "group-members":
        now = f"{len(plan.now)} members"
    else:
        now = ", ".join(role_name(r) for r in plan.now) or "no roles"
    since = (
        f" {target.target_name} has changed since entry {target.entry_id}: it now holds {now}, not what the entry "
        "left; the undo takes back only that entry's own additions and removals and keeps the rest."
        if plan.changed_since else ""
    )
    if plan.change is None and plan.already_planned:
        return f"The planned changes already undo entry {target.entry_id} for {target.target_name}.{since}"
    if plan.change is None:
        return (f"Nothing to undo: {target.target_name} already holds what it held before entry "
                f"{target.entry_id}.{since}")
    empty = (f" It would leave {target.target_name} with no roles at all, which the guards refuse unless that is "
             "confirmed (docs/bird.md, H1)." if target.kind == "user-roles" and not plan.change.after else "")
    return (f"Planned the undo of entry {target.entry_id} for {target.target_name}; review it with the planned "
            f"changes before applying.{since}{empty}")
