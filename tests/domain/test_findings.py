"""Audit findings: unknown roles, inactive users with roles, users without roles, redundant grants."""

from __future__ import annotations

from birdadmin.bird.models import Role
from birdadmin.domain.catalogue import RoleCatalogue
from birdadmin.domain.findings import (
    GroupUnknownRoles,
    InactiveWithRoles,
    NoRoles,
    RedundantRole,
    UnknownRoles,
    audit,
)
from birdadmin.scim.resources import User

OWNER = "0b1c2d3e-0000-4000-8000-000000000001"
AGENT = "0b1c2d3e-0000-4000-8000-000000000002"
STALE = "deadbeef-0000-4000-8000-00000000000f"


def catalogue() -> RoleCatalogue:
    return RoleCatalogue.from_accounts([Role(OWNER, "Owner"), Role(AGENT, "Agent")])


def test_each_kind_of_finding_is_reported_once_with_a_sentence() -> None:
    users = [
        User("u1", "ok@example.com", roles=(OWNER,)),
        User("u2", "stale@example.com", display_name="Zoë", roles=(STALE.upper(), AGENT)),
        User("u3", "gone@example.com", active=False, roles=(AGENT,)),
        User("u4", "gone-too@example.com", active=False),
        User("u5", "none@example.com"),
        User("u6", "twice@example.com", roles=(AGENT,)),
        User("u7", "via-group@example.com"),
        User("u8", "gone-group@example.com", active=False),
    ]
    memberships = {"u6": [("g1", "Support")], "u7": [("g1", "Support")], "u8": [("g1", "Support")]}
    group_roles = {"g1": [AGENT], "g2": [STALE]}
    found = audit(users, catalogue(), memberships, group_roles, group_names={"g2": "Legacy"})
    assert found == [
        GroupUnknownRoles("g2", "Legacy", (STALE,)),
        UnknownRoles("u2", "Zoë", (STALE,)),
        InactiveWithRoles("u3", "gone@example.com", (AGENT,), ()),
        InactiveWithRoles("u8", "gone-group@example.com", (), (AGENT,)),
        NoRoles("u5", "none@example.com"),
        RedundantRole("u6", "twice@example.com", AGENT, "Agent", ("Support",)),
    ]
    sentences = [f.description for f in found]
    assert sentences[1] == f"Zoë holds role not in the catalogue: {STALE}."
    assert sentences[3] == "gone-group@example.com is inactive but still holds roles (1 through groups)."
    assert sentences[5] == "twice@example.com holds Agent both directly and through group Support."
    assert all(s.endswith(".") and "\n" not in s for s in sentences)


def test_unknown_roles_are_not_reported_without_any_role_names() -> None:
    users = [User("u1", "a@example.com", roles=(STALE,))]
    assert audit(users, RoleCatalogue(), {}, {}) == []
    assert [f.kind for f in audit(users, RoleCatalogue(), {}, {}, check_unknown=True)] == ["unknown-role"]


def test_fifty_thousand_users_are_audited() -> None:
    """Every kind of finding at scale; the time it takes is measured by tests/benchmarks/bench_scim.py."""
    roles = [f"0b1c2d3e-0000-4000-8000-{i:012d}" for i in range(12)]
    cat = RoleCatalogue.from_accounts([Role(r, f"Role {i}") for i, r in enumerate(roles[:10])])
    groups = {f"g{i}": [roles[i % 12], roles[(i + 3) % 12]] for i in range(20)}
    users = []
    memberships: dict[str, list[tuple[str, str]]] = {}
    for i in range(50_000):
        uid = f"u{i}"
        held = tuple(roles[(i + j) % 12] for j in range(i % 3))
        users.append(User(uid, f"user{i}@example.com", active=i % 17 != 0, roles=held))
        if i % 4:
            memberships[uid] = [(f"g{i % 20}", f"Group {i % 20}")]
    found = audit(users, cat, memberships, groups)
    kinds = {f.kind for f in found}
    assert kinds == {"unknown-role", "group-unknown-role", "inactive-with-roles", "no-roles", "redundant-role"}
    # users with i % 3 == 0, active, and not in a group have no roles at all
    expected_empty = sum(1 for i in range(50_000) if i % 3 == 0 and i % 17 != 0 and i % 4 == 0)
    assert sum(1 for f in found if f.kind == "no-roles") == expected_empty


def test_a_role_listed_twice_in_different_case_is_one_role() -> None:
    users = [
        User("u1", "twice@example.com", roles=(AGENT, AGENT.upper())),
        User("u2", "gone@example.com", active=False, roles=(STALE, STALE.upper())),
    ]
    found = audit(users, catalogue(), {"u1": [("g1", "Support")]}, {"g1": [AGENT]})
    assert found == [
        UnknownRoles("u2", "gone@example.com", (STALE,)),
        InactiveWithRoles("u2", "gone@example.com", (STALE,), ()),
        RedundantRole("u1", "twice@example.com", AGENT, "Agent", ("Support",)),
    ]
    assert found[1].description == "gone@example.com is inactive but still holds roles (1 directly)."
