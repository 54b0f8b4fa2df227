"""The persisted queue of planned changes (store/change_store.py): order, upserts, profiles kept apart, malformed
rows skipped, failures as one sentence, concurrent writers, and a writer killed with SIGKILL losing nothing that
``update`` had returned."""

from __future__ import annotations

import logging
import os
import signal
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path

import pytest

from birdadmin import errors
from birdadmin.domain.changes import Change
from birdadmin.store import paths
from birdadmin.store.change_store import FILE_NAME, ChangeStore

ROLE_A = "0b0c7d7e-1111-4a4a-8b8b-000000000001"
ROLE_B = "0b0c7d7e-1111-4a4a-8b8b-000000000002"


def _change(n: int, *, kind: str = "user-roles") -> Change:
    if kind == "group-members":
        return Change("group-members", f"g{n}", f"group {n}", ("u1",), ("u1", f"u{n}"), version='W/"3"')
    return Change("user-roles", f"u{n}", f"user{n}@example.com", (ROLE_A,), (ROLE_A, ROLE_B), version='W/"1"')


@pytest.fixture
def store(tmp_path: Path) -> Iterator[ChangeStore]:
    s = ChangeStore(tmp_path / FILE_NAME)
    yield s
    s.close()


def test_default_path_is_the_data_dir() -> None:
    with ChangeStore() as s:
        s.save("demo", [_change(1)])
        assert s.path == paths.data_dir() / FILE_NAME and s.path.exists()


def test_round_trip_in_planned_order(store: ChangeStore) -> None:
    changes = [_change(5), _change(2, kind="group-members"), _change(9)]
    store.save("p1", changes)
    assert store.load("p1") == changes
    assert store.load("p2") == []


def test_profiles_are_kept_apart(store: ChangeStore) -> None:
    a, b = _change(1), _change(2)
    store.save("p1", [a])
    store.save("demo", [b])
    store.replace_all("p1", [])
    assert store.load("p1") == [] and store.load("demo") == [b]


def test_save_and_update_keep_places_and_append_new_ones(store: ChangeStore) -> None:
    first, second = _change(1), _change(2)
    store.save("p", [first, second])
    done = replace(first, status="done")
    store.update("p", done)
    third = _change(3)
    store.update("p", third)
    store.save("p", [replace(second, status="failed", reason="HTTP 500"), _change(4)])
    loaded = store.load("p")
    assert [c.id for c in loaded] == [first.id, second.id, third.id, loaded[3].id]
    assert loaded[0].status == "done" and loaded[1].status == "failed" and loaded[1].reason == "HTTP 500"


def test_remove_and_replace_all(store: ChangeStore) -> None:
    changes = [_change(n) for n in range(5)]
    store.save("p", changes)
    store.remove("p", [changes[1].id, changes[3].id, "no-such-id"])
    assert store.load("p") == [changes[0], changes[2], changes[4]]
    now = [changes[4], _change(7), changes[0]]
    store.replace_all("p", now)
    assert store.load("p") == now


def test_malformed_rows_are_skipped_and_logged(store: ChangeStore, caplog: pytest.LogCaptureFixture) -> None:
    good = _change(1)
    store.save("p", [good])
    with sqlite3.connect(store.path, isolation_level=None) as db:
        rows = [("p", "bad-json", 1, "{not json"), ("p", "bad-list", 2, "[1, 2]"),
                ("p", "bad-kind", 3, '{"id": "x", "kind": "delete-everything", "targetId": "u"}'),
                ("p", "bad-roles", 4, '{"id": "y", "kind": "user-roles", "targetId": "u", "before": "r", "after": []}')]
        db.executemany("INSERT INTO changes VALUES (?, ?, ?, ?)", rows)
    db.close()
    with caplog.at_level(logging.WARNING, logger="birdadmin.store.change_store"):
        assert store.load("p") == [good]
    skipped = [r.getMessage() for r in caplog.records]
    assert len(skipped) == 4 and all(str(store.path) in m for m in skipped)


def test_the_file_is_private_and_in_wal_mode(store: ChangeStore) -> None:
    store.save("p", [_change(1)])
    if os.name == "posix":
        assert store.path.stat().st_mode & 0o077 == 0
    with sqlite3.connect(store.path) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    db.close()


def test_an_unopenable_store_is_one_sentence_naming_the_file(tmp_path: Path) -> None:
    blocked = tmp_path / "not-a-dir"
    blocked.write_text("a file where the directory should be")
    with pytest.raises(errors.ConfigError, match="could not be opened") as caught:
        ChangeStore(blocked / FILE_NAME).load("p")
    assert str(blocked / FILE_NAME) in caught.value.message and "\n" not in caught.value.message


def test_a_store_that_is_not_sqlite_is_one_sentence(tmp_path: Path) -> None:
    path = tmp_path / FILE_NAME
    path.write_bytes(b"this is not a database" * 100)
    with pytest.raises(errors.ConfigError, match="could not be opened"):
        ChangeStore(path).save("p", [_change(1)])


def test_a_newer_store_is_left_alone(tmp_path: Path) -> None:
    path = tmp_path / FILE_NAME
    with ChangeStore(path) as s:
        s.save("p", [_change(1)])
    with sqlite3.connect(path) as db:
        db.execute("PRAGMA user_version = 99")
    db.close()
    with pytest.raises(errors.ConfigError, match="newer birdadmin"):
        ChangeStore(path).load("p")


def test_an_empty_profile_key_is_refused(store: ChangeStore) -> None:
    with pytest.raises(errors.InputError):
        store.update("", _change(1))


def test_many_stores_opening_a_new_file_at_once(tmp_path: Path) -> None:
    """The WAL switch of a new file, from several connections at once (store/journal.py's retry, here too)."""
    path = tmp_path / FILE_NAME
    barrier = threading.Barrier(8)

    def write(n: int) -> None:
        with ChangeStore(path) as s:
            barrier.wait(timeout=30)
            s.update("p", _change(n))

    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(write, range(8)))
    with ChangeStore(path) as s:
        assert sorted(c.target_id for c in s.load("p")) == sorted(f"u{n}" for n in range(8))


def test_updates_from_many_threads_on_one_store(store: ChangeStore) -> None:
    changes = [_change(n) for n in range(200)]
    store.replace_all("p", changes)

    def finish(change: Change) -> None:
        store.update("p", replace(change, status="in-flight"))
        store.update("p", replace(change, status="done"))

    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(finish, changes))
    loaded = store.load("p")
    assert [c.id for c in loaded] == [c.id for c in changes] and {c.status for c in loaded} == {"done"}


def test_processes_writing_at_once(tmp_path: Path) -> None:
    path = tmp_path / FILE_NAME
    script = (
        "import sys\nfrom pathlib import Path\nfrom birdadmin.domain.changes import Change\n"
        "from birdadmin.store.change_store import ChangeStore\n"
        "with ChangeStore(Path(sys.argv[1])) as s:\n"
        "    for n in range(20):\n"
        "        s.update('p', Change('user-roles', sys.argv[2] + str(n), 'u', ('r',), ('r', 's')))\n"
    )
    procs = [subprocess.Popen([sys.executable, "-c", script, str(path), f"p{p}-"]) for p in range(3)]
    assert [p.wait(timeout=60) for p in procs] == [0, 0, 0]
    with ChangeStore(path) as s:
        assert len(s.load("p")) == 60


_KILLED_WRITER = """
import sys
from pathlib import Path
from birdadmin.domain.changes import Change
from birdadmin.store.change_store import ChangeStore

store = ChangeStore(Path(sys.argv[1]))
n = 0
while True:
    change = Change("user-roles", f"u{n}", f"user{n}", ("r",), ("r", "s"), status="done", id=f"c{n}")
    store.update("p", change)
    sys.stdout.write(change.id + "\\n")
    sys.stdout.flush()
    n += 1
"""


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
def test_a_writer_killed_mid_write_loses_nothing_already_returned(tmp_path: Path) -> None:
    path = tmp_path / FILE_NAME
    returned: list[str] = []
    with subprocess.Popen([sys.executable, "-c", _KILLED_WRITER, str(path)], stdout=subprocess.PIPE,
                          text=True) as proc:
        assert proc.stdout is not None
        try:
            while len(returned) < 300:  # well into the loop: the kill lands among writes
                line = proc.stdout.readline()
                assert line, "the writer ended before it was killed"
                returned.append(line.strip())
            proc.send_signal(signal.SIGKILL)
            returned += [line.strip() for line in proc.stdout if line.strip()]  # printed before the kill landed
        finally:
            proc.kill()
            proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    with ChangeStore(path) as s:
        kept = {c.id for c in s.load("p")}
    assert set(returned) <= kept
    assert len(kept) - len(returned) <= 1  # at most the one being written when it died
