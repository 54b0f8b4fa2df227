"""The Qt binding must keep Python's reference counts intact, or the window crashes after a few seconds.

PySide6 6.12.0 on CPython 3.11 loses a reference to None on every call of a Qt method that returns nothing
and one to True on every ``emit()``; the interpreter aborts once a count reaches zero.
"""

from __future__ import annotations

import gc
import sys

import pytest
from PySide6.QtCore import QObject, Signal

from birdadmin.app import binding_defect

IMMORTAL_SINGLETONS = pytest.mark.skipif(
    sys.version_info >= (3, 12), reason="None and True are immortal from Python 3.12: their counts say nothing"
)


def test_binding_has_no_reference_count_defect() -> None:
    defect = binding_defect()
    assert defect is None, defect


@IMMORTAL_SINGLETONS
def test_void_calls_keep_none_alive() -> None:
    """Calling a Qt method that returns nothing 200 times must not change None's reference count."""
    obj = QObject()
    gc.collect()
    before = sys.getrefcount(None)
    for i in range(200):
        obj.setObjectName(f"probe{i % 2}")
    lost = before - sys.getrefcount(None)
    if lost > 0:  # give them back before failing, so the interpreter survives the report
        import ctypes

        for _ in range(lost):
            ctypes.pythonapi.Py_IncRef(ctypes.py_object(None))
    assert lost < 50, f"calls into Qt lost {lost} references to None over 200 calls"


class _Emitter(QObject):
    ping = Signal()


@IMMORTAL_SINGLETONS
def test_emit_keeps_true_alive() -> None:
    emitter = _Emitter()
    before = sys.getrefcount(True)
    for _ in range(5):
        emitter.ping.emit()
    lost = before - sys.getrefcount(True)
    if lost > 0:  # give them back before failing, so the interpreter survives the report
        import ctypes

        for _ in range(lost):
            ctypes.pythonapi.Py_IncRef(ctypes.py_object(True))
    assert lost <= 0, f"SignalInstance.emit() dropped {lost} references to True"
