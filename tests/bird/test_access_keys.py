"""The access-keys adapter (bird/access_keys.py) against the emulator: listing with roles (A7), create answering
the secret once (A8), revoke (A9), and key_for_secret matching by suffix."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest

from birdadmin import errors
from birdadmin.bird import AccountsClient
from birdadmin.bird.access_keys import AccessKey, AccessKeys, key_for_secret, parse_access_key
from birdadmin.emulator import Emulator, EmulatorOptions, start_emulator
from birdadmin.scim.client import ScimClient


@pytest.fixture
def emu() -> Iterator[Emulator]:
    with start_emulator(EmulatorOptions(port=0, users=20, groups=3, seed=5)) as running:
        yield running


@pytest.fixture
def client(emu: Emulator) -> Iterator[AccountsClient]:
    with AccountsClient(emu.accounts_url, emu.org_id, emu.accounts_key, sleep=lambda _s: None) as accounts:
        yield accounts


def _role(emu: Emulator, name: str) -> str:
    return next(str(r["id"]) for r in emu.state.roles() if r["name"] == name)


def test_list_reads_every_key_with_roles_and_never_a_secret(emu: Emulator, client: AccountsClient) -> None:
    keys = AccessKeys(client).list()
    assert len(keys) == len(emu.access_keys()) >= 6
    owner = _role(emu, "Owner")
    assert any(k.role_ids and owner in k.role_ids for k in keys)
    assert any(k.last_used_at is None for k in keys)
    assert all(emu.key not in repr(k) and emu.accounts_key not in repr(k) for k in keys)
    mine = key_for_secret(keys, emu.accounts_key)
    assert mine is not None and mine.name == "birdadmin" and mine.last_used_at is not None
    assert key_for_secret(keys, emu.key) is not None and key_for_secret(keys, emu.key) != mine


def test_create_returns_the_secret_once_and_the_key_works(emu: Emulator, client: AccountsClient,
                                                          caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    adapter = AccessKeys(client)
    key, secret = adapter.create("exporter", "nightly", [_role(emu, "Analyst")])
    assert key.suffix and secret.endswith(key.suffix) and key.role_ids == (_role(emu, "Analyst"),)
    assert key.description == "nightly" and key.last_used_at is None
    with ScimClient(emu.scim_url, secret) as scim:
        assert scim.count_users() == 20
    listed = {k.id: k for k in adapter.list()}
    assert listed[key.id].last_used_at is not None
    adapter.revoke(key.id)
    assert key.id not in {k.id for k in adapter.list()}
    with ScimClient(emu.scim_url, secret) as scim, pytest.raises(errors.AuthError):
        scim.count_users()
    assert secret not in caplog.text


def test_revoking_an_unknown_key_is_not_found(client: AccountsClient) -> None:
    with pytest.raises(errors.NotFoundError):
        AccessKeys(client).revoke("00000000-0000-4000-8000-000000000000")


def test_create_refuses_before_sending(emu: Emulator, client: AccountsClient) -> None:
    before = emu.request_count
    with pytest.raises(errors.InputError):
        AccessKeys(client).create(" ", "", [_role(emu, "Analyst")])
    with pytest.raises(errors.InputError):
        AccessKeys(client).create("x", "", [])
    assert emu.request_count == before


def test_a_refused_create_is_a_validation_error(client: AccountsClient) -> None:
    with pytest.raises(errors.RequestError):
        AccessKeys(client).create("x", "", ["00000000-0000-4000-8000-000000000000"])


def test_parse_keeps_unlisted_roles_apart_from_no_roles() -> None:
    assert parse_access_key({"id": "a", "suffix": "abcd"}).role_ids is None  # type: ignore[union-attr]
    assert parse_access_key({"id": "a", "suffix": "abcd", "roleIds": []}).role_ids == ()  # type: ignore[union-attr]
    assert parse_access_key({"suffix": "abcd"}) is None
    assert parse_access_key(["not", "a", "key"]) is None


def _key(key_id: str, suffix: str) -> AccessKey:
    return AccessKey(key_id, key_id, "", suffix, (), None, None)


def test_key_for_secret_prefers_the_longest_suffix_and_refuses_ties() -> None:
    keys = [_key("a", "-key"), _key("b", "scim-key")]
    assert key_for_secret(keys, "demo-scim-key") == keys[1]
    assert key_for_secret(keys, "other-key") == keys[0]
    assert key_for_secret([_key("a", "abcd"), _key("b", "abcd")], "xxabcd") is None
    assert key_for_secret(keys, "nothing") is None
    assert key_for_secret([_key("a", "")], "anything") is None


@pytest.mark.parametrize("secret", ["\x1b[2Jabc", "two words", "клю\u0447", "tab\tbed"])
def test_a_secret_that_is_no_usable_key_is_refused_not_shown(emu: Emulator, client: AccountsClient,
                                                             monkeypatch: pytest.MonkeyPatch, secret: str) -> None:
    """A server's answer is untrusted: a "secret" with control characters, spaces or non-ASCII is refused (it could
    not be sent as a header, and printed it could rewrite the terminal), naming the key to revoke."""
    from birdadmin.bird import access_keys

    real = access_keys.parse_json

    def hostile(response: object, *, service: str) -> object:
        data = real(response, service=service)  # type: ignore[arg-type]
        return {**data, "secret": secret} if isinstance(data, dict) and "secret" in data else data

    monkeypatch.setattr(access_keys, "parse_json", hostile)
    with pytest.raises(errors.ProtocolError, match="no usable key and secret; revoke it"):
        AccessKeys(client).create("hostile", "", [_role(emu, "Analyst")])
