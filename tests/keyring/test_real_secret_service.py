"""Keys in a real Secret Service (gnome-keyring on a private D-Bus session), run through ``.ci/with-keyring``.

    .ci/with-keyring /path/to/python -m pytest tests/keyring -q

Skipped elsewhere: without that wrapper these tests would write to the developer's own keyring. Each test stands
alone (any order, any subset); the key scan runs a whole profile session of its own and then searches what that
session left behind (profile files, log records, command output).
"""

from __future__ import annotations

import contextlib
import io
import json
import logging
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest
from keyring.backends import SecretService, fail

from birdadmin.cli import main
from birdadmin.errors import SecretStoreError
from birdadmin.store.keys import forget_key, remove_profile, store_key
from birdadmin.store.profiles import Profile, ProfileStore
from birdadmin.store.secrets import SERVICE, SecretStore

pytestmark = [
    pytest.mark.keyring,
    pytest.mark.skipif(
        os.environ.get("BIRDADMIN_REAL_KEYRING") != "1",
        reason="needs a throwaway Secret Service: run under .ci/with-keyring (sets BIRDADMIN_REAL_KEYRING=1)",
    ),
]

WITH_KEYRING = Path(__file__).resolve().parents[2] / ".ci" / "with-keyring"
BASE = "https://api.bird.com/organizations/123e4567-e89b-12d3-a456-426614174000/scim/v2"

# The packages whose loggers get the captured handler directly: birdadmin.cli.main() points the "birdadmin"
# logger at stderr and stops it propagating, so records from a CLI run would not reach caplog otherwise.
_LOGGER_PACKAGES = ("cli", "net", "store", "scim", "bird", "domain", "services", "connection")


def new_key(label: str) -> str:
    return f"{label}-{uuid.uuid4().hex}"


@pytest.fixture(autouse=True)
def record(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A config dir per test; the "birdadmin" logger is put back afterwards (the CLI reconfigures it)."""
    config = tmp_path / "config"
    monkeypatch.setenv("BIRDADMIN_CONFIG_DIR", str(config))
    logger = logging.getLogger("birdadmin")
    saved = (logger.handlers[:], logger.level, logger.propagate)
    yield config
    logger.handlers[:], logger.level, logger.propagate = saved[0], saved[1], saved[2]


@pytest.fixture
def profile_id() -> Iterator[str]:
    """A unique profile id whose keyring entries are removed whatever the test did."""
    pid = uuid.uuid4().hex
    yield pid
    for kind in ("scim", "accounts"):
        with contextlib.suppress(keyring.errors.PasswordDeleteError):
            keyring.get_keyring().delete_password(SERVICE, f"{pid}:{kind}")


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
    profiles = ProfileStore(record)
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
        remove_profile(profiles, secrets, profiles.get("Renamed"))
        assert keyring.get_password(SERVICE, f"{profile.id}:scim") is None
    finally:
        with contextlib.suppress(keyring.errors.PasswordDeleteError):
            keyring.get_keyring().delete_password(SERVICE, f"{profile.id}:scim")


def run_cli(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], *argv: str,
            stdin: str = "") -> tuple[int, str, str]:
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    code = main(list(argv))
    out, err = capsys.readouterr()
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
        code, _out, err = run_cli(monkeypatch, capsys, "profiles", "add", "x", "--base-url", BASE, "--key-stdin",
                                 stdin=key + "\n")
    finally:
        keyring.set_keyring(previous)
    assert code == 1 and "No usable keyring was found" in err


# Locks a keyring of its own: once locked, a keyring cannot be unlocked without a prompt, so locking the shared
# one would break every test that ran after this one.
_LOCKED_CHILD = r"""
import uuid

import secretstorage

from birdadmin.errors import SecretStoreError
from birdadmin.store.secrets import SecretStore

profile_id = uuid.uuid4().hex
SecretStore().set(profile_id, "scim", "locked-" + uuid.uuid4().hex)
connection = secretstorage.dbus_init()
try:
    secretstorage.get_default_collection(connection).lock()
finally:
    connection.close()
try:
    SecretStore().get(profile_id, "scim")
except SecretStoreError as exc:
    print(exc.message)
else:
    print("NO ERROR")
"""


def test_locked_keyring_is_reported(tmp_path: Path):
    env = {**os.environ, "TMPDIR": str(tmp_path), "BIRDADMIN_CONFIG_DIR": str(tmp_path / "config")}
    result = subprocess.run([str(WITH_KEYRING), sys.executable, "-c", _LOCKED_CHILD], env=env,
                            capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    message = result.stdout
    assert "The keyring is locked" in message and "Unlock the keyring" in message


def test_no_key_anywhere_after_a_full_profile_session(record, monkeypatch, capsys, caplog):
    """Store, connect by profile through the CLI, rotate and forget, with distinctive keys; then none of them is
    in the config dir, any log record (DEBUG, before any handler's redaction) or any command output."""
    from birdadmin.emulator import EmulatorOptions, start_emulator

    tag = uuid.uuid4().hex
    scim_key, accounts_key, rotated = f"zzScim{tag}", f"zzAccounts{tag}", f"zzRotated{tag}"
    caplog.set_level(logging.DEBUG)
    captured = [logging.getLogger(f"birdadmin.{name}") for name in _LOGGER_PACKAGES]
    for logger in captured:
        logger.addHandler(caplog.handler)
    output: list[str] = []
    profile: Profile | None = None

    def cli(*argv: str, stdin: str = "") -> tuple[int, str, str]:
        code, out, err = run_cli(monkeypatch, capsys, *argv, stdin=stdin)
        output.extend([out, err])
        return code, out, err

    try:
        options = EmulatorOptions(port=0, users=20, groups=2, seed=11, key=scim_key, accounts_key=accounts_key)
        with start_emulator(options) as emu:
            code, out, err = cli("-v", "profiles", "add", "scan", "--base-url", emu.scim_url, "--accounts-url",
                                 emu.accounts_url, "--key-stdin", "--accounts-key-stdin",
                                 stdin=f"{scim_key}\n{accounts_key}\n")
            assert code == 0, err
            profile = ProfileStore(record).get("scan")
            assert keyring.get_password(SERVICE, f"{profile.id}:scim") == scim_key  # the key did go somewhere
            code, out, err = cli("-v", "profiles", "list")
            assert code == 0 and "…" + scim_key[-4:] in out
            code, out, err = cli("-v", "profiles", "test", "scan")
            assert code == 0 and "key accepted" in out, err
            code, out, err = cli("-v", "--profile", "scan", "--format", "json", "users", "list")
            assert code == 0 and len(json.loads(out)) == 20, err
            port, org_id = emu.port, emu.org_id

        options = EmulatorOptions(port=port, org_id=org_id, users=20, groups=2, seed=11, key=rotated,
                                  accounts_key=accounts_key)
        with start_emulator(options):
            code, out, err = cli("-v", "profiles", "set-key", "scan", "--key-stdin", stdin=rotated + "\n")
            assert code == 0 and "works and is replaced" in out, err
            assert keyring.get_password(SERVICE, f"{profile.id}:scim") == rotated
            code, out, err = cli("-v", "--profile", "scan", "--format", "json", "users", "list")
            assert code == 0 and len(json.loads(out)) == 20, err
            code, out, err = cli("-v", "profiles", "forget-key", "scan", "--accounts")
            assert code == 0 and keyring.get_password(SERVICE, f"{profile.id}:accounts") is None
            code, out, err = cli("-v", "profiles", "forget-key", "scan")
            assert code == 0 and keyring.get_password(SERVICE, f"{profile.id}:scim") is None
            code, out, err = cli("-v", "profiles", "remove", "scan")
            assert code == 0, err
    finally:
        for logger in captured:
            logger.removeHandler(caplog.handler)
        for kind in ("scim", "accounts"):
            if profile is None:
                break
            with contextlib.suppress(keyring.errors.PasswordDeleteError):  # leave nothing in the keyring
                keyring.get_keyring().delete_password(SERVICE, f"{profile.id}:{kind}")

    files = [p for p in record.rglob("*") if p.is_file()]
    assert profile is not None and any(p.name == "profiles.json" for p in files)
    logs = caplog.text
    # The scan saw the session: CLI records came through, and so did a request with the key in its header.
    assert f"profile {profile.id}" in logs and "/Users" in logs
    assert any(text.strip() for text in output)
    haystacks = {str(p): p.read_text("utf-8", errors="replace") for p in files}
    haystacks["log records"] = logs
    haystacks["command output"] = "\n".join(output)
    for key in (scim_key, accounts_key, rotated):
        found = [where for where, text in haystacks.items() if key in text]
        assert not found, f"a key was found in {found}"
