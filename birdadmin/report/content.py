"""What the PDF audit report says, as plain data: built from an :class:`OrgState` with the audit core
(``domain/audit.py``), its findings (``domain/audit_findings.py``) and the snapshot diff (``domain/snapshot_diff.py``).
Qt-free, so what the report holds is tested without drawing it, and the drawing (``report/pdf.py``) only lays it out.

Every count here is read from the same state; a partial state (``complete`` False) gives lower bounds, and the
report says so on every page (``pdf.py``). Without the Accounts API, roles through groups are unknown
(docs/bird.md, H2): the report says that too instead of showing "0 through groups" as a fact.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from birdadmin.domain.audit import DIRECT, INHERITED, Matrix, user_matrix, who_has
from birdadmin.domain.audit_findings import findings
from birdadmin.domain.finding import SEVERITIES, Finding
from birdadmin.domain.guards import owner_role_ids
from birdadmin.domain.org_state import OrgState
from birdadmin.domain.snapshot_diff import OrgDiff, diff

# More roles held than this, and the default who-has shows only the Owner and the most-held ones.
MANY_ROLES = 8
MOST_HELD = 5


@dataclass(frozen=True, slots=True)
class HolderLine:
    user_name: str
    display_name: str
    active: bool
    sources: tuple[str, ...]  # "direct" first, then group names
    kind: str = "user"  # "user" or "key" (an access key holds roles directly, issue 13)

    @property
    def several(self) -> bool:
        return len(self.sources) > 1


@dataclass(frozen=True, slots=True)
class WhoHas:
    role_id: str
    role_name: str
    holders: tuple[HolderLine, ...]

    @property
    def inactive(self) -> int:
        return sum(not h.active for h in self.holders)

    @property
    def several(self) -> int:
        return sum(h.several for h in self.holders)


@dataclass(frozen=True, slots=True)
class RoleCount:
    """One role's holders: directly, through groups (either may also hold it the other way), and in all."""

    role_id: str
    role_name: str
    direct: int
    through_groups: int
    total: int


@dataclass(frozen=True)
class ReportContent:
    organization: str
    profile: str
    taken_at: str
    generated_at: str
    complete: bool
    group_roles_known: bool
    users: int
    groups: int
    who_has: tuple[WhoHas, ...]
    role_counts: tuple[RoleCount, ...]
    findings: tuple[Finding, ...]
    since_taken_at: str | None = None  # the snapshot compared with, when one was
    diff: OrgDiff | None = None

    def chart_rows(self) -> list[tuple[str, int, int]]:
        """(role name, direct holders, holders through groups only), most-held first: the bar chart's rows."""
        rows = sorted(self.role_counts, key=lambda r: (-r.total, r.role_name.casefold()))
        return [(r.role_name, r.direct, r.total - r.direct) for r in rows if r.total]


def now_text() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def role_counts(state: OrgState, matrix: Matrix) -> list[RoleCount]:
    """Per role column of the users matrix: users holding it directly, through a group, and by any source (the
    matrix's access key rows are left out: the section counts users; keys appear in who-has and the findings)."""
    columns = len(matrix.role_ids)
    direct, inherited, total = [0] * columns, [0] * columns, [0] * columns
    for row in range(len(matrix.row_ids)):
        if matrix.row_kind(row) == "key":
            continue
        for col in range(columns):
            flags = matrix.flags(row, col)
            if flags & DIRECT:
                direct[col] += 1
            if flags & INHERITED:
                inherited[col] += 1
            if flags:
                total[col] += 1
    name = state.catalogue.name_for
    return [
        RoleCount(rid, name(rid), direct[col], inherited[col], total[col])
        for col, rid in enumerate(matrix.role_ids)
    ]


def default_roles(state: OrgState, counts: Sequence[RoleCount], owner_role_id: str | None) -> list[str]:
    """Every role someone holds; when there are many, the Owner and the most-held few (an audit's usual start)."""
    held = [c for c in counts if c.total]
    if len(held) <= MANY_ROLES:
        return [c.role_id for c in held]
    owners = owner_role_ids(state.catalogue, owner_role_id)
    chosen = [c.role_id for c in held if c.role_id in owners]
    most = sorted(held, key=lambda c: (-c.total, c.role_name.casefold()))
    chosen += [c.role_id for c in most if c.role_id not in owners][:MOST_HELD]
    return chosen


def holders(state: OrgState, role_id: str) -> WhoHas:
    rows = who_has(state, role_id)
    lines = tuple(HolderLine(r.user.user_name, r.user.display_name, r.user.active, r.sources, r.kind) for r in rows)
    return WhoHas(role_id, state.catalogue.name_for(role_id), lines)


def _severity_order(finding: Finding) -> tuple[int, str, str]:
    return (-SEVERITIES.index(finding.severity), finding.kind, finding.subject_name.casefold())


def build(
    state: OrgState,
    *,
    roles: Sequence[str] = (),
    since: OrgState | None = None,
    owner_role_id: str | None = None,
    owner_warn_above: int = 3,
    generated_at: str | None = None,
    key_unused_days: int = 90,
    key_rotation_days: int = 365,
    sensitive_role_ids: Sequence[str] = (),
) -> ReportContent:
    """Everything the report shows, from one state (and the snapshot compared with, when given)."""
    counts = role_counts(state, user_matrix(state))
    chosen = [r.lower() for r in roles] if roles else default_roles(state, counts, owner_role_id)
    found = findings(state, owner_role_id=owner_role_id, owner_warn_above=owner_warn_above,
                     key_unused_days=key_unused_days, key_rotation_days=key_rotation_days,
                     sensitive_role_ids=tuple(sensitive_role_ids))
    return ReportContent(
        organization=state.label,
        profile=state.profile,
        taken_at=state.taken_at,
        generated_at=generated_at or now_text(),
        complete=state.complete,
        group_roles_known=state.group_roles_known,
        users=len(state.users),
        groups=len(state.groups),
        who_has=tuple(holders(state, rid) for rid in dict.fromkeys(chosen)),
        role_counts=tuple(counts),
        findings=tuple(sorted(found, key=_severity_order)),
        since_taken_at=since.taken_at if since is not None else None,
        diff=diff(since, state) if since is not None else None,
    )
