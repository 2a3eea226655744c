"""One GUI per workspace; a dead holder never blocks the next start."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from warroom.system.lockfile import LOCK_NAME, LockHeld, WorkspaceLock, read_holder


def test_acquire_writes_holder_and_release_clears(tmp_path: Path) -> None:
    lock = WorkspaceLock(tmp_path)
    lock.acquire()
    holder = read_holder(tmp_path / LOCK_NAME)
    assert holder["pid"] == os.getpid()
    assert holder["host"] == socket.gethostname()
    lock.release()
    assert read_holder(tmp_path / LOCK_NAME) == {}
    assert not lock.held


def test_second_lock_refused_naming_pid_and_host(tmp_path: Path) -> None:
    with WorkspaceLock(tmp_path):
        other = WorkspaceLock(tmp_path)
        with pytest.raises(LockHeld) as err:
            other.acquire()
        msg = str(err.value)
        assert f"PID {os.getpid()} on {socket.gethostname()}" in msg
        assert str(tmp_path) in msg
        assert "\n" not in msg
    # Released: now it can be taken.
    with WorkspaceLock(tmp_path) as again:
        assert again.held


def test_stale_file_from_dead_pid_is_taken_over(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    )
    dead = int(proc.stdout)
    (tmp_path / LOCK_NAME).write_text(json.dumps({"pid": dead, "host": socket.gethostname()}))
    lock = WorkspaceLock(tmp_path)
    lock.acquire()
    assert read_holder(tmp_path / LOCK_NAME)["pid"] == os.getpid()
    lock.release()


def test_lock_of_a_killed_process_is_free(tmp_path: Path) -> None:
    code = textwrap.dedent(
        f"""
        import sys, time
        from warroom.system.lockfile import WorkspaceLock
        lock = WorkspaceLock({str(tmp_path)!r})
        lock.acquire()
        print("locked", flush=True)
        time.sleep(60)
        """
    )
    child = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout is not None and child.stdout.readline().strip() == "locked"
        with pytest.raises(LockHeld) as err:
            WorkspaceLock(tmp_path).acquire()
        assert f"PID {child.pid}" in str(err.value)
        child.kill()  # no clean-up code runs: like a crash
        child.wait(timeout=10)
        lock = WorkspaceLock(tmp_path)
        lock.acquire()
        assert read_holder(tmp_path / LOCK_NAME)["pid"] == os.getpid()
        lock.release()
    finally:
        if child.poll() is None:
            child.kill()
            child.wait(timeout=10)
        if child.stdout is not None:
            child.stdout.close()


def test_unwritable_dir_raises_oserror(tmp_path: Path) -> None:
    if os.geteuid() == 0:
        pytest.skip("root can write anywhere")
    tmp_path.chmod(0o500)
    try:
        with pytest.raises(OSError):
            WorkspaceLock(tmp_path).acquire()
    finally:
        tmp_path.chmod(0o700)
