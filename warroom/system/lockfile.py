"""One GUI per workspace, with a lock that a crash cannot leave stuck.

The lock is an OS file lock (``fcntl.flock`` / ``msvcrt.locking``) on
``<data dir>/gui.lock``: the kernel drops it when the holder dies, however it dies, so
a stale file from a crashed window never blocks the next start. The file's content
(PID, host, time) only serves the message shown to the second window. Command-line
writes never take this lock; the store serialises them on its own.
"""

from __future__ import annotations

import json
import os
import socket
import sys
import time
from pathlib import Path
from typing import IO

from warroom.base.errors import WarroomError

LOCK_NAME = "gui.lock"
# Windows locks are mandatory: lock a byte far past the text so readers can still read it.
_WIN_OFFSET = 1 << 20


class LockHeld(WarroomError):
    """Another Warroom window has this workspace open."""

    def __init__(self, path: Path, holder: dict[str, object]) -> None:
        self.path = path
        self.holder = holder
        pid = holder.get("pid", "?")
        host = holder.get("host", "?")
        since = str(holder.get("since") or "")
        super().__init__(
            f"workspace {path.parent} is already open in another Warroom window "
            f"(PID {pid} on {host}{', since ' + since if since else ''}); "
            "close that window first, or use --data-dir for another workspace"
        )


def _try_lock(fh: IO[str]) -> bool:
    if sys.platform == "win32":
        import msvcrt

        fh.seek(_WIN_OFFSET)
        try:
            msvcrt.locking(fh.fileno(), msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        finally:
            fh.seek(0)
        return True
    import fcntl

    try:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    except OSError as exc:  # e.g. a file system without locks: better two windows than none
        import errno

        if exc.errno in (errno.ENOLCK, errno.EOPNOTSUPP, errno.ENOSYS):
            return True
        raise
    return True


def _unlock(fh: IO[str]) -> None:
    if sys.platform == "win32":
        import msvcrt

        fh.seek(_WIN_OFFSET)
        try:
            msvcrt.locking(fh.fileno(), msvcrt.LK_UNLCK, 1)
        except OSError:
            pass
        return
    import fcntl

    fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


def read_holder(path: Path) -> dict[str, object]:
    """What the lock file says about its holder (may be stale: only the lock is truth)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8") or "{}")
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


class WorkspaceLock:
    """Held by the one GUI of a workspace. ``acquire()`` raises ``LockHeld``."""

    def __init__(self, data_dir: Path) -> None:
        self.path = Path(data_dir) / LOCK_NAME
        self._fh: IO[str] | None = None

    @property
    def held(self) -> bool:
        return self._fh is not None

    def acquire(self) -> None:
        """Take the lock or raise ``LockHeld`` naming the holder. OSError if unwritable."""
        if self._fh is not None:
            return
        # "a+" neither truncates (the holder's details stay readable) nor fails if missing.
        fh = open(self.path, "a+", encoding="utf-8")  # noqa: SIM115 - kept open while held
        try:
            if not _try_lock(fh):
                holder = read_holder(self.path)
                fh.close()
                raise LockHeld(self.path, holder)
            info = {
                "pid": os.getpid(),
                "host": socket.gethostname(),
                "since": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                "app": "warroom",
            }
            fh.seek(0)
            fh.truncate()
            fh.write(json.dumps(info))
            fh.flush()
        except LockHeld:
            raise
        except BaseException:
            fh.close()
            raise
        self._fh = fh

    def release(self) -> None:
        fh, self._fh = self._fh, None
        if fh is None:
            return
        try:
            fh.seek(0)
            fh.truncate()
            fh.flush()
        except OSError:
            pass
        try:
            _unlock(fh)
        finally:
            fh.close()

    def __enter__(self) -> WorkspaceLock:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


def is_gui_running(data_dir: Path) -> bool:
    """Does a Warroom window hold this workspace right now? (Asks the lock itself.)"""
    if not (Path(data_dir) / LOCK_NAME).exists():
        return False
    lock = WorkspaceLock(Path(data_dir))
    try:
        lock.acquire()
    except LockHeld:
        return True
    except OSError:
        return False
    lock.release()
    return False
