"""Shared fixtures: real servers on 127.0.0.1 (the project's emulator and the independent scim2-server)."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import json
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import keyring
import pytest

# keyring registers every KeyringBackend subclass it sees and picks the global backend lazily, by priority: settle
# it now, before test modules define their stand-in backends, so the real Secret Service stays the global one.
keyring.get_keyring()

FIXTURES = Path(__file__).parent / "fixtures"
SCIM2_SERVER_KEY = "scim2-server-test-key"


@pytest.fixture(autouse=True)
def _isolated_dirs(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test ever reads or writes the real user's settings."""
    base = tmp_path_factory.mktemp("birdadmin-home")
    monkeypatch.setenv("BIRDADMIN_CONFIG_DIR", str(base / "config"))
    monkeypatch.setenv("BIRDADMIN_DATA_DIR", str(base / "data"))
    monkeypatch.delenv("BIRDADMIN_ACCESS_KEY", raising=False)
    monkeypatch.delenv("BIRDADMIN_ACCOUNTS_KEY", raising=False)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class ScimServer:
    """A running SCIM server: where it is, its key, and a way to seed it directly."""

    name: str
    base_url: str
    key: str
    max_page: int

    def seed_users(self, count: int, *, prefix: str = "user", roles: list[str] | None = None) -> list[str]:
        """Create users straight over HTTP (not through the client under test); returns their ids."""
        headers = {"Authorization": f"Bearer {self.key}", "Content-Type": "application/scim+json"}
        with httpx.Client(headers=headers, timeout=30) as client:

            def create(i: int) -> str:
                body = {
                    "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
                    "userName": f"{prefix}{i:05d}@example.com",
                    "displayName": f"{prefix.title()} {i}",
                    "active": True,
                    "roles": roles or [],
                }
                response = client.post(f"{self.base_url}/Users", content=json.dumps(body))
                assert response.status_code == 201, response.text
                return str(response.json()["id"])

            with ThreadPoolExecutor(max_workers=6) as pool:
                return list(pool.map(create, range(count)))

    def raw(self, method: str, path: str, body: object = None) -> httpx.Response:
        """A request straight to the server, to check its true state independently of the client."""
        headers = {"Authorization": f"Bearer {self.key}", "Content-Type": "application/scim+json"}
        content = json.dumps(body) if body is not None else None
        url = f"{self.base_url}/{path.lstrip('/')}"
        return httpx.request(method, url, headers=headers, content=content, timeout=30)


@pytest.fixture(scope="session")
def scim2_server() -> Iterator[ScimServer]:
    """The independent scim2-server, with Bird's User schema (roles as a string array) and a page cap of 200."""
    port = free_port()
    process = subprocess.Popen(
        [
            sys.executable, "-m", "scim2_server.testserver.cli",
            "--schema", str(FIXTURES / "bird-scim-schemas.json"),
            "--service-provider-config", str(FIXTURES / "scim2-server-spc.json"),
            "--bearer-token", SCIM2_SERVER_KEY,
            "--hostname", "127.0.0.1", "--port", str(port),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base_url = f"http://127.0.0.1:{port}/v2"
    deadline = time.monotonic() + 20
    while True:
        try:
            httpx.get(f"{base_url}/ServiceProviderConfig", timeout=1)
            break
        except httpx.TransportError:
            if time.monotonic() > deadline or process.poll() is not None:
                process.kill()
                raise RuntimeError("scim2-server did not start") from None
            time.sleep(0.1)
    try:
        yield ScimServer("scim2-server", base_url, SCIM2_SERVER_KEY, 200)
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture(scope="session")
def emulator_server() -> Iterator[ScimServer]:
    """The project's Bird emulator in-process, with an empty directory and a page cap of 100."""
    from birdadmin.emulator import EmulatorOptions, start_emulator

    with start_emulator(EmulatorOptions(port=0, users=0, groups=0, max_page_size=100)) as emu:
        server = ScimServer("emulator", emu.scim_url, emu.key, 100)
        server.emulator = emu  # type: ignore[attr-defined]
        yield server


@pytest.fixture(params=["scim2-server", "emulator"])
def scim_server(request: pytest.FixtureRequest) -> ScimServer:
    """Each SCIM integration test runs against both independent implementations."""
    fixture = "scim2_server" if request.param == "scim2-server" else "emulator_server"
    return request.getfixturevalue(fixture)


@pytest.fixture
def demo_emulator() -> Iterator[object]:
    """A seeded demo organization (users, groups, roles) in-process; fresh per test."""
    from birdadmin.emulator import EmulatorOptions, start_emulator

    with start_emulator(EmulatorOptions(port=0, users=60, groups=6, seed=7)) as emu:
        yield emu


@pytest.fixture()
def run(
    emu: Any, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Callable[..., tuple[int, str, str]]:
    """``birdadmin-cli`` in this process against the test module's ``emu`` fixture (an emulator), keys from the
    environment as a script would give them: ``run("users", "list")`` -> (exit code, stdout, stderr)."""
    from birdadmin.cli import main

    monkeypatch.setenv("BIRDADMIN_ACCESS_KEY", emu.key)
    monkeypatch.setenv("BIRDADMIN_ACCOUNTS_KEY", emu.accounts_key)

    def invoke(*argv: str, accounts: bool = True) -> tuple[int, str, str]:
        where = ["--base-url", emu.scim_url] + (["--accounts-url", emu.accounts_url] if accounts else [])
        code = main([*where, *argv])
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return invoke
