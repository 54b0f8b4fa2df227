"""Every package ships: pyproject lists packages by hand (assets are mapped in from resources/)."""

from __future__ import annotations

import ast
import graphlib
import os
import subprocess
import sys
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
    top = ("connection.py", "connection_check.py", "catalogue_source.py", "errors.py", "redact.py", "safe_text.py",
           "in_flight.py", "org_load.py", "journal_entries.py")
    sources = [ROOT / "birdadmin" / name for name in top]
    for layer in ("net", "scim", "bird", "domain", "store", "emulator", "cli"):
        sources += (ROOT / "birdadmin" / layer).rglob("*.py")
    for source in sources:
        assert "PySide6" not in source.read_text(), f"{source.relative_to(ROOT)} imports Qt"


def _imports(source: Path) -> set[str]:
    """Every module a file imports (absolute names), at any depth of the file."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(source.read_text())):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.update([node.module, *(f"{node.module}.{alias.name}" for alias in node.names)])
    return found


def _imports_any(source: Path, prefixes: tuple[str, ...]) -> set[str]:
    return {name for name in _imports(source) if name.startswith(prefixes)}


def test_domain_is_pure() -> None:
    """domain/ holds rules: no I/O, no network, no keyring, no files, no Qt (the connection check lives above it)."""
    io = ("httpx", "keyring", "sqlite3", "socket", "PySide6", "birdadmin.net", "birdadmin.store",
          "birdadmin.scim.client", "birdadmin.scim.endpoint", "birdadmin.scim.reads", "birdadmin.scim.writes",
          "birdadmin.bird.accounts", "birdadmin.services", "birdadmin.ui", "birdadmin.cli")
    for source in (ROOT / "birdadmin" / "domain").rglob("*.py"):
        assert not _imports_any(source, io), f"{source.relative_to(ROOT)} imports {_imports_any(source, io)}"


def test_domain_loads_no_io_when_imported() -> None:
    """What domain/ brings in when it runs, not only what it names: a package's __init__ that imports its HTTP
    client would load httpx behind ``from birdadmin.bird.models import Team`` (a fresh interpreter, every module)."""
    sources = (ROOT / "birdadmin" / "domain").rglob("*.py")
    names = sorted(".".join(p.relative_to(ROOT).with_suffix("").parts) for p in sources)
    script = (
        "import importlib, sys\n"
        f"for name in {names!r}: importlib.import_module(name)\n"
        "io = ('httpx', 'httpcore', 'keyring', 'sqlite3', 'socket', 'ssl', 'PySide6', 'birdadmin.net',\n"
        "      'birdadmin.store')\n"
        "print(sorted(m for m in sys.modules if m.startswith(io)))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=60,
                          check=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert done.stdout.strip() == "[]", done.stdout


def test_only_the_secret_store_touches_the_keyring() -> None:
    for source in (ROOT / "birdadmin").rglob("*.py"):
        if source.relative_to(ROOT).as_posix() == "birdadmin/store/secrets.py":
            continue
        assert not _imports_any(source, ("keyring",)), f"{source.relative_to(ROOT)} imports keyring"
    for name in ("profiles.py", "profile_model.py"):
        profiles = ROOT / "birdadmin" / "store" / name
        assert not _imports_any(profiles, ("birdadmin.store.secrets", "birdadmin.store.keys"))


def test_error_types_live_in_a_neutral_module() -> None:
    """errors.py, redact.py and safe_text.py sit below every layer: they import nothing of birdadmin's but each
    other (safe_text.py nothing at all)."""
    neutral = {"birdadmin.redact", "birdadmin.redact.redact", "birdadmin.safe_text",
               "birdadmin.safe_text.terminal_line"}
    for name in ("errors.py", "redact.py", "safe_text.py"):
        used = _imports_any(ROOT / "birdadmin" / name, ("birdadmin",))
        assert used <= (set() if name == "safe_text.py" else neutral), f"{name} imports {used}"


def test_cli_imports_the_report_lazily() -> None:
    """The PDF report needs Qt (birdadmin/report): only cli/report.py imports it, inside its handler, so every
    other command starts without Qt."""
    for source in (ROOT / "birdadmin" / "cli").rglob("*.py"):
        tree = ast.parse(source.read_text())
        top = {alias.name for node in tree.body if isinstance(node, ast.Import) for alias in node.names}
        top |= {node.module or "" for node in tree.body if isinstance(node, ast.ImportFrom)}
        assert not {name for name in top if name.startswith(("birdadmin.report", "birdadmin.ui", "PySide6"))}
        lazy = _imports_any(source, ("birdadmin.report",))
        name = source.relative_to(ROOT).as_posix()
        assert not lazy or name == "birdadmin/cli/report.py", f"{name} imports {lazy}"
    assert _imports_any(ROOT / "birdadmin" / "cli" / "report.py", ("birdadmin.report",))


def test_the_report_draws_without_widgets() -> None:
    """report/ paints with QtGui for the CLI and the window alike: no widgets, nothing of the window's layer."""
    above = ("PySide6.QtWidgets", "birdadmin.ui", "birdadmin.qtmodels", "birdadmin.services", "birdadmin.cli")
    for source in (ROOT / "birdadmin" / "report").rglob("*.py"):
        assert not _imports_any(source, above), f"{source.relative_to(ROOT)} imports {_imports_any(source, above)}"


def test_modules_and_functions_stay_small() -> None:
    """Small modules named for what they do (about 400 lines at most) and functions of at most 60 lines: a module
    that grows past 450 is split before it takes on more."""
    too_big: list[str] = []
    for source in (ROOT / "birdadmin").rglob("*.py"):
        text = source.read_text()
        name = source.relative_to(ROOT).as_posix()
        if text.count("\n") > 450:
            too_big.append(f"{name}: {text.count(chr(10))} lines")
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.end_lineno is not None:
                length = node.end_lineno - node.lineno + 1
                if length > 60:
                    too_big.append(f"{name}:{node.lineno} {node.name}: {length} lines")
    assert not too_big, too_big


def _readme_layers() -> list[str]:
    """The README's Layout list, top to bottom: ``app.py``, ``ui/``, ... (the entries under ``birdadmin/``)."""
    lines = (ROOT / "README.md").read_text().split("\n")
    start = lines.index("birdadmin/") + 1
    entries = []
    for line in lines[start:]:
        if not line.startswith(" "):
            break
        if line.startswith("  ") and not line.startswith("   "):
            entries.append(line.split()[0])
    return entries


def test_imports_point_down_the_readmes_layout() -> None:
    """Every import of birdadmin (at any depth, TYPE_CHECKING too) names a module listed below the importer's."""
    order = _readme_layers()
    units = {p.name if p.is_file() else f"{p.name}/" for p in (ROOT / "birdadmin").iterdir()
             if p.name not in ("__init__.py", "__main__.py", "__pycache__", "resources")}
    assert set(order) == units, set(order) ^ units
    upward = set()
    for source in (ROOT / "birdadmin").rglob("*.py"):
        parts = source.relative_to(ROOT / "birdadmin").parts
        me = parts[0] if len(parts) == 1 else f"{parts[0]}/"
        if me not in order:
            continue
        for name in _imports_any(source, ("birdadmin.",)):
            top = name.split(".")[1]
            used = f"{top}.py" if (ROOT / "birdadmin" / f"{top}.py").is_file() else f"{top}/"
            if used in order and order.index(used) < order.index(me):
                upward.add(f"{source.relative_to(ROOT)} imports {name}")
    assert not upward, sorted(upward)


def _module_imports() -> dict[str, set[str]]:
    """Each birdadmin module -> the birdadmin modules it imports (at any depth, TYPE_CHECKING too): a name is the
    module it names, or the module it is a name in (``from birdadmin.domain.audit import who_has`` is ``audit``)."""
    files = {".".join(p.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__"): p
             for p in (ROOT / "birdadmin").rglob("*.py") if "__pycache__" not in p.parts}
    graph: dict[str, set[str]] = {}
    for me, source in files.items():
        used = set()
        for node in ast.walk(ast.parse(source.read_text())):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                names = [f"{node.module}.{alias.name}" for alias in node.names]
            else:
                continue
            for name in names:
                while name and name not in files:
                    name = name.rpartition(".")[0]
                used.add(name)
        graph[me] = used - {"", me}
    return graph


def test_no_two_modules_import_each_other() -> None:
    """The imports of birdadmin point one way: no module imports, however indirectly, one that imports it back
    (a lazy import or one under TYPE_CHECKING counts too; a Protocol names what a lower module needs of a higher one,
    as cli/guards.py, ui/pane_focus.py and ui/window_files.py do)."""
    graph = _module_imports()
    assert graph["birdadmin.domain.audit_findings"] >= {"birdadmin.domain.audit", "birdadmin.domain.finding"}
    try:
        graphlib.TopologicalSorter(graph).prepare()
    except graphlib.CycleError as cycle:
        raise AssertionError(f"import cycle: {' -> '.join(cycle.args[1])}") from None


def test_the_task_runner_is_the_one_worker_to_gui_relay() -> None:
    """Results and progress reach the GUI thread through services/tasks.py only (its one rule drops stale ones):
    no other module hands work over with a queued connection of its own."""
    others = [source.relative_to(ROOT).as_posix() for source in (ROOT / "birdadmin").rglob("*.py")
              if "QueuedConnection" in source.read_text() and source.name != "tasks.py"]
    assert not others, others
