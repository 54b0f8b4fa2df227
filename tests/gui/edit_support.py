"""What the editing tests share: reading the planned queue plainly, and a few look-ups in the demo organization."""

from __future__ import annotations

import json
from typing import Any

import httpx
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from birdadmin.domain.changes import Change
from birdadmin.emulator.seed import role_id
from birdadmin.scim.resources import User
from birdadmin.ui.main_window import MainWindow

Planned = tuple[str, str, frozenset[str], frozenset[str]]  # kind, target id, before, after (as sets)
SEED = 7  # the demo_emulator fixture's seed


def role(name: str) -> str:
    """A demo role's UUID by name."""
    return role_id(SEED, name)


def user_named(window: MainWindow, display: str) -> User:
    org = window.context.organization
    assert org is not None
    return next(u for u in org.users if u.display_name == display)


def planned(window: MainWindow) -> set[Planned]:
    """The queue as (kind, target, before, after) with the value lists as lower-case sets: what the tests compare."""
    return {plain(c) for c in window.context.pending.queue}


def plain(change: Change) -> Planned:
    return (change.kind, change.target_id, frozenset(v.lower() for v in change.before),
            frozenset(v.lower() for v in change.after))


def lower(values: Any) -> frozenset[str]:
    return frozenset(v.lower() for v in values)


def undo_texts(window: MainWindow) -> list[str]:
    stack = window.context.pending.undo_stack
    return [stack.text(i) for i in range(stack.count())]


def shown(qtbot: Any, window: MainWindow) -> MainWindow:
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    return window


def space_on(qtbot: Any, list_widget: Any, item: Any) -> None:
    """Toggle ``item`` with the keyboard: make it current in its list, then press Space there."""
    list_widget.setFocus(Qt.FocusReason.OtherFocusReason)
    list_widget.setCurrentItem(item)
    qtbot.keyClick(list_widget, Qt.Key.Key_Space)
    QApplication.processEvents()


def create_user(emu: Any, user_name: str, display_name: str) -> str:
    """A user made on the server after the window loaded (so only a server search can find it)."""
    response = httpx.post(
        f"{emu.scim_url}/Users",
        headers={"Authorization": f"Bearer {emu.key}", "Content-Type": "application/scim+json"},
        content=json.dumps({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
                            "userName": user_name, "displayName": display_name, "roles": []}),
    )
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def known_roles(window: MainWindow) -> list[Any]:
    catalogue = window.context.org.catalogue  # type: ignore[union-attr]
    return [r for r in catalogue.roles() if catalogue.is_known(r.id)]


def tooltip_text(tooltip: str) -> str:
    """What Qt's tooltip shows for ``tooltip``: rich text when it merely looks like HTML, else the text."""
    from PySide6.QtGui import Qt as QtText
    from PySide6.QtGui import QTextDocument

    if not QtText.mightBeRichText(tooltip):
        return tooltip
    document = QTextDocument()
    document.setHtml(tooltip)
    return document.toPlainText().replace("\xa0", " ")
