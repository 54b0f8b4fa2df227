"""Fixtures for the store tests: a temporary config dir and an in-memory keyring backend."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import keyring
import keyring.backend
import keyring.errors
import pytest

from birdadmin.store.profiles import ProfileStore
from birdadmin.store.secrets import SecretStore


class MemoryKeyring(keyring.backend.KeyringBackend):
    """A keyring that lives in a dict: a real KeyringBackend, so SecretStore exercises its real code path."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.items: dict[tuple[str, str], str] = {}
        self.locked = False

    def _guard(self) -> None:
        if self.locked:
            raise keyring.errors.KeyringLocked("Failed to unlock the collection!")

    def get_password(self, service: str, username: str) -> str | None:
        self._guard()
        return self.items.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self._guard()
        self.items[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self._guard()
        if (service, username) not in self.items:
            raise keyring.errors.PasswordDeleteError("not found")
        del self.items[(service, username)]


@pytest.fixture(autouse=True)
def config_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every store test writes under tmp_path, never the real config directory."""
    directory = tmp_path / "config"
    monkeypatch.setenv("BIRDADMIN_CONFIG_DIR", str(directory))
    monkeypatch.setenv("BIRDADMIN_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("BIRDADMIN_ACCESS_KEY", raising=False)
    monkeypatch.delenv("BIRDADMIN_ACCOUNTS_KEY", raising=False)
    return directory


@pytest.fixture(autouse=True)
def _restore_birdadmin_logger() -> Iterator[None]:
    """birdadmin.cli.main() reconfigures the 'birdadmin' logger; put it back so caplog keeps working."""
    logger = logging.getLogger("birdadmin")
    saved = (logger.handlers[:], logger.level, logger.propagate)
    yield
    logger.handlers[:], logger.level, logger.propagate = saved[0], saved[1], saved[2]


@pytest.fixture
def memory_keyring() -> MemoryKeyring:
    return MemoryKeyring()


@pytest.fixture
def secrets(memory_keyring: MemoryKeyring) -> SecretStore:
    return SecretStore(backend=memory_keyring)


@pytest.fixture
def store(config_home: Path, secrets: SecretStore) -> ProfileStore:
    return ProfileStore(config_home, secrets=secrets)


@pytest.fixture
def global_keyring(memory_keyring: MemoryKeyring) -> Iterator[MemoryKeyring]:
    """Install the memory backend as keyring's default (what SecretStore() picks), and restore afterwards."""
    previous = keyring.get_keyring()
    keyring.set_keyring(memory_keyring)
    try:
        yield memory_keyring
    finally:
        keyring.set_keyring(previous)
