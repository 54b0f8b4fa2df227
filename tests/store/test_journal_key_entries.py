"""Access-key entries (journal_entries.py) in the hash-chained journal: a journal written before they existed
still verifies with them appended, tampering with one is found, their text, and why they are never undone."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from pathlib import Path

import pytest

from birdadmin import errors
from birdadmin.bird.access_keys import AccessKey
from birdadmin.domain.journal_undo import key_undo_refusal, undo_target
from birdadmin.journal_entries import (
    envelope,
    key_created_entry,
    key_entry_text,
    key_revoked_entry,
)
from birdadmin.services.key_rotation import RotationResult
from birdadmin.store.journal import GENESIS, Journal

ROLE_A, ROLE_B = "0b7c3f4e-0000-4000-8000-00000000000a", "0b7c3f4e-0000-4000-8000-00000000000b"
OLD = AccessKey("k-old", "Zapier", "", "Ab12", (ROLE_A,), "2026-01-01T00:00:00Z", None)
NEW = AccessKey("k-new", "Zapier (rotated)", "", "Zz99", (ROLE_A,), "2026-12-01T00:00:00Z", None)
PROFILE = {"name": "acme", "id": "p1"}


def _wrap(content: dict[str, object]) -> dict[str, object]:
    return envelope(content, time="2026-12-01T00:00:00Z", os_user="ann", profile=PROFILE, requests=[])


def _older_journal(path: Path) -> None:
    """A journal as birdadmin wrote it before key entries: rows hashed here by hand, not through Journal.append."""
    Journal(path).open().close()  # the schema
    db = sqlite3.connect(path)
    prev = GENESIS
    for n in (1, 2):
        content = {"id": n, "time": "2026-11-30T10:00:00Z", "osUser": "ann", "profile": PROFILE,
                   "target": {"kind": "user", "id": f"u{n}", "name": f"user{n}"}, "action": "users roles add",
                   "requested": [ROLE_A], "before": [], "after": [ROLE_A], "status": "changed", "requests": []}
        text = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        digest = hashlib.sha256(prev.encode() + text.encode()).hexdigest()
        db.execute("INSERT INTO entries (id, entry, prev, hash) VALUES (?, ?, ?, ?)", (n, text, prev, digest))
        prev = digest
    db.commit()
    db.close()


def test_an_older_journal_still_verifies_with_key_entries_after_it(tmp_path: Path) -> None:
    path = tmp_path / "journal.sqlite3"
    _older_journal(path)
    with Journal(path) as journal:
        assert journal.verify().intact and journal.verify().count == 2
        journal.append(_wrap(key_created_entry(NEW, [ROLE_A])))
        journal.append(_wrap(key_revoked_entry(OLD)))
        result = journal.verify()
        assert result.intact and result.count == 4
        assert [e.content["target"]["kind"] for e in journal.entries()] == ["user", "user", "access key", "access key"]
    db = sqlite3.connect(path)
    text = db.execute("SELECT entry FROM entries WHERE id = 3").fetchone()[0]
    db.execute("UPDATE entries SET entry = ? WHERE id = 3", (text.replace("Zz99", "Zz98"),))
    db.commit()
    db.close()
    with Journal(path) as journal:
        assert journal.verify().bad_id == 3


def _rotation(stopped_at: str | None, completed: tuple[str, ...], new: AccessKey | None) -> RotationResult:
    message = "done" if stopped_at is None else f"Stopped at {stopped_at}; the old key still works."
    return RotationResult(completed, stopped_at, message, new, OLD, "p1")


def test_the_entries_and_their_text() -> None:
    created = key_created_entry(AccessKey("k1", "CI", "", "Qw34", None, None, None), [ROLE_B])
    assert created["roles"] == [ROLE_B] and created["after"] == ["Qw34"]  # the server did not say: what was asked
    assert key_entry_text(created) == "key created …Qw34"
    assert key_entry_text(key_revoked_entry(OLD)) == "key revoked …Ab12"
    done = _rotation(None, ("create", "store", "test", "switch", "revoke"), NEW).journal_entry()
    assert done is not None and (done["before"], done["after"], done["status"]) == (["Ab12"], ["Zz99"], "rotated")
    assert key_entry_text(done) == "key rotated …Ab12 -> …Zz99"
    stopped = _rotation("revoke", ("create", "store", "test", "switch"), NEW).journal_entry()
    assert stopped is not None and stopped["after"] == ["Zz99"] and stopped["failedStep"] == "revoke"
    assert key_entry_text(stopped) == "key rotated …Ab12 -> …Zz99 (failed at revoke)"
    early = _rotation("test", ("create", "store"), NEW).journal_entry()
    assert early is not None and early["after"] == ["Ab12"] and "still works" in early["reason"]
    assert _rotation("create", (), None).journal_entry() is None  # nothing was created: nothing to record
    assert key_entry_text({"target": {"kind": "user"}}) is None
    assert key_entry_text({"target": {"kind": "access key", "suffix": 7}, "action": 3}) == "key 3 …? (unknown)"


def test_key_entries_are_never_undone() -> None:
    created, revoked = key_created_entry(NEW, [ROLE_A]), key_revoked_entry(OLD)
    assert "keys revoke k-new" in (key_undo_refusal(4, created) or "")
    assert "cannot come back" in (key_undo_refusal(5, revoked) or "")
    assert key_undo_refusal(6, {"target": {"kind": "user", "id": "u1"}}) is None
    with pytest.raises(errors.InputError, match="cannot come back"):
        undo_target(5, {**revoked, "status": "changed"})
