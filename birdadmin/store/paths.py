"""Where birdadmin keeps its files; environment variables override so tests and portable setups use their own."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP_NAME = "birdadmin"
CONFIG_DIR_ENV = "BIRDADMIN_CONFIG_DIR"
DATA_DIR_ENV = "BIRDADMIN_DATA_DIR"


def _ensure(path: Path) -> Path:
    # 0o700: the profile file names servers and organizations even though it never holds a key.
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


def config_dir() -> Path:
    """The settings directory (profiles.json lives here), created on first use."""
    override = os.environ.get(CONFIG_DIR_ENV, "").strip()
    return _ensure(Path(override).expanduser() if override else Path(platformdirs.user_config_dir(APP_NAME)))


def data_dir() -> Path:
    """The data directory (the change journal lives here), created on first use; ``BIRDADMIN_DATA_DIR`` overrides."""
    override = os.environ.get(DATA_DIR_ENV, "").strip()
    return _ensure(Path(override).expanduser() if override else Path(platformdirs.user_data_dir(APP_NAME)))
