"""Saved organization states ("snapshots"), kept in a local SQLite file so that an audit can say what changed.

One file, ``snapshots.sqlite3`` in the data directory (mode 0600: it names every user, group and role), one row per
snapshot: when it was taken, the profile and the organization's label, how many users and groups it holds, whether
the listing was complete and whether roles through groups were known (docs/bird.md, H2), the content hash, and the
content itself (users, groups with members and team roles, the role catalogue) as canonical JSON compressed with
zlib in one blob.

The content hash is the SHA-256 (hex) of the canonical JSON: orjson, users sorted by id (id, userName,
displayName, active, roles sorted, email, externalId), groups by id (id, name, member ids sorted, role ids sorted or
null, team id) and the catalogue by id (id, name, description, source, type). Listing order and role order do not
change it, so two snapshots of an unchanged organization have the same hash. Access keys (issue 13), when the state
has any, are kept under ``keys`` by id (id, name, description, suffix, role ids sorted or null, createdAt); their
``lastUsedAt`` is not kept, as the key that reads the organization is used by that very reading (every snapshot
would differ). A state without keys has no ``keys`` entry, so snapshots saved before keys keep their hash.
:meth:`SnapshotStore.load` hashes what it decompressed and refuses a snapshot whose content no longer fits its
hash (a file edited by hand, or damaged); like the journal (store/journal.py) this detects changes, it does not
stop the machine's own user.

File handling follows store/change_store.py: WAL, every write one ``BEGIN IMMEDIATE`` transaction (two windows
saving at once take turns), one connection shared under a lock, problems as one ConfigError sentence naming the file.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import sqlite3
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import orjson

from birdadmin import errors
from birdadmin.domain.catalogue import RoleCatalogue, RoleInfo
from birdadmin.domain.org_state import GroupState, OrgState
from birdadmin.scim.resources import User
from birdadmin.store.sqlite_file import SharedFile, SqliteFile

FILE_NAME = "snapshots.sqlite3"
SCHEMA_VERSION = 1
CONTENT_FORMAT = 1
_LEVEL = 1  # zlib level: 6 compresses 100,000 users ~10% smaller at three times the time (bench_snapshots)

_T = TypeVar("_T")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS snapshots (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    taken_at          TEXT    NOT NULL,
    profile           TEXT    NOT NULL,
    label             TEXT    NOT NULL,
    users             INTEGER NOT NULL,
    groups            INTEGER NOT NULL,
    complete          INTEGER NOT NULL,
    group_roles_known INTEGER NOT NULL,
    content_hash      TEXT    NOT NULL,
    format            INTEGER NOT NULL,
    content           BLOB    NOT NULL
)
"""
_COLUMNS = "id, taken_at, profile, label, content_hash, users, groups, complete"


@dataclass(frozen=True, slots=True)
class SnapshotInfo:
    id: int
    taken_at: str
    profile: str
    label: str
    content_hash: str
    users: int
    groups: int
    complete: bool


@contextlib.contextmanager
def _gc_paused() -> Iterator[None]:
    """No cyclic collection while 100,000 rows are built: those objects hold no cycles, and the collector's passes
    over them cost a third of a save or a load (bench_snapshots); the collector is switched back on after."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


# -- the canonical content --------------------------------------------------------------------------------------


def canonical_content(state: OrgState) -> bytes:
    """The bytes a snapshot is hashed over (and stores, compressed): see the module docstring."""
    users = [[u.id, u.user_name, u.display_name, bool(u.active), sorted(u.roles), u.email, u.external_id]
             for u in sorted(state.users, key=lambda u: u.id)]
    groups = [[g.id, g.name, sorted(g.member_ids), None if g.role_ids is None else sorted(g.role_ids), g.team_id]
              for g in sorted(state.groups, key=lambda g: g.id)]
    catalogue = sorted([r.id, r.name, r.description, r.source, r.type] for r in state.catalogue.roles())
    accounts = state.catalogue.names_from_accounts
    content: dict[str, Any] = {"format": CONTENT_FORMAT, "users": users, "groups": groups, "catalogue": catalogue,
                               "namesFromAccounts": accounts}
    if state.keys:
        content["keys"] = [[k.id, k.name, k.description, k.suffix,
                            None if k.role_ids is None else sorted(k.role_ids), k.created_at]
                           for k in sorted(state.keys, key=lambda k: k.id)]
    return orjson.dumps(content)


def _keys(rows: list[Any]) -> tuple[Any, ...]:
    """Saved access keys as bird/access_keys.py's AccessKey (never used: ``lastUsedAt`` is not kept)."""
    if not rows:
        return ()
    from birdadmin.bird.access_keys import AccessKey

    return tuple(AccessKey(k[0], k[1], k[2], k[3], None if k[4] is None else tuple(k[4]), k[5], None) for k in rows)


def content_hash(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def _catalogue(rows: list[Any], names_from_accounts: bool) -> RoleCatalogue:
    accounts = [RoleInfo(r[0], r[1], r[2], r[4], "accounts") for r in rows if r[3] == "accounts"]
    catalogue = RoleCatalogue(accounts if (accounts or names_from_accounts) else None)
    local = [r for r in rows if r[3] == "local"]
    if local:
        import csv
        import io

        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(["id", "name", "description"])
        writer.writerows([r[0], r[1], r[2]] for r in local)
        catalogue.import_csv(out.getvalue())
    catalogue.learn(r[0] for r in rows if r[3] == "learned")
    return catalogue


def _state(data: dict[str, Any], meta: tuple[Any, ...]) -> OrgState:
    """An OrgState from decoded content; ``meta`` is (taken_at, label, profile, complete, group_roles_known)."""
    users = tuple(
        User(id=u[0], user_name=u[1], display_name=u[2], active=u[3], roles=tuple(u[4]), email=u[5],
             external_id=u[6])
        for u in data["users"]
    )
    groups = tuple(
        GroupState(g[0], g[1], tuple(g[2]), None if g[3] is None else tuple(g[3]), g[4]) for g in data["groups"]
    )
    catalogue = _catalogue(data["catalogue"], bool(data.get("namesFromAccounts")))
    taken_at, label, profile, complete, known = meta
    return OrgState(users, groups, catalogue, taken_at, label, profile, bool(complete), bool(known),
                    _keys(data.get("keys") or []))


# -- the file ---------------------------------------------------------------------------------------------------


FILE = SqliteFile(FILE_NAME, "the snapshots", True,
                  (_SCHEMA, "CREATE INDEX IF NOT EXISTS snapshots_profile ON snapshots (profile, id)"),
                  SCHEMA_VERSION, synchronous="NORMAL")  # durable across a process crash (store/change_store.py)


def _info(row: tuple[Any, ...]) -> SnapshotInfo:
    return SnapshotInfo(int(row[0]), str(row[1]), str(row[2]), str(row[3]), str(row[4]), int(row[5]), int(row[6]),
                        bool(row[7]))


class SnapshotStore(SharedFile):
    """The snapshot file at ``path`` (default: ``snapshots.sqlite3`` in the data directory), opened on first use."""

    def __init__(self, path: Path | None = None) -> None:
        super().__init__(FILE, path)

    def save(self, state: OrgState) -> SnapshotInfo:
        """Store ``state`` as a new snapshot (one transaction); the compression runs outside the file's lock."""
        with _gc_paused():
            content = canonical_content(state)
        digest = content_hash(content)
        blob = zlib.compress(content, _LEVEL)
        row = (state.taken_at, state.profile, state.label, len(state.users), len(state.groups), int(state.complete),
               int(state.group_roles_known), digest, CONTENT_FORMAT, blob)

        def work(db: sqlite3.Connection) -> int:
            cursor = db.execute(
                "INSERT INTO snapshots (taken_at, profile, label, users, groups, complete, group_roles_known, "
                "content_hash, format, content) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", row
            )
            return int(cursor.lastrowid or 0)

        new_id = self._write(work)
        return SnapshotInfo(new_id, state.taken_at, state.profile, state.label, digest, len(state.users),
                            len(state.groups), state.complete)

    def list(self, profile: str | None = None) -> list[SnapshotInfo]:
        """Snapshots, newest first (by id: ids only grow), of one profile or of all."""
        where, args = ("WHERE profile = ?", (profile,)) if profile is not None else ("", ())
        rows = self._read(lambda db: db.execute(
            f"SELECT {_COLUMNS} FROM snapshots {where} ORDER BY id DESC", args
        ).fetchall())
        return [_info(r) for r in rows]

    def info(self, snapshot_id: int) -> SnapshotInfo:
        row = self._read(lambda db: db.execute(
            f"SELECT {_COLUMNS} FROM snapshots WHERE id = ?", (snapshot_id,)
        ).fetchone())
        if row is None:
            raise errors.InputError(f"There is no snapshot {snapshot_id} in {self.path}.")
        return _info(row)

    def load(self, snapshot_id: int) -> OrgState:
        """The snapshot's organization; refused when its content does not fit its hash."""
        row = self._read(lambda db: db.execute(
            "SELECT taken_at, label, profile, complete, group_roles_known, content_hash, format, content "
            "FROM snapshots WHERE id = ?", (snapshot_id,)
        ).fetchone())
        if row is None:
            raise errors.InputError(f"There is no snapshot {snapshot_id} in {self.path}.")
        if int(row[6]) > CONTENT_FORMAT:
            raise errors.ConfigError(
                f"Snapshot {snapshot_id} in {self.path} was written by a newer birdadmin; it cannot be read here."
            )
        try:
            content = zlib.decompress(bytes(row[7]))
        except (zlib.error, TypeError) as exc:
            raise self._refused(snapshot_id) from exc
        if content_hash(content) != row[5]:
            raise self._refused(snapshot_id)
        try:
            with _gc_paused():
                return _state(orjson.loads(content), tuple(row[:5]))
        except (ValueError, TypeError, KeyError, IndexError, errors.BirdadminError) as exc:
            raise self._refused(snapshot_id) from exc

    def _refused(self, snapshot_id: int) -> errors.ConfigError:
        return errors.ConfigError(
            f"Snapshot {snapshot_id} in {self.path} does not match its content hash (the file was changed or "
            "damaged), so it was not opened."
        )


    def __enter__(self) -> SnapshotStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
