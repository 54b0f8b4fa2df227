"""The profile editor and manager, driven like a person would, against a real SCIM server where one is needed."""

from __future__ import annotations

import socket
import threading
from pathlib import Path

import keyring.backend
import keyring.errors
import pytest
from keyring.backends import fail
from PySide6.QtCore import QTimer
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QDialogButtonBox, QLabel, QLineEdit, QMessageBox, QPushButton

from birdadmin.connection_check import ConnectionReport
from birdadmin.scim.resources import RolesShape, RoleStrategy
from birdadmin.store.keys import forget_key, store_key
from birdadmin.store.profiles import Profile, ProfileStore
from birdadmin.store.secrets import SERVICE, SecretStore, SessionSecrets
from birdadmin.ui.profile_editor import ProfileEditDialog
from birdadmin.ui.profile_list_model import ProfileListModel, ProfileRole
from birdadmin.ui.profile_manager import ProfileManagerDialog
from tests.keyrings import MemoryKeyring

ORG = "123e4567-e89b-12d3-a456-426614174000"
BASE = f"https://api.bird.com/organizations/{ORG}/scim/v2"
KEY = "sk_test_0123456789abcdefWXYZ"


@pytest.fixture
def backend() -> MemoryKeyring:
    return MemoryKeyring()


@pytest.fixture
def secrets(backend: MemoryKeyring) -> SecretStore:
    return SecretStore(backend=backend)


@pytest.fixture
def store(tmp_path: Path) -> ProfileStore:
    return ProfileStore(tmp_path / "cfg")



@pytest.fixture
def editor(qtbot, store, secrets, pool):
    def make(profile: Profile | None = None, **kw) -> ProfileEditDialog:
        dialog = ProfileEditDialog(store, kw.pop("secrets", secrets), kw.pop("session", SessionSecrets()), profile,
                                   pool=pool, **kw)
        qtbot.addWidget(dialog)
        dialog.show()
        return dialog

    return make


def label(dialog, name: str) -> QLabel:
    found = dialog.findChild(QLabel, name)
    assert found is not None, name
    return found


def error_of(dialog, name: str) -> str:
    widget = label(dialog, name)
    return widget.text() if widget.isVisibleTo(dialog) else ""


def fill(dialog: ProfileEditDialog, **values: str) -> None:
    names = {"name": "nameEdit", "base_url": "baseUrlEdit", "accounts_url": "accountsUrlEdit",
             "org_id": "orgIdEdit", "ca_bundle": "caBundleEdit", "scim_key": "scimKeyEdit",
             "accounts_key": "accountsKeyEdit"}
    for key, value in values.items():
        edit = dialog.findChild(QLineEdit, names[key])
        edit.setText(value)


def keyring_call(qtbot, dialog, press) -> None:
    """Press a button that goes to the keyring, and wait for the worker's answer to be handled."""
    with qtbot.waitSignal(dialog.keys.done, timeout=20_000):
        press()


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# -- editor: fields and validation -----------------------------------------------------------------------------


def test_new_dialog_starts_invalid_with_plain_messages(editor):
    dialog = editor()
    assert not dialog.ok_button.isEnabled()
    assert error_of(dialog, "nameError") == "Enter a name for this profile."
    assert "The Base URL is empty" in error_of(dialog, "baseUrlError")
    assert dialog.windowTitle() == "New profile"
    assert dialog.form.timeout_spin.value() == 30
    for name in ("scimKeyEdit", "accountsKeyEdit"):
        assert dialog.findChild(QLineEdit, name).echoMode() == QLineEdit.EchoMode.Password


@pytest.mark.parametrize(
    ("values", "label_name", "expected"),
    [
        ({"name": ""}, "nameError", "Enter a name for this profile."),
        ({"name": "existing"}, "nameError", "A profile named 'existing' already exists; choose another name."),
        ({"name": "x" * 81}, "nameError", "Shorten the name to at most 80 characters."),
        ({"name": "a\u0007b"}, "nameError", "Remove the control characters from the name."),
        ({"base_url": "   "}, "baseUrlError", "The Base URL is empty"),
        ({"base_url": "bird dot com"}, "baseUrlError", "is not an http(s) URL; it should start with https://."),
        ({"base_url": "http://bird.example/scim"}, "baseUrlError", "would send the access key unencrypted"),
        ({"base_url": "https://me:pw@bird.example/scim"}, "baseUrlError", "must not contain a user name or password"),
        ({"base_url": "https://bird.example/scim?x=1"}, "baseUrlError", "must not contain a query"),
        ({"accounts_url": "http://api.bird.com"}, "accountsUrlError", "The Accounts API URL uses http://"),
        ({"org_id": "12345"}, "orgIdError", "The organization ID must be a UUID"),
        (
            {"base_url": "https://workspace.bird.example/scim/v2", "accounts_url": "https://api.bird.com"},
            "orgIdError",
            "Enter the organization ID: the Accounts API needs it",
        ),
        ({"ca_bundle": "/no/such/ca.pem"}, "caBundleError", "The CA bundle file /no/such/ca.pem does not exist"),
        ({"scim_key": "has a space"}, "scimKeyError", "The SCIM access key contains spaces"),
        ({"accounts_key": KEY}, "accountsKeyError", "Enter the Accounts API URL for this key, or clear the key."),
        (
            {"accounts_url": "https://api.bird.com", "accounts_key": "two\tparts"},
            "accountsKeyError",
            "The Accounts API key contains spaces",
        ),
    ],
)
def test_every_validation_message(editor, store, values, label_name, expected):
    store.add(Profile(name="Existing", base_url=BASE))
    dialog = editor()
    fill(dialog, name="Fine", base_url=BASE)
    assert dialog.ok_button.isEnabled()
    fill(dialog, **values)
    assert expected in error_of(dialog, label_name)
    assert not dialog.ok_button.isEnabled()
    shown = [n for n in ("nameError", "baseUrlError", "accountsUrlError", "orgIdError", "caBundleError",
                         "scimKeyError", "accountsKeyError") if error_of(dialog, n)]
    assert shown == [label_name]  # one problem, one message, in the right place


def test_fixing_the_field_clears_its_message(editor, tmp_path):
    dialog = editor()
    fill(dialog, name="P", base_url="http://bird.example")
    assert error_of(dialog, "baseUrlError")
    fill(dialog, base_url="https://bird.example/scim/v2")
    assert error_of(dialog, "baseUrlError") == ""
    bundle = tmp_path / "ca.pem"
    bundle.write_text("pem")
    fill(dialog, ca_bundle=str(bundle))
    assert error_of(dialog, "caBundleError") == "" and dialog.ok_button.isEnabled()


def test_org_id_follows_base_url_until_typed_by_hand(editor):
    dialog = editor()
    dialog.form.base_url_edit.setText(BASE)
    assert dialog.form.org_id_edit.text() == ORG
    other = "00000000-0000-4000-8000-000000000001"
    dialog.form.base_url_edit.setText(BASE.replace(ORG, other))
    assert dialog.form.org_id_edit.text() == other
    dialog.form.base_url_edit.setText("https://ws.bird.example/scim/v2")
    assert dialog.form.org_id_edit.text() == ""
    mine = "00000000-0000-4000-8000-0000000000aa"
    dialog.form.org_id_edit.setText(mine)
    dialog.form.base_url_edit.setText(BASE)
    assert dialog.form.org_id_edit.text() == mine


def test_accessible_names_on_inputs(editor):
    dialog = editor()
    for name in ("nameEdit", "baseUrlEdit", "accountsUrlEdit", "orgIdEdit", "caBundleEdit", "scimKeyEdit",
                 "accountsKeyEdit"):
        assert dialog.findChild(QLineEdit, name).accessibleName()
    assert dialog.findChild(QPushButton, "testButton").accessibleName() == "Test connection"


# -- editor: saving and keys -----------------------------------------------------------------------------------


def test_save_new_profile_and_key(qtbot, editor, store, backend):
    dialog = editor()
    fill(dialog, name="Prod", base_url=BASE, accounts_url="https://api.bird.com", scim_key=KEY,
         accounts_key="acc_" + KEY)
    dialog.form.roles_shape_combo.setCurrentIndex(dialog.form.roles_shape_combo.findData(RolesShape.COMPLEX))
    dialog.form.role_strategy_combo.setCurrentIndex(dialog.form.role_strategy_combo.findData(RoleStrategy.PUT))
    dialog.form.read_only_check.setChecked(True)
    dialog.form.timeout_spin.setValue(12)
    keyring_call(qtbot, dialog, dialog.ok_button.click)
    assert dialog.result() == ProfileEditDialog.DialogCode.Accepted
    saved = store.get("Prod")
    assert saved == dialog.saved
    assert (saved.org_id, saved.roles_shape, saved.role_strategy, saved.read_only, saved.timeout) == (
        ORG, RolesShape.COMPLEX, RoleStrategy.PUT, True, 12.0)
    assert backend.items == {(SERVICE, f"{saved.id}:scim"): KEY, (SERVICE, f"{saved.id}:accounts"): "acc_" + KEY}
    assert saved.scim_key_fingerprint == "…WXYZ" and saved.accounts_key_fingerprint == "…WXYZ"
    assert KEY not in store.path.read_text()


def test_edit_shows_fingerprint_never_the_key(editor, store, secrets):
    profile = store_key(store, secrets, store.add(Profile(name="Prod", base_url=BASE)), "scim", KEY)
    dialog = editor(profile)
    assert dialog.windowTitle() == "Edit profile"
    info = label(dialog, "scimKeyInfo").text()
    assert "…WXYZ" in info and KEY not in info
    assert label(dialog, "accountsKeyInfo").text() == "No key stored."
    assert dialog.form.scim_key_edit.text() == ""  # never shown again
    texts = " ".join(w.text() for w in dialog.findChildren(QLabel)) + " ".join(
        w.text() for w in dialog.findChildren(QLineEdit))
    assert KEY not in texts


def test_edit_without_new_key_keeps_the_stored_key(editor, store, secrets, backend):
    profile = store_key(store, secrets, store.add(Profile(name="Prod", base_url=BASE)), "scim", KEY)
    dialog = editor(profile)
    fill(dialog, name="Production")
    dialog.ok_button.click()
    saved = store.get("Production")
    assert saved.id == profile.id and saved.scim_key_fingerprint == "…WXYZ"
    assert backend.items[(SERVICE, f"{profile.id}:scim")] == KEY


def test_no_usable_keyring_offers_session_only(qtbot, editor, store):
    session = SessionSecrets()
    dialog = editor(secrets=SecretStore(backend=fail.Keyring()), session=session)
    fill(dialog, name="Prod", base_url=BASE, scim_key=KEY)
    keyring_call(qtbot, dialog, dialog.ok_button.click)
    assert dialog.isVisible()  # not accepted yet: the person decides
    panel_text = label(dialog, "keyringError").text()
    assert "No usable keyring was found" in panel_text and "apt install gnome-keyring" in panel_text
    assert "The profile is saved; its key is not." in panel_text
    assert KEY not in panel_text
    saved = store.get("Prod")
    assert saved.scim_key_fingerprint is None
    dialog.findChild(QPushButton, "sessionOnlyButton").click()
    assert dialog.result() == ProfileEditDialog.DialogCode.Accepted and dialog.session_only
    assert session.get(saved.id, "scim") == KEY
    assert KEY not in store.path.read_text()


def test_keyring_failure_then_ok_again_updates_the_same_profile(qtbot, editor, store, backend):
    dialog = editor(secrets=SecretStore(backend=fail.Keyring()))
    fill(dialog, name="Prod", base_url=BASE, scim_key=KEY)
    keyring_call(qtbot, dialog, dialog.ok_button.click)
    assert dialog.keyring_panel.isVisibleTo(dialog)
    # pressing OK again must not try to add a second 'Prod'
    keyring_call(qtbot, dialog, dialog.ok_button.click)
    assert error_of(dialog, "formError") == ""
    assert store.names() == ["Prod"]


def test_name_taken_meanwhile_by_another_window_is_reported(editor, store):
    dialog = editor()
    fill(dialog, name="Dup", base_url=BASE)
    store.add(Profile(name="dup", base_url=BASE))  # e.g. the CLI, while the dialog was open
    dialog.ok_button.click()
    assert dialog.isVisible() and dialog.saved is None
    assert "A profile named 'Dup' already exists" in error_of(dialog, "formError")
    fill(dialog, name="Dup2")
    assert error_of(dialog, "formError") == ""
    dialog.ok_button.click()
    assert store.names() == ["dup", "Dup2"]


def test_keys_do_not_stay_in_the_password_fields_after_saving(qtbot, editor, store):
    dialog = editor()
    fill(dialog, name="Prod", base_url=BASE, accounts_url="https://api.bird.com", scim_key=KEY,
         accounts_key="acc_" + KEY)
    keyring_call(qtbot, dialog, dialog.ok_button.click)
    assert dialog.result() == ProfileEditDialog.DialogCode.Accepted
    assert dialog.form.scim_key_edit.text() == "" and dialog.form.accounts_key_edit.text() == ""
    # and when the person chose "this session only" because the keyring could not be used
    session = SessionSecrets()
    dialog = editor(secrets=SecretStore(backend=fail.Keyring()), session=session)
    fill(dialog, name="Other", base_url=BASE, scim_key=KEY)
    keyring_call(qtbot, dialog, dialog.ok_button.click)
    assert dialog.form.scim_key_edit.text() == KEY  # still needed: the person has not decided yet
    dialog.findChild(QPushButton, "sessionOnlyButton").click()
    assert dialog.result() == ProfileEditDialog.DialogCode.Accepted
    assert dialog.form.scim_key_edit.text() == "" and session.get(dialog.saved.id, "scim") == KEY


def test_saving_keeps_key_changes_made_elsewhere_meanwhile(editor, store, secrets, backend):
    forgotten = store_key(store, secrets, store.add(Profile(name="A", base_url=BASE)), "scim", KEY)
    rotated = store_key(store, secrets, store.add(Profile(name="B", base_url=BASE)), "scim", KEY)
    dialog_a, dialog_b = editor(forgotten), editor(rotated)
    # meanwhile, e.g. from the CLI: A's key is forgotten, B's key is rotated
    forget_key(store, secrets, forgotten, "scim")
    new_key = "sk_rotated_00000000NEW1"
    store_key(store, secrets, store.get("B"), "scim", new_key)
    fill(dialog_a, name="A2")
    dialog_a.ok_button.click()
    fill(dialog_b, name="B2")
    dialog_b.ok_button.click()
    assert store.get("A2").scim_key_fingerprint is None and store.get("A2").scim_key_stored_at is None
    assert store.get("B2").scim_key_fingerprint == "…NEW1"
    assert backend.items[(SERVICE, f"{rotated.id}:scim")] == new_key


# -- editor: connection test -----------------------------------------------------------------------------------


def run_test(qtbot, dialog: ProfileEditDialog):
    with qtbot.waitSignal(dialog.testFinished, timeout=20_000) as blocker:
        dialog.test_button.click()
        assert dialog.test_result.text() == "Testing…"  # the click returned before the result: not blocking
        assert not dialog.test_button.isEnabled()
    return blocker.args[0]


def test_connection_test_against_a_real_server(qtbot, editor, scim2_server):
    dialog = editor()
    fill(dialog, name="Local", base_url=scim2_server.base_url, scim_key=scim2_server.key)
    report = run_test(qtbot, dialog)
    assert isinstance(report, ConnectionReport) and report.ok
    text = dialog.test_result.text()
    assert text.startswith("Connection works.")
    assert "key accepted" in text and "ETags:" in text and "Filtering:" in text
    assert "Role catalogue: not available" in text
    assert dialog.test_button.isEnabled()


def test_a_test_without_any_key_does_not_claim_the_connection_works(qtbot, editor):
    dialog = editor()
    fill(dialog, name="Local", base_url=BASE)
    report = run_test(qtbot, dialog)
    assert report.reachable is None  # nothing was sent
    text = dialog.test_result.text()
    assert text.startswith("Nothing was tested: enter a key") and "Connection works." not in text
    assert "SCIM: not tested (no SCIM access key)." in text


def test_connection_test_wrong_key_and_unreachable(qtbot, editor, scim2_server):
    dialog = editor()
    fill(dialog, name="Local", base_url=scim2_server.base_url, scim_key="wrong-key-123456")
    report = run_test(qtbot, dialog)
    assert report.exit_code == 3
    assert "reachable, but the key was refused" in dialog.test_result.text()
    fill(dialog, base_url=f"http://127.0.0.1:{closed_port()}/scim/v2")
    report = run_test(qtbot, dialog)
    assert report.exit_code == 4 and "not reachable" in dialog.test_result.text()


def test_stale_test_result_is_dropped(qtbot, editor, pool):
    release = threading.Event()
    calls: list[str] = []

    def slow_check(profile, scim_key, accounts_key):  # holds the worker until the fields have changed
        calls.append(profile.name)
        release.wait(10)
        return ConnectionReport(reachable=True, key_accepted=True, messages=["SCIM: fine."])

    dialog = editor(check=slow_check)
    fill(dialog, name="A", base_url=BASE, scim_key=KEY)
    finished: list[object] = []
    dialog.testFinished.connect(finished.append)
    dialog.test_button.click()
    qtbot.waitUntil(lambda: calls == ["A"])
    fill(dialog, name="B")
    release.set()
    pool.waitForDone(10_000)
    qtbot.wait(50)  # let the queued result arrive
    assert finished == []
    assert dialog.test_result.text() == "The fields changed during the test; test again."


def test_rotation_requires_a_successful_test_of_the_new_key(qtbot, editor, store, secrets, backend, scim2_server):
    profile = store_key(store, secrets, store.add(Profile(name="Local", base_url=scim2_server.base_url)), "scim",
                        "old-key-000000001111")
    dialog = editor(profile)
    fill(dialog, scim_key="bad-new-key-99999999")
    assert "Press Test connection" in error_of(dialog, "scimKeyError")
    assert not dialog.ok_button.isEnabled()
    run_test(qtbot, dialog)
    assert not dialog.ok_button.isEnabled()  # the new key failed: the old one stays
    fill(dialog, scim_key=scim2_server.key)
    assert not dialog.ok_button.isEnabled()
    run_test(qtbot, dialog)
    assert error_of(dialog, "scimKeyError") == "" and dialog.ok_button.isEnabled()
    keyring_call(qtbot, dialog, dialog.ok_button.click)
    assert backend.items[(SERVICE, f"{profile.id}:scim")] == scim2_server.key
    assert store.get("Local").scim_key_fingerprint == "…" + scim2_server.key[-4:]


def test_test_uses_the_stored_key_when_none_is_typed(qtbot, editor, store, secrets, scim2_server):
    profile = store_key(store, secrets, store.add(Profile(name="Local", base_url=scim2_server.base_url)), "scim",
                        scim2_server.key)
    dialog = editor(profile)
    assert run_test(qtbot, dialog).key_accepted is True


# -- manager ---------------------------------------------------------------------------------------------------


@pytest.fixture
def manager(qtbot, store, secrets, pool):
    def make(**kw) -> ProfileManagerDialog:
        dialog = ProfileManagerDialog(store, kw.pop("secrets", secrets), kw.pop("session", None), pool=pool, **kw)
        qtbot.addWidget(dialog)
        dialog.show()
        return dialog

    return make


def names_in(dialog: ProfileManagerDialog) -> list[str]:
    return [p.name for p in dialog.model.profiles()]


def test_list_model_passes_modeltester(qtmodeltester):
    model = ProfileListModel()
    model.set_profiles([Profile(name="a", base_url=BASE), Profile(name="b", base_url=BASE, read_only=True)])
    qtmodeltester.check(model)
    assert model.index(1).data() == "b (read-only)"
    assert model.index(0).data(ProfileRole).name == "a"


def test_manager_lists_and_preselects_last_used(manager, store, secrets):
    store.add(Profile(name="b", base_url=BASE))
    prod = store_key(store, secrets, store.add(Profile(name="a", base_url=BASE, read_only=True)), "scim", KEY)
    store.set_last_used("b")
    dialog = manager()
    assert names_in(dialog) == ["a", "b"]
    assert dialog.selected().name == "b"
    dialog.select("a")
    details = label(dialog, "profileDetails").text()
    assert "Read-only" in details and "ends …WXYZ" in details and KEY not in details
    assert prod.org_id in details


def test_manager_empty_state(manager):
    dialog = manager()
    assert label(dialog, "profileDetails").text() == "No profile yet: press New to add one."
    assert not dialog.connect_button.isEnabled() and dialog.new_button.isEnabled()


def test_manager_new_profile_through_the_editor(qtbot, manager, store):
    dialog = manager()
    editor = dialog.new_profile()
    fill(editor, name="Fresh", base_url=BASE, scim_key=KEY)
    keyring_call(qtbot, editor, editor.ok_button.click)
    assert names_in(dialog) == ["Fresh"] and dialog.selected().name == "Fresh"
    assert dialog.status.text() == "Saved profile 'Fresh'."


def test_manager_duplicate_does_not_copy_keys(manager, store, secrets, backend):
    store_key(store, secrets, store.add(Profile(name="Prod", base_url=BASE)), "scim", KEY)
    dialog = manager()
    dialog.duplicate_button.click()
    dialog.select("Prod")
    dialog.duplicate_button.click()
    assert names_in(dialog) == ["Prod", "Prod copy", "Prod copy 2"]
    assert "Keys are not copied" in dialog.status.text()
    assert store.get("Prod copy").scim_key_fingerprint is None
    assert len(backend.items) == 1


def test_manager_delete_asks_first(qtbot, manager, store, secrets, backend):
    store_key(store, secrets, store.add(Profile(name="Prod", base_url=BASE)), "scim", KEY)
    dialog = manager()
    box = dialog.delete_selected()
    assert isinstance(box, QMessageBox) and "Delete the profile 'Prod'" in box.text()
    box.button(QMessageBox.StandardButton.Cancel).click()
    assert names_in(dialog) == ["Prod"] and backend.items
    keyring_call(qtbot, dialog, dialog.delete_selected().button(QMessageBox.StandardButton.Yes).click)
    assert names_in(dialog) == [] and store.names() == [] and backend.items == {}
    assert dialog.status.text() == "Deleted profile 'Prod'."


def test_manager_forget_keys(qtbot, manager, store, secrets, backend):
    profile = store.add(Profile(name="Prod", base_url=BASE, accounts_url="https://api.bird.com"))
    profile = store_key(store, secrets, profile, "scim", KEY)
    store_key(store, secrets, profile, "accounts", "acc_" + KEY)
    dialog = manager()
    keyring_call(qtbot, dialog, dialog.forget_selected().button(QMessageBox.StandardButton.Yes).click)
    assert backend.items == {}
    saved = store.get("Prod")
    assert saved.scim_key_fingerprint is None and saved.accounts_key_fingerprint is None
    assert "SCIM key: none stored" in label(dialog, "profileDetails").text()


def test_manager_connect_returns_profile_and_keys(qtbot, manager, store, secrets):
    profile = store.add(Profile(name="Prod", base_url=BASE, accounts_url="https://api.bird.com"))
    profile = store_key(store, secrets, profile, "scim", KEY)
    store_key(store, secrets, profile, "accounts", "acc_" + KEY)
    dialog = manager()
    keyring_call(qtbot, dialog, dialog.connect_button.click)
    assert dialog.result() == ProfileManagerDialog.DialogCode.Accepted
    choice = dialog.choice
    assert (choice.profile.id, choice.scim_key, choice.accounts_key, choice.session_only) == (
        profile.id, KEY, "acc_" + KEY, False)
    assert KEY not in repr(choice)
    assert store.last_used() == "Prod"


def test_manager_connect_without_key_says_what_to_do(qtbot, manager, store):
    store.add(Profile(name="Prod", base_url=BASE))
    dialog = manager()
    keyring_call(qtbot, dialog, dialog.connect_button.click)
    assert dialog.choice is None and dialog.isVisible()
    assert "has no stored SCIM key" in dialog.status.text()


def test_manager_connect_with_locked_or_missing_keyring_offers_session_only(qtbot, manager, store, secrets):
    store_key(store, secrets, store.add(Profile(name="Prod", base_url=BASE)), "scim", KEY)
    session = SessionSecrets()
    dialog = manager(secrets=SecretStore(backend=fail.Keyring()), session=session)
    keyring_call(qtbot, dialog, dialog.connect_button.click)
    assert dialog.choice is None
    assert "No usable keyring was found" in label(dialog, "keyringError").text()
    assert dialog.keyring_panel.isVisibleTo(dialog)
    dialog.keyring_panel.key_edit.setText("with space")
    dialog.keyring_panel.button.click()
    assert "contains spaces" in label(dialog, "keyringError").text() and dialog.choice is None
    dialog.keyring_panel.key_edit.setText(KEY)
    dialog.keyring_panel.button.click()
    assert dialog.choice.scim_key == KEY and dialog.choice.session_only
    assert dialog.keyring_panel.key_edit.text() == ""


def test_manager_reports_unreadable_file_and_can_start_fresh(manager, store):
    store.path.write_text("{broken")
    dialog = manager()
    panel = label(dialog, "fileProblemLabel").text()
    assert "is not valid JSON" in panel and "profiles.json.bak-" in panel
    assert not dialog.new_button.isEnabled()
    dialog.file_problem.button.click()
    assert not dialog.file_problem.isVisibleTo(dialog) and dialog.new_button.isEnabled()
    assert "kept as profiles.json.bak-" in dialog.status.text()
    (backup,) = store.directory.glob("profiles.json.bak-*")
    assert backup.read_text() == "{broken"


# -- the keyring never blocks the GUI thread -------------------------------------------------------------------


class BlockingKeyring(MemoryKeyring):
    """A keyring whose every call waits, like a locked Secret Service showing an unlock prompt, until released."""

    def __init__(self) -> None:
        super().__init__()
        self.blocking = False
        self.entered = threading.Event()
        self.release = threading.Event()
        self.threads: set[threading.Thread] = set()

    def _wait(self) -> None:
        if self.blocking:
            self.threads.add(threading.current_thread())
            self.entered.set()
            self.release.wait(10)

    def get_password(self, service, username):
        self._wait()
        return super().get_password(service, username)

    def set_password(self, service, username, password):
        self._wait()
        super().set_password(service, username, password)

    def delete_password(self, service, username):
        self._wait()
        super().delete_password(service, username)


@pytest.fixture
def blocking() -> BlockingKeyring:
    return BlockingKeyring()


def pending_in_background(qtbot, backend: BlockingKeyring, press) -> None:
    """Press the button; it must return at once, the keyring call must wait on a worker, and the GUI thread must
    keep handling events (a timer keeps firing) while it waits."""
    backend.blocking = True
    press()
    assert threading.main_thread() not in backend.threads  # the click returned without touching the keyring
    qtbot.waitUntil(backend.entered.is_set, timeout=10_000)
    ticks: list[int] = []
    timer = QTimer()
    timer.timeout.connect(lambda: ticks.append(1))
    timer.start(5)
    try:
        qtbot.waitUntil(lambda: len(ticks) >= 3, timeout=5_000)
    finally:
        timer.stop()
    assert not backend.release.is_set()  # the ticks happened while the keyring call was still pending
    assert backend.threads and threading.main_thread() not in backend.threads


def release(qtbot, dialog, backend: BlockingKeyring) -> None:
    with qtbot.waitSignal(dialog.keys.done, timeout=20_000):
        backend.release.set()


def test_editor_ok_stores_the_key_without_blocking(qtbot, editor, store, blocking):
    dialog = editor(secrets=SecretStore(backend=blocking))
    fill(dialog, name="Prod", base_url=BASE, scim_key=KEY)
    pending_in_background(qtbot, blocking, dialog.ok_button.click)
    assert dialog.isVisible() and dialog.result() != ProfileEditDialog.DialogCode.Accepted
    assert not dialog.ok_button.isEnabled()  # busy: a second OK cannot start a second save
    assert dialog.buttons.button(QDialogButtonBox.StandardButton.Cancel).isEnabled()
    assert label(dialog, "keyringStatus").text() == "Saving the key in the keyring…"
    release(qtbot, dialog, blocking)
    assert dialog.result() == ProfileEditDialog.DialogCode.Accepted
    saved = store.get("Prod")
    assert blocking.items == {(SERVICE, f"{saved.id}:scim"): KEY}
    assert saved.scim_key_fingerprint == "…WXYZ" and dialog.form.scim_key_edit.text() == ""


def test_editor_keyring_failure_arrives_as_a_sentence(qtbot, editor, store, blocking):
    class Locked(BlockingKeyring):
        def set_password(self, service, username, password):
            self._wait()
            raise keyring.errors.KeyringLocked("Failed to unlock the collection!")

    backend = Locked()
    dialog = editor(secrets=SecretStore(backend=backend))
    fill(dialog, name="Prod", base_url=BASE, scim_key=KEY)
    pending_in_background(qtbot, backend, dialog.ok_button.click)
    release(qtbot, dialog, backend)
    text = label(dialog, "keyringError").text()
    assert text.startswith("The keyring is locked") and "The profile is saved; its key is not." in text
    assert "Traceback" not in text and "KeyringLocked" not in text and KEY not in text
    assert dialog.keyring_panel.isVisibleTo(dialog) and dialog.keyring_panel.button.isEnabled()
    assert store.get("Prod").scim_key_fingerprint is None


def test_manager_connect_reads_the_keys_without_blocking(qtbot, manager, store, blocking):
    secrets = SecretStore(backend=blocking)
    store_key(store, secrets, store.add(Profile(name="Prod", base_url=BASE)), "scim", KEY)
    dialog = manager(secrets=secrets)
    pending_in_background(qtbot, blocking, dialog.connect_button.click)
    assert dialog.choice is None and dialog.isVisible()
    assert not dialog.connect_button.isEnabled() and not dialog.delete_button.isEnabled()
    assert dialog.close_button.isEnabled()
    assert "Reading the access key of 'Prod'" in dialog.status.text()
    release(qtbot, dialog, blocking)
    assert dialog.result() == ProfileManagerDialog.DialogCode.Accepted
    assert dialog.choice.scim_key == KEY and not dialog.choice.session_only


def test_manager_closed_while_reading_keys_does_not_connect(qtbot, manager, store, blocking, pool):
    secrets = SecretStore(backend=blocking)
    store_key(store, secrets, store.add(Profile(name="Prod", base_url=BASE)), "scim", KEY)
    dialog = manager(secrets=secrets)
    results: list[int] = []
    dialog.finished.connect(results.append)
    pending_in_background(qtbot, blocking, dialog.connect_button.click)
    dialog.close_button.click()
    assert results == [ProfileManagerDialog.DialogCode.Rejected.value]
    blocking.release.set()
    pool.waitForDone(10_000)
    qtbot.wait(50)  # let a queued answer arrive, if one were still wanted
    assert dialog.choice is None and results == [ProfileManagerDialog.DialogCode.Rejected.value]


def test_manager_delete_and_forget_without_blocking(qtbot, manager, store, blocking):
    secrets = SecretStore(backend=blocking)
    store_key(store, secrets, store.add(Profile(name="Gone", base_url=BASE)), "scim", KEY)
    store_key(store, secrets, store.add(Profile(name="Kept", base_url=BASE)), "scim", "sk_kept_0000000000KEPT")
    dialog = manager(secrets=secrets)
    dialog.select("Kept")
    pending_in_background(qtbot, blocking, dialog.forget_selected().button(QMessageBox.StandardButton.Yes).click)
    assert not dialog.forget_button.isEnabled() and not dialog.list_view.isEnabled()
    release(qtbot, dialog, blocking)
    assert store.get("Kept").scim_key_fingerprint is None
    assert dialog.status.text() == "Forgot the keys of 'Kept'." and dialog.forget_button.isEnabled()
    blocking.entered.clear()
    blocking.release.clear()
    blocking.threads.clear()
    dialog.select("Gone")
    pending_in_background(qtbot, blocking, dialog.delete_selected().button(QMessageBox.StandardButton.Yes).click)
    assert names_in(dialog) == ["Gone", "Kept"]  # nothing changes until the keyring has answered
    release(qtbot, dialog, blocking)
    assert names_in(dialog) == ["Kept"] and store.names() == ["Kept"] and blocking.items == {}
    assert dialog.status.text() == "Deleted profile 'Gone'."


# -- editor: a refused key, layout, colours --------------------------------------------------------------------


def test_a_new_profile_does_not_save_a_key_its_test_refused(qtbot, editor, store, backend, scim2_server):
    dialog = editor()
    fill(dialog, name="Local", base_url=scim2_server.base_url, scim_key="wrong-key-123456")
    assert dialog.ok_button.isEnabled()  # untested keys may be saved, as before
    report = run_test(qtbot, dialog)
    assert report.key_accepted is False
    assert "The connection test refused this key" in error_of(dialog, "scimKeyError")
    assert not dialog.ok_button.isEnabled()
    dialog.accept()  # Enter, or a click that got through: still nothing saved
    assert store.names() == [] and backend.items == {}
    fill(dialog, name="Local test")  # other fields change nothing about the key
    assert not dialog.ok_button.isEnabled()
    fill(dialog, scim_key=scim2_server.key)
    assert error_of(dialog, "scimKeyError") == "" and dialog.ok_button.isEnabled()
    fill(dialog, scim_key="wrong-key-123456")  # the same refused key again
    assert not dialog.ok_button.isEnabled()
    fill(dialog, scim_key="")  # or no key at all
    assert dialog.ok_button.isEnabled()


def input_positions(dialog: ProfileEditDialog) -> dict[str, int]:
    return {w.objectName(): w.mapTo(dialog, w.rect().topLeft()).y() for w in dialog.form._inputs()}


def test_editor_fields_stay_put_as_hints_come_and_go(qtbot, editor, store):
    store.add(Profile(name="Existing", base_url=BASE))
    dialog = editor()
    fill(dialog, name="Fine", base_url=BASE)
    qtbot.wait(20)
    before, height = input_positions(dialog), dialog.height()
    fine = {"name": "Fine", "base_url": BASE, "org_id": ORG, "scim_key": "", "ca_bundle": ""}
    # Messages of one line appear in room kept for them.
    for values in ({"name": ""}, {"name": "x" * 81}, {"name": "existing"}, fine):
        fill(dialog, **values)
        qtbot.wait(20)
        assert input_positions(dialog) == before, values
        assert dialog.height() == height, values
    # A longer one may push them down while it shows, and they come back when it goes.
    for values in ({"base_url": "http://bird.example/scim"}, {"scim_key": "has a space"}, fine):
        fill(dialog, **values)
        qtbot.wait(20)
        assert unclipped(dialog) == []
    assert input_positions(dialog) == before


def unclipped(dialog) -> list[str]:
    """The visible wrapping labels that are shorter than their text needs at their width."""
    return [f"{w.objectName()}: {w.height()} < {w.heightForWidth(w.width())}"
            for w in dialog.findChildren(QLabel)
            if w.isVisible() and w.wordWrap() and w.text() and w.height() < w.heightForWidth(w.width())]


def test_editor_hints_and_test_results_are_never_cut_off(qtbot, editor):
    long_report = ConnectionReport(
        reachable=True, key_accepted=False, exit_code=3,
        messages=["SCIM: reachable, but the key was refused (HTTP 401). Check that you copied the whole key "
                  "and that it was not revoked in Bird."] + [f"Line {i} of what the server offers." for i in range(12)],
    )
    dialog = editor(check=lambda profile, scim_key, accounts_key: long_report)
    dialog.resize(dialog.sizeHint())
    fill(dialog, name="x" * 81, base_url="http://bird.example/scim", accounts_url="http://api.bird.com",
         org_id="12345", ca_bundle="/no/such/ca.pem", scim_key="has a space", accounts_key="two\tparts")
    qtbot.wait(20)
    assert unclipped(dialog) == []
    assert dialog.form.org_id_edit.accessibleDescription() == error_of(dialog, "orgIdError") != ""
    fill(dialog, name="Fine", base_url=BASE, accounts_url="", org_id=ORG, ca_bundle="", scim_key=KEY,
         accounts_key="")
    run_test(qtbot, dialog)
    qtbot.wait(20)
    assert "Line 11 of what the server offers." in dialog.test_result.text()
    assert unclipped(dialog) == []
    screen = dialog.screen().availableGeometry()
    assert dialog.height() <= max(640, screen.height())  # fits a small screen: long results scroll


def contrast(a: QColor, b: QColor) -> float:
    def luminance(c: QColor) -> float:
        parts = [(v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4) for v in (c.redF(), c.greenF(),
                                                                                        c.blueF())]
        return 0.2126 * parts[0] + 0.7152 * parts[1] + 0.0722 * parts[2]

    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


@pytest.mark.parametrize(("window", "text"), [("#2b2b2b", "#f0f0f0"), ("#ffffff", "#000000"),
                                              ("#efefef", "#1a1a1a")])
def test_validation_text_is_readable_in_light_and_dark(qtbot, editor, window, text):
    palette = QPalette(QColor(text), QColor(window))
    palette.setColor(QPalette.ColorRole.Window, QColor(window))
    palette.setColor(QPalette.ColorRole.WindowText, QColor(text))
    dialog = editor()
    dialog.setPalette(palette)
    qtbot.wait(20)
    hint = label(dialog, "nameError")
    assert hint.isVisible()
    shown = hint.palette().color(QPalette.ColorRole.WindowText)
    background = dialog.palette().color(QPalette.ColorRole.Window)  # what shows behind the label
    assert background == QColor(window)
    assert contrast(shown, background) >= 4.5, (shown.name(), window)
    assert shown != QColor(text)  # still told apart from ordinary text


def test_a_new_address_never_takes_the_stored_key_without_asking(qtbot, editor, store, secrets, scim2_server,
                                                                 demo_emulator):
    """As `profiles edit` in the CLI (store.keys.moved_keys): the stored key belongs to the server it was tested
    against; at a new Base URL it needs that server's key, tested there, or the explicit 'keep' box."""
    profile = store_key(store, secrets, store.add(Profile(name="Local", base_url=scim2_server.base_url)), "scim",
                        scim2_server.key)
    dialog = editor(profile)
    keep = dialog.form.keep_keys_check
    assert not keep.isVisibleTo(dialog)
    fill(dialog, base_url=demo_emulator.scim_url)
    assert keep.isVisibleTo(dialog) and not dialog.ok_button.isEnabled()
    assert "tested against another server" in error_of(dialog, "scimKeyError")
    report = run_test(qtbot, dialog)  # no key typed: the stored one is not sent to the new address
    assert isinstance(report, ConnectionReport) and report.key_accepted is None
    fill(dialog, scim_key=demo_emulator.key)
    assert run_test(qtbot, dialog).key_accepted is True
    assert dialog.ok_button.isEnabled() and error_of(dialog, "scimKeyError") == ""
    fill(dialog, scim_key="")
    assert not dialog.ok_button.isEnabled()
    keep.setChecked(True)  # the person says the stored key belongs there too
    assert dialog.ok_button.isEnabled()
    dialog.ok_button.click()
    saved = store.get("Local")
    assert saved.base_url == demo_emulator.scim_url and saved.scim_key_fingerprint == profile.scim_key_fingerprint
