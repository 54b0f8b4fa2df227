"""GUI fixtures: the real main window against the in-process emulator, and a guard against Qt warnings."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from PySide6.QtCore import QThreadPool, QtMsgType

from birdadmin.app import create_main_window
from birdadmin.connection import spec_for_emulator
from birdadmin.errors import Explanation
from birdadmin.services.tasks import TaskRunner
from birdadmin.ui.context import WindowContext
from birdadmin.ui.main_window import MainWindow

# The offscreen platform plugin reports that it cannot size native windows; that is about the test platform,
# not about birdadmin.
_PLATFORM_NOISE = ("This plugin does not support propagateSizeHints()",)
LOAD_TIMEOUT_MS = 30_000


@pytest.fixture
def no_qt_warnings(qtlog: Any) -> Iterator[None]:
    """Fails the test if Qt logged a warning (used by the main-window tests through pytestmark)."""
    yield
    warnings = [
        r.message
        for r in qtlog.records
        if r.type in (QtMsgType.QtWarningMsg, QtMsgType.QtCriticalMsg, QtMsgType.QtFatalMsg)
        and not r.message.startswith(_PLATFORM_NOISE)
    ]
    assert not warnings, f"Qt warnings during the test: {warnings}"


@pytest.fixture
def make_window(qtbot: Any) -> Iterator[Callable[..., MainWindow]]:
    """Build windows through the public factory; each is closed (threads joined) at teardown."""
    made: list[MainWindow] = []

    def make(argv: list[str] | None = None) -> MainWindow:
        window = create_main_window(argv or [])
        qtbot.addWidget(window)
        made.append(window)
        return window

    yield make
    for window in made:
        window.close()


def wait_loaded(qtbot: Any, window: MainWindow, *, org: bool = True) -> None:
    """Wait until the users listing has finished (and the organization data has arrived)."""
    qtbot.waitUntil(lambda: not window.loader.running and window.session is not None, timeout=LOAD_TIMEOUT_MS)
    if org:
        qtbot.waitUntil(lambda: window.session is not None and window.session.org is not None, timeout=LOAD_TIMEOUT_MS)


@pytest.fixture
def demo_window(make_window: Callable[..., MainWindow], demo_emulator: Any, qtbot: Any) -> MainWindow:
    """A window connected to the seeded 60-user demo organization, fully loaded."""
    window = make_window()
    with qtbot.waitSignal(window.users_loaded, timeout=LOAD_TIMEOUT_MS):
        assert window.connect_to(spec_for_emulator(demo_emulator))
    wait_loaded(qtbot, window)
    window.emulator = demo_emulator  # type: ignore[attr-defined]
    return window


def spin(qtbot: Any, ms: int) -> None:
    """Let the event loop run for ``ms`` milliseconds (to prove that nothing more arrives)."""
    end = time.monotonic() + ms / 1000
    while time.monotonic() < end:
        qtbot.wait(20)


@pytest.fixture
def pool() -> Iterator[QThreadPool]:
    """A thread pool of the test's own, drained at teardown (dialogs and pages built outside a window)."""
    pool = QThreadPool()
    yield pool
    pool.waitForDone(20_000)


@pytest.fixture
def context(qtbot: Any, pool: QThreadPool) -> Iterator[WindowContext]:
    """A window context without a window, recording what a page shows (``errors``, ``messages``)."""
    errors: list[Explanation] = []
    messages: list[str] = []
    runner = TaskRunner(pool=pool)
    ctx = WindowContext(runner, errors.append, lambda text, _ms: messages.append(text))
    ctx.errors, ctx.messages = errors, messages  # type: ignore[attr-defined]
    yield ctx
    runner.shutdown()
    if ctx.session is not None:
        ctx.session.close()
