"""A written PDF read back by poppler (pdftotext, pdfinfo; packaging/setup.sh installs poppler-utils): the
venv's PySide6 (Essentials) has no QtPdf."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path


def page_texts(path: Path) -> list[str]:
    """Each page's text, whitespace folded to single spaces (a wrapped cell reads as one line)."""
    out = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True,
                         timeout=120, text=True).stdout
    pages = out.split("\f")
    if pages and not pages[-1].strip():
        pages.pop()
    return [" ".join(page.split()) for page in pages]


def page_count(path: Path) -> int:
    """The page count poppler reads from the file's own page tree."""
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, check=True, timeout=60, text=True).stdout
    found = re.search(r"^Pages:\s+(\d+)$", info, re.MULTILINE)
    assert found, info
    return int(found.group(1))


def render_png(path: Path, page: int, target: Path, *, dpi: int = 80) -> Path:
    """One page as a PNG (``target`` without the extension; poppler adds it)."""
    subprocess.run(["pdftoppm", "-png", "-singlefile", "-r", str(dpi), "-f", str(page), "-l", str(page), str(path),
                    str(target)], check=True, timeout=120)
    return target.with_suffix(".png")
