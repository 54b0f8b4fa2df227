"""Sizes and time from a hostile server: a whole-request deadline, a cap on the decoded answer, page plans that
never allocate from a server's number, growing and short listings that say they are incomplete.

Every server here listens on 127.0.0.1, stops on its own within seconds, and every test is bounded in requests and
time.
"""

from __future__ import annotations

import contextlib
import threading
import time
import tracemalloc
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from birdadmin import errors
from birdadmin.net.session import HttpSession, HttpSettings
from birdadmin.scim.paging import ListingIncomplete, in_server_order, iter_pages, reach_for

TRICKLE_FOR = 6.0  # the longest any trickling answer here lasts, whoever reads it


class _Hostile(BaseHTTPRequestHandler):
    """Answers by ``mode``: trickle the body, trickle the headers, or send a gzip bomb."""

    mode = "trickle-body"
    bomb = b""

    def log_message(self, *args: object) -> None:
        pass

    def _drip(self, data: bytes, every: float) -> None:
        stop = time.monotonic() + TRICKLE_FOR
        for i in range(len(data)):
            if time.monotonic() > stop:
                return
            try:
                self.wfile.write(data[i : i + 1])
                self.wfile.flush()
            except OSError:  # the client gave up: that is the point
                return
            time.sleep(every)

    def do_GET(self) -> None:
        body = b'{"totalResults": 0, "Resources": []}'
        if self.mode == "trickle-headers":
            head = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n" % len(body)
            self._drip(head + body, 0.1)
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        if self.mode == "gzip-bomb":
            self.send_header("Content-Encoding", "gzip")
            self.send_header("Content-Length", str(len(self.bomb)))
            self.end_headers()
            with contextlib.suppress(OSError):
                self.wfile.write(self.bomb)
            return
        if self.mode == "huge-length":
            self.send_header("Content-Length", str(10 * 1024**3))
            self.end_headers()
            return
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self._drip(body, 0.1)


def _gzip_zeros(size: int) -> bytes:
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    block = b"0" * (1024 * 1024)
    parts = [packer.compress(block) for _ in range(size // len(block))]
    return b"".join(parts) + packer.flush()


@pytest.fixture
def hostile() -> Iterator[Callable[..., str]]:
    servers: list[ThreadingHTTPServer] = []

    def start(mode: str, **attrs: object) -> str:
        handler = type("Hostile", (_Hostile,), {"mode": mode, **attrs})
        server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}/v2/Users"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def _session(**knobs: object) -> HttpSession:
    http = HttpSettings(**{"timeout": 1.0, "max_retries": 0, "connect_retries": 0, **knobs})  # type: ignore[arg-type]
    return HttpSession(scheme="Bearer", key="limits-test-key", service="SCIM", settings=http)


# -- the whole-request deadline ---------------------------------------------------------------------------------


@pytest.mark.parametrize("mode", ["trickle-body", "trickle-headers"])
def test_a_trickling_server_is_cut_off_at_the_timeout_not_after_the_last_byte(
    hostile: Callable[..., str], mode: str
) -> None:
    url = hostile(mode)  # a byte every 0.1 s: each read is quick, the whole answer takes seconds
    started = time.monotonic()
    with _session() as session, pytest.raises(errors.TimeoutError_, match="in full within 1 seconds"):
        session.request("GET", url)
    assert time.monotonic() - started < 1.8


def test_retries_of_a_trickling_server_stop_within_the_call_budget(hostile: Callable[..., str]) -> None:
    url = hostile("trickle-body")
    http = {"max_retries": 2, "connect_retries": 2, "backoff_base": 0.01, "retry_after_cap": 0.5}
    started = time.monotonic()
    with _session(**http) as session, pytest.raises(errors.TimeoutError_):
        session.request("GET", url)
    elapsed = time.monotonic() - started
    assert elapsed < HttpSettings(timeout=1.0, **http).call_budget + 0.5  # type: ignore[arg-type]
    assert elapsed > 2.5  # it did retry: three attempts of one second


# -- the size cap ---------------------------------------------------------------------------------------------


def test_a_gzip_bomb_stops_at_the_cap_while_it_inflates(hostile: Callable[..., str]) -> None:
    bomb = _gzip_zeros(256 * 1024 * 1024)  # 256 MB of zeros in about 250 KB
    assert len(bomb) < 400_000
    url = hostile("gzip-bomb", bomb=bomb)
    tracemalloc.start()
    try:
        with _session(timeout=10.0, max_body=8 * 1024 * 1024) as session, pytest.raises(
            errors.ProtocolError, match="answer was larger than 8 MB"
        ):
            session.request("GET", url)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 100 * 1024 * 1024  # the cap and one inflated network read, never the whole bomb


def test_an_answer_declared_larger_than_the_cap_is_refused_before_reading(hostile: Callable[..., str]) -> None:
    url = hostile("huge-length")
    with _session(timeout=5.0) as session, pytest.raises(errors.ProtocolError, match="larger than 64 MB"):
        session.request("GET", url)


def test_the_default_cap_leaves_room_for_the_largest_pages() -> None:
    assert HttpSettings().max_body == 64 * 1024 * 1024


# -- page plans and bounds ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Item:
    id: str


def _drain(pages: Iterator[object]) -> tuple[int, BaseException | None]:
    got = 0
    try:
        for page in pages:
            got += len(page.items)  # type: ignore[attr-defined]
    except ListingIncomplete as exc:
        return got, exc
    return got, None


@pytest.mark.parametrize("total", [10**8, 10**12])
def test_a_huge_reported_total_allocates_nothing_from_it(total: int) -> None:
    calls = 0

    def fetch(start: int, count: int) -> tuple[list[Item], int | None]:
        nonlocal calls
        calls += 1
        return [Item(f"u{start}")], total  # one-item pages, a total no directory has

    tracemalloc.start()
    try:
        got, stopped = _drain(iter(iter_pages(fetch, page_size=100, concurrency=8)))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert isinstance(stopped, ListingIncomplete)
    assert "more than the bound of 10000 pages allows" in str(stopped)
    assert (got, calls) == (1, 1)
    assert peak < 2 * 1024 * 1024


@pytest.mark.parametrize("concurrency", [1, 4])
def test_a_total_that_keeps_growing_is_followed_to_the_first_total_plus_a_margin(concurrency: int) -> None:
    calls = 0

    def fetch(start: int, count: int) -> tuple[list[Item], int | None]:
        nonlocal calls
        calls += 1
        size = min(count, 50)
        return [Item(f"u{i}") for i in range(start, start + size)], 1_000 + 100 * calls  # never catches up

    got, stopped = _drain(iter(iter_pages(fetch, page_size=50, concurrency=concurrency)))
    assert isinstance(stopped, ListingIncomplete)
    assert "kept growing (first 1100" in str(stopped)
    assert got == reach_for(1_100, 50) == 1_600
    assert calls == 1_600 // 50


@pytest.mark.parametrize("concurrency", [1, 4])
def test_a_total_with_no_resources_is_an_incomplete_listing(concurrency: int) -> None:
    def fetch(start: int, count: int) -> tuple[list[Item], int | None]:
        return [], 100

    got, stopped = _drain(iter(iter_pages(fetch, concurrency=concurrency)))
    assert got == 0
    assert isinstance(stopped, ListingIncomplete)
    assert (stopped.fetched, stopped.total) == (0, 100)
    assert "reported 100 resources but listed only 0" in str(stopped)


@pytest.mark.parametrize("concurrency", [1, 4])
def test_fewer_distinct_items_than_the_total_is_an_incomplete_listing(concurrency: int) -> None:
    def fetch(start: int, count: int) -> tuple[list[Item], int | None]:
        # 30 announced; indexes 26..30 repeat users already listed
        return [Item(f"u{min(i, 25)}") for i in range(start, min(start + 10, 31))], 30

    pages = in_server_order(iter_pages(fetch, page_size=10, what="users", concurrency=concurrency))
    got, stopped = _drain(pages)
    assert got == 25  # every page got is passed on before the end says it is short
    assert isinstance(stopped, ListingIncomplete)
    assert stopped.exit_code == 5
    assert "reported 30 users but listed only 25 different ones" in str(stopped)


def test_max_time_ends_a_slow_endless_listing() -> None:
    calls = 0

    def fetch(start: int, count: int) -> tuple[list[Item], int | None]:
        nonlocal calls
        calls += 1
        time.sleep(0.05)
        return [Item(f"e{start}-{i}") for i in range(count)], None  # no total, never ends

    started = time.monotonic()
    got, stopped = _drain(iter(iter_pages(fetch, page_size=10, concurrency=1, what="users", max_time=0.5)))
    assert isinstance(stopped, ListingIncomplete)
    assert f"stopped after {got}, so the listing is incomplete" in str(stopped)
    assert time.monotonic() - started < 1.5
    assert calls <= 12


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    first_total=st.one_of(st.none(), st.integers(0, 10**15)),
    step=st.integers(1, 200),
    page_size=st.integers(1, 200),
    growth=st.integers(0, 10**6),
    lie=st.sampled_from(["none", "short", "repeat", "endless"]),
    concurrency=st.integers(1, 6),
    max_pages=st.integers(1, 300),
)
def test_the_page_planner_is_bounded_by_what_was_seen(
    first_total: int | None, step: int, page_size: int, growth: int, lie: str, concurrency: int, max_pages: int
) -> None:
    """Whatever the server reports, the scan ends within its bound, asks for no more than that many pages, and
    allocates nothing in proportion to a reported number."""
    calls = 0
    lock = threading.Lock()
    real = 0 if first_total is None else min(first_total, 2_000)  # what the server really has

    def fetch(start: int, count: int) -> tuple[list[Item], int | None]:
        nonlocal calls
        with lock:
            calls += 1
            n = calls
        size = min(count, step)
        if lie == "endless":
            items = [Item(f"e{start}-{i}") for i in range(size)]
        elif lie == "repeat":
            items = [Item(f"r{i}") for i in range(min(size, real))]
        else:
            last = real if lie == "none" else real // 2
            items = [Item(f"u{i}") for i in range(start, min(start + size, last + 1))]
        total = None if first_total is None else first_total + growth * (n - 1)
        return items, total

    tracemalloc.start()
    started = time.monotonic()
    try:
        got, stopped = _drain(
            iter(iter_pages(fetch, page_size=page_size, concurrency=concurrency, max_pages=max_pages))
        )
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert time.monotonic() - started < 20
    assert calls <= max_pages + 2 * concurrency  # the window in flight, at most
    if first_total is not None and first_total > 0:
        first_step = min(page_size, step)
        assert calls <= -(-reach_for(first_total, first_step) // first_step) + 2 * concurrency
    assert peak < 8 * 1024 * 1024
    if stopped is None and first_total is not None:
        assert got >= first_total  # an ending without a complaint is a complete listing
