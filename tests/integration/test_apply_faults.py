"""A bulk role change across 500 users on a flaky, rate-limited emulator (20% of requests answered 500/503, half
of the 500s on writes after applying them; a token-bucket 429): after at most three rounds (the changes left
failed applied again) every user holds exactly the intended roles, and the per-change report and the journal
tell the truth about each one."""

from __future__ import annotations

import threading
import time
from collections import Counter
from dataclasses import replace
from pathlib import Path

from birdadmin.domain.changes import Change, plan_user_roles
from birdadmin.emulator import EmulatorOptions, start_emulator
from birdadmin.net.session import HttpSettings
from birdadmin.scim.endpoint import ScimSettings
from birdadmin.services.apply import Applier
from birdadmin.store.journal import Journal
from tests.services.helpers import session_on

ROUNDS = 3


def test_500_users_with_faults_and_rate_limit_end_as_intended(tmp_path: Path) -> None:
    started = time.monotonic()
    with start_emulator(EmulatorOptions(port=0, users=500, groups=2, seed=21, max_page_size=100)) as emu:
        catalogue = [r["id"] for r in emu.state.roles()]
        grant, revoke = catalogue[2], catalogue[3]
        http = HttpSettings(timeout=10, backoff_base=0.01, backoff_cap=0.05, retry_after_cap=1.0, max_retries=8)
        with session_on(emu, ScimSettings(concurrency=8, write_attempts=6), http=http) as session:
            users = session.scim.list_users()
            assert len(users) == 500
            changes = plan_user_roles(None, users, add=[grant], remove=[revoke])
            intended = {c.target_id: c.after for c in changes}
            emu.configure(fault_rate=0.2, rate_limit=150.0)
            journal = Journal(tmp_path / "journal.sqlite3")
            lock = threading.Lock()
            statuses: Counter[str] = Counter()

            def seen(change: Change) -> None:
                with lock:
                    statuses[change.status] += 1

            answers: Counter[int] = Counter()
            session.scim._session._client.event_hooks["response"].append(
                lambda response: answers.update([response.status_code]))
            applier = Applier(session, journal=journal, profile_record={"name": "bulk"}, on_update=seen)
            results = {c.id: c for c in changes}
            todo = [c for c in changes if not c.is_noop]
            for _ in range(ROUNDS):
                for change in applier.apply(todo):
                    results[change.id] = change
                todo = [replace(c, status="pending") for c in results.values() if c.status == "failed"]
                if not todo:
                    break
            emu.configure(fault_rate=0.0, rate_limit=None)

    assert time.monotonic() - started < 60
    assert not todo, [c.reason for c in todo]
    for change in results.values():
        truth = tuple(emu.state.user(change.target_id)["roles"])
        assert sorted(truth) == sorted(intended[change.target_id]), change  # user by user
        if change.is_noop:
            assert change.status == "pending"  # never sent: planning already showed nothing to do
            continue
        assert change.status == "done", change  # every user held ``before``: nothing else is the truth
        assert change.theirs is None
    done = {c.id for c in results.values() if c.status == "done"}
    assert len(done) == sum(1 for c in changes if not c.is_noop) > 400
    assert answers[500] + answers[503] > 100 and answers[429] > 0, answers  # the faults really happened
    entries = [e.content for e in journal.entries()]
    assert sorted(e["change"] for e in entries if e["status"] == "changed") == sorted(done)  # each once
    assert journal.verify().intact
    assert statuses["in-flight"] >= len([c for c in changes if not c.is_noop])
    assert emu.request_count < 500 * 12  # bounded traffic
