"""Typed errors for everything that can go wrong talking to a server, and the one place that explains them.

Every error carries a plain one-sentence message fit for a dialog or stderr, the exit code the CLI uses, and
(for requests) the method, the URL, the status and the server's own reason, with keys redacted.
"""

from __future__ import annotations

import errno
import traceback
from dataclasses import dataclass
from typing import TypeVar

from birdadmin.redact import redact


class BirdadminError(Exception):
    """Base of every error birdadmin reports to a person; ``str()`` is one plain sentence."""

    exit_code = 1
    title = "Operation failed"

    def __init__(self, message: str, *, details: str = "") -> None:
        super().__init__(redact(message))
        self.details = redact(details)

    @property
    def message(self) -> str:
        return str(self.args[0])


class InputError(BirdadminError):
    """Bad input or usage, found before any request is sent."""

    exit_code = 2
    title = "Invalid input"


class ConfigError(BirdadminError):
    """A settings or profile file that cannot be used as it is."""

    exit_code = 2
    title = "Settings problem"


class SecretStoreError(BirdadminError):
    """The OS keyring is missing, locked or refused; the message says how to fix it on this platform."""

    exit_code = 1
    title = "Keyring unavailable"


_Request = TypeVar("_Request", bound="RequestError")


class RequestError(BirdadminError):
    """A request that did not give a usable answer."""

    title = "Request failed"

    def __init__(
        self,
        message: str,
        *,
        method: str = "",
        url: str = "",
        status: int | None = None,
        scim_type: str | None = None,
        detail: str | None = None,
        service: str = "SCIM",
        retry_after: float | None = None,
    ) -> None:
        self.method = method
        self.url = redact(str(url))
        self.status = status
        self.scim_type = scim_type
        self.detail = redact(detail) if detail else None
        self.service = service
        self.retry_after = retry_after
        lines = [f"{method} {self.url}".strip()]
        if status is not None:
            lines.append(f"HTTP status: {status}")
        if scim_type:
            lines.append(f"scimType: {scim_type}")
        if self.detail:
            lines.append(f"Server said: {self.detail}")
        super().__init__(message, details="\n".join(line for line in lines if line))

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}({self.message!r}, method={self.method!r}, url={self.url!r}, "
            f"status={self.status!r})"
        )

    def retyped(self, kind: type[_Request], message: str | None = None) -> _Request:
        """The same failed request as another type (and, if given, another sentence), every field kept."""
        return kind(
            message or self.message,
            method=self.method,
            url=self.url,
            status=self.status,
            scim_type=self.scim_type,
            detail=self.detail,
            service=self.service,
            retry_after=self.retry_after,
        )


class BadRequestError(RequestError):
    """400/422: the server refused the request's content (a filter, a value, a mutability rule)."""

    title = "Request refused"


class AuthError(RequestError):
    """401/403: the key is wrong, revoked, or lacks the permission."""

    exit_code = 3
    title = "Access denied"


class NotFoundError(RequestError):
    title = "Not found"


class ConflictError(RequestError):
    """409: the change clashes with existing data (a duplicate userName, a team that already exists)."""

    title = "Conflict"


class PreconditionFailedError(ConflictError):
    """412: someone else changed the resource since it was read (stale ETag); nothing was overwritten."""


class RateLimitedError(RequestError):
    title = "Too many requests"


class ServerError(RequestError):
    title = "Server error"


class ProtocolError(RequestError):
    """The server answered, but not with what the protocol promises (malformed JSON, a non-SCIM body)."""

    title = "Unexpected response"


class ConnectionFailedError(RequestError):
    """The server could not be reached: refused, DNS, TLS, or no answer in time."""

    exit_code = 4
    title = "Server unreachable"


class TimeoutError_(ConnectionFailedError):  # noqa: N801, N818 - avoid shadowing the builtin
    title = "Server did not answer"


@dataclass(frozen=True, slots=True)
class Explanation:
    """What a dialog or the CLI shows: a short title, one plain sentence, and details on demand."""

    title: str
    message: str
    details: str
    exit_code: int


# Where the operating system says a write could not be completed (as opposed to a file that is missing or locked).
OUTPUT_ERRNOS = frozenset(
    code for code in (getattr(errno, name, None) for name in ("ENOSPC", "EDQUOT", "EFBIG", "EIO")) if code
)


def _plain_sentence(exc: BaseException) -> tuple[str, str] | None:
    """(title, sentence) for the failures of the machine rather than of birdadmin's own code, or None."""
    if isinstance(exc, OSError):
        reason = exc.strerror or type(exc).__name__
        if exc.filename is not None:
            return "File problem", f"{exc.filename} could not be used ({reason}); nothing further was changed."
        if exc.errno in OUTPUT_ERRNOS:
            return "Output failed", f"The output could not be written ({reason}); it is incomplete."
        return "System problem", f"The operating system refused an operation ({reason}); nothing further was changed."
    if isinstance(exc, UnicodeError):
        return "Text problem", (
            "Some text could not be encoded or decoded (not valid UTF-8, or a character the terminal or file "
            "cannot take); nothing further was changed."
        )
    if isinstance(exc, RecursionError):
        return "Data too deeply nested", "Some data was nested too deeply to read; nothing further was changed."
    if isinstance(exc, OverflowError):
        return "Number out of range", "A number was too large to use; nothing further was changed."
    return None


def explain(exc: BaseException) -> Explanation:
    """Turn any exception into what a person sees; unknown ones keep their traceback for details only."""
    if isinstance(exc, BirdadminError):
        return Explanation(exc.title, exc.message, exc.details, exc.exit_code)
    details = redact("".join(traceback.format_exception(type(exc), exc, exc.__traceback__)))
    plain = _plain_sentence(exc)
    if plain is not None:
        return Explanation(plain[0], redact(plain[1]), details, 1)
    return Explanation(
        "Unexpected error",
        f"birdadmin hit an unexpected problem ({type(exc).__name__}); nothing further was changed.",
        details,
        1,
    )
