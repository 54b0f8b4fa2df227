"""Stream a directory listing (users) page by page into the GUI, with progress and cancel.

The scan runs on a worker thread; pages are coalesced there (at most one hand-over every ``batch_ms``) so the
GUI thread gets a few large batches a second instead of hundreds of tiny ones, which keeps the event loop
responsive at tens of thousands of users. Every load has a generation number: after ``cancel()`` or a new
``start()``, batches of the old load still in the event queue are dropped.

A listing that ends short of the server's own total, or that a bound stops (``ListingIncomplete``), keeps every item
it got and ends with ``short``, never with ``finished``: what it loaded is not the whole directory.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

from PySide6.QtCore import QObject, Qt, QThreadPool, Signal, Slot

from birdadmin.errors import explain
from birdadmin.scim.paging import Cancelled, ListingIncomplete, Page

log = logging.getLogger(__name__)

PageSource = Callable[[threading.Event], Iterator[Page[Any]]]


class _Relay(QObject):
    batch = Signal(int, object, int, object)  # generation, items, fetched, total
    done = Signal(int, str, object)  # generation, "ok" | "cancelled" | "short" | "failed", payload


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
        self._pool = pool
        self.batch_ms = batch_ms  # longest wait before handing loaded items to the GUI thread
        self._relay = _Relay(self)
        self._relay.batch.connect(self._on_batch, Qt.ConnectionType.QueuedConnection)
        self._relay.done.connect(self._on_done, Qt.ConnectionType.QueuedConnection)
        self._generation = 0
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
        self._generation += 1
        generation = self._generation
        cancel = threading.Event()
        self._cancel = cancel
        self._running = True
        self._fetched = 0
        relay, batch_s = self._relay, self.batch_ms / 1000

        def emit(signal: Any, *args: Any) -> None:
            try:
                signal.emit(generation, *args)
            except RuntimeError:  # the receiver is gone (window closed): nothing left to tell
                cancel.set()

        def work() -> None:
            buffer: list[Any] = []
            fetched, total = 0, None
            last = time.monotonic()
            try:
                for page in source(cancel):
                    buffer.extend(page.items)
                    fetched, total = page.fetched, page.total
                    now = time.monotonic()
                    if now - last >= batch_s:
                        emit(relay.batch, buffer, fetched, total)
                        buffer, last = [], now
                    if cancel.is_set():
                        raise Cancelled("Loading was cancelled; what was loaded so far is kept.")
                if buffer:
                    emit(relay.batch, buffer, fetched, total)
                emit(relay.done, "ok", fetched)
            except Cancelled:
                emit(relay.done, "cancelled", None)
            except ListingIncomplete as exc:
                if buffer:
                    emit(relay.batch, buffer, fetched, total)
                emit(relay.done, "short", explain(exc))
            except BaseException as exc:  # noqa: BLE001 - shown as a plain sentence, never a traceback
                if buffer:
                    emit(relay.batch, buffer, fetched, total)
                emit(relay.done, "failed", explain(exc))

        self.started.emit()
        self._pool.start(work)

    def cancel(self) -> None:
        """Stop the listing; rows already handed over stay, batches still in flight are dropped."""
        if not self._running:
            return
        self._abandon()
        self._generation += 1
        self.cancelled.emit(self._fetched)

    def stop(self) -> None:
        """Abandon the listing without a word (its connection is going): no signal follows."""
        self._abandon()
        self._generation += 1

    def _abandon(self) -> None:
        if self._cancel is not None:
            self._cancel.set()
        self._running = False

    @Slot(int, object, int, object)
    def _on_batch(self, generation: int, items: list[Any], fetched: int, total: Any) -> None:
        if generation != self._generation:
            return
        self._fetched += len(items)
        self.page_loaded.emit(items)
        self.progress.emit(self._fetched, total)

    @Slot(int, str, object)
    def _on_done(self, generation: int, outcome: str, payload: Any) -> None:
        if generation != self._generation:
            return
        self._running = False
        if outcome == "ok":
            self.finished.emit(self._fetched)
        elif outcome == "cancelled":
            self.cancelled.emit(self._fetched)
        elif outcome == "short":
            self.short.emit(payload)
        else:
            self.failed.emit(payload)
