"""The planned-change queue, kept in SQLite so that a queue (and how far an apply got) outlives the window.

One file, ``changes.sqlite3`` in the data directory (mode 0600: it names users, groups and roles), one row per
change: ``profile`` (the profile's id, or "demo"), ``id`` (the change's id), ``position`` (the planned order) and
``change`` (``Change.to_json`` as JSON text). The file is in WAL mode and every write is one transaction begun with
``BEGIN IMMEDIATE``, so two windows (or threads) writing at once take turns instead of failing.

Durability: :meth:`ChangeStore.update` runs on worker threads at every status change of an apply (in-flight, done,
conflict, ...), so it must be cheap and must not be lost once it returned. A commit in WAL mode with
``synchronous=NORMAL`` is written to the WAL file before it returns, so a crash of the process (SIGKILL included)
loses nothing already returned; only a power cut or an OS crash can lose the last commits before a checkpoint. That
is accepted here: a change then shows as it was a moment earlier (pending or in flight), and applying it again is
checked against its ``before`` and ``version`` (ETags where the server has them, docs/bird.md U2 and U7; a
difference is a conflict, never an overwrite). ``tests/store/test_change_store.py`` kills a writer with SIGKILL
and reloads.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Iterable
from pathlib import Path

import orjson

from birdadmin import errors
from birdadmin.domain.changes import Change
from birdadmin.store.sqlite_file import SharedFile, SqliteFile

FILE_NAME = "changes.sqlite3"
SCHEMA_VERSION = 1

log = logging.getLogger(__name__)

_SCHEMA = (
    """CREATE TABLE IF NOT EXISTS changes (
        profile  TEXT    NOT NULL,
        id       TEXT    NOT NULL,
        position INTEGER NOT NULL,
        change   TEXT    NOT NULL,
        PRIMARY KEY (profile, id)
    )""",
    "CREATE INDEX IF NOT EXISTS changes_order ON changes (profile, position)",
)
# In WAL mode, synchronous=NORMAL is durable across a process crash (see the module docstring).
FILE = SqliteFile(FILE_NAME, "the planned changes", True, _SCHEMA, SCHEMA_VERSION, synchronous="NORMAL")
# A new change goes after the profile's last; one already stored keeps its place (and its row is rewritten).
_UPSERT = """
INSERT INTO changes (profile, id, position, change)
VALUES (?1, ?2, (SELECT COALESCE(MAX(position), -1) + 1 FROM changes WHERE profile = ?1), ?3)
ON CONFLICT (profile, id) DO UPDATE SET change = excluded.change
"""


def _encode(change: Change) -> str:
    return orjson.dumps(change.to_json()).decode("utf-8")


def _profile_key(profile: str) -> str:
    if not isinstance(profile, str) or not profile:
        raise errors.InputError("A planned change needs the profile it belongs to (its id, or \"demo\").")
    return profile


class ChangeStore(SharedFile):
    """The queue file at ``path`` (default: ``changes.sqlite3`` in the data directory), opened on first use.

    One connection, shared by every thread under a lock: each call is short (one transaction), and SQLite's
    own locking makes several windows on one file take turns.
    """

    def __init__(self, path: Path | None = None) -> None:
        super().__init__(FILE, path)

    def load(self, profile: str) -> list[Change]:
        """The profile's changes in planned order; a row that is not a change is skipped and logged (not shown)."""
        key = _profile_key(profile)
        rows = self._read(lambda db: db.execute(
            "SELECT id, change FROM changes WHERE profile = ? ORDER BY position, id", (key,)
        ).fetchall())
        found: list[Change] = []
        for row_id, text in rows:
            try:
                data = orjson.loads(text)
                if not isinstance(data, dict):
                    raise ValueError("not a JSON object")
                found.append(Change.from_json(data))
            except (ValueError, TypeError) as exc:  # orjson.JSONDecodeError is a ValueError
                log.warning("Skipped planned change %r in %s: it is not a change (%s).", row_id, self.path, exc)
        return found

    def save(self, profile: str, changes: Iterable[Change]) -> None:
        """Store ``changes`` (new ones after the profile's last, known ones in place), in one transaction."""
        key = _profile_key(profile)
        rows = [(key, c.id, _encode(c)) for c in changes]
        self._write(lambda db: db.executemany(_UPSERT, rows))

    def update(self, profile: str, change: Change) -> None:
        """Store one change (a status change during an apply); thread-safe, and kept once this returns."""
        row = (_profile_key(profile), change.id, _encode(change))
        self._write(lambda db: db.execute(_UPSERT, row))

    def remove(self, profile: str, ids: Iterable[str]) -> None:
        key = _profile_key(profile)
        rows = [(key, change_id) for change_id in ids]
        self._write(lambda db: db.executemany("DELETE FROM changes WHERE profile = ? AND id = ?", rows))

    def replace_all(self, profile: str, changes: Iterable[Change]) -> None:
        """Make the stored queue exactly ``changes``, in this order (one transaction: the old queue or the new)."""
        key = _profile_key(profile)
        rows = [(key, c.id, position, _encode(c)) for position, c in enumerate(changes)]

        def work(db: sqlite3.Connection) -> None:
            db.execute("DELETE FROM changes WHERE profile = ?", (key,))
            db.executemany("INSERT OR REPLACE INTO changes (profile, id, position, change) VALUES (?, ?, ?, ?)", rows)

        self._write(work)

    def __enter__(self) -> ChangeStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
