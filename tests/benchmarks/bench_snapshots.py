"""Snapshot benchmark: saving, loading and diffing an organization of 100,000 users, 2,000 groups and 50 roles.

    .venv/bin/python -m tests.benchmarks.bench_snapshots [--users 100000] [--groups 2000] [--roles 50]

(1) ``SnapshotStore.save`` of the state (canonical JSON, hash, zlib, one SQLite row); target <= 2 s.
(2) ``SnapshotStore.load`` of it (decompress, check the hash, rebuild the OrgState); no target, printed.
(3) ``domain.snapshot_diff.diff`` of it against a copy with a few thousand changes (direct roles, memberships, a
    group's roles); target <= 1 s.
Every figure is the best of --repeat and is printed next to its target, misses included.
"""

from __future__ import annotations

import argparse
import dataclasses
import math
import random
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from birdadmin.domain.catalogue import RoleCatalogue, RoleInfo
from birdadmin.domain.org_state import GroupState, OrgState
from birdadmin.domain.snapshot_diff import diff
from birdadmin.scim.resources import User
from birdadmin.store.snapshots import SnapshotStore
from tests.benchmarks.common import verdict

SAVE_TARGET_S = 2.0
DIFF_TARGET_S = 1.0


def big_state(users: int, groups: int, roles: int, seed: int = 1) -> OrgState:
    """Users with 0-3 direct roles, each in 0-4 groups; groups give 0-2 roles each."""
    rng = random.Random(seed)
    role_ids = [str(uuid.UUID(int=rng.getrandbits(128))) for _ in range(roles)]
    people = tuple(
        User(str(uuid.UUID(int=rng.getrandbits(128))), f"user{i}@example.com", f"User {i}", i % 17 != 0,
             tuple(rng.sample(role_ids, rng.randint(0, 3))), f"user{i}@example.com")
        for i in range(users)
    )
    members: list[list[str]] = [[] for _ in range(groups)]
    for person in people:
        for g in rng.sample(range(groups), rng.randint(0, 4)):
            members[g].append(person.id)
    teams = tuple(
        GroupState(str(uuid.UUID(int=rng.getrandbits(128))), f"Group {g}", tuple(members[g]),
                   tuple(rng.sample(role_ids, rng.randint(0, 2))), str(uuid.UUID(int=rng.getrandbits(128))))
        for g in range(groups)
    )
    catalogue = RoleCatalogue([RoleInfo(r, f"Role {i}", "", "organization", "accounts")
                               for i, r in enumerate(role_ids)])
    return OrgState(people, teams, catalogue, "2026-12-01T00:00:00Z", "Bench org", "bench")


def changed(state: OrgState, changes: int, seed: int = 2) -> OrgState:
    """A copy with ``changes`` users' direct roles changed, as many memberships moved, and three groups' roles."""
    rng = random.Random(seed)
    role_ids = [r.id for r in state.catalogue.roles()]
    users = list(state.users)
    for i in rng.sample(range(len(users)), changes):
        users[i] = dataclasses.replace(users[i], roles=(*users[i].roles[1:], rng.choice(role_ids)))
    groups = list(state.groups)
    for _ in range(changes):
        g = rng.randrange(len(groups))
        group = groups[g]
        extra = users[rng.randrange(len(users))].id
        groups[g] = dataclasses.replace(group, member_ids=(*group.member_ids[1:], extra))
    for g in rng.sample(range(len(groups)), 3):
        groups[g] = dataclasses.replace(groups[g], role_ids=(rng.choice(role_ids),))
    return dataclasses.replace(state, users=tuple(users), groups=tuple(groups), taken_at="2026-12-02T00:00:00Z")


def best(repeat: int, work: Callable[[], object]) -> tuple[float, object]:
    fastest, result = math.inf, None
    for _ in range(repeat):
        started = time.perf_counter()
        result = work()
        fastest = min(fastest, time.perf_counter() - started)
    return fastest, result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=100_000)
    parser.add_argument("--groups", type=int, default=2_000)
    parser.add_argument("--roles", type=int, default=50)
    parser.add_argument("--changes", type=int, default=2_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    state = big_state(args.users, args.groups, args.roles)
    other = changed(state, args.changes)
    print(f"{args.users} users, {args.groups} groups, {args.roles} roles, {args.changes} changed users and groups")
    with tempfile.TemporaryDirectory() as folder, SnapshotStore(Path(folder) / "snapshots.sqlite3") as store:
        save_s, info = best(args.repeat, lambda: store.save(state))
        size = (Path(folder) / "snapshots.sqlite3").stat().st_size / args.repeat / 1e6
        print(f"save  {save_s:6.2f} s  (target <= {SAVE_TARGET_S:.0f} s)  {verdict(save_s <= SAVE_TARGET_S)}"
              f"  ~{size:.1f} MB per snapshot")
        snapshot_id = info.id  # type: ignore[attr-defined]
        load_s, _ = best(args.repeat, lambda: store.load(snapshot_id))
        print(f"load  {load_s:6.2f} s  (no target)")
    diff_s, result = best(args.repeat, lambda: diff(state, other))
    print(f"diff  {diff_s:6.2f} s  (target <= {DIFF_TARGET_S:.0f} s)  {verdict(diff_s <= DIFF_TARGET_S)}"
          f"  {result.count()} differences")  # type: ignore[attr-defined]
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
