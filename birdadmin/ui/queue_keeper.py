"""Keeps the window's planned changes on disk (``store/change_store.py``) as they change, and brings them back.

Each connection has its own queue (by ``ConnectionSpec.names_key``: a profile's id, or "demo"). Every change to
the queue is written, and every status change while applying is written *before* the apply goes on (so a change
is marked in flight before its request leaves). Writes happen in order on one writer thread, never on the GUI
thread. On connecting, the kept queue is read on a worker and its in-flight changes are re-checked against the
server (``services/recovery.py``) before the queue is shown again; until then nothing is written for that
connection, so an empty queue never overwrites a kept one.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from PySide6.QtCore import QObject, Signal, Slot

from birdadmin import errors
from birdadmin.domain.changes import Change
from birdadmin.services.recovery import Recovered, recover
from birdadmin.store.change_store import ChangeStore
from birdadmin.ui.context import WindowContext

log = logging.getLogger(__name__)

RESTORE_CHANNEL = "queue-restore"


def queue_key(spec: Any) -> str:
    """Which kept queue belongs to a connection: the profile's (or the demo's) key, else its Base URL."""
    return spec.names_key if spec.names_key != "default" else f"url:{spec.base_url}"


class QueueKeeper(QObject):
    restored = Signal(str)  # the sentence saying what came back (empty when nothing did)

    def __init__(self, context: WindowContext, profile_record: Callable[[], dict[str, Any]],
                 parent: QObject | None = None, store: ChangeStore | None = None) -> None:
        super().__init__(parent)
        self._context = context
        self._profile_record = profile_record
        self._store = store
        self._writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="queue-writer")
        self._key: str | None = None  # the connection whose queue is kept; None while restoring or closed
        self._warned = False
        context.pending.changed.connect(self._queue_changed)

    def _store_now(self) -> ChangeStore:
        if self._store is None:
            self._store = ChangeStore()
        return self._store

    # -- writing -------------------------------------------------------------------------------------------------

    @Slot()
    def _queue_changed(self) -> None:
        key = self._key
        if key is None:
            return
        snapshot = list(self._context.pending.queue)
        self._writer.submit(self._write, lambda: self._store_now().replace_all(key, snapshot))

    def on_apply_update(self, change: Change) -> None:
        """Called on an applying thread with each status change; returns once it is on disk."""
        key = self._key
        if key is not None:
            self._writer.submit(self._write, lambda: self._store_now().update(key, change)).result()

    def _write(self, work: Callable[[], None]) -> None:
        try:
            work()
        except errors.BirdadminError as exc:
            log.warning("the planned changes could not be kept: %s", exc.message)
            if not self._warned:  # said once per run, not per keystroke
                self._warned = True
                self._context.show_message(
                    self.tr("Planned changes are not being kept on disk: {reason}").format(reason=exc.message), 0)

    # -- connecting ----------------------------------------------------------------------------------------------

    def connection_changed(self) -> None:
        """Stop keeping the previous connection's queue; bring back the new one's (checked on a worker)."""
        self._key = None
        self._context.runner.invalidate(RESTORE_CHANNEL)
        session = self._context.session
        if session is None:
            return
        key = queue_key(session.spec)
        record = self._profile_record()

        def load() -> Recovered:
            self._writer.submit(lambda: None).result()  # the previous connection's writes are on disk first
            from birdadmin.store.journal import Journal

            kept = self._store_now().load(key)
            if not any(c.status == "in-flight" for c in kept):
                return recover(session, kept)
            with Journal() as journal:
                return recover(session, kept, journal=journal, profile_record=record)

        def loaded(found: Recovered) -> None:
            if self._context.session is not session:
                return
            if found.changes:
                self._context.pending.restore(found.changes)
            self._key = key
            self._queue_changed()  # what was checked (done ones gone, statuses updated) is what is kept now
            self.restored.emit(found.summary())

        def failed(explanation: errors.Explanation) -> None:
            if self._context.session is session:  # the kept queue stays on disk, untouched, and is not overwritten
                self._context.show_error(explanation)
                self._context.show_message(self.tr(
                    "The planned changes kept from the last session could not be checked, so they were left on disk "
                    "untouched; changes planned now are not kept on disk until this organization is opened again."), 0)

        self._context.runner.submit(load, channel=RESTORE_CHANNEL, on_result=loaded, on_error=failed)

    def flush(self) -> None:
        """Return once every write asked for so far is on disk."""
        self._writer.submit(lambda: None).result()

    def close(self) -> None:
        """Finish every write (the queue as last planned is on disk), then close the store."""
        self._key = None
        self._writer.shutdown(wait=True)
        if self._store is not None:
            self._store.close()
