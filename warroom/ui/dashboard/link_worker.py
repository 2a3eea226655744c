"""Runs the incident link off the UI thread: one worker, batches in order.

A mass outage may mean hundreds of state changes in one batch; writing them (entries,
evidence, affected services) takes longer than a frame, so the UI thread only queues
the batch with the incident, mode and summaries as they are at that moment, on a
``ui.tasks.TaskQueue``.

Signals (on the UI thread):
    done(object): the ``LinkResult`` of one batch.
    failed(str): one line saying why a batch could not be written.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence

from PySide6.QtCore import QObject, Signal

from warroom.domain.probes import StateChange
from warroom.services.probe_link import LinkMode, ProbeLink
from warroom.ui.tasks import TaskQueue

log = logging.getLogger(__name__)


class LinkWorker(QObject):
    done = Signal(object)
    failed = Signal(str)

    def __init__(self, link: ProbeLink, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.link = link
        self._queue = TaskQueue(self, "warroom-probe-link")

    def submit(
        self,
        incident: str,
        changes: Sequence[StateChange],
        summaries: Mapping[str, str],
        mode: LinkMode,
    ) -> None:
        changes, summaries = list(changes), dict(summaries)

        def write() -> object:
            return self.link.handle(incident, changes, summaries=summaries, mode=mode)

        def failed(exc: BaseException) -> None:
            # The dashboard keeps running; the user is told.
            log.error("could not write probe changes to incident %s", incident, exc_info=exc)
            self.failed.emit(f"Probe changes not written to the timeline: {exc}")

        self._queue.submit(write, self.done.emit, failed)

    def wait_idle(self, timeout: float = 10.0) -> bool:
        """Block until every queued batch is written (tests, shutdown)."""
        return self._queue.wait_idle(timeout)

    def stop(self, timeout: float = 10.0) -> None:
        """Write what is queued, then end the worker."""
        self._queue.close(timeout)
