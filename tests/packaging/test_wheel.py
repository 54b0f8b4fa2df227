"""``python -m build`` gives a wheel and an sdist with the resources, and ``pipx install`` of the wheel gives the
three working commands. Slow (a build, then a pipx venv with Qt): about half a minute with a warm pip cache."""

from __future__ import annotations

import os
import subprocess
import sys
import tarfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.packaging.helpers import APP_ID, ICON_SIZES, ROOT, pyproject, read_lines, run

pytestmark = [pytest.mark.slow, pytest.mark.packaging]

VERSION = str(pyproject()["project"]["version"])  # type: ignore[index]


@dataclass
class Built:
    wheel: Path
    sdist: Path


@dataclass
class Installed:
    bin_dir: Path
    env: dict[str, str]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    out = tmp_path_factory.mktemp("dist")
    result = run([sys.executable, "-m", "build", "--outdir", out, ROOT], timeout=600, cwd=ROOT)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    wheels, sdists = list(out.glob("*.whl")), list(out.glob("*.tar.gz"))
    assert len(wheels) == 1 and len(sdists) == 1, os.listdir(out)
    return Built(wheels[0], sdists[0])


@pytest.fixture(scope="module")
def installed(built: Built, tmp_path_factory: pytest.TempPathFactory) -> Installed:
    home = tmp_path_factory.mktemp("pipx")
    env = {**os.environ, "PIPX_HOME": str(home / "home"), "PIPX_BIN_DIR": str(home / "bin"),
           "PIPX_MAN_DIR": str(home / "man"), "PIPX_DEFAULT_PYTHON": sys.executable}
    result = run([sys.executable, "-m", "pipx", "install", built.wheel], timeout=900, env=env)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return Installed(home / "bin", env)


def test_wheel_carries_the_resources(built: Built) -> None:
    names = set(zipfile.ZipFile(built.wheel).namelist())
    icons = "birdadmin/resources/icons"
    assert f"{icons}/app.svg" in names and f"{icons}/refresh.svg" in names
    assert {f"{icons}/hicolor/{n}x{n}/apps/{APP_ID}.png" for n in ICON_SIZES} <= names
    assert f"{icons}/hicolor/scalable/apps/{APP_ID}.svg" in names
    assert "birdadmin/emulator/schemas.json" in names
    assert not [name for name in names if name.startswith("birdadmin/resources/screenshots/") and
                name.endswith(".png")], "screenshots belong to the sdist only"
    entry_points = zipfile.ZipFile(built.wheel).read(f"birdadmin-{VERSION}.dist-info/entry_points.txt").decode()
    for command in ("birdadmin =", "birdadmin-cli =", "birdadmin-emulator ="):
        assert command in entry_points


def test_sdist_carries_resources_screenshots_and_packaging(built: Built) -> None:
    with tarfile.open(built.sdist) as sdist:
        names = {name.split("/", 1)[1] for name in sdist.getnames() if "/" in name}
    expected = {"resources/icons/app.svg", "resources/screenshots/main-window.png", "packaging/birdadmin.spec",
                f"packaging/linux/{APP_ID}.desktop", f"packaging/linux/{APP_ID}.metainfo.xml",
                "packaging/icons.py", "birdadmin/emulator/schemas.json", "README.md", "pyproject.toml"}
    expected |= {f"resources/icons/hicolor/{n}x{n}/apps/{APP_ID}.png" for n in ICON_SIZES}
    assert expected <= names, sorted(expected - names)


def test_pipx_commands_answer_version(installed: Installed) -> None:
    for command in ("birdadmin", "birdadmin-cli", "birdadmin-emulator"):
        result = run([installed.bin_dir / command, "--version"], timeout=60, env=installed.env)
        name = command.replace("-cli", "")  # the CLI says "birdadmin", the emulator "birdadmin-emulator"
        assert (result.returncode, result.stdout.strip()) == (0, f"{name} {VERSION}"), result.stderr


def test_pipx_cli_lists_the_demo_users(installed: Installed) -> None:
    result = run([installed.bin_dir / "birdadmin-cli", "--demo", "--format", "json", "users", "list"], timeout=120,
                 env=installed.env)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert '"userName": "margaret.hamilton@example.com"' in result.stdout.replace('":"', '": "')


def test_pipx_emulator_serves_on_a_free_port(installed: Installed) -> None:
    process = subprocess.Popen([str(installed.bin_dir / "birdadmin-emulator"), "--port", "0"], env=installed.env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, bufsize=0)
    try:
        lines = dict(line.split(": ", 1) for line in read_lines(process, 4, timeout=60))
        scim_url, key = lines["SCIM base URL"], lines["SCIM access key"]
        assert scim_url.startswith("http://127.0.0.1:") and not scim_url.startswith("http://127.0.0.1:0/")
        answer = httpx.get(f"{scim_url}/Users?count=1", headers={"Authorization": f"Bearer {key}"}, timeout=30,
                           trust_env=False)  # loopback: no proxy
        assert answer.status_code == 200 and answer.json()["totalResults"] > 0
    finally:
        process.terminate()
        process.communicate(timeout=30)
