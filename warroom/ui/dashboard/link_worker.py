"""Runs the incident link off the UI thread: one worker, batches in order.

A mass outage may mean hundreds of state changes in one batch; writing them (entries,
evidence, affected services) takes longer than a frame, so the UI thread only queues
the batch with the incident, mode and summaries as they are at that moment.

Signals (queued to the UI thread):
    done(object): the ``LinkResult`` of one batch.
    failed(str): one line saying why a batch could not be written.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Mapping, Sequence
from typing import Any

from PySide6.QtCore import QObject, Signal

from warroom.domain.probes import StateChange
from warroom.services.probe_link import LinkMode, ProbeLink

log = logging.getLogger(__name__)


class LinkWorker(QObject):
    done = Signal(object)
    failed = Signal(str)

    def __init__(self, link: ProbeLink, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.link = link
        self._q: queue.Queue[Any] = queue.Queue()
        self._thread = threading.Thread(target=self._run, name="warroom-probe-link", daemon=True)
        self._thread.start()

    def submit(
        self,
        incident: str,
        changes: Sequence[StateChange],
        summaries: Mapping[str, str],
        mode: LinkMode,
    ) -> None:
        self._q.put((incident, list(changes), dict(summaries), mode))

    def wait_idle(self, timeout: float = 10.0) -> bool:
        """Block until every queued batch is written (tests, shutdown)."""
        done = threading.Event()
        self._q.put(done)
        return done.wait(timeout)

    def stop(self, timeout: float = 10.0) -> None:
        """Write what is queued, then end the thread."""
        self._q.put(None)
        self._thread.join(timeout)
        if self._thread.is_alive():
            log.warning("probe link worker did not finish within %.0f s", timeout)

    def _run(self) -> None:
        while True:
            item = self._q.get()
            if item is None:
                return
            if isinstance(item, threading.Event):
                item.set()
                continue
            incident, changes, summaries, mode = item
            try:
                res = self.link.handle(incident, changes, summaries=summaries, mode=mode)
            except Exception as exc:  # the dashboard keeps running; the user is told
                log.exception("could not write probe changes to incident %s", incident)
                self.failed.emit(f"Probe changes not written to the timeline: {exc}")
                continue
            self.done.emit(res)
