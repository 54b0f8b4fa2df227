"""Planned-changes benchmark: planning a role for 10,000 users, and applying 1,000 role changes over 50 ms.

    .venv/bin/python -m tests.benchmarks.bench_changes [--users 10000] [--changes 1000] [--concurrency 8]

(1) ``domain.changes.plan_user_roles`` for --users users plus putting every change in a ChangeQueue, best of
    --repeat; target < 200 ms (a bulk edit needs no worker thread).
(2) ``services.apply.Applier`` applying --changes role additions against the emulator in its own process with
    ``--latency-ms 50`` (each answer 50 ms late), at --concurrency workers: once without a journal and once with
    one (every change journaled); target <= 1.3 x ceil(changes / concurrency) x 50 ms, one round trip per change.
Every figure is printed next to its target, misses included.
"""

from __future__ import annotations

import argparse
import math
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from birdadmin.connection import ConnectionSpec
from birdadmin.domain.changes import ChangeQueue, plan_user_roles
from birdadmin.net.session import HttpSettings
from birdadmin.org_load import Session
from birdadmin.scim.endpoint import ScimSettings
from birdadmin.scim.resources import User
from birdadmin.services.apply import Applier
from birdadmin.store.journal import Journal
from tests.benchmarks.common import emulator_process, verdict

LATENCY_MS = 50
PLAN_TARGET_MS = 200.0


def planning(users: int, repeat: int) -> list[str]:
    roles = [str(uuid.uuid4()) for _ in range(12)]
    people = [User(str(uuid.uuid4()), f"user{i}@example.com", f"User {i}", True, (roles[i % 12], roles[(i + 5) % 12]),
                   version='W/"1"') for i in range(users)]
    best = math.inf
    for _ in range(repeat):
        queue = ChangeQueue()
        started = time.perf_counter()
        for change in plan_user_roles(queue, people, add=[roles[3]]):
            queue.put(change)
        best = min(best, time.perf_counter() - started)
    ms = best * 1000
    return [f"plan a role for {users:,} users + queue: {ms:7.1f} ms (best of {repeat}; target < "
            f"{PLAN_TARGET_MS:.0f} ms) {verdict(ms < PLAN_TARGET_MS)}  [{len(queue):,} queued]"]


def _session(url: str, key: str, concurrency: int) -> Session:
    spec = ConnectionSpec("bench", url, key, scim=ScimSettings(concurrency=concurrency),
                          http=HttpSettings(timeout=30, max_connections=concurrency + 2))
    return Session(spec)


def applying(changes: int, concurrency: int) -> list[str]:
    target = 1.3 * math.ceil(changes / concurrency) * LATENCY_MS / 1000
    lines = []
    for journaled in (False, True):
        with emulator_process("--users", str(changes), "--groups", "2", "--latency-ms", str(LATENCY_MS)) as emu:
            session = _session(emu.scim_url, emu.key, concurrency)
            try:
                session.scim.capabilities()  # read once when the directory loads, as in the window
                users = session.scim.list_users()[:changes]
                role = _unused_role(users)
                planned = [c for c in plan_user_roles(None, users, add=[role]) if not c.is_noop]
                with tempfile.TemporaryDirectory() as tmp:
                    journal = Journal(Path(tmp) / "journal.sqlite3") if journaled else None
                    applier = Applier(session, journal=journal, profile_record={"name": "bench"},
                                      concurrency=concurrency)
                    started = time.perf_counter()
                    results = applier.apply(planned)
                    elapsed = time.perf_counter() - started
                    entries = len(journal.entries()) if journal is not None else 0
            finally:
                session.close()
        done = sum(1 for c in results if c.status == "done")
        label = "with journal" if journaled else "no journal  "
        lines.append(
            f"apply {len(planned):,} role changes, {LATENCY_MS} ms latency, concurrency {concurrency}, {label}: "
            f"{elapsed:6.2f} s (target <= {target:.2f} s = 1.3 x {math.ceil(changes / concurrency)} x "
            f"{LATENCY_MS} ms) {verdict(elapsed <= target)}  [{done:,} done{_journal_note(journaled, entries)}]"
        )
    return lines


def _journal_note(journaled: bool, entries: int) -> str:
    return f", {entries:,} journal entries" if journaled else ""


def _unused_role(users: list[User]) -> str:
    """A role UUID no user holds yet, so that every planned change sends a write."""
    held = {r for u in users for r in u.roles}
    while True:
        role = str(uuid.uuid4())
        if role not in held:
            return role


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=10_000)
    parser.add_argument("--changes", type=int, default=1_000)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    for line in planning(args.users, args.repeat):
        print(line, flush=True)
    for line in applying(args.changes, args.concurrency):
        print(line, flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())


