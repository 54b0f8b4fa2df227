"""The GROUP -> Bird team rule (domain.team_match), which the CLI uses and which agrees with the window's map."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from birdadmin.bird.models import RoleRef, Team
from birdadmin.domain.effective import GroupRoleMap
from birdadmin.domain.team_match import resolve_team
from birdadmin.errors import InputError, NotFoundError
from birdadmin.scim.resources import Group

OWNER = "4fc52f09-2d8c-50c1-a46d-ecf53ba6ec31"


def test_a_name_match_never_takes_a_team_another_group_owns_by_id() -> None:
    """SCIM groups t-1 "Sales" (Bird team t-1) and g-2 "SALES" (no team g-2): g-2 has no team of its own."""
    groups = [Group("t-1", "Sales"), Group("g-2", "SALES")]
    teams = [Team("t-1", "Sales", role_refs=(RoleRef(OWNER),))]
    assert GroupRoleMap.build(groups, teams).team("g-2") is None  # the window's map
    with pytest.raises(NotFoundError, match="belongs to another SCIM group"):
        resolve_team("g-2", groups, teams)
    found = resolve_team("t-1", groups, teams)
    assert (found.team.id, found.matched_by, found.group) == ("t-1", "id", groups[0])
    with pytest.raises(InputError, match="2 groups are named 'sales' \\(t-1, g-2\\)"):
        resolve_team("sales", groups, teams)


def test_a_group_without_a_team_of_its_id_is_matched_by_a_free_unique_name() -> None:
    groups = [Group("g-5", "Support")]
    teams = [Team("t-5", "support")]
    found = resolve_team("Support", groups, teams)
    assert (found.team.id, found.matched_by) == ("t-5", "name")
    assert resolve_team("g-5", groups, teams).team.id == "t-5"


def test_teams_never_pushed_over_scim_are_found_by_id_then_unique_name() -> None:
    teams = [Team("t1", "Sales"), Team("t2", "Twins"), Team("t3", "twins")]
    assert (resolve_team("t2", [], teams).team.id, resolve_team("t2", [], teams).matched_by) == ("t2", "id")
    assert (resolve_team("SALES", [], teams).team.id, resolve_team("SALES", [], teams).matched_by) == ("t1", "name")
    with pytest.raises(NotFoundError, match="No group with id or name 'Nobody'"):
        resolve_team("Nobody", [], teams)
    with pytest.raises(InputError, match="t2, t3") as refused:
        resolve_team("TWINS", [], teams)
    assert refused.value.message.count(".") == 1  # one sentence


def test_a_group_whose_name_two_free_teams_share_is_refused() -> None:
    groups = [Group("g-1", "Ops")]
    teams = [Team("t-a", "ops"), Team("t-b", "OPS")]
    with pytest.raises(InputError, match="t-a, t-b"):
        resolve_team("g-1", groups, teams)


def test_an_empty_group_is_bad_input() -> None:
    with pytest.raises(InputError):
        resolve_team("  ", [Group("g", "G")], [Team("g", "G")])


names = st.sampled_from(["Sales", "SALES", "sales", "Ops", "Support", ""])
ids = st.sampled_from(["a", "b", "c", "d", "e", "f"])


@settings(database=None)  # nothing written into the working tree
@given(
    st.lists(st.tuples(ids, names), max_size=5, unique_by=lambda g: g[0]),
    st.lists(st.tuples(ids, names), max_size=5, unique_by=lambda t: t[0]),
)
def test_resolving_a_group_by_id_gives_the_team_the_window_shows(group_rows, team_rows) -> None:
    """For every SCIM group, addressing it by id gives exactly the team (and the link kind) of the window's map."""
    groups = [Group(gid, name) for gid, name in group_rows]
    teams = [Team(tid, name) for tid, name in team_rows]
    window = GroupRoleMap.build(groups, teams)
    for group in groups:
        expected = window.team(group.id)
        try:
            found = resolve_team(group.id, groups, teams)
        except (NotFoundError, InputError):
            assert expected is None
            continue
        assert found.team == expected and found.group == group
        assert (found.matched_by == "name") == window.was_matched_by_name(group.id)
