"""Work around a PySide6 reference bug that kills long-running GUIs on Python 3.11.

PySide6 6.12.0 returns ``None`` from every void method (``timer.start()``,
``setObjectName()``, ``model.index().data()`` when the model says None...) and ``True``
from ``SignalInstance.emit()`` without taking a reference. Each such call drops one
reference to ``None`` or ``True``. On Python 3.12+ both are immortal and nothing
happens; on 3.11 the counts (a few thousand at start) reach zero after that many calls
and the interpreter aborts with ``Fatal Python error: none_dealloc`` (or
``bool_dealloc``): seconds into a busy dashboard, minutes into any window with a clock.

pyproject.toml keeps PySide6 below 6.12 for this reason; this guard stays for installs
that bring their own Qt. ``apply()`` detects the bug with one throwaway call of each
kind and, only if a count dropped, gives ``None``, ``True`` and ``False`` 2**40 extra
references: immortal in effect, as on 3.12. Idempotent; a no-op where the bug is absent.
``warroom.ui`` applies it on import, before any widget exists.
"""

from __future__ import annotations

import ctypes
import logging
import sys

log = logging.getLogger(__name__)

_PIN = 1 << 40
_applied = False


def calls_drop_references() -> bool:
    """True when a void call lowers the count of ``None`` or an emit that of ``True``."""
    from PySide6.QtCore import QObject, Signal

    class _Probe(QObject):
        ping = Signal()

    probe = _Probe()
    none_before, true_before = sys.getrefcount(None), sys.getrefcount(True)
    for _ in range(10):
        probe.setObjectName("qtfix-probe")
        probe.ping.emit()
    none_after, true_after = sys.getrefcount(None), sys.getrefcount(True)
    return none_after < none_before or true_after < true_before


def apply() -> bool:
    """Pin the bools if this PySide drops references on emit; True when it did so."""
    global _applied
    if _applied or sys.version_info >= (3, 12) or sys.implementation.name != "cpython":
        return False
    try:
        drops = calls_drop_references()
    except ImportError:  # no usable Qt here: the platform check will say why
        return False
    if not drops:
        return False
    for b in (None, True, False):
        # ob_refcnt is the first field of every CPython object.
        ctypes.c_ssize_t.from_address(id(b)).value += _PIN
    _applied = True
    log.info("PySide reference bug detected: None/True/False pinned")
    return True
