"""``audit who-has|matrix|findings``: who holds which role and through what, for people and for scheduled audits.

Every command reads the whole organization once (``CliContext.org_state``, a listing cut short is exit 5) and
answers from ``domain/audit.py``. ``findings --fail-on SEVERITY`` exits 1 when a finding at or above it exists,
so a cron job can alert on it; without it the command exits 0 whatever it finds. Access keys are principals beside
the users (issue 13): each who-has holder and matrix row says its ``kind``, ``user`` or ``key``.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from birdadmin import errors
from birdadmin.cli.time_limits import add_command_max_time
from birdadmin.scim.resources import is_uuid

if TYPE_CHECKING:
    from birdadmin.cli.context import CliContext
    from birdadmin.connection import ConnectionSpec
    from birdadmin.domain.audit import HolderRow, Matrix
    from birdadmin.domain.finding import Finding

SEVERITY_CHOICES = ("none", "info", "low", "medium", "high")
HOLDER_COLUMNS = ["kind", "userName", "displayName", "active", "sources", "several"]
FINDING_COLUMNS = ["severity", "kind", "subject", "message"]
_CELL = {0: "", 1: "D", 2: "G", 3: "D+G"}
_GROUPS_UNKNOWN = ("Roles through groups are unknown here (they need the Accounts API, docs/bird.md H2): "
                   "only direct grants are shown.")


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    audit = commands.add_parser("audit", help="who has which role and why, the role matrix, audit findings")
    sub = audit.add_subparsers(dest="audit_command", metavar="ACTION", required=True)
    who = sub.add_parser("who-has", help="every holder of ROLE with every source (direct, or through which groups)")
    who.add_argument("role", metavar="ROLE", help="the role's name or UUID")
    who.set_defaults(handler=who_has_command)
    matrix = sub.add_parser("matrix", help="users x roles (D direct, G through a group, D+G both)")
    matrix.add_argument("--groups", action="store_true", help="groups x roles instead (D: the group gives it)")
    matrix.set_defaults(handler=matrix_command)
    found = sub.add_parser("findings", help="role situations an auditor wants listed, most severe first")
    found.add_argument("--fail-on", choices=SEVERITY_CHOICES, default="none", metavar="SEVERITY",
                       help="exit 1 when a finding at or above SEVERITY (info, low, medium, high) exists; "
                            "default none: exit 0")
    found.add_argument("--owner-role", metavar="UUID",
                       help="the Owner role's UUID (overrides the profile's; needed when role names are unknown)")
    found.set_defaults(handler=findings_command)
    for leaf in (who, matrix, found):
        add_command_max_time(leaf)


# -- who-has ---------------------------------------------------------------------------------------------------


def _holder_record(row: HolderRow) -> dict[str, Any]:
    user = row.user  # for a key: its id and name (domain/audit.py)
    return {"kind": row.kind, "id": user.id, "userName": user.user_name, "displayName": user.display_name,
            "active": user.active, "sources": list(row.sources)}


def who_has_command(args: argparse.Namespace, ctx: CliContext) -> int:
    from birdadmin.domain.audit import who_has

    (role,) = ctx.resolve_roles([args.role])
    state = ctx.org_state()
    rows = who_has(state, role)
    if ctx.out.format == "json":
        ctx.out.emit([_holder_record(r) for r in rows], HOLDER_COLUMNS)
    else:
        # Group names may hold spaces or commas: "; " keeps a cell's sources apart.
        ctx.out.emit([{**_holder_record(r), "sources": "; ".join(r.sources), "several": r.several} for r in rows],
                     HOLDER_COLUMNS)
    inactive = sum(1 for r in rows if not r.user.active)
    several = sum(1 for r in rows if r.several)
    keys = sum(1 for r in rows if r.kind == "key")
    key_word = "access key" if keys == 1 else "access keys"
    ctx.out.message(f"{len(rows)} holders of {ctx.role_label(role)} ({len(rows) - keys} users, {keys} {key_word}; "
                    f"{inactive} inactive, {several} through several sources).")
    if not state.group_roles_known:
        ctx.out.message(_GROUPS_UNKNOWN)
    return 0


# -- matrix ----------------------------------------------------------------------------------------------------


def _headers(ctx: CliContext, role_ids: tuple[str, ...]) -> list[str]:
    """One column title per role: its name, with the UUID's start when two roles share a name."""
    names = [ctx.role_label(rid) for rid in role_ids]
    seen: dict[str, int] = {}
    for name in names:
        seen[name.casefold()] = seen.get(name.casefold(), 0) + 1
    return [f"{n} ({rid[:8]})" if seen[n.casefold()] > 1 or n in ("id", "name") else n
            for n, rid in zip(names, role_ids, strict=True)]


def _matrix_rows(matrix: Matrix, headers: list[str]) -> list[dict[str, Any]]:
    out = []
    for r, (row_id, name) in enumerate(zip(matrix.row_ids, matrix.row_names, strict=True)):
        record: dict[str, Any] = {"kind": matrix.row_kind(r), "id": row_id, "name": name}
        for c, header in enumerate(headers):
            record[header] = _CELL[matrix.flags(r, c)]
        out.append(record)
    return out


def matrix_command(args: argparse.Namespace, ctx: CliContext) -> int:
    from birdadmin.domain.audit import group_matrix, user_matrix

    state = ctx.org_state()
    matrix = group_matrix(state) if args.groups else user_matrix(state)
    if ctx.out.format == "json":
        ctx.out.emit([
            {"kind": matrix.row_kind(r), "id": row_id, "name": name, "roles": {
                rid: _CELL[matrix.flags(r, c)] for c, rid in enumerate(matrix.role_ids) if matrix.flags(r, c)
            }}
            for r, (row_id, name) in enumerate(zip(matrix.row_ids, matrix.row_names, strict=True))
        ], ["kind", "id", "name", "roles"])
        return 0
    headers = _headers(ctx, matrix.role_ids)
    ctx.out.emit(_matrix_rows(matrix, headers), ["kind", "name", *headers] if ctx.out.format == "table" else
                 ["kind", "id", "name", *headers])
    counts = ", ".join(f"{h} {matrix.counts[rid]}" for h, rid in zip(headers, matrix.role_ids, strict=True))
    keys = sum(1 for kind in matrix.row_kinds if kind == "key")
    what = "groups" if args.groups else f"users and {keys} access keys" if keys else "users"
    ctx.out.message(f"{len(matrix.row_ids) - keys} {what}; holders per role: {counts or 'none'}.")
    if not state.group_roles_known:
        ctx.out.message(_GROUPS_UNKNOWN)
    return 0


# -- findings --------------------------------------------------------------------------------------------------


def _finding_record(finding: Finding) -> dict[str, Any]:
    return {"kind": finding.kind, "severity": finding.severity,
            "subject": {"kind": finding.subject_kind, "id": finding.subject_id, "name": finding.subject_name},
            "message": finding.message, "roleIds": list(finding.role_ids)}


def key_thresholds(conn: ConnectionSpec) -> dict[str, Any]:
    """The profile's access key thresholds (store/profile_model.py)."""
    return {"key_unused_days": conn.key_unused_days, "key_rotation_days": conn.key_rotation_days,
            "sensitive_role_ids": conn.sensitive_role_ids}


def findings_command(args: argparse.Namespace, ctx: CliContext) -> int:
    from birdadmin.domain.audit_findings import findings
    from birdadmin.domain.finding import SEVERITIES

    owner = args.owner_role.strip() if args.owner_role else None
    if owner is not None and not is_uuid(owner):
        raise errors.InputError(f"--owner-role needs a role UUID, not {owner!r}.")
    conn = ctx.connection()
    state = ctx.org_state()
    found = findings(state, owner_role_id=owner or conn.owner_role_id, owner_warn_above=conn.owner_warn_above,
                     **key_thresholds(conn))
    if ctx.out.format == "json":
        ctx.out.emit([_finding_record(f) for f in found], FINDING_COLUMNS)
    else:
        ctx.out.emit([{"severity": f.severity, "kind": f.kind, "subject": f"{f.subject_kind} {f.subject_name}",
                       "message": f.message} for f in found], FINDING_COLUMNS)
        if ctx.out.format == "table":
            by = {s: sum(1 for f in found if f.severity == s) for s in reversed(SEVERITIES)}
            ctx.out.message(f"{len(found)} findings (" + ", ".join(f"{n} {s}" for s, n in by.items()) + ").")
    if args.fail_on == "none":
        return 0
    floor = SEVERITIES.index(args.fail_on)
    return 1 if any(SEVERITIES.index(f.severity) >= floor for f in found) else 0
