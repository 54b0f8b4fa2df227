"""Run blocking work off the GUI thread and hand the outcome back to it, dropping results nobody waits for.

This is the one way birdadmin's window and dialogs hand worker results, and a task's progress along the way
(``submit_with_progress``: the apply reports each change, the directory loader its batches of pages), to the GUI
thread. Workers run on a QThreadPool; each outcome travels to the GUI
thread through a queued signal of a relay object living there, so callbacks always run on the GUI thread.

The one rule for stale results: tasks submitted on a *channel* (say "user-detail") supersede each other, and
``invalidate(channel)`` abandons the running one; a superseded or abandoned task's progress is dropped too. When
the user clicks A then B, A's late answer is discarded instead of overwriting B's pane (a generation token per
channel, the same idea as git-cola's timestamps).
A channel is *busy* while its current task has not answered; dialogs disable their buttons meanwhile.
"""

from __future__ import annotations

import contextlib
import itertools
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QObject, Qt, QThreadPool, Signal, Slot

from birdadmin.errors import Explanation, explain

log = logging.getLogger(__name__)

ResultCallback = Callable[[Any], object]
ErrorCallback = Callable[[Explanation], None]
ProgressCallback = Callable[[Any], object]
Report = Callable[[Any], None]  # what a task with progress is given: called on the worker, any number of times


@dataclass(slots=True)
class _Pending:
    channel: str | None
    on_result: ResultCallback | None
    on_error: ErrorCallback | None
    on_progress: ProgressCallback | None = None


class _Relay(QObject):
    """Lives on the GUI thread; workers emit on it and Qt queues the call over.

    It has no Qt parent: the runner and every running task hold it, so a task that ends after its dialog was
    deleted still emits on a live object (the queued call then finds no receiver and is dropped).
    """

    delivered = Signal(int, bool, object)
    progressed = Signal(int, object)


class TaskRunner(QObject):
    """Submits callables to a thread pool; see the module docstring for the stale-result rule."""

    stale_dropped = Signal(str)  # channel of a result that arrived after a newer task superseded it
    busy_changed = Signal(bool)  # any task pending at all
    channel_busy_changed = Signal(str, bool)  # a channel's current task started, or answered / was abandoned
    done = Signal(str)  # the current task of a channel ("" for none) answered and its callback ran

    def __init__(
        self, parent: QObject | None = None, *, max_threads: int = 4, pool: QThreadPool | None = None
    ) -> None:
        super().__init__(parent)
        self._owns_pool = pool is None
        self.pool = pool if pool is not None else QThreadPool(self)
        if self._owns_pool:
            self.pool.setMaxThreadCount(max_threads)
        self._relay = _Relay()
        self._relay.delivered.connect(self._on_delivered, Qt.ConnectionType.QueuedConnection)
        self._relay.progressed.connect(self._on_progressed, Qt.ConnectionType.QueuedConnection)
        self._ids = itertools.count(1)
        self._pending: dict[int, _Pending] = {}
        self._latest: dict[str, int] = {}
        self._closed = False

    @property
    def pending_count(self) -> int:
        return len(self._pending)

    def submit(
        self,
        fn: Callable[[], Any],
        *,
        on_result: ResultCallback | None = None,
        on_error: ErrorCallback | None = None,
        channel: str | None = None,
    ) -> int:
        """Run ``fn()`` on a worker; exactly one callback runs later on the GUI thread, unless superseded."""
        return self._start(lambda _report: fn(), _Pending(channel, on_result, on_error))

    def submit_with_progress(
        self,
        fn: Callable[[Report], Any],
        *,
        on_progress: ProgressCallback,
        on_result: ResultCallback | None = None,
        on_error: ErrorCallback | None = None,
        channel: str | None = None,
    ) -> int:
        """Run ``fn(report)`` on a worker; each ``report(x)`` reaches ``on_progress(x)`` on the GUI thread, in order
        and before the result, while the task is its channel's current one."""
        return self._start(fn, _Pending(channel, on_result, on_error, on_progress))

    def _start(self, fn: Callable[[Report], Any], pending: _Pending) -> int:
        channel = pending.channel
        if self._closed:
            raise RuntimeError("the task runner was shut down")
        task_id = next(self._ids)
        was_idle = not self._pending
        was_busy = channel is not None and self.busy(channel)
        self._pending[task_id] = pending
        if channel is not None:
            self._latest[channel] = task_id
        relay = self._relay

        def report(payload: Any) -> None:
            with contextlib.suppress(RuntimeError):  # the application (and the relay with it) is gone
                relay.progressed.emit(task_id, payload)

        def work() -> None:
            try:
                outcome: tuple[bool, Any] = (True, fn(report))
            except BaseException as exc:  # noqa: BLE001 - every failure becomes an explanation
                outcome = (False, explain(exc))
            with contextlib.suppress(RuntimeError):  # the application (and the relay with it) is gone
                relay.delivered.emit(task_id, *outcome)

        self.pool.start(work)
        if was_idle:
            self.busy_changed.emit(True)
        if channel is not None and not was_busy:
            self.channel_busy_changed.emit(channel, True)
        return task_id

    def invalidate(self, channel: str) -> None:
        """Forget whatever is running on ``channel``: its result will be dropped."""
        was_busy = self.busy(channel)
        self._latest[channel] = -1
        if was_busy:
            self.channel_busy_changed.emit(channel, False)

    def busy(self, channel: str) -> bool:
        """True while the current task of ``channel`` has not answered (and was not abandoned)."""
        return self._latest.get(channel, -1) in self._pending

    @Slot(int, object)
    def _on_progressed(self, task_id: int, payload: Any) -> None:
        pending = self._pending.get(task_id)
        if pending is None or pending.on_progress is None or self._closed:
            return
        if pending.channel is not None and self._latest.get(pending.channel) != task_id:
            return  # superseded or abandoned: its progress is as stale as its result
        pending.on_progress(payload)

    @Slot(int, bool, object)
    def _on_delivered(self, task_id: int, ok: bool, payload: Any) -> None:
        pending = self._pending.pop(task_id, None)
        if not self._pending:
            self.busy_changed.emit(False)
        if pending is None or self._closed:
            return
        channel = pending.channel
        if channel is not None:
            if self._latest.get(channel) != task_id:
                log.debug("Dropped a stale result on channel %s", channel)
                self.stale_dropped.emit(channel)
                return
            self.channel_busy_changed.emit(channel, False)
        callback = pending.on_result if ok else pending.on_error
        try:
            if callback is not None:
                callback(payload)
            elif not ok:
                log.warning("A background task failed: %s", payload.message)
        finally:
            self.done.emit(channel or "")

    def shutdown(self, timeout_ms: int = 10_000) -> bool:
        """Stop accepting work and deliver nothing more; with its own pool, drop queued tasks and wait for the
        running ones (True when all finished). A borrowed pool belongs to its owner, who waits for it."""
        self._closed = True
        if not self._owns_pool:
            return True
        self.pool.clear()
        return self.pool.waitForDone(timeout_ms)
