""""Review and apply" opens before its preview is computed: the requests' text and the guards' verdict are prepared
on a worker, Apply waits for the verdict of the current queue, and a result that a queue change (or closing the
dialog) made stale is dropped. The worker is held back by an Event, so nothing here depends on the clock."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest

from birdadmin.domain.changes import plan_user_roles
from birdadmin.emulator.seed import role_id
from birdadmin.scim.resources import User
from birdadmin.ui import apply_dialog
from birdadmin.ui.apply_preview import Prepared, PreviewInput, preview_text
from birdadmin.ui.main_window import MainWindow

pytestmark = pytest.mark.usefixtures("no_qt_warnings")

ANALYST = role_id(7, "Analyst")  # the demo_emulator fixture's seed
HELD_S = 10  # a held worker goes on by itself after this, so a failing test still ends


class Held:
    """Stands in for ``prepare`` on the worker: each call waits for its own gate (in call order) before preparing."""

    def __init__(self, real: Any) -> None:
        self.real = real
        self.gates: list[threading.Event] = []
        self.entered: list[threading.Event] = [threading.Event() for _ in range(4)]
        self.inputs: list[PreviewInput] = []
        self.lock = threading.Lock()

    def gate(self, at: int) -> threading.Event:
        with self.lock:
            while len(self.gates) <= at:
                self.gates.append(threading.Event())
            return self.gates[at]

    def __call__(self, data: PreviewInput) -> Prepared:
        with self.lock:
            at = len(self.inputs)
            self.inputs.append(data)
        self.entered[at].set()
        self.gate(at).wait(HELD_S)
        result: Prepared = self.real(data)
        return result

    def release_all(self) -> None:
        for at in range(len(self.entered)):
            self.gate(at).set()


@pytest.fixture
def held(monkeypatch: pytest.MonkeyPatch) -> Iterator[Held]:
    held = Held(apply_dialog.prepare)
    monkeypatch.setattr(apply_dialog, "prepare", held)
    yield held
    held.release_all()


def users_without_analyst(window: MainWindow, count: int) -> list[User]:
    org = window.context.organization
    assert org is not None
    return [u for u in org.users if ANALYST not in u.roles][:count]


def plan(window: MainWindow, users: list[User]) -> None:
    pending = window.context.pending
    pending.plan(plan_user_roles(pending.queue, users, add=[ANALYST]), "Add role Analyst")


def test_the_dialog_is_shown_before_its_preview_is_computed(demo_window: MainWindow, held: Held, qtbot: Any) -> None:
    window = demo_window
    [user] = users_without_analyst(window, 1)
    plan(window, [user])
    dialog = window.changes.review_apply()
    assert dialog is not None
    qtbot.waitUntil(dialog.isVisible, timeout=5000)
    assert held.entered[0].wait(HELD_S)  # the worker has the batch and is held: nothing computed yet
    assert not dialog.ready and not dialog.apply_button.isEnabled()
    assert dialog.preview.toPlainText() == "Preparing the preview…" == dialog.summary.text()
    assert dialog.guards.verdict is None and not dialog.guards.answered()
    assert [c.target_id for c in held.inputs[0].changes] == [user.id]
    held.gate(0).set()
    qtbot.waitUntil(lambda: dialog.ready, timeout=5000)
    assert user.id in dialog.preview.toPlainText() and "PATCH" in dialog.preview.toPlainText()
    assert dialog.summary.text().startswith("1 change will be sent; it touches 1 user.")
    assert dialog.apply_button.isEnabled()
    dialog.reject()


def test_a_queue_change_while_computing_drops_the_stale_result(demo_window: MainWindow, held: Held,
                                                               qtbot: Any) -> None:
    window = demo_window
    first, second = users_without_analyst(window, 2)
    plan(window, [first])
    dialog = window.changes.review_apply()
    assert dialog is not None
    assert held.entered[0].wait(HELD_S)
    plan(window, [second])  # the queue changes while the first batch is being prepared
    assert held.entered[1].wait(HELD_S)
    assert [len(data.changes) for data in held.inputs] == [1, 2]
    assert not dialog.ready and not dialog.apply_button.isEnabled()
    held.gate(1).set()
    qtbot.waitUntil(lambda: dialog.ready, timeout=5000)
    assert dialog.apply_button.text() == "&Apply 2 changes" and dialog.apply_button.isEnabled()
    with qtbot.waitSignal(window.context.runner.stale_dropped, timeout=5000) as dropped:
        held.gate(0).set()  # the first batch's late result arrives and is dropped
    assert dropped.args == [apply_dialog.PREVIEW_CHANNEL]
    assert dialog.summary.text().startswith("2 changes will be sent; they touch 2 users.")
    assert first.id in dialog.preview.toPlainText() and second.id in dialog.preview.toPlainText()
    dialog.reject()


def test_a_result_arriving_after_the_dialog_closed_is_dropped(demo_window: MainWindow, held: Held,
                                                              qtbot: Any) -> None:
    window = demo_window
    plan(window, users_without_analyst(window, 1))
    dialog = window.changes.review_apply()
    assert dialog is not None
    assert held.entered[0].wait(HELD_S)
    dialog.reject()
    qtbot.waitUntil(lambda: window.changes.dialog is None, timeout=5000)
    assert not window.context.runner.busy(apply_dialog.PREVIEW_CHANNEL)  # abandoned when the dialog closed
    with qtbot.waitSignal(window.context.runner.stale_dropped, timeout=5000) as dropped:
        held.gate(0).set()
    assert dropped.args == [apply_dialog.PREVIEW_CHANNEL]
    assert len(held.inputs) == 1 and len(window.context.pending) == 1  # nothing prepared again, nothing sent


def test_the_guards_wait_for_the_verdict_then_ask_as_before(demo_window: MainWindow, held: Held, qtbot: Any) -> None:
    """A batch over the threshold (the default of 25 users): no confirmation field until the verdict is in, then
    the typed number enables Apply, as it did when the guards were checked on the GUI thread."""
    window = demo_window
    users = users_without_analyst(window, 30)
    plan(window, users)
    dialog = window.changes.review_apply()
    assert dialog is not None
    assert held.entered[0].wait(HELD_S)
    assert dialog.guards.batch_edit is None and not dialog.apply_button.isEnabled()
    held.gate(0).set()
    qtbot.waitUntil(lambda: dialog.ready, timeout=5000)
    edit = dialog.guards.batch_edit
    assert edit is not None and not dialog.apply_button.isEnabled()
    qtbot.keyClicks(edit, str(len(users)))
    assert dialog.apply_button.isEnabled()
    dialog.reject()


def test_a_long_preview_is_laid_out_whole_in_slices_and_stays_at_its_top(demo_window: MainWindow, held: Held,
                                                                         qtbot: Any) -> None:
    """300 changes make thousands of preview lines, more than one slice (``FILL_LINES``): the text shown is the
    prepared text exactly, Apply waits for the last slice, and the reader is left at the first change."""
    window = demo_window
    window.show()
    users = [User(f"many-{i:03d}", f"many{i}@example.com", roles=(ANALYST,), version='W/"1"') for i in range(300)]
    window.context.pending.plan(plan_user_roles(window.context.pending.queue, users, add=[role_id(7, "Developer")]),
                                "Add role Developer to 300 users")
    dialog = window.changes.review_apply()
    assert dialog is not None
    held.gate(0).set()
    qtbot.waitUntil(lambda: dialog.ready, timeout=10_000)
    expected = preview_text(held.inputs[0].changes, held.inputs[0].session, held.inputs[0].names)
    assert expected.count("\n") > 2 * apply_dialog.FILL_LINES
    assert dialog.preview.toPlainText() == expected
    assert dialog.preview.verticalScrollBar().value() == 0
    dialog.reject()
