"""The audit findings and their rules, read from the audit core's index (domain/audit.py): pure Python, no I/O.

Users without roles; inactive users who still hold roles; role UUIDs unknown to the catalogue (users and groups);
the number of active Owners; groups that carry roles but have no members; roles held directly and through a group.
Where roles through groups are unknown (no Accounts API, docs/bird.md H2) or the listing is incomplete, a finding
says so instead of claiming more than the data shows. ``domain/findings.py`` keeps the older ``audit()`` for its
existing callers; user paths use :func:`findings` here. The finding type and the severities are in
``domain/finding.py``; this module imports the audit core, which never imports it back.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

from birdadmin.domain.audit import _Index, gc_paused, index_of, who_has
from birdadmin.domain.finding import SEVERITIES, Finding, Severity
from birdadmin.domain.guards import owner_role_ids
from birdadmin.domain.org_state import OrgState
from birdadmin.scim.resources import User

KINDS = ("owner-count", "inactive-with-roles", "no-roles", "unknown-role", "group-roles-no-members",
         "redundant-grant", "key-sensitive-role", "key-never-used", "key-unused", "key-old")


@dataclass(frozen=True, slots=True)
class KeyRules:
    """The access keys' thresholds (the profile's ``key_unused_days``, ``key_rotation_days``, sensitive roles)."""

    now: datetime
    unused_days: int = 90
    rotation_days: int = 365
    sensitive_role_ids: frozenset[str] = frozenset()


def findings(
    state: OrgState, *, owner_role_id: str | None = None, owner_warn_above: int = 3, key_unused_days: int = 90,
    key_rotation_days: int = 365, sensitive_role_ids: frozenset[str] | tuple[str, ...] = (),
    now: datetime | None = None,
) -> list[Finding]:
    """Every finding, most severe first (then by kind and subject name); the access keys' findings
    (``domain/key_findings.py``) with the profile's thresholds among them."""
    index = index_of(state)
    owners = owner_role_ids(state.catalogue, owner_role_id)
    rules = KeyRules(now or datetime.now(UTC), key_unused_days, key_rotation_days,
                     frozenset(r.lower() for r in sensitive_role_ids))
    with gc_paused():
        return all_findings(state, index, owners, owner_warn_above, rules)


def all_findings(state: OrgState, index: _Index, owners: frozenset[str], owner_warn_above: int,
                 key_rules: KeyRules | None = None) -> list[Finding]:
    """Every finding, most severe first, from the state's index (see :func:`findings`)."""
    return _sorted([
        *_owner_count(state, index, owners, owner_warn_above),
        *_user_findings(state, index, owners),
        *_group_findings(state, index),
        *_redundant(index),
        *_key_findings(state, owners, key_rules),
    ])


def _key_findings(state: OrgState, owners: frozenset[str], rules: KeyRules | None) -> list[Finding]:
    """The access keys' findings (``domain/key_findings.py``); none without keys."""
    if not state.keys or rules is None:
        return []
    from birdadmin.domain.key_findings import key_findings

    found: list[Finding] = key_findings(
        state.keys, now=rules.now, unused_days=rules.unused_days,  # type: ignore[arg-type]  # KeyPrincipal
        rotation_days=rules.rotation_days, owner_role_ids=owners, sensitive_role_ids=rules.sensitive_role_ids,
        catalogue=state.catalogue,
    )
    return found


def _sorted(found: list[Finding]) -> list[Finding]:
    """Most severe first, then by kind; each part comes in row order (by name), only the mixed kind is sorted."""
    buckets: dict[tuple[str, str], list[Finding]] = {}
    for finding in found:
        buckets.setdefault((finding.severity, finding.kind), []).append(finding)
    found = []
    kinds = KINDS + tuple(sorted({k for _, k in buckets} - set(KINDS)))  # a kind not listed is still kept
    for severity in reversed(SEVERITIES):
        for kind in kinds:
            bucket = buckets.get((severity, kind), [])
            if kind == "unknown-role":
                bucket.sort(key=lambda f: (f.subject_name.casefold(), f.subject_kind, f.subject_id))
            found.extend(bucket)
    return found


def _user_label(user: User) -> str:
    return user.user_name or user.id


def _unknown_rows(index: _Index) -> frozenset[int]:
    """Rows of the users in a group whose roles nobody could read (docs/bird.md, H2)."""
    rows = {index.row_of.get(m) for g in index.group_order if g.id in index.unknown_groups for m in g.member_ids}
    return frozenset(r for r in rows if r is not None)


def _user_findings(state: OrgState, index: _Index, owners: frozenset[str]) -> list[Finding]:
    """Users without roles, inactive users with roles, and role UUIDs unknown to the catalogue."""
    out: list[Finding] = []
    n = len(index.users)
    held = 0  # every column OR-ed as one big integer: a zero byte is a row holding nothing (C speed)
    for column in index.user_cells:
        held |= int.from_bytes(column, "little")
    anything = held.to_bytes(n, "little") if n else b""
    unknown_rows = _unknown_rows(index)
    everywhere = index.groups_unknown_everywhere
    for match in re.finditer(rb"\x00", anything):
        user = index.users[match.start()]
        if user.active:
            out.append(_no_roles(user, everywhere or match.start() in unknown_rows))
    for i, user in enumerate(index.users):
        if not user.active and anything[i]:
            roles = tuple(rid for rid, column in zip(index.role_ids, index.user_cells, strict=True) if column[i])
            severity: Severity = "high" if owners & set(roles) else "medium"
            unknown = " (roles through its groups unknown)" if everywhere or i in unknown_rows else ""
            name = _user_label(user)
            out.append(Finding("inactive-with-roles", severity, "user", user.id, name,
                               f"{name} is inactive but still holds {_plural(len(roles), 'role')}{unknown}; "
                               "reactivating the account would restore them.", roles))
    if state.catalogue.has_names():  # without names every role is "unknown": nothing to say
        out.extend(_unknown_direct(index))
    return out


def _unknown_direct(index: _Index) -> list[Finding]:
    """Users holding, directly, role UUIDs the catalogue has no name for (stale roles or an outdated catalogue)."""
    missing: dict[int, list[str]] = {}
    for rid, column in zip(index.role_ids[index.n_named:], index.user_cells[index.n_named:], strict=True):
        for match in re.finditer(rb"[\x01\x03]", column):
            missing.setdefault(match.start(), []).append(rid)
    out = []
    for row in sorted(missing):
        user, roles = index.users[row], tuple(missing[row])
        name = _user_label(user)
        out.append(Finding("unknown-role", "low", "user", user.id, name,
                           f"{name} holds {_plural(len(roles), 'role')} not in the catalogue: {', '.join(roles)}.",
                           roles))
    return out


def _no_roles(user: User, groups_unknown: bool) -> Finding:
    name = _user_label(user)
    if groups_unknown:
        text = f"{name} has no direct roles; roles through groups unknown."
    else:
        text = f"{name} is active but has no roles, directly or through a group."
    return Finding("no-roles", "medium", "user", user.id, name, text)


def _group_findings(state: OrgState, index: _Index) -> list[Finding]:
    """Groups carrying roles unknown to the catalogue, and groups carrying roles with no members."""
    out: list[Finding] = []
    check_unknown = state.catalogue.has_names()
    for group in index.groups:
        roles = index.group_roles.get(group.id, ())
        if check_unknown:
            missing = tuple(r for r in roles if not state.catalogue.is_known(r))
            if missing:
                out.append(Finding("unknown-role", "low", "group", group.id, group.name,
                                   f"Group {group.name} carries {_plural(len(missing), 'role')} not in the "
                                   f"catalogue: {', '.join(missing)}.", missing))
        if roles and not group.member_ids:
            out.append(Finding("group-roles-no-members", "low", "group", group.id, group.name,
                               f"Group {group.name} carries {_plural(len(roles), 'role')} but has no members.",
                               roles))
    return out


def _redundant(index: _Index) -> list[Finding]:
    """A role held directly and through a group: removing either grant alone changes nothing."""
    pairs: list[tuple[int, int]] = []
    for col, column in enumerate(index.user_cells):
        pairs.extend((m.start(), col) for m in re.finditer(rb"\x03", column))
    pairs.sort()
    out: list[Finding] = []
    for row, col in pairs:
        rid = index.role_ids[col]
        user = index.users[row]
        names = ", ".join(n for _, n in index.giving(rid).get(row, ()))
        name = _user_label(user)
        out.append(Finding("redundant-grant", "info", "user", user.id, name,
                           f"{name} holds {index.role_names[rid]} both directly and through group {names}.", (rid,)))
    return out


def _owner_count(state: OrgState, index: _Index, owners: frozenset[str], warn_above: int) -> list[Finding]:
    """The number of active Owners: none (high), exactly one or more than ``warn_above`` (medium)."""
    org_id, org_name = state.profile or state.label, state.label or state.profile
    if not owners:
        return [Finding("owner-count", "info", "organization", org_id, org_name,
                        "The Owner role is unknown (no role named Owner in the catalogue and no owner_role_id in "
                        "the profile), so the number of active Owners could not be checked.")]
    ids = tuple(sorted(owners))
    holders: dict[str, User] = {}
    for rid in ids:
        for row in who_has(state, rid):
            if row.kind == "user" and row.user.active:  # keys are not Owners one can sign in as
                holders[row.user.id] = row.user
    lower_bound = not state.complete or bool(index.unknown_groups) or index.groups_unknown_everywhere
    at_least = "at least " if lower_bound else ""
    why = _why_lower_bound(state, index)
    n = len(holders)
    if n == 0:
        text = ("No active Owner was found" + (f" ({why})" if why else "") + "; "
                "Bird advises keeping one outside SCIM (docs/bird.md, H2).")
        return [Finding("owner-count", "high", "organization", org_id, org_name, text, ids)]
    if n == 1:
        (only,) = holders.values()
        if lower_bound:
            text = f"At least one active Owner: {_user_label(only)} (more may exist: {why})."
        else:
            text = f"There is only one active Owner: {_user_label(only)}."
        return [Finding("owner-count", "medium", "organization", org_id, org_name, text, ids)]
    if n > warn_above:
        return [Finding("owner-count", "medium", "organization", org_id, org_name,
                        f"{at_least.capitalize() or ''}{n} active Owners, more than the {warn_above} the profile "
                        "allows before warning.", ids)]
    return []


def _why_lower_bound(state: OrgState, index: _Index) -> str:
    reasons = []
    if not state.complete:
        reasons.append("the listing of users is incomplete")
    if index.unknown_groups or index.groups_unknown_everywhere:
        reasons.append("roles through groups unknown")
    return "; ".join(reasons)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"
