"""One organization as plain data, at one moment: what audits, snapshots, diffs and reports read. Pure Python.

The window and the CLI load an organization in pieces (users streamed; groups, memberships, teams and the
catalogue in one go, ``org_load.py``); :func:`birdadmin.org_load.org_state` puts them together into an
:class:`OrgState`, and a snapshot file (``store/snapshots.py``) gives one back, so every audit reads the same shape
whether the organization is live or saved. ``complete`` and ``group_roles_known`` travel with the data, so any
count made from it can say whether it is complete (a partial load gives lower bounds) and whether roles through
groups were known at all (without the Accounts API they are not: docs/bird.md, H2). ``keys`` are the organization's
access keys (``bird/access_keys.py``): principals like users, read from the Accounts API (empty without it).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from birdadmin.domain.catalogue import RoleCatalogue
from birdadmin.scim.resources import User


class KeyPrincipal(Protocol):
    """What the audit reads of an access key (``bird/access_keys.py`` AccessKey has these fields)."""

    @property
    def id(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def description(self) -> str: ...
    @property
    def suffix(self) -> str: ...
    @property
    def role_ids(self) -> tuple[str, ...] | None: ...  # None: the server did not say (not "no roles")
    @property
    def created_at(self) -> str | None: ...
    @property
    def last_used_at(self) -> str | None: ...


@dataclass(frozen=True, slots=True)
class GroupState:
    """A group with its members and the roles it gives (``None``: unknown, as without the Accounts API)."""

    id: str
    name: str
    member_ids: tuple[str, ...]
    role_ids: tuple[str, ...] | None
    team_id: str | None = None  # the Bird team its roles live on (docs/bird.md, A2), when matched


@dataclass(frozen=True)
class OrgState:
    users: tuple[User, ...]
    groups: tuple[GroupState, ...]
    catalogue: RoleCatalogue
    taken_at: str  # ISO 8601, UTC, when the data was read
    label: str = ""  # the organization as the connection names it
    profile: str = ""  # the profile it was read through ("" for an ad-hoc or demo connection)
    complete: bool = True  # False: the listing stopped short; counts are lower bounds
    group_roles_known: bool = True
    keys: tuple[KeyPrincipal, ...] = ()  # access keys, principals beside the users
    _memberships: dict[str, tuple[tuple[str, str], ...]] | None = field(default=None, repr=False, compare=False)

    def memberships(self) -> dict[str, tuple[tuple[str, str], ...]]:
        """user id -> ((group id, group name), ...), in group order (built once)."""
        if self._memberships is None:
            found: dict[str, list[tuple[str, str]]] = {}
            for group in self.groups:
                for member in group.member_ids:
                    found.setdefault(member, []).append((group.id, group.name))
            object.__setattr__(self, "_memberships", {k: tuple(v) for k, v in found.items()})
        assert self._memberships is not None
        return self._memberships

    def group_roles(self) -> dict[str, tuple[str, ...]]:
        """group id -> the role ids it gives (groups whose roles are unknown are left out)."""
        return {g.id: g.role_ids for g in self.groups if g.role_ids is not None}

    def user(self, user_id: str) -> User | None:
        return next((u for u in self.users if u.id == user_id), None)
