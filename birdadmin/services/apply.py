"""The apply engine: sends planned changes (``domain/changes.py``) concurrently, reports each one as it goes,
and journals every change that reached the server. Qt-free and blocking: the window runs it on a worker.

The rules it keeps (see docs/bird.md for H1, U4, U7, U8): a write never overwrites another admin's edit (If-Match
with the version planned against, or a re-read compared with ``before`` where there is none; a difference is a
conflict shown with theirs); an unknown outcome is resolved by re-reading, never by sending blindly
(``services/verify.py``); a change that would leave a user who holds roles with none is refused unless
``allow_empty`` (H1). The per-kind work is in ``services/apply_kinds.py``; what each change sends, for the
preview, in ``services/requests_preview.py``.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from birdadmin import errors
from birdadmin.domain.changes import FINISHED, Change
from birdadmin.journal_entries import change_entry, envelope
from birdadmin.services.apply_kinds import apply_change
from birdadmin.services.requests_preview import PlannedRequest, requests_for
from birdadmin.services.verify import verify
from birdadmin.services.wire import WireLog

if TYPE_CHECKING:
    from birdadmin.org_load import Session
    from birdadmin.store.journal import Journal

__all__ = ["Applier", "JournalWriter", "PlannedRequest", "requests_for", "verify"]

log = logging.getLogger(__name__)

NOT_JOURNALED = " The journal could not record it: {}"


class JournalWriter:
    """Appends entries from any thread through one thread of its own, which owns the one SQLite connection
    (``sqlite3`` connections belong to the thread that opened them); appends are serialised, each waited for."""

    def __init__(self, journal: Journal) -> None:
        from birdadmin.store.journal import Journal

        self._path = journal.path
        self._journal: Journal | None = None
        self._make = Journal
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="journal")

    def _append(self, content: dict[str, Any]) -> None:
        if self._journal is None:
            self._journal = self._make(self._path).open()
        self._journal.append(content)

    def append(self, content: dict[str, Any]) -> None:
        self._pool.submit(self._append, content).result()

    def close(self) -> None:
        def close() -> None:
            if self._journal is not None:
                self._journal.close()
                self._journal = None

        self._pool.submit(close).result()
        self._pool.shutdown()


class Applier:
    """Applies a batch of planned changes on one open connection (``org_load.Session``)."""

    def __init__(
        self,
        session: Session,
        *,
        journal: Journal | None,
        profile_record: dict[str, Any],
        on_update: Callable[[Change], None] | None = None,
        concurrency: int = 8,
        allow_empty: bool = False,
    ) -> None:
        self.session = session
        self.journal = journal
        self.profile_record = dict(profile_record)
        self.on_update = on_update
        self.concurrency = max(1, concurrency)
        self.allow_empty = allow_empty
        self._wire = WireLog()
        self._writer: JournalWriter | None = None

    def apply(self, changes: Sequence[Change], cancel: threading.Event | None = None) -> list[Change]:
        """Apply ``changes`` (blocking) and return each with its final status, in input order.

        Changes already done or unchanged are returned as they are. With ``cancel`` set, changes not yet started
        stay as they were (pending); those already started finish, so none is left half-sent.
        """
        self._discover(changes)
        self._wire.attach(self.session.scim, *([self.session.accounts] if self.session.accounts else []))
        self._writer = JournalWriter(self.journal) if self.journal is not None else None
        try:
            with ThreadPoolExecutor(max_workers=self.concurrency, thread_name_prefix="apply") as pool:
                futures = [pool.submit(self._one, change, cancel) for change in changes]
                return [future.result() for future in futures]
        finally:
            self._wire.detach()
            if self._writer is not None:
                self._writer.close()
                self._writer = None

    def _discover(self, changes: Sequence[Change]) -> None:
        """Read what the server publishes (ETags or not) once, before eight workers would each ask for it; a
        failure here is left to each change, which then fails with its own sentence."""
        if any(c.kind == "user-roles" and c.status not in FINISHED for c in changes):
            try:
                self.session.scim.capabilities()
            except errors.BirdadminError as exc:
                log.info("the SCIM server's features could not be read before applying: %s", exc.message)

    def _one(self, change: Change, cancel: threading.Event | None) -> Change:
        if change.status in FINISHED or (cancel is not None and cancel.is_set()):
            return change
        start = replace(change, status="in-flight", reason="", theirs=None)
        self._report(start)
        with self._wire.capture() as sent:
            result = self._send(start)
        if result.status == "done" or (sent and result.status in ("conflict", "failed")):
            result = self._journal(result, sent)
        self._report(result)
        return result

    def _send(self, change: Change) -> Change:
        try:
            return apply_change(self.session, change, allow_empty=self.allow_empty)
        except errors.BirdadminError as exc:
            return replace(change, status="failed", reason=errors.explain(exc).message, theirs=None)
        except Exception as exc:  # a bug must fail this change, not the batch (its traceback goes to the log)
            log.exception("applying change %s failed unexpectedly", change.id)
            return replace(change, status="failed", reason=errors.explain(exc).message, theirs=None)

    def _journal(self, change: Change, sent: list[dict[str, Any]]) -> Change:
        if self._writer is None:
            return change
        from birdadmin.store.journal import now_utc, os_user

        entry = envelope(change_entry(change), time=now_utc(), os_user=os_user(), profile=self.profile_record,
                         requests=sent)
        try:
            self._writer.append(entry)
        except errors.BirdadminError as exc:
            log.warning("change %s reached the server but was not journaled: %s", change.id, exc.message)
            return replace(change, reason=(change.reason + NOT_JOURNALED.format(exc.message)).strip())
        return change

    def _report(self, change: Change) -> None:
        if self.on_update is not None:
            try:
                self.on_update(change)
            except Exception:  # the reporter's problem must not stop the batch
                log.exception("on_update failed for change %s", change.id)
