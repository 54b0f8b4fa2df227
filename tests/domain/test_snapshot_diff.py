"""The diff of two organization states: hand-built cases, and hypothesis properties (empty on itself, mirrored)."""

from __future__ import annotations

import dataclasses

from hypothesis import given, settings
from hypothesis import strategies as st

from birdadmin.domain.catalogue import RoleCatalogue
from birdadmin.domain.org_state import GroupState, OrgState
from birdadmin.domain.snapshot_diff import OrgDiff, RoleDelta, diff, rows
from birdadmin.scim.resources import User
from tests.keys_support import access_key

OWNER = "00000000-0000-4000-8000-000000000001"
AGENT = "00000000-0000-4000-8000-000000000002"
VIEWER = "00000000-0000-4000-8000-000000000003"


def state(users: list[User], groups: list[GroupState]) -> OrgState:
    return OrgState(tuple(users), tuple(groups), RoleCatalogue(), "2026-12-01T00:00:00Z", "Org")


def user(uid: str, *roles: str) -> User:
    return User(uid, f"{uid}@example.com", uid.title(), True, tuple(roles))


BASE = state(
    [user("ann", OWNER), user("bob", AGENT), user("cid")],
    [GroupState("g1", "Admins", ("ann",), (OWNER,)), GroupState("g2", "Support", ("bob", "cid"), (AGENT,))],
)


def test_identical_states_have_no_differences() -> None:
    assert diff(BASE, BASE).is_empty
    assert diff(BASE, dataclasses.replace(BASE, users=tuple(reversed(BASE.users)))).is_empty


def test_a_user_gains_a_role_through_a_new_group() -> None:
    new = dataclasses.replace(BASE, groups=(*BASE.groups, GroupState("g3", "Owners", ("cid",), (OWNER,))))
    result = diff(BASE, new)
    assert result.groups_added == (("g3", "Owners"),)
    assert RoleDelta("user", "cid", "cid@example.com", OWNER, "gained", "Owners") in result.roles
    assert RoleDelta("group", "g3", "Owners", OWNER, "gained", "direct") in result.roles
    assert ("Owners", "cid", "cid@example.com", "joined") in result.members


def test_losing_a_direct_role_still_held_through_a_group_is_a_loss_of_that_source() -> None:
    new = dataclasses.replace(BASE, users=(user("ann"), BASE.users[1], BASE.users[2]))
    result = diff(BASE, new)
    assert result.roles == (RoleDelta("user", "ann", "ann@example.com", OWNER, "lost", "direct"),)
    assert not result.members and not result.users_added


def test_a_group_role_change_reaches_every_member() -> None:
    groups = (BASE.groups[0], dataclasses.replace(BASE.groups[1], role_ids=(VIEWER,)))
    result = diff(BASE, dataclasses.replace(BASE, groups=groups))
    assert {(d.subject_kind, d.subject_id, d.role_id, d.change, d.via) for d in result.roles} == {
        ("group", "g2", AGENT, "lost", "direct"), ("group", "g2", VIEWER, "gained", "direct"),
        ("user", "bob", VIEWER, "gained", "Support"), ("user", "bob", AGENT, "lost", "Support"),
        ("user", "cid", VIEWER, "gained", "Support"), ("user", "cid", AGENT, "lost", "Support"),
    }


def test_added_and_removed_users_and_groups() -> None:
    new = state([user("ann", OWNER), user("bob", AGENT), user("dan", VIEWER)],
                [BASE.groups[0], GroupState("g4", "Sales", ("dan",), ())])
    result = diff(BASE, new)
    assert result.users_added == (("dan", "dan@example.com"),)
    assert result.users_removed == (("cid", "cid@example.com"),)
    assert result.groups_added == (("g4", "Sales"),)
    assert result.groups_removed == (("g2", "Support"),)
    assert RoleDelta("user", "bob", "bob@example.com", AGENT, "lost", "Support") in result.roles
    assert RoleDelta("user", "dan", "dan@example.com", VIEWER, "gained", "direct") in result.roles
    assert ("Support", "cid", "cid@example.com", "left") in result.members
    changes = [r["change"] for r in rows(result)]
    assert changes[:4] == ["user added", "user removed", "group added", "group removed"]


def test_a_renamed_group_is_not_a_change_of_source() -> None:
    groups = (dataclasses.replace(BASE.groups[0], name="Administrators"), BASE.groups[1])
    assert diff(BASE, dataclasses.replace(BASE, groups=groups)).is_empty


def test_groups_with_unknown_roles_are_left_out() -> None:
    """Without the Accounts API a group's roles are unknown (docs/bird.md, H2): no gain or loss is invented."""
    groups = tuple(dataclasses.replace(g, role_ids=None) for g in BASE.groups)
    result = diff(BASE, dataclasses.replace(BASE, groups=groups, group_roles_known=False))
    assert result.is_empty


def test_role_ids_are_compared_without_case() -> None:
    new = dataclasses.replace(BASE, users=(user("ann", OWNER.upper()), *BASE.users[1:]))
    assert diff(BASE, new).is_empty


# -- properties -------------------------------------------------------------------------------------------------

_ROLES = st.sampled_from([OWNER, AGENT, VIEWER])
_IDS = ["u1", "u2", "u3", "u4"]


@st.composite
def states(draw: st.DrawFn) -> OrgState:
    users = [user(uid, *draw(st.lists(_ROLES, max_size=2, unique=True)))
             for uid in _IDS if draw(st.booleans())]
    groups = [
        GroupState(gid, gid.upper(), tuple(draw(st.lists(st.sampled_from(_IDS), max_size=3, unique=True))),
                   draw(st.none() | st.lists(_ROLES, max_size=2, unique=True).map(tuple)))
        for gid in ("g1", "g2", "g3") if draw(st.booleans())
    ]
    return state(users, groups)


def _mirror(result: OrgDiff) -> OrgDiff:
    flip = {"gained": "lost", "lost": "gained", "joined": "left", "left": "joined"}
    return OrgDiff(
        result.users_removed, result.users_added, result.groups_removed, result.groups_added,
        tuple(dataclasses.replace(d, change=flip[d.change]) for d in result.roles),  # type: ignore[arg-type]
        tuple((g, u, n, flip[c]) for g, u, n, c in result.members),  # type: ignore[misc]
    )


@settings(max_examples=200, deadline=None)
@given(states())
def test_a_state_against_itself_is_empty(a: OrgState) -> None:
    assert diff(a, a).is_empty


@settings(max_examples=300, deadline=None)
@given(states(), states())
def test_the_diff_back_mirrors_the_diff_forth(a: OrgState, b: OrgState) -> None:
    forth, back = diff(a, b), _mirror(diff(b, a))
    assert set(forth.roles) == set(back.roles)
    assert set(forth.members) == set(back.members)
    assert (forth.users_added, forth.users_removed, forth.groups_added, forth.groups_removed) == (
        back.users_added, back.users_removed, back.groups_added, back.groups_removed)
    assert forth.is_empty == back.is_empty


# -- access keys (issue 13) --------------------------------------------------------------------------------------


Key = access_key  # the real AccessKey (tests/keys_support.py)


def test_keys_added_removed_and_gaining_or_losing_roles() -> None:
    old = dataclasses.replace(BASE, keys=(Key("k1", "deploy", role_ids=(OWNER,)), Key("k2", "ci", role_ids=(AGENT,)),
                                          Key("k3", "mystery", role_ids=None)))
    new = dataclasses.replace(BASE, keys=(Key("k1", "deploy", role_ids=(AGENT.upper(),)),
                                          Key("k3", "mystery", role_ids=(OWNER,)),
                                          Key("k4", "new", role_ids=(VIEWER,))))
    d = diff(old, new)
    assert d.keys_added == (("k4", "new"),) and d.keys_removed == (("k2", "ci"),)
    assert set(d.roles) == {
        RoleDelta("key", "k1", "deploy", AGENT, "gained", "direct"),
        RoleDelta("key", "k1", "deploy", OWNER, "lost", "direct"),
        RoleDelta("key", "k2", "ci", AGENT, "lost", "direct"),
        RoleDelta("key", "k4", "new", VIEWER, "gained", "direct"),
    }  # k3's roles were unknown before: no change claimed
    assert d.count() == 6 and not d.is_empty
    listed = rows(d)
    assert {"change": "key added", "subject": "new", "subjectId": "k4", "role": "", "via": ""} in listed
    assert any(r["change"] == "key lost" and r["subjectId"] == "k1" for r in listed)
    back = diff(new, old)
    assert back.keys_added == d.keys_removed and back.keys_removed == d.keys_added
    assert diff(old, old).is_empty and diff(BASE, BASE) == diff(dataclasses.replace(BASE, keys=()), BASE)
