"""The change journal: every change birdadmin sent to a server, appended to a local SQLite file, hash-chained.

One row per entry: ``id`` (1, 2, 3, ... with no gaps), ``entry`` (the entry's canonical JSON text), ``prev`` (the
previous entry's hash; 64 zeros for the first) and ``hash``. The canonical JSON is orjson with sorted keys and no
whitespace, and it holds the entry's own ``id``; ``hash`` is the SHA-256 (hex) of ``prev`` followed by those bytes.
So an entry edited in place, deleted from the middle, or moved (two rows swapped) breaks the chain at that entry,
and :meth:`Journal.verify` names the first one that does not fit. Removing entries from the end leaves a shorter,
intact chain: the journal is evidence kept by the machine's own user, not a protection against that user.

An entry holds: the time (UTC, ISO 8601), the OS user, the connection (a profile's name and id, or the Base URL of
an ad-hoc connection; never a key), the target (``kind`` user or group, ``id``, ``name``), the action, ``before``
and ``after`` (role UUIDs or member ids), the status (changed, changed-meanwhile, sent-unchecked, ...) and the
write requests' outcomes (method, path, status; never headers, never bodies).

Each entry is one transaction, begun with ``BEGIN IMMEDIATE`` so that two processes appending at once take turns
(the second waits for the first, up to ``BUSY_TIMEOUT`` of store/sqlite_file.py) and each links to the entry
before it. A journal that cannot be opened, read or written is a :class:`~birdadmin.errors.ConfigError` with one
sentence.
"""

from __future__ import annotations

import contextlib
import getpass
import hashlib
import sqlite3
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson

from birdadmin import errors
from birdadmin.store.sqlite_file import SqliteFile

FILE_NAME = "journal.sqlite3"
GENESIS = "0" * 64
SCHEMA_VERSION = 1
# The exit code of a change that was applied on the server but could not be recorded in the journal.
EXIT_NOT_JOURNALED = 6

_SCHEMA = """
CREATE TABLE IF NOT EXISTS entries (
    id    INTEGER PRIMARY KEY,
    entry TEXT    NOT NULL,
    prev  TEXT    NOT NULL,
    hash  TEXT    NOT NULL
)
"""


class JournalNotWritten(errors.BirdadminError):
    """A change the server applied that the journal could not record: the change stands, the record is missing."""

    exit_code = EXIT_NOT_JOURNALED
    title = "Change not journaled"


def canonical(content: Mapping[str, Any]) -> bytes:
    """The bytes an entry is hashed over: orjson, keys sorted, no whitespace."""
    return orjson.dumps(content, option=orjson.OPT_SORT_KEYS)


def chain_hash(prev: str, content: bytes) -> str:
    return hashlib.sha256(prev.encode("ascii") + content).hexdigest()


def now_utc() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def os_user() -> str:
    """Who ran birdadmin on this machine, or "unknown" when the system cannot say."""
    try:
        return getpass.getuser() or "unknown"
    except Exception:  # noqa: BLE001 - getpass raises KeyError, OSError or ImportError depending on the platform
        return "unknown"


@dataclass(frozen=True, slots=True)
class Entry:
    id: int
    content: dict[str, Any]
    prev: str
    hash: str


@dataclass(frozen=True, slots=True)
class Verification:
    """The outcome of :meth:`Journal.verify`: ``bad_id`` is the first entry that breaks the chain (None: intact)."""

    count: int
    bad_id: int | None = None
    reason: str = ""

    @property
    def intact(self) -> bool:
        return self.bad_id is None


FILE = SqliteFile(FILE_NAME, "the journal", False, (_SCHEMA,), SCHEMA_VERSION)


class Journal:
    """The journal file at ``path`` (default: ``journal.sqlite3`` in the data directory), opened on first use."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path if path is not None else FILE.default_path()
        self._db: sqlite3.Connection | None = None

    def _problem(self, doing: str, exc: BaseException) -> errors.ConfigError:
        return FILE.problem(self.path, doing, exc)

    def open(self) -> Journal:
        """Open (creating if needed) and check the journal; a problem is a ConfigError, nothing else."""
        if self._db is None:
            self._db = FILE.open(self.path)
        return self

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None

    def __enter__(self) -> Journal:
        return self.open()

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _conn(self) -> sqlite3.Connection:
        self.open()
        assert self._db is not None
        return self._db

    def append(self, content: Mapping[str, Any]) -> Entry:
        """Append one entry (its ``id`` is assigned here) in one transaction; returns it as stored."""
        db = self._conn()
        try:
            db.execute("BEGIN IMMEDIATE")
            try:
                row = db.execute("SELECT id, hash FROM entries ORDER BY id DESC LIMIT 1").fetchone()
                entry_id, prev = (1, GENESIS) if row is None else (int(row[0]) + 1, str(row[1]))
                stored = {**content, "id": entry_id}
                text = canonical(stored)
                digest = chain_hash(prev, text)
                db.execute(
                    "INSERT INTO entries (id, entry, prev, hash) VALUES (?, ?, ?, ?)",
                    (entry_id, text.decode("utf-8"), prev, digest),
                )
                db.execute("COMMIT")
            except BaseException:
                with contextlib.suppress(sqlite3.Error):
                    db.execute("ROLLBACK")
                raise
        except (sqlite3.Error, OSError) as exc:
            raise self._problem("written", exc) from exc
        except (TypeError, orjson.JSONEncodeError) as exc:
            raise errors.ConfigError(f"A journal entry could not be encoded ({exc}).") from exc
        return Entry(entry_id, orjson.loads(text), prev, digest)

    def _rows(self) -> Iterator[tuple[Any, Any, Any, Any]]:  # as stored: a hand-edited row may hold anything
        try:
            yield from self._conn().execute("SELECT id, entry, prev, hash FROM entries ORDER BY id")
        except sqlite3.Error as exc:
            raise self._problem("read", exc) from exc

    def entries(self) -> list[Entry]:
        """Every entry, oldest first (an unreadable one is reported by :meth:`verify`; here it is shown empty)."""
        found = []
        for entry_id, text, prev, digest in self._rows():
            try:
                content = orjson.loads(text)
            except orjson.JSONDecodeError:
                content = {}
            found.append(Entry(int(entry_id), content if isinstance(content, dict) else {}, str(prev), str(digest)))
        return found

    def get(self, entry_id: int) -> Entry:
        for entry in self.entries():
            if entry.id == entry_id:
                return entry
        raise errors.InputError(f"The journal has no entry {entry_id}.")

    def verify(self) -> Verification:
        """Walk the chain from the first entry; the first entry that does not fit, and why."""
        expected_prev, count, expected_id = GENESIS, 0, 1
        for entry_id, text, prev, digest in self._rows():
            count += 1
            if not isinstance(text, str) or not isinstance(prev, str) or not isinstance(digest, str):
                return Verification(count, entry_id, "its columns are not text")
            if entry_id != expected_id:
                return Verification(count, entry_id, f"entry {expected_id} is missing before it")
            if prev != expected_prev:
                return Verification(count, entry_id, "it does not follow the entry before it (moved, or one removed)")
            if chain_hash(prev, text.encode("utf-8")) != digest:
                return Verification(count, entry_id, "its content does not match its hash (edited)")
            try:
                content = orjson.loads(text)
            except orjson.JSONDecodeError:
                return Verification(count, entry_id, "its content is not JSON")
            if not isinstance(content, dict) or content.get("id") != entry_id or canonical(content) != text.encode():
                return Verification(count, entry_id, "its content is not the entry it claims to be (moved or edited)")
            expected_prev, expected_id = digest, expected_id + 1
        return Verification(count)
