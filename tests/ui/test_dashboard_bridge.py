"""The one engine->UI bridge: callbacks on a worker thread arrive queued and batched."""

from __future__ import annotations

import itertools
import threading
import time

from dashboard_support import change, later, result
from PySide6.QtCore import QCoreApplication, QThread

from warroom.domain.probes import State, Status
from warroom.probes import GateStatus
from warroom.ui.bridge import Batch, ProbeBridge


def test_results_from_a_worker_thread_arrive_on_the_ui_thread_batched(qtbot) -> None:
    bridge = ProbeBridge(min_interval=0.2)
    ui_thread = QThread.currentThread()
    got: list[tuple[int, object, float]] = []

    def on_results(rs: list) -> None:
        got.append((len(rs), QThread.currentThread(), time.monotonic()))

    bridge.results.connect(on_results)
    called_in_worker: list[bool] = []

    def engine() -> None:
        # 200 callbacks of 3 results over about 0.6 s, like a busy engine would not do
        # (it batches itself) but a misbehaving one might.
        for k in range(200):
            bridge.on_results(
                [result("www", v, latency=float(k), at=later(k)) for v in ("a", "b", "c")]
            )
            called_in_worker.append(bool(got))  # never delivered synchronously here
            time.sleep(0.003)

    t = threading.Thread(target=engine)
    t0 = time.monotonic()
    t.start()
    while t.is_alive():
        qtbot.wait(10)
    qtbot.waitUntil(lambda: sum(n for n, _, _ in got) == 600, timeout=3000)
    elapsed = time.monotonic() - t0
    assert all(th is ui_thread for _, th, _ in got)
    # Batched: about one delivery per 0.2 s, not one per callback.
    assert len(got) <= elapsed / 0.2 + 2, (len(got), elapsed)
    assert len(got) >= 2
    gaps = [b[2] - a[2] for a, b in itertools.pairwise(got)]
    assert min(gaps) >= 0.18, gaps
    assert bridge.flushes == len(got)


def test_order_is_kept_and_batch_carries_everything(qtbot) -> None:
    bridge = ProbeBridge(min_interval=0.05)
    batches: list[Batch] = []
    bridge.batch.connect(batches.append)
    offline = GateStatus(False, later(0), "no network route")
    online = GateStatus(True, later(5), "network route present")

    def engine() -> None:
        bridge.on_results([result("www", "a", latency=1.0)])
        bridge.on_changes([change("www", "a", State.PENDING, State.UP)])
        bridge.on_gate(offline)
        bridge.on_results([result("www", "a", Status.DOWN, error="reset")])
        bridge.on_gate(online)

    t = threading.Thread(target=engine)
    t.start()
    t.join()
    assert batches == []  # nothing runs until the UI thread's event loop does
    qtbot.waitUntil(lambda: len(batches) >= 1, timeout=2000)
    qtbot.wait(100)
    merged = Batch()
    for b in batches:
        merged.results += b.results
        merged.changes += b.changes
        merged.gate = b.gate or merged.gate
    assert [r.status for r in merged.results] == [Status.UP, Status.DOWN]
    assert [c.new for c in merged.changes] == [State.UP]
    assert merged.gate is online  # only the current truth


def test_signals_fire_results_then_changes_then_gate_then_batch(qtbot) -> None:
    bridge = ProbeBridge(min_interval=0.0)
    order: list[str] = []
    bridge.results.connect(lambda _x: order.append("results"))
    bridge.changes.connect(lambda _x: order.append("changes"))
    bridge.gate.connect(lambda _x: order.append("gate"))
    bridge.batch.connect(lambda _x: order.append("batch"))
    bridge.on_gate(GateStatus(True, None, "ok"))
    bridge.on_changes([change("www", "a", State.PENDING, State.UP)])
    bridge.on_results([result("www", "a")])
    assert order == []  # queued even on the UI thread
    qtbot.waitUntil(lambda: "batch" in order, timeout=1000)
    assert order == ["results", "changes", "gate", "batch"]


def test_empty_callbacks_do_not_wake_the_ui(qtbot) -> None:
    bridge = ProbeBridge(min_interval=0.0)
    with qtbot.assertNotEmitted(bridge.batch, wait=100):
        bridge.on_results([])
        bridge.on_changes([])
        QCoreApplication.processEvents()
    assert bridge.flushes == 0
