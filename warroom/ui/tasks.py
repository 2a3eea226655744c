"""The one way the GUI runs work off the UI thread (except the async probe engine,
which has its own bridge, ``ui/bridge.py``).

In the spirit of Anki's ``QueryOp`` and Picard's ``run_task``: ``run_task(parent, fn,
on_success, on_failure)`` runs ``fn()`` on a worker thread and calls exactly one of the
callbacks back on the UI thread. ``fn`` gets no widget and must touch none; the
callbacks may. Work that must stay in order (the probe link's batches) goes through a
``TaskQueue``: one worker, first in, first out.

An exception in ``fn`` reaches ``on_failure``; without one it goes to ``sys.excepthook``
on the UI thread, i.e. the crash dialog of ``ui/errors.py``: never lost. A callback is
not run once its ``parent`` is gone (the dialog closed while the work ran).

Signals (``Task``, emitted on the UI thread):
    finished(): after the callback ran (tests wait on it).
"""

from __future__ import annotations

import logging
import queue
import sys
import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QObject, Qt, Signal, Slot

log = logging.getLogger(__name__)

T = TypeVar("T")

#: Enough for the GUI's occasional jobs (keyring check, snapshot, export); they are
#: short, and a fifth one simply queues.
MAX_WORKERS = 4


class Pool:
    """Worker threads that run submitted callables, first in, first out.

    Daemon threads, unlike ``concurrent.futures.ThreadPoolExecutor``'s, which the
    interpreter joins at exit: a keyring query hung on D-Bus must not keep a closed
    window's process alive. Work that must finish before exit is waited for by its
    owner (``Task.wait``, ``TaskQueue.close``).
    """

    def __init__(self, workers: int, name: str) -> None:
        self.name = name
        self.workers = workers
        self._jobs: queue.SimpleQueue[tuple[Future[Any], Callable[[], Any]] | None] = (
            queue.SimpleQueue()
        )
        self._threads: list[threading.Thread] = []
        self._lock = threading.Lock()
        self._closed = False

    def submit(self, fn: Callable[[], T]) -> Future[T]:
        fut: Future[T] = Future()
        with self._lock:
            if self._closed:
                raise RuntimeError(f"{self.name} is closed")
            self._jobs.put((fut, fn))
            if len(self._threads) < self.workers:
                t = threading.Thread(
                    target=self._run, name=f"{self.name}-{len(self._threads)}", daemon=True
                )
                self._threads.append(t)
                t.start()
        return fut

    def _run(self) -> None:
        while (job := self._jobs.get()) is not None:
            fut, fn = job
            if not fut.set_running_or_notify_cancel():
                continue
            try:
                fut.set_result(fn())
            except BaseException as exc:  # the Future carries it to whoever waits
                fut.set_exception(exc)

    def close(self) -> None:
        """No new work; the workers end once the queued work has run."""
        with self._lock:
            self._closed = True
            for _ in self._threads:
                self._jobs.put(None)


_pool: Pool | None = None
_pool_lock = threading.Lock()


def _shared_pool() -> Pool:
    global _pool
    with _pool_lock:
        if _pool is None:
            _pool = Pool(MAX_WORKERS, "warroom-task")
        return _pool


class Task(QObject, Generic[T]):
    """One piece of background work and its way back to the UI thread.

    Created on the UI thread (it lives there, so its delivery slot runs there). ``wait()``
    blocks until ``fn`` has returned; the callback runs later, from the event loop.
    """

    finished = Signal()
    _deliver = Signal(bool, object)

    def __init__(
        self,
        parent: QObject,
        name: str,
        on_success: Callable[[T], object] | None,
        on_failure: Callable[[BaseException], object] | None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self.name = name
        self._on_success = on_success
        self._on_failure = on_failure
        self.future: Future[None] | None = None
        self._deliver.connect(self._arrived, Qt.ConnectionType.QueuedConnection)

    def _work(self, fn: Callable[[], T]) -> None:
        """On the worker thread: run ``fn`` and post the outcome, touching nothing else."""
        try:
            value: object = fn()
            ok = True
        except BaseException as exc:  # reported on the UI thread, never lost
            value, ok = exc, False
        try:
            self._deliver.emit(ok, value)
        except RuntimeError:  # the parent (and this task) is gone: nobody to tell
            log.debug("task %s finished after its owner closed", self.name)

    @Slot(bool, object)
    def _arrived(self, ok: bool, value: object) -> None:
        try:
            if ok:
                if self._on_success is not None:
                    self._on_success(value)  # type: ignore[arg-type]
            else:
                assert isinstance(value, BaseException)
                if self._on_failure is not None:
                    self._on_failure(value)
                else:
                    log.error("background task %s failed", self.name, exc_info=value)
                    sys.excepthook(type(value), value, value.__traceback__)
        finally:
            self.finished.emit()
            self.deleteLater()

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the work itself is done (not its callback); False on timeout."""
        if self.future is None:
            return True
        try:
            self.future.result(timeout)
        except TimeoutError:
            return False
        return True

    def running(self) -> bool:
        return self.future is not None and not self.future.done()


def run_task(
    parent: QObject,
    fn: Callable[[], T],
    on_success: Callable[[T], object] | None = None,
    on_failure: Callable[[BaseException], object] | None = None,
    *,
    name: str = "task",
    pool: Pool | None = None,
) -> Task[T]:
    """Run ``fn()`` off the UI thread; then ``on_success(result)`` or ``on_failure(exc)``
    on the UI thread, unless ``parent`` was deleted meanwhile. Call on the UI thread."""
    task: Task[T] = Task(parent, name, on_success, on_failure)
    task.future = (pool or _shared_pool()).submit(lambda: task._work(fn))
    return task


class TaskQueue(QObject):
    """Background work that must run one at a time, in the order it was submitted."""

    def __init__(self, parent: QObject, name: str) -> None:
        super().__init__(parent)
        self.name = name
        self._pool = Pool(1, name)
        self._closed = False

    def submit(
        self,
        fn: Callable[[], T],
        on_success: Callable[[T], object] | None = None,
        on_failure: Callable[[BaseException], object] | None = None,
    ) -> Task[T]:
        if self._closed:
            raise RuntimeError(f"task queue {self.name} is closed")
        return run_task(self, fn, on_success, on_failure, name=self.name, pool=self._pool)

    def wait_idle(self, timeout: float = 10.0) -> bool:
        """Block until everything submitted so far has run (tests, shutdown)."""
        done = self._pool.submit(lambda: None)
        try:
            done.result(timeout)
        except TimeoutError:
            return False
        return True

    def close(self, timeout: float = 10.0) -> bool:
        """Run what is queued, then end the worker; False if it did not finish in time."""
        self._closed = True
        finished = self.wait_idle(timeout)
        if not finished:
            log.warning("%s did not finish within %.0f s", self.name, timeout)
        self._pool.close()
        return finished
