"""The desktop entry point: ``birdadmin`` (gui-script), ``python -m birdadmin`` and ``birdadmin --demo``.

``create_main_window(argv)`` builds everything and returns the window without entering the event loop, so tests,
the screenshot script and the benchmark drive the same window people use.
"""

from __future__ import annotations

import argparse
import gc
import logging
import os
import sys
import threading
import time
from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QMessageLogContext, QTimer, QtMsgType, qInstallMessageHandler
from PySide6.QtWidgets import QApplication

from birdadmin import __version__
from birdadmin.redact import RedactingFilter
from birdadmin.ui.main_window import MainWindow

log = logging.getLogger("birdadmin")
qt_log = logging.getLogger("birdadmin.qt")

EXIT_AFTER_SHOW_ENV = "BIRDADMIN_EXIT_AFTER_SHOW"  # print the time to the shown window, then quit (benchmark)
START_TIME_ENV = "BIRDADMIN_START_TIME"  # time.time() when the parent started this process
IGNORE_DEFECT_ENV = "BIRDADMIN_IGNORE_QT_DEFECT"  # start even on a PySide6 build known to crash

_QT_LEVELS = {
    QtMsgType.QtDebugMsg: logging.DEBUG,
    QtMsgType.QtInfoMsg: logging.INFO,
    QtMsgType.QtWarningMsg: logging.WARNING,
    QtMsgType.QtCriticalMsg: logging.ERROR,
    QtMsgType.QtFatalMsg: logging.CRITICAL,
}


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="birdadmin", description="Administer Bird CRM roles over SCIM 2.0.")
    parser.add_argument("--version", action="version", version=f"birdadmin {__version__}")
    parser.add_argument("--demo", action="store_true", help="start a demo organization on this computer and open it")
    parser.add_argument("--profile", metavar="NAME", help="connect with this connection profile")
    parser.add_argument("--demo-users", type=int, default=250, metavar="N", help="users in the demo (default 250)")
    parser.add_argument("--demo-groups", type=int, default=12, metavar="N", help="groups in the demo (default 12)")
    parser.add_argument("--demo-latency-ms", type=float, default=0, metavar="MS", help=argparse.SUPPRESS)
    parser.add_argument("--snapshot", type=int, metavar="ID",
                        help="open saved snapshot ID read-only, with no connection (see birdadmin-cli snapshot list)")
    args, qt_args = parser.parse_known_args(list(argv))
    unknown = [arg for arg in qt_args if arg.startswith("--")]  # Qt's own options take a single dash
    if unknown:
        parser.error(f"unrecognized arguments: {' '.join(unknown)}")
    if args.demo and args.profile:
        parser.error("--demo and --profile cannot be combined")
    if args.snapshot is not None and (args.demo or args.profile):
        parser.error("--snapshot opens a snapshot with no connection: it cannot be combined with --demo or --profile")
    return args


def binding_defect() -> str | None:
    """A sentence when the installed PySide6 mishandles reference counts on this Python, else None.

    PySide6 6.12.0 on CPython 3.11 gives up a reference to None on every call of a Qt method that returns
    nothing, and one to True on every ``emit()``; a count then runs down until the interpreter aborts, within
    seconds of loading a directory. Python 3.12+ makes those objects immortal, which hides the defect, so only
    older Pythons are probed. The references the probe itself loses are given back.
    """
    if sys.version_info >= (3, 12):
        return None
    import ctypes

    from PySide6 import __version__ as pyside_version
    from PySide6.QtCore import QObject, Signal

    class _Probe(QObject):
        ping = Signal()

    probe = _Probe()
    rounds = 8
    lost: dict[Any, int] = {}
    before = sys.getrefcount(None)
    for _ in range(rounds):
        probe.setObjectName("probe")
    lost[None] = before - sys.getrefcount(None)
    before = sys.getrefcount(True)
    for _ in range(rounds):
        probe.ping.emit()
    lost[True] = before - sys.getrefcount(True)
    for obj, count in lost.items():
        for _ in range(max(0, count)):
            ctypes.pythonapi.Py_IncRef(ctypes.py_object(obj))
    if max(lost.values()) < rounds // 2:
        return None
    return (
        f"PySide6 {pyside_version} mishandles reference counts on Python "
        f"{sys.version_info.major}.{sys.version_info.minor} and would crash birdadmin; install PySide6 6.11 "
        "(pip install 'PySide6-Essentials<6.12') or run birdadmin on Python 3.12 or newer."
    )


def qt_message_handler(kind: QtMsgType, context: QMessageLogContext, message: str) -> None:
    """Qt's own messages go to logging (and through its redaction) instead of stderr."""
    qt_log.log(_QT_LEVELS.get(kind, logging.WARNING), "%s", message)


def setup_logging() -> None:
    level = logging.DEBUG if os.environ.get("BIRDADMIN_DEBUG") else logging.WARNING
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactingFilter())
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(level)
    qInstallMessageHandler(qt_message_handler)


GUI_SWITCH_INTERVAL_S = 0.001


def ensure_application(argv: Sequence[str] = ()) -> QApplication:
    app = QApplication.instance()
    if app is None:
        app = QApplication([sys.argv[0] if sys.argv else "birdadmin", *argv])
    assert isinstance(app, QApplication)
    app.setApplicationName("birdadmin")
    app.setOrganizationName("birdadmin")
    app.setApplicationVersion(__version__)
    app.setDesktopFileName("com.birdadmin.Birdadmin")  # Wayland finds the menu entry and icon by it (packaging/linux/)
    # The GUI thread needs the interpreter lock for every Python slot, model call and paint hook; a worker that
    # computes in Python (a preview, a plan, an audit) keeps it up to the switch interval each time, and those
    # waits add up: opening Review and apply on 10,000 changes stalled the window 100-126 ms at the default 5 ms,
    # 17-23 ms at 1 ms, for about 15% more time on the worker (tests/benchmarks/bench_apply_preview.py).
    sys.setswitchinterval(GUI_SWITCH_INTERVAL_S)
    return app


class _DemoServer:
    """Starts the emulator on first use (on a worker thread); the window stops it when it closes."""

    def __init__(self, users: int, groups: int, latency_ms: float) -> None:
        self.options = {"users": users, "groups": groups, "latency_ms": latency_ms}
        self.emulator: Any = None
        self._lock = threading.Lock()

    def spec(self) -> Any:
        from birdadmin.connection import spec_for_emulator
        from birdadmin.emulator import EmulatorOptions, start_emulator

        with self._lock:
            if self.emulator is None:
                self.emulator = start_emulator(EmulatorOptions(port=0, **self.options))
            return spec_for_emulator(self.emulator)

    def stop(self) -> None:
        with self._lock:
            emulator, self.emulator = self.emulator, None
        if emulator is not None:
            emulator.stop()


def create_main_window(argv: list[str]) -> MainWindow:
    """Build the window for these arguments and start its first load; does not show it or run the loop."""
    args = parse_args(argv)
    app = ensure_application()
    demo = _DemoServer(args.demo_users, args.demo_groups, args.demo_latency_ms)
    window = MainWindow(demo_factory=demo.spec)
    window.demo_server = demo  # type: ignore[attr-defined]
    window.add_close_callback(demo.stop)
    app.aboutToQuit.connect(window.shutdown)
    # Everything built so far (modules, Qt wrappers, the window) lives as long as the process: keep it out of
    # the cyclic collector's full passes, which otherwise stall the event loop for tens of milliseconds.
    gc.freeze()
    if args.demo:
        window.open_demo()
    elif args.profile:
        window.connect_profile(args.profile)
    return window


def open_snapshot(snapshot_id: int) -> Any:
    """The read-only window of a saved snapshot (``--snapshot ID``); the snapshot is read before any window exists,
    so there is no event loop to keep responsive yet. Raises the store's one-sentence error when it cannot be read."""
    from birdadmin.store.snapshots import SnapshotStore
    from birdadmin.ui.snapshot_window import SnapshotWindow

    ensure_application()
    with SnapshotStore() as store:
        state = store.load(snapshot_id)
    return SnapshotWindow(state, snapshot_id=snapshot_id)


def missing_display() -> str | None:
    """A sentence when Qt would have no screen to open on: it would otherwise abort with a core dump."""
    if not sys.platform.startswith("linux") or os.environ.get("QT_QPA_PLATFORM"):
        return None
    if os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"):
        return None
    return (
        "there is no desktop session to open a window in (neither DISPLAY nor WAYLAND_DISPLAY is set); "
        "use birdadmin-cli on a machine without a screen, or run birdadmin under xvfb-run."
    )


def main() -> int:
    argv = sys.argv[1:]
    parse_args(argv)  # --help and --version answer before Qt needs a screen
    problem = missing_display()
    if problem:
        print(f"birdadmin: {problem}", file=sys.stderr)
        return 2
    setup_logging()
    from birdadmin.net.tls import prewarm

    prewarm()  # the trust store loads while Qt starts, not on the GUI thread at the first connection
    app = ensure_application(argv)
    defect = binding_defect()
    if defect and not os.environ.get(IGNORE_DEFECT_ENV):
        print(f"birdadmin: {defect}", file=sys.stderr)
        return 1
    if (snapshot_id := parse_args(argv).snapshot) is not None:
        from birdadmin.errors import explain

        try:
            snapshot_window = open_snapshot(snapshot_id)
        except Exception as exc:  # noqa: BLE001 - one sentence, never a traceback
            print(f"birdadmin: {explain(exc).message}", file=sys.stderr)
            return 2
        snapshot_window.show()
        return app.exec()
    window = create_main_window(argv)
    window.show()
    if os.environ.get(EXIT_AFTER_SHOW_ENV):
        def report() -> None:
            started = float(os.environ.get(START_TIME_ENV) or 0) or None
            elapsed = time.time() - started if started else time.perf_counter()
            print(f"window shown after {elapsed:.3f} s", flush=True)
            window.close()
            app.quit()

        QTimer.singleShot(0, report)
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
