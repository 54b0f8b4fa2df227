"""What every PyInstaller spec in packaging/ shares: the data files, hidden imports and exclusions.

The specs (packaging/birdadmin.spec for Linux, packaging/windows/, packaging/macos/) import this with packaging/
on sys.path; it runs inside PyInstaller only.
"""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
APP_ID = "com.birdadmin.Birdadmin"
ICON_PNG = ROOT / "resources" / "icons" / "hicolor" / "256x256" / "apps" / f"{APP_ID}.png"
LAUNCHERS = ROOT / "packaging" / "launchers"  # run_gui.py, run_cli.py, run_emulator.py

# Qt modules and test tools birdadmin never loads; leaving them out keeps the folder smaller.
EXCLUDES = ["tkinter", "PySide6.QtQml", "PySide6.QtQuick", "PySide6.QtWebEngineCore", "PySide6.QtMultimedia",
            "PySide6.Qt3DCore", "pytest", "hypothesis"]


def hidden_imports() -> list[str]:
    """Every birdadmin module: the CLI loads its commands by name (birdadmin/cli/__init__.py, cli/lazy.py),
    which no import scan sees. birdadmin.resources is not in the source tree (setuptools maps resources/ into the
    package), so its files go in as data instead (``datas``)."""
    from PyInstaller.utils.hooks import collect_submodules

    found: list[str] = collect_submodules("birdadmin", filter=lambda name: not name.startswith("birdadmin.resources"))
    return [*found, "PySide6.QtSvg"]


def datas() -> list[tuple[str, str]]:
    """resources/ as the package birdadmin.resources (icons, the hicolor PNGs), without the README's screenshots,
    and the emulator's schemas."""
    found = []
    for path in sorted((ROOT / "resources").rglob("*")):
        rel = path.relative_to(ROOT / "resources")
        if path.is_file() and rel.parts[0] != "screenshots" and "__pycache__" not in rel.parts:
            found.append((str(path), str(Path("birdadmin", "resources", *rel.parts[:-1]))))
    return [*found, (str(ROOT / "birdadmin" / "emulator" / "schemas.json"), "birdadmin/emulator")]


SCRIPTS = {"birdadmin": "run_gui.py", "birdadmin-cli": "run_cli.py", "birdadmin-emulator": "run_emulator.py"}


def split_scripts(scripts: list[tuple[str, str, str]]) -> dict[str, list[tuple[str, str, str]]]:
    """One Analysis of the three launchers (one import scan instead of three: the build takes a third of the
    time); each executable gets PyInstaller's bootstrap and runtime hooks plus its own launcher only."""
    own = {Path(script).stem: name for name, script in SCRIPTS.items()}
    common = [entry for entry in scripts if entry[0] not in own]
    return {own[entry[0]]: [*common, entry] for entry in scripts if entry[0] in own}
