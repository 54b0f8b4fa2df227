"""The window journals the access keys it creates, revokes and rotates (services/key_journal.py), and its Journal
page shows them as "access key" entries that cannot be undone; the secret is in no byte of the journal file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt

from birdadmin.store.journal import FILE_NAME, Journal
from birdadmin.store.paths import data_dir
from birdadmin.ui.journal_page import READ
from birdadmin.ui.keys_page import KeysPage
from birdadmin.ui.main_window import MainWindow
from tests.gui.conftest import LOAD_TIMEOUT_MS
from tests.gui.test_keys_page import (  # noqa: F401 - the page's fixtures: a profile window against the emulator
    PROFILE,
    _refreshed,
    _show,
    backend,
    emu,
    profile_window,
)

pytestmark = pytest.mark.usefixtures("no_qt_warnings")


def _create(qtbot: Any, page: KeysPage, name: str) -> tuple[Any, str]:
    dialog = page.open_create()
    dialog.name_edit.setText(name)
    item = next(dialog.role_list.item(i) for i in range(dialog.role_list.count())
                if dialog.role_list.item(i).text() == "Analyst")
    item.setCheckState(Qt.CheckState.Checked)
    with qtbot.waitSignal(dialog.created, timeout=LOAD_TIMEOUT_MS) as blocker:
        qtbot.mouseClick(dialog.create_button, Qt.MouseButton.LeftButton)
    secret = dialog.secret_edit.text()
    dialog.reject()
    return blocker.args[0], secret


def _revoke(qtbot: Any, page: KeysPage, key_id: str) -> None:
    assert page.select_key(key_id)
    dialog = page.open_revoke()
    assert not dialog.reasons
    with qtbot.waitSignal(dialog.revoked, timeout=LOAD_TIMEOUT_MS):
        dialog.revoke_button.click()


def _entries() -> list[dict[str, Any]]:
    with Journal() as journal:
        assert journal.verify().intact
        return [e.content for e in journal.entries()]


def _window(request: pytest.FixtureRequest) -> tuple[MainWindow, KeysPage]:
    """tests/gui/test_keys_page.py's profile window (its fixtures are imported above)."""
    return request.getfixturevalue("profile_window")  # type: ignore[no-any-return]


def test_create_and_revoke_from_the_window_are_journaled_and_shown(request: pytest.FixtureRequest,
                                                                   qtbot: Any) -> None:
    window, page = _window(request)
    _show(qtbot, page)
    key, secret = _create(qtbot, page, "Window bot")
    _refreshed(qtbot, page)
    _revoke(qtbot, page, key.id)
    _refreshed(qtbot, page)
    created, revoked = _entries()
    profile = window.connections.profiles().get(PROFILE)
    for entry in (created, revoked):
        assert entry["target"] == {"kind": "access key", "id": key.id, "name": "Window bot", "suffix": key.suffix}
        assert entry["profile"] == {"name": PROFILE, "id": profile.id} and entry["osUser"]
    assert (created["status"], created["after"], created["roles"]) == ("created", [key.suffix], list(key.role_ids))
    assert (revoked["status"], revoked["before"], revoked["after"]) == ("revoked", [key.suffix], [])
    data = (Path(data_dir()) / FILE_NAME).read_bytes()
    assert secret and secret.encode() not in data and secret[:-len(key.suffix)].encode() not in data

    journal = window.journal_page
    with qtbot.waitSignal(window.context.runner.done, timeout=LOAD_TIMEOUT_MS, check_params_cb=lambda c: c == READ):
        journal.reload()
    journal.kind_combo.setCurrentIndex(journal.kind_combo.findData("access-key"))
    assert journal.model.rowCount() == 2
    assert journal.select_entry(2)
    detail = journal.detail.toPlainText()
    assert "access key Window bot" in detail and f"key revoked …{key.suffix}" in detail and "Analyst" in detail
    assert not journal.undo_button.isEnabled() and "cannot come back" in journal.undo_note.text()
    assert journal.select_entry(1)
    assert not journal.undo_button.isEnabled() and f"keys revoke {key.id}" in journal.undo_note.text()
    journal.kind_combo.setCurrentIndex(journal.kind_combo.findData("user-roles"))
    assert journal.model.rowCount() == 0


def test_a_rotation_from_the_window_is_journaled(request: pytest.FixtureRequest, qtbot: Any) -> None:
    window, page = _window(request)
    _show(qtbot, page)
    old = next(r.key for r in page.model.rows if r.current)
    dialog = page.open_rotate()
    with qtbot.waitSignal(dialog.finished_rotation, timeout=LOAD_TIMEOUT_MS) as blocker:
        dialog.start_button.click()
    result = blocker.args[0]
    assert result.stopped_at is None and result.new_key is not None
    (entry,) = _entries()
    assert (entry["action"], entry["status"]) == ("keys rotate", "rotated")
    assert entry["before"] == [old.suffix] and entry["after"] == [result.new_key.suffix]
    assert entry["profile"]["name"] == PROFILE and entry["profile"]["id"] == result.profile_id
    dialog.reject()
    window.close()
