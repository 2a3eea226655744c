"""Timeline pane at 100,000 entries: first screen, memory, scrolling, search, live refresh.

Prints its figures; the goals are in issue 3 (first screen < 300 ms, model memory
growth < 100 MB). Runs offscreen unless QT_QPA_PLATFORM says otherwise.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).parent))

from _workload import big_incident
from PySide6.QtCore import QEvent, QObject, QSettings
from PySide6.QtWidgets import QApplication

from warroom.services.timeline import Timeline
from warroom.store import Store
from warroom.ui.app import create_app
from warroom.ui.context import UiContext

N = int(os.environ.get("BENCH_N", "100000"))


def rss_mb() -> float:
    with open("/proc/self/statm") as f:
        pages = int(f.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 1e6


class FirstPaint(QObject):
    def __init__(self) -> None:
        super().__init__()
        self.at: float | None = None

    def eventFilter(self, obj: QObject, ev: QEvent) -> bool:
        if ev.type() == QEvent.Type.Paint and self.at is None:
            self.at = time.perf_counter()
        return False


def pump(app: QApplication, until: float = 0.0) -> None:
    app.processEvents()
    while time.perf_counter() < until:
        app.processEvents()


def ms(x: float) -> str:
    return f"{x * 1000:.1f} ms"


def main() -> None:
    app = create_app()
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        t0 = time.perf_counter()
        store, tl, iid = big_incident(d, N)
        store.checkpoint()
        print(f"generate {N:,} entries: {time.perf_counter() - t0:.2f} s")
        ctx = UiContext(
            store=store,
            data_dir=d,
            settings=QSettings(str(d / "s.ini"), QSettings.Format.IniFormat),
        )
        tl.set_author("bench")
        from warroom.ui.timeline import TimelinePane

        rss0 = rss_mb()
        watcher = FirstPaint()
        t0 = time.perf_counter()
        pane = TimelinePane(ctx)
        t_built = time.perf_counter()
        pane.view.viewport().installEventFilter(watcher)
        pane.resize(1280, 800)
        pane.show()
        while watcher.at is None and time.perf_counter() - t0 < 10:
            app.processEvents()
        assert watcher.at is not None
        print(
            f"open incident and paint the first screen: {ms(watcher.at - t0)} "
            f"(pane built, ids read, in {ms(t_built - t0)}; goal < 300 ms)"
        )
        pump(app, time.perf_counter() + 0.2)
        print(
            f"process RSS growth with the pane open: {rss_mb() - rss0:.1f} MB "
            f"(goal < 100 MB); entries held in memory: {pane.model.cached_rows():,} "
            f"of {pane.model.rowCount():,}"
        )
        # The same again under tracemalloc (slower, so not timed): Python heap growth.
        tracemalloc.start()
        snap0 = tracemalloc.take_snapshot()
        pane2 = TimelinePane(ctx)
        pane2.resize(1280, 800)
        pane2.show()
        pump(app, time.perf_counter() + 0.3)
        snap1 = tracemalloc.take_snapshot()
        growth = sum(st.size_diff for st in snap1.compare_to(snap0, "filename")) / 1e6
        top = snap1.compare_to(snap0, "lineno")[0]
        tracemalloc.stop()
        print(f"Python heap growth for a second pane on the same incident: {growth:.1f} MB")
        print(f"  largest: {top}")
        pane2.shutdown()
        pane2.close()
        pane2.deleteLater()
        pump(app, time.perf_counter() + 0.05)

        # Scrolling: to the top, page by page, then back to the end.
        v = pane.view
        # Wall time, and CPU time of the UI thread (on a loaded machine the wall time
        # includes waiting for a core).
        t, c = time.perf_counter(), time.thread_time()
        v.scrollToTop()
        v.viewport().repaint()
        print(
            f"jump to the first entry and repaint: {ms(time.perf_counter() - t)} "
            f"(CPU {ms(time.thread_time() - c)})"
        )
        samples, cpu = [], []
        sb = v.verticalScrollBar()
        for _ in range(40):
            t, c = time.perf_counter(), time.thread_time()
            sb.setValue(sb.value() + sb.pageStep())
            v.viewport().repaint()
            samples.append(time.perf_counter() - t)
            cpu.append(time.thread_time() - c)
        print(
            f"page down + repaint: median {ms(statistics.median(samples))}, max {ms(max(samples))}"
            f" (CPU median {ms(statistics.median(cpu))})"
        )
        samples = []
        for frac in (0.25, 0.5, 0.75, 0.999):
            t = time.perf_counter()
            sb.setValue(int(sb.maximum() * frac))
            v.viewport().repaint()
            samples.append(time.perf_counter() - t)
        print(f"jump by scroll bar + repaint: max {ms(max(samples))}")
        t = time.perf_counter()
        v.scrollToBottom()
        v.viewport().repaint()
        print(f"scroll to the end and repaint: {ms(time.perf_counter() - t)}")
        print(f"entries held in memory after scrolling: {pane.model.cached_rows():,}")

        # Filters and search go through the same lazy path.
        for kw in ({"search": "servfail"}, {"kinds": ["decision"]}, {"pinned_only": True}):
            t = time.perf_counter()
            pane.set_filters(**kw)
            v.viewport().repaint()
            print(f"filter {kw} -> {pane.model.rowCount():,} rows: {ms(time.perf_counter() - t)}")
            pane.set_filters(search="", kinds=[], pinned_only=False)

        # Live updates: polling costs one pragma; a change costs one id list.
        samples = []
        for _ in range(50):
            t = time.perf_counter()
            pane.poll()
            samples.append(time.perf_counter() - t)
        print(f"poll with nothing new: median {ms(statistics.median(samples))}")
        other = Store.open(d)
        samples = []
        for i in range(5):
            Timeline(other, author="cli").log(iid, f"from another process {i}")
            t = time.perf_counter()
            pane.poll()
            v.viewport().repaint()
            samples.append(time.perf_counter() - t)
        other.close()
        print(
            f"poll after another process logged one entry (find it by rowid, insert, "
            f"repaint; {pane.model.rowCount():,} rows): median {ms(statistics.median(samples))}"
        )
        samples = []
        for i in range(20):
            pane.capture.edit.setText(f"capture {i} #bench")
            t = time.perf_counter()
            pane.capture.edit.submitted.emit()
            v.viewport().repaint()
            samples.append(time.perf_counter() - t)
        print(
            f"capture line Enter -> committed, row shown and painted: median "
            f"{ms(statistics.median(samples))}, max {ms(max(samples))}"
        )
        pane.shutdown()
        pane.close()
        ctx.shutdown()
        store.close()


if __name__ == "__main__":
    main()
