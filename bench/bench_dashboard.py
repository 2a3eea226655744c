"""The dashboard under the issue-5 load: 1,000 targets x 3 vantages (3,000 cells),
300 results/s from a worker thread for about 10 s, through the real bridge and pane.

Measures how late a 5 ms QTimer on the UI thread fires (the UI-thread stall; goal:
p99 < 50 ms), how long one batch takes on the UI thread, and how often the bridge
delivered. On a shared, loaded machine a late timer may only mean another process had
the core: each figure is also given in CPU time of the UI thread (``time.thread_time``),
which is what the window's own work costs. Runs offscreen unless QT_QPA_PLATFORM says
otherwise; the pane is shown and painted at 1400 x 900 so repaints are part of the cost.

    python bench/bench_dashboard.py [--seconds 10] [--rate 300] [--targets 1000]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import threading
import time
from collections import deque
from datetime import UTC, datetime, timedelta
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtWidgets import QApplication

from warroom.config import workspace_file
from warroom.domain.probes import ProbeResult, State, StateChange, Status
from warroom.probes.engine import Update
from warroom.probes.state import SeriesState
from warroom.ui.context import UiContext
from warroom.ui.dashboard import DashboardPane

VANTAGES = ("system", "isp-a", "isp-b")
ERRORS = ("dns_servfail", "timeout", "refused", "http_status")


def workspace_text(n: int) -> str:
    out = ['[probe]\ninterval = "10s"\n']
    for v in VANTAGES[1:]:
        out.append(f'[[vantage]]\nname = "{v}"\nresolver = "127.0.0.1:53"\n')
    for i in range(n):
        out.append(f'[[target]]\nname = "svc-{i:04d}"\nurl = "https://svc-{i:04d}.example.test/"\n')
    return "\n".join(out)


def pct(xs: list[float], p: float) -> float:
    s = sorted(xs)
    return s[min(len(s) - 1, int(len(s) * p))] if s else 0.0


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=10.0)
    ap.add_argument("--rate", type=int, default=300, help="results per second")
    ap.add_argument("--targets", type=int, default=1000)
    ap.add_argument(
        "--detail",
        action="store_true",
        help="open a cell's detail first (the table then has the height it had before "
        "the detail became on-demand: a like-for-like comparison of repaint cost)",
    )
    args = ap.parse_args()

    app = QApplication.instance() or QApplication(sys.argv[:1])
    cfg, problems = workspace_file.parse_text(workspace_text(args.targets))
    assert cfg is not None, problems
    tmp = Path(tempfile.mkdtemp(prefix="bench-dashboard-"))
    ctx = UiContext(
        store=None,
        data_dir=tmp,
        settings=QSettings(str(tmp / "s.ini"), QSettings.Format.IniFormat),
    )
    pane = DashboardPane(ctx, engine_factory=None)
    t0 = time.perf_counter()
    pane.apply_config(cfg)
    build_s = time.perf_counter() - t0
    pane.resize(1400, 900)
    pane.show()
    app.processEvents()
    if args.detail:
        pane.select_cell(cfg.targets[0].name, "system")
        app.processEvents()

    # Time each batch on the UI thread (model update, sort, link, notices, counts).
    batch_ms: list[float] = []
    batch_cpu: list[float] = []
    orig = pane.on_batch

    def timed(b: object) -> None:
        s, c = time.perf_counter(), time.thread_time()
        orig(b)  # type: ignore[arg-type]
        batch_ms.append((time.perf_counter() - s) * 1000)
        batch_cpu.append((time.thread_time() - c) * 1000)

    pane.bridge.batch.disconnect(pane.on_batch)
    pane.bridge.batch.connect(timed)

    # The stall probe: a 5 ms timer; lateness = how much later than due it fired.
    late_ms: list[float] = []
    busy_ms: list[float] = []  # UI-thread CPU time between two ticks
    last = [time.perf_counter()]
    last_cpu = [time.thread_time()]
    tick = QTimer()
    tick.setTimerType(Qt.TimerType.PreciseTimer)
    tick.setInterval(5)

    def on_tick() -> None:
        now = time.perf_counter()
        cpu = time.thread_time()
        late_ms.append(max(0.0, (now - last[0]) * 1000 - 5))
        busy_ms.append((cpu - last_cpu[0]) * 1000)
        last[0], last_cpu[0] = now, cpu

    tick.timeout.connect(on_tick)

    stop = threading.Event()
    sent = [0, 0]  # results, changes
    state = {(t.name, v): State.PENDING for t in cfg.targets for v in VANTAGES}
    keys = list(state)
    series = {k: SeriesState(*k, "http", State.PENDING, None, None, (), False, False) for k in keys}
    lats: dict[tuple[str, str], deque[float | None]] = {k: deque(maxlen=60) for k in keys}

    def engine() -> None:
        """Like the engine: every 0.2 s one update with the states that changed since
        (the series that took a sample, and every series of a target that changed)."""
        rng = random.Random(5)
        per_flush = args.rate // 5
        t_sim = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
        next_at = time.perf_counter()
        while not stop.is_set():
            results, changes = [], []
            for _ in range(per_flush):
                target, vantage = keys[rng.randrange(len(keys))]
                t_sim += timedelta(milliseconds=3)
                roll = rng.random()
                if roll < 0.08:
                    err = rng.choice(ERRORS)
                    r = ProbeResult(t_sim, target, vantage, "http", Status.DOWN, None, err, "x")
                    new = State.DOWN
                elif roll < 0.12:
                    lat = rng.uniform(1000, 3000)
                    r = ProbeResult(
                        t_sim, target, vantage, "http", Status.DEGRADED, lat, "too_slow"
                    )
                    new = State.DEGRADED
                else:
                    lat = rng.uniform(5, 200)
                    r = ProbeResult(t_sim, target, vantage, "http", Status.UP, lat)
                    new = State.UP
                results.append(r)
                key = (target, vantage)
                old = state[key]
                lats[key].append(r.latency_ms)
                prev = series[key]
                since = prev.since
                if old is not new:
                    state[key] = new
                    since = t_sim
                    changes.append(StateChange(t_sim, target, vantage, old, new, r))
                series[key] = SeriesState(
                    target, vantage, "http", new, since, r, tuple(lats[key]), False, False
                )
            dirty = {(r.target, r.vantage) for r in results}
            for c in changes:
                dirty.update((c.target, v) for v in VANTAGES)
            pane.bridge.on_update(
                Update(tuple(series[k] for k in dirty), tuple(changes), tuple(results))
            )
            sent[0] += len(results)
            sent[1] += len(changes)
            next_at += 0.2
            stop.wait(max(0.0, next_at - time.perf_counter()))

    worker = threading.Thread(target=engine, daemon=True)
    tick.start()
    start = time.perf_counter()
    worker.start()
    QTimer.singleShot(int(args.seconds * 1000), app.quit)
    app.exec()  # the real event loop, as in the application
    stop.set()
    worker.join()
    tick.stop()
    elapsed = time.perf_counter() - start
    app.processEvents()

    print(f"cells: {args.targets:,} targets x {len(VANTAGES)} vantages = {args.targets * 3:,}")
    print(f"build the board: {build_s * 1000:.0f} ms")
    print(
        f"fed {sent[0]:,} results ({sent[0] / elapsed:.0f}/s) and {sent[1]:,} state changes "
        f"in {elapsed:.1f} s from a worker thread"
    )
    print(
        f"bridge deliveries: {pane.bridge.flushes} ({pane.bridge.flushes / elapsed:.1f}/s; "
        "goal about 5/s)"
    )
    if batch_ms:
        print(
            f"UI time per batch: median {statistics.median(batch_ms):.1f} ms, "
            f"p99 {pct(batch_ms, 0.99):.1f} ms, max {max(batch_ms):.1f} ms; in CPU time: "
            f"median {statistics.median(batch_cpu):.1f} ms, p99 {pct(batch_cpu, 0.99):.1f} ms"
        )
    print(
        f"UI-thread stall (5 ms timer lateness, {len(late_ms):,} ticks): "
        f"median {statistics.median(late_ms):.1f} ms, p99 {pct(late_ms, 0.99):.1f} ms, "
        f"max {max(late_ms):.1f} ms (goal p99 < 50 ms)"
    )
    print(
        f"UI-thread CPU time between ticks: median {statistics.median(busy_ms):.1f} ms, "
        f"p99 {pct(busy_ms, 0.99):.1f} ms, max {max(busy_ms):.1f} ms "
        "(the stall without the waits for a core)"
    )
    # A full paint of the matrix with the final board (what each update may cost).
    paint_ms, paint_cpu = [], []
    for _ in range(30):
        s, c = time.perf_counter(), time.thread_time()
        pane.table.viewport().grab()
        paint_ms.append((time.perf_counter() - s) * 1000)
        paint_cpu.append((time.thread_time() - c) * 1000)
    print(
        f"full repaint of the visible matrix ({pane.table.viewport().width()} x "
        f"{pane.table.viewport().height()} px): median {statistics.median(paint_ms):.1f} ms, "
        f"min {min(paint_ms):.1f} ms; CPU median {statistics.median(paint_cpu):.1f} ms"
    )
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"machine load average during the run: {load:.1f} on {os.cpu_count()} CPUs")
    counts = pane.model.counts()
    print("board now: " + ", ".join(f"{v} {k}" for k, v in sorted(counts.items())))
    pane.stop()


if __name__ == "__main__":
    main()
