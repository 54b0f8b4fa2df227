"""A QGuiApplication for writing a report outside the window (the CLI): fonts need one, a screen does not."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from PySide6.QtGui import QGuiApplication


@contextmanager
def gui_application() -> Iterator[QGuiApplication]:
    """The running application, or an offscreen one made for the block (no display needed, e.g. under cron)."""
    existing = QGuiApplication.instance()
    if isinstance(existing, QGuiApplication):
        yield existing
        return
    made = QGuiApplication(["birdadmin-cli", "-platform", "offscreen"])
    try:
        yield made
    finally:
        made.shutdown()
