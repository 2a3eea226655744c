"""The one engine->UI bridge: updates from the engine thread arrive queued on the UI
thread, one batch per engine update, merged when the UI thread falls behind."""

from __future__ import annotations

import threading

from dashboard_support import change, later, result, state, update
from PySide6.QtCore import QCoreApplication, QThread

from warroom.domain.probes import State, Status
from warroom.probes import GateStatus
from warroom.ui.bridge import Batch, ProbeBridge


def test_updates_from_a_worker_thread_arrive_on_the_ui_thread(qtbot) -> None:
    bridge = ProbeBridge()
    ui_thread = QThread.currentThread()
    got: list[tuple[Batch, object]] = []
    bridge.batch.connect(lambda b: got.append((b, QThread.currentThread())))
    seen_in_worker: list[int] = []  # batches delivered when each on_update returned
    sent = threading.Event()
    go_on = threading.Event()

    def engine() -> None:
        # The UI thread is blocked (waiting for ``sent``, then in join): anything
        # delivered by the time on_update returns was delivered synchronously, here.
        bridge.on_update(update([state("www", "a", latencies=(1.0,))]))
        seen_in_worker.append(len(got))
        sent.set()
        go_on.wait(5)
        bridge.on_update(update([state("www", "b")]))
        seen_in_worker.append(len(got))

    t = threading.Thread(target=engine)
    t.start()
    assert sent.wait(5)
    qtbot.waitUntil(lambda: len(got) == 1, timeout=3000)
    go_on.set()
    t.join()
    qtbot.waitUntil(lambda: len(got) == 2, timeout=3000)
    assert seen_in_worker == [0, 1]  # never delivered synchronously in the worker
    assert all(th is ui_thread for _, th in got)
    assert [[s.vantage for s in b.states] for b, _ in got] == [["a"], ["b"]]
    assert bridge.flushes == 2 == bridge.updates


def test_a_busy_ui_thread_gets_the_backlog_as_one_batch(qtbot) -> None:
    """200 engine updates while the UI thread is not looking: one batch, the newest
    state of each series, every change in order. No timer involved: the engine's own
    flush interval is the only batching."""
    bridge = ProbeBridge()
    batches: list[Batch] = []
    bridge.batch.connect(batches.append)

    def engine() -> None:
        for k in range(200):
            r = result("www", "a", latency=float(k), at=later(k))
            bridge.on_update(
                update(
                    [state("www", "a", r=r), state(f"t{k % 7}", "b", State.DOWN)],
                    [change("www", "a", State.UP, State.DOWN, at=later(k))],
                )
            )

    t = threading.Thread(target=engine)
    t.start()
    t.join()  # the UI thread's event loop did not run meanwhile
    assert batches == []
    qtbot.waitUntil(lambda: len(batches) >= 1, timeout=3000)
    QCoreApplication.processEvents()
    assert len(batches) == 1 and bridge.updates == 200
    b = batches[0]
    assert len(b.states) == 8  # www/a and t0..t6/b, each once
    www = next(s for s in b.states if s.target == "www")
    assert www.last is not None and www.last.latency_ms == 199.0  # the newest wins
    assert [c.time for c in b.changes] == [later(k) for k in range(200)]


def test_the_newest_gate_flip_wins(qtbot) -> None:
    bridge = ProbeBridge()
    batches: list[Batch] = []
    bridge.batch.connect(batches.append)
    offline = GateStatus(False, later(0), "no network route")
    online = GateStatus(True, later(5), "network route present")

    def engine() -> None:
        bridge.on_update(update([state("www", "a")], [change("www", "a", State.PENDING, State.UP)]))
        bridge.on_update(update(gate=offline))
        down = result("www", "a", Status.DOWN, error="reset")
        bridge.on_update(update([state("www", "a", State.DOWN, down)]))
        bridge.on_update(update(gate=online))

    t = threading.Thread(target=engine)
    t.start()
    t.join()
    qtbot.waitUntil(lambda: len(batches) >= 1, timeout=2000)
    assert len(batches) == 1
    b = batches[0]
    assert [s.state for s in b.states] == [State.DOWN]
    assert [c.new for c in b.changes] == [State.UP]
    assert b.gate is online  # only the current truth


def test_empty_updates_do_not_wake_the_ui(qtbot) -> None:
    bridge = ProbeBridge()
    with qtbot.assertNotEmitted(bridge.batch, wait=100):
        bridge.on_update(update())
        QCoreApplication.processEvents()
    assert bridge.flushes == 0 == bridge.updates


def test_delivery_is_queued_even_on_the_ui_thread(qtbot) -> None:
    bridge = ProbeBridge()
    got: list[Batch] = []
    bridge.batch.connect(got.append)
    bridge.on_update(update([state("www", "a")]))
    assert got == []  # the engine thread must never run UI code: always queued
    qtbot.waitUntil(lambda: len(got) == 1, timeout=1000)
