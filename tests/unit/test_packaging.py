"""Every package ships: pyproject lists packages by hand (assets are mapped in from resources/)."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_every_package_is_listed_in_pyproject() -> None:
    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    found = {
        ".".join(init.parent.relative_to(ROOT).parts)
        for init in (ROOT / "birdadmin").rglob("__init__.py")
        if "__pycache__" not in init.parts
    }
    found.add("birdadmin.resources")
    found.update(
        f"birdadmin.resources.{folder.name}"
        for folder in (ROOT / "resources").iterdir()
        if folder.is_dir() and folder.name != "__pycache__"
    )
    assert found == listed


def test_core_layers_never_import_qt() -> None:
    sources = [ROOT / "birdadmin" / "connection.py"]
    for layer in ("net", "scim", "bird", "domain", "store", "emulator", "cli"):
        sources += (ROOT / "birdadmin" / layer).rglob("*.py")
    for source in sources:
        assert "PySide6" not in source.read_text(), f"{source.relative_to(ROOT)} imports Qt"
