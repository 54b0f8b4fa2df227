"""The open connection to one organization, and the organization-wide data loaded from it: Qt-free, so the
window (``services/connection.py``) and the CLI (the guards before a write) load an organization the same way.

A :class:`Session` is passed explicitly to whoever needs it (no global registry): it owns the SCIM client,
the optional Accounts client and, once :func:`load_org` has run on a worker, the role catalogue and the
group-to-team map. Building a Session sends nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from birdadmin import errors
from birdadmin.catalogue_source import build_catalogue
from birdadmin.connection import ConnectionSpec
from birdadmin.domain.catalogue import RoleCatalogue
from birdadmin.domain.effective import GroupRoleMap, memberships_from_groups
from birdadmin.domain.org_state import GroupState, KeyPrincipal, OrgState
from birdadmin.errors import Explanation, explain
from birdadmin.net.urls import org_id_from_url
from birdadmin.scim.client import ScimClient
from birdadmin.scim.resources import Group, User

if TYPE_CHECKING:
    from birdadmin.bird.accounts import AccountsClient
    from birdadmin.bird.models import Team

log = logging.getLogger(__name__)

_MEMBER_FETCHERS = 4


@dataclass
class OrgData:
    """What the Groups and Roles views need besides the users, read once per refresh.

    Groups are kept without their member lists (a group's members are re-read when it is opened); what the
    views need from them is kept compactly: who is in which groups, and how many members each group has.
    """

    catalogue: RoleCatalogue
    groups: list[Group]  # listed groups, members not kept
    group_map: GroupRoleMap
    memberships: dict[str, tuple[tuple[str, str], ...]]  # user id -> ((group id, group name), ...)
    member_counts: dict[str, int] = field(default_factory=dict)
    teams: list[Team] = field(default_factory=list)
    warnings: list[Explanation] = field(default_factory=list)
    group_roles_known: bool = True  # False without a working Accounts API: roles through groups are unknown
    keys: list[KeyPrincipal] = field(default_factory=list)  # the organization's access keys (Accounts API)
    group_roles: dict[str, tuple[str, ...]] = field(init=False)
    group_names: dict[str, str] = field(init=False)

    def __post_init__(self) -> None:
        self.group_roles = self.group_map.group_roles()
        self.group_names = {g.id: g.display_name or g.id for g in self.groups}


class Session:
    """An open connection: clients now, organization data after ``load_org``."""

    def __init__(self, spec: ConnectionSpec) -> None:
        self.spec = spec
        self.scim = ScimClient(spec.base_url, spec.key, settings=spec.scim, http=spec.http)
        self.accounts: AccountsClient | None = None
        if spec.has_accounts:
            from birdadmin.bird.accounts import AccountsClient

            assert spec.accounts_url and spec.accounts_key
            org_id = spec.org_id or org_id_from_url(spec.base_url) or ""
            self.accounts = AccountsClient(spec.accounts_url, org_id, spec.accounts_key, http=spec.http)
        self.org: OrgData | None = None

    @property
    def label(self) -> str:
        return self.spec.label

    @property
    def base_url(self) -> str:
        return str(self.scim.base_url)

    def close(self) -> None:
        self.scim.close()
        if self.accounts is not None:
            self.accounts.close()


def unlinked_teams_warning(group_map: GroupRoleMap) -> list[Explanation]:
    """Bird groups that give roles but match no SCIM group: SCIM lists no members for them, so who holds those roles
    through them is missing from every count (docs/bird.md, H2). Said once per load, never silently left out."""
    giving = [team for team in group_map.teams_without_group if team.role_ids]
    if not giving:
        return []
    names = ", ".join(repr(team.name) for team in giving[:3]) + (f" and {len(giving) - 3} more" if len(giving) > 3
                                                                  else "")
    return [Explanation(
        "Some roles through groups are not shown",
        f"{len(giving)} Bird group{'s' if len(giving) > 1 else ''} ({names}) give roles but have no SCIM group, so "
        "who holds those roles through them is not shown; role counts cover direct grants and SCIM groups only.",
        "Groups made in Bird itself are not sent over SCIM. Their members are not listed there, so the roles they "
        "give cannot be traced to people (docs/bird.md, H2).",
        0,
    )]


def load_org(session: Session) -> OrgData:
    """Role catalogue, teams, groups and their members (blocking; run it on a worker).

    The Accounts API is optional: when it fails the catalogue is learned from the data and the failure is
    returned as a warning, so the SCIM side stays usable.
    """
    warnings: list[Explanation] = []
    roles = None
    teams: list[Team] = []
    teams_known = False
    if session.accounts is not None:
        try:
            roles = session.accounts.list_roles()
            teams = session.accounts.list_teams()
            teams_known = True
        except errors.BirdadminError as exc:
            warnings.append(explain(exc))
    catalogue, problems = build_catalogue(session.spec.names_key, roles, team_roles=(t.role_ids for t in teams))
    warnings += problems
    listed = session.scim.list_groups()
    full = _with_members(session.scim, listed)
    group_map = GroupRoleMap.build(full, teams)
    warnings += unlinked_teams_warning(group_map)
    memberships = memberships_from_groups(full)
    counts = {g.id: len(g.members) for g in full if g.members is not None}
    groups = [g if g.members is None else Group(g.id, g.display_name, None, g.external_id, g.version) for g in full]
    keys = _load_keys(session, warnings) if teams_known else []
    return OrgData(catalogue, groups, group_map, memberships, counts, teams, warnings, teams_known, keys)


def _load_keys(session: Session, warnings: list[Explanation]) -> list[KeyPrincipal]:
    """The organization's access keys (principals beside the users); a failure is a warning, as for teams."""
    from birdadmin.bird.access_keys import AccessKeys

    assert session.accounts is not None
    try:
        return list(AccessKeys(session.accounts).list())
    except errors.BirdadminError as exc:
        warnings.append(explain(exc))
        return []


def _with_members(scim: ScimClient, groups: list[Group]) -> list[Group]:
    """Each group re-read with its members; a group that vanished meanwhile keeps its listing entry."""

    def one(group: Group) -> Group:
        try:
            return scim.get_group(group.id, members=True)
        except errors.NotFoundError:
            return group

    if not groups:
        return []
    with ThreadPoolExecutor(max_workers=_MEMBER_FETCHERS, thread_name_prefix="scim-members") as pool:
        return list(pool.map(one, groups))


def org_state(
    users: Sequence[User],
    data: OrgData,
    *,
    label: str = "",
    profile: str = "",
    complete: bool = True,
    taken_at: str | None = None,
) -> OrgState:
    """The loaded organization as one :class:`OrgState` (what audits, snapshots and reports read)."""
    members: dict[str, list[str]] = {g.id: [] for g in data.groups}
    for user_id, groups in data.memberships.items():
        for group_id, _ in groups:
            members.setdefault(group_id, []).append(user_id)
    known = data.group_roles_known
    states = tuple(
        GroupState(
            g.id, g.display_name or g.id, tuple(members.get(g.id, ())),
            tuple(data.group_roles.get(g.id, ())) if known else None,
            team.id if (team := data.group_map.team(g.id)) is not None else None,
        )
        for g in data.groups
    )
    when = taken_at or datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
    return OrgState(tuple(users), states, data.catalogue, when, label, profile, complete, known, tuple(data.keys))
