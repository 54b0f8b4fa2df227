"""Keys in a real Secret Service (gnome-keyring on a private D-Bus session), run through ``.ci/with-keyring``.

    .ci/with-keyring /path/to/python -m pytest tests/keyring -q

Skipped elsewhere: without that wrapper these tests would write to the developer's own keyring. The last test
scans everything the earlier ones produced (profile files, logs, command output) for the keys.
"""

from __future__ import annotations

import gc
import io
import json
import logging
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest
from keyring.backends import SecretService, fail

from birdadmin.cli import main
from birdadmin.net.errors import SecretStoreError
from birdadmin.store.keys import forget_key, store_key
from birdadmin.store.profiles import Profile, ProfileStore
from birdadmin.store.secrets import SERVICE, SecretStore

pytestmark = [
    pytest.mark.keyring,
    pytest.mark.skipif(
        os.environ.get("BIRDADMIN_REAL_KEYRING") != "1",
        reason="needs a throwaway Secret Service: run under .ci/with-keyring (sets BIRDADMIN_REAL_KEYRING=1)",
    ),
]

BASE = "https://api.bird.com/organizations/123e4567-e89b-12d3-a456-426614174000/scim/v2"

# Everything the tests below produced or used, for the final scan.
TRANSCRIPT: list[str] = []
SECRETS_USED: set[str] = set()
CONFIG_DIRS: list[Path] = []


def new_key(label: str) -> str:
    key = f"{label}-{uuid.uuid4().hex}"
    SECRETS_USED.add(key)
    return key


@pytest.fixture(autouse=True)
def record(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture,
           capsys: pytest.CaptureFixture[str]) -> Iterator[Path]:
    """A config dir per test, DEBUG logging captured; both go into the transcript afterwards."""
    config = tmp_path / "config"
    monkeypatch.setenv("BIRDADMIN_CONFIG_DIR", str(config))
    CONFIG_DIRS.append(config)
    logger = logging.getLogger("birdadmin")
    saved = (logger.handlers[:], logger.level, logger.propagate)
    caplog.set_level(logging.DEBUG)
    yield config
    out, err = capsys.readouterr()
    TRANSCRIPT.extend([caplog.text, out, err])
    logger.handlers[:], logger.level, logger.propagate = saved[0], saved[1], saved[2]


@pytest.fixture
def profile_id() -> Iterator[str]:
    """A unique profile id whose keyring entries are removed whatever the test did."""
    pid = uuid.uuid4().hex
    yield pid
    for kind in ("scim", "accounts"):
        try:
            keyring.get_keyring().delete_password(SERVICE, f"{pid}:{kind}")
        except keyring.errors.PasswordDeleteError:
            pass
        except keyring.errors.KeyringLocked:  # the locked-keyring test locked this throwaway keyring
            gc.collect()  # within that test's warning filter: see test_locked_keyring_is_reported
            break


def test_the_backend_is_the_real_secret_service():
    store = SecretStore()
    assert isinstance(store.backend, SecretService.Keyring)
    store.check()


def test_store_read_back_rotate_forget(profile_id: str):
    store = SecretStore()
    first, second = new_key("first"), new_key("second")
    store.set(profile_id, "scim", first)
    # read back through the store and, independently, straight from keyring
    assert store.get(profile_id, "scim") == first
    assert keyring.get_password(SERVICE, f"{profile_id}:scim") == first
    assert SecretStore().get(profile_id, "scim") == first  # a fresh process-like store sees it too
    store.set(profile_id, "scim", second)
    assert store.get(profile_id, "scim") == second
    store.set(profile_id, "accounts", first)
    store.delete(profile_id, "scim")
    assert store.get(profile_id, "scim") is None
    assert keyring.get_password(SERVICE, f"{profile_id}:scim") is None
    assert store.get(profile_id, "accounts") == first  # the other kind is untouched
    store.delete(profile_id, "accounts")
    store.delete(profile_id, "accounts")  # forgetting an absent key is fine


def test_profiles_with_real_keyring(record: Path):
    secrets = SecretStore()
    profiles = ProfileStore(record, secrets=secrets)
    key = new_key("profile")
    profile = profiles.add(Profile(name="Real", base_url=BASE))
    try:
        profile = store_key(profiles, secrets, profile, "scim", key)
        assert profile.scim_key_fingerprint == "…" + key[-4:]
        assert keyring.get_password(SERVICE, f"{profile.id}:scim") == key
        renamed = profiles.update(profile.model_copy(update={"name": "Renamed"}))
        assert secrets.get(renamed.id, "scim") == key  # keys follow the id
        profile = forget_key(profiles, secrets, renamed, "scim")
        assert keyring.get_password(SERVICE, f"{profile.id}:scim") is None
        profile = store_key(profiles, secrets, profile, "scim", key)
        profiles.remove("Renamed")
        assert keyring.get_password(SERVICE, f"{profile.id}:scim") is None
    finally:
        try:
            keyring.get_keyring().delete_password(SERVICE, f"{profile.id}:scim")
        except keyring.errors.PasswordDeleteError:
            pass


def run_cli(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], *argv: str,
            stdin: str = "") -> tuple[int, str, str]:
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    code = main(list(argv))
    out, err = capsys.readouterr()
    TRANSCRIPT.extend([out, err])
    return code, out, err


def test_full_cli_session_by_profile_against_the_emulator(record, monkeypatch, capsys):
    from birdadmin.emulator import EmulatorOptions, start_emulator

    scim_key, accounts_key = new_key("scim"), new_key("accounts")
    options = EmulatorOptions(port=0, users=50, groups=4, seed=5, key=scim_key, accounts_key=accounts_key)
    with start_emulator(options) as emu:
        code, out, err = run_cli(
            monkeypatch, capsys, "-v", "profiles", "add", "emu", "--base-url", emu.scim_url,
            "--accounts-url", emu.accounts_url, "--key-stdin", "--accounts-key-stdin",
            stdin=f"{scim_key}\n{accounts_key}\n",
        )
        assert code == 0, err
        profile = ProfileStore(record).get("emu")
        assert keyring.get_password(SERVICE, f"{profile.id}:scim") == scim_key
        assert keyring.get_password(SERVICE, f"{profile.id}:accounts") == accounts_key

        code, out, err = run_cli(monkeypatch, capsys, "--format", "json", "profiles", "list")
        (row,) = json.loads(out)
        assert row["scim_key"] == "…" + scim_key[-4:] and row["accounts_key"] == "…" + accounts_key[-4:]

        code, out, err = run_cli(monkeypatch, capsys, "-v", "profiles", "test", "emu")
        assert code == 0, err
        assert "SCIM: reachable, key accepted, 50 users." in out and "Role catalogue: available" in out

        # Any command by profile reads its key from the keyring.
        code, out, err = run_cli(monkeypatch, capsys, "-v", "--profile", "emu", "--format", "json", "users", "list")
        assert code == 0, err
        assert len(json.loads(out)) == 50

        # A wrong new key is refused and the old one kept.
        wrong = new_key("wrong")
        code, out, err = run_cli(monkeypatch, capsys, "profiles", "set-key", "emu", "--key-stdin", stdin=wrong + "\n")
        assert code == 3 and "stored key is unchanged" in err
        assert keyring.get_password(SERVICE, f"{profile.id}:scim") == scim_key
        port, org_id = emu.port, emu.org_id

    # The admin revokes the old key in Bird and creates a new one: same server, new key.
    rotated = new_key("rotated")
    options = EmulatorOptions(port=port, org_id=org_id, users=50, groups=4, seed=5, key=rotated,
                              accounts_key=accounts_key)
    with start_emulator(options):
        code, out, err = run_cli(monkeypatch, capsys, "-v", "--profile", "emu", "users", "list")
        assert code == 3  # the stored key no longer works
        code, out, err = run_cli(monkeypatch, capsys, "profiles", "set-key", "emu", "--key-stdin",
                                 stdin=rotated + "\n")
        assert code == 0, err
        assert "works and is replaced" in out
        assert keyring.get_password(SERVICE, f"{profile.id}:scim") == rotated
        code, out, err = run_cli(monkeypatch, capsys, "-v", "--profile", "emu", "--format", "json", "users", "list")
        assert code == 0 and len(json.loads(out)) == 50

        code, out, err = run_cli(monkeypatch, capsys, "profiles", "forget-key", "emu", "--accounts")
        assert code == 0 and keyring.get_password(SERVICE, f"{profile.id}:accounts") is None
        code, out, err = run_cli(monkeypatch, capsys, "profiles", "remove", "emu")
        assert code == 0
        assert keyring.get_password(SERVICE, f"{profile.id}:scim") is None
        assert ProfileStore(record).names() == []


def test_no_backend_gives_the_clear_message(monkeypatch, capsys):
    store = SecretStore(backend=fail.Keyring())
    with pytest.raises(SecretStoreError) as caught:
        store.check()
    assert "No usable keyring was found" in caught.value.message
    assert "apt install gnome-keyring" in caught.value.message
    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    try:
        key = new_key("nobackend")
        code, out, err = run_cli(monkeypatch, capsys, "profiles", "add", "x", "--base-url", BASE, "--key-stdin",
                                 stdin=key + "\n")
    finally:
        keyring.set_keyring(previous)
    assert code == 1 and "No usable keyring was found" in err


# keyring's SecretService backend leaves its D-Bus connection open when it finds the collection locked; that
# ResourceWarning is keyring's, collected here so it is not blamed on a later test.
@pytest.mark.filterwarnings("ignore::ResourceWarning")
def test_locked_keyring_is_reported(profile_id: str):
    """Runs late: once locked, this throwaway keyring cannot be unlocked without a prompt."""
    import secretstorage

    store = SecretStore()
    store.set(profile_id, "scim", new_key("locked"))
    connection = secretstorage.dbus_init()
    try:
        secretstorage.get_default_collection(connection).lock()
    finally:
        connection.close()
    with pytest.raises(SecretStoreError) as caught:
        SecretStore().get(profile_id, "scim")
    assert "The keyring is locked" in caught.value.message and "Unlock the keyring" in caught.value.message
    gc.collect()


def test_zz_no_key_anywhere():
    """After all of the above: no key in any profile file, log record or command output."""
    assert SECRETS_USED and TRANSCRIPT
    files = [p for d in CONFIG_DIRS if d.exists() for p in d.rglob("*") if p.is_file()]
    assert files  # profile files were written
    haystacks = [p.read_text("utf-8", errors="replace") for p in files] + TRANSCRIPT
    for secret in SECRETS_USED:
        for text in haystacks:
            assert secret not in text
