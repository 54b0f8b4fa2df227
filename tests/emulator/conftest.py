"""Fixtures for the emulator tests: a fresh seeded emulator per test and plain httpx clients for both APIs."""

from __future__ import annotations

import ssl
from collections.abc import Iterator

import httpx
import pytest

from birdadmin.emulator import Emulator, EmulatorOptions, start_emulator


@pytest.fixture(scope="session")
def tls() -> ssl.SSLContext:
    """One verifying context for every client: building one per client costs ~0.1 s (the URLs are http anyway)."""
    return ssl.create_default_context()


@pytest.fixture
def emu() -> Iterator[Emulator]:
    with start_emulator(EmulatorOptions(users=250, groups=12, seed=1)) as running:
        yield running


@pytest.fixture
def scim(emu: Emulator, tls: ssl.SSLContext) -> Iterator[httpx.Client]:
    headers = {"Authorization": f"Bearer {emu.key}"}
    with httpx.Client(base_url=emu.scim_url, headers=headers, timeout=10, verify=tls) as client:
        yield client


@pytest.fixture
def accounts(emu: Emulator, tls: ssl.SSLContext) -> Iterator[httpx.Client]:
    base = f"{emu.accounts_url}/organizations/{emu.org_id}"
    headers = {"Authorization": f"AccessKey {emu.accounts_key}"}
    with httpx.Client(base_url=base, headers=headers, timeout=10, verify=tls) as client:
        yield client
