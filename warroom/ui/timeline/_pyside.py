"""Keep ``None`` alive under PySide6 6.12 on Python 3.11.

PySide6 6.12.0 returns ``None`` from every void call and from Python overrides that
return nothing without taking a reference, which is harmless on Python 3.12+ (``None``
is immortal there) and fatal on 3.11: after a few thousand calls the interpreter aborts
with "none_dealloc: deallocating None". Giving ``None`` a huge reference count makes it
effectively immortal, as on 3.12. Measured by ``tests/ui/test_timeline_pane.py``.
"""

from __future__ import annotations

import ctypes
import sys

_DONE = False
HEADROOM = 1 << 48


def immortalize_none() -> None:
    """Idempotent; a no-op on Python 3.12 and later."""
    global _DONE
    if _DONE or sys.version_info >= (3, 12):
        return
    _DONE = True
    ref = ctypes.c_ssize_t.from_address(id(None))
    ref.value += HEADROOM
