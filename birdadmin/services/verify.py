"""What the server holds now for a planned change's target, compared with the plan: the check after a crash (a
change left "in-flight") and after a write whose outcome is unknown (a 5xx, a broken connection). Qt-free.

Nothing is ever re-sent blindly: a change is sent again only when the server still holds what it was planned
against (``before``); when it holds ``after`` the change is done; anything else is a conflict, shown with theirs.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from birdadmin import errors
from birdadmin.domain.changes import Change, Status, same_values
from birdadmin.scim.resources import parse_user

if TYPE_CHECKING:
    from birdadmin.org_load import Session

ACCOUNTS_NEEDED = ("Changing a group's roles needs the Bird Accounts API (its URL and key in the connection); "
                   "nothing was sent.")
NO_TEAM = "This group has no Bird team, so the roles it gives cannot be changed here; nothing was sent."
CONFLICT = "Someone else changed this since the change was planned; what they set was kept, not overwritten."


def current_state(session: Session, change: Change) -> tuple[tuple[str, ...], str | None]:
    """(what the target holds now, its version): user roles, a group's member ids, or a team's role ids.

    Raises the read's error; roles the server never shows are a ProtocolError, never "no roles" (docs/bird.md, U8).
    """
    if change.kind == "user-roles":
        data, version, as_read = session.scim._read_roles(change.target_id)
        if as_read is None:
            raise session.scim._roles_not_shown(change.target_id)
        return parse_user(data).roles, version
    if change.kind == "group-members":
        group = session.scim.get_group(change.target_id, members=True)
        return group.member_ids, group.version
    if session.accounts is None:
        raise errors.InputError(ACCOUNTS_NEEDED)
    if not change.team_id:
        raise errors.InputError(NO_TEAM)
    team = session.accounts.get_team(change.team_id)
    return team.role_ids, team.version


def members_done(change: Change, members: tuple[str, ...]) -> bool:
    held = set(members)
    return all(m in held for m in change.added) and not any(m in held for m in change.removed)


def verify(session: Session, change: Change) -> Change:
    """Re-read the target: ``after`` there -> "done"; ``before`` -> "pending" (not applied, safe to send, with the
    version read now); anything else -> "conflict" with theirs. A read that fails raises its error (the outcome
    stays unknown, so the change must not be sent).

    Group members are merges (additions and removals by id), which never overwrite another admin's edit: a group
    that does not yet show all of them is "pending", safe to send again.
    """
    now, version = current_state(session, change)
    if change.kind == "group-members":
        status: Status = "done" if members_done(change, now) else "pending"
        return replace(change, status=status, reason="", theirs=None, version=version or change.version)
    if same_values(change.kind, now, change.after):
        return replace(change, status="done", reason="", theirs=None)
    if same_values(change.kind, now, change.before):
        return replace(change, status="pending", reason="", theirs=None, version=version or change.version)
    return replace(change, status="conflict", reason=CONFLICT, theirs=now)
