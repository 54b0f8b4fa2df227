"""Hand-built organizations for the report tests and the benchmark (no server)."""

from __future__ import annotations

from dataclasses import dataclass

from birdadmin.domain.catalogue import RoleCatalogue
from birdadmin.domain.org_state import GroupState, OrgState
from birdadmin.scim.resources import User

OWNER = "00000000-0000-4000-8000-000000000001"
AGENT = "00000000-0000-4000-8000-000000000002"
AUDITOR = "00000000-0000-4000-8000-000000000003"
STALE = "00000000-0000-4000-8000-0000000000ff"  # held by someone, unknown to the catalogue
HOSTILE = "<b>Mal</b> &amp; <script>x"  # fits its column, so the text read back is one piece


@dataclass(frozen=True)
class Role:
    id: str
    name: str
    description: str = ""
    type: str = "organization"


def catalogue(extra: int = 0) -> RoleCatalogue:
    roles = [Role(OWNER, "Owner"), Role(AGENT, "Support agent"), Role(AUDITOR, "Auditor")]
    roles += [Role(f"00000000-0000-4000-9000-{i:012d}", f"Role {i:02d}") for i in range(extra)]
    return RoleCatalogue(roles)


def small(*, complete: bool = True, label: str = "Acme Support BV") -> OrgState:
    """Alice: Owner directly and through Admins; Bob: Agent through Support; Carol: inactive Owner; Dave: nothing;
    Eve: a hostile display name holding Auditor and a stale role; Admins, Support, and Empty (roles, no members)."""
    users = (
        User("u-alice", "alice@example.com", "Alice Admin", True, (OWNER,)),
        User("u-bob", "bob@example.com", "Bob Agent", True, ()),
        User("u-carol", "carol@example.com", "Carol Gone", False, (OWNER,)),
        User("u-dave", "dave@example.com", "Dave Nobody", True, ()),
        User("u-eve", "eve@example.com", HOSTILE, True, (AUDITOR, STALE)),
    )
    groups = (
        GroupState("g-admins", "Admins", ("u-alice",), (OWNER,)),
        GroupState("g-support", "Support <team>", ("u-bob", "u-alice"), (AGENT,)),
        GroupState("g-empty", "Empty group", (), (AUDITOR,)),
    )
    return OrgState(users, groups, catalogue(), "2026-11-30T22:00:00Z", label, "acme-prod", complete)


def large(users: int = 10_000, roles: int = 50, groups: int = 200) -> OrgState:
    """``users`` users over ``roles`` roles (a few each, skewed so some roles are held by many) and ``groups``
    groups of 50 members, each giving one role."""
    cat = catalogue(roles - 3)
    ids = [OWNER, AGENT, AUDITOR] + [f"00000000-0000-4000-9000-{i:012d}" for i in range(roles - 3)]
    people = tuple(
        User(f"u{i:06d}", f"user{i:06d}@example.com", f"User {i}", i % 17 != 0,
             tuple(dict.fromkeys(ids[(i * k) % (k * 7 + 3) % roles] for k in (1, 2, 3))) if i % 11 else ())
        for i in range(users)
    )
    teams = tuple(
        GroupState(f"g{g:04d}", f"Group {g:04d}", tuple(f"u{(g * 50 + m) % users:06d}" for m in range(50)),
                   (ids[g % roles],))
        for g in range(groups)
    )
    return OrgState(people, teams, cat, "2026-11-30T22:00:00Z", "Benchmark organization", "bench", True)
