"""The paging engine against scripted servers: caps, growing totals, duplicates, backstops, cancellation."""

from __future__ import annotations

import threading
from dataclasses import dataclass

import pytest

from birdadmin import errors
from birdadmin.scim.paging import Cancelled, ListingIncomplete, iter_pages


@dataclass(frozen=True)
class Item:
    id: str


class Directory:
    """A list-backed 'server' with a silent page cap, optionally growing while it is scanned."""

    def __init__(self, n: int, cap: int, *, report_total: bool = True, grow_by: int = 0) -> None:
        self.items = [Item(f"u{i}") for i in range(n)]
        self.cap = cap
        self.report_total = report_total
        self.grow_by = grow_by
        self.calls: list[tuple[int, int]] = []
        self.lock = threading.Lock()

    def fetch(self, start: int, count: int) -> tuple[list[Item], int | None]:
        with self.lock:
            self.calls.append((start, count))
            if self.grow_by and len(self.calls) == 2:  # someone adds users during the scan
                base = len(self.items)
                self.items += [Item(f"u{base + i}") for i in range(self.grow_by)]
            page = self.items[start - 1 : start - 1 + min(count, self.cap)]
            return list(page), (len(self.items) if self.report_total else None)


def collect(directory: Directory, **kwargs: object) -> list[str]:
    pages = list(iter_pages(directory.fetch, **kwargs))  # type: ignore[arg-type]
    pages.sort(key=lambda p: p.start)
    return [item.id for page in pages for item in page.items]


@pytest.mark.parametrize("concurrency", [1, 4])
def test_silent_cap_is_followed_and_every_item_arrives_once(concurrency: int) -> None:
    directory = Directory(1_500, cap=200)
    ids = collect(directory, page_size=500, concurrency=concurrency)
    assert ids == [f"u{i}" for i in range(1_500)]
    assert len(directory.calls) == 8  # 1,500 / 200, no extra confirmation request
    assert all(count <= 500 for _, count in directory.calls)


def test_remaining_pages_use_the_server_page_size() -> None:
    directory = Directory(450, cap=100)
    collect(directory, page_size=500, concurrency=4)
    assert sorted(directory.calls)[1:] == [(101, 100), (201, 100), (301, 100), (401, 100)]


def test_a_total_that_grows_during_the_scan_is_followed() -> None:
    directory = Directory(300, cap=100, grow_by=150)
    ids = collect(directory, page_size=100, concurrency=4)
    assert sorted(ids, key=lambda s: int(s[1:])) == [f"u{i}" for i in range(450)]


def test_no_total_reported_stops_on_a_short_page() -> None:
    directory = Directory(250, cap=100, report_total=False)
    assert len(collect(directory, page_size=100)) == 250
    assert len(directory.calls) == 3


def test_duplicates_across_pages_are_dropped() -> None:
    def fetch(start: int, count: int) -> tuple[list[Item], int | None]:
        # an overlapping window: every page repeats the last item of the previous one
        return [Item(f"u{i}") for i in range(max(0, start - 2), min(start - 1 + count, 30))], 30

    pages = list(iter_pages(fetch, page_size=10, concurrency=1))
    ids = [item.id for page in pages for item in page.items]
    assert len(ids) == len(set(ids)) == 30


def test_a_server_that_ignores_start_index_ends_instead_of_looping() -> None:
    def fetch(start: int, count: int) -> tuple[list[Item], int | None]:
        return [Item(f"u{i}") for i in range(10)], None

    pages = list(iter_pages(fetch, page_size=10, concurrency=1))
    assert sum(len(p.items) for p in pages) == 10
    assert len(pages) == 2


def test_backstop_bounds_a_runaway_server() -> None:
    def fetch(start: int, count: int) -> tuple[list[Item], int | None]:
        return [Item(f"s{start}-{i}") for i in range(count)], None  # never ends, always new ids

    with pytest.raises(ListingIncomplete, match="bound of 20 pages"):
        list(iter_pages(fetch, page_size=5, concurrency=1, max_pages=20))


def test_cancel_stops_between_pages() -> None:
    directory = Directory(1_000, cap=100)
    cancel = threading.Event()
    seen = 0
    pages = iter_pages(directory.fetch, page_size=100, concurrency=2, cancel=cancel)
    with pytest.raises(Cancelled):  # noqa: PT012 - the loop is the thing that gets cancelled
        for page in pages:
            seen += len(page.items)
            cancel.set()
    assert seen == 100
    assert len(directory.calls) < 10


@pytest.mark.parametrize("concurrency", [1, 4])
def test_a_server_that_ignores_start_index_but_reports_a_total_is_an_error_not_a_short_list(concurrency: int) -> None:
    def fetch(start: int, count: int) -> tuple[list[Item], int | None]:
        return [Item(f"u{i}") for i in range(10)], 35  # always the first page

    with pytest.raises(errors.ProtocolError, match="only 10 of 35"):
        list(iter_pages(fetch, page_size=10, concurrency=concurrency))


def test_a_page_repeated_by_users_added_during_the_scan_does_not_end_it() -> None:
    items = [Item(f"u{i}") for i in range(30)]
    calls = 0

    def fetch(start: int, count: int) -> tuple[list[Item], int | None]:
        nonlocal calls
        calls += 1
        if calls == 2:  # ten users inserted at the front: the next page repeats the first one entirely
            items[:0] = [Item(f"n{i}") for i in range(10)]
        return items[start - 1 : start - 1 + count], len(items)

    ids: set[str] = set()
    # the scan goes on past the repeated page to the new total; the ten users inserted before where it had got
    # to were never listed, and the end says so rather than passing 30 of 40 off as the whole directory
    with pytest.raises(ListingIncomplete, match="reported 40 resources but listed only 30"):  # noqa: PT012
        for page in iter_pages(fetch, page_size=10, concurrency=1):
            ids.update(item.id for item in page.items)
    assert ids >= {f"u{i}" for i in range(30)}
