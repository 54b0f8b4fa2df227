"""The profile dialog's guard settings (batch threshold, Owner role UUID): shown, validated, saved, carried into the
connection the window's guards read."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QLabel, QLineEdit, QSpinBox

from birdadmin.connection import ConnectionSpec, spec_for_profile
from birdadmin.store.profiles import Profile, ProfileStore
from birdadmin.store.secrets import SecretStore, SessionSecrets
from birdadmin.ui.profile_editor import ProfileEditDialog
from birdadmin.ui.profile_manager import ProfileManagerDialog
from tests.keyrings import MemoryKeyring

pytestmark = pytest.mark.usefixtures("no_qt_warnings")

ORG = "123e4567-e89b-12d3-a456-426614174000"
BASE = f"https://api.bird.com/organizations/{ORG}/scim/v2"
OWNER = "9b2f3c1e-0d4a-4c8e-9f1a-2b3c4d5e6f70"


@pytest.fixture
def store(tmp_path: Path) -> ProfileStore:
    return ProfileStore(tmp_path / "cfg")


@pytest.fixture
def secrets() -> SecretStore:
    return SecretStore(backend=MemoryKeyring())



@pytest.fixture
def editor(qtbot, store, secrets, pool):
    def make(profile: Profile | None = None) -> ProfileEditDialog:
        dialog = ProfileEditDialog(store, secrets, SessionSecrets(), profile, pool=pool)
        qtbot.addWidget(dialog)
        dialog.show()
        return dialog

    return make


def widgets(dialog: ProfileEditDialog) -> tuple[QSpinBox, QLineEdit, QLabel]:
    spin = dialog.findChild(QSpinBox, "batchThresholdSpin")
    edit = dialog.findChild(QLineEdit, "ownerRoleEdit")
    error = dialog.findChild(QLabel, "ownerRoleError")
    assert spin is not None and edit is not None and error is not None
    return spin, edit, error


def test_a_new_profile_starts_with_the_default_guards(editor) -> None:
    spin, edit, error = widgets(editor())
    assert spin.value() == 25 and (spin.minimum(), spin.maximum()) == (1, 100_000)
    assert edit.text() == "" and not error.isVisibleTo(error.window())


def test_round_trip_through_the_dialog_and_the_file(editor, store: ProfileStore) -> None:
    dialog = editor()
    spin, edit, _ = widgets(dialog)
    dialog.findChild(QLineEdit, "nameEdit").setText("Prod")
    dialog.findChild(QLineEdit, "baseUrlEdit").setText(BASE)
    spin.setValue(250)
    edit.setText(f"  {OWNER.upper()} ")
    assert dialog.ok_button.isEnabled()
    dialog.ok_button.click()
    saved = store.get("Prod")
    assert saved.batch_threshold == 250 and saved.owner_role_id == OWNER.upper()
    again = editor(saved)
    spin2, edit2, _ = widgets(again)
    assert spin2.value() == 250 and edit2.text() == OWNER.upper()
    edit2.clear()  # clearing the Owner role goes back to finding it by name
    spin2.setValue(1)
    again.ok_button.click()
    saved = store.get("Prod")
    assert saved.owner_role_id is None and saved.batch_threshold == 1


def test_an_owner_role_that_is_not_a_uuid_is_refused_with_one_sentence(editor, qtbot) -> None:
    dialog = editor()
    dialog.findChild(QLineEdit, "nameEdit").setText("Prod")
    dialog.findChild(QLineEdit, "baseUrlEdit").setText(BASE)
    _, edit, error = widgets(dialog)
    edit.setText("Owner")
    assert error.isVisibleTo(dialog)
    assert error.text() == "The Owner role must be a role UUID like 123e4567-e89b-12d3-a456-426614174000."
    assert edit.accessibleDescription() == error.text()
    assert not dialog.ok_button.isEnabled()
    assert dialog.test_button.isEnabled()  # not an address: the connection can still be tested
    edit.setText(OWNER)
    assert not error.isVisibleTo(dialog) and dialog.ok_button.isEnabled()


def test_the_manager_shows_the_guards(qtbot, store, secrets, pool) -> None:
    store.add(Profile(name="Prod", base_url=BASE, batch_threshold=40, owner_role_id=OWNER))
    store.add(Profile(name="Test", base_url=BASE))
    dialog = ProfileManagerDialog(store, secrets, None, pool=pool)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.select("Prod")
    details = dialog.findChild(QLabel, "profileDetails").text()
    assert f"Guards: confirm changes touching more than 40 users; Owner role {OWNER}" in details
    dialog.select("Test")
    assert "more than 25 users; Owner role by name" in dialog.findChild(QLabel, "profileDetails").text()


def test_the_connection_spec_carries_the_guards() -> None:
    profile = Profile(name="Prod", base_url=BASE, batch_threshold=7, owner_role_id=OWNER)
    spec = spec_for_profile(profile, "sk_test_key", None)
    assert (spec.batch_threshold, spec.owner_role_id) == (7, OWNER)
    plain = ConnectionSpec(label="x", base_url=BASE, key="k")
    assert (plain.batch_threshold, plain.owner_role_id) == (25, None)
    assert "sk_test_key" not in repr(spec)
