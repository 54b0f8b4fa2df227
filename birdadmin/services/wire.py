"""Which write requests a change sent, per worker thread: method, path and status for the journal (never headers,
never bodies), and whether a write reached the server at all. Qt-free."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx

_READS = frozenset({"GET", "HEAD", "OPTIONS"})


def http_client(client: Any) -> httpx.Client | None:
    """The httpx client inside a ScimClient or AccountsClient (their ``HttpSession``), or None."""
    inner = getattr(getattr(client, "_session", None), "_client", None)
    return inner if isinstance(inner, httpx.Client) else None


class WireLog:
    """Event hooks on the connection's httpx clients that note each write sent from a thread that is capturing.

    Hooks run on the thread that sends (httpx's sync client), so a thread-local list keeps each change's requests
    apart while eight changes are sent at once; threads that are not capturing are ignored.
    """

    def __init__(self) -> None:
        self._local = threading.local()
        self._clients: list[httpx.Client] = []

    def attach(self, *clients: Any) -> None:
        for client in clients:
            http = http_client(client)
            if http is not None and http not in self._clients:
                http.event_hooks["request"].append(self._on_request)
                http.event_hooks["response"].append(self._on_response)
                self._clients.append(http)

    def detach(self) -> None:
        for http in self._clients:
            for name, hook in (("request", self._on_request), ("response", self._on_response)):
                hooks = http.event_hooks[name]
                if hook in hooks:
                    hooks.remove(hook)
        self._clients.clear()

    @contextmanager
    def capture(self) -> Iterator[list[dict[str, Any]]]:
        """The writes this thread sends inside the block, in order: ``{"method", "path", "status"}`` (status None
        when no answer came: a broken connection or a timeout)."""
        seen: list[dict[str, Any]] = []
        self._local.seen = seen
        try:
            yield seen
        finally:
            self._local.seen = None

    def _on_request(self, request: httpx.Request) -> None:
        seen = getattr(self._local, "seen", None)
        if seen is not None and request.method not in _READS:
            seen.append({"method": request.method, "path": request.url.path, "status": None})

    def _on_response(self, response: httpx.Response) -> None:
        seen = getattr(self._local, "seen", None)
        if seen is None or response.request.method in _READS:
            return
        for item in reversed(seen):
            if item["status"] is None and item["method"] == response.request.method:
                item["status"] = response.status_code
                return
