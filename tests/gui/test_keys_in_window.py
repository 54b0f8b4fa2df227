"""Which key the window connects with, and where a key must never end up after a whole window session."""

from __future__ import annotations

import base64
import logging
import secrets as random_source
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from birdadmin.cli import build_parser
from birdadmin.cli import main as cli_main
from birdadmin.cli.context import CliContext
from birdadmin.cli.output import Output
from birdadmin.emulator import EmulatorOptions, start_emulator
from birdadmin.store.keys import store_key
from birdadmin.store.paths import config_dir
from birdadmin.store.profiles import Profile, ProfileStore
from birdadmin.store.secrets import SecretStore
from birdadmin.ui.main_window import PAGE_GROUPS, PAGE_ROLES, PAGE_USERS, MainWindow
from birdadmin.ui.window_state import window_settings
from tests.gui.conftest import LOAD_TIMEOUT_MS, wait_loaded
from tests.keyrings import MemoryKeyring

pytestmark = pytest.mark.usefixtures("no_qt_warnings")

PROFILE = "Emulated org"


@pytest.fixture
def keyring_store() -> SecretStore:
    return SecretStore(backend=MemoryKeyring())


def _profile_for(emu: Any, store: ProfileStore, secrets: SecretStore, scim_key: str, accounts_key: str) -> Profile:
    profile = store.add(Profile(name=PROFILE, base_url=emu.scim_url, accounts_url=emu.accounts_url,
                                org_id=emu.org_id))
    profile = store_key(store, secrets, profile, "scim", scim_key)
    return store_key(store, secrets, profile, "accounts", accounts_key)


def _window(qtbot: Any, store: ProfileStore, secrets: SecretStore) -> Iterator[MainWindow]:
    window = MainWindow(profile_store=store, secret_store=secrets)
    qtbot.addWidget(window)
    try:
        yield window
    finally:
        window.close()


# -- one rule for the key, whichever way in ----------------------------------------------------------------


def test_switcher_manager_and_cli_connect_with_the_same_key(demo_emulator: Any, qtbot: Any, keyring_store: SecretStore,
                                                            monkeypatch: pytest.MonkeyPatch,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    """The environment's keys override the keyring's, for the toolbar's switcher, the manager's Connect and the
    CLI alike: the keyring holds keys the server refuses, so a load that works proves which key was sent."""
    emu = demo_emulator
    store = ProfileStore()
    _profile_for(emu, store, keyring_store, "stale-scim-key-0000STALE", "stale-accounts-key-00STALE")
    monkeypatch.setenv("BIRDADMIN_ACCESS_KEY", emu.key)
    monkeypatch.setenv("BIRDADMIN_ACCOUNTS_KEY", emu.accounts_key)
    for window in _window(qtbot, store, keyring_store):
        combo = window.connections.combo
        index = combo.findData(PROFILE)
        assert index > 0
        combo.setCurrentIndex(index)
        with qtbot.waitSignal(window.users_loaded, timeout=LOAD_TIMEOUT_MS):
            combo.activated.emit(index)  # what a person's pick in the switcher sends
        wait_loaded(qtbot, window)
        assert not window.banner.isVisibleTo(window)
        switcher = (window.session.spec.key, window.session.spec.accounts_key)

        dialog = window.open_profile_manager(select=PROFILE)
        assert dialog.selected().name == PROFILE
        with qtbot.waitSignal(window.users_loaded, timeout=LOAD_TIMEOUT_MS):
            dialog.connect_button.click()
        wait_loaded(qtbot, window)
        assert window.profile_dialog is None and not window.banner.isVisibleTo(window)
        manager = (window.session.spec.key, window.session.spec.accounts_key)
        assert window.session.org is not None and window.session.org.catalogue.names_from_accounts

    # The CLI, with the same profile file and the same keyring.
    monkeypatch.setattr(CliContext, "secrets", lambda self: keyring_store)
    context = CliContext(build_parser().parse_args(["--profile", PROFILE, "roles", "list"]), Output("table"))
    cli = (context.connection().key, context.connection().accounts_key)
    assert switcher == manager == cli == (emu.key, emu.accounts_key)
    # ... and the CLI really connects with it (a stale key would exit 3).
    assert cli_main(["--profile", PROFILE, "--format", "json", "roles", "list"]) == 0
    assert "Owner" in capsys.readouterr().out


# -- no key anywhere after a window session ----------------------------------------------------------------


def _forms(key: str) -> set[str]:
    raw = key.encode()
    return {key, base64.b64encode(raw).decode().rstrip("="), base64.urlsafe_b64encode(raw).decode().rstrip("=")}


def _files_to_scan() -> list[Path]:
    roots = [config_dir(), Path(window_settings().fileName()).parent]
    found = {path for root in roots for path in root.rglob("*") if path.is_file()}
    return sorted(found)


def test_no_key_in_any_file_or_log_after_a_full_session(qtbot: Any, keyring_store: SecretStore, tmp_path: Path,
                                                        caplog: pytest.LogCaptureFixture, qtlog: Any) -> None:
    token = random_source.token_hex(12)
    scim_key, accounts_key = f"scim-scan-{token}", f"acct-scan-{token}"
    caplog.set_level(logging.DEBUG)
    options = EmulatorOptions(port=0, users=30, groups=4, seed=3, key=scim_key, accounts_key=accounts_key)
    with start_emulator(options) as emu:
        store = ProfileStore()
        _profile_for(emu, store, keyring_store, scim_key, accounts_key)
        for window in _window(qtbot, store, keyring_store):
            with qtbot.waitSignal(window.users_loaded, timeout=LOAD_TIMEOUT_MS):
                assert window.connect_profile(PROFILE)
            wait_loaded(qtbot, window)
            assert window.session.spec.key == scim_key  # the session really used the stored key
            _visit_every_page(qtbot, window, tmp_path)
            dialog = window.open_profile_manager(select=PROFILE)
            assert "ends" in dialog.details.text()
            dialog.close_button.click()
            qtbot.waitUntil(lambda w=window: w.profile_dialog is None, timeout=LOAD_TIMEOUT_MS)
            window.save_state()
    scanned = _files_to_scan()
    names = {path.name for path in scanned}
    assert {"profiles.json", "window.ini"} <= names  # the scan covers the files the session wrote
    texts = {str(path): path.read_bytes().decode("utf-8", "replace") for path in scanned}
    texts.update({f"export {path.name}": path.read_text(encoding="utf-8") for path in tmp_path.glob("*.csv")})
    texts["logs"] = "\n".join(record.getMessage() for record in caplog.records)
    texts["qt log"] = "\n".join(record.message for record in qtlog.records)
    for key in (scim_key, accounts_key):
        for form in _forms(key):
            leaked = [where for where, text in texts.items() if form in text]
            assert not leaked, f"a key ({form[:6]}…) was found in {leaked}"


def _visit_every_page(qtbot: Any, window: MainWindow, out: Path) -> None:
    """Users (a user selected, the JSON tab open), Groups (a group opened), Roles (a role selected), exports."""
    users_view = window.users_view
    user = window.users_model.user_at(0)
    assert users_view.select_user(user.id)
    users_view.detail.tabs.setCurrentWidget(users_view.detail.json_view)
    qtbot.waitUntil(lambda: users_view.detail.json_user_id == user.id, timeout=LOAD_TIMEOUT_MS)
    window.export_csv(str(out / "users.csv"))
    window.show_groups()
    assert window.current_page() == PAGE_GROUPS
    group = window.groups_model.group_at(0)
    assert window.groups_view.select_group(group.id)
    qtbot.waitUntil(lambda: not window.runner.busy("group-detail"), timeout=LOAD_TIMEOUT_MS)
    window.show_roles()
    assert window.current_page() == PAGE_ROLES
    assert window.roles_view.select_role(window.roles_model.role_at(0).id)
    window.export_role_names(str(out / "role-names.csv"))
    window.show_users()
    assert window.current_page() == PAGE_USERS
