"""A full rotation of a profile's key in a real Secret Service (gnome-keyring on a private D-Bus session), through
``birdadmin-cli keys rotate``: run under ``.ci/with-keyring`` (packaging/test); skipped elsewhere."""

from __future__ import annotations

import contextlib
import io
import logging
import os
from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest
from keyring.backends import SecretService

from birdadmin.cli import main
from birdadmin.emulator import EmulatorOptions, start_emulator
from birdadmin.store.keys import store_key
from birdadmin.store.paths import config_dir, data_dir
from birdadmin.store.profiles import Profile, ProfileStore
from birdadmin.store.secrets import SERVICE, SecretStore

pytestmark = [
    pytest.mark.keyring,
    pytest.mark.skipif(
        os.environ.get("BIRDADMIN_REAL_KEYRING") != "1",
        reason="needs a throwaway Secret Service: run under .ci/with-keyring (sets BIRDADMIN_REAL_KEYRING=1)",
    ),
]


@pytest.fixture
def emu() -> Iterator[object]:
    with start_emulator(EmulatorOptions(port=0, users=6, groups=1, seed=11)) as running:
        yield running


def test_rotate_the_scim_key_in_the_real_keyring(emu, monkeypatch: pytest.MonkeyPatch,
                                                 capsys: pytest.CaptureFixture[str],
                                                 caplog: pytest.LogCaptureFixture) -> None:
    secrets = SecretStore()
    assert isinstance(secrets.backend, SecretService.Keyring)
    profiles = ProfileStore()
    profile = profiles.add(Profile(name="rotating", base_url=emu.scim_url, accounts_url=emu.accounts_url,
                                   org_id=emu.org_id))  # fmt: skip
    created: list[str] = []
    original = emu.keys.create
    emu.keys.create = lambda body, known: (lambda a: created.append(a["secret"]) or a)(original(body, known))
    logger = logging.getLogger("birdadmin")
    saved = (logger.handlers[:], logger.level, logger.propagate)
    try:
        store_key(profiles, secrets, profile, "scim", emu.key)
        store_key(profiles, secrets, profile, "accounts", emu.accounts_key)
        monkeypatch.setattr("sys.stdin", io.StringIO(""))
        code = main(["--verbose", "keys", "rotate", "--profile", "rotating"])
        out, err = capsys.readouterr()
        assert code == 0, err
        (secret,) = created
        assert keyring.get_password(SERVICE, f"{profile.id}:scim") == secret  # read straight from the keyring
        assert keyring.get_password(SERVICE, f"{profile.id}.rotating:scim") is None  # the staging entry is gone
        assert secret not in out + err and secret not in caplog.text
        for base in (config_dir(), data_dir()):
            for path in Path(base).rglob("*"):
                assert not path.is_file() or secret.encode() not in path.read_bytes(), path
        assert ProfileStore().get("rotating").scim_key_fingerprint == "…" + secret[-4:]
        code = main(["--profile", "rotating", "users", "list"])  # the profile works on its new key
        capsys.readouterr()
        assert code == 0
    finally:
        logger.handlers[:], logger.level, logger.propagate = saved[0], saved[1], saved[2]
        for name in (f"{profile.id}:scim", f"{profile.id}:accounts", f"{profile.id}.rotating:scim"):
            with contextlib.suppress(keyring.errors.PasswordDeleteError):
                keyring.get_keyring().delete_password(SERVICE, name)
