"""The audit core (domain/audit.py) against hand-built organizations: who has what and through what, the matrices
and the findings; hypothesis properties tie the matrix to who_has."""

from __future__ import annotations

import dataclasses
import gc
from datetime import UTC, datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from birdadmin.bird.models import Role
from birdadmin.domain import audit
from birdadmin.domain.audit import (
    DIRECT,
    INHERITED,
    group_matrix,
    user_matrix,
    who_has,
)
from birdadmin.domain.audit_findings import findings
from birdadmin.domain.catalogue import RoleCatalogue
from birdadmin.domain.finding import SEVERITIES, Finding
from birdadmin.domain.org_state import GroupState, OrgState
from birdadmin.scim.resources import User
from tests.keys_support import access_key

OWNER = "00000000-0000-4000-8000-000000000001"
AGENT = "00000000-0000-4000-8000-000000000002"
ANALYST = "00000000-0000-4000-8000-000000000003"
STALE = "00000000-0000-4000-8000-0000000000ff"  # on users and groups, unknown to the catalogue


def catalogue() -> RoleCatalogue:
    return RoleCatalogue([Role(OWNER, "Owner"), Role(AGENT, "Agent"), Role(ANALYST, "Analyst")])


def state(users: list[User], groups: list[GroupState], **kw: object) -> OrgState:
    return OrgState(tuple(users), tuple(groups), kw.pop("cat", None) or catalogue(),  # type: ignore[arg-type]
                    "2026-12-01T00:00:00Z", "Acme", "acme", **kw)  # type: ignore[arg-type]


def org() -> OrgState:
    """ada: Agent directly and through Sales and Support; bob: Owner; cy: inactive Owner; dee: nothing;
    eve: Analyst through Support only; group Ghost gives Analyst to nobody; group Legacy carries a stale UUID."""
    users = [
        User("u-eve", "eve", "Eve"), User("u-ada", "Ada", "Ada L", roles=(AGENT.upper(),)),
        User("u-bob", "bob", roles=(OWNER,)), User("u-cy", "cy", active=False, roles=(OWNER,)),
        User("u-dee", "dee"),
    ]
    groups = [
        GroupState("g-sales", "Sales", ("u-ada",), (AGENT,)),
        GroupState("g-support", "Support", ("u-ada", "u-eve"), (AGENT, ANALYST)),
        GroupState("g-ghost", "Ghost", (), (ANALYST,)),
        GroupState("g-legacy", "Legacy", ("u-bob",), (STALE,)),
    ]
    return state(users, groups)


def by_kind(found: list[Finding], kind: str) -> list[Finding]:
    return [f for f in found if f.kind == kind]


# -- who_has ---------------------------------------------------------------------------------------------------


def test_a_role_held_directly_and_through_two_groups_lists_all_three_sources() -> None:
    rows = who_has(org(), AGENT.upper())
    assert [r.user.user_name for r in rows] == ["Ada", "eve"]  # by userName, case-folded
    ada, eve = rows
    assert ada.direct and ada.groups == (("g-sales", "Sales"), ("g-support", "Support"))
    assert ada.sources == ("direct", "Sales", "Support") and ada.several
    assert not eve.direct and eve.sources == ("Support",) and not eve.several
    assert who_has(org(), "00000000-0000-4000-8000-00000000dead") == []


def test_inactive_holders_are_listed_and_marked() -> None:
    rows = who_has(org(), OWNER)
    assert [(r.user.user_name, r.user.active, r.sources) for r in rows] == [
        ("bob", True, ("direct",)), ("cy", False, ("direct",))]


# -- matrices --------------------------------------------------------------------------------------------------


def test_user_matrix_columns_rows_flags_sources_and_counts() -> None:
    m = user_matrix(org())
    assert m.kind == "users"
    assert m.role_ids == (AGENT, ANALYST, OWNER, STALE)  # named roles by name, then unknown UUIDs
    assert m.row_names == ("Ada", "bob", "cy", "dee", "eve")
    ada, agent, analyst, stale = m.row_ids.index("u-ada"), 0, 1, 3
    assert m.flags(ada, agent) == DIRECT | INHERITED and m.sources(ada, agent) == ("direct", "Sales", "Support")
    assert m.flags(ada, analyst) == INHERITED and m.sources(ada, analyst) == ("Support",)
    assert m.flags(m.row_ids.index("u-bob"), stale) == INHERITED
    assert m.flags(m.row_ids.index("u-dee"), agent) == 0 and m.sources(m.row_ids.index("u-dee"), agent) == ()
    assert m.counts == {AGENT: 2, ANALYST: 2, OWNER: 2, STALE: 1}
    assert m.column(OWNER.upper()) == 2 and m.column("nope") is None


def test_group_matrix_marks_what_each_group_gives() -> None:
    m = group_matrix(org())
    assert m.kind == "groups" and m.row_names == ("Ghost", "Legacy", "Sales", "Support")
    support = m.row_ids.index("g-support")
    assert [m.flags(support, c) for c in range(4)] == [DIRECT, DIRECT, 0, 0]
    assert m.sources(support, 0) == ("direct",)
    assert m.counts == {AGENT: 2, ANALYST: 2, OWNER: 0, STALE: 1}


def test_the_index_goes_with_its_state() -> None:
    s = org()
    user_matrix(s)
    assert id(s) in audit._CACHE
    key = id(s)
    del s
    gc.collect()
    assert key not in audit._CACHE


# -- findings --------------------------------------------------------------------------------------------------


def test_every_kind_of_finding_on_the_hand_built_organization() -> None:
    found = findings(org())
    assert [(f.kind, f.severity, f.subject_name) for f in found] == [
        ("inactive-with-roles", "high", "cy"),
        ("owner-count", "medium", "Acme"),
        ("no-roles", "medium", "dee"),
        ("unknown-role", "low", "Legacy"),
        ("group-roles-no-members", "low", "Ghost"),
        ("redundant-grant", "info", "Ada"),
    ]  # bob holds the stale role only through Legacy: the group is the finding; cy's Owner does not count
    assert "only one active Owner: bob" in by_kind(found, "owner-count")[0].message
    assert [SEVERITIES.index(f.severity) for f in found] == sorted((SEVERITIES.index(f.severity) for f in found),
                                                                   reverse=True)
    (redundant,) = by_kind(found, "redundant-grant")
    assert redundant.role_ids == (AGENT,) and "Sales, Support" in redundant.message
    assert redundant.subject_kind == "user" and redundant.subject_id == "u-ada"
    (inactive,) = by_kind(found, "inactive-with-roles")
    assert inactive.role_ids == (OWNER,)
    (legacy,) = by_kind(found, "unknown-role")
    assert legacy.subject_kind == "group" and legacy.role_ids == (STALE,) and STALE in legacy.message


def test_direct_unknown_roles_and_an_inactive_user_without_owner() -> None:
    users = [User("u1", "a", roles=(STALE, AGENT)), User("u2", "b", active=False, roles=(AGENT,)),
             User("u3", "c", roles=(OWNER,))]
    found = findings(state(users, []))
    (unknown,) = by_kind(found, "unknown-role")
    assert unknown.subject_id == "u1" and unknown.role_ids == (STALE,) and unknown.severity == "low"
    (inactive,) = by_kind(found, "inactive-with-roles")
    assert inactive.severity == "medium" and inactive.role_ids == (AGENT,)


def test_owner_counts() -> None:
    def counts(users: list[User], **kw: object) -> list[Finding]:
        return by_kind(findings(state(users, [], **kw.pop("state_kw", {})), **kw), "owner-count")  # type: ignore[arg-type]

    owner = [User(f"o{i}", f"owner{i}", roles=(OWNER,)) for i in range(5)]
    (none,) = counts([User("x", "x", roles=(AGENT,)), User("y", "y", active=False, roles=(OWNER,))])
    assert none.severity == "high" and none.subject_kind == "organization" and none.subject_name == "Acme"
    (one,) = counts(owner[:1])
    assert one.severity == "medium" and "only one active Owner: owner0" in one.message
    assert counts(owner[:3]) == []
    (many,) = counts(owner[:5])
    assert many.severity == "medium" and "5 active Owners" in many.message
    assert counts(owner[:5], owner_warn_above=5) == []
    (partial,) = counts(owner[:1], state_kw={"complete": False})
    assert "at least" in partial.message.lower() and "incomplete" in partial.message
    (partial_many,) = counts(owner[:5], state_kw={"complete": False})
    assert partial_many.message.startswith("At least 5 active Owners")
    # Named by the profile: the catalogue's "Owner" no longer counts, the given UUID does.
    (chosen,) = counts([*owner[:2], User("z", "zed", roles=(ANALYST,))], owner_role_id=ANALYST.upper())
    assert "only one active Owner: zed" in chosen.message and chosen.role_ids == (ANALYST,)


def test_an_owner_through_a_group_counts_and_an_unknown_owner_role_is_one_info_finding() -> None:
    users = [User("a", "a"), User("b", "b", roles=(OWNER,))]
    groups = [GroupState("g", "Admins", ("a",), (OWNER,))]
    assert by_kind(findings(state(users, groups)), "owner-count") == []  # two: one direct, one through Admins
    nameless = RoleCatalogue()
    found = findings(state(users, groups, cat=nameless))
    (info,) = by_kind(found, "owner-count")
    assert info.severity == "info" and "could not be checked" in info.message
    assert by_kind(found, "unknown-role") == []  # without any names every role would be "unknown"


def test_group_roles_unknown_are_said_to_be_unknown() -> None:
    users = [User("a", "a"), User("b", "b", active=False, roles=(AGENT,)), User("c", "c", roles=(OWNER,))]
    groups = [GroupState("g", "Sales", ("a", "b"), None)]
    found = findings(state(users, groups, group_roles_known=False))
    (empty,) = by_kind(found, "no-roles")
    assert empty.message == "a has no direct roles; roles through groups unknown."
    (inactive,) = by_kind(found, "inactive-with-roles")
    assert "roles through its groups unknown" in inactive.message
    (count,) = by_kind(found, "owner-count")
    assert count.message.startswith("At least one active Owner: c")
    assert by_kind(found, "group-roles-no-members") == []
    assert who_has(state(users, groups, group_roles_known=False), OWNER)[0].sources == ("direct",)


def test_partial_state_says_at_least_for_no_owner() -> None:
    found = findings(state([User("a", "a", roles=(AGENT,))], [], complete=False))
    (count,) = by_kind(found, "owner-count")
    assert count.severity == "high" and "incomplete" in count.message


# -- properties ------------------------------------------------------------------------------------------------

ROLES = [OWNER, AGENT, ANALYST, STALE]


@st.composite
def organizations(draw: st.DrawFn) -> OrgState:
    n = draw(st.integers(0, 12))
    names = draw(st.lists(st.sampled_from(["a", "B", "c", "d", "E", "f"]), min_size=n, max_size=n))
    users = [User(f"u{i}", names[i], active=draw(st.booleans()),
                  roles=tuple(draw(st.lists(st.sampled_from(ROLES), max_size=3)))) for i in range(n)]
    groups = [
        GroupState(f"g{j}", draw(st.sampled_from(["Sales", "ops", "Ops", "x"])),
                   tuple(dict.fromkeys(draw(st.lists(st.sampled_from([u.id for u in users] or ["u0"]),
                                                     max_size=4)))),
                   draw(st.none() | st.lists(st.sampled_from(ROLES), max_size=2).map(tuple)))
        for j in range(draw(st.integers(0, 4)))
    ]
    return state(users, groups, group_roles_known=draw(st.booleans()), complete=draw(st.booleans()))


@settings(max_examples=150, deadline=None)
@given(organizations())
def test_matrix_flags_agree_with_who_has_and_counts_with_its_length(s: OrgState) -> None:
    m = user_matrix(s)
    for col, rid in enumerate(m.role_ids):
        holders = {r.user.id: r for r in who_has(s, rid)}
        assert m.counts[rid] == len(holders)
        for row, uid in enumerate(m.row_ids):
            flags, holder = m.flags(row, col), holders.get(uid)
            if holder is None:
                assert flags == 0
                continue
            assert bool(flags & DIRECT) == holder.direct and bool(flags & INHERITED) == bool(holder.groups)
            assert m.sources(row, col) == holder.sources
            expected_direct = any(r.lower() == rid for r in s.user(uid).roles)  # type: ignore[union-attr]
            assert holder.direct == expected_direct


@settings(max_examples=150, deadline=None)
@given(organizations())
def test_findings_are_ordered_and_each_user_without_roles_really_has_none(s: OrgState) -> None:
    found = findings(s)
    ranks = [SEVERITIES.index(f.severity) for f in found]
    assert ranks == sorted(ranks, reverse=True)
    m = user_matrix(s)
    for f in by_kind(found, "no-roles"):
        row = m.row_ids.index(f.subject_id)
        assert all(m.flags(row, c) == 0 for c in range(len(m.role_ids)))
    redundant = {(f.subject_id, f.role_ids[0]) for f in by_kind(found, "redundant-grant")}
    both = {(uid, rid) for c, rid in enumerate(m.role_ids) for r, uid in enumerate(m.row_ids)
            if m.flags(r, c) == DIRECT | INHERITED}
    assert redundant == both


# -- access keys as principals (issue 13) ------------------------------------------------------------------------

AUDITOR = "00000000-0000-4000-8000-000000000004"  # held by a key only


Key = access_key  # the real AccessKey (tests/keys_support.py)


def keyed() -> OrgState:
    """org() plus keys: deploy (Owner in upper case, Auditor), ci (Agent), mystery (roles not said), idle (none)."""
    base = org()
    cat = RoleCatalogue([Role(OWNER, "Owner"), Role(AGENT, "Agent"), Role(ANALYST, "Analyst"),
                         Role(AUDITOR, "Auditor")])
    keys = (Key("k-deploy", "deploy", role_ids=(OWNER.upper(), AUDITOR)), Key("k-ci", "CI", role_ids=(AGENT,)),
            Key("k-mystery", "mystery", role_ids=None), Key("k-idle", "idle"))
    return dataclasses.replace(base, catalogue=cat, keys=keys)


def test_keys_holding_a_role_come_after_the_users_as_direct_holders_of_kind_key() -> None:
    s = keyed()
    rows = who_has(s, OWNER)
    assert [(r.kind, r.user.user_name) for r in rows] == [("user", "bob"), ("user", "cy"), ("key", "deploy")]
    key_row = rows[-1]
    assert key_row.key is not None and key_row.key.id == "k-deploy" and key_row.user.id == "k-deploy"
    assert key_row.sources == ("direct",) and not key_row.several and key_row.user.active
    assert all(r.key is None for r in rows[:-1])
    assert [(r.kind, r.user.user_name) for r in who_has(s, AGENT)] == [
        ("user", "Ada"), ("user", "eve"), ("key", "CI")]
    # A role only a key holds, and keys whose roles are unknown or empty hold nothing.
    assert [(r.kind, r.user.id) for r in who_has(s, AUDITOR.upper())] == [("key", "k-deploy")]
    holders = {r.user.id for rid in (OWNER, AGENT, ANALYST, AUDITOR, STALE) for r in who_has(s, rid)}
    assert not holders & {"k-mystery", "k-idle"}
    assert all(r.kind == "user" for r in who_has(org(), OWNER))


def test_the_users_matrix_has_key_rows_after_the_users() -> None:
    s = keyed()
    m = user_matrix(s)
    assert m.row_kinds == ("user",) * 5 + ("key",) * 4
    assert m.row_names[5:] == ("CI", "deploy", "idle", "mystery")
    assert [m.row_kind(r) for r in (0, 5)] == ["user", "key"]
    deploy = m.row_ids.index("k-deploy")
    assert m.flags(deploy, m.column(OWNER)) == DIRECT and m.sources(deploy, m.column(OWNER)) == ("direct",)
    assert m.flags(deploy, m.column(AUDITOR)) == DIRECT and m.flags(deploy, m.column(AGENT)) == 0
    assert not any(m.flags(m.row_ids.index("k-mystery"), c) for c in range(len(m.role_ids)))
    assert m.counts[OWNER] == 3 and m.counts[AUDITOR] == 1 and m.counts[AGENT] == 3
    for col, rid in enumerate(m.role_ids):  # the matrix and who_has agree, keys included
        assert {m.row_ids[r] for r in range(len(m.row_ids)) if m.flags(r, col)} == {h.user.id for h in who_has(s, rid)}
    plain = user_matrix(org())
    assert plain.row_kinds == ("user",) * 5 and group_matrix(s).row_kind(0) == "group"


def test_a_key_holding_owner_is_no_active_owner() -> None:
    only_key = dataclasses.replace(state([User("u-a", "a")], []), keys=(Key("k", "deploy", role_ids=(OWNER,)),))
    from birdadmin.domain.audit_findings import all_findings  # without the key rules: no key_findings needed

    (count,) = by_kind(all_findings(only_key, audit.index_of(only_key), frozenset({OWNER}), 3), "owner-count")
    assert count.severity == "high" and count.message.startswith("No active Owner")
    assert [r.kind for r in who_has(only_key, OWNER)] == ["key"]


def test_a_finding_of_a_kind_not_listed_is_kept_after_the_listed_ones() -> None:
    from birdadmin.domain.audit_findings import _sorted

    odd = Finding("key-something-new", "high", "key", "k", "deploy", "Odd.")
    owner = Finding("owner-count", "high", "organization", "o", "Acme", "None.")
    assert _sorted([odd, owner]) == [owner, odd]


def test_key_findings_are_among_the_findings_with_the_profile_thresholds() -> None:
    from birdadmin.domain.guards import owner_role_ids
    from birdadmin.domain.key_findings import key_findings

    now = datetime(2026, 12, 1, tzinfo=UTC)
    s = dataclasses.replace(keyed(), keys=(
        Key("k-deploy", "deploy", role_ids=(OWNER,), created_at="2020-01-01T00:00:00Z",
            last_used_at="2026-11-30T00:00:00Z"),
        Key("k-ci", "CI", role_ids=(AGENT,), created_at="2026-06-01T00:00:00Z", last_used_at="2026-08-01T00:00:00Z"),
        Key("k-new", "new", role_ids=(ANALYST,), created_at="2026-11-01T00:00:00Z"),
    ))
    found = findings(s, now=now, key_unused_days=30, key_rotation_days=100, sensitive_role_ids=(ANALYST,))
    keys = [f for f in found if f.subject_kind == "key"]
    expected = key_findings(s.keys, now=now, unused_days=30, rotation_days=100,  # type: ignore[arg-type]
                            owner_role_ids=owner_role_ids(s.catalogue, None), sensitive_role_ids=frozenset({ANALYST}),
                            catalogue=s.catalogue)
    assert sorted(keys, key=repr) == sorted(expected, key=repr) and keys
    assert {f.kind for f in keys} >= {"key-sensitive-role", "key-unused", "key-old", "key-never-used"}
    assert [SEVERITIES.index(f.severity) for f in found] == sorted((SEVERITIES.index(f.severity) for f in found),
                                                                   reverse=True)
    assert not [f for f in findings(dataclasses.replace(s, keys=()), now=now) if f.subject_kind == "key"]
