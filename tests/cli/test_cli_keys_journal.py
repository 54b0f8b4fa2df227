"""``keys create|revoke|rotate`` write the journal as role changes do: an "access key" entry with who, when, where,
the key's name, suffix and roles and the outcome, never its secret; ``journal list|show|verify`` read them and
``journal undo`` refuses them in one sentence (against the emulator, the journal in the test's data directory)."""

from __future__ import annotations

import io
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import keyring
import pytest

from birdadmin import errors
from birdadmin.cli import main
from birdadmin.store.journal import EXIT_NOT_JOURNALED, FILE_NAME, Journal, os_user
from birdadmin.store.keys import store_key
from birdadmin.store.profiles import Profile, ProfileStore
from birdadmin.store.secrets import SecretStore
from tests.keyrings import MemoryKeyring


@pytest.fixture
def journal_path() -> Path:
    return Path(os.environ["BIRDADMIN_DATA_DIR"]) / FILE_NAME


@pytest.fixture
def memory() -> Iterator[MemoryKeyring]:
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    try:
        yield backend
    finally:
        keyring.set_keyring(previous)


@pytest.fixture
def cli(demo_emulator: Any, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]):
    emu = demo_emulator
    monkeypatch.setenv("BIRDADMIN_ACCESS_KEY", emu.key)
    monkeypatch.setenv("BIRDADMIN_ACCOUNTS_KEY", emu.accounts_key)

    def run(*argv: str, connect: bool = True) -> tuple[int, str, str]:
        monkeypatch.setattr("sys.stdin", io.StringIO(""))
        where = ["--base-url", demo_emulator.scim_url, "--accounts-url", demo_emulator.accounts_url] if connect else []
        code = main([*where, *argv])
        out, err = capsys.readouterr()
        assert emu.key not in out + err and emu.accounts_key not in out + err
        assert "Traceback" not in err
        return code, out, err

    return run


def _role(emu: Any, name: str) -> str:
    return next(str(r["id"]) for r in emu.state.roles() if r["name"] == name)


def _entries(cli) -> list[dict[str, Any]]:
    code, out, _ = cli("--format", "json", "journal", "list", connect=False)
    assert code == 0
    return list(json.loads(out))


def test_create_and_revoke_are_journaled_without_the_secret(cli, demo_emulator, journal_path: Path) -> None:
    emu = demo_emulator
    analyst = _role(emu, "Analyst")
    code, secret, _ = cli("keys", "create", "exporter", "--role", "Analyst")
    assert code == 0
    secret = secret.strip()
    key = next(k for k in emu.access_keys() if k["name"] == "exporter")
    code, _, err = cli("keys", "revoke", "exporter")
    assert code == 0, err
    created, revoked = _entries(cli)
    assert created["target"] == {"kind": "access key", "id": key["id"], "name": "exporter", "suffix": key["suffix"]}
    assert (created["action"], created["status"], created["roles"]) == ("keys create", "created", [analyst])
    assert (created["before"], created["after"]) == ([], [key["suffix"]])
    assert (revoked["action"], revoked["status"], revoked["before"], revoked["after"]) == (
        "keys revoke", "revoked", [key["suffix"]], [])
    for entry in (created, revoked):
        assert entry["osUser"] == os_user() and entry["profile"]["baseUrl"].startswith(emu.scim_url.split("/scim")[0])
    assert [r["method"] for r in created["requests"]] == ["POST"] and revoked["requests"][0]["method"] == "DELETE"
    data = journal_path.read_bytes()
    assert secret.encode() not in data and secret[:-len(key["suffix"])].encode() not in data
    assert emu.key.encode() not in data and emu.accounts_key.encode() not in data
    code, out, _ = cli("journal", "verify", connect=False)
    assert code == 0 and "2 entries" in out
    code, out, _ = cli("journal", "list", connect=False)
    assert code == 0 and "access key exporter" in out and "keys revoke" in out and f"…{key['suffix']}" in out


def test_undo_of_a_key_entry_is_refused_in_one_sentence(cli, demo_emulator) -> None:
    assert cli("keys", "create", "short-lived", "--role", "Analyst")[0] == 0
    assert cli("keys", "revoke", "short-lived")[0] == 0
    key_id = _entries(cli)[0]["target"]["id"]
    code, _, err = cli("journal", "undo", "1")
    assert code == 2 and f"keys revoke {key_id}" in err and len(err.strip().splitlines()) == 1
    code, _, err = cli("journal", "undo", "2")
    assert code == 2 and "cannot come back" in err and len(err.strip().splitlines()) == 1
    code, out, _ = cli("journal", "show", "2", connect=False)
    assert code == 0 and "roles" in out


def test_an_unusable_journal_refuses_a_key_before_sending(cli, demo_emulator, journal_path: Path) -> None:
    before = {k["id"] for k in demo_emulator.access_keys()}
    journal_path.parent.mkdir(parents=True, exist_ok=True)
    journal_path.write_bytes(b"not a database" * 200)
    code, out, err = cli("keys", "create", "never", "--role", "Analyst")
    assert code == 2 and out == "" and "nothing was sent" in err
    assert {k["id"] for k in demo_emulator.access_keys()} == before


def test_a_key_the_journal_cannot_record_still_shows_its_secret_and_exits_6(
    cli, demo_emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(self: Journal, content: object) -> None:
        raise errors.ConfigError(f"The journal at {self.path} could not be written (disk full).")

    monkeypatch.setattr(Journal, "append", refuse)
    code, out, err = cli("keys", "create", "unrecorded", "--role", "Analyst")
    key = next(k for k in demo_emulator.access_keys() if k["name"] == "unrecorded")
    assert code == EXIT_NOT_JOURNALED and out.strip().endswith(key["suffix"])
    assert "WAS applied" in err and "disk full" in err


def _profile(emu: Any, memory: MemoryKeyring) -> Profile:
    profiles, secrets = ProfileStore(), SecretStore(memory)
    profile = profiles.add(Profile(name="prod", base_url=emu.scim_url, accounts_url=emu.accounts_url,
                                   org_id=emu.org_id))
    store_key(profiles, secrets, profile, "scim", emu.key)
    return store_key(profiles, secrets, profile, "accounts", emu.accounts_key)


def test_a_rotation_is_journaled_old_suffix_to_new(cli, demo_emulator, memory: MemoryKeyring,
                                                  journal_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    profile = _profile(demo_emulator, memory)
    old = next(k for k in demo_emulator.access_keys() if demo_emulator.key.endswith(k["suffix"]))
    monkeypatch.delenv("BIRDADMIN_ACCESS_KEY")
    monkeypatch.delenv("BIRDADMIN_ACCOUNTS_KEY")
    assert cli("keys", "rotate", "--profile", "prod", connect=False)[0] == 0
    new_secret = SecretStore(memory).get(profile.id, "scim")
    assert new_secret
    (entry,) = _entries(cli)
    assert entry["profile"] == {"name": "prod", "id": profile.id}
    assert (entry["action"], entry["status"], entry["roles"]) == ("keys rotate", "rotated", old["roleIds"])
    assert entry["before"] == [old["suffix"]] and entry["after"] == [entry["newKey"]["suffix"]]
    assert new_secret.endswith(entry["newKey"]["suffix"]) and entry["completed"][-1] == "revoke"
    assert new_secret.encode() not in journal_path.read_bytes()
    code, out, _ = cli("journal", "verify", connect=False)
    assert code == 0, out


def test_a_stopped_rotation_says_which_step_and_one_before_any_key_records_nothing(
    cli, demo_emulator, memory: MemoryKeyring, monkeypatch: pytest.MonkeyPatch
) -> None:
    _profile(demo_emulator, memory)
    demo_emulator.inject(403, count=1, path_contains="access-keys", method="POST")
    assert cli("keys", "rotate", "--profile", "prod", connect=False)[0] == 1
    assert _entries(cli) == []  # nothing was created: nothing changed in Bird

    def refuse(*_a: object, **_k: object) -> object:
        raise errors.BirdadminError("The server could not be reached.")

    monkeypatch.setattr("birdadmin.services.key_rotation.check_connection", refuse)
    code, _, err = cli("keys", "rotate", "--profile", "prod", connect=False)
    assert code == 1 and "stopped at test" in err
    (entry,) = _entries(cli)
    assert (entry["status"], entry["failedStep"]) == ("failed", "test")
    assert entry["before"] == entry["after"] and "still works" in entry["reason"]
    code, out, _ = cli("journal", "list", connect=False)
    assert "failed" in out
