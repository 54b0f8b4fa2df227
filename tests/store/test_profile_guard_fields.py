"""The profile's guard fields (batch threshold, Owner role UUID) in the file and in the shared validation."""

from __future__ import annotations

import json
from pathlib import Path

import pydantic
import pytest

from birdadmin.errors import ConfigError
from birdadmin.store.profiles import Profile, ProfileStore, validate_profile_fields

ORG = "123e4567-e89b-12d3-a456-426614174000"
BASE = f"https://api.bird.com/organizations/{ORG}/scim/v2"
OWNER = "9b2f3c1e-0d4a-4c8e-9f1a-2b3c4d5e6f70"


@pytest.fixture
def store(tmp_path: Path) -> ProfileStore:
    return ProfileStore(tmp_path / "cfg")


def test_guards_are_written_and_read_back(store: ProfileStore) -> None:
    store.add(Profile(name="Prod", base_url=BASE, batch_threshold=500, owner_role_id=OWNER))
    [raw] = json.loads(store.path.read_text())["profiles"]
    assert raw["batch_threshold"] == 500 and raw["owner_role_id"] == OWNER
    loaded = store.get("Prod")
    assert (loaded.batch_threshold, loaded.owner_role_id) == (500, OWNER)
    store.update(loaded.model_copy(update={"batch_threshold": 3, "owner_role_id": None}))
    assert (store.get("Prod").batch_threshold, store.get("Prod").owner_role_id) == (3, None)


def test_a_file_without_the_guards_reads_with_the_defaults(store: ProfileStore) -> None:
    store.path.parent.mkdir(parents=True, exist_ok=True)
    store.path.write_text(json.dumps({"version": 1, "profiles": [{"id": "a1", "name": "Old", "base_url": BASE}]}))
    old = store.get("Old")
    assert (old.batch_threshold, old.owner_role_id) == (25, None)


@pytest.mark.parametrize(("field", "value"), [("batch_threshold", 0), ("batch_threshold", 100_001),
                                              ("owner_role_id", "Owner")])
def test_a_hand_edited_impossible_guard_is_reported_when_read(store: ProfileStore, field: str, value: object) -> None:
    store.path.parent.mkdir(parents=True, exist_ok=True)
    store.path.write_text(json.dumps({"version": 1, "profiles": [
        {"id": "a1", "name": "Old", "base_url": BASE, field: value}]}))
    with pytest.raises(ConfigError, match=field):
        store.list()


def test_the_shared_validation_names_the_guard_fields() -> None:
    assert validate_profile_fields("P", BASE, None, None, 30, [], owner_role_id=f" {OWNER} ", batch_threshold=1) == {}
    problems = validate_profile_fields("P", BASE, None, None, 30, [], owner_role_id="owner", batch_threshold=0)
    assert problems == {
        "owner_role_id": "The Owner role must be a role UUID like 123e4567-e89b-12d3-a456-426614174000.",
        "batch_threshold": "The batch threshold must be a whole number from 1 to 100000.",
    }
    with pytest.raises(pydantic.ValidationError, match="must be a role UUID"):
        Profile(name="P", base_url=BASE, owner_role_id="owner")
    with pytest.raises(pydantic.ValidationError, match="batch_threshold"):
        Profile(name="P", base_url=BASE, batch_threshold=100_001)
