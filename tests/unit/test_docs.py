"""docs/bird.md says where the code keeps each assumption; these checks keep it true as the code moves."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "bird.md"
# `some/module.py` followed by the names it holds: `Name`, `Class.method`, ...
PLACE = re.compile(r"`([\w/]+\.py)`((?:,?\s*`[\w.]+`)*)")


def _source(path: str) -> str:
    for candidate in (ROOT / "birdadmin" / path, ROOT / path):
        if candidate.is_file():
            return candidate.read_text()
    raise AssertionError(f"docs/bird.md names {path}, which is not in the repository")


def test_every_place_docs_bird_md_names_exists() -> None:
    stale = []
    for match in PLACE.finditer(DOC.read_text()):
        source = _source(match.group(1))
        for name in re.findall(r"`([\w.]+)`", match.group(2)):
            last = re.escape(name.split(".")[-1])
            if not re.search(rf"\b(def|class)\s+{last}\b|^\s*{last}\s*[:=]", source, re.MULTILINE):
                stale.append(f"{match.group(1)} {name}")
    assert not stale, stale


def test_code_cites_only_ids_docs_bird_md_defines() -> None:
    defined = set(re.findall(r"^### ([HAU]\d+)\.", DOC.read_text(), re.MULTILINE))
    cited: dict[str, set[str]] = {}
    for source in [*(ROOT / "birdadmin").rglob("*.py"), *(ROOT / "tests").rglob("*.py")]:
        for near in re.findall(r"docs/bird\.md[^)\n]{0,40}", source.read_text()):
            for ident in re.findall(r"\b[HAU]\d+\b", near):
                cited.setdefault(ident, set()).add(source.relative_to(ROOT).as_posix())
    assert cited and not set(cited) - defined, {i: cited[i] for i in set(cited) - defined}
    for source in [*(ROOT / "birdadmin").rglob("*.py"), *(ROOT / "tests").rglob("*.py"), ROOT / "README.md"]:
        if source == Path(__file__).resolve():
            continue
        text = source.read_text()
        assert "BIRD.md" not in text and "../shared" not in text and "hazard 1" not in text.lower(), source
