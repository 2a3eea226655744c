"""Run slow handover work (big exports, reading a bundle) off the UI thread.

The worker never touches a widget: its result or error comes back through a queued
signal and the callbacks run on the UI thread.

Signals (Job):
    done(object): the function's return value.
    failed(object): the exception it raised.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal

log = logging.getLogger(__name__)


class Job(QObject):
    done = Signal(object)
    failed = Signal(object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.worker: threading.Thread | None = None


def run_in_background(
    parent: QObject,
    fn: Callable[[], Any],
    on_done: Callable[[Any], None],
    on_error: Callable[[BaseException], None],
) -> Job:
    job = Job(parent)
    job.done.connect(on_done, Qt.ConnectionType.QueuedConnection)
    job.failed.connect(on_error, Qt.ConnectionType.QueuedConnection)

    def work() -> None:
        try:
            value = fn()
        except BaseException as exc:  # reported on the UI thread, never lost
            if not isinstance(exc, Exception):
                log.exception("handover job failed")
            job.failed.emit(exc)
        else:
            job.done.emit(value)

    job.worker = threading.Thread(target=work, name="handover-job", daemon=True)
    job.worker.start()
    return job
