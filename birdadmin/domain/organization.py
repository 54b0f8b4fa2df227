"""One organization as loaded: every user, how complete the load is, and the counts derived from it.

The window reads every count from one Organization, never from what a page happens to show (a server query
narrows the Users view only). The load's scope travels with the data, so each page can say when what it shows
is partial (still loading, cancelled, failed) or stale (a refresh failed and the previous load is shown).

Pure data: no Qt, no I/O.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import Enum

from birdadmin.scim.resources import User


class LoadState(Enum):
    LOADING = "loading"
    COMPLETE = "complete"
    CANCELLED = "cancelled"
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class Scope:
    """How much of the organization the data covers; what a page needs to mark partial or stale data."""

    state: LoadState
    loaded: int  # users loaded
    total: int | None = None  # the server's total, when it said
    completed_at: datetime | None = None  # when the load shown became complete
    stale_reason: str = ""  # a refresh failed; the data shown is the previous complete load
    failure: str = ""  # why the load failed (state FAILED)
    group_roles_known: bool = True  # False without the Accounts API: roles through groups are unknown
    groups_loading: bool = False  # users complete, groups and catalogue still on the way

    @property
    def complete(self) -> bool:
        """Every user and group loaded, and not superseded by a failed refresh."""
        return self.state is LoadState.COMPLETE and not self.groups_loading and not self.stale_reason

    @property
    def partial(self) -> bool:
        """Counts over this data are lower bounds."""
        return self.state is not LoadState.COMPLETE or self.groups_loading


class OrgUsers:
    """Every user of the organization once, in load order, keyed by SCIM id."""

    __slots__ = ("_index", "_users")

    def __init__(self, users: Iterable[User] = ()) -> None:
        self._users: list[User] = []
        self._index: dict[str, int] = {}
        self.add(users)

    def add(self, users: Iterable[User]) -> None:
        """Add a batch; a user already present is replaced (matched by id)."""
        for user in users:
            at = self._index.get(user.id)
            if at is None:
                self._index[user.id] = len(self._users)
                self._users.append(user)
            else:
                self._users[at] = user

    def get(self, user_id: str) -> User | None:
        at = self._index.get(user_id)
        return self._users[at] if at is not None else None

    def replace(self, user: User) -> bool:
        """Put a fresher copy of a known user in place; False when the user is not in the organization."""
        at = self._index.get(user.id)
        if at is None:
            return False
        self._users[at] = user
        return True

    def __len__(self) -> int:
        return len(self._users)

    def __iter__(self) -> Iterator[User]:
        return iter(self._users)

    def as_list(self) -> list[User]:
        return list(self._users)


def direct_counts(users: Iterable[User]) -> dict[str, int]:
    """role id (lower case) -> users holding it directly; a user counts once per role."""
    counts: dict[str, int] = {}
    for user in users:
        roles = user.roles
        if not roles:
            continue
        for rid in {r.lower() for r in roles} if len(roles) > 1 else (roles[0].lower(),):
            counts[rid] = counts.get(rid, 0) + 1
    return counts


def groups_carrying(group_roles: Mapping[str, Sequence[str]]) -> dict[str, int]:
    """role id -> groups carrying it."""
    via: dict[str, int] = {}
    for roles in group_roles.values():
        for rid in {r.lower() for r in roles}:
            via[rid] = via.get(rid, 0) + 1
    return via
