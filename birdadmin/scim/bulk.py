"""One role change applied to many users, concurrently, with a truthful outcome per user.

Each user goes through ``ScimClient.change_roles`` (fresh read, If-Match, verification after an unknown
outcome), so a flaky or rate-limiting server ends in exactly the intended state or in a named failure; one
user's failure never stops the others and is never reported as a success.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from enum import StrEnum

from birdadmin import errors
from birdadmin.scim.client import ScimClient
from birdadmin.scim.writes import RoleChange


class Interrupted(KeyboardInterrupt):
    """Ctrl+C while the changes were being sent: ``outcomes`` are the users answered (by user id), ``in_flight`` the
    users whose change had started and may have been applied; every other user was never started."""

    def __init__(self, outcomes: dict[str, Outcome], in_flight: frozenset[str]) -> None:
        super().__init__()
        self.outcomes = outcomes
        self.in_flight = in_flight


class Status(StrEnum):
    CHANGED = "changed"
    UNCHANGED = "unchanged"  # already as intended; nothing was written
    FAILED = "failed"
    SKIPPED = "skipped"  # cancelled before it started


@dataclass(frozen=True, slots=True)
class Outcome:
    user_id: str
    status: Status
    user_name: str = ""
    before: tuple[str, ...] = ()
    after: tuple[str, ...] = ()
    error: str = ""
    change: RoleChange | None = field(default=None, compare=False, repr=False)  # what was written (the journal's)

    def to_json(self) -> dict[str, object]:
        return {
            "id": self.user_id,
            "userName": self.user_name,
            "status": str(self.status),
            "before": list(self.before),
            "after": list(self.after),
            "error": self.error,
        }


def change_roles_bulk(
    client: ScimClient,
    user_ids: Sequence[str],
    *,
    set_to: Sequence[str] | None = None,
    add: Sequence[str] = (),
    remove: Sequence[str] = (),
    allow_empty: bool = False,
    concurrency: int = 4,
    cancel: threading.Event | None = None,
    on_outcome: Callable[[Outcome], None] | None = None,
) -> list[Outcome]:
    """Apply the change to every user; outcomes come back in the order of ``user_ids``.

    ``on_outcome`` is called on the calling thread as each user is answered. A Ctrl+C (or an ``on_outcome`` that
    fails) starts no further user; the interruption is raised as :class:`Interrupted`, with what is known.
    """

    stop = cancel if cancel is not None else threading.Event()
    lock = threading.Lock()
    started: set[str] = set()

    def one(user_id: str) -> Outcome:
        with lock:  # after an interruption no user is started (``stop`` is set under the same lock)
            if stop.is_set():
                return Outcome(user_id, Status.SKIPPED, error="cancelled before it started")
            started.add(user_id)
        return _change_one(client, user_id, set_to=set_to, add=add, remove=remove, allow_empty=allow_empty)

    unique = list(dict.fromkeys(user_ids))
    results: dict[str, Outcome] = {}
    pool = ThreadPoolExecutor(max_workers=max(1, concurrency), thread_name_prefix="scim-bulk")
    try:
        futures = {pool.submit(one, user_id): user_id for user_id in unique}
        for future in as_completed(futures):
            outcome = future.result()
            results[outcome.user_id] = outcome
            if on_outcome is not None:
                on_outcome(outcome)
    except BaseException as exc:  # Ctrl+C, or ``on_outcome`` failed: no further user is started
        with lock:
            stop.set()
            running = frozenset(started - results.keys())
        pool.shutdown(wait=False, cancel_futures=True)  # the changes on the wire are not waited for
        if isinstance(exc, KeyboardInterrupt):
            raise Interrupted(dict(results), running) from exc
        raise
    pool.shutdown(wait=True)
    return [results[user_id] for user_id in unique]


def _change_one(
    client: ScimClient, user_id: str, *, set_to: Sequence[str] | None, add: Sequence[str], remove: Sequence[str],
    allow_empty: bool,
) -> Outcome:
    try:
        result = client.change_roles(user_id, set_to=set_to, add=add, remove=remove, allow_empty=allow_empty)
    except errors.BirdadminError as exc:
        return Outcome(user_id, Status.FAILED, error=exc.message)
    if not result.roles_shown:  # sent and accepted, but the server shows no roles to check it by (U8)
        note = "The server accepted the change but does not show the user's roles, so it could not be checked."
        return Outcome(user_id, Status.CHANGED, result.after.user_name, error=note, change=result)
    return Outcome(
        user_id,
        Status.CHANGED if result.changed else Status.UNCHANGED,
        result.after.user_name,
        result.before.roles,
        result.after.roles,
        change=result,
    )
