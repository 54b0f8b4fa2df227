"""Applying one planned change of each kind, blocking, on the calling thread. Qt-free.

Each function returns the change with its final status (done, unchanged, conflict) or raises the error that
makes it failed; ``services/apply.py`` runs them on workers, reports them and journals them.
"""

from __future__ import annotations

import logging
import time
from dataclasses import replace
from typing import TYPE_CHECKING

from birdadmin import errors
from birdadmin.bird.role_refs import with_roles_set
from birdadmin.domain.changes import Change, Status, same_values
from birdadmin.scim.planned_roles import apply_planned_roles
from birdadmin.services.verify import ACCOUNTS_NEEDED, CONFLICT, NO_TEAM, members_done

if TYPE_CHECKING:
    from birdadmin.bird.accounts import AccountsClient
    from birdadmin.bird.models import RoleRef
    from birdadmin.org_load import Session

log = logging.getLogger(__name__)

# A write whose outcome is unknown (it may have been applied), or that was refused for the rate (it was not).
_RETRY = (errors.ServerError, errors.ConnectionFailedError, errors.RateLimitedError)

# Seconds between a team write without a precondition and the re-read that checks no one overwrote it (docs/bird.md
# U7); the CLI's --settle-delay default.
SETTLE_DELAY = 1.0
OVERTAKEN = (
    "The change was applied, but the group changed meanwhile: it now gives the roles shown, not the ones written. "
    "This server offers no precondition on teams, so the last writer wins; check the group's roles."
)


def apply_change(session: Session, change: Change, *, allow_empty: bool) -> Change:
    if change.is_noop:
        return _finished(change, "unchanged", "The change asks for what the target already held; nothing was sent.")
    if change.kind == "user-roles":
        return apply_user_roles(session, change, allow_empty=allow_empty)
    if change.kind == "group-members":
        return apply_members(session, change)
    return apply_group_roles(session, change)


def _finished(change: Change, status: Status, reason: str = "", theirs: tuple[str, ...] | None = None) -> Change:
    return replace(change, status=status, reason=reason, theirs=theirs)


def apply_user_roles(session: Session, change: Change, *, allow_empty: bool) -> Change:
    """One user's roles from ``before`` to ``after``: ``scim/planned_roles.py`` (If-Match, the re-read
    on an unknown outcome, the emptying refusal of docs/bird.md H1, roles the server hides U8)."""
    result = apply_planned_roles(
        session.scim, change.target_id, change.before, change.after, change.version, allow_empty=allow_empty,
        subject=f"of user {change.target_name or change.target_id}",
    )
    theirs = result.roles if result.outcome == "conflict" else None
    return _finished(change, result.outcome, result.reason, theirs)


def apply_members(session: Session, change: Change) -> Change:
    """Additions and removals as merges (PATCH add, remove by filter): another admin's edits to the group stay;
    members already as wanted send nothing. ``ScimWriter.add_members``/``remove_members`` re-read to verify and
    resolve an unknown outcome; a rate refusal that outlasts the HTTP layer's retries is tried again, bounded."""
    scim = session.scim
    last: errors.RequestError | None = None
    maybe_ours = False  # a membership write whose outcome was unknown
    for _ in range(max(1, scim.settings.write_attempts)):
        try:
            group = scim.get_group(change.target_id, members=True)
            held = set(group.member_ids)
            to_add = [m for m in dict.fromkeys(change.added) if m not in held]
            to_remove = [m for m in dict.fromkeys(change.removed) if m in held]
            if not to_add and not to_remove:
                if maybe_ours:
                    return _finished(change, "done")
                return _finished(change, "unchanged", "The group's members were already as planned.")
            if to_add:
                maybe_ours = True
                group = scim.add_members(change.target_id, to_add)
            if to_remove:
                maybe_ours = True
                group = scim.remove_members(change.target_id, to_remove)
        except _RETRY as exc:
            last = exc
            continue
        if not members_done(change, group.member_ids):
            raise errors.ProtocolError("The SCIM server accepted the membership change but the group's members do "
                                       "not show it.", method="PATCH")
        return _finished(change, "done")
    assert last is not None
    raise last


def apply_group_roles(session: Session, change: Change) -> Change:
    """The roles a group gives, written to its Bird team (``change.team_id``) through the Accounts API.

    The team is read first (its other roles keep their workspace scoping, ``bird/role_refs.py``) and compared with
    ``before``; the write carries the team's ETag (``change.version``) when it has one (docs/bird.md, U7), and a
    412 is compared again on a re-read: still ``before`` -> sent again with the new version, else a conflict.
    Without an ETag the write is last-writer-wins: the team is read again after ``SETTLE_DELAY`` and a write that
    another admin's overtook is reported with both lists (conflict, journaled as sent), never as done.
    """
    accounts = session.accounts
    if accounts is None:
        raise errors.InputError(ACCOUNTS_NEEDED)
    if not change.team_id:
        raise errors.InputError(NO_TEAM)
    last: errors.RequestError | None = None
    maybe_ours = False
    for attempt in range(max(1, session.scim.settings.write_attempts)):
        team = accounts.get_team(change.team_id)
        settled = _team_settled(change, team.role_ids, maybe_ours)
        if settled is not None:
            return settled
        if_match = change.version if attempt == 0 and change.version else team.version
        try:
            _write_team(accounts, change, team.role_refs, if_match)
        except errors.PreconditionFailedError as exc:
            last = exc
        except _RETRY as exc:
            last, maybe_ours = exc, maybe_ours or not isinstance(exc, errors.RateLimitedError)
        else:
            return _finished(change, "done") if if_match else _overtaken(accounts, change)
    now = accounts.get_team(change.team_id).role_ids
    settled = _team_settled(change, now, maybe_ours)
    if settled is not None:
        return settled
    assert last is not None
    raise last


def _team_settled(change: Change, now: tuple[str, ...], maybe_ours: bool) -> Change | None:
    """The result when the team no longer holds ``before``; None when it does (the write may be sent)."""
    if same_values("group-roles", now, change.after) and not same_values("group-roles", now, change.before):
        if maybe_ours:
            return _finished(change, "done")
        return _finished(change, "unchanged", "The group already gave the planned roles when re-read.")
    if not same_values("group-roles", now, change.before):
        return _finished(change, "conflict", CONFLICT, now)
    return None


def _overtaken(accounts: AccountsClient, change: Change) -> Change:
    """Done when the team still gives what was written after the settle delay; else the conflict of U7."""
    assert change.team_id is not None
    time.sleep(SETTLE_DELAY)
    try:
        now = accounts.get_team(change.team_id).role_ids
    except errors.BirdadminError as exc:  # the write was answered: it is done, only the check is missing
        return _finished(change, "done", f"Applied; whether the group changed meanwhile could not be checked: "
                         f"{errors.explain(exc).message}")
    if same_values("group-roles", now, change.after):
        return _finished(change, "done")
    return _finished(change, "conflict", OVERTAKEN, now)


def _write_team(
    accounts: AccountsClient, change: Change, current: tuple[RoleRef, ...], if_match: str | None
) -> None:
    assert change.team_id is not None
    accounts.set_team_roles(change.team_id, with_roles_set(current, change.after), if_match=if_match)
