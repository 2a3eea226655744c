"""ui.tasks: work runs off the UI thread, its outcome comes back on it, nothing is lost."""

from __future__ import annotations

import sys
import threading
from types import TracebackType

import pytest
from PySide6.QtCore import QObject

from warroom.ui.tasks import TaskQueue, run_task

MAIN = threading.main_thread()


def test_work_off_the_ui_thread_result_on_it(qtbot) -> None:  # type: ignore[no-untyped-def]
    owner = QObject()
    seen: dict[str, object] = {}

    def work() -> int:
        seen["worker"] = threading.current_thread()
        return 42

    def ok(value: int) -> None:
        seen["value"] = value
        seen["callback"] = threading.current_thread()

    task = run_task(owner, work, ok, name="t")
    with qtbot.waitSignal(task.finished, timeout=5000):
        pass
    assert seen["value"] == 42
    assert seen["worker"] is not MAIN
    assert seen["callback"] is MAIN


def test_failure_reaches_on_failure_on_the_ui_thread(qtbot) -> None:  # type: ignore[no-untyped-def]
    owner = QObject()
    got: list[tuple[BaseException, bool]] = []

    def work() -> None:
        raise ValueError("disk on fire")

    task = run_task(
        owner,
        work,
        lambda _v: pytest.fail("no success expected"),
        lambda exc: got.append((exc, threading.current_thread() is MAIN)),
    )
    with qtbot.waitSignal(task.finished, timeout=5000):
        pass
    [(exc, on_main)] = got
    assert isinstance(exc, ValueError) and str(exc) == "disk on fire" and on_main


def test_failure_without_handler_goes_to_excepthook(qtbot, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    owner = QObject()
    hooked: list[BaseException] = []

    def hook(t: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        hooked.append(exc)

    monkeypatch.setattr(sys, "excepthook", hook)

    def work() -> None:
        raise KeyError("lost?")

    task = run_task(owner, work)
    with qtbot.waitSignal(task.finished, timeout=5000):
        pass
    assert len(hooked) == 1 and isinstance(hooked[0], KeyError)


def test_no_callback_once_the_owner_is_gone(qtbot) -> None:  # type: ignore[no-untyped-def]
    owner = QObject()
    release = threading.Event()
    called: list[object] = []
    task = run_task(owner, lambda: release.wait(5), called.append)
    owner.deleteLater()
    qtbot.waitUntil(lambda: _deleted(owner), timeout=5000)
    release.set()
    assert task.wait(5)
    # Give the event loop every chance to deliver a (wrong) callback.
    probe = run_task(QObject(qtbot_parent := QObject()), lambda: None)
    with qtbot.waitSignal(probe.finished, timeout=5000):
        pass
    assert called == []
    del qtbot_parent


def _deleted(obj: QObject) -> bool:
    import shiboken6

    return not shiboken6.isValid(obj)


def test_queue_keeps_order_and_waits_idle(qtbot) -> None:  # type: ignore[no-untyped-def]
    owner = QObject()
    q = TaskQueue(owner, "ordered")
    ran: list[int] = []
    threads: set[str] = set()
    delivered: list[int] = []

    def job(i: int) -> int:
        threads.add(threading.current_thread().name)
        ran.append(i)
        return i

    for i in range(50):
        q.submit(lambda i=i: job(i), delivered.append)
    assert q.wait_idle(10)
    assert ran == list(range(50))  # in order, all done when wait_idle returns
    assert len(threads) == 1
    qtbot.waitUntil(lambda: len(delivered) == 50, timeout=5000)
    assert delivered == list(range(50))
    assert q.close(5)
    with pytest.raises(RuntimeError):
        q.submit(lambda: None)


HUNG = """
import threading, sys
from PySide6.QtCore import QCoreApplication, QObject, QTimer
from warroom.ui.tasks import run_task
app = QCoreApplication([])
owner = QObject()
run_task(owner, threading.Event().wait)  # a keyring query stuck on D-Bus, say
QTimer.singleShot(0, app.quit)
app.exec()
print("closed", flush=True)
"""


def test_a_hung_task_does_not_keep_the_process_alive() -> None:
    import os
    import subprocess

    proc = subprocess.run(
        [sys.executable, "-c", HUNG],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.strip() == "closed"
