"""Running an apply on a worker, and the reads around it (the users after an apply, a change's current state).

The apply engine (``services/apply.py``) calls ``on_update`` from its own worker threads; each update is passed to
``report``, which the window gets from ``TaskRunner.submit_with_progress`` (services/tasks.py): the one way a
worker's results and progress reach the GUI thread. The journal is opened on the worker that applies (an SQLite
connection belongs to its thread).
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Sequence
from typing import Any

from birdadmin.domain.changes import Change
from birdadmin.org_load import Session


def apply_changes(
    session: Session,
    changes: Sequence[Change],
    cancel: threading.Event,
    report: Callable[[Change], None],
    profile_record: dict[str, Any],
    *,
    allow_empty: bool = False,
    on_worker: Callable[[Change], None] | None = None,
) -> list[Change]:
    """Blocking: apply ``changes`` with the journal; every status change is passed to ``report``, after
    ``on_worker`` (called on the applying thread, e.g. to keep the change's status in a store before the GUI
    thread hears of it)."""
    from birdadmin.services.apply import Applier
    from birdadmin.store.journal import Journal

    journal = Journal()
    try:
        def update(change: Change) -> None:
            if on_worker is not None:
                on_worker(change)
            report(change)

        applier = Applier(session, journal=journal, profile_record=profile_record, on_update=update,
                          allow_empty=allow_empty)
        return applier.apply(changes, cancel)
    finally:
        journal.close()


def reread_users(session: Session, user_ids: Sequence[str]) -> list[Any]:
    """The users as the server has them now (after an apply), skipping any that cannot be read."""
    from birdadmin import errors

    users = []
    for user_id in user_ids:
        with contextlib.suppress(errors.BirdadminError):
            users.append(session.scim.get_user(user_id))
    return users


def current_state(session: Session, change: Change) -> tuple[tuple[str, ...], str | None]:
    """What the change's target holds on the server now, and its version: the base to re-plan a conflict on."""
    if change.kind == "user-roles":
        user = session.scim.get_user(change.target_id)
        return tuple(user.roles), user.version
    if change.kind == "group-members":
        group = session.scim.get_group(change.target_id, members=True)
        return group.member_ids, group.version
    if session.accounts is None:
        from birdadmin import errors

        raise errors.InputError("This connection has no Accounts API key, so a group's roles cannot be read.")
    team = session.accounts.get_team(change.team_id or change.target_id)
    return team.role_ids, team.version
