"""The HTTP server (stdlib, HTTP/1.1 keep-alive, one thread per connection) and the Emulator object.

``Emulator.handle`` is the whole request pipeline: count, latency (slept outside every lock so concurrent
requests overlap), faults, then the SCIM or Accounts handler. Responses go out in a single write with
Nagle off, so small keep-alive requests do not stall on delayed ACKs.
"""

from __future__ import annotations

import contextlib
import ipaddress
import logging
import socket
import socketserver
import threading
import time
import uuid
from datetime import UTC, datetime
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from birdadmin.emulator.access_keys import KeyRegistry
from birdadmin.emulator.accounts_api import handle_accounts, handle_other_organization
from birdadmin.emulator.errors import AccountsError, EmulatorStateError, ScimError
from birdadmin.emulator.faults import Fault, FaultPlan
from birdadmin.emulator.options import MAX_LATENCY_MS, EmulatorOptions
from birdadmin.emulator.persist import load_state_file, save_state_file
from birdadmin.emulator.scim_api import handle_scim
from birdadmin.emulator.scim_discovery import is_discovery
from birdadmin.emulator.seed import build_state
from birdadmin.emulator.state import EmulatorState
from birdadmin.emulator.versions import now_iso
from birdadmin.emulator.wire import (
    Request,
    Response,
    accounts_error_response,
    scim_error_response,
)

log = logging.getLogger(__name__)
MAX_BODY = 10 * 1024 * 1024
_UNSET: Any = object()


def is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "bird-emulator"
    sys_version = ""
    disable_nagle_algorithm = True
    timeout = 120  # an idle keep-alive connection is closed after this many seconds
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        if log.isEnabledFor(logging.DEBUG):
            log.debug("%s %s", self.address_string(), format % args)

    def _serve(self) -> None:
        try:
            body = self._read_body()
        except ValueError as exc:
            self.close_connection = True
            self._write(scim_error_response(ScimError(400, str(exc), "invalidSyntax")))
            return
        split = urlsplit(self.path)
        segments = [unquote(s) for s in split.path.split("/") if s]
        request = Request(self.command, split.path, segments, parse_qs(split.query, keep_blank_values=True),
                          self.headers, body)  # fmt: skip
        try:
            response = self.server.app.handle(request)
        except Exception:  # a bug must not kill the connection thread silently
            log.exception("emulator failed on %s %s", self.command, split.path)
            response = scim_error_response(ScimError(500, "the emulator failed on this request"))
        self._write(response)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = _serve  # noqa: N815 - http.server's names

    def _read_body(self) -> bytes:
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            chunks: list[bytes] = []
            total = 0
            for _ in range(100_000):
                size = int(self.rfile.readline(65537).split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline(65537) not in (b"\r\n", b"\n", b""):
                        pass
                    return b"".join(chunks)
                total += size
                if total > MAX_BODY:
                    raise ValueError("the request body is too large")
                chunks.append(self.rfile.read(size))
                self.rfile.readline(65537)
            raise ValueError("too many chunks")
        length = int(self.headers.get("Content-Length") or 0)
        if length < 0 or length > MAX_BODY:
            raise ValueError("the request body is too large")
        return self.rfile.read(length) if length else b""

    def _write(self, resp: Response) -> None:
        try:
            reason = HTTPStatus(resp.status).phrase
        except ValueError:
            reason = ""
        lines = [f"HTTP/1.1 {resp.status} {reason}", f"Server: {self.server_version}"]
        has_body = resp.status not in (204, 304) and self.command != "HEAD"
        if resp.content_type and resp.status not in (204, 304):
            lines.append(f"Content-Type: {resp.content_type}")
        if resp.status not in (204, 304):
            lines.append(f"Content-Length: {len(resp.body)}")
        lines.extend(f"{k}: {v}" for k, v in resp.headers)
        if self.close_connection:
            lines.append("Connection: close")
        head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
        self.wfile.write(head + resp.body if has_body else head)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128

    def __init__(self, address: tuple[str, int], app: Emulator) -> None:
        self.app = app
        self._connections: set[socket.socket] = set()
        self._conn_lock = threading.Lock()
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        super().__init__(address, _Handler)

    def server_bind(self) -> None:
        # HTTPServer.server_bind would resolve our own name (getfqdn), which can take seconds.
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = str(self.server_address[0]), int(self.server_address[1])

    def finish_request(self, request: Any, client_address: Any) -> None:
        with self._conn_lock:
            self._connections.add(request)
        try:
            super().finish_request(request, client_address)
        finally:
            with self._conn_lock:
                self._connections.discard(request)

    def handle_error(self, request: Any, client_address: Any) -> None:
        # socketserver calls this from inside its except clause, so the exception is the current one
        log.debug("connection from %s ended with an error", client_address, exc_info=True)  # noqa: LOG014

    def close_connections(self) -> None:
        with self._conn_lock:
            open_now = list(self._connections)
        for conn in open_now:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)


class Emulator:
    """A running emulator; see ``start_emulator``. Thread-safe; usable as a context manager."""

    def __init__(self, options: EmulatorOptions) -> None:
        options.check()
        self.options = options
        self.key = options.key
        self.accounts_key = options.accounts_key
        self.latency_ms = float(options.latency_ms)
        self.max_page_size = options.max_page_size
        self.patch_returns_204 = options.patch_returns_204
        self.faults = FaultPlan(options.seed, options.fault_rate, options.rate_limit)
        self._count = 0
        self._count_lock = threading.Lock()
        self._started_at = now_iso()
        self.keys: KeyRegistry
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self.state: EmulatorState
        self.port = 0
        self.scim_url = ""
        self.accounts_url = ""

    # -- lifecycle ---------------------------------------------------------------------------------

    def start(self) -> Emulator:
        opts = self.options
        server = _Server((opts.host, opts.port), self)
        try:
            self.port = server.server_port
            host = f"[{opts.host}]" if ":" in opts.host else opts.host
            self.accounts_url = f"http://{host}:{self.port}"
            state_path = Path(opts.state_file) if opts.state_file else None
            document = load_state_file(state_path) if state_path else None
            fresh = document is None
            if document is None:
                document = build_state(opts.seed, opts.users, opts.groups, opts.org_id)
            self.scim_url = f"{self.accounts_url}/organizations/{document.get('orgId')}/scim/v2"
            try:
                self.state = EmulatorState(document, self.scim_url)
            except EmulatorStateError as exc:
                raise EmulatorStateError(f"The state file {state_path} cannot be used: {exc}.") from None
            if state_path is not None:
                self.state.on_write = lambda doc: save_state_file(state_path, doc)
                if fresh:
                    try:
                        save_state_file(state_path, self.state.to_dict())
                    except OSError as exc:
                        reason = exc.strerror or type(exc).__name__
                        raise EmulatorStateError(f"The state file {state_path} cannot be written ({reason}).") from None
            self.keys = self._seed_keys()
        except BaseException:
            server.server_close()
            raise
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                                        name=f"bird-emulator:{self.port}", daemon=True)  # fmt: skip
        self._thread.start()
        return self

    def stop(self) -> None:
        server, self._server = self._server, None
        if server is None:
            return
        server.shutdown()
        server.close_connections()
        server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> Emulator:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- runtime controls --------------------------------------------------------------------------

    @property
    def org_id(self) -> str:
        return self.state.org_id

    @property
    def request_count(self) -> int:
        with self._count_lock:
            return self._count

    def configure(
        self,
        *,
        fault_rate: float | None = None,
        rate_limit: float | None = _UNSET,
        latency_ms: float | None = None,
        max_page_size: int | None = None,
        patch_returns_204: bool | None = None,
    ) -> None:
        """Change behaviour while running; ``rate_limit=None`` switches the limit off."""
        if max_page_size is not None:
            if max_page_size < 1:
                raise ValueError("max_page_size must be at least 1")
            self.max_page_size = max_page_size
        if latency_ms is not None:
            if not 0 <= latency_ms <= MAX_LATENCY_MS:
                raise ValueError(f"latency_ms must be from 0 to {MAX_LATENCY_MS:g}")
            self.latency_ms = float(latency_ms)
        if patch_returns_204 is not None:
            self.patch_returns_204 = patch_returns_204
        self.faults.configure(fault_rate=fault_rate, rate_limit=False if rate_limit is _UNSET else rate_limit)

    def inject(
        self,
        status: int,
        count: int = 1,
        path_contains: str | None = None,
        *,
        method: str | None = None,
        after_apply: bool = False,
        retry_after: int | None = None,
    ) -> None:
        """Answer the next ``count`` matching requests with ``status`` (any path, discovery included).

        ``after_apply=True`` makes a write happen before its response is replaced by the fault.
        """
        self.faults.inject(status, count, path_contains, method, after_apply, retry_after)

    def _seed_keys(self) -> KeyRegistry:
        """The demo's own two keys (suffixes match their secrets) and the seeded ones (emulator/access_keys.py)."""
        registry = KeyRegistry(self.org_id, self.options.seed, self._started_at)
        by_name = {str(r.get("name")): str(r["id"]) for r in self.state.roles()}
        admin = [by_name["Administrator"]] if "Administrator" in by_name else []
        demo = (("scim", "SCIM provisioning", "Identity provider provisioning (SCIM).", self.key),
                ("accounts", "birdadmin", "birdadmin's Accounts API key.", self.accounts_key))  # fmt: skip
        for kind, name, text, secret in demo:
            key_id = str(uuid.uuid5(uuid.NAMESPACE_URL, f"{self.org_id}/access-keys/{kind}"))
            registry.add(name, secret, services=frozenset((kind,)), role_ids=admin, description=text,  # type: ignore[arg-type]
                         key_id=key_id)  # fmt: skip
        others = [i for n, i in by_name.items() if n != "Owner"]
        registry.seed(by_name.get("Owner"), others, datetime.now(UTC))
        return registry

    def access_keys(self) -> list[dict[str, Any]]:
        """Key metadata as the Accounts API lists it; never the secret."""
        return self.keys.listing()

    # -- the request pipeline ----------------------------------------------------------------------

    def handle(self, req: Request) -> Response:
        with self._count_lock:
            self._count += 1
        segs = req.segments
        org_ok = len(segs) >= 2 and segs[0] == "organizations" and segs[1].lower() == self.org_id.lower()
        scim = len(segs) >= 4 and segs[0] == "organizations" and [s.lower() for s in segs[2:4]] == ["scim", "v2"]
        rest = segs[4:] if scim else segs[2:]
        if self.latency_ms > 0:
            time.sleep(self.latency_ms / 1000.0)
        if not org_ok:
            if scim:
                return scim_error_response(ScimError(404, "unknown organization"))
            if len(segs) >= 2 and segs[0] == "organizations":
                return handle_other_organization(self, req)
            return accounts_error_response(AccountsError(404, "not_found", f"nothing at {req.path}"))
        fault = self.faults.decide(req.method, req.path, exempt=scim and is_discovery(rest))
        if fault is not None and not fault.after_apply:
            return self._fault_response(fault, scim)
        response = handle_scim(self, req, rest) if scim else handle_accounts(self, req, rest)
        if fault is not None:
            return self._fault_response(fault, scim)
        return response

    @staticmethod
    def _fault_response(fault: Fault, scim: bool) -> Response:
        headers = [("Retry-After", str(fault.retry_after))] if fault.retry_after is not None else []
        try:
            phrase = HTTPStatus(fault.status).phrase
        except ValueError:
            phrase = "Error"
        if scim:
            scim_type = "tooMany" if fault.status == 429 else None
            error = ScimError(fault.status, f"{phrase} (injected by the emulator)", scim_type)
            return scim_error_response(error, headers)
        code = {429: "rate_limited", 500: "internal_error", 503: "service_unavailable"}.get(fault.status, "error")
        return accounts_error_response(
            AccountsError(fault.status, code, f"{phrase} (injected by the emulator)"), headers
        )


def start_emulator(options: EmulatorOptions | None = None) -> Emulator:
    """Seed (or load) the organization, start serving on a daemon thread, return once it accepts."""
    return Emulator(options or EmulatorOptions()).start()
