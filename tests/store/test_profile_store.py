from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pydantic
import pytest

from birdadmin.errors import ConfigError, InputError
from birdadmin.scim.resources import RolesShape, RoleStrategy
from birdadmin.store.keys import remove_profile, store_key
from birdadmin.store.profiles import Profile, ProfileStore, validate_profile_fields
from birdadmin.store.secrets import SecretStore

ORG = "123e4567-e89b-12d3-a456-426614174000"
BASE = f"https://api.bird.com/organizations/{ORG}/scim/v2"


def make(name: str = "Prod", **kw) -> Profile:
    return Profile(name=name, base_url=kw.pop("base_url", BASE), **kw)


# -- the model ---------------------------------------------------------------------------------------------


def test_org_id_is_read_from_the_base_url_unless_given():
    assert make().org_id == ORG
    assert make(base_url=f"https://api.bird.com/organizations/{ORG.upper()}/scim/v2").org_id == ORG
    assert make(org_id="00000000-0000-0000-0000-000000000001").org_id == "00000000-0000-0000-0000-000000000001"
    assert make(base_url="https://ws-7.bird.example/scim/v2").org_id is None


def test_profile_is_frozen_and_has_stable_distinct_ids():
    a, b = make("a"), make("b")
    assert a.id != b.id and len(a.id) == 32
    with pytest.raises(pydantic.ValidationError, match="frozen"):
        a.name = "x"  # type: ignore[misc]


def test_profile_has_no_field_for_a_key():
    settings = {"key_unused_days", "key_rotation_days"}  # access-key hygiene thresholds (numbers), not keys
    assert settings <= set(Profile.model_fields)
    assert not any("key" in f and "fingerprint" not in f and "stored_at" not in f and f not in settings
                   for f in Profile.model_fields)


# -- validation messages -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "field", "expected"),
    [
        ({"name": ""}, "name", "Enter a name for this profile."),
        ({"name": "   "}, "name", "Enter a name for this profile."),
        ({"name": "x" * 81}, "name", "Shorten the name to at most 80 characters."),
        ({"name": "a\tb"}, "name", "Remove the control characters from the name."),
        ({"name": "PROD"}, "name", "A profile named 'PROD' already exists; choose another name."),
        ({"base_url": ""}, "base_url", "The Base URL is empty"),
        ({"base_url": "not a url"}, "base_url", "is not an http(s) URL"),
        ({"base_url": "http://bird.example/scim"}, "base_url", "uses http:// to bird.example"),
        ({"base_url": "https://u:p@bird.example/scim"}, "base_url", "must not contain a user name"),
        ({"accounts_url": "ftp://x"}, "accounts_url", "The Accounts API URL 'ftp://x' is not an http(s) URL"),
        ({"accounts_url": "http://api.bird.com"}, "accounts_url", "The Accounts API URL uses http://"),
        ({"ca_bundle": "/nonexistent/ca.pem"}, "ca_bundle", "The CA bundle file /nonexistent/ca.pem does not exist"),
        ({"timeout": 0}, "timeout", "Set the timeout between 1 and 600 seconds."),
        ({"timeout": 601}, "timeout", "Set the timeout between 1 and 600 seconds."),
        ({"timeout": None}, "timeout", "Set the timeout between 1 and 600 seconds."),
        ({"org_id": "nope"}, "org_id", "The organization ID must be a UUID"),
        (
            {"base_url": "https://ws.bird.example/scim/v2", "accounts_url": "https://api.bird.com"},
            "org_id",
            "Enter the organization ID: the Accounts API needs it",
        ),
    ],
)
def test_each_validation_message(kwargs, field, expected):
    values = {"name": "New", "base_url": BASE, "accounts_url": None, "ca_bundle": None, "timeout": 30.0}
    org_id = kwargs.pop("org_id", None)
    values.update(kwargs)
    problems = validate_profile_fields(**values, existing_names=["Prod", "Test"], org_id=org_id)
    assert list(problems) == [field]
    assert expected in problems[field]


def test_valid_fields_give_no_messages(tmp_path: Path):
    bundle = tmp_path / "ca.pem"
    bundle.write_text("-----BEGIN CERTIFICATE-----\n")
    assert validate_profile_fields("New", BASE, "https://api.bird.com", str(bundle), 30, ["Prod"]) == {}
    assert validate_profile_fields("local", "http://127.0.0.1:8900/scim/v2", None, None, 1, []) == {}
    assert validate_profile_fields("w", "https://ws.example/scim", "https://api.bird.com", None, 600, [],
                                   org_id=ORG) == {}


# -- the store ---------------------------------------------------------------------------------------------


def test_add_list_get_and_file_format(store: ProfileStore):
    assert store.list() == []
    added = store.add(make("b-prod", read_only=True, roles_shape=RolesShape.COMPLEX))
    store.add(make("A-test", role_strategy=RoleStrategy.ADD_REMOVE, timeout=5))
    assert [p.name for p in store.list()] == ["A-test", "b-prod"]
    assert store.get("b-prod") == added
    assert store.get("B-PROD") == added  # case-insensitive fallback
    data = json.loads(store.path.read_text())
    assert data["version"] == 1 and data["lastUsed"] is None
    saved = next(p for p in data["profiles"] if p["name"] == "b-prod")
    assert saved["read_only"] is True and saved["roles_shape"] == "complex" and saved["org_id"] == ORG
    if os.name == "posix":
        assert stat.S_IMODE(store.path.stat().st_mode) == 0o600
    # a second store on the same directory (another process) sees the same profiles
    assert ProfileStore(store.directory).get("A-test").role_strategy is RoleStrategy.ADD_REMOVE


def test_get_unknown_lists_known_names(store: ProfileStore):
    with pytest.raises(InputError, match="No profile named 'nope'; there are no profiles yet"):
        store.get("nope")
    store.add(make("Prod"))
    store.add(make("Audit"))
    with pytest.raises(InputError, match=r"No profile named 'nope'; known profiles: Audit, Prod\."):
        store.get("nope")


def test_add_refuses_invalid_and_duplicate(store: ProfileStore):
    store.add(make("Prod"))
    with pytest.raises(InputError, match="A profile named 'prod' already exists"):
        store.add(make("prod"))
    with pytest.raises(InputError, match="would send the access key unencrypted"):
        store.add(make("x", base_url="http://bird.example/scim/v2"))
    assert store.names() == ["Prod"]


def test_update_rename_keeps_id_and_last_used(store: ProfileStore):
    p = store.add(make("Prod"))
    store.set_last_used("prod")
    assert store.last_used() == "Prod"
    renamed = store.update(p.model_copy(update={"name": "Production"}))
    assert renamed.id == p.id
    assert store.names() == ["Production"]
    assert store.last_used() == "Production"


def test_update_refuses_clash_and_missing(store: ProfileStore):
    a = store.add(make("A"))
    store.add(make("B"))
    with pytest.raises(InputError, match="A profile named 'b' already exists"):
        store.update(a.model_copy(update={"name": "b"}))
    with pytest.raises(InputError, match="no longer exists"):
        store.update(make("ghost"))


def test_update_does_not_recheck_an_unchanged_ca_bundle(store: ProfileStore, tmp_path: Path):
    bundle = tmp_path / "ca.pem"
    bundle.write_text("pem")
    p = store.add(make("A", ca_bundle=str(bundle)))
    bundle.unlink()
    store.update(p.model_copy(update={"timeout": 10.0}))  # a vanished bundle must not block other edits
    with pytest.raises(InputError, match="does not exist"):
        store.update(p.model_copy(update={"ca_bundle": str(tmp_path / "other.pem")}))


def test_duplicate_gets_new_id_and_no_keys(store: ProfileStore, secrets: SecretStore):
    p = store.add(make("Prod", read_only=True))
    p = store_key(store, secrets, p, "scim", "scim-key-0123456789")
    copy = store.duplicate("Prod", "Prod copy")
    assert copy.id != p.id and copy.read_only and copy.base_url == p.base_url
    assert copy.scim_key_fingerprint is None and copy.scim_key_stored_at is None
    assert secrets.get(copy.id, "scim") is None
    with pytest.raises(InputError, match="already exists"):
        store.duplicate("Prod", "prod COPY")


def test_remove_forgets_keys(store: ProfileStore, secrets: SecretStore, memory_keyring):
    p = store.add(make("Prod"))
    store_key(store, secrets, p, "scim", "scim-key-0123456789")
    store_key(store, secrets, store.get("Prod"), "accounts", "acc-key-0123456789")
    other = store_key(store, secrets, store.add(make("Other")), "scim", "other-key-0123456789")
    store.set_last_used("Prod")
    remove_profile(store, secrets, store.get("Prod"))
    assert store.names() == ["Other"] and store.last_used() is None
    assert set(memory_keyring.items) == {("birdadmin", f"{other.id}:scim")}


def test_remove_keeps_profile_when_keys_cannot_be_forgotten(store: ProfileStore, secrets, memory_keyring):
    p = store_key(store, secrets, store.add(make("Prod")), "scim", "scim-key-0123456789")
    memory_keyring.locked = True
    with pytest.raises(Exception, match="locked"):
        remove_profile(store, secrets, store.get("Prod"))
    assert store.get("Prod").id == p.id


def test_last_used_ignores_unknown_and_removed(store: ProfileStore):
    store.add(make("Prod"))
    store.set_last_used("nope")
    assert store.last_used() is None
    store.set_last_used("Prod")
    assert json.loads(store.path.read_text())["lastUsed"] == "Prod"
    store.set_last_used(None)
    assert store.last_used() is None


# -- unreadable files --------------------------------------------------------------------------------------


def _backups(store: ProfileStore) -> list[Path]:
    return sorted(store.directory.glob("profiles.json.bak-*"))


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ("{not json", "is not valid JSON"),
        ('["a list"]', "is not a birdadmin profile file"),
        ('{"version": "1", "profiles": []}', "is not a birdadmin profile file"),
        ('{"version": 1, "profiles": {}}', "is not a birdadmin profile file"),
        ('{"version": 1, "profiles": [{"name": "x"}]}', "has an invalid entry"),
        (
            '{"version": 1, "profiles": [{"name": "x", "base_url": "https://x.example/scim", "timeout": -5}]}',
            "has an invalid entry (timeout: Input should be greater than or equal to 1)",
        ),
        ('{"version": 2, "profiles": []}', "was written by a newer birdadmin (file version 2)"),
    ],
)
def test_unreadable_file_is_reported_backed_up_and_never_overwritten(store: ProfileStore, content, problem):
    store.path.write_text(content)
    with pytest.raises(ConfigError) as caught:
        store.list()
    assert problem in caught.value.message
    backups = _backups(store)
    assert len(backups) == 1 and backups[0].read_text() == content
    assert backups[0].name in caught.value.message
    # Writes are refused too, and a second failure does not pile up copies.
    with pytest.raises(ConfigError):
        store.add(make("New"))
    with pytest.raises(ConfigError):
        store.set_last_used("x")
    assert store.path.read_text() == content
    assert _backups(store) == backups


def test_duplicate_entries_in_file_are_refused(store: ProfileStore):
    p = make("A").model_dump(mode="json")
    store.path.write_text(json.dumps({"version": 1, "profiles": [p, {**p, "name": "B"}]}))
    with pytest.raises(ConfigError, match="lists the same profile twice"):
        store.list()


def test_start_fresh_sets_unreadable_file_aside(store: ProfileStore):
    store.path.write_text("garbage")
    with pytest.raises(ConfigError):
        store.list()
    backup = store.start_fresh()
    assert backup.read_text() == "garbage"
    assert store.list() == []
    store.add(make("New"))
    assert store.names() == ["New"]
    with pytest.raises(InputError, match="nothing to set aside"):
        store.start_fresh()


def test_missing_file_is_an_empty_store_and_nothing_is_written_by_reading(store: ProfileStore):
    assert store.list() == [] and store.last_used() is None
    assert not store.path.exists()


# -- file system failures: one sentence, never a raw OSError --------------------------------------------------


def test_a_settings_folder_that_cannot_be_created_is_a_config_error(tmp_path: Path, monkeypatch):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    with pytest.raises(ConfigError, match=r"The settings folder .*a-file/sub cannot be created .*BIRDADMIN_CONFIG_DIR"):
        ProfileStore(blocker / "sub").list()
    monkeypatch.setenv("BIRDADMIN_CONFIG_DIR", str(blocker / "sub"))  # the default folder, overridden
    with pytest.raises(ConfigError, match="cannot be created"):
        ProfileStore().add(make("New"))


def test_a_failed_save_is_a_config_error_and_keeps_the_file(store: ProfileStore, monkeypatch):
    import errno

    from birdadmin.store import atomic

    store.add(make("Prod"))
    before = store.path.read_bytes()

    def full_disk(src, dst):  # a full disk cannot be produced on demand; everything else is real
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(atomic.os, "replace", full_disk)
    with pytest.raises(ConfigError, match=r"could not be saved \(No space left on device\); nothing was changed"):
        store.add(make("Other"))
    assert store.path.read_bytes() == before
    assert [p.name for p in store.directory.iterdir() if p.name.endswith(".tmp")] == []


def test_start_fresh_on_a_file_that_cannot_be_copied_is_a_config_error(store: ProfileStore):
    store.path.mkdir()  # profiles.json is a folder: unreadable, and no copy can be made of it
    with pytest.raises(ConfigError, match="cannot be read"):
        store.list()
    with pytest.raises(ConfigError, match="cannot be copied aside"):
        store.start_fresh()
    assert store.path.is_dir()
