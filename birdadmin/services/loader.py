"""Stream a directory listing (users) page by page into the GUI, with progress and cancel.

The scan runs on a worker thread; pages are coalesced there (at most one hand-over every ``batch_ms``) so the
GUI thread gets a few large batches a second instead of hundreds of tiny ones, which keeps the event loop
responsive at tens of thousands of users. The batches are the task's progress on the window's task runner
(``services/tasks.py``, ``submit_with_progress``), whose one rule for stale results applies: after ``cancel()``,
``stop()`` or a new ``start()``, batches and the outcome of the old load still in the event queue are dropped.

A listing that ends short of the server's own total, or that a bound stops (``ListingIncomplete``), keeps every item
it got and ends with ``short``, never with ``finished``: what it loaded is not the whole directory.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

from PySide6.QtCore import QObject, QThreadPool, Signal

from birdadmin.errors import Explanation, explain
from birdadmin.scim.paging import Cancelled, ListingIncomplete, Page
from birdadmin.services.tasks import Report, TaskRunner

log = logging.getLogger(__name__)

PageSource = Callable[[threading.Event], Iterator[Page[Any]]]
_CHANNEL = "listing"


class DirectoryLoader(QObject):
    """One listing at a time; signals carry new items, progress and the outcome."""

    started = Signal()
    page_loaded = Signal(list)  # new items (SCIM ids not seen earlier in this load)
    progress = Signal(int, object)  # fetched so far, server's total (int or None)
    finished = Signal(int)  # items loaded
    cancelled = Signal(int)  # items loaded before the cancel (they are kept)
    failed = Signal(object)  # Explanation
    short = Signal(object)  # Explanation: the listing ended incomplete; the items loaded are kept

    def __init__(self, pool: QThreadPool, parent: QObject | None = None, *, batch_ms: int = 60) -> None:
        super().__init__(parent)
        self.batch_ms = batch_ms  # longest wait before handing loaded items to the GUI thread
        # The task runner's rule drops a stale listing's batches and outcome: a new start, a cancel or a stop
        # abandons the channel's task (services/tasks.py).
        self._runner = TaskRunner(self, pool=pool)
        self._cancel: threading.Event | None = None
        self._running = False
        self._fetched = 0

    @property
    def running(self) -> bool:
        return self._running

    @property
    def fetched(self) -> int:
        return self._fetched

    def start_users(self, client: Any, scim_filter: str | None = None) -> None:
        """List users from a ScimClient, optionally narrowed by a SCIM filter run on the server."""
        self.start(lambda cancel: client.iter_users(scim_filter or None, cancel=cancel))

    def start(self, source: PageSource) -> None:
        """Begin a listing, abandoning any listing still running."""
        self._abandon()
        cancel = threading.Event()
        self._cancel = cancel
        self._running = True
        self._fetched = 0
        batch_s = self.batch_ms / 1000

        def work(report: Report) -> tuple[str, Any]:
            buffer: list[Any] = []
            fetched, total = 0, None
            last = time.monotonic()
            try:
                for page in source(cancel):
                    buffer.extend(page.items)
                    fetched, total = page.fetched, page.total
                    now = time.monotonic()
                    if now - last >= batch_s:
                        report((buffer, total))
                        buffer, last = [], now
                    if cancel.is_set():
                        raise Cancelled("Loading was cancelled; what was loaded so far is kept.")
                return "ok", fetched
            except Cancelled:
                return "cancelled", None
            except ListingIncomplete as exc:
                return "short", explain(exc)
            finally:
                if buffer:
                    report((buffer, total))

        self.started.emit()
        self._runner.submit_with_progress(work, channel=_CHANNEL, on_progress=self._on_batch, on_result=self._on_done,
                                          on_error=self._on_failed)

    def cancel(self) -> None:
        """Stop the listing; rows already handed over stay, batches still in flight are dropped."""
        if not self._running:
            return
        self._abandon()
        self.cancelled.emit(self._fetched)

    def stop(self) -> None:
        """Abandon the listing without a word (its connection is going): no signal follows."""
        self._abandon()

    def _abandon(self) -> None:
        if self._cancel is not None:
            self._cancel.set()
        self._runner.invalidate(_CHANNEL)
        self._running = False

    def _on_batch(self, batch: tuple[list[Any], Any]) -> None:
        items, total = batch
        self._fetched += len(items)
        self.page_loaded.emit(items)
        self.progress.emit(self._fetched, total)

    def _on_done(self, outcome: tuple[str, Any]) -> None:
        self._running = False
        kind, payload = outcome
        if kind == "ok":
            self.finished.emit(self._fetched)
        elif kind == "cancelled":
            self.cancelled.emit(self._fetched)
        else:
            self.short.emit(payload)

    def _on_failed(self, explanation: Explanation) -> None:
        self._running = False
        self.failed.emit(explanation)
