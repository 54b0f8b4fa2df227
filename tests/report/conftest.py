"""Report fixtures: a Qt application for fonts, and no Qt warning while a report is written."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtCore import QtMsgType

from tests.gui.conftest import demo_window, make_window  # noqa: F401 - the window fixtures, for the dialog


@pytest.fixture
def no_qt_warnings(qapp: Any, qtlog: Any) -> Iterator[None]:
    yield
    warnings = [r.message for r in qtlog.records
                if r.type in (QtMsgType.QtWarningMsg, QtMsgType.QtCriticalMsg, QtMsgType.QtFatalMsg)
                and not r.message.startswith("This plugin does not support propagateSizeHints()")]
    assert not warnings, f"Qt warnings: {warnings}"
