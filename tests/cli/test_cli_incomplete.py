"""A listing short of the server's own total is not passed off as complete: exit code 5, a sentence on stderr, and in
JSON an array left unterminated; and ``--timeout`` bounds a whole request against a server that trickles.

The servers listen on 127.0.0.1 and answer at most a few pages; the trickling one stops on its own within seconds.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from http.server import ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

import pytest

from birdadmin.cli import main
from tests.hostile import JsonHandler

KEY = "incomplete-test-key-0123"
EXIT_INCOMPLETE = 5


class _Liar(JsonHandler):
    """``empty``: a total of 100 and no Resources; ``short``: 30 announced, 25 different ones listed (the last page
    repeats one); ``growing``: a total that grows by 100 with every page (``slow``: and each page takes 0.3 s);
    ``trickle``: /Users a byte every 0.2 s."""

    mode = "empty"
    served = 0
    lock = threading.Lock()

    def do_GET(self) -> None:
        url = urlparse(self.path)
        kind = url.path.rsplit("/", 1)[-1]
        if kind not in ("Users", "Groups"):
            self._send(404, {"detail": "not here"})
            return
        with self.lock:
            type(self).served += 1
            served = type(self).served
        query = parse_qs(url.query)
        start, count = int(query.get("startIndex", ["1"])[0]), min(int(query.get("count", ["100"])[0]), 10)
        if self.mode == "trickle":
            self._trickle()
            return
        if self.mode == "empty":
            total, ids = 100, []
        elif self.mode == "short":
            total, ids = 30, [min(i, 25) for i in range(start, min(start + count, 31))]
        else:
            if self.mode == "slow":
                time.sleep(0.3)
            total, ids = 40 + 100 * served, list(range(start, start + count))
        if kind == "Users":
            resources = [{"id": f"u{i:03d}", "userName": f"user{i:03d}@example.com", "roles": []} for i in ids]
        else:
            resources = [{"id": f"g{i:03d}", "displayName": f"Group {i}"} for i in ids]
        self._send(200, {"totalResults": total, "startIndex": start, "itemsPerPage": len(ids), "Resources": resources})

    def _trickle(self) -> None:
        body = b'{"totalResults": 0, "Resources": []}'
        self.send_response(200)
        self.send_header("Content-Type", "application/scim+json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        for i in range(len(body)):  # about 7 s in all, if nobody hangs up first
            try:
                self.wfile.write(body[i : i + 1])
                self.wfile.flush()
            except OSError:
                return
            time.sleep(0.2)


@pytest.fixture
def liar() -> Iterator[Callable[[str], tuple[str, type[_Liar]]]]:
    servers: list[ThreadingHTTPServer] = []

    def start(mode: str) -> tuple[str, type[_Liar]]:
        handler = type("Liar", (_Liar,), {"mode": mode, "served": 0, "lock": threading.Lock()})
        server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}/v2", handler

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def run(url: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, *argv: str):
    monkeypatch.setenv("BIRDADMIN_ACCESS_KEY", KEY)
    code = main(["--base-url", url, *argv])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("fmt", ["table", "csv", "json"])
def test_a_total_with_no_resources_is_not_zero_users(liar, capsys, monkeypatch, fmt: str) -> None:
    url, _ = liar("empty")
    code, out, err = run(url, capsys, monkeypatch, "--format", fmt, "users", "list")
    assert code == EXIT_INCOMPLETE
    assert "0 users" not in out
    assert out == ""  # nothing to parse as a (complete) listing, in any format
    assert "reported 100 users but listed only 0" in err


@pytest.mark.parametrize("fmt", ["table", "csv"])
def test_twenty_five_of_thirty_is_not_twenty_five_users(liar, capsys, monkeypatch, fmt: str) -> None:
    url, _ = liar("short")
    code, out, err = run(url, capsys, monkeypatch, "--format", fmt, "users", "list")
    assert code == EXIT_INCOMPLETE
    assert out == ""  # tables and CSV appear only for a complete listing
    assert "reported 30 users but listed only 25 different ones" in err


def test_a_short_json_listing_is_left_unterminated(liar, capsys, monkeypatch) -> None:
    url, _ = liar("short")
    code, out, err = run(url, capsys, monkeypatch, "--format", "json", "users", "list")
    assert code == EXIT_INCOMPLETE
    with pytest.raises(json.JSONDecodeError):
        json.loads(out)
    records = [json.loads(line.rstrip(",")) for line in out.splitlines()[1:]]
    assert len({r["id"] for r in records}) == len(records) == 25  # everything listed was written, once
    assert "reported 30 users but listed only 25" in err
    assert "only the first 25 records were written" in err


def test_a_short_group_listing_says_so_too(liar, capsys, monkeypatch) -> None:
    url, _ = liar("short")
    code, _, err = run(url, capsys, monkeypatch, "groups", "list")
    assert code == EXIT_INCOMPLETE
    assert "reported 30 groups but listed only 25" in err


def test_a_total_that_keeps_growing_is_stopped_and_said(liar, capsys, monkeypatch) -> None:
    url, handler = liar("growing")
    code, out, err = run(url, capsys, monkeypatch, "--format", "json", "--concurrency", "1", "users", "list")
    assert code == EXIT_INCOMPLETE
    assert "kept growing" in err
    assert handler.served == 24  # up to the first total (140) plus ten pages of ten, not 10,000 pages
    assert not out.rstrip().endswith("]")


def test_timeout_bounds_the_whole_request_against_a_trickling_server(liar, capsys, monkeypatch) -> None:
    url, _ = liar("trickle")
    started = time.monotonic()
    code, out, err = run(url, capsys, monkeypatch, "--timeout", "1", "users", "list")
    elapsed = time.monotonic() - started
    assert code == 4
    assert "did not answer in full within 1 seconds" in err
    assert elapsed < 6  # three attempts of one second and the waits between them; the answer alone takes 7 s
    assert out == ""


def test_max_time_bounds_a_whole_listing(liar, capsys, monkeypatch) -> None:
    url, handler = liar("slow")
    started = time.monotonic()
    code, out, err = run(url, capsys, monkeypatch, "--format", "json", "--concurrency", "1", "users", "list",
                         "--max-time", "1")
    assert code == EXIT_INCOMPLETE
    assert "took longer than the 1 seconds allowed" in err
    assert time.monotonic() - started < 4
    assert handler.served <= 6
    assert not out.rstrip().endswith("]")


@pytest.mark.parametrize("command", [("groups", "list"), ("users", "list"), ("audit", "findings")])
@pytest.mark.parametrize("value", ["-1", "nan", "inf", "1e999", "soon"])
def test_max_time_must_be_seconds(liar, capsys, monkeypatch, value: str, command: tuple[str, str]) -> None:
    url, handler = liar("short")
    code, _, err = run(url, capsys, monkeypatch, *command, "--max-time", value)
    assert code == 2
    assert "--max-time: must be a number of seconds" in err
    assert handler.served == 0


@pytest.mark.parametrize("argv", [("audit", "findings"), ("audit", "matrix"), ("snapshot", "save")])
def test_max_time_bounds_a_whole_audit_against_a_trickling_server(liar, capsys, monkeypatch, tmp_path,
                                                                   argv: tuple[str, ...]) -> None:
    """Each request alone stays within --timeout (a byte every 0.2 s, retried), so only the command's own limit
    ends a scheduled audit: every request stops at --max-time, one sentence, exit 4."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    url, _ = liar("trickle")
    started = time.monotonic()
    code, out, err = run(url, capsys, monkeypatch, "--timeout", "5", *argv, "--max-time", "1.5")
    elapsed = time.monotonic() - started
    assert code == 4, err
    assert "took longer than the 1.5 seconds allowed (--max-time)" in err and err.count("\n") == 1
    assert elapsed < 4  # one attempt alone may take 5 s, its retries 20 s
    assert out == ""


def test_a_commands_max_time_must_be_seconds(capsys) -> None:
    assert main(["--base-url", "http://127.0.0.1:9/v2", "audit", "findings", "--max-time", "nan"]) == 2
    assert "--max-time" in capsys.readouterr().err
