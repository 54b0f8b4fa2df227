"""Listings are written as their pages arrive (JSON), in server order, and one that fails part-way says so:
a non-zero exit, a sentence on stderr, and a JSON array that is left open so no parser takes it as complete."""

from __future__ import annotations

import io
import json
import random
import threading
from collections.abc import Iterator
from http.server import ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

import pytest

from birdadmin.cli import main
from birdadmin.cli.output import IncompleteListing, Output
from birdadmin.errors import ServerError
from birdadmin.scim.paging import Page, in_server_order
from tests.hostile import JsonHandler

KEY = "stream-test-key-0123"
TOTAL = 250
PAGE = 50


class _Directory(JsonHandler):
    """A SCIM server of 250 users, 50 a page, whose key stops working after ``fail_after`` pages (0 = never)."""

    fail_after = 0
    served = 0
    lock = threading.Lock()

    def do_GET(self) -> None:
        url = urlparse(self.path)
        if not url.path.endswith("/Users"):
            self._send(404, {"detail": "not here"})
            return
        query = parse_qs(url.query)
        start, count = int(query.get("startIndex", ["1"])[0]), min(int(query.get("count", ["100"])[0]), PAGE)
        with self.lock:
            type(self).served += 1
            failing = self.fail_after and type(self).served > self.fail_after
        if failing:
            self._send(403, {"status": "403", "detail": "key revoked"})
            return
        users = [{"id": f"u{i:04d}", "userName": f"user{i:04d}@example.com", "roles": []}
                 for i in range(start, min(start + count, TOTAL + 1))]
        self._send(200, {"totalResults": TOTAL, "startIndex": start, "itemsPerPage": len(users), "Resources": users})


@pytest.fixture
def directory() -> Iterator[tuple[str, type[_Directory]]]:
    handler = type("Directory", (_Directory,), {"fail_after": 0, "served": 0})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/v2", handler
    finally:
        server.shutdown()
        server.server_close()


def run(url: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, *argv: str):
    monkeypatch.setenv("BIRDADMIN_ACCESS_KEY", KEY)
    code = main(["--base-url", url, "--format", "json", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_a_complete_listing_is_one_json_array_in_server_order(directory, capsys, monkeypatch) -> None:
    url, _ = directory
    code, out, err = run(url, capsys, monkeypatch, "users", "list", "--concurrency", "4")
    assert code == 0, err
    assert [u["id"] for u in json.loads(out)] == [f"u{i:04d}" for i in range(1, TOTAL + 1)]
    assert out.count("\n") == TOTAL + 2  # "[", one line per record, "]"


def test_a_listing_that_fails_part_way_exits_non_zero_and_is_not_valid_json(directory, capsys, monkeypatch) -> None:
    url, handler = directory
    handler.fail_after = 3
    code, out, err = run(url, capsys, monkeypatch, "users", "list", "--concurrency", "1")
    assert code == 3
    assert out.startswith("[\n") and '"u0001"' in out
    with pytest.raises(json.JSONDecodeError):
        json.loads(out)
    lines = err.splitlines()
    assert "403" in lines[0] and "incomplete" in lines[1] and "unterminated" in lines[1] and len(lines) == 2
    assert "Traceback" not in err and KEY not in out + err


def test_a_listing_refused_at_once_writes_nothing(directory, capsys, monkeypatch) -> None:
    url, handler = directory
    handler.fail_after = -1  # every page refused
    handler.served = 10
    code, out, err = run(url, capsys, monkeypatch, "users", "list")
    assert (code, out) == (3, "") and "incomplete" not in err


def _pages(starts_sizes: list[tuple[int, int]]) -> list[Page]:
    class Item:
        def __init__(self, i: int) -> None:
            self.id = str(i)

    return [Page(s, [Item(i) for i in range(s, s + n)], 0, None) for s, n in starts_sizes]


@pytest.mark.parametrize("seed", range(20))
def test_pages_come_out_in_server_order_whatever_order_they_arrive_in(seed: int) -> None:
    rng = random.Random(seed)
    first, rest = _pages([(1, 10)]), _pages([(s, 10) for s in range(11, 201, 10)] + [(201, 3)])
    rng.shuffle(rest)
    out = list(in_server_order(iter(first + rest)))
    assert [p.start for p in out] == sorted(p.start for p in first + rest)


def test_a_page_is_passed_on_as_soon_as_the_ones_before_it_arrived() -> None:
    arrived = _pages([(1, 10), (21, 10), (11, 10), (31, 5)])
    ordered = in_server_order(iter(arrived))
    assert next(ordered).start == 1
    assert [next(ordered).start, next(ordered).start] == [11, 21]  # 21 waited only for 11
    assert next(ordered).start == 31


def test_pages_of_changing_length_still_come_out_in_order() -> None:
    arrived = _pages([(1, 10), (30, 10), (12, 3), (40, 1)])
    assert [p.start for p in in_server_order(iter(arrived))] == [1, 12, 30, 40]


def test_emit_pages_streams_json_and_leaves_a_failed_array_open() -> None:
    out = io.StringIO()

    def pages() -> Iterator[list[dict]]:
        yield [{"id": "a"}, {"id": "b"}]
        yield [{"id": "c"}]
        raise ServerError("The server failed.")

    with pytest.raises(IncompleteListing) as stopped:
        Output("json", stdout=out).emit_pages(pages(), ["id"], lambda r: r)
    assert stopped.value.written == 3 and isinstance(stopped.value.cause, ServerError)
    assert out.getvalue() == '[\n{"id":"a"},\n{"id":"b"},\n{"id":"c"}\n'


@pytest.mark.parametrize("fmt", ["table", "csv"])
def test_tables_and_csv_show_nothing_of_a_listing_that_failed(fmt: str) -> None:
    out = io.StringIO()

    def pages() -> Iterator[list[dict]]:
        yield [{"id": "a"}]
        raise ServerError("The server failed.")

    with pytest.raises(ServerError):
        Output(fmt, stdout=out).emit_pages(pages(), ["id"], lambda r: r)
    assert out.getvalue() == ""


def test_an_empty_listing_is_an_empty_array() -> None:
    out = io.StringIO()
    assert Output("json", stdout=out).emit_pages(iter([[]]), ["id"], lambda r: r) == 0
    assert json.loads(out.getvalue()) == []
