"""The window's planned changes outlive the window: kept on disk as they change (ui/queue_keeper.py), brought back
on the next connection to the same organization, with changes that were in flight re-checked against the server
first; and the journal page (Ctrl+4) and the bulk edit actions are where the window's menus say."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace
from typing import Any

import pytest
from PySide6.QtWidgets import QMenu, QToolBar

from birdadmin.connection import spec_for_emulator
from birdadmin.domain.changes import plan_user_roles
from birdadmin.emulator import EmulatorOptions, start_emulator
from birdadmin.org_load import Session
from birdadmin.store.change_store import ChangeStore
from birdadmin.store.journal import Journal
from birdadmin.ui.main_window import MainWindow
from birdadmin.ui.pages import PAGE_JOURNAL
from tests.gui.conftest import LOAD_TIMEOUT_MS, wait_loaded

pytestmark = pytest.mark.usefixtures("no_qt_warnings")


@pytest.fixture
def emu() -> Iterator[Any]:
    with start_emulator(EmulatorOptions(port=0, users=20, groups=3, seed=11)) as server:
        yield server


def connect(window: MainWindow, emu: Any, qtbot: Any) -> str:
    """Connect and wait until the organization is loaded and the kept queue has been looked at."""
    with qtbot.waitSignal(window.changes.keeper.restored, timeout=LOAD_TIMEOUT_MS) as restored:
        assert window.connect_to(spec_for_emulator(emu))
    wait_loaded(qtbot, window)
    return str(restored.args[0])


def test_planned_changes_come_back_in_the_next_window(make_window: Callable[..., MainWindow], emu: Any,
                                                      qtbot: Any) -> None:
    first = make_window()
    assert connect(first, emu, qtbot) == ""  # nothing kept yet
    users = first.context.organization.users.as_list()[:3]
    grant = emu.state.roles()[5]["id"]
    pending = first.context.pending
    pending.plan(plan_user_roles(pending.queue, users, add=[grant]), "Add a role to 3 users")
    planned = sorted(c.id for c in pending.queue)
    first.close()  # the writes finish before the window is gone

    second = make_window()
    summary = connect(second, emu, qtbot)
    assert sorted(c.id for c in second.context.pending.queue) == planned
    assert summary.startswith(f"{len(planned)} planned changes from the last session are still queued")
    assert second.statusBar().currentMessage() == summary
    assert not second.changes.dock.isHidden()  # shown with the window
    second.context.pending.undo_stack.clear()
    second.changes.discard()  # the emptied queue is what is kept now
    second.close()
    third = make_window()
    assert connect(third, emu, qtbot) == "" and len(third.context.pending.queue) == 0


def test_a_change_in_flight_at_a_crash_is_checked_before_it_is_offered(make_window: Callable[..., MainWindow],
                                                                       emu: Any, qtbot: Any) -> None:
    spec = spec_for_emulator(emu)
    grant = emu.state.roles()[5]["id"]
    session = Session(spec)
    try:
        users = session.scim.list_users()[:2]
        landed, waiting = plan_user_roles(None, users, add=[grant])
        session.scim.change_roles(landed.target_id, add=[grant])  # the crash came after this write landed
    finally:
        session.close()
    with ChangeStore() as store:
        store.replace_all(spec.names_key, [replace(landed, status="in-flight"), waiting])

    window = make_window()
    summary = connect(window, emu, qtbot)
    assert [c.id for c in window.context.pending.queue] == [waiting.id]
    assert "1 change was being applied when birdadmin stopped" in summary and "1 had been applied" in summary
    with Journal() as journal:  # its journal entry, which the crash prevented, was written on the check
        [entry] = journal.entries()
    assert entry.content["change"] == landed.id and entry.content["recovered"] is True
    window.changes.keeper.flush()  # what was checked is what is kept now (written on the keeper's thread)
    with ChangeStore() as store:
        assert [c.id for c in store.load(spec.names_key)] == [waiting.id]


def test_journal_page_and_edit_actions_have_their_places(make_window: Callable[..., MainWindow], qtbot: Any) -> None:
    window = make_window()
    window.show()
    qtbot.waitExposed(window)
    journal = window.window_actions.journal
    assert journal.isEnabled() and journal.shortcut().toString() == "Ctrl+4"
    journal.trigger()  # the journal is local: open without a connection
    assert window.current_page() == PAGE_JOURNAL
    edit = window.findChild(QMenu, "editMenu")
    names = [a.objectName() for a in edit.actions()]
    bulk = ["addRoleAction", "removeRoleAction", "addToGroupAction"]
    assert names.index("undoAction") < names.index("redoAction") < names.index(bulk[0])
    assert names[names.index(bulk[0]):names.index(bulk[0]) + 3] == bulk
    assert names.index(bulk[2]) < names.index("applyChangesAction")
    toolbar = window.findChild(QToolBar, "mainToolbar")
    on_toolbar = [a.objectName() for a in toolbar.actions()]
    assert set(bulk) <= set(on_toolbar) and "journalAction" in on_toolbar
    assert not any(window.findChild(type(journal), name).isEnabled() for name in bulk)  # nothing selected


def test_the_journal_page_shows_what_an_apply_wrote(make_window: Callable[..., MainWindow], emu: Any,
                                                    qtbot: Any) -> None:
    window = make_window()
    connect(window, emu, qtbot)
    user = window.context.organization.users.as_list()[0]
    pending = window.context.pending
    pending.plan(plan_user_roles(pending.queue, [user], add=[emu.state.roles()[6]["id"]]), "Add a role")
    dialog = window.changes.review_apply()
    assert dialog is not None
    qtbot.waitUntil(lambda: dialog.ready, timeout=LOAD_TIMEOUT_MS)  # the preview is prepared on a worker
    with qtbot.waitSignal(dialog.applied, timeout=LOAD_TIMEOUT_MS):
        dialog.apply_button.click()
    window.show_journal()
    page = window.journal_page
    qtbot.waitUntil(lambda: page.model.rowCount() == 1, timeout=LOAD_TIMEOUT_MS)
    assert user.user_name in page.model.index(0, 3).data()


def test_switching_connection_keeps_the_previous_queue_on_disk(make_window: Callable[..., MainWindow], emu: Any,
                                                               qtbot: Any) -> None:
    """Connecting elsewhere leaves the first connection's queue kept (the reset of the shown queue belongs to the
    new connection and is not written over the old one's)."""
    from birdadmin.ui.queue_keeper import queue_key

    window = make_window()
    connect(window, emu, qtbot)
    key = queue_key(window.session.spec)
    users = window.context.organization.users.as_list()[:2]
    pending = window.context.pending
    pending.plan(plan_user_roles(pending.queue, users, add=[emu.state.roles()[5]["id"]]), "Add a role to 2 users")
    planned = sorted(c.id for c in pending.queue)
    with start_emulator(EmulatorOptions(port=0, users=5, groups=1, seed=3)) as other:
        with qtbot.waitSignal(window.changes.keeper.restored, timeout=LOAD_TIMEOUT_MS):
            assert window.connect_to(replace(spec_for_emulator(other), names_key="profile-other"))
        wait_loaded(qtbot, window)
        assert len(pending.queue) == 0
        window.close()  # every write on disk
    with ChangeStore() as store:
        assert sorted(c.id for c in store.load(key)) == planned
