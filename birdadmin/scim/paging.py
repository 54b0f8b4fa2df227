"""Index-based SCIM paging that trusts what the server reports, not what was asked for.

The first page tells the server's real page size (servers cap ``count`` silently) and the total; the remaining
pages are then fetched concurrently. A tail scan continues from the highest index seen while the latest
``totalResults`` says there is more, so a total that grows during the scan is followed. Items are de-duplicated
by ``id`` (offset paging shifts when others write meanwhile), and a page backstop bounds every scan.
"""

from __future__ import annotations

import heapq
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from typing import Generic, Protocol, TypeVar

from birdadmin import errors


class HasId(Protocol):
    @property
    def id(self) -> str: ...


T = TypeVar("T", bound=HasId)

# fetch(start_index, count) -> (items parsed from Resources, totalResults or None)
Fetch = Callable[[int, int], tuple[list[T], int | None]]


class Cancelled(errors.BirdadminError):
    title = "Cancelled"


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    start: int  # startIndex of this page, so consumers can restore server order
    items: list[T]  # only items not seen on an earlier page
    fetched: int  # distinct items so far
    total: int | None  # the server's latest totalResults


@dataclass(slots=True)
class _Scan(Generic[T]):
    """The running state of one listing: what was seen, how far it reaches, and the rules every page must pass."""

    max_pages: int
    cancel: threading.Event | None
    what: str
    seen: set[str] = field(default_factory=set)
    pages: int = 0
    fresh_pages: int = 0  # pages that brought at least one new item
    total: int | None = None  # the server's latest totalResults
    step: int = 0  # the server's real page size (the length of the first page)
    end: int = 0  # highest index covered so far

    def check_cancel(self) -> None:
        if self.cancel is not None and self.cancel.is_set():
            raise Cancelled("Loading was cancelled; what was loaded so far is kept.")

    def take(self, start: int, items: list[T], total: int | None) -> Page[T]:
        """Count the page against the backstop, note a newer total, and keep only the items not seen before."""
        if total is not None:
            self.total = total
        self.pages += 1
        if self.pages > self.max_pages:
            raise errors.ProtocolError(
                f"The server kept returning pages of {self.what} past the backstop of {self.max_pages} pages; "
                "the listing was stopped.",
            )
        fresh = [item for item in items if item.id not in self.seen]
        self.seen.update(item.id for item in fresh)
        if fresh:
            self.fresh_pages += 1
        return Page(start, fresh, len(self.seen), self.total)

    def check_complete(self) -> None:
        """A server that ignores startIndex repeats its first page; with a total, that is an incomplete list."""
        total = self.total
        if self.pages > 1 and self.fresh_pages == 1 and total is not None and len(self.seen) < total:
            raise errors.ProtocolError(
                f"The server answered the same {self.what} again instead of the next page (it seems to ignore "
                f"startIndex), so only {len(self.seen)} of {total} could be listed.",
            )


def iter_pages(
    fetch: Fetch[T],
    *,
    page_size: int = 100,
    concurrency: int = 4,
    max_pages: int = 10_000,
    cancel: threading.Event | None = None,
    what: str = "resources",
) -> Iterator[Page[T]]:
    """Yield pages of new items as they arrive (completion order); see the module docstring for the rules."""
    scan: _Scan[T] = _Scan(max_pages=max_pages, cancel=cancel, what=what)
    scan.check_cancel()
    items, total = fetch(1, page_size)
    yield scan.take(1, items, total)
    if not items:
        return
    scan.step = scan.end = len(items)
    if scan.total is not None and scan.total > scan.end and concurrency > 1:
        yield from _fetch_known_pages(scan, fetch, concurrency, scan.total)
    yield from _follow_tail(scan, fetch)


def _fetch_known_pages(scan: _Scan[T], fetch: Fetch[T], concurrency: int, total: int) -> Iterator[Page[T]]:
    """Fetch the pages the first page's ``total`` announces, concurrently, yielding each as it completes.

    Only a bounded window of requests is in flight, so a cancel takes effect quickly.
    """
    starts = list(range(scan.end + 1, total + 1, scan.step))
    if len(starts) + scan.pages > scan.max_pages:
        raise errors.ProtocolError(
            f"The server reports {total} {scan.what}, more than the backstop of {scan.max_pages} pages allows.",
        )
    pool = ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="scim-page")
    pending: dict[Future[tuple[list[T], int | None]], int] = {}
    try:
        queue = iter(starts)
        for start in queue:
            pending[pool.submit(fetch, start, scan.step)] = start
            if len(pending) >= concurrency * 2:
                break
        while pending:
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                start = pending.pop(future)
                page_items, page_total = future.result()
                scan.end = max(scan.end, start + len(page_items) - 1)
                scan.check_cancel()
                yield scan.take(start, page_items, page_total)
                next_start = next(queue, None)
                if next_start is not None:
                    pending[pool.submit(fetch, next_start, scan.step)] = next_start
    finally:
        pool.shutdown(wait=False, cancel_futures=True)


def _follow_tail(scan: _Scan[T], fetch: Fetch[T]) -> Iterator[Page[T]]:
    """Page on from the highest index seen: follows a total that grew, or a server that reports no total at all."""
    while scan.total is None or scan.end < scan.total:
        scan.check_cancel()
        items, page_total = fetch(scan.end + 1, scan.step)
        page = scan.take(scan.end + 1, items, page_total)
        yield page
        if not items or (scan.total is None and not page.items):
            scan.check_complete()
            return  # the end, or (with no total to go by) a server that ignores startIndex
        scan.end += len(items)
        if scan.total is None and len(items) < scan.step:
            return
    scan.check_complete()


def in_server_order(pages: Iterator[Page[T]]) -> Iterator[Page[T]]:
    """The pages of :func:`iter_pages` in server order (by ``start``), each passed on as soon as every page before
    it has arrived, so a consumer can write a listing out while the rest is still being fetched.

    Pages fetched concurrently start one first-page length apart; a page is held back only while one before it is
    still in flight. Whatever cannot be placed that way (a server whose pages change length) is passed on in order
    once the listing ends, so the order is right in every case and only the streaming degrades.
    """
    held: list[tuple[int, int, Page[T]]] = []  # heap of (start, arrival, page)
    step = 0
    expected = 1
    for arrival, page in enumerate(pages):
        if page.start == 1 and step == 0:
            step = max(1, len(page.items))
        heapq.heappush(held, (page.start, arrival, page))
        while held and held[0][0] <= expected:
            start, _, ready = heapq.heappop(held)
            expected = max(expected, start + step)
            yield ready
    while held:
        yield heapq.heappop(held)[2]
