"""The profile dialog's audit setting: "Warn when more than [3] users are active Owners", bounded, saved, shown."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtWidgets import QLabel, QLineEdit, QSpinBox

from birdadmin.connection import spec_for_profile
from birdadmin.store.profiles import Profile, ProfileStore
from birdadmin.ui.profile_manager import ProfileManagerDialog
from tests.gui.test_profile_guards import BASE, editor, secrets, store  # noqa: F401 - fixtures

pytestmark = pytest.mark.usefixtures("no_qt_warnings")


def spin_of(dialog: Any) -> QSpinBox:
    spin = dialog.findChild(QSpinBox, "ownerWarnAboveSpin")
    assert spin is not None and dialog.findChild(QLabel, "ownerRoleError") is not None
    return spin


def test_default_bounds_and_round_trip(editor: Any, store: ProfileStore) -> None:  # noqa: F811
    dialog = editor()
    spin = spin_of(dialog)
    assert spin.value() == 3 and (spin.minimum(), spin.maximum()) == (1, 10_000)
    assert "Owners" in spin.accessibleName()
    spin.setValue(0)  # below the profile's bound: the spin box keeps it valid
    assert spin.value() == 1
    dialog.findChild(QLineEdit, "nameEdit").setText("Prod")
    dialog.findChild(QLineEdit, "baseUrlEdit").setText(BASE)
    spin.setValue(7)
    assert dialog.ok_button.isEnabled()
    dialog.ok_button.click()
    saved = store.get("Prod")
    assert saved.owner_warn_above == 7
    assert spec_for_profile(saved, "sk_test_key", None).owner_warn_above == 7
    again = editor(saved)
    assert spin_of(again).value() == 7


def test_the_manager_shows_the_threshold(qtbot: Any, store: ProfileStore, secrets: Any,  # noqa: F811
                                         pool: Any) -> None:
    store.add(Profile(name="Prod", base_url=BASE, owner_warn_above=12))
    dialog = ProfileManagerDialog(store, secrets, None, pool=pool)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.select("Prod")
    assert "warn when more than 12 users are active Owners" in dialog.findChild(QLabel, "profileDetails").text()
