"""One shared httpx client per connection, with the project's retry, redirect and redaction rules.

Time: ``HttpSettings.timeout`` bounds one whole attempt: connecting, sending, waiting for the answer and reading
every byte of it, against a monotonic deadline that every socket operation sees (a server that trickles its answer a
byte at a time is cut off at the deadline, not after the last byte).

Size: the answer is counted after decoding, and reading stops as soon as the decoded body passes
``HttpSettings.max_body`` (64 MB by default; a ``Content-Length`` above it is refused before reading). gzip and
deflate are inflated here at most 1 MB at a time, so a compressed bomb stops within 1 MB of the cap; another coding
httpx supports is decoded by httpx and counted per network read.

Retries: a 429 is retried for any method (the server did not process it), honouring ``Retry-After``; a 5xx,
a timeout or a dropped connection is retried only for idempotent methods, because a PATCH or POST that may
have been applied must be checked, not repeated blindly (callers that can verify do so themselves). A refused
connection is retried for every method: nothing was sent. Retries are bounded in count (``max_retries``;
``connect_retries`` for connection failures and timeouts) and in time: one call, every attempt and every wait
included, ends within ``HttpSettings.call_budget`` seconds (``timeout`` x (``max_retries`` + 1) +
``retry_after_cap``, 180 s with the defaults): a wait that would end past it is not begun, and an attempt that
runs into it is cut off there. A whole command may be bounded too (``HttpSettings.stop_at``): past it no request
begins and the one on the wire is cut off, so a scheduled audit against a server that trickles ends.
"""

from __future__ import annotations

import json
import logging
import random
import threading
import time
from collections.abc import Callable, Generator, Mapping
from dataclasses import dataclass
from typing import Any

import httpx
import orjson

from birdadmin import errors
from birdadmin.net.deadline import bound_sockets, until
from birdadmin.net.reading import DeadlineTimeouts, decoded_body
from birdadmin.net.responses import error_for_response
from birdadmin.net.tls import tls_context
from birdadmin.redact import redact, register_secret

log = logging.getLogger(__name__)

IDEMPOTENT = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
RETRYABLE_STATUS = frozenset({500, 502, 503, 504})


@dataclass(frozen=True, slots=True)
class HttpSettings:
    """Knobs of one connection; the defaults suit a real Bird organization over the internet."""

    timeout: float = 30.0
    ca_bundle: str | None = None
    max_retries: int = 4
    connect_retries: int = 2  # a refused connection rarely heals within seconds
    backoff_base: float = 0.25
    backoff_cap: float = 8.0
    retry_after_cap: float = 30.0
    max_connections: int = 8
    user_agent: str = "birdadmin"
    # The largest answer read, after decoding. A page of 1,000 users is 1-2 MB and Bird pages hold 100, so 64 MB
    # leaves room for 30 times the largest page birdadmin asks for while keeping a bomb far from memory limits.
    max_body: int = 64 * 1024 * 1024
    # A whole command's limit (the CLI's audit, snapshot and report ``--max-time``): a monotonic time after which no
    # request is begun and any on the wire is cut off, ending as ``TimeoutError_`` with ``stop_reason``.
    stop_at: float | None = None
    stop_reason: str = "The command took longer than it was allowed to and was stopped."

    @property
    def call_budget(self) -> float:
        """Seconds one call may take, all its attempts and the waits between them included."""
        return self.timeout * (self.max_retries + 1) + self.retry_after_cap


class KeyAuth(httpx.Auth):
    """Puts the key in the Authorization header; the only object that ever holds it for a connection."""

    def __init__(self, scheme: str, key: str) -> None:
        self._scheme = scheme
        self._key = key
        register_secret(key)

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["Authorization"] = f"{self._scheme} {self._key}"
        yield request

    def __repr__(self) -> str:
        return f"KeyAuth({self._scheme} <redacted>)"


def _check_key(key: str) -> None:
    """A key is one printable ASCII token; anything else was mis-copied and cannot go in a header."""
    if not key.isascii() or not key.isprintable() or any(ch.isspace() for ch in key):
        raise errors.InputError(
            "The access key contains spaces, line breaks or other characters a key never has; "
            "copy it again exactly as Bird showed it."
        )


def _dumps(body: Any) -> bytes:
    """orjson, except for integers beyond 64 bits (a server's own attribute, sent back as read), which it refuses."""
    try:
        return orjson.dumps(body)
    except orjson.JSONEncodeError:
        return json.dumps(body, ensure_ascii=False, allow_nan=False).encode("utf-8")


class HttpSession:
    """A thread-safe HTTP session: one httpx.Client, redirects off, TLS verified, bounded retries."""

    def __init__(
        self,
        *,
        scheme: str,
        key: str,
        service: str,
        settings: HttpSettings | None = None,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        self.settings = settings or HttpSettings()
        self.service = service
        self._sleep = sleep
        _check_key(key)
        verify = tls_context(self.settings.ca_bundle)
        limits = httpx.Limits(
            max_connections=self.settings.max_connections, max_keepalive_connections=self.settings.max_connections
        )
        # Proxies: plain http is only ever allowed to this machine (net/urls.py), and a proxy would receive the
        # key in clear, so http:// always goes direct, whatever HTTP_PROXY or ALL_PROXY say. https honours
        # HTTPS_PROXY / ALL_PROXY / NO_PROXY: a proxy then only relays the TLS stream (CONNECT), whose certificate
        # is still verified against the real server.
        mounts = None
        if transport is None:
            mounts = {"http://": httpx.HTTPTransport(verify=verify, limits=limits, trust_env=False)}
        try:
            self._client = httpx.Client(
                auth=KeyAuth(scheme, key),
                timeout=httpx.Timeout(self.settings.timeout),
                verify=verify,
                follow_redirects=False,
                limits=limits,
                transport=transport,
                mounts=mounts,
                headers={"User-Agent": self.settings.user_agent, **(headers or {})},
            )
        except (ValueError, ImportError) as exc:  # an unusable proxy setting in the environment
            raise errors.InputError(
                f"The proxy settings in the environment (HTTPS_PROXY, ALL_PROXY) cannot be used ({_reason(exc)}); "
                "correct or unset them."
            ) from None
        bound_sockets(self._client)  # the timeout bounds a whole request (see deadline.py)
        self._state = threading.Lock()
        self._in_flight = 0
        self._closing = False

    def __repr__(self) -> str:
        return f"HttpSession(service={self.service!r})"

    def close(self) -> None:
        """Close now, or, with requests still on the wire in other threads, as soon as the last one ends.

        Closing the client under a request that waits for a connection would let that request open a socket the
        closed pool no longer owns (a leak); a window that switches connections closes the old one this way.
        """
        with self._state:
            self._closing = True
            idle = self._in_flight == 0
        if idle:
            self._client.close()

    def _enter(self, method: str, url: httpx.URL | str) -> None:
        with self._state:
            if self._closing:
                raise errors.ConnectionFailedError(
                    "The connection was closed before this request was sent.",
                    method=method, url=str(url), service=self.service,
                )
            self._in_flight += 1

    def _leave(self) -> None:
        with self._state:
            self._in_flight -= 1
            last = self._closing and self._in_flight == 0
        if last:
            self._client.close()

    def __enter__(self) -> HttpSession:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _backoff(self, attempt: int) -> float:
        ceiling = min(self.settings.backoff_cap, self.settings.backoff_base * (2**attempt))
        return random.uniform(ceiling / 2, ceiling)

    def request(
        self,
        method: str,
        url: httpx.URL | str,
        *,
        params: Mapping[str, Any] | None = None,
        json_body: Any = None,
        headers: Mapping[str, str] | None = None,
        ok: tuple[int, ...] = (200, 201, 204),
    ) -> httpx.Response:
        """Send one request with the retry rules above; return a response whose status is in ``ok``."""
        method = method.upper()
        content = None
        send_headers = dict(headers or {})
        if json_body is not None:
            content = _dumps(json_body)
            send_headers.setdefault("Content-Type", "application/json")
        deadline = time.monotonic() + self.settings.call_budget
        stop_at = self.settings.stop_at
        if stop_at is not None:
            deadline = min(deadline, stop_at)
        attempt = 0
        while True:
            try:
                self._check_stop(method, url)
                outcome = self._attempt(
                    method, url, params=params, content=content, headers=send_headers, ok=ok, attempt=attempt,
                    deadline=min(deadline, time.monotonic() + self.settings.timeout),
                )
                if isinstance(outcome, httpx.Response):
                    return outcome
                failure, retryable = outcome
                wait = self._retry_wait(failure, retryable=retryable, attempt=attempt, deadline=deadline)
            except errors.TimeoutError_ as exc:  # cut off by the command's limit rather than by --timeout
                self._check_stop(method, url)
                raise exc
            log.info(
                "%s %s failed (%s); retry %d in %.2f s", method, redact(str(url)), failure.title, attempt + 1, wait
            )
            self._sleep(wait)
            attempt += 1

    def _check_stop(self, method: str, url: httpx.URL | str) -> None:
        """Raises the command's own time-out once its ``stop_at`` has passed."""
        stop_at = self.settings.stop_at
        if stop_at is not None and time.monotonic() >= stop_at:
            raise errors.TimeoutError_(self.settings.stop_reason, method=method, url=str(url), service=self.service)

    def _attempt(
        self,
        method: str,
        url: httpx.URL | str,
        *,
        params: Mapping[str, Any] | None,
        content: bytes | None,
        headers: dict[str, str],
        ok: tuple[int, ...],
        attempt: int,
        deadline: float,
    ) -> httpx.Response | tuple[errors.RequestError, bool]:
        """Send once: the response when its status is in ``ok``, otherwise the error and whether it may be retried.

        Failures that no retry can mend (an undecodable or oversized answer, a request that cannot be sent) are
        raised here.
        """
        started = time.perf_counter()
        self._enter(method, url)
        try:
            response = self._send_within(method, url, params=params, content=content, headers=headers,
                                         deadline=deadline)
        except (httpx.TransportError, httpx.DecodingError, httpx.InvalidURL) as exc:
            return self._transport_failure(exc, method, url)
        finally:
            self._leave()
        if log.isEnabledFor(logging.DEBUG):
            elapsed = (time.perf_counter() - started) * 1000
            url_text = redact(str(response.request.url))
            log.debug("%s %s -> %s in %.0f ms", method, url_text, response.status_code, elapsed)
        if response.status_code in ok:
            return response
        failure = error_for_response(response, service=self.service, retries=attempt)
        if response.status_code == 429:
            return failure, True  # the server did not process it
        return failure, response.status_code in RETRYABLE_STATUS and method in IDEMPOTENT

    def _send_within(
        self,
        method: str,
        url: httpx.URL | str,
        *,
        params: Mapping[str, Any] | None,
        content: bytes | None,
        headers: dict[str, str],
        deadline: float,
    ) -> httpx.Response:
        """One exchange, whole answer read, by ``deadline`` (monotonic) and within ``max_body`` decoded bytes."""
        request = self._client.build_request(
            method, url, params=params, content=content, headers=headers,
            extensions={"timeout": DeadlineTimeouts(deadline)},
        )
        with until(deadline):
            response = self._client.send(request, stream=True)
            try:
                # the body read within bounds becomes the response's content, as Response.read() would leave it
                response._content = self._read_body(response, deadline)
            finally:
                response.close()
        return response

    def _read_body(self, response: httpx.Response, deadline: float) -> bytes:
        cap = self.settings.max_body
        declared = response.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > cap:  # said up front: not a byte is read
            raise self._too_large(response)
        chunks: list[bytes] = []
        size = 0
        for chunk in decoded_body(response):  # a compressed answer is counted as it inflates, a slice at a time
            size += len(chunk)
            if size > cap:
                raise self._too_large(response)
            chunks.append(chunk)
            if time.monotonic() > deadline:
                raise httpx.ReadTimeout("the whole answer did not arrive in time", request=response.request)
        return b"".join(chunks)

    def _too_large(self, response: httpx.Response) -> errors.ProtocolError:
        megabytes = self.settings.max_body / (1024 * 1024)
        return errors.ProtocolError(
            f"The {self.service} server's answer was larger than {megabytes:g} MB; birdadmin stopped reading it "
            "(a page of 1,000 users is about 2 MB, so this is not a normal answer).",
            method=response.request.method,
            url=str(response.request.url),
            status=response.status_code,
            service=self.service,
        )

    def _transport_failure(self, exc: Exception, method: str, url: httpx.URL | str) -> tuple[errors.RequestError, bool]:
        """The error for a request that got no HTTP answer, and whether it may be retried; raised when it may not."""
        where: dict[str, Any] = {"method": method, "url": str(url), "service": self.service}
        if isinstance(exc, httpx.ConnectError):  # nothing was sent, so any method may be retried
            return errors.ConnectionFailedError(
                f"Could not connect to the {self.service} server at {httpx.URL(str(url)).host}"
                f" ({_reason(exc)}); check the URL and the network.",
                **where,
            ), True
        if isinstance(exc, httpx.TimeoutException):
            return errors.TimeoutError_(
                f"The {self.service} server did not answer in full within {self.settings.timeout:g} seconds.", **where
            ), method in IDEMPOTENT
        if isinstance(exc, (httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError)):
            return errors.ConnectionFailedError(
                f"The connection to the {self.service} server broke ({_reason(exc)}).", **where
            ), method in IDEMPOTENT
        if isinstance(exc, httpx.DecodingError):
            raise errors.ProtocolError(
                f"The {self.service} server's answer could not be decoded ({_reason(exc)}).", **where
            ) from None
        # a proxy, an unsupported scheme, a bad header
        raise errors.ConnectionFailedError(
            f"The request to the {self.service} server could not be sent ({_reason(exc)}).", **where
        ) from None

    def _retry_wait(self, failure: errors.RequestError, *, retryable: bool, attempt: int, deadline: float) -> float:
        """How long to wait before retrying after ``failure``; raises it when no retry is allowed or time is up."""
        limit = (
            self.settings.connect_retries
            if isinstance(failure, errors.ConnectionFailedError)
            else self.settings.max_retries
        )
        if not retryable or attempt >= limit:
            raise failure
        wait = self._backoff(attempt)
        if isinstance(failure, errors.RateLimitedError) and failure.retry_after is not None:
            wait = min(failure.retry_after, self.settings.retry_after_cap) + random.uniform(0, 0.05)
        if time.monotonic() + wait > deadline:
            raise failure
        return wait


def _reason(exc: Exception) -> str:
    text = str(exc).strip()
    if "Connection refused" in text or "Errno 111" in text:
        return "connection refused"
    if "Name or service not known" in text or "nodename nor servname" in text or "getaddrinfo" in text:
        return "unknown host name"
    if "CERTIFICATE_VERIFY_FAILED" in text or "certificate verify failed" in text:
        return "its TLS certificate could not be verified"
    return redact(text)[:120] or type(exc).__name__
