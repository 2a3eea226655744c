"""One asyncio loop per window for publishing, off the UI thread.

Publishing is async (httpx) and keeps state between publications (the Bluesky session,
Mastodon's limit), so it runs on a long-lived loop in a daemon thread rather than a new
``asyncio.run`` per click. Results come back through ``Job`` signals (queued, so the
callbacks run on the UI thread); worker code never touches a widget.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import threading
from collections.abc import Callable, Coroutine
from typing import Any

from PySide6.QtCore import QObject, Qt

from warroom.ui.handover.work import Job

log = logging.getLogger(__name__)


class AsyncLoop:
    """An event loop in a daemon thread; ``submit`` runs a coroutine there."""

    def __init__(self, name: str = "compose-loop") -> None:
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, name=name, daemon=True)
        self._thread.start()
        self._jobs: set[Job] = set()

    def submit(
        self,
        parent: QObject,
        coro: Coroutine[Any, Any, Any],
        on_done: Callable[[Any], None],
        on_error: Callable[[BaseException], None],
    ) -> Job:
        job = Job(parent)
        job.done.connect(on_done, Qt.ConnectionType.QueuedConnection)
        job.failed.connect(on_error, Qt.ConnectionType.QueuedConnection)
        self._jobs.add(job)
        fut = asyncio.run_coroutine_threadsafe(coro, self.loop)

        def finished(f: concurrent.futures.Future[Any]) -> None:
            self._jobs.discard(job)
            try:
                value = f.result()
            except BaseException as exc:  # reported on the UI thread, never lost
                job.failed.emit(exc)
            else:
                job.done.emit(value)

        fut.add_done_callback(finished)
        return job

    def run(self, coro: Coroutine[Any, Any, Any], timeout: float = 10.0) -> Any:
        """Run a coroutine there and wait (only for shutdown and tests)."""
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def stop(self, cleanup: Coroutine[Any, Any, Any] | None = None) -> None:
        if cleanup is not None:
            try:
                self.run(cleanup, timeout=5)
            except Exception:
                log.exception("compose loop cleanup failed")
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(5)
        if not self._thread.is_alive():
            self.loop.close()
