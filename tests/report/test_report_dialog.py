"""The Export audit report dialog against the demo organization: roles ticked, the PDF written on a worker thread
(the GUI thread stays free), the dialog saying when it is done, the file holding what was chosen."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt

from birdadmin.ui.report_dialog import ROLE_ID, open_report_dialog
from tests.gui.conftest import LOAD_TIMEOUT_MS
from tests.report.pdf_text import page_count, page_texts

pytestmark = pytest.mark.usefixtures("no_qt_warnings")


def test_the_dialog_writes_the_chosen_roles_on_a_worker(demo_window: Any, qtbot: Any, tmp_path: Path) -> None:
    window = demo_window
    dialog = open_report_dialog(window.context, window)
    assert dialog.objectName() == "reportDialog" and dialog.isVisible()
    names = [dialog.roles.item(i).text() for i in range(dialog.roles.count())]
    assert "Owner" in names and "Agent" in names
    for i in range(dialog.roles.count()):
        if dialog.roles.item(i).text() == "Agent":
            dialog.roles.item(i).setCheckState(Qt.CheckState.Checked)
    agent = dialog.chosen_roles()
    ticked = [dialog.roles.item(i) for i in range(dialog.roles.count()) if dialog.roles.item(i).text() == "Agent"]
    assert agent == [ticked[0].data(ROLE_ID)]
    path = tmp_path / "dialog.pdf"
    dialog.file.setText(str(path))
    with qtbot.waitSignal(window.context.runner.done, timeout=LOAD_TIMEOUT_MS,
                          check_params_cb=lambda channel: channel == "report-pdf"):
        dialog.write.click()
        assert not dialog.write.isEnabled()  # the click returned at once: the work is on a worker
    assert dialog.pages == page_count(path)
    assert str(path) in dialog.status.text() and "pages" in dialog.status.text()
    texts = page_texts(path)
    assert "Demo organization" in texts[0] and "Roles in who-has Agent" in texts[0]
    who = " ".join(t for t in texts if "Who has which role" in t)
    agents = [u["userName"] for u in window.emulator.state.users()
              if agent[0] in [str(r).lower() for r in u.get("roles", []) if isinstance(r, str)]]
    whole = "".join(" ".join(texts).split())
    assert agents and all("".join(name.split()) in whole for name in agents)
    assert "Agent" in who
    with qtbot.waitSignal(dialog.destroyed, timeout=5000):  # deleted on close; the window owns it until then
        dialog.close()


def test_a_file_that_cannot_be_written_is_said_in_the_dialog(demo_window: Any, qtbot: Any, tmp_path: Path) -> None:
    dialog = open_report_dialog(demo_window.context, demo_window)
    dialog.file.setText(str(tmp_path / "missing" / "x.pdf"))
    with qtbot.waitSignal(demo_window.context.runner.done, timeout=LOAD_TIMEOUT_MS,
                          check_params_cb=lambda channel: channel == "report-pdf"):
        dialog.write.click()
    assert dialog.status.text().startswith("Not written:") and "could not be used" in dialog.status.text()
    assert dialog.write.isEnabled()
    with qtbot.waitSignal(dialog.destroyed, timeout=5000):  # deleted on close; the window owns it until then
        dialog.close()



def test_file_export_audit_report_opens_the_dialog(demo_window: Any, qtbot: Any) -> None:
    from PySide6.QtGui import QAction

    from birdadmin.ui.report_dialog import ReportDialog

    action = demo_window.findChild(QAction, "reportAction")
    assert action is not None and action.isEnabled()
    action.trigger()
    dialog = demo_window.findChild(ReportDialog, "reportDialog")
    assert dialog is not None and dialog.isVisible() and dialog.write.isEnabled()
    with qtbot.waitSignal(dialog.destroyed, timeout=5000):
        dialog.close()
