"""The window's size, layout, splitters, column headers and page, kept between sessions in ``window.ini``."""

from __future__ import annotations

from collections.abc import Mapping

from PySide6.QtCore import QByteArray, QSettings
from PySide6.QtWidgets import QAbstractItemView, QMainWindow, QSplitter

from birdadmin.store.paths import config_dir

SETTINGS_FILE = "window.ini"


def window_settings() -> QSettings:
    """Window state lives in an ini file in birdadmin's config dir (overridable, so tests stay isolated)."""
    return QSettings(str(config_dir() / SETTINGS_FILE), QSettings.Format.IniFormat)


def restore_state(window: QMainWindow, splitters: Mapping[str, QSplitter],
                  tables: Mapping[str, QAbstractItemView], default_page: int) -> int:
    """Put back what ``save_state`` kept; returns the page that was shown last (``default_page`` if none)."""
    settings = window_settings()
    geometry = settings.value("window/geometry")
    if isinstance(geometry, QByteArray):
        window.restoreGeometry(geometry)
    state = settings.value("window/state")
    if isinstance(state, QByteArray):
        window.restoreState(state)
    for name, splitter in splitters.items():
        value = settings.value(f"splitters/{name}")
        if isinstance(value, QByteArray):
            splitter.restoreState(value)
    for name, view in tables.items():
        value = settings.value(f"headers/{name}")
        if isinstance(value, QByteArray):
            view.horizontalHeader().restoreState(value)  # type: ignore[attr-defined]
    page = settings.value("window/page")
    return int(page) if isinstance(page, (int, str)) and str(page).isdigit() else default_page


def save_state(window: QMainWindow, splitters: Mapping[str, QSplitter],
               tables: Mapping[str, QAbstractItemView], page: int) -> None:
    settings = window_settings()
    settings.setValue("window/geometry", window.saveGeometry())
    settings.setValue("window/state", window.saveState())
    for name, splitter in splitters.items():
        settings.setValue(f"splitters/{name}", splitter.saveState())
    for name, view in tables.items():
        settings.setValue(f"headers/{name}", view.horizontalHeader().saveState())  # type: ignore[attr-defined]
    settings.setValue("window/page", page)
    settings.sync()


def saved_dock_height() -> int | None:
    """The planned changes dock's height with its list, as the person last left it; None if never kept."""
    value = window_settings().value("docks/changesHeight")
    return int(value) if isinstance(value, (int, str)) and str(value).isdigit() and int(value) > 0 else None


def save_dock_height(height: int) -> None:
    settings = window_settings()
    settings.setValue("docks/changesHeight", int(height))
    settings.sync()
