"""Server text in the editing surfaces' tooltips is shown as the characters it is, never drawn as markup: a role
description, a group's or role's name, a user's id or a server's reason that looks like HTML (docs/bird.md: server
data is untrusted; qtmodels/plain.py)."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import Qt, QThreadPool
from PySide6.QtWidgets import QWidget

from birdadmin.domain.changes import Change
from birdadmin.qtmodels.changes import ChangeColumn, ChangesModel
from birdadmin.scim.resources import User
from birdadmin.services.tasks import TaskRunner
from birdadmin.ui.chooser_dialog import Choice, ChooserDialog
from birdadmin.ui.role_checklist import RoleChecklist, RoleEntry
from birdadmin.ui.user_picker import UserPickerDialog
from tests.gui.edit_support import tooltip_text as shown

pytestmark = pytest.mark.usefixtures("no_qt_warnings")

MARKUP = "<b>Owner</b><img src='x'>"
ROLE = "6a1f1e9e-0000-4000-8000-000000000001"


def test_role_checklist_tooltip_shows_the_description_as_text(qtbot: Any) -> None:
    checklist = RoleChecklist("rolesList", "rolesSearch", "Roles")
    qtbot.addWidget(checklist)
    checklist.set_entries([RoleEntry(ROLE, MARKUP, description=MARKUP, checked=True)])
    assert MARKUP in shown(checklist.list.item(0).toolTip())


def test_chooser_tooltip_shows_the_name_as_text(qtbot: Any) -> None:
    parent = QWidget()
    qtbot.addWidget(parent)
    dialog = ChooserDialog("groupChooser", "Choose", "Choose the group:", "Add", [Choice("g1", MARKUP, MARKUP)],
                           lambda _id: ("", True), parent)
    assert shown(dialog.list.item(0).toolTip()) == MARKUP


def test_user_picker_tooltip_shows_the_id_as_text(qtbot: Any) -> None:
    pool = QThreadPool()
    runner = TaskRunner(pool=pool)
    parent = QWidget()
    qtbot.addWidget(parent)
    user = User(MARKUP, "ann")
    dialog = UserPickerDialog(runner, None, lambda: [user], title="Pick", accept_text="Add", parent=parent)
    dialog.search.setText("ann")
    assert dialog.results.count() == 1 and shown(dialog.results.item(0).toolTip()) == MARKUP
    runner.shutdown()
    pool.waitForDone(5_000)


def test_changes_model_tooltips_show_the_servers_reason_and_names_as_text() -> None:
    model = ChangesModel()
    change = Change("group-members", "g1", "Group", (MARKUP,), (), status="failed", reason=MARKUP)
    model.set_changes([change])
    status = model.data(model.index(0, ChangeColumn.STATUS), Qt.ItemDataRole.ToolTipRole)
    names = model.data(model.index(0, ChangeColumn.CHANGE), Qt.ItemDataRole.ToolTipRole)
    assert shown(status) == f"Failed: {MARKUP}"
    assert shown(names).startswith(MARKUP)
