"""Rolling snapshots and restoring one: the policy and the orchestration.

``Snapshotter`` decides when a snapshot is worth taking (only when the database changed
since the last one, so an idle window does not push real history out of the last N).
``restore`` refuses while a Warroom window holds the workspace (``gui.lock``), checks
the snapshot's integrity first, keeps the current database as a side copy under
``backups/pre-restore-<stamp>.sqlite`` and then copies the snapshot in with SQLite's
backup API, so command-line processes that have the file open see the restored data
instead of a file swapped under their feet. The file work is ``store.snapshots``'.

No Qt here: the window drives ``Snapshotter`` from a timer (``ui/snapshots.py``).
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from warroom.base.errors import StoreError, WarroomError
from warroom.base.paths import DB_NAME
from warroom.store import snapshots
from warroom.store.snapshots import DEFAULT_KEEP, SnapshotInfo, list_snapshots, take

if TYPE_CHECKING:
    from warroom.store.db import Store

log = logging.getLogger(__name__)

# How often the window calls Snapshotter.tick() (seconds).
DEFAULT_INTERVAL_S = 300


@dataclass(frozen=True)
class RestoreResult:
    snapshot: Path
    side_copy: Path | None
    method: str  # "backup-api" or "file-replace"


def _fingerprint(db: Path) -> tuple[tuple[int, int], ...]:
    """Changes whenever a commit reaches the file or its WAL (any process, any thread)."""
    out = []
    for p in (db, db.with_name(db.name + "-wal")):
        try:
            st = p.stat()
            out.append((st.st_mtime_ns, st.st_size))
        except OSError:
            out.append((0, 0))
    return tuple(out)


class Snapshotter:
    """Rolling snapshots for a long-running process (the GUI), Qt-free.

    Call ``tick()`` every ``DEFAULT_INTERVAL_S`` seconds and ``at_exit()`` before closing
    the store. Both take a snapshot only when the database changed since the last one
    (or none exists yet), so an idle window does not push real history out of the
    last-N window. Thread-safe; may run off the UI thread. Raise ``StoreError`` on
    failure (disk full...): show it, keep running.
    """

    def __init__(self, store: Store, *, keep: int = DEFAULT_KEEP) -> None:
        self.store = store
        self.keep = keep
        self._lock = threading.Lock()
        self._last: tuple[tuple[int, int], ...] | None = (
            _fingerprint(store.path) if list_snapshots(store.data_dir) else None
        )

    def tick(self, reason: str = "timer") -> SnapshotInfo | None:
        with self._lock:
            now = _fingerprint(self.store.path)
            if now == self._last:
                return None
            info = take(self.store, reason, keep=self.keep)
            self._last = now
            return info

    def at_exit(self) -> SnapshotInfo | None:
        return self.tick("exit")


def restore(data_dir: Path, name: str) -> RestoreResult:
    """Put snapshot ``name`` back as the workspace database. See the module docstring.

    Holds the GUI lock throughout, so no window can open the workspace half-restored.
    """
    from warroom.system.lockfile import LockHeld, WorkspaceLock

    data_dir = Path(data_dir)
    snap = snapshots.resolve(data_dir, name)
    snapshots.verify(snap)
    live = data_dir / DB_NAME
    if snap.resolve() == live.resolve():
        raise WarroomError(f"{snap} is the workspace database itself; nothing to restore")
    lock = WorkspaceLock(data_dir)
    try:
        lock.acquire()
    except LockHeld as exc:
        pid = exc.holder.get("pid", "?")
        raise StoreError(
            f"cannot restore: a Warroom window (PID {pid}) has {data_dir} open; "
            "close it first. Nothing was changed."
        ) from exc
    except OSError as exc:
        raise StoreError(f"cannot lock {data_dir}: {exc.strerror}") from exc
    try:
        try:
            side = snapshots.side_copy(live, data_dir)
        except (OSError, sqlite3.Error) as exc:
            raise StoreError(
                f"cannot keep a copy of {live} before restoring ({exc}); nothing was changed"
            ) from exc
        try:
            method = snapshots.install(snap, live)
        except (OSError, sqlite3.Error) as exc:
            where = f"; the previous database is kept at {side}" if side else ""
            raise StoreError(f"restoring {snap.name} into {live} failed: {exc}{where}") from exc
    finally:
        lock.release()
    log.info("restored %s into %s (%s); previous kept at %s", snap, live, method, side)
    return RestoreResult(snap, side, method)
