"""The directory loader on the task runner's rule: a cancelled or superseded listing's late batches and outcome are
dropped, and a listing's batches all arrive before its outcome."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtCore import QThreadPool

from birdadmin.scim.paging import Page
from birdadmin.services.loader import DirectoryLoader
from tests.gui.conftest import spin

pytestmark = pytest.mark.usefixtures("no_qt_warnings")


def _source(gate: threading.Event, name: str) -> Any:
    """A listing of two pages with a pause between them (until ``gate`` is set)."""

    def pages(cancel: threading.Event) -> Iterator[Page[str]]:
        yield Page(1, [f"{name}-1"], 1, 2)
        gate.wait(10)
        yield Page(2, [f"{name}-2"], 2, 2)

    return pages


def _record(loader: DirectoryLoader) -> list[tuple[str, Any]]:
    seen: list[tuple[str, Any]] = []
    loader.page_loaded.connect(lambda items: seen.append(("page", list(items))))
    loader.finished.connect(lambda count: seen.append(("finished", count)))
    loader.cancelled.connect(lambda count: seen.append(("cancelled", count)))
    return seen


def test_a_cancelled_listings_late_pages_and_outcome_are_dropped(qtbot: Any) -> None:
    pool = QThreadPool()
    loader = DirectoryLoader(pool, batch_ms=0)
    seen, gate = _record(loader), threading.Event()
    loader.start(_source(gate, "old"))
    qtbot.waitUntil(lambda: ("page", ["old-1"]) in seen, timeout=10_000)
    loader.cancel()
    gate.set()
    assert pool.waitForDone(10_000)
    spin(qtbot, 200)
    assert seen == [("page", ["old-1"]), ("cancelled", 1)] and not loader.running


def test_a_new_listing_drops_the_old_ones_pages(qtbot: Any) -> None:
    pool = QThreadPool()
    loader = DirectoryLoader(pool, batch_ms=0)
    seen, old_gate, new_gate = _record(loader), threading.Event(), threading.Event()
    loader.start(_source(old_gate, "old"))
    qtbot.waitUntil(lambda: ("page", ["old-1"]) in seen, timeout=10_000)
    new_gate.set()
    with qtbot.waitSignal(loader.finished, timeout=10_000):
        loader.start(_source(new_gate, "new"))
    old_gate.set()
    assert pool.waitForDone(10_000)
    spin(qtbot, 200)
    assert seen == [("page", ["old-1"]), ("page", ["new-1"]), ("page", ["new-2"]), ("finished", 2)]
