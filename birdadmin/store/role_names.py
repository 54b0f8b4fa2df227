"""Local role names (the catalogue's own names for UUIDs Bird does not name), one CSV file per organization.

The file is what the catalogue's ``to_csv()`` gives; it is written whole through a temporary file and a rename, so a
failed save never leaves half a file.
"""

from __future__ import annotations

import re
from pathlib import Path

from birdadmin import errors
from birdadmin.store.paths import config_dir

_SAFE_FILE = re.compile(r"[^A-Za-z0-9._-]+")


def names_file(names_key: str) -> Path:
    return config_dir() / "role-names" / f"{_SAFE_FILE.sub('_', names_key)}.csv"


def read_local_names(names_key: str) -> str | None:
    path = names_file(names_key)
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise errors.ConfigError(f"The role names file {path} could not be read ({exc.strerror}).") from None


def save_local_names(names_key: str, text: str) -> None:
    path = names_file(names_key)
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)
