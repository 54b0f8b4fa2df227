"""Message boxes made after a window is built (which ``ui.labels.plain_labels`` never saw) show server and file
text as the characters it is, never drawn as markup: the error banner's details dialog (an error detail that looks
like HTML: a link, an image) and the profile manager's questions (a profile name from the profile file)."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import Qt as GuiQt

from birdadmin.errors import Explanation
from birdadmin.ui.banner import ErrorBanner
from birdadmin.ui.profile_panels import ask

pytestmark = pytest.mark.usefixtures("no_qt_warnings")

SENTENCE = "The SCIM server refused the request (HTTP 400): <a href='https://evil.example'>sign in</a><img src='x'>."


def test_the_banner_and_its_details_show_server_markup_as_text(qtbot: Any) -> None:
    banner = ErrorBanner()
    qtbot.addWidget(banner)
    banner.show_error(Explanation("Request refused", SENTENCE, f"detail: {SENTENCE}", 1))
    assert GuiQt.mightBeRichText(SENTENCE)  # as Qt's automatic choice would have taken it
    assert banner.message_label.textFormat() == Qt.TextFormat.PlainText
    assert banner.message() == SENTENCE
    banner.show_details()
    box = banner.details_dialog
    assert box is not None
    assert box.textFormat() == Qt.TextFormat.PlainText and box.text() == SENTENCE
    box.close()


def test_a_question_naming_a_profile_shows_the_name_as_text(qtbot: Any) -> None:
    from PySide6.QtWidgets import QWidget

    parent = QWidget()
    qtbot.addWidget(parent)
    text = "Delete the profile '<b>prod</b><img src=x>' and forget its stored keys?"
    box = ask(parent, "confirmDelete", "Delete profile", text, lambda: None)
    assert box.textFormat() == Qt.TextFormat.PlainText and box.text() == text
    box.close()
