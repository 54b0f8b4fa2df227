"""The Access keys page against the emulator's seeded keys: the table, the current key's mark, findings, creating a
key (the secret shown once, stored for a profile, found nowhere afterwards), the revoke guard, rotation (done and
stopped) and a read-only profile."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import keyring.errors
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication

from birdadmin.bird.access_keys import AccessKey
from birdadmin.connection import spec_for_emulator
from birdadmin.domain.catalogue import RoleCatalogue
from birdadmin.emulator import EmulatorOptions, start_emulator
from birdadmin.qtmodels.keys import KeyColumn, build_rows
from birdadmin.store.keys import store_key
from birdadmin.store.paths import config_dir, data_dir
from birdadmin.store.profiles import Profile, ProfileStore
from birdadmin.store.secrets import SecretStore
from birdadmin.ui.keys_page import KeysPage
from birdadmin.ui.main_window import MainWindow
from tests.gui.conftest import LOAD_TIMEOUT_MS, wait_loaded
from tests.keyrings import MemoryKeyring

pytestmark = pytest.mark.usefixtures("no_qt_warnings")

PROFILE = "Keys org"
SCIM_KEY = "keys-page-scim-key-0123456789abcdefXYZ"
ACCOUNTS_KEY = "keys-page-accounts-key-0123456789abcdefQRS"


class RefusingKeyring(MemoryKeyring):
    """Refuses writes once ``refuse`` is set: the keyring saying no in the middle of a rotation."""

    refuse = False

    def set_password(self, service: str, username: str, password: str) -> None:
        if self.refuse:
            raise keyring.errors.PasswordSetError("The keyring refused the write.")
        super().set_password(service, username, password)


@pytest.fixture
def emu() -> Iterator[Any]:
    options = EmulatorOptions(port=0, users=20, groups=3, seed=5, key=SCIM_KEY, accounts_key=ACCOUNTS_KEY)
    with start_emulator(options) as emulator:
        yield emulator


@pytest.fixture
def backend() -> RefusingKeyring:
    return RefusingKeyring()


@pytest.fixture
def profile_window(emu: Any, qtbot: Any, backend: RefusingKeyring) -> Iterator[tuple[MainWindow, KeysPage]]:
    """A window connected through a stored profile (keys in a test keyring), and a keys page beside it."""
    store, secrets = ProfileStore(), SecretStore(backend=backend)
    profile = store.add(Profile(name=PROFILE, base_url=emu.scim_url, accounts_url=emu.accounts_url, org_id=emu.org_id))
    profile = store_key(store, secrets, profile, "scim", SCIM_KEY)
    store_key(store, secrets, profile, "accounts", ACCOUNTS_KEY)
    window = MainWindow(profile_store=store, secret_store=secrets)
    qtbot.addWidget(window)
    with qtbot.waitSignal(window.users_loaded, timeout=LOAD_TIMEOUT_MS):
        assert window.connections.connect_profile(PROFILE)
    wait_loaded(qtbot, window)
    page = KeysPage(window.context)
    qtbot.addWidget(page)
    page.set_stores(lambda: (store, secrets))
    page.resize(1200, 600)
    try:
        yield window, page
    finally:
        page.close()
        window.close()


def _show(qtbot: Any, page: KeysPage) -> None:
    with qtbot.waitSignal(page.listed, timeout=LOAD_TIMEOUT_MS):
        page.show()
    qtbot.waitUntil(lambda: page.listing is not None, timeout=LOAD_TIMEOUT_MS)


def _cell(page: KeysPage, name: str, column: KeyColumn) -> str:
    model = page.model
    row = next(i for i, r in enumerate(model.rows) if r.key.name == name)
    return str(model.index(row, column).data())


def _refreshed(qtbot: Any, page: KeysPage) -> None:
    qtbot.waitUntil(lambda: not page._context.runner.busy("access-keys"), timeout=LOAD_TIMEOUT_MS)


def _works(emu: Any, key: str) -> bool:
    answer = httpx.get(f"{emu.scim_url}/Users?count=1", headers={"Authorization": f"Bearer {key}"}, timeout=10)
    return answer.status_code == 200


# -- the table ---------------------------------------------------------------------------------------------------


def test_table_marks_the_current_key_and_shows_findings(profile_window: tuple[MainWindow, KeysPage],
                                                        qtbot: Any) -> None:
    _window, page = profile_window
    _show(qtbot, page)
    names = [r.key.name for r in page.model.rows]
    assert {"CI export (never used)", "Old Zapier sync", "Break-glass admin"} <= set(names)
    marked = [r.key.name for r in page.model.rows if r.current]
    assert len(marked) == 1
    current = marked[0]
    assert SCIM_KEY.endswith(next(r.key.suffix for r in page.model.rows if r.current))
    assert _cell(page, current, KeyColumn.MARK) == "this profile's key"
    assert page.model.index(page.model.row_for(page.listing.current_id), KeyColumn.MARK).data(
        Qt.ItemDataRole.DecorationRole) is not None
    assert _cell(page, "Break-glass admin", KeyColumn.MARK) == ""
    assert _cell(page, "birdadmin", KeyColumn.MARK) == "this profile's Accounts API key"  # the emulator's name for it
    assert "Owner" in _cell(page, "Break-glass admin", KeyColumn.ROLES)
    assert "Sensitive role" in _cell(page, "Break-glass admin", KeyColumn.FINDINGS)
    assert "Never used" in _cell(page, "CI export (never used)", KeyColumn.FINDINGS)
    assert _cell(page, "CI export (never used)", KeyColumn.LAST_USED) == "never"
    assert "Unused" in _cell(page, "Old Zapier sync", KeyColumn.FINDINGS)
    assert "Due for rotation" in _cell(page, "Old Zapier sync", KeyColumn.FINDINGS)
    assert page.select_key(next(r.key.id for r in page.model.rows if r.key.name == "Break-glass admin"))
    detail = page.detail.toPlainText()
    assert "Emergency access; holds Owner." in detail and "Owner" in detail and "Findings:" in detail
    assert SCIM_KEY not in detail and all(SCIM_KEY not in str(r) for r in page.model.rows)


def test_roles_the_server_did_not_show_and_unknown_roles() -> None:
    catalogue = RoleCatalogue()
    keys = [AccessKey("k1", "Quiet", "", "abcd", None, None, None),
            AccessKey("k2", "Odd", "", "efgh", ("0f0f0f0f-0000-4000-8000-000000000000",), None, None)]
    quiet, odd = build_rows(keys, "k2", [], catalogue)
    assert quiet.roles == ("not shown by the server",) and not quiet.unknown_role
    assert odd.unknown_role and odd.roles[0].startswith("unknown role") and odd.current


def test_without_the_accounts_api_a_sentence_says_keys_need_it(make_window: Any, demo_emulator: Any,
                                                               qtbot: Any) -> None:
    window = make_window()
    spec = spec_for_emulator(demo_emulator)
    spec.accounts_url = spec.accounts_key = None
    with qtbot.waitSignal(window.users_loaded, timeout=LOAD_TIMEOUT_MS):
        assert window.connect_to(spec)
    page = KeysPage(window.context)
    qtbot.addWidget(page)
    with qtbot.waitSignal(page.listed, timeout=LOAD_TIMEOUT_MS):
        page.show()
    assert "Accounts API" in page.note.text() and page.model.rowCount() == 0
    assert not page.create_button.isEnabled() and not page.rotate_button.isEnabled()


# -- create ------------------------------------------------------------------------------------------------------


def test_create_shows_the_secret_once_and_stores_it_for_a_profile(profile_window: tuple[MainWindow, KeysPage],
                                                                   qtbot: Any, backend: RefusingKeyring, emu: Any,
                                                                   caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    window, page = profile_window
    _show(qtbot, page)
    dialog = page.open_create()
    assert dialog is not None and dialog.objectName() == "createKeyDialog"
    assert not dialog.create_button.isEnabled()
    dialog.name_edit.setText("Reporting bot")
    dialog.description_edit.setText("For the weekly report.")
    item = next(dialog.role_list.item(i) for i in range(dialog.role_list.count())
                if dialog.role_list.item(i).text() == "Analyst")
    item.setCheckState(Qt.CheckState.Checked)
    with qtbot.waitSignal(dialog.created, timeout=LOAD_TIMEOUT_MS):
        qtbot.mouseClick(dialog.create_button, Qt.MouseButton.LeftButton)
    secret = dialog.secret_edit.text()
    assert secret and dialog.secret_edit.isReadOnly() and dialog.pages.currentIndex() == 1
    assert "will not be shown again" in dialog.findChild(type(dialog.status), "keySecretWarning").text()
    assert _works(emu, secret)
    assert dialog.profile_combo.currentData() == PROFILE
    with qtbot.waitSignal(dialog.stored, timeout=LOAD_TIMEOUT_MS):
        dialog.store_button.click()
    assert secret in backend.items.values()
    _refreshed(qtbot, page)
    assert "Reporting bot" in [r.key.name for r in page.model.rows]  # the page listed again after the create
    dialog.copy_button.click()
    assert QGuiApplication.clipboard().text() == secret
    dialog.reject()
    assert dialog.secret_edit.text() == "" and not dialog.secret_shown()
    assert QGuiApplication.clipboard().text() != secret  # the copy does not outlive the dialog
    window.close()
    page.close()
    for base in (config_dir(), data_dir()):
        for path in Path(base).rglob("*"):
            if path.is_file():
                assert secret.encode() not in path.read_bytes(), path
    assert not [r for r in caplog.records if secret in r.getMessage()]


# -- revoke ------------------------------------------------------------------------------------------------------


def test_revoke_guards_the_current_key_and_the_last_owner_key(profile_window: tuple[MainWindow, KeysPage],
                                                              qtbot: Any, emu: Any) -> None:
    _window, page = profile_window
    _show(qtbot, page)
    assert page.listing is not None and page.listing.current_id is not None
    page.select_key(page.listing.current_id)
    dialog = page.open_revoke()
    assert dialog.reasons and "this profile connects with" in dialog.guard_label.text()
    assert dialog.confirm_edit.isVisibleTo(dialog) and not dialog.revoke_button.isEnabled()
    dialog.confirm_edit.setText("not the name")
    assert not dialog.revoke_button.isEnabled()
    dialog.reject()

    page.select_key(next(r.key.id for r in page.model.rows if r.accounts))
    dialog = page.open_revoke()
    assert "Accounts API" in dialog.guard_label.text() and not dialog.revoke_button.isEnabled()
    dialog.reject()

    page.select_key(next(r.key.id for r in page.model.rows if r.key.name == "Break-glass admin"))
    dialog = page.open_revoke()
    assert "last access key holding Owner" in dialog.guard_label.text()
    assert not dialog.revoke_button.isEnabled()
    dialog.confirm_edit.setText("Break-glass admin")
    assert dialog.revoke_button.isEnabled()
    with qtbot.waitSignal(dialog.revoked, timeout=LOAD_TIMEOUT_MS):
        dialog.revoke_button.click()
    _refreshed(qtbot, page)
    assert "Break-glass admin" not in [r.key.name for r in page.model.rows]

    page.select_key(next(r.key.id for r in page.model.rows if r.key.name == "CI export (never used)"))
    dialog = page.open_revoke()
    assert not dialog.reasons and dialog.revoke_button.isEnabled() and not dialog.confirm_edit.isVisibleTo(dialog)
    dialog.reject()
    assert _works(emu, SCIM_KEY)


# -- rotate ------------------------------------------------------------------------------------------------------


def _rotate(qtbot: Any, page: KeysPage) -> Any:
    dialog = page.open_rotate()
    assert dialog is not None and dialog.objectName() == "rotateKeyDialog"
    with qtbot.waitSignal(dialog.finished_rotation, timeout=LOAD_TIMEOUT_MS) as blocker:
        dialog.start_button.click()
    return dialog, blocker.args[0]


def test_rotation_shows_each_step_and_the_window_reconnects(profile_window: tuple[MainWindow, KeysPage],
                                                            qtbot: Any, backend: RefusingKeyring, emu: Any) -> None:
    window, page = profile_window
    _show(qtbot, page)
    old_id = page.listing.current_id
    page.profile_key_changed.connect(window.connections.connect_profile)  # the hook the window wires
    with qtbot.waitSignal(page.profile_key_changed, timeout=LOAD_TIMEOUT_MS):
        dialog, result = _rotate(qtbot, page)
    assert result.stopped_at is None and result.completed == ("create", "store", "test", "switch", "revoke")
    assert dialog.started_steps == list(result.completed)  # each step was shown as it began
    assert all(dialog.steps.item(i).text().endswith("done") for i in range(dialog.steps.count()))
    dialog.accept()
    qtbot.waitUntil(lambda: window.session is not None and window.session.spec.key != SCIM_KEY,
                    timeout=LOAD_TIMEOUT_MS)
    new_key = window.session.spec.key
    assert _works(emu, new_key) and not _works(emu, SCIM_KEY)
    wait_loaded(qtbot, window)
    page.organization_changed()
    _refreshed(qtbot, page)
    assert page.listing is not None and page.listing.current_id not in (None, old_id)


def test_a_stopped_rotation_says_where_and_the_old_key_still_works(profile_window: tuple[MainWindow, KeysPage],
                                                                   qtbot: Any, backend: RefusingKeyring,
                                                                   emu: Any) -> None:
    _window, page = profile_window
    _show(qtbot, page)
    backend.refuse = True
    rotated: list[str] = []
    page.profile_key_changed.connect(rotated.append)
    dialog, result = _rotate(qtbot, page)
    assert result.stopped_at == "store" and result.completed == ("create",)
    assert "old key" in dialog.message.text() and dialog.message.text() == result.message
    assert dialog.started_steps == ["create", "store"]
    stopped = dialog.steps.item(1).text()
    assert stopped.endswith("stopped here") and dialog.steps.item(0).text().endswith("done")
    assert dialog.steps.item(2).text().endswith("to do")
    assert not rotated and _works(emu, SCIM_KEY)


# -- read-only ---------------------------------------------------------------------------------------------------


def test_read_only_disables_create_revoke_and_rotate_with_the_reason(profile_window: tuple[MainWindow, KeysPage],
                                                                     qtbot: Any) -> None:
    window, page = profile_window
    _show(qtbot, page)
    page.select_key(page.model.rows[0].key.id)
    assert page.create_button.isEnabled() and page.revoke_button.isEnabled() and page.rotate_button.isEnabled()
    reason = "The profile 'Keys org' is read-only; changes would change data, so nothing is sent."
    window.context.pending.set_read_only(reason)
    for button in (page.create_button, page.revoke_button, page.rotate_button):
        assert not button.isEnabled() and button.toolTip() == reason
    assert page.reason_label.text() == reason
    assert page.open_create() is None and page.open_revoke() is None and page.open_rotate() is None
    assert page.refresh_button.isEnabled()
