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
from tests.keyrings import MemoryKeyring


@pytest.fixture(autouse=True)
def config_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every store test writes under tmp_path, never the real config directory."""
    directory = tmp_path / "config"
    monkeypatch.setenv("BIRDADMIN_CONFIG_DIR", str(directory))
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
    return ProfileStore(config_home)


@pytest.fixture
def global_keyring(memory_keyring: MemoryKeyring) -> Iterator[MemoryKeyring]:
    """Install the memory backend as keyring's default (what SecretStore() picks), and restore afterwards."""
    previous = keyring.get_keyring()
    keyring.set_keyring(memory_keyring)
    try:
        yield memory_keyring
    finally:
        keyring.set_keyring(previous)
