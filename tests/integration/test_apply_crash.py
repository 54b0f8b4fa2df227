"""The process killed with SIGKILL in the middle of an apply (some changes done, some on the wire, the rest
waiting) loses nothing: the queue kept in SQLite
(store/change_store.py) says what was pending and what was in flight, the restart re-checks the in-flight ones
against the server (services/recovery.py) and finishing the rest leaves every user as intended, each change
journaled once."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import pytest

from birdadmin.domain.changes import plan_user_roles
from birdadmin.emulator import EmulatorOptions, start_emulator
from birdadmin.services.apply import Applier
from birdadmin.services.recovery import recover
from birdadmin.store.change_store import ChangeStore
from birdadmin.store.journal import Journal
from tests.services.helpers import session_at

USERS = 60
PROFILE = "crash-test"

# The child: the queue from the store, applied with every status change written back as it happens (as the
# window does); it prints a line once the first change is done, then carries on until it is killed.
CHILD = """
import sys
from pathlib import Path
from birdadmin.connection import ConnectionSpec
from birdadmin.net.session import HttpSettings
from birdadmin.org_load import Session
from birdadmin.scim.endpoint import ScimSettings
from birdadmin.services.apply import Applier
from birdadmin.store.change_store import ChangeStore
from birdadmin.store.journal import Journal

base_url, key, store_path, journal_path, profile = sys.argv[1:6]
store = ChangeStore(Path(store_path))
session = Session(ConnectionSpec("crash", base_url, key, scim=ScimSettings(),
                                 http=HttpSettings(timeout=10, max_retries=2)))
announced = []

def seen(change):
    store.update(profile, change)
    if change.status == "done" and not announced:
        announced.append(change.id)
        print("first-done", flush=True)

Applier(session, journal=Journal(Path(journal_path)), profile_record={"name": profile}, on_update=seen,
        concurrency=2).apply(store.load(profile))
print("finished", flush=True)
"""


@pytest.mark.skipif(os.name != "posix", reason="SIGKILL is POSIX")
def test_sigkill_during_an_apply_loses_nothing(tmp_path: Path) -> None:
    store_path, journal_path = tmp_path / "changes.sqlite3", tmp_path / "journal.sqlite3"
    started = time.monotonic()
    with start_emulator(EmulatorOptions(port=0, users=USERS, groups=1, seed=5, latency_ms=60)) as emu:
        grant = emu.state.roles()[4]["id"]
        with session_at(emu.scim_url, emu.key) as session:
            users = session.scim.list_users()
            changes = [c for c in plan_user_roles(None, users, add=[grant]) if not c.is_noop]
            intended = {c.target_id: c.after for c in changes}
            with ChangeStore(store_path) as store:
                store.replace_all(PROFILE, changes)

            with subprocess.Popen(
                [sys.executable, "-c", CHILD, emu.scim_url, emu.key, str(store_path), str(journal_path), PROFILE],
                stdout=subprocess.PIPE, text=True, env={**os.environ, "PYTHONPATH": os.getcwd()},
            ) as child:
                assert child.stdout is not None
                assert child.stdout.readline().strip() == "first-done"
                time.sleep(0.15)  # a few more on the wire
                child.send_signal(signal.SIGKILL)
                assert child.wait(timeout=10) == -signal.SIGKILL

            with ChangeStore(store_path) as store:
                left = store.load(PROFILE)
            by_status = {s: [c for c in left if c.status == s] for s in ("done", "in-flight", "pending")}
            assert len(left) == len(changes)  # nothing lost
            assert by_status["done"] and by_status["in-flight"] and by_status["pending"], [c.status for c in left]

            journal = Journal(journal_path)
            recovered = recover(session, [c for c in left if c.status != "done"], journal=journal,
                                profile_record={"name": PROFILE})
            assert recovered.in_flight == len(by_status["in-flight"])
            assert recovered.conflicts == 0 and recovered.unchecked == 0
            assert "being applied when birdadmin stopped" in recovered.summary()
            todo = [replace(c, status="pending") for c in recovered.changes]
            results = Applier(session, journal=journal, profile_record={"name": PROFILE}).apply(todo)
            assert all(c.status == "done" for c in results), [(c.status, c.reason) for c in results]

    for user_id, roles in intended.items():  # every user as intended, by the server's own state
        assert sorted(emu.state.user(user_id)["roles"]) == sorted(roles)
    entries = [e.content for e in journal.entries()]
    assert sorted(e["change"] for e in entries) == sorted(c.id for c in changes)  # each change journaled once
    assert journal.verify().intact
    assert json.dumps(entries).count(emu.key) == 0
    assert time.monotonic() - started < 60
