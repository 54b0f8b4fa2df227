"""The open connection to one organization, and the organization-wide data the views share.

``Session``, ``OrgData`` and ``load_org`` live in the Qt-free ``birdadmin/org_load.py`` (the CLI loads an
organization with them too); this module adds what the window keeps of one load.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from birdadmin.domain.organization import LoadState, OrgUsers, Scope, direct_counts, groups_carrying
from birdadmin.org_load import OrgData, Session, load_org

__all__ = ["OrgData", "Organization", "Session", "load_org", "role_counts"]


def role_counts(users: Any, org: OrgData | None) -> tuple[dict[str, int], dict[str, int]]:
    """(role -> users holding it directly, role -> groups carrying it)."""
    return direct_counts(users), groups_carrying(org.group_roles) if org is not None else {}


class Organization:
    """The whole directory of one connection, as loaded by one refresh: users, then groups and the catalogue.

    The users stream in (``users``, ``users_state``); groups, memberships, team roles and the catalogue arrive
    in one piece (``data``). Until its own data arrives, a refresh borrows the previous load's ``data`` so roles
    keep their names; ``scope()`` says it is not complete meanwhile.
    """

    def __init__(self, data: OrgData | None = None) -> None:
        self.users = OrgUsers()
        self.users_state = LoadState.LOADING
        self.data = data
        self.data_state = LoadState.LOADING
        self.total: int | None = None
        self.failure = ""
        self.completed_at: datetime | None = None
        self.stale_reason = ""

    @property
    def state(self) -> LoadState:
        states = (self.users_state, self.data_state)
        for state in (LoadState.FAILED, LoadState.CANCELLED, LoadState.LOADING):
            if state in states:
                return state
        return LoadState.COMPLETE

    def mark_complete_if_done(self, when: datetime) -> bool:
        """Record the time the load became complete; True the first time it does."""
        if self.state is LoadState.COMPLETE and self.completed_at is None:
            self.completed_at = when
            return True
        return False

    def scope(self) -> Scope:
        users_done = self.users_state is LoadState.COMPLETE
        return Scope(
            state=self.users_state if not users_done else self.state,
            loaded=len(self.users),
            total=self.total,
            completed_at=self.completed_at,
            stale_reason=self.stale_reason,
            failure=self.failure,
            group_roles_known=self.data.group_roles_known if self.data is not None else True,
            groups_loading=users_done and self.data_state is LoadState.LOADING,
        )

    def role_counts(self) -> tuple[dict[str, int], dict[str, int]]:
        return role_counts(self.users, self.data)
