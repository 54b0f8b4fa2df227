"""The local SQLite files (the journal, the planned changes, the snapshots), opened the same way.

Each lives in the data directory, is created private to its user (it names servers, users and roles), runs in WAL
mode, carries its format in ``user_version`` and refuses one written by a newer birdadmin. Every problem is a
ConfigError sentence naming the file. Two processes creating a file at once can get SQLITE_BUSY from the WAL switch
without SQLite's busy handler being asked (the switch needs the only connection): :func:`retry_busy` retries it.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from birdadmin import errors

BUSY_TIMEOUT = 30.0  # seconds another process's write may hold a file before this one gives up

_T = TypeVar("_T")


def retry_busy(action: Callable[[], _T]) -> _T:
    """Run ``action``, retrying while SQLite answers "locked" or "busy" without waiting, up to BUSY_TIMEOUT."""
    deadline = time.monotonic() + BUSY_TIMEOUT
    pause = 0.005
    while True:
        try:
            return action()
        except sqlite3.OperationalError as exc:
            if ("locked" not in str(exc) and "busy" not in str(exc)) or time.monotonic() + pause > deadline:
                raise
            time.sleep(pause)
            pause = min(pause * 2, 0.2)


@dataclass(frozen=True, slots=True)
class SqliteFile:
    """One kind of file: its default name, its schema and format, and how sentences name it."""

    file_name: str
    noun: str  # "the journal", "the planned changes", "the snapshots"
    plural: bool  # "were written" / "was written"
    schema: Sequence[str]  # statements run on every open (CREATE ... IF NOT EXISTS)
    version: int
    synchronous: str | None = None  # e.g. "NORMAL": durable across a process crash in WAL mode

    @property
    def subject(self) -> str:
        return self.noun[:1].upper() + self.noun[1:]

    def default_path(self) -> Path:
        from birdadmin.store.paths import data_dir

        try:
            return data_dir() / self.file_name
        except OSError as exc:
            raise errors.ConfigError(
                f"The data directory for {self.noun} could not be created ({exc.strerror or exc}); set "
                "BIRDADMIN_DATA_DIR to a writable directory."
            ) from exc

    def problem(self, path: Path, doing: str, exc: BaseException) -> errors.ConfigError:
        reason = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
        return errors.ConfigError(f"{self.subject} at {path} could not be {doing} ({reason}).")

    def _prepare(self, db: sqlite3.Connection) -> int:
        db.execute("PRAGMA journal_mode=WAL")
        if self.synchronous:
            db.execute(f"PRAGMA synchronous={self.synchronous}")
        for statement in self.schema:
            db.execute(statement)
        found = int(db.execute("PRAGMA user_version").fetchone()[0])
        if found == 0:
            db.execute(f"PRAGMA user_version = {self.version}")
        return found

    def open(self, path: Path, *, shared: bool = False) -> sqlite3.Connection:
        """Open (creating if needed) and check the file; ``shared``: the connection may be used from any thread
        (its owner serialises the calls). A problem is a ConfigError, nothing else."""
        db: sqlite3.Connection | None = None
        try:
            new = not path.exists()
            db = sqlite3.connect(path, timeout=BUSY_TIMEOUT, isolation_level=None, check_same_thread=not shared)
            if new:
                with contextlib.suppress(OSError):
                    os.chmod(path, 0o600)
            conn = db
            found = retry_busy(lambda: self._prepare(conn))
            if found > self.version:
                raise errors.ConfigError(
                    f"{self.subject} at {path} {'were' if self.plural else 'was'} written by a newer birdadmin "
                    f"(format {found}); the file was left unchanged."
                )
        except errors.ConfigError:
            if db is not None:
                db.close()
            raise
        except (sqlite3.Error, OSError) as exc:
            if db is not None:
                db.close()
            raise self.problem(path, "opened", exc) from exc
        return db


class SharedFile:
    """One file of a :class:`SqliteFile` kind behind one connection, shared by every thread under a lock: each call
    is short, and SQLite's own locking makes several windows or processes on one file take turns."""

    def __init__(self, kind: SqliteFile, path: Path | None = None) -> None:
        self.kind = kind
        self.path = path if path is not None else kind.default_path()
        self._db: sqlite3.Connection | None = None
        self._lock = threading.Lock()

    def _problem(self, doing: str, exc: BaseException) -> errors.ConfigError:
        return self.kind.problem(self.path, doing, exc)

    def _open(self) -> sqlite3.Connection:
        """The connection (opened, created and checked on first use); the caller holds the lock."""
        if self._db is None:
            self._db = self.kind.open(self.path, shared=True)
        return self._db

    def _read(self, work: Callable[[sqlite3.Connection], _T]) -> _T:
        with self._lock:
            db = self._open()
            try:
                return work(db)
            except (sqlite3.Error, OSError) as exc:
                raise self._problem("read", exc) from exc

    def _write(self, work: Callable[[sqlite3.Connection], _T]) -> _T:
        """Run ``work`` in one ``BEGIN IMMEDIATE`` transaction; committed (and so kept) when this returns."""
        with self._lock:
            db = self._open()
            try:
                retry_busy(lambda: db.execute("BEGIN IMMEDIATE"))
                try:
                    result = work(db)
                    db.execute("COMMIT")
                except BaseException:
                    with contextlib.suppress(sqlite3.Error):
                        db.execute("ROLLBACK")
                    raise
            except (sqlite3.Error, OSError) as exc:
                raise self._problem("written", exc) from exc
            return result

    def close(self) -> None:
        with self._lock:
            if self._db is not None:
                self._db.close()
                self._db = None
