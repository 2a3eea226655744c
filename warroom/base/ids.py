"""Globally unique, time-ordered ids for everything that may travel between workstations.

ULIDs sort by creation time, so ids from two workstations merge into one ordered
record without coordination.
"""

from __future__ import annotations

import threading

from ulid import ULID

_lock = threading.Lock()
_last = ""


def new_id() -> str:
    """A new ULID string, strictly increasing within this process."""
    global _last
    with _lock:
        value = str(ULID())
        if value <= _last:
            # Same millisecond: bump the random part so ids stay ordered in-process.
            value = str(ULID.from_int(int(ULID.from_str(_last)) + 1))
        _last = value
        return value


def is_id(value: str) -> bool:
    """True when ``value`` parses as a ULID."""
    try:
        ULID.from_str(value)
    except (ValueError, TypeError):
        return False
    return True
