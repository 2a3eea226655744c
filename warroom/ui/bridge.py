"""The one place where the probe engine's thread meets the UI thread.

The engine calls ``on_results`` / ``on_changes`` / ``on_gate`` on its own thread. The
bridge only appends to a locked buffer there and wakes the UI thread with a queued
signal; the UI thread drains the buffer at most every ``min_interval`` seconds (0.2 s:
about 5 repaints a second, however fast the engine produces), so a burst of thousands
of results costs the UI one model update, not thousands.

Signals (always emitted on the bridge's own thread, i.e. the UI thread):
    results(list): ``list[ProbeResult]``, everything since the previous batch, oldest first.
    changes(list): ``list[StateChange]``, likewise; emitted after ``results`` of the same batch.
    gate(object): the newest ``GateStatus`` when it flipped (older flips in the same
        batch are dropped: only the current truth matters on screen).
    batch(object): one ``Batch`` holding all three, emitted last; for views that want
        one call per repaint.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import QObject, Qt, QTimer, Signal, Slot

from warroom.domain.probes import ProbeResult, StateChange

DEFAULT_INTERVAL = 0.2


@dataclass
class Batch:
    """What arrived from the engine between two UI updates."""

    results: list[ProbeResult] = field(default_factory=list)
    changes: list[StateChange] = field(default_factory=list)
    gate: Any = None  # GateStatus or None when it did not flip

    def __bool__(self) -> bool:
        return bool(self.results or self.changes or self.gate is not None)


class ProbeBridge(QObject):
    """Receives engine callbacks on any thread; re-emits them batched on the UI thread.

    Pass ``bridge.on_results``, ``bridge.on_changes`` and ``bridge.on_gate`` to
    ``ProbeEngine``. Create the bridge on the UI thread (it lives where it is created).
    """

    results = Signal(list)
    changes = Signal(list)
    gate = Signal(object)
    batch = Signal(object)

    _wake = Signal()

    def __init__(self, parent: QObject | None = None, *, min_interval: float = DEFAULT_INTERVAL):
        super().__init__(parent)
        self.min_interval = min_interval
        self._lock = threading.Lock()
        self._pending = Batch()
        self._woken = False  # a wake is queued or a flush is scheduled
        self._last_flush = 0.0
        self.flushes = 0  # how many batches were emitted (for tests and benchmarks)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.timeout.connect(self.flush)
        # Queued explicitly: the engine thread must never run UI code, even if a test
        # happens to call the callbacks on the UI thread itself.
        self._wake.connect(self._schedule, Qt.ConnectionType.QueuedConnection)

    # -- engine thread -------------------------------------------------------

    def on_results(self, results: list[ProbeResult]) -> None:
        if results:
            self._add(lambda b: b.results.extend(results))

    def on_changes(self, changes: list[StateChange]) -> None:
        if changes:
            self._add(lambda b: b.changes.extend(changes))

    def on_gate(self, gate: Any) -> None:
        self._add(lambda b: setattr(b, "gate", gate))

    def _add(self, put: Any) -> None:
        with self._lock:
            put(self._pending)
            wake = not self._woken
            self._woken = True
        if wake:
            self._wake.emit()

    # -- UI thread -------------------------------------------------------------

    @Slot()
    def _schedule(self) -> None:
        if self._timer.isActive():
            return
        wait = self._last_flush + self.min_interval - time.monotonic()
        self._timer.start(max(0, int(wait * 1000)))

    @Slot()
    def flush(self) -> None:
        """Emit whatever is pending now (also called by tests and on shutdown)."""
        self._timer.stop()
        with self._lock:
            b, self._pending = self._pending, Batch()
            self._woken = False
        self._last_flush = time.monotonic()
        if not b:
            return
        self.flushes += 1
        if b.results:
            self.results.emit(b.results)
        if b.changes:
            self.changes.emit(b.changes)
        if b.gate is not None:
            self.gate.emit(b.gate)
        self.batch.emit(b)
