"""Rows for the Snapshots page and the read-only snapshot window, as ``RecordsModel`` records.

Built on workers (a snapshot can hold 100,000 users); the models only take the finished records.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from birdadmin.domain.org_state import OrgState
from birdadmin.domain.snapshot_diff import OrgDiff, rows
from birdadmin.qtmodels.records import Record
from birdadmin.store.snapshots import SnapshotInfo

LIST_HEADERS = ("Time", "Profile", "Organization", "Users", "Groups", "Complete", "Hash")
DIFF_HEADERS = ("Change", "Subject", "Role", "Via")
USER_HEADERS = ("User name", "Display name", "Active", "Direct roles", "Groups")
GROUP_HEADERS = ("Name", "Members", "Roles")


def local_time(taken_at: str) -> str:
    """An ISO 8601 UTC time as the person's local time (seconds); the text as it is when it is not a time."""
    try:
        return datetime.fromisoformat(taken_at).astimezone().strftime("%Y-%m-%d %H:%M:%S")
    except ValueError:
        return taken_at


def list_records(infos: Sequence[SnapshotInfo]) -> list[Record]:
    return [
        Record((local_time(i.taken_at), i.profile or "-", i.label, str(i.users), str(i.groups),
                "yes" if i.complete else "no (partial)", i.content_hash[:12]), id=str(i.id), obj=i)
        for i in infos
    ]


def diff_records(result: OrgDiff, state: OrgState) -> list[Record]:
    """One record per change (change, subject, role, via); role names from ``state`` (the newer side). The record's
    id is the subject's SCIM id and its object the role's UUID ("" for a change without a role), for exports."""
    names = {d.role_id: state.catalogue.name_for(d.role_id) for d in result.roles}
    role_ids = [r["role"] for r in rows(result)]  # without names, the role column is the UUID
    return [Record((r["change"], r["subject"], r["role"], r["via"]), id=r["subjectId"], obj=role_id)
            for r, role_id in zip(rows(result, names), role_ids, strict=True)]


def user_records(state: OrgState) -> list[Record]:
    name = state.catalogue.name_for
    memberships = state.memberships()
    return [
        Record((u.user_name, u.display_name, "yes" if u.active else "no",
                ", ".join(sorted((name(r) for r in u.roles), key=str.casefold)),
                ", ".join(sorted((g for _, g in memberships.get(u.id, ())), key=str.casefold))), id=u.id)
        for u in sorted(state.users, key=lambda u: u.user_name.casefold())
    ]


def group_records(state: OrgState) -> list[Record]:
    name = state.catalogue.name_for
    found = []
    for g in sorted(state.groups, key=lambda g: g.name.casefold()):
        roles = ("unknown (no Accounts API)" if g.role_ids is None  # docs/bird.md, H2
                 else ", ".join(sorted((name(r) for r in g.role_ids), key=str.casefold)))
        found.append(Record((g.name, str(len(g.member_ids)), roles), id=g.id))
    return found
