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


# Runs as an unprivileged user even when the suite runs as root (CI does): root drops
# to "nobody" in a child first. It starts inside ``tmp_path`` and uses a relative path,
# so nobody needs no search permission on pytest's private parent directories.
UNWRITABLE = textwrap.dedent(
    """
    import errno, os, sys
    from pathlib import Path
    from warroom.system.lockfile import WorkspaceLock
    if os.geteuid() == 0:
        os.setgroups([])
        os.setgid(65534)
        os.setuid(65534)
    assert os.geteuid() != 0
    try:
        WorkspaceLock(Path("ws")).acquire()
    except PermissionError as exc:
        print("refused", errno.errorcode[exc.errno])
    else:
        print("locked")
    """
)


def test_unwritable_dir_raises_permission_error(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    ws.mkdir()
    tmp_path.chmod(0o755)  # ours: nobody may pass through it, and only read ws
    ws.chmod(0o555)
    try:
        proc = subprocess.run(
            [sys.executable, "-c", UNWRITABLE],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=60,
            env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
        )
    finally:
        ws.chmod(0o700)
        tmp_path.chmod(0o700)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.split() == ["refused", "EACCES"]
    assert not (ws / LOCK_NAME).exists()


def test_lock_under_a_regular_file_raises_oserror(tmp_path: Path) -> None:
    """A data dir path that runs through a file: no privilege makes that writable."""
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(NotADirectoryError):
        WorkspaceLock(blocker / "ws").acquire()


def test_lock_file_that_is_a_directory_raises_oserror(tmp_path: Path) -> None:
    (tmp_path / LOCK_NAME).mkdir()
    lock = WorkspaceLock(tmp_path)
    with pytest.raises(IsADirectoryError):
        lock.acquire()
    assert not lock.held
