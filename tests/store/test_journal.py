"""The change journal (store/journal.py): append, read back, the hash chain, tampering, concurrency, failures."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from birdadmin import errors
from birdadmin.store import paths
from birdadmin.store.journal import FILE_NAME, GENESIS, Journal, canonical, chain_hash


def _content(n: int) -> dict[str, Any]:
    return {"time": "2026-01-01T00:00:00Z", "target": {"kind": "user", "id": f"u{n}", "name": f"user {n}"},
            "before": [], "after": [f"r{n}"], "status": "changed"}


@pytest.fixture
def journal(tmp_path: Path) -> Iterator[Journal]:
    j = Journal(tmp_path / FILE_NAME).open()
    yield j
    j.close()


def _fill(journal: Journal, n: int = 4) -> None:
    for i in range(1, n + 1):
        journal.append(_content(i))


def _raw(journal: Journal) -> sqlite3.Connection:
    return sqlite3.connect(journal.path, isolation_level=None)


def test_the_data_dir_is_the_tests_own(tmp_path: Path) -> None:
    here = paths.data_dir()
    assert os.environ["BIRDADMIN_DATA_DIR"] == str(here) and here.is_dir()
    assert Journal().path == here / FILE_NAME


def test_append_read_and_verify(journal: Journal) -> None:
    _fill(journal, 3)
    entries = journal.entries()
    assert [e.id for e in entries] == [1, 2, 3]
    assert entries[0].prev == GENESIS and entries[1].prev == entries[0].hash
    assert entries[2].content == {**_content(3), "id": 3}
    assert journal.get(2).content["target"]["id"] == "u2"
    result = journal.verify()
    assert result.intact and result.count == 3
    with pytest.raises(errors.InputError, match="no entry 9"):
        journal.get(9)


def test_an_empty_journal_is_intact(journal: Journal) -> None:
    assert journal.verify().intact and journal.entries() == []


def test_an_edited_entry_is_named(journal: Journal) -> None:
    _fill(journal)
    with _raw(journal) as db:
        db.execute("UPDATE entries SET entry = replace(entry, 'r3', 'r9') WHERE id = 3")
    result = journal.verify()
    assert result.bad_id == 3 and "edited" in result.reason


def test_an_edit_that_recomputes_its_own_hash_breaks_the_next_link(journal: Journal) -> None:
    _fill(journal)
    entry = journal.get(2)
    forged = canonical({**entry.content, "after": ["owner"]})
    with _raw(journal) as db:
        db.execute("UPDATE entries SET entry = ?, hash = ? WHERE id = 2",
                   (forged.decode(), chain_hash(entry.prev, forged)))
    assert journal.verify().bad_id == 3


def test_a_deleted_entry_is_named(journal: Journal) -> None:
    _fill(journal)
    with _raw(journal) as db:
        db.execute("DELETE FROM entries WHERE id = 2")
    result = journal.verify()
    assert result.bad_id == 3 and "missing" in result.reason


def test_two_swapped_entries_are_found(journal: Journal) -> None:
    _fill(journal)
    with _raw(journal) as db:  # rows 2 and 3 trade places: each keeps its content, prev and hash
        db.execute("UPDATE entries SET id = -2 WHERE id = 2")
        db.execute("UPDATE entries SET id = 2 WHERE id = 3")
        db.execute("UPDATE entries SET id = 3 WHERE id = -2")
    result = journal.verify()
    assert result.bad_id == 2 and "follow" in result.reason


def test_swapped_contents_are_found(journal: Journal) -> None:
    _fill(journal)
    with _raw(journal) as db:
        rows = {i: db.execute("SELECT entry, prev, hash FROM entries WHERE id = ?", (i,)).fetchone() for i in (2, 3)}
        for i, j in ((2, 3), (3, 2)):
            db.execute("UPDATE entries SET entry = ?, prev = ?, hash = ? WHERE id = ?", (*rows[j], i))
    assert journal.verify().bad_id == 2


def test_threads_appending_at_once_keep_one_chain(tmp_path: Path) -> None:
    path = tmp_path / FILE_NAME

    def append(n: int) -> None:
        with Journal(path) as j:
            j.append(_content(n))

    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(append, range(40)))
    with Journal(path) as j:
        result = j.verify()
        assert result.intact and result.count == 40
        assert sorted(e.content["target"]["id"] for e in j.entries()) == sorted(f"u{n}" for n in range(40))


def test_processes_appending_at_once_keep_one_chain(tmp_path: Path) -> None:
    path = tmp_path / FILE_NAME
    script = (
        "import sys\nfrom pathlib import Path\nfrom birdadmin.store.journal import Journal\n"
        "with Journal(Path(sys.argv[1])) as j:\n"
        "    for n in range(15):\n"
        "        j.append({'target': {'kind': 'user', 'id': sys.argv[2] + str(n)}, 'status': 'changed'})\n"
    )
    procs = [subprocess.Popen([sys.executable, "-c", script, str(path), f"p{p}-"]) for p in range(3)]
    assert [p.wait(timeout=60) for p in procs] == [0, 0, 0]
    with Journal(path) as j:
        result = j.verify()
        assert result.intact and result.count == 45


def test_an_unwritable_journal_is_one_sentence(tmp_path: Path) -> None:
    blocked = tmp_path / "not-a-dir"
    blocked.write_text("a file where the directory should be")
    with pytest.raises(errors.ConfigError, match="could not be opened") as caught:
        Journal(blocked / FILE_NAME).open()
    assert "\n" not in caught.value.message


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="needs file permissions that bind (not root)")
def test_a_read_only_journal_is_one_sentence(tmp_path: Path) -> None:
    path = tmp_path / FILE_NAME
    with Journal(path) as j:
        j.append(_content(1))
    path.chmod(0o400)
    tmp_path.chmod(0o500)
    try:
        with pytest.raises(errors.ConfigError, match="journal"), Journal(path) as j:
            j.append(_content(2))
    finally:
        tmp_path.chmod(0o700)
        path.chmod(0o600)


def test_a_journal_that_is_not_sqlite_is_one_sentence(tmp_path: Path) -> None:
    path = tmp_path / FILE_NAME
    path.write_bytes(b"this is not a database" * 100)
    with pytest.raises(errors.ConfigError, match="could not be opened"):
        Journal(path).open()


def test_a_newer_journal_is_left_alone(tmp_path: Path) -> None:
    path = tmp_path / FILE_NAME
    with Journal(path) as j:
        j.append(_content(1))
    with sqlite3.connect(path) as db:
        db.execute("PRAGMA user_version = 99")
    with pytest.raises(errors.ConfigError, match="newer birdadmin"):
        Journal(path).open()


def test_the_file_is_private(journal: Journal) -> None:
    if os.name == "posix":
        assert journal.path.stat().st_mode & 0o077 == 0


_json_text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=20)
_json = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**53), 2**53) | _json_text,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(_json_text, children, max_size=4),
    max_leaves=12,
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(contents=st.lists(st.dictionaries(_json_text.filter(lambda k: k != "id"), _json, max_size=5), max_size=4))
def test_any_content_round_trips_and_verifies(tmp_path: Path, contents: list[dict[str, Any]]) -> None:
    path = tmp_path / f"j{abs(hash(orjson.dumps(contents))) % 10**12}.sqlite3"
    path.unlink(missing_ok=True)
    with Journal(path) as j:
        stored = [j.append(c) for c in contents]
        read = j.entries()
        assert [e.content for e in read] == [{**c, "id": i} for i, c in enumerate(contents, 1)]
        assert [e.hash for e in read] == [e.hash for e in stored]
        assert j.verify().intact
    path.unlink(missing_ok=True)
