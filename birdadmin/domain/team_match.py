"""Which Bird team a person means by GROUP (a SCIM id or displayName, or a Bird team's id or name). Pure Python.

The link between a SCIM Group and its Bird team is :class:`~birdadmin.domain.effective.GroupRoleMap`'s rule, the one
the window shows (docs/bird.md, A2): by id, else by a unique name that no group owns by id. A command that changes a
group's roles resolves its GROUP argument through that same map, built from every SCIM group and every team, so a
name match can never hand it a team that another group owns by id.

A team made in Bird and never pushed over SCIM has no SCIM group; it can still be addressed by its own id or name.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from birdadmin import errors
from birdadmin.bird.models import Team
from birdadmin.domain.effective import GroupRoleMap
from birdadmin.scim.resources import Group

MatchedBy = Literal["id", "name"]


@dataclass(frozen=True, slots=True)
class TeamMatch:
    """The team behind a GROUP argument, how it was linked, and the SCIM group it came through (if any)."""

    team: Team
    matched_by: MatchedBy
    group: Group | None = None


def resolve_team(
    token: str, groups: Sequence[Group], teams: Sequence[Team], group_map: GroupRoleMap | None = None
) -> TeamMatch:
    """The team for ``token``; InputError when it is ambiguous or empty, NotFoundError when there is none.

    Order: a SCIM group by id, a SCIM group by displayName (case-insensitive, unique), a team by id, a team by name
    (case-insensitive, unique). A SCIM group found this way gets its team from the map, never from a fresh lookup.
    """
    token = token.strip()
    if not token:
        raise errors.InputError("An empty group was given; pass a SCIM id or a displayName.")
    group_map = group_map or GroupRoleMap.build(groups, teams)
    group = next((g for g in groups if g.id == token), None)
    if group is None:
        named = [g for g in groups if g.display_name.casefold() == token.casefold()]
        if len(named) > 1:
            raise errors.InputError(
                f"{len(named)} groups are named {token!r} ({_ids(named)}); give the group's id instead."
            )
        group = named[0] if named else None
    if group is not None:
        return _team_of(group, teams, group_map)
    team = next((t for t in teams if t.id == token), None)  # a group made in Bird, never pushed over SCIM
    if team is not None:
        return TeamMatch(team, "id")
    named_teams = [t for t in teams if t.name.casefold() == token.casefold()]
    if len(named_teams) > 1:
        raise errors.InputError(
            f"{len(named_teams)} Bird groups are named {token!r} ({_ids(named_teams)}); give the id instead."
        )
    if named_teams:
        return TeamMatch(named_teams[0], "name")
    raise errors.NotFoundError(
        f"No group with id or name {token!r} was found in SCIM or among Bird's groups.", service="SCIM"
    )


def _team_of(group: Group, teams: Sequence[Team], group_map: GroupRoleMap) -> TeamMatch:
    team = group_map.team(group.id)
    if team is not None:
        return TeamMatch(team, "name" if group_map.was_matched_by_name(group.id) else "id", group)
    name = group.display_name
    if group.id in group_map.ambiguous:
        clashing = [t for t in teams if t.name.casefold() == name.casefold()]
        raise errors.InputError(
            f"The SCIM group {name!r} has no Bird group with its id, and {len(clashing)} Bird groups share its name "
            f"({_ids(clashing)}); its roles cannot be changed here until the names differ."
        )
    owned = [t for t in teams if name and t.name.casefold() == name.casefold()]
    reason = (
        f"and the Bird group named {owned[0].name!r} belongs to another SCIM group (its id)"
        if owned
        else "nor one with its name"
    )
    raise errors.NotFoundError(
        f"The SCIM group {name!r} ({group.id}) has no Bird group with the same id, {reason}, so its roles cannot "
        "be changed here.",
        service="Bird Accounts",
    )


def _ids(items: Iterable[Group | Team]) -> str:
    return ", ".join(item.id for item in items)
