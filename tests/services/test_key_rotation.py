"""Rotating a profile's key (services/key_rotation.py) against the emulator, interrupted for real at each step:
after every stop the profile's stored key works against the server, and the new secret appears in no file under
the config and data dirs, no log record and no output."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, Literal

import httpx
import keyring.errors
import pytest

from birdadmin import errors
from birdadmin.connection_check import check_connection
from birdadmin.emulator import Emulator, EmulatorOptions, start_emulator
from birdadmin.services.key_rotation import STEPS, rotate_profile_key, staging_id
from birdadmin.store.keys import resolve_keys, store_key
from birdadmin.store.paths import config_dir, data_dir
from birdadmin.store.profiles import Profile, ProfileStore
from birdadmin.store.secrets import SecretStore
from tests.keyrings import MemoryKeyring


class RefusingKeyring(MemoryKeyring):
    """Refuses writes to usernames containing ``refuse`` (a keyring that will not take the write)."""

    refuse: str | None = None

    def set_password(self, service: str, username: str, password: str) -> None:
        if self.refuse is not None and self.refuse in username:
            raise keyring.errors.PasswordSetError("the collection refused the write")
        super().set_password(service, username, password)


class BrokenProfileStore(ProfileStore):
    """A profile file that cannot be written once ``broken`` is set."""

    broken = False

    def update(self, profile: Profile) -> Profile:
        if self.broken:
            raise errors.ConfigError("The profiles file cannot be written (read-only file system).")
        return super().update(profile)


@pytest.fixture
def emu() -> Iterator[Emulator]:
    with start_emulator(EmulatorOptions(port=0, users=8, groups=2, seed=7)) as running:
        yield running


@pytest.fixture
def created(emu: Emulator) -> list[str]:
    """Every secret the emulator hands out, seen where the server makes it (not through the code under test)."""
    seen: list[str] = []
    original = emu.keys.create

    def spy(body: Any, known: set[str]) -> dict[str, Any]:
        answer = original(body, known)
        seen.append(answer["secret"])
        return answer

    emu.keys.create = spy  # type: ignore[method-assign]
    return seen


@pytest.fixture
def backend() -> RefusingKeyring:
    return RefusingKeyring()


@pytest.fixture
def setup(emu: Emulator, backend: RefusingKeyring) -> tuple[BrokenProfileStore, SecretStore, Profile]:
    profiles, secrets = BrokenProfileStore(), SecretStore(backend)
    profile = profiles.add(Profile(name="prod", base_url=emu.scim_url, accounts_url=emu.accounts_url,
                                   org_id=emu.org_id))  # fmt: skip
    profile = store_key(profiles, secrets, profile, "scim", emu.key)
    profile = store_key(profiles, secrets, profile, "accounts", emu.accounts_key)
    return profiles, secrets, profile


def works(profiles: ProfileStore, secrets: SecretStore, kind: Literal["scim", "accounts"] = "scim") -> str:
    """The profile's stored key of ``kind``, after checking that the server accepts it."""
    profile = profiles.get("prod")
    keys = resolve_keys(profile, secrets, environ={})
    key = keys.scim if kind == "scim" else keys.accounts
    assert key
    report = check_connection(profile, key if kind == "scim" else None, key if kind == "accounts" else None)
    assert (report.key_accepted if kind == "scim" else report.accounts_key_accepted), report.lines()
    return key


def nowhere(secret: str, caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str]) -> None:
    for base in (config_dir(), data_dir()):
        for path in Path(base).rglob("*"):
            if path.is_file():
                assert secret.encode() not in path.read_bytes(), path
    assert secret not in caplog.text
    assert all(secret not in str(r.args) for r in caplog.records)
    out, err = capsys.readouterr()
    assert secret not in out and secret not in err


def rotate(setup: Any, on_step: Callable[[str], None] | None = None,
           kind: Literal["scim", "accounts"] = "scim") -> Any:  # fmt: skip
    profiles, secrets, _profile = setup
    return rotate_profile_key("prod", profiles=profiles, secrets=secrets, kind=kind, on_step=on_step)


@pytest.fixture(autouse=True)
def _log_everything(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)


def _admin_http(emu: Emulator) -> httpx.Client:
    return httpx.Client(base_url=f"{emu.accounts_url}/organizations/{emu.org_id}", timeout=10,
                        headers={"Authorization": f"AccessKey {emu.accounts_key}"})  # fmt: skip


def test_a_full_rotation_switches_and_revokes(emu: Emulator, setup: Any, created: list[str],
                                              caplog: pytest.LogCaptureFixture,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    profiles, secrets, profile = setup
    steps: list[str] = []
    result = rotate(setup, steps.append)
    assert result.stopped_at is None and result.completed == STEPS and steps == list(STEPS)
    (secret,) = created
    assert works(profiles, secrets) == secret
    assert profiles.get("prod").scim_key_fingerprint == "…" + secret[-4:]
    assert secrets.get(staging_id(profile), "scim") is None
    with httpx.Client(timeout=10) as plain:
        assert plain.get(f"{emu.scim_url}/Users", headers={"Authorization": f"Bearer {emu.key}"}).status_code == 401
    listed = {k["id"]: k for k in emu.access_keys()}
    assert result.new_key.id in listed and tuple(listed[result.new_key.id]["roleIds"]) == result.new_key.role_ids
    nowhere(secret, caplog, capsys)


def test_the_accounts_key_rotates_too(emu: Emulator, setup: Any, created: list[str],
                                      caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str]) -> None:
    profiles, secrets, _ = setup
    result = rotate(setup, kind="accounts")
    assert result.stopped_at is None, result.message
    assert works(profiles, secrets, "accounts") == created[0]
    assert works(profiles, secrets, "scim") == emu.key  # the other key is untouched
    nowhere(created[0], caplog, capsys)


def test_a_server_refusing_the_create_stops_at_create(emu: Emulator, setup: Any, created: list[str]) -> None:
    profiles, secrets, _ = setup
    emu.inject(403, count=3, path_contains="access-keys", method="POST")
    result = rotate(setup)
    assert (result.stopped_at, result.completed, created) == ("create", (), [])
    assert "old" in result.message and works(profiles, secrets) == emu.key


def test_a_keyring_refusing_the_write_stops_at_store(emu: Emulator, setup: Any, backend: RefusingKeyring,
                                                     created: list[str], caplog: pytest.LogCaptureFixture,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    profiles, secrets, _ = setup
    backend.refuse = ".rotating"
    result = rotate(setup)
    assert (result.stopped_at, result.completed) == ("store", ("create",))
    assert works(profiles, secrets) == emu.key
    assert result.new_key.id not in {k["id"] for k in emu.access_keys()}  # revoked again
    nowhere(created[0], caplog, capsys)


def test_a_new_key_revoked_before_its_test_stops_at_test(emu: Emulator, setup: Any, created: list[str],
                                                         caplog: pytest.LogCaptureFixture,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    profiles, secrets, _ = setup

    def revoke_first(step: str) -> None:
        if step == "test":
            new = next(k for k in emu.access_keys() if created and created[0].endswith(k["suffix"]))
            with _admin_http(emu) as admin:
                assert admin.delete(f"/access-keys/{new['id']}").status_code == 204

    result = rotate(setup, revoke_first)
    assert (result.stopped_at, result.completed) == ("test", ("create", "store"))
    assert works(profiles, secrets) == emu.key and "still works" in result.message
    nowhere(created[0], caplog, capsys)


def test_a_server_answering_401_to_the_test_stops_at_test(emu: Emulator, setup: Any, created: list[str]) -> None:
    profiles, secrets, _ = setup

    def refuse_next(step: str) -> None:
        if step == "test":
            emu.inject(401, count=4, path_contains="/scim/v2/")

    result = rotate(setup, refuse_next)
    assert result.stopped_at == "test"
    assert works(profiles, secrets) == emu.key
    assert result.new_key.id not in {k["id"] for k in emu.access_keys()}


def test_a_keyring_refusing_the_switch_stops_at_switch(emu: Emulator, setup: Any, backend: RefusingKeyring,
                                                       created: list[str]) -> None:
    profiles, secrets, profile = setup

    def refuse(step: str) -> None:
        if step == "switch":
            backend.refuse = f"{profile.id}:scim"

    result = rotate(setup, refuse)
    assert (result.stopped_at, result.completed) == ("switch", ("create", "store", "test"))
    backend.refuse = None
    assert works(profiles, secrets) == emu.key


def test_a_profile_file_refusing_the_switch_leaves_the_new_tested_key(emu: Emulator, setup: Any,
                                                                      created: list[str]) -> None:
    profiles, secrets, _ = setup

    def break_file(step: str) -> None:
        if step == "switch":
            profiles.broken = True

    result = rotate(setup, break_file)
    assert result.stopped_at == "switch" and "new, tested key" in result.message
    profiles.broken = False
    assert works(profiles, secrets) == created[0]
    with httpx.Client(timeout=10) as plain:  # and the old key was not revoked
        assert plain.get(f"{emu.scim_url}/Users", headers={"Authorization": f"Bearer {emu.key}"}).status_code == 200


def test_a_failing_revoke_stops_at_revoke_on_the_new_key(emu: Emulator, setup: Any, created: list[str],
                                                         caplog: pytest.LogCaptureFixture,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    profiles, secrets, _ = setup
    emu.inject(403, count=3, path_contains="access-keys/", method="DELETE")
    result = rotate(setup)
    assert (result.stopped_at, result.completed) == ("revoke", ("create", "store", "test", "switch"))
    assert works(profiles, secrets) == created[0]
    assert "old key still works" in result.message
    nowhere(created[0], caplog, capsys)


def test_a_key_not_in_the_list_is_not_rotated(emu: Emulator, setup: Any, created: list[str]) -> None:
    profiles, secrets, _ = setup
    scim_id = next(k["id"] for k in emu.access_keys() if emu.key.endswith(k["suffix"]))
    emu.keys._keys[scim_id]["suffix"] = "zzzzzzzz"  # the server lists no key ending like the profile's
    result = rotate(setup)
    assert result.stopped_at == "create" and created == []
    assert works(profiles, secrets) == emu.key


def test_a_profile_without_the_accounts_api_stops_before_anything(emu: Emulator, setup: Any,
                                                                   created: list[str]) -> None:
    profiles, secrets, profile = setup
    profiles.update(profile.model_copy(update={"accounts_url": None}))
    result = rotate(setup)
    assert (result.stopped_at, result.completed, created) == ("create", (), [])
    assert works(profiles, secrets) == emu.key
