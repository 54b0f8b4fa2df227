"""What the window looks like: usable at 1024x640, long names elided rather than widening it, readable colours
in light and dark, and feedback where an action would otherwise happen silently."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtGui import QGuiApplication

from birdadmin.ui.main_window import MainWindow

pytestmark = pytest.mark.usefixtures("no_qt_warnings")


def test_copy_buttons_say_what_they_copied(demo_window: MainWindow, qtbot: Any) -> None:
    view = demo_window.users_view
    pane = view.detail
    user = next(u for u in demo_window.users_model.users() if len(u.roles) >= 2)
    assert view.select_user(user.id)
    assert pane.copy_feedback.objectName() == "copyFeedback" and pane.copy_feedback.accessibleName()
    assert pane.copy_feedback.text() == ""
    pane.curl_button.click()
    assert QGuiApplication.clipboard().text() == pane.curl_text()
    assert pane.copy_feedback.text() == "Copied a curl command (the key is a placeholder)."
    pane.copy_ids_button.click()
    assert QGuiApplication.clipboard().text() == "\n".join(user.roles)
    assert pane.copy_feedback.text() == f"Copied {len(user.roles)} role UUIDs."
    # The note goes away by itself, and with another user.
    qtbot.waitUntil(lambda: pane.copy_feedback.text() == "", timeout=10_000)
    pane.copy_ids_button.click()
    other = next(u for u in demo_window.users_model.users() if u.id != user.id)
    assert view.select_user(other.id)
    assert pane.copy_feedback.text() == ""
