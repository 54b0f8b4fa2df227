"""Index-based SCIM paging that trusts what the server reports, not what was asked for.

The first page tells the server's real page size (servers cap ``count`` silently) and the total; the remaining
pages are then fetched concurrently. A tail scan continues from the highest index seen while the latest
``totalResults`` says there is more, so a total that grows during the scan is followed. Items are de-duplicated
by ``id`` (offset paging shifts when others write meanwhile).

Nothing is sized by a number the server sends: pages are planned one start index at a time, and every scan is
bounded by what was seen. With a total, the scan reaches no further than the first reported total plus a margin
(a tenth of it, and at least ten pages), so a total that keeps growing is followed that far and no further; with or
without one, a hard page bound (``max_pages``) ends it, and, when asked, a time limit (``max_time``). A listing
that ends with fewer distinct items than the server's latest total, or that such a bound stops, raises
:class:`ListingIncomplete` once every page it got has been yielded, so no caller mistakes it for the whole
directory.
"""

from __future__ import annotations

import heapq
import threading
import time
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


class ListingIncomplete(errors.ProtocolError):
    """The server's listing ended short of its own total, or a bound stopped it: what was listed is not everything.

    Raised after the last page was yielded; ``fetched`` distinct items were listed, the server reported ``total``.
    """

    exit_code = 5
    title = "Incomplete listing"

    def __init__(self, message: str, *, fetched: int, total: int | None) -> None:
        super().__init__(message)
        self.fetched = fetched
        self.total = total


def reach_for(first_total: int, step: int) -> int:
    """The highest index a scan follows, from the first total the server reported and its page size."""
    return first_total + max(first_total // 10, 10 * step)


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
    repeat_pages: int = 0  # pages with items, none of them new
    total: int | None = None  # the server's latest totalResults
    step: int = 0  # the server's real page size (the length of the first page)
    end: int = 0  # highest index covered so far
    first_total: int | None = None  # the total the first page reported
    reach: int | None = None  # the highest index the scan follows (see reach_for)
    max_time: float | None = None  # seconds the whole listing may take
    deadline: float | None = None  # time.monotonic() when it must stop asking for pages

    def check_cancel(self) -> None:
        if self.cancel is not None and self.cancel.is_set():
            raise Cancelled("Loading was cancelled; what was loaded so far is kept.")

    def check_time(self) -> None:
        if self.deadline is not None and time.monotonic() > self.deadline:
            of = f" of {self.total}" if self.total is not None else ""
            raise self.incomplete(
                f"Listing the {self.what} took longer than the {self.max_time:g} seconds allowed; it was stopped "
                f"after {len(self.seen)}{of}, so the listing is incomplete.",
            )

    def take(self, start: int, items: list[T], total: int | None) -> Page[T]:
        """Count the page against the backstop, note a newer total, and keep only the items not seen before."""
        if total is not None:
            self.total = total
        self.pages += 1
        fresh = []
        for item in items:  # also an id repeated within the page
            if item.id not in self.seen:
                self.seen.add(item.id)
                fresh.append(item)
        if fresh:
            self.fresh_pages += 1
        elif items:
            self.repeat_pages += 1
        return Page(start, fresh, len(self.seen), self.total)

    def incomplete(self, sentence: str) -> ListingIncomplete:
        return ListingIncomplete(sentence, fetched=len(self.seen), total=self.total)

    def may_fetch(self) -> bool:
        """Whether another page may be asked for; raises when a bound says the listing must stop."""
        self.check_time()
        if self.pages >= self.max_pages:
            raise self.incomplete(
                f"The server kept returning pages of {self.what} up to the bound of {self.max_pages} pages; the "
                f"listing was stopped there, so the {len(self.seen)} listed are not necessarily all of them.",
            )
        if self.reach is not None and self.end >= self.reach:
            raise self.incomplete(
                f"The server's count of {self.what} kept growing (first {self.first_total}, now {self.total}); "
                f"the listing was stopped at {self.end}, the first count plus a margin, so the {len(self.seen)} "
                "listed are not all of them.",
            )
        return True

    def check_complete(self) -> None:
        """The listing ended: fewer distinct items than the server's latest total means it is incomplete."""
        total = self.total
        if total is None or len(self.seen) >= total:
            return
        if self.fresh_pages == 1 and self.repeat_pages > 0:
            raise self.incomplete(
                f"The server answered the same {self.what} again instead of the next page (it seems to ignore "
                f"startIndex), so only {len(self.seen)} of {total} could be listed.",
            )
        raise self.incomplete(
            f"The server reported {total} {self.what} but listed only {len(self.seen)} different ones; "
            "the listing is incomplete.",
        )


def iter_pages(
    fetch: Fetch[T],
    *,
    page_size: int = 100,
    concurrency: int = 4,
    max_pages: int = 10_000,
    cancel: threading.Event | None = None,
    what: str = "resources",
    max_time: float | None = None,
) -> Iterator[Page[T]]:
    """Yield pages of new items as they arrive (completion order); see the module docstring for the rules.

    ``max_time`` (seconds) bounds the whole listing: no page is asked for after it, and the listing ends as
    :class:`ListingIncomplete` (a page already on the wire may still take up to its own request timeout).
    """
    scan: _Scan[T] = _Scan(max_pages=max_pages, cancel=cancel, what=what, max_time=max_time)
    if max_time is not None:
        scan.deadline = time.monotonic() + max_time
    scan.check_cancel()
    items, total = fetch(1, page_size)
    yield scan.take(1, items, total)
    if items:
        scan.step = scan.end = len(items)
        if scan.total is not None:
            scan.first_total = scan.total
            scan.reach = reach_for(scan.total, scan.step)
            pages_needed = -(-(scan.total - scan.end) // scan.step)  # arithmetic, never a list of pages
            if scan.pages + pages_needed > scan.max_pages:
                raise scan.incomplete(
                    f"The server reports {scan.total} {scan.what} in pages of {scan.step}, more than the bound of "
                    f"{scan.max_pages} pages allows; only the first page was listed.",
                )
        if scan.total is not None and scan.total > scan.end and concurrency > 1:
            yield from _fetch_known_pages(scan, fetch, concurrency, scan.total)
        yield from _follow_tail(scan, fetch)
    scan.check_complete()


def _fetch_known_pages(scan: _Scan[T], fetch: Fetch[T], concurrency: int, total: int) -> Iterator[Page[T]]:
    """Fetch the pages the first page's ``total`` announces, concurrently, yielding each as it completes.

    Start indexes are produced one at a time (a ``range`` is never materialised), and only a bounded window of
    requests is in flight, so a cancel takes effect quickly.
    """
    starts = range(scan.end + 1, total + 1, scan.step)
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
                scan.check_time()
                next_start = next(queue, None)
                if next_start is not None:
                    pending[pool.submit(fetch, next_start, scan.step)] = next_start
    finally:
        pool.shutdown(wait=False, cancel_futures=True)


def _follow_tail(scan: _Scan[T], fetch: Fetch[T]) -> Iterator[Page[T]]:
    """Page on from the highest index seen: follows a total that grew, or a server that reports no total at all."""
    while (scan.total is None or scan.end < scan.total) and scan.may_fetch():
        scan.check_cancel()
        items, page_total = fetch(scan.end + 1, scan.step)
        page = scan.take(scan.end + 1, items, page_total)
        yield page
        if not items or (scan.total is None and not page.items):
            return  # the end, or (with no total to go by) a server that ignores startIndex
        scan.end += len(items)
        if scan.total is None and len(items) < scan.step:
            return


def in_server_order(pages: Iterator[Page[T]]) -> Iterator[Page[T]]:
    """The pages of :func:`iter_pages` in server order (by ``start``), each passed on as soon as every page before
    it has arrived, so a consumer can write a listing out while the rest is still being fetched.

    Pages fetched concurrently start one first-page length apart; a page is held back only while one before it is
    still in flight. Whatever cannot be placed that way (a server whose pages change length) is passed on in order
    once the listing ends, so the order is right in every case and only the streaming degrades. A listing found
    incomplete at its end passes on every page it got before the :class:`ListingIncomplete` that says so.
    """
    held: list[tuple[int, int, Page[T]]] = []  # heap of (start, arrival, page)
    step = 0
    expected = 1
    try:
        for arrival, page in enumerate(pages):
            if page.start == 1 and step == 0:
                step = max(1, len(page.items))
            heapq.heappush(held, (page.start, arrival, page))
            while held and held[0][0] <= expected:
                start, _, ready = heapq.heappop(held)
                expected = max(expected, start + step)
                yield ready
    except ListingIncomplete:
        while held:
            yield heapq.heappop(held)[2]
        raise
    while held:
        yield heapq.heappop(held)[2]
