"""Fixtures for the emulator tests: a fresh seeded emulator per test and plain httpx clients for both APIs."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from birdadmin.emulator import Emulator, EmulatorOptions, start_emulator


@pytest.fixture
def emu() -> Iterator[Emulator]:
    with start_emulator(EmulatorOptions(users=250, groups=12, seed=1)) as running:
        yield running


@pytest.fixture
def scim(emu: Emulator) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=emu.scim_url, headers={"Authorization": f"Bearer {emu.key}"}, timeout=10) as client:
        yield client


@pytest.fixture
def accounts(emu: Emulator) -> Iterator[httpx.Client]:
    base = f"{emu.accounts_url}/organizations/{emu.org_id}"
    with httpx.Client(base_url=base, headers={"Authorization": f"AccessKey {emu.accounts_key}"}, timeout=10) as client:
        yield client
