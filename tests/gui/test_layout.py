"""What the window looks like: usable at 1024x640, long names elided rather than widening it, readable colours
in light and dark, and feedback where an action would otherwise happen silently."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QTextDocument
from PySide6.QtWidgets import QLabel, QTabWidget, QTextEdit, QToolButton

from birdadmin.errors import Explanation
from birdadmin.ui.main_window import MainWindow
from tests.gui.conftest import LOAD_TIMEOUT_MS, spin

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


# -- 1024x640 ----------------------------------------------------------------------------------------------


def small_window(qtbot: Any, window: MainWindow, width: int = 1024, height: int = 640) -> MainWindow:
    window.show()
    qtbot.waitExposed(window)
    window.resize(width, height)
    spin(qtbot, 100)
    assert (window.width(), window.height()) == (width, height)
    return window


def shown_text(tooltip: str) -> str:
    """What a tooltip shows a person (tooltips are rich text: server text is escaped into it)."""
    document = QTextDocument()
    document.setHtml(tooltip)
    return document.toPlainText().replace("\xa0", " ")


def text_fits(label: QLabel) -> bool:
    """The label's text is shown whole, or visibly shortened with the whole text in its tooltip."""
    text = label.text()
    if not text or not label.isVisible():
        return True
    if label.toolTip() and "…" in text:
        return True
    if label.wordWrap():
        longest = max(label.fontMetrics().horizontalAdvance(word) for word in text.split())
        return longest <= label.contentsRect().width()
    return label.sizeHint().width() <= label.width()


def tabs_fit(tabs: QTabWidget) -> bool:
    bar = tabs.tabBar()
    if bar.sizeHint().width() <= bar.width():
        return True
    # Narrower than its tabs: they must shrink (elided, the full name in a tooltip), never hide behind arrows.
    return not tabs.usesScrollButtons() and bar.elideMode() != Qt.TextElideMode.ElideNone and all(
        bar.tabToolTip(i) for i in range(bar.count()))


def test_usable_at_1024x640(demo_window: MainWindow, qtbot: Any) -> None:
    window = small_window(qtbot, demo_window)
    view = window.users_view
    user = max(window.users_model.users(), key=lambda u: len(u.user_name) + len(u.roles))
    assert view.select_user(user.id)
    spin(qtbot, 50)
    # Every column of the Users table is in view (none hidden, none pushed past the right edge).
    table, header = view.table, view.table.horizontalHeader()
    for column in range(header.count()):
        assert not header.isSectionHidden(column), column
        right = header.sectionViewportPosition(column) + header.sectionSize(column)
        assert right <= table.viewport().width(), (column, right, table.viewport().width())
        assert header.sectionSize(column) >= header.fontMetrics().horizontalAdvance(
            str(window.users_model.headerData(column, Qt.Orientation.Horizontal))), column
    # The detail tabs all show, without scroll arrows, and so do the attributes and their labels.
    for tabs in (view.detail.tabs,):
        assert tabs_fit(tabs)
    for index in range(view.detail.tabs.count()):
        view.detail.tabs.setCurrentIndex(index)
        spin(qtbot, 20)
        for label in window.findChildren(QLabel):
            assert text_fits(label), (label.objectName(), label.text())
    # With the detail pane as narrow as the splitter lets it be, its tabs still show.
    view.splitter.setSizes([2000, 1])
    spin(qtbot, 50)
    assert view.detail.width() > 0 and tabs_fit(view.detail.tabs)
    window.show_groups()
    spin(qtbot, 50)
    window.groups_view.splitter.setSizes([2000, 1])
    spin(qtbot, 50)
    assert tabs_fit(window.groups_view.detail.tabs)


def test_a_long_group_name_neither_widens_the_window_nor_squeezes_the_list(demo_window: MainWindow,
                                                                          qtbot: Any) -> None:
    emu = demo_window.emulator
    name = "Regional escalation and compliance review board for the EMEA enterprise accounts " * 2
    response = httpx.post(
        f"{emu.scim_url}/Groups",
        headers={"Authorization": f"Bearer {emu.key}", "Content-Type": "application/scim+json"},
        json={"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "displayName": name.strip()},
    )
    assert response.status_code == 201, response.text
    group_id = response.json()["id"]
    with qtbot.waitSignal(demo_window.org_loaded, timeout=LOAD_TIMEOUT_MS):
        demo_window.refresh()
    window = small_window(qtbot, demo_window, 900, 600)
    window.show_groups()
    view = window.groups_view
    table_width = view.table.width()
    assert view.select_group(group_id)
    spin(qtbot, 100)
    assert window.width() == 900 and window.minimumSizeHint().width() <= 900
    assert view.table.width() >= table_width - 10  # the list keeps its room
    title = view.detail.title
    assert shown_text(title.toolTip()) == name.strip() and text_fits(title)


def test_error_details_open_in_one_click(make_window: Any, qtbot: Any) -> None:
    window = make_window()
    window.show()
    qtbot.waitExposed(window)
    details = "GET https://api.bird.com/organizations/x/scim/v2/Users (page 3)\nHTTP 503: try again later"
    window.show_error(Explanation("Server error", "The server could not answer.", details, 1))
    qtbot.mouseClick(window.banner.details_button, Qt.MouseButton.LeftButton)
    dialog = window.banner.details_dialog
    assert dialog is not None
    qtbot.waitExposed(dialog)
    shown = [w for w in dialog.findChildren(QTextEdit) if w.isVisible()]
    assert len(shown) == 1 and "HTTP 503: try again later" in shown[0].toPlainText()
    dialog.close()


def test_the_load_progress_shows_its_count_whole_at_1024x640(demo_window: MainWindow, qtbot: Any) -> None:
    window = small_window(qtbot, demo_window)
    status = window.status
    status.load_started()
    status.load_progress(7_400, 20_000)
    spin(qtbot, 50)
    bar = status.progress
    text = bar.format()
    assert text == "7400 of 20000 users"
    assert bar.width() >= bar.fontMetrics().horizontalAdvance(text) + 12, (bar.width(), text)
    status.load_ended()


def test_the_toolbar_keeps_the_profile_switcher_and_connect_at_1024x640(demo_window: MainWindow, qtbot: Any) -> None:
    window = small_window(qtbot, demo_window)
    toolbar = window.toolbar
    overflow = toolbar.findChild(QToolButton, "qt_toolbar_ext_button")
    assert overflow is None or not overflow.isVisible()  # nothing is behind the overflow arrow
    wanted = [window.connections.combo, toolbar.widgetForAction(window.window_actions.connect),
              *(toolbar.widgetForAction(a) for a in (*window.window_actions.pages(), window.window_actions.refresh,
                                                     window.window_actions.apply_changes,
                                                     *window.users_page.edit_actions))]
    for widget in wanted:
        assert widget is not None and widget.isVisible(), widget
        right = widget.mapTo(window, widget.rect().topRight()).x()
        assert right <= window.width(), (widget.objectName(), right)
    # The editing buttons show their icons only; their names stay in the tooltip and for screen readers.
    for action in window.users_page.edit_actions:
        button = toolbar.widgetForAction(action)
        assert button.toolButtonStyle() == Qt.ToolButtonStyle.ToolButtonIconOnly
        assert button.toolTip() and action.text()
    names = [a.property("iconName") for a in window.users_page.edit_actions]
    assert len(set(names)) == len(names), names  # told apart by their icons alone
    # Wide again: every button shows its text.
    window.resize(1360, 820)
    spin(qtbot, 100)
    for action in window.users_page.edit_actions:
        assert toolbar.widgetForAction(action).toolButtonStyle() == Qt.ToolButtonStyle.ToolButtonTextBesideIcon
    assert toolbar.findChild(QLabel, "organizationLabel").isVisible()
