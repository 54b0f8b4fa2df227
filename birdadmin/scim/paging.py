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
from dataclasses import dataclass
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
    seen: set[str] = set()
    pages = 0
    fresh_pages = 0  # pages that brought at least one new item

    def check_cancel() -> None:
        if cancel is not None and cancel.is_set():
            raise Cancelled("Loading was cancelled; what was loaded so far is kept.")

    def take(start: int, items: list[T], total: int | None) -> Page[T]:
        nonlocal pages, fresh_pages
        pages += 1
        if pages > max_pages:
            raise errors.ProtocolError(
                f"The server kept returning pages of {what} past the backstop of {max_pages} pages; "
                "the listing was stopped.",
            )
        fresh = [item for item in items if item.id not in seen]
        seen.update(item.id for item in fresh)
        if fresh:
            fresh_pages += 1
        return Page(start, fresh, len(seen), total)

    def check_complete() -> None:
        """A server that ignores startIndex repeats its first page; with a total, that is an incomplete list."""
        if pages > 1 and fresh_pages == 1 and total is not None and len(seen) < total:
            raise errors.ProtocolError(
                f"The server answered the same {what} again instead of the next page (it seems to ignore "
                f"startIndex), so only {len(seen)} of {total} could be listed.",
            )

    check_cancel()
    items, total = fetch(1, page_size)
    yield take(1, items, total)
    if not items:
        return
    step = len(items)  # the server's real page size
    end = len(items)  # highest index covered so far

    if total is not None and total > end and concurrency > 1:
        starts = list(range(end + 1, total + 1, step))
        if len(starts) + pages > max_pages:
            raise errors.ProtocolError(
                f"The server reports {total} {what}, more than the backstop of {max_pages} pages allows.",
            )
        pool = ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="scim-page")
        pending: dict[Future[tuple[list[T], int | None]], int] = {}
        try:
            queue = iter(starts)
            for start in queue:  # keep a bounded window in flight so cancel takes effect quickly
                pending[pool.submit(fetch, start, step)] = start
                if len(pending) >= concurrency * 2:
                    break
            while pending:
                done, _ = wait(pending, return_when=FIRST_COMPLETED)
                for future in done:
                    start = pending.pop(future)
                    page_items, page_total = future.result()
                    if page_total is not None:
                        total = page_total
                    end = max(end, start + len(page_items) - 1)
                    check_cancel()
                    yield take(start, page_items, total)
                    next_start = next(queue, None)
                    if next_start is not None:
                        pending[pool.submit(fetch, next_start, step)] = next_start
        finally:
            pool.shutdown(wait=False, cancel_futures=True)

    # Tail: follow a total that grew, or a server that reports no total at all.
    while total is None or end < total:
        check_cancel()
        items, page_total = fetch(end + 1, step)
        if page_total is not None:
            total = page_total
        page = take(end + 1, items, total)
        yield page
        if not items or (total is None and not page.items):
            check_complete()
            return  # the end, or (with no total to go by) a server that ignores startIndex
        end += len(items)
        if total is None and len(items) < step:
            return
    check_complete()


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
