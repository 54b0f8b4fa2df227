"""Who has which role, and through what: direct roles on the SCIM user plus roles carried by Bird groups.

SCIM shows a user's direct ``roles``; a group's roles live on the Bird team (Accounts API ``roleRefs``). The
two are linked by the assumption that a SCIM Group's id is the team's id, with a fallback on the name that is
recorded so the UI can say when it was used (docs/bird.md, A2).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

from birdadmin.bird.models import Team
from birdadmin.scim.resources import Group, User

GrantSource = Literal["direct", "group"]


@dataclass(frozen=True, slots=True)
class RoleGrant:
    role_id: str
    source: GrantSource
    group_id: str | None = None
    group_name: str | None = None

    @property
    def label(self) -> str:
        """How the grant is shown: "direct" or "group Sales"."""
        if self.source == "direct":
            return "direct"
        return f"group {self.group_name or self.group_id}"


@dataclass(frozen=True, slots=True)
class Holder:
    user: User
    sources: tuple[RoleGrant, ...]


def effective_roles(
    user: User, group_roles: Mapping[str, Sequence[str]], user_groups: Sequence[tuple[str, str]]
) -> list[RoleGrant]:
    """Every grant the user has: direct roles first, then each group's roles in the order of ``user_groups``.

    A role held several ways appears once per source, which is what an auditor needs to see.
    """
    grants = [RoleGrant(role, "direct") for role in dict.fromkeys(r.lower() for r in user.roles)]
    for group_id, group_name in user_groups:
        for role in group_roles.get(group_id, ()):
            grants.append(RoleGrant(role.lower(), "group", group_id, group_name))
    return grants


def holders(
    role_id: str,
    users: Iterable[User],
    memberships: Mapping[str, Sequence[tuple[str, str]]],
    group_roles: Mapping[str, Sequence[str]],
) -> list[Holder]:
    """Users who hold ``role_id`` by any route, each with the grants that give it to them."""
    wanted = role_id.lower()
    carrying = {gid for gid, roles in group_roles.items() if any(r.lower() == wanted for r in roles)}
    out: list[Holder] = []
    for user in users:
        sources: list[RoleGrant] = []
        if any(r.lower() == wanted for r in user.roles):
            sources.append(RoleGrant(wanted, "direct"))
        if carrying:
            for gid, gname in memberships.get(user.id, ()):
                if gid in carrying:
                    sources.append(RoleGrant(wanted, "group", gid, gname))
        if sources:
            out.append(Holder(user, tuple(sources)))
    return out


Memberships = dict[str, tuple[tuple[str, str], ...]]  # user id -> ((group id, group name), ...)


def memberships_from_groups(groups: Iterable[Group]) -> Memberships:
    """user id -> the groups they are in, from groups fetched with their members (groups without are skipped).

    One tuple is shared per combination of groups: tens of thousands of users fall into a few hundred
    combinations, which keeps the map small in a window holding a whole organization.
    """
    pairs: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for group in groups:
        pair = (group.id, group.display_name)
        for member in group.members or ():
            pairs[member.value].append(pair)
    shared: dict[tuple[tuple[str, str], ...], tuple[tuple[str, str], ...]] = {}
    return {user_id: shared.setdefault(tuple(found), tuple(found)) for user_id, found in pairs.items()}


@dataclass(slots=True)
class GroupRoleMap:
    """SCIM groups matched to Bird teams, and the roles each group therefore carries.

    Matching is by id (the documented assumption); a group whose id is no team's id is matched to the team
    whose name equals its displayName (case-insensitive) when exactly one team has that name, no group has that
    team's id and no other unlinked group has the same name. Such matches are listed in ``matched_by_name`` so
    the UI can say the fallback was used; name clashes on either side stay unmatched (``ambiguous``).
    """

    team_for_group: dict[str, Team] = field(default_factory=dict)
    matched_by_name: frozenset[str] = frozenset()
    unmatched: tuple[str, ...] = ()
    ambiguous: tuple[str, ...] = ()
    teams_without_group: tuple[Team, ...] = ()

    @classmethod
    def build(cls, groups: Iterable[Group], teams: Iterable[Team]) -> GroupRoleMap:
        teams, groups = list(teams), list(groups)
        by_id = {team.id: team for team in teams}
        owned = {group.id for group in groups if group.id in by_id}  # teams linked to a group by id
        by_name: dict[str, list[Team]] = defaultdict(list)
        for team in teams:
            if team.id not in owned:
                by_name[team.name.casefold()].append(team)
        # Two unlinked groups with one name (say "Sales" and "sales") cannot both be that team: neither gets it.
        seeking = Counter(g.display_name.casefold() for g in groups if g.id not in owned and g.display_name)
        matched: dict[str, Team] = {}
        by_name_ids: set[str] = set()
        unmatched: list[str] = []
        ambiguous: list[str] = []
        for group in groups:
            linked = by_id.get(group.id)
            if linked is not None:
                matched[group.id] = linked
                continue
            name = group.display_name.casefold() if group.display_name else ""
            candidates = by_name.get(name, []) if name else []
            if len(candidates) == 1 and seeking[name] == 1:
                matched[group.id] = candidates[0]
                by_name_ids.add(group.id)
            elif candidates:
                ambiguous.append(group.id)
            else:
                unmatched.append(group.id)
        used = {team.id for team in matched.values()}
        return cls(
            team_for_group=matched,
            matched_by_name=frozenset(by_name_ids),
            unmatched=tuple(unmatched),
            ambiguous=tuple(ambiguous),
            teams_without_group=tuple(t for t in teams if t.id not in used),
        )

    def team(self, group_id: str) -> Team | None:
        return self.team_for_group.get(group_id)

    def roles_for(self, group_id: str) -> tuple[str, ...]:
        team = self.team_for_group.get(group_id)
        return tuple(ref.id.lower() for ref in team.role_refs) if team else ()

    def was_matched_by_name(self, group_id: str) -> bool:
        return group_id in self.matched_by_name

    def group_roles(self) -> dict[str, tuple[str, ...]]:
        """group id -> role ids, the mapping ``effective_roles`` and the findings take."""
        return {gid: self.roles_for(gid) for gid in self.team_for_group}
