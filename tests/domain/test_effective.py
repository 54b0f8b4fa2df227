"""Effective roles with their sources, role holders, and matching SCIM groups to Bird teams."""

from __future__ import annotations

from birdadmin.bird.models import RoleRef, Team
from birdadmin.domain.effective import (
    GroupRoleMap,
    RoleGrant,
    effective_roles,
    holders,
    memberships_from_groups,
)
from birdadmin.scim.resources import Group, Member, User

OWNER = "0b1c2d3e-0000-4000-8000-000000000001"
AGENT = "0b1c2d3e-0000-4000-8000-000000000002"
ANALYST = "0b1c2d3e-0000-4000-8000-000000000004"


def test_direct_roles_come_first_then_each_group_in_order() -> None:
    user = User("u1", "ann@example.com", roles=(AGENT.upper(), OWNER))
    grants = effective_roles(user, {"g1": [ANALYST, AGENT], "g2": [OWNER]}, [("g2", "Admins"), ("g1", "Support")])
    assert grants == [
        RoleGrant(AGENT, "direct"),
        RoleGrant(OWNER, "direct"),
        RoleGrant(OWNER, "group", "g2", "Admins"),
        RoleGrant(ANALYST, "group", "g1", "Support"),
        RoleGrant(AGENT, "group", "g1", "Support"),
    ]
    assert grants[2].label == "group Admins" and grants[0].label == "direct"


def test_groups_without_roles_add_nothing() -> None:
    user = User("u1", "ann@example.com")
    assert effective_roles(user, {"g1": []}, [("g1", "Empty"), ("g9", "Not a team")]) == []


def test_holders_lists_every_route_to_a_role() -> None:
    ann = User("u1", "ann@example.com", roles=(AGENT,))
    bob = User("u2", "bob@example.com")
    cid = User("u3", "cid@example.com", roles=(OWNER,))
    memberships = {"u1": [("g1", "Support")], "u2": [("g1", "Support"), ("g2", "Night")], "u3": [("g3", "Admins")]}
    group_roles = {"g1": [AGENT], "g2": [AGENT.upper()], "g3": [OWNER]}
    found = holders(AGENT.upper(), [ann, bob, cid], memberships, group_roles)
    assert [(h.user.id, h.sources) for h in found] == [
        ("u1", (RoleGrant(AGENT, "direct"), RoleGrant(AGENT, "group", "g1", "Support"))),
        ("u2", (RoleGrant(AGENT, "group", "g1", "Support"), RoleGrant(AGENT, "group", "g2", "Night"))),
    ]
    assert holders(ANALYST, [ann, bob, cid], memberships, group_roles) == []


def test_memberships_come_from_the_groups_members_and_skip_groups_not_fetched() -> None:
    groups = [
        Group("g1", "Support", members=(Member("u1"), Member("u2"))),
        Group("g2", "Night", members=(Member("u2"),)),
        Group("g3", "Unfetched"),
    ]
    assert memberships_from_groups(groups) == {"u1": (("g1", "Support"),), "u2": (("g1", "Support"), ("g2", "Night"))}


def test_users_in_the_same_groups_share_one_tuple() -> None:
    """A whole organization's memberships stay small: one tuple per combination of groups, not per user."""
    groups = [Group("g1", "Support", members=tuple(Member(f"u{i}") for i in range(100)))]
    found = memberships_from_groups(groups)
    assert len({id(pairs) for pairs in found.values()}) == 1 and len(found) == 100


def test_group_role_map_matches_by_id_then_by_name_and_says_so() -> None:
    teams = [
        Team("t-1", "Support", role_refs=(RoleRef(AGENT.upper(), workspaces=("w1",)),)),
        Team("t-2", "Admins", role_refs=(RoleRef(OWNER),)),
        Team("t-3", "Twins"),
        Team("t-4", "twins"),
        Team("t-5", "Bird only", role_refs=(RoleRef(ANALYST),)),
    ]
    groups = [
        Group("t-1", "Renamed in the IdP"),
        Group("g-9", "ADMINS"),
        Group("g-8", "Twins"),
        Group("g-7", "Nowhere"),
    ]
    mapping = GroupRoleMap.build(groups, teams)
    assert mapping.team("t-1") is teams[0] and not mapping.was_matched_by_name("t-1")
    assert mapping.team("g-9") is teams[1] and mapping.was_matched_by_name("g-9")
    assert mapping.matched_by_name == frozenset({"g-9"})
    assert mapping.ambiguous == ("g-8",) and mapping.unmatched == ("g-7",)
    assert mapping.roles_for("t-1") == (AGENT,) and mapping.roles_for("g-7") == ()
    assert mapping.group_roles() == {"t-1": (AGENT,), "g-9": (OWNER,)}
    assert [t.id for t in mapping.teams_without_group] == ["t-3", "t-4", "t-5"]


def test_id_match_wins_over_a_name_match() -> None:
    teams = [Team("t-1", "Sales"), Team("t-2", "Support")]
    mapping = GroupRoleMap.build([Group("t-1", "Support")], teams)
    assert mapping.team("t-1") is teams[0] and mapping.matched_by_name == frozenset()


def test_a_name_match_never_takes_a_team_that_another_group_owns_by_id() -> None:
    teams = [Team("t-1", "Sales", role_refs=(RoleRef(OWNER),))]
    groups = [Group("t-1", "Sales"), Group("g-2", "SALES")]  # a second SCIM group with the same name
    mapping = GroupRoleMap.build(groups, teams)
    assert mapping.team("t-1") is teams[0]
    assert mapping.team("g-2") is None and mapping.roles_for("g-2") == ()
    assert mapping.unmatched == ("g-2",) and mapping.matched_by_name == frozenset()
    assert mapping.group_roles() == {"t-1": (OWNER,)}


def test_two_unlinked_groups_with_one_name_never_share_a_team() -> None:
    """A team found only by name belongs to at most one group; otherwise one group's edit changes the other."""
    teams = [Team("t-1", "Sales", role_refs=(RoleRef(OWNER),))]
    groups = [Group("g-1", "Sales"), Group("g-2", "sales")]
    mapping = GroupRoleMap.build(groups, teams)
    assert mapping.team("g-1") is None and mapping.team("g-2") is None
    assert set(mapping.ambiguous) == {"g-1", "g-2"} and mapping.group_roles() == {}
    assert mapping.teams_without_group == (teams[0],)


def test_a_direct_role_listed_twice_in_different_case_is_one_grant() -> None:
    user = User("u1", "ann@example.com", roles=(AGENT, AGENT.upper()))
    assert effective_roles(user, {}, []) == [RoleGrant(AGENT, "direct")]
