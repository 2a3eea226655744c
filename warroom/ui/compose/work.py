"""One asyncio loop per window for publishing, off the UI thread.

Publishing is async (httpx) and keeps state between publications (the Bluesky session,
Mastodon's limit), so it runs on a long-lived loop in a daemon thread rather than a new
``asyncio.run`` per click. The way back to the UI thread is the app's one helper,
``ui.tasks.run_task`` (a worker waits for the coroutine; the callback runs on the UI
thread, and not at all once its parent is gone); worker code never touches a widget.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

from PySide6.QtCore import QObject

from warroom.ui.tasks import Task, run_task

log = logging.getLogger(__name__)


T = TypeVar("T")


class AsyncLoop:
    """An event loop in a daemon thread; ``submit`` runs a coroutine there."""

    def __init__(self, name: str = "compose-loop") -> None:
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, name=name, daemon=True)
        self._thread.start()

    # Coroutine[Any, Any, T]: the yield and send types of a coroutine are asyncio's
    # business (typeshed spells asyncio.run the same way); what it returns is ours.
    def submit(
        self,
        parent: QObject,
        coro: Coroutine[Any, Any, T],
        on_done: Callable[[T], object],
        on_error: Callable[[BaseException], object],
    ) -> Task[T]:
        fut = asyncio.run_coroutine_threadsafe(coro, self.loop)
        return run_task(parent, fut.result, on_done, on_error, name="compose-publish")

    def run(self, coro: Coroutine[Any, Any, T], timeout: float = 10.0) -> T:
        """Run a coroutine there and wait (only for shutdown and tests)."""
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def stop(self, cleanup: Coroutine[Any, Any, object] | None = None) -> None:
        if cleanup is not None:
            try:
                self.run(cleanup, timeout=5)
            except Exception:
                log.exception("compose loop cleanup failed")
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(5)
        if not self._thread.is_alive():
            self.loop.close()
