from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

import keyring.backend
import keyring.errors
import pytest
from keyring.backends import chainer, fail, null

from birdadmin.errors import InputError, SecretStoreError, explain
from birdadmin.store.keys import forget_key, resolve_keys, store_key
from birdadmin.store.profiles import Profile, ProfileStore
from birdadmin.store.secrets import (
    SERVICE,
    SecretStore,
    SessionSecrets,
    platform_fix,
    refusal_reason,
)

BASE = "https://api.bird.com/organizations/123e4567-e89b-12d3-a456-426614174000/scim/v2"
KEY = "sk_live_3f9a8b7c6d5e4f3a2b1c"


class PlaintextKeyring(keyring.backend.KeyringBackend):
    """Stands in for keyrings.alt.file.PlaintextKeyring (same class name, same refusal)."""

    priority = 10  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.items: dict[tuple[str, str], str] = {}

    def get_password(self, service, username):
        return self.items.get((service, username))

    def set_password(self, service, username, password):
        self.items[(service, username)] = password

    def delete_password(self, service, username):
        self.items.pop((service, username))


class BrokenKeyring(PlaintextKeyring):
    def get_password(self, service, username):
        raise RuntimeError("org.freedesktop.DBus.Error.ServiceUnknown: no secrets service")


def test_set_get_delete_with_documented_service_and_username(secrets: SecretStore, memory_keyring):
    secrets.set("abc123", "scim", f"  {KEY}\n")
    secrets.set("abc123", "accounts", "acc-" + KEY)
    assert memory_keyring.items[(SERVICE, "abc123:scim")] == KEY  # stripped
    assert memory_keyring.items[("birdadmin", "abc123:accounts")] == "acc-" + KEY
    assert secrets.get("abc123", "scim") == KEY
    secrets.delete("abc123", "scim")
    assert secrets.get("abc123", "scim") is None
    secrets.delete("abc123", "scim")  # forgetting twice is fine
    assert secrets.get("abc123", "accounts") == "acc-" + KEY


@pytest.mark.parametrize("bad", ["", "   ", "two words", "line\nbreak"])
def test_bad_keys_are_refused(secrets: SecretStore, bad: str, memory_keyring):
    with pytest.raises(InputError, match="SCIM access key"):
        secrets.set("p", "scim", bad)
    assert memory_keyring.items == {}


@pytest.mark.parametrize(
    ("backend", "expected"),
    [
        (fail.Keyring(), "No usable keyring was found"),
        (null.Keyring(), "No usable keyring was found"),
        (PlaintextKeyring(), "stores keys in plain text"),
    ],
)
def test_unusable_backends_are_refused_with_the_fix(backend, expected):
    store = SecretStore(backend=backend)
    with pytest.raises(SecretStoreError) as caught:
        store.check()
    assert expected in caught.value.message
    assert platform_fix() in caught.value.message
    for action in (lambda: store.get("p", "scim"), lambda: store.set("p", "scim", KEY)):
        with pytest.raises(SecretStoreError):
            action()
    if isinstance(backend, PlaintextKeyring):
        assert backend.items == {}  # never a plaintext fallback
    assert explain(caught.value).exit_code == 1 and explain(caught.value).title == "Keyring unavailable"


def test_locked_keyring_says_unlock(secrets: SecretStore, memory_keyring):
    memory_keyring.locked = True
    with pytest.raises(SecretStoreError, match="The keyring is locked") as caught:
        secrets.get("p", "scim")
    assert "Unlock the keyring" in caught.value.message
    memory_keyring.locked = False
    assert secrets.get("p", "scim") is None  # usable again once unlocked


def test_locked_after_check_is_still_reported(secrets: SecretStore, memory_keyring):
    secrets.check()
    memory_keyring.locked = True
    with pytest.raises(SecretStoreError, match="locked"):
        secrets.set("p", "scim", KEY)


def test_broken_backend_is_reported_not_raised_raw():
    with pytest.raises(SecretStoreError, match="could not be used") as caught:
        SecretStore(backend=BrokenKeyring()).check()
    assert "ServiceUnknown" in caught.value.details


def test_chainer_uses_its_best_acceptable_backend_only(memory_keyring, monkeypatch):
    plaintext = PlaintextKeyring()
    monkeypatch.setattr(chainer.ChainerBackend, "backends", [plaintext, memory_keyring])
    store = SecretStore(backend=chainer.ChainerBackend())
    store.set("p", "scim", KEY)
    assert plaintext.items == {} and memory_keyring.items == {(SERVICE, "p:scim"): KEY}
    monkeypatch.setattr(chainer.ChainerBackend, "backends", [plaintext])
    with pytest.raises(SecretStoreError, match="No usable keyring"):
        SecretStore(backend=chainer.ChainerBackend()).check()


def test_default_backend_is_keyrings_choice(global_keyring):
    store = SecretStore()
    store.set("p", "accounts", KEY)
    assert global_keyring.items == {(SERVICE, "p:accounts"): KEY}


@pytest.mark.parametrize(
    ("platform", "locked", "needle"),
    [
        ("linux", False, "apt install gnome-keyring"),
        ("linux", True, "Unlock the keyring"),
        ("darwin", False, "macOS Keychain"),
        ("darwin", True, "Keychain Access"),
        ("win32", False, "Credential Manager"),
        ("win32", True, "Credential Manager"),
    ],
)
def test_platform_fix_texts(platform, locked, needle):
    assert needle in platform_fix(locked=locked, platform=platform)


def test_refusal_reason_accepts_ordinary_backends(memory_keyring):
    assert refusal_reason(memory_keyring) is None
    assert refusal_reason(fail.Keyring()) == "none"
    assert refusal_reason(PlaintextKeyring()) == "plaintext"


def test_session_secrets_keep_keys_in_memory_only():
    session = SessionSecrets()
    session.check()
    session.set("p", "scim", KEY)
    assert session.get("p", "scim") == KEY and session.get("p", "accounts") is None
    assert KEY not in repr(session)
    session.delete("p", "scim")
    assert session.get("p", "scim") is None


def test_store_key_records_fingerprint_and_time(store: ProfileStore, secrets: SecretStore):
    profile = store.add(Profile(name="Prod", base_url=BASE))
    before = datetime.now(UTC) - timedelta(seconds=2)
    updated = store_key(store, secrets, profile, "scim", KEY)
    assert updated.scim_key_fingerprint == "…" + KEY[-4:]
    assert updated.scim_key_stored_at is not None and updated.scim_key_stored_at >= before
    assert updated.accounts_key_fingerprint is None
    assert store.get("Prod") == updated
    assert KEY not in store.path.read_text()
    # rotate: a new key replaces the old one and its fingerprint
    rotated = store_key(store, secrets, updated, "scim", "new-" + KEY[:-4] + "WXYZ")
    assert rotated.scim_key_fingerprint == "…WXYZ" and secrets.get(profile.id, "scim").endswith("WXYZ")
    cleared = forget_key(store, secrets, rotated, "scim")
    assert cleared.scim_key_fingerprint is None and cleared.scim_key_stored_at is None
    assert secrets.get(profile.id, "scim") is None


def test_short_key_fingerprint_reveals_nothing(store: ProfileStore, secrets: SecretStore):
    profile = store_key(store, secrets, store.add(Profile(name="P", base_url=BASE)), "scim", "short")
    assert profile.scim_key_fingerprint == "…"


def test_store_key_with_session_secrets_leaves_profile_file_alone(store: ProfileStore):
    profile = store.add(Profile(name="Prod", base_url=BASE))
    session = SessionSecrets()
    before = store.path.read_bytes()
    assert store_key(store, session, profile, "scim", KEY) == profile
    assert session.get(profile.id, "scim") == KEY
    assert store.path.read_bytes() == before


def test_resolve_keys_environment_overrides_and_skips_keyring(store: ProfileStore, secrets, memory_keyring):
    profile = store_key(store, secrets, store.add(Profile(name="P", base_url=BASE)), "scim", KEY)
    keys = resolve_keys(profile, secrets, environ={})
    assert (keys.scim, keys.accounts, keys.scim_source) == (KEY, None, "keyring")
    memory_keyring.locked = True  # the environment variable must work without touching the keyring
    env = {"BIRDADMIN_ACCESS_KEY": "env-scim-key-1234", "BIRDADMIN_ACCOUNTS_KEY": "env-acc-key-1234"}
    keys = resolve_keys(profile.model_copy(update={"accounts_url": "https://api.bird.com"}), secrets, environ=env)
    assert (keys.scim, keys.accounts) == ("env-scim-key-1234", "env-acc-key-1234")
    assert (keys.scim_source, keys.accounts_source) == ("environment", "environment")


def test_resolve_keys_order_typed_environment_session_keyring(store: ProfileStore, secrets):
    """The one documented order, kind by kind: typed, environment, session, keyring."""
    profile = store_key(store, secrets, store.add(Profile(name="P", base_url=BASE)), "scim", KEY)
    session = SessionSecrets()
    session.set(profile.id, "scim", "session-key-1234")
    env = {"BIRDADMIN_ACCESS_KEY": "env-scim-key-1234"}
    typed = {"scim": "typed-key-1234"}
    assert resolve_keys(profile, secrets, environ=env, session=session, typed=typed).scim == "typed-key-1234"
    assert resolve_keys(profile, secrets, environ=env, session=session).scim == "env-scim-key-1234"
    assert resolve_keys(profile, secrets, environ={}, session=session).scim == "session-key-1234"
    assert resolve_keys(profile, secrets, environ={}, session=SessionSecrets()).scim == KEY


def test_resolve_keys_without_stored_keys_does_not_need_a_keyring():
    profile = Profile(name="P", base_url=BASE)
    keys = resolve_keys(profile, SecretStore(backend=fail.Keyring()), environ={})
    assert (keys.scim, keys.accounts) == (None, None)


def test_logging_never_contains_the_key(store: ProfileStore, secrets: SecretStore, caplog):
    caplog.set_level(logging.DEBUG)
    profile = store_key(store, secrets, store.add(Profile(name="P", base_url=BASE)), "scim", KEY)
    forget_key(store, secrets, profile, "scim")
    assert caplog.records  # the operations did log
    assert KEY not in caplog.text
