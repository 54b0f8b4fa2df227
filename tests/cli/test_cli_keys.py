"""``birdadmin-cli keys list|create|revoke|rotate`` against the emulator (a fresh demo organization per test)."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from typing import Any

import httpx
import keyring
import pytest

from birdadmin.cli import main
from birdadmin.store.keys import store_key
from birdadmin.store.profiles import Profile, ProfileStore
from birdadmin.store.secrets import SecretStore
from tests.keyrings import MemoryKeyring


class FakeTty(io.StringIO):
    def isatty(self) -> bool:
        return True


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
def emu(demo_emulator: Any) -> Any:
    return demo_emulator


@pytest.fixture
def cli(emu: Any, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]):
    monkeypatch.setenv("BIRDADMIN_ACCESS_KEY", emu.key)
    monkeypatch.setenv("BIRDADMIN_ACCOUNTS_KEY", emu.accounts_key)

    def run(*argv: str, stdin: str = "", tty: bool = False, connect: bool = True) -> tuple[int, str, str]:
        monkeypatch.setattr("sys.stdin", FakeTty(stdin) if tty else io.StringIO(stdin))
        if tty:  # stderr as a terminal too (tests/cli/test_cli_confirm.py drives a real pty for the shared rule)
            monkeypatch.setattr("birdadmin.cli.confirm._is_terminal", lambda stream: True)
        where = ["--base-url", emu.scim_url, "--accounts-url", emu.accounts_url] if connect else []
        code = main([*where, *argv])
        out, err = capsys.readouterr()
        assert emu.key not in out + err and emu.accounts_key not in out + err
        assert "Traceback" not in err
        return code, out, err

    return run


def _role(emu: Any, name: str) -> str:
    return next(str(r["id"]) for r in emu.state.roles() if r["name"] == name)


def _listed(emu: Any) -> dict[str, dict[str, Any]]:
    return {k["name"]: k for k in emu.access_keys()}


def test_list_as_json(emu: Any, cli) -> None:
    code, out, _ = cli("--format", "json", "keys", "list")
    assert code == 0
    rows = json.loads(out)
    assert {tuple(sorted(r)) for r in rows} == {("createdAt", "id", "lastUsedAt", "name", "roles", "suffix")}
    truth = {k["id"]: k for k in emu.access_keys()}
    assert {r["id"] for r in rows} == set(truth)
    for row in rows:
        assert row["roles"] == truth[row["id"]]["roleIds"] and row["suffix"] == truth[row["id"]]["suffix"]
    code, out, _ = cli("keys", "list")
    assert code == 0 and "Owner" in out and "access keys" in out


def test_create_prints_the_secret_once_on_stdout(emu: Any, cli) -> None:
    code, out, err = cli("keys", "create", "exporter", "--role", "Analyst", "--description", "nightly")
    assert code == 0 and "shown once" in err
    secret = out.strip()
    assert secret and "\n" not in secret and secret not in err
    key = _listed(emu)["exporter"]
    assert secret.endswith(key["suffix"]) and key["roleIds"] == [_role(emu, "Analyst")]
    ok = httpx.get(f"{emu.scim_url}/Users", headers={"Authorization": f"Bearer {secret}"}, timeout=10)
    assert ok.status_code == 200


def test_create_store_for_keeps_the_secret_in_the_keyring_only(emu: Any, cli, memory: MemoryKeyring) -> None:
    ProfileStore().add(Profile(name="ci", base_url=emu.scim_url))
    code, out, err = cli("keys", "create", "ci key", "--role", "Developer", "--store-for", "ci")
    assert code == 0
    secret = SecretStore(memory).get(ProfileStore().get("ci").id, "scim")
    assert secret and secret not in out + err and secret[-8:] in out
    assert ProfileStore().get("ci").scim_key_fingerprint == "…" + secret[-4:]


def test_create_for_an_unknown_profile_creates_nothing(emu: Any, cli, memory: MemoryKeyring) -> None:
    before = set(_listed(emu))
    code, _, err = cli("keys", "create", "x", "--role", "Analyst", "--store-for", "nope")
    assert code != 0 and set(_listed(emu)) == before and "nope" in err


def test_create_store_for_a_refusing_keyring_says_to_revoke(emu: Any, cli, memory: MemoryKeyring) -> None:
    ProfileStore().add(Profile(name="ci", base_url=emu.scim_url))
    memory.locked = True
    seen: list[str] = []
    original = emu.keys.create
    emu.keys.create = lambda body, known: (lambda a: seen.append(a["secret"]) or a)(original(body, known))
    code, out, err = cli("keys", "create", "ci key", "--role", "Developer", "--store-for", "ci")
    key = _listed(emu)["ci key"]
    assert code == 1 and out == "" and f"keys revoke {key['id']}" in err
    assert seen and seen[0] not in err


def test_revoke_by_name(emu: Any, cli) -> None:
    code, out, _ = cli("keys", "revoke", "Data warehouse loader")
    assert code == 0 and "Revoked" in out and "Data warehouse loader" not in _listed(emu)


def test_revoking_the_key_in_use_needs_yes(emu: Any, cli) -> None:
    key_id = _listed(emu)["birdadmin"]["id"]
    code, _, err = cli("keys", "revoke", key_id)
    assert code == 2 and "this connection uses" in err and "--yes" in err
    assert "birdadmin" in _listed(emu)
    code, _, err = cli("keys", "revoke", key_id, "--yes")
    assert code == 0 and "--yes answered" in err and "birdadmin" not in _listed(emu)


def test_revoking_the_last_owner_key_asks_on_a_terminal(emu: Any, cli) -> None:
    code, _, err = cli("keys", "revoke", "Break-glass admin", stdin="no\n", tty=True)
    assert code == 2 and "last key holding a sensitive role" in err and "Break-glass admin" in _listed(emu)
    code, _, _ = cli("keys", "revoke", "Break-glass admin", stdin="yes\n", tty=True)
    assert code == 0 and "Break-glass admin" not in _listed(emu)


def test_revoke_an_unknown_key(cli) -> None:
    code, _, err = cli("keys", "revoke", "no such key")
    assert code == 2 and "keys list" in err


def _profile(emu: Any, memory: MemoryKeyring) -> Profile:
    profiles, secrets = ProfileStore(), SecretStore(memory)
    profile = profiles.add(Profile(name="prod", base_url=emu.scim_url, accounts_url=emu.accounts_url,
                                   org_id=emu.org_id))  # fmt: skip
    store_key(profiles, secrets, profile, "scim", emu.key)
    return store_key(profiles, secrets, profile, "accounts", emu.accounts_key)


def test_rotate_prints_each_step_and_exits_0(emu: Any, cli, memory: MemoryKeyring,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    profile = _profile(emu, memory)
    monkeypatch.delenv("BIRDADMIN_ACCESS_KEY")
    monkeypatch.delenv("BIRDADMIN_ACCOUNTS_KEY")
    code, out, err = cli("keys", "rotate", "--profile", "prod", connect=False)
    assert code == 0, err
    assert [line.split(":")[0] for line in out.splitlines()[:5]] == ["create", "store", "test", "switch", "revoke"]
    new = SecretStore(memory).get(profile.id, "scim")
    assert new and new != emu.key and new not in out + err


def test_rotate_stopped_exits_1_with_the_sentence(emu: Any, cli, memory: MemoryKeyring,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    profile = _profile(emu, memory)
    emu.inject(403, count=3, path_contains="access-keys", method="POST")
    code, _, err = cli("keys", "rotate", "--profile", "prod", connect=False)
    assert code == 1 and "stopped at create" in err and "still works" in err
    assert SecretStore(memory).get(profile.id, "scim") == emu.key


def test_rotate_needs_a_profile(cli) -> None:
    code, _, err = cli("keys", "rotate", connect=False)
    assert code == 2 and "--profile" in err
