"""The TaskRunner, the one way worker results reach the GUI thread: channels, busy state, stale results."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtCore import QThreadPool

from birdadmin.errors import Explanation, InputError
from birdadmin.services.tasks import TaskRunner
from tests.gui.conftest import spin


@pytest.fixture
def runner(qtbot: Any) -> Iterator[TaskRunner]:
    runner = TaskRunner()
    yield runner
    runner.shutdown()


def test_callbacks_run_on_the_gui_thread_and_done_follows(qtbot: Any, runner: TaskRunner) -> None:
    threads: list[threading.Thread] = []
    results: list[Any] = []

    def work() -> int:
        threads.append(threading.current_thread())
        return 42

    with qtbot.waitSignal(runner.done, timeout=10_000) as done:
        runner.submit(work, on_result=lambda value: results.append((value, threading.current_thread())),
                      channel="answer")
    assert done.args == ["answer"]
    assert results == [(42, threading.main_thread())]
    assert threads and threads[0] is not threading.main_thread()


def test_a_failure_arrives_as_an_explanation(qtbot: Any, runner: TaskRunner) -> None:
    def fail() -> None:
        raise InputError("That role is not a UUID.")

    errors: list[Explanation] = []
    with qtbot.waitSignal(runner.done, timeout=10_000):
        runner.submit(fail, on_result=lambda _value: errors.append("result"), on_error=errors.append)
    assert [e.message for e in errors] == ["That role is not a UUID."] and errors[0].exit_code == 2


def test_a_newer_task_on_the_channel_drops_the_older_result(qtbot: Any, runner: TaskRunner) -> None:
    gate = threading.Event()
    seen: list[str] = []
    busy: list[tuple[str, bool]] = []
    runner.channel_busy_changed.connect(lambda channel, value: busy.append((channel, value)))
    runner.submit(lambda: gate.wait(10) and "old", on_result=seen.append, channel="detail")
    assert runner.busy("detail") and not runner.busy("other")
    with qtbot.waitSignal(runner.stale_dropped, timeout=10_000) as dropped:
        with qtbot.waitSignal(runner.done, timeout=10_000):
            runner.submit(lambda: "new", on_result=seen.append, channel="detail")
        assert seen == ["new"] and not runner.busy("detail")
        gate.set()
    assert dropped.args == ["detail"]
    spin(qtbot, 100)
    assert seen == ["new"]
    assert busy == [("detail", True), ("detail", False)]  # superseding does not flicker the busy state


def test_invalidate_abandons_the_running_task(qtbot: Any, runner: TaskRunner) -> None:
    gate = threading.Event()
    seen: list[Any] = []
    runner.submit(lambda: gate.wait(10), on_result=seen.append, on_error=seen.append, channel="keys")
    with qtbot.waitSignal(runner.channel_busy_changed, timeout=1_000) as changed:
        runner.invalidate("keys")
    assert changed.args == ["keys", False] and not runner.busy("keys")
    with qtbot.waitSignal(runner.stale_dropped, timeout=10_000):
        gate.set()
    assert seen == [] and runner.pending_count == 0


def test_busy_changed_covers_all_pending_tasks(qtbot: Any, runner: TaskRunner) -> None:
    changes: list[bool] = []
    runner.busy_changed.connect(changes.append)
    gate = threading.Event()
    runner.submit(lambda: gate.wait(10))
    runner.submit(lambda: gate.wait(10), channel="a")
    assert changes == [True]
    gate.set()
    qtbot.waitUntil(lambda: runner.pending_count == 0, timeout=10_000)
    assert changes == [True, False]


def test_a_runner_on_a_borrowed_pool_leaves_the_pool_to_its_owner(qtbot: Any) -> None:
    pool = QThreadPool()
    runner = TaskRunner(pool=pool)
    gate = threading.Event()
    seen: list[Any] = []
    runner.submit(lambda: gate.wait(10), on_result=seen.append, channel="x")
    assert runner.shutdown(0)  # returns at once: the owner waits for its pool
    with pytest.raises(RuntimeError):
        runner.submit(lambda: None)
    gate.set()
    assert pool.waitForDone(10_000)
    spin(qtbot, 50)
    assert seen == []  # nothing is delivered after shutdown


def test_progress_arrives_in_order_on_the_gui_thread_before_the_result(qtbot: Any, runner: TaskRunner) -> None:
    seen: list[tuple[str, Any, bool]] = []

    def work(report: Any) -> str:
        for step in range(50):
            report(step)
        return "all"

    def note(kind: str) -> Any:
        return lambda value: seen.append((kind, value, threading.current_thread() is threading.main_thread()))

    with qtbot.waitSignal(runner.done, timeout=10_000):
        runner.submit_with_progress(work, on_progress=note("progress"), on_result=note("result"), channel="apply")
    assert seen == [*(("progress", step, True) for step in range(50)), ("result", "all", True)]


def test_a_superseded_tasks_progress_is_dropped_with_its_result(qtbot: Any, runner: TaskRunner) -> None:
    gate, reported = threading.Event(), threading.Event()
    seen: list[Any] = []

    def old(report: Any) -> str:
        gate.wait(10)
        report("old step")
        reported.set()
        return "old"

    runner.submit_with_progress(old, on_progress=seen.append, on_result=seen.append, channel="apply")
    runner.invalidate("apply")
    with qtbot.waitSignal(runner.stale_dropped, timeout=10_000):
        gate.set()
    assert reported.is_set() and seen == []
