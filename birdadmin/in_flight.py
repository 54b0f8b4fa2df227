"""What is known about this process's writes when it is interrupted: none sent, one whose outcome is unknown
(on the wire, or lost), or every one answered.

A Ctrl+C can arrive while a write is on the wire: the server may apply it after the client has gone, so "nothing
was sent" would be false. Every write (SCIM and the Accounts API) goes through :func:`sending`, and
``birdadmin-cli`` says what is known (:func:`interrupted_message`). One process runs one command, so the record is
process-wide; the CLI clears it when a command starts (:func:`start`).
"""

from __future__ import annotations

import shlex
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from birdadmin import errors

# Answers that leave a write's outcome unknown: it may have been applied before the answer was lost.
_UNCERTAIN = (errors.ServerError, errors.ConnectionFailedError)


@dataclass(frozen=True, slots=True)
class Writes:
    sent: int = 0  # writes put on the wire
    on_the_wire: int = 0  # sent, not yet answered
    uncertain: int = 0  # sent, answered by no usable answer (a 5xx, a lost connection, an interruption)
    confirmed: int = 0  # answered with success


@dataclass(frozen=True, slots=True)
class Subject:
    """What the command changes, for the sentence: ``the change to {what}``; ``check`` says how to look."""

    what: str
    check: str


_lock = threading.Lock()
_writes = Writes()
_subject: Subject | None = None


def start(subject: Subject | None = None) -> None:
    """A new command: nothing sent yet; ``subject`` names what its writes change."""
    global _writes, _subject
    with _lock:
        _writes, _subject = Writes(), subject


def describe(subject: Subject) -> None:
    global _subject
    with _lock:
        _subject = subject


def for_user(token: str) -> Subject:
    return Subject(token, f"check with `birdadmin-cli users show {shlex.quote(token)}`")


def for_group_roles(token: str) -> Subject:
    return Subject(f"the roles of group {token}", "check the group's roles in Bird")


def snapshot() -> Writes:
    with _lock:
        return _writes


def _count(**delta: int) -> None:
    global _writes
    with _lock:
        w = _writes
        _writes = Writes(*(getattr(w, f) + delta.get(f, 0) for f in ("sent", "on_the_wire", "uncertain", "confirmed")))


@contextmanager
def sending() -> Iterator[None]:
    """Around one write request: on the wire until it is answered; an answer that is an error the server gave for
    a request it refused (4xx) is a write not applied, anything else (5xx, a lost connection, Ctrl+C) unknown."""
    _count(sent=1, on_the_wire=1)
    try:
        yield
    except errors.RequestError as exc:
        _count(on_the_wire=-1, uncertain=1 if isinstance(exc, _UNCERTAIN) else 0)
        raise
    except BaseException:
        _count(on_the_wire=-1, uncertain=1)
        raise
    _count(on_the_wire=-1, confirmed=1)


def interrupted_message() -> str:
    """The sentence for a Ctrl+C: what may have been applied, what was confirmed, or that nothing was sent."""
    with _lock:
        writes, subject = _writes, _subject
    what = f"the change to {subject.what}" if subject else "the change"
    check = f"; {subject.check}" if subject else "; check before trying again"
    if writes.on_the_wire or writes.uncertain:
        return f"Interrupted: {what[0].upper()}{what[1:]} may have been applied{check}."
    if writes.confirmed:
        return f"Interrupted: {what[0].upper()}{what[1:]} was confirmed by the server{check}."
    if writes.sent:
        return "Interrupted: the server refused what was sent, so nothing was changed."
    return "Interrupted before any change was sent; nothing was changed."
