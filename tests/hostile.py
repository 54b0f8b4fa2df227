"""A small HTTP server on 127.0.0.1 that answers what a test tells it to: the bad answers a real server might send.

``HostileServer`` serves canned answers by path (the longest matching suffix wins) and records every request
it sees; ``modes`` holds ready-made bad SCIM answers (a malformed /ServiceProviderConfig, a user with
``id: null``, ``roles: 5``, ...). ``RecordingProxy`` is a forward proxy that relays nothing: it records that it
was asked (a plain request with an absolute URL, or a CONNECT) and answers 502, so a test can prove a request
did or did not go through it. Both stop when their ``with`` block ends; each request is answered at once.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

KEY = "hostile-test-key-0123456789"
USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User"
LIST_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
GOOD_USER_ID = "2819c223-7f76-453a-919d-413861904646"


@dataclass(frozen=True)
class Answer:
    status: int = 200
    body: bytes = b""
    headers: tuple[tuple[str, str], ...] = (("Content-Type", "application/scim+json"),)

    @classmethod
    def json(cls, data: Any, status: int = 200) -> Answer:
        return cls(status, json.dumps(data).encode())


@dataclass
class Seen:
    method: str
    path: str
    headers: dict[str, str]


@dataclass
class _Config:
    answers: dict[str, Answer] = field(default_factory=dict)
    default: Answer = field(default_factory=lambda: Answer.json({"detail": "not here"}, 404))
    seen: list[Seen] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


class JsonHandler(BaseHTTPRequestHandler):
    """A quiet handler with one way to answer JSON, for test servers whose answers depend on the request."""

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _send(self, status: int, body: object) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/scim+json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _answer(self) -> None:
        config = self.server.config
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        with config.lock:
            config.seen.append(Seen(self.command, self.path, dict(self.headers.items())))
        path = self.path.split("?", 1)[0]
        matches = [suffix for suffix in config.answers if path.endswith(suffix)]
        answer = config.answers[max(matches, key=len)] if matches else config.default
        self.send_response(answer.status)
        for name, value in answer.headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(answer.body)))
        self.end_headers()
        self.wfile.write(answer.body)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_CONNECT = _answer  # noqa: N815


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    config: _Config


class HostileServer:
    """``with HostileServer({"/ServiceProviderConfig": Answer.json([1, 2])}) as server: server.base_url``."""

    def __init__(self, answers: dict[str, Answer] | None = None, *, default: Answer | None = None) -> None:
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.config = _Config(dict(answers or {}))
        if default is not None:
            self._server.config.default = default
        self.port = int(self._server.server_address[1])
        self.url = f"http://127.0.0.1:{self.port}"
        self.base_url = f"{self.url}/scim/v2"
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        daemon=True)

    def answer(self, suffix: str, answer: Answer) -> None:
        self._server.config.answers[suffix] = answer

    @property
    def seen(self) -> list[Seen]:
        with self._server.config.lock:
            return list(self._server.config.seen)

    def __enter__(self) -> HostileServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


class RecordingProxy(HostileServer):
    """A proxy that records who asked and relays nothing (502 to everything)."""

    def __init__(self) -> None:
        super().__init__(default=Answer(502, b"no relaying here", (("Content-Type", "text/plain"),)))


def user(**overrides: Any) -> dict[str, Any]:
    """A well-formed Bird user, with ``overrides`` applied (``None`` values kept, to send JSON null)."""
    base: dict[str, Any] = {"schemas": [USER_SCHEMA], "id": GOOD_USER_ID, "userName": "ada@example.com",
                            "displayName": "Ada", "active": True, "roles": [], "meta": {"version": 'W/"1"'}}
    base.update(overrides)
    return base


def listing(*resources: Any) -> dict[str, Any]:
    return {"schemas": [LIST_SCHEMA], "totalResults": len(resources), "startIndex": 1,
            "itemsPerPage": len(resources), "Resources": list(resources)}


def modes() -> dict[str, dict[str, Answer]]:
    """Named sets of bad answers (path suffix -> answer), for ``HostileServer(modes()[name])``."""
    no_spc = Answer.json({"detail": "no"}, 404)
    users = lambda *r: Answer.json(listing(*r))  # noqa: E731
    return {
        "spc-list": {"/ServiceProviderConfig": Answer.json([1, 2]), "/Users": users(user())},
        "spc-null": {"/ServiceProviderConfig": Answer(200, b"null"), "/Users": users(user())},
        "spc-wrong-types": {
            "/ServiceProviderConfig": Answer.json({"filter": [], "patch": "yes", "etag": {"supported": "no"},
                                                   "authenticationSchemes": 5, "bulk": None}),
            "/Schemas": Answer.json({"Resources": 7}),
            "/ResourceTypes": Answer.json([{"endpoint": {"x": 1}}, 3]),
            "/Users": users(user()),
        },
        "id-null": {"/ServiceProviderConfig": no_spc, "/Users": users(user(id=None))},
        "id-number": {"/ServiceProviderConfig": no_spc, "/Users": users(user(id=12))},
        "roles-5": {"/ServiceProviderConfig": no_spc, "/Users": users(user(roles=5))},
        "user-id-null": {"/ServiceProviderConfig": no_spc, f"/Users/{GOOD_USER_ID}": Answer.json(user(id=None))},
        "groups-wrong": {"/ServiceProviderConfig": no_spc,
                         "/Groups": Answer.json(listing({"id": None, "displayName": "G"}))},
        "deep-json": {"/ServiceProviderConfig": no_spc, "/Users": Answer(200, b"[" * 100_000 + b"]" * 100_000)},
        # A JSON escape of half a surrogate pair: no character at all, which no terminal, file or JSON writer takes.
        "user-lone-surrogate": {"/ServiceProviderConfig": no_spc, f"/Users/{GOOD_USER_ID}": Answer(
            200, json.dumps(user(displayName="Eve")).replace('"Eve"', '"Ev\\ud800e"').encode())},
        "members-wrong": {"/ServiceProviderConfig": no_spc,
                          "/Groups": Answer.json(listing({"id": "g1", "displayName": "G", "members": 5}))},
    }


def served(mode: str) -> Iterator[HostileServer]:
    """A generator fixture body: ``yield from served("id-null")``."""
    with HostileServer(modes()[mode]) as server:
        yield server
