"""The snapshot file: round trip, content hash, a tampered snapshot refused, concurrent saves, many listed."""

from __future__ import annotations

import dataclasses
import sqlite3
import stat
import threading
import zlib
from collections.abc import Iterator
from pathlib import Path

import orjson
import pytest

from birdadmin import errors
from birdadmin.domain.catalogue import RoleCatalogue, RoleInfo
from birdadmin.domain.org_state import GroupState, OrgState
from birdadmin.domain.snapshot_diff import diff
from birdadmin.scim.resources import User
from birdadmin.store.snapshots import FILE_NAME, SnapshotStore
from tests.keys_support import access_key

OWNER = "00000000-0000-4000-8000-000000000001"
AGENT = "00000000-0000-4000-8000-000000000002"
LEARNED = "00000000-0000-4000-8000-00000000000f"


def make_state(profile: str = "prod", taken_at: str = "2026-12-01T00:00:00Z") -> OrgState:
    catalogue = RoleCatalogue([RoleInfo(OWNER, "Owner", "All of it", "organization", "accounts")])
    catalogue.set_local_name(AGENT, "Agent", "Answers chats")
    catalogue.learn([LEARNED])
    users = (
        User("u1", "ann@example.com", "Ann", True, (AGENT, OWNER), "ann@example.com", "ext-1"),
        User("u2", "bob@example.com", "Bob \u00e9\u2603", False, (), "", ""),
    )
    groups = (GroupState("g1", "Admins", ("u1", "u2"), (OWNER,), "t1"), GroupState("g2", "Nobody", (), None))
    return OrgState(users, groups, catalogue, taken_at, "Acme", profile, complete=False, group_roles_known=True)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SnapshotStore]:
    with SnapshotStore(tmp_path / FILE_NAME) as opened:
        yield opened


def test_a_snapshot_round_trips(store: SnapshotStore) -> None:
    state = make_state()
    info = store.save(state)
    assert (info.profile, info.label, info.users, info.groups, info.complete) == ("prod", "Acme", 2, 2, False)
    loaded = store.load(info.id)
    assert diff(state, loaded).is_empty and diff(loaded, state).is_empty
    assert {u.id: (u.user_name, u.display_name, u.active, sorted(u.roles), u.email, u.external_id)
            for u in loaded.users} == {u.id: (u.user_name, u.display_name, u.active, sorted(u.roles), u.email,
                                              u.external_id) for u in state.users}
    assert {g.id: g for g in loaded.groups}["g2"].role_ids is None
    assert {g.id: g for g in loaded.groups}["g1"].team_id == "t1"
    assert (loaded.taken_at, loaded.label, loaded.profile, loaded.complete) == (state.taken_at, "Acme", "prod", False)
    assert [(r.id, r.name, r.description, r.source) for r in loaded.catalogue.roles()] == [
        (r.id, r.name, r.description, r.source) for r in state.catalogue.roles()]
    assert stat.S_IMODE(store.path.stat().st_mode) == 0o600


def test_the_hash_ignores_listing_order_and_follows_content(store: SnapshotStore) -> None:
    state = make_state()
    first = store.save(state)
    reordered = dataclasses.replace(state, users=tuple(reversed(state.users)), taken_at="2026-12-02T00:00:00Z")
    assert store.save(reordered).content_hash == first.content_hash
    renamed = dataclasses.replace(state, users=(dataclasses.replace(state.users[0], display_name="Anne"),
                                                state.users[1]))
    assert store.save(renamed).content_hash != first.content_hash
    assert len(first.content_hash) == 64


def test_a_tampered_snapshot_is_refused_with_one_sentence(store: SnapshotStore) -> None:
    info = store.save(make_state())
    store.close()
    with sqlite3.connect(store.path) as db:
        blob = db.execute("SELECT content FROM snapshots WHERE id = ?", (info.id,)).fetchone()[0]
        data = orjson.loads(zlib.decompress(blob))
        data["users"][0][4] = []  # Ann's roles removed by hand
        db.execute("UPDATE snapshots SET content = ? WHERE id = ?", (zlib.compress(orjson.dumps(data)), info.id))
    with pytest.raises(errors.ConfigError) as caught:
        store.load(info.id)
    message = str(caught.value)
    assert "does not match its content hash" in message and str(store.path) in message
    assert message.count(". ") == 0 and "\n" not in message


def test_a_damaged_blob_is_refused(store: SnapshotStore) -> None:
    info = store.save(make_state())
    store.close()
    with sqlite3.connect(store.path) as db:
        db.execute("UPDATE snapshots SET content = ? WHERE id = ?", (b"not zlib", info.id))
    with pytest.raises(errors.ConfigError, match="content hash"):
        store.load(info.id)


def test_an_unknown_snapshot_is_a_sentence(store: SnapshotStore) -> None:
    with pytest.raises(errors.InputError, match="no snapshot 42"):
        store.load(42)


def test_an_unusable_file_is_a_config_error(tmp_path: Path) -> None:
    path = tmp_path / FILE_NAME
    path.write_bytes(b"this is not a database, just text" * 100)
    with pytest.raises(errors.ConfigError, match=str(path)):
        SnapshotStore(path).list()


def test_concurrent_saves_all_land(tmp_path: Path) -> None:
    path = tmp_path / FILE_NAME
    problems: list[BaseException] = []

    def saver(n: int) -> None:
        try:
            with SnapshotStore(path) as own:  # one connection per thread: as two windows would
                for i in range(5):
                    own.save(make_state(taken_at=f"2026-12-01T00:0{n}:0{i}Z"))
        except BaseException as exc:  # noqa: BLE001 - reported below
            problems.append(exc)

    threads = [threading.Thread(target=saver, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not problems
    with SnapshotStore(path) as reader:
        listed = reader.list()
    assert len(listed) == 20 and len({i.id for i in listed}) == 20


def test_many_snapshots_listed_newest_first_and_by_profile(store: SnapshotStore) -> None:
    for i in range(120):
        store.save(make_state(profile="prod" if i % 3 else "test", taken_at=f"2026-12-01T{i // 60:02}:{i % 60:02}:00Z"))
    everything = store.list()
    assert len(everything) == 120
    assert [i.id for i in everything] == sorted((i.id for i in everything), reverse=True)
    assert len(store.list("test")) == 40 and {i.profile for i in store.list("test")} == {"test"}
    assert store.list("nobody") == []
    assert store.info(everything[-1].id) == everything[-1]


def test_the_default_path_is_in_the_data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BIRDADMIN_DATA_DIR", str(tmp_path / "data"))
    with SnapshotStore() as default:
        assert default.path == tmp_path / "data" / FILE_NAME
        assert default.list() == []


Key = access_key  # the real AccessKey (tests/keys_support.py)


def test_a_state_without_keys_keeps_its_content_and_hash() -> None:
    from birdadmin.store.snapshots import canonical_content

    state = make_state()
    assert b'"keys"' not in canonical_content(state)
    assert canonical_content(dataclasses.replace(state, keys=())) == canonical_content(state)


def test_keys_are_in_the_content_but_not_when_they_were_last_used() -> None:
    from birdadmin.store.snapshots import canonical_content

    state = dataclasses.replace(make_state(), keys=(Key("k1", "deploy", role_ids=("B", "a"), last_used_at="x"),))
    content = orjson.loads(canonical_content(state))
    assert content["keys"] == [["k1", "deploy", "", "abcd", ["B", "a"], "2026-01-01T00:00:00Z"]]
    used = dataclasses.replace(state, keys=(Key("k1", "deploy", role_ids=("a", "B"), last_used_at="y"),))
    assert canonical_content(used) == canonical_content(state)


def test_keys_round_trip_and_diff(store: SnapshotStore) -> None:
    state = dataclasses.replace(make_state(), keys=(Key("k1", "deploy", role_ids=("r1",)),
                                                    Key("k2", "odd", role_ids=None)))
    loaded = store.load(store.save(state).id)
    assert [(k.id, k.name, k.role_ids, k.last_used_at) for k in loaded.keys] == [
        ("k1", "deploy", ("r1",), None), ("k2", "odd", None, None)]
    assert diff(loaded, state).is_empty
