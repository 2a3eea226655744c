"""The one place where the probe engine's thread meets the UI thread.

The engine already batches (one ``Update`` per ``flush_interval``, 0.2 s): that is the
only batching on the way to the screen. The bridge adds no timer of its own. It takes
each ``Update`` on the engine thread, merges it into what the UI thread has not taken
yet (the newest state per series wins; changes are kept in order; the newest gate
flip wins) and wakes the UI thread with one queued signal. So the UI gets one batch per
engine update, and when it falls behind, the updates that piled up arrive as one.

Signal (always emitted on the bridge's own thread, i.e. the UI thread):
    batch(object): one ``Batch``: ``states`` (the engine's ``SeriesState`` objects, as
        they came), ``changes`` (``StateChange``, oldest first) and ``gate`` (the newest
        ``GateStatus`` when it flipped, else None).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, QTimer, Signal, Slot

from warroom.domain.probes import StateChange
from warroom.probes.state import SeriesState

if TYPE_CHECKING:
    from warroom.probes.engine import Update
    from warroom.probes.gate import GateStatus

DEFAULT_INTERVAL = 0.2  # ItemBridge: at most one batch per this many seconds


@dataclass
class Batch:
    """What arrived from the engine since the UI thread last looked."""

    states: list[SeriesState] = field(default_factory=list)
    changes: list[StateChange] = field(default_factory=list)
    gate: GateStatus | None = None  # None when it did not flip

    def __bool__(self) -> bool:
        return bool(self.states or self.changes or self.gate is not None)


class ProbeBridge(QObject):
    """Receives engine updates on any thread; re-emits them on the UI thread.

    Pass ``bridge.on_update`` to ``ProbeEngine``. Create the bridge on the UI thread (it
    lives where it is created).
    """

    batch = Signal(object)

    _wake = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._lock = threading.Lock()
        self._states: dict[tuple[str, str], SeriesState] = {}
        self._changes: list[StateChange] = []
        self._gate: GateStatus | None = None
        self._woken = False  # a wake is queued and not yet handled
        self.flushes = 0  # how many batches were emitted (for tests and benchmarks)
        self.updates = 0  # how many engine updates arrived
        # Queued explicitly: the engine thread must never run UI code, even if a test
        # happens to call on_update on the UI thread itself.
        self._wake.connect(self.flush, Qt.ConnectionType.QueuedConnection)

    # -- engine thread -------------------------------------------------------

    def on_update(self, update: Update) -> None:
        """Take one engine ``Update`` (any object with ``states``, ``changes``, ``gate``)."""
        if not update:
            return
        with self._lock:
            self.updates += 1
            for s in update.states:
                self._states[(s.target, s.vantage)] = s
            self._changes.extend(update.changes)
            if update.gate is not None:
                self._gate = update.gate
            wake = not self._woken
            self._woken = True
        if wake:
            self._wake.emit()

    # -- UI thread -------------------------------------------------------------

    @Slot()
    def flush(self) -> None:
        """Emit whatever is pending now (also called on shutdown)."""
        with self._lock:
            b = Batch(list(self._states.values()), self._changes, self._gate)
            self._states, self._changes, self._gate = {}, [], None
            self._woken = False
        if not b:
            return
        self.flushes += 1
        self.batch.emit(b)


class ItemBridge(QObject):
    """The same hand-over for other background loops (the feed poller): any thread calls
    ``put(key, items)``; the UI thread gets ``batch(dict[str, list])`` at most every
    ``min_interval`` seconds, everything since the last one, in arrival order per key.
    ``replace(key, item)`` keeps only the newest item for a key (a source's status).
    """

    batch = Signal(object)
    _wake = Signal()

    def __init__(self, parent: QObject | None = None, *, min_interval: float = DEFAULT_INTERVAL):
        super().__init__(parent)
        self.min_interval = min_interval
        self._lock = threading.Lock()
        self._pending: dict[str, list[object]] = {}
        self._latest: dict[str, dict[str, object]] = {}
        self._woken = False
        self._last_flush = 0.0
        self.flushes = 0
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.timeout.connect(self.flush)
        self._wake.connect(self._schedule, Qt.ConnectionType.QueuedConnection)

    def put(self, key: str, items: list[object]) -> None:
        if items:
            self._add(lambda: self._pending.setdefault(key, []).extend(items))

    def replace(self, key: str, name: str, item: object) -> None:
        self._add(lambda: self._latest.setdefault(key, {}).__setitem__(name, item))

    def _add(self, put: Callable[[], object]) -> None:
        with self._lock:
            put()
            wake = not self._woken
            self._woken = True
        if wake:
            self._wake.emit()

    @Slot()
    def _schedule(self) -> None:
        if self._timer.isActive():
            return
        wait = self._last_flush + self.min_interval - time.monotonic()
        self._timer.start(max(0, int(wait * 1000)))

    @Slot()
    def flush(self) -> None:
        self._timer.stop()
        with self._lock:
            out: dict[str, list[object]] = self._pending
            for key, latest in self._latest.items():
                out.setdefault(key, []).extend(latest.values())
            self._pending, self._latest = {}, {}
            self._woken = False
        self._last_flush = time.monotonic()
        if out:
            self.flushes += 1
            self.batch.emit(out)
