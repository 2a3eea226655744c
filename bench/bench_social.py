"""Social feeds: ingest 10,000 posts (parse, deduplicate, store), and the pane under load.

1. Ingest: 10,000 Mastodon statuses as the API sends them (JSON pages of 40, from the
   simulated server's own Status shape), parsed to posts (plain text, sanitised HTML),
   deduplicated (10 % sent twice) and stored, one transaction per poll of 400 posts as
   the poller does. Goal: under 2 s. For comparison: the same 10,000 as one RSS
   document through feedparser.
2. The pane: the real FeedPoller polls a simulated Mastodon server (5 s interval) while a
   thread posts 1,000 posts a minute; a 5 ms timer on the UI thread measures how late it
   fires (the UI stall). Goal: p99 under 50 ms.

Run: ``python bench/bench_social.py`` (BENCH_SECONDS=60 for the pane part).
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from warroom.config.workspace_file import Feed
from warroom.sim.mastodon import FakeMastodon
from warroom.social.sources import mastodon_post, parse_feed
from warroom.store import Store
from warroom.store import social as q

N = int(os.environ.get("BENCH_N", "10000"))
SECONDS = float(os.environ.get("BENCH_SECONDS", "60"))
RATE = int(os.environ.get("BENCH_RATE", "1000"))  # posts per minute in part 2


def pct(xs: list[float], p: float) -> float:
    s = sorted(xs)
    return s[min(len(s) - 1, int(len(s) * p))]


def statuses(n: int) -> list[dict[str, object]]:
    m = FakeMastodon()
    words = [
        "Is example host down?",
        "Totale Störung",
        "panne chez Example",
        "works for me",
        "offline since 10:40",
    ]
    for i in range(n):
        m.post(
            f"#examplehostdown {words[i % 5]} ({i}) https://example.test/{i}",
            author=f"user{i % 97}",
        )
    return [dict(s) for s in m.statuses]  # the API's Status objects; never served


def ingest_bench() -> None:
    data = statuses(N)
    pages = [json.dumps(data[i : i + 40]).encode() for i in range(0, N, 40)]
    dup = [json.dumps(data[i : i + 40]).encode() for i in range(0, N // 10, 40)]
    with tempfile.TemporaryDirectory() as tmp:
        store = Store.open(Path(tmp))
        t0 = time.perf_counter()
        added = 0
        batch: list[object] = []
        for k, page in enumerate(pages + dup):
            batch.extend(p for p in (mastodon_post("mentions", s) for s in json.loads(page)) if p)
            if (k + 1) % 10 == 0 or k == len(pages) + len(dup) - 1:
                added += len(q.ingest(store, batch))  # type: ignore[arg-type]
                batch = []
        took = time.perf_counter() - t0
        store.close()
    print(
        f"ingest: {N:,} Mastodon posts (+{N // 10:,} duplicates) parsed, deduplicated, stored "
        f"in {took:.2f} s; {added:,} stored (goal: under 2 s)"
    )

    from warroom.sim.rss import Item, rss

    doc = rss(
        [
            Item(
                f"Post {i}: example host down?",
                f"https://p.example/{i}",
                f"g{i}",
                f"<p>body {i}</p>",
            )
            for i in range(N)
        ]
    )
    with tempfile.TemporaryDirectory() as tmp:
        store = Store.open(Path(tmp))
        t0 = time.perf_counter()
        posts, _ = parse_feed("news", doc, "application/rss+xml")
        t1 = time.perf_counter()
        n = len(q.ingest(store, posts))
        t2 = time.perf_counter()
        store.close()
    print(
        f"for comparison, one RSS document of {N:,} items ({len(doc) / 1e6:.1f} MB): feedparser "
        f"{t1 - t0:.2f} s, store {t2 - t1:.2f} s ({n:,} stored)"
    )


def pane_bench() -> None:
    from PySide6.QtCore import QSettings, Qt, QTimer
    from PySide6.QtWidgets import QApplication

    from warroom.social.poller import FeedPoller
    from warroom.ui.context import UiContext
    from warroom.ui.feed import FeedPane

    app = QApplication.instance() or QApplication(sys.argv[:1])
    m = FakeMastodon().start()
    for i in range(200):
        m.post(f"#examplehostdown before {i}")
    tmp = Path(tempfile.mkdtemp(prefix="bench-social-"))
    store = Store.open(tmp)
    ctx = UiContext(
        store=store,
        data_dir=tmp,
        settings=QSettings(str(tmp / "s.ini"), QSettings.Format.IniFormat),
    )
    feed = Feed(
        name="mentions", kind="mastodon", url=m.url, hashtag="examplehostdown", interval=5.0
    )

    def factory(feeds: object, **kw: object) -> FeedPoller:
        return FeedPoller(feeds, **kw)  # type: ignore[arg-type]

    pane = FeedPane(ctx, poller_factory=factory)
    pane.resize(500, 900)
    pane.show()
    pane.apply_feeds([feed])
    batch_ms: list[float] = []
    orig = pane.on_batch

    def timed(b: dict[str, list[object]]) -> None:
        s = time.perf_counter()
        orig(b)
        batch_ms.append((time.perf_counter() - s) * 1000)

    pane.bridge.batch.disconnect(pane.on_batch)
    pane.bridge.batch.connect(timed)
    late_ms: list[float] = []
    last = [time.perf_counter()]
    tick = QTimer()
    tick.setTimerType(Qt.TimerType.PreciseTimer)
    tick.setInterval(5)

    def on_tick() -> None:
        now = time.perf_counter()
        late_ms.append(max(0.0, (now - last[0]) * 1000 - 5))
        last[0] = now

    tick.timeout.connect(on_tick)
    stop = threading.Event()
    sent = [0]

    def customers() -> None:
        gap = 60.0 / RATE
        nxt = time.perf_counter()
        while not stop.is_set():
            m.post(f"#examplehostdown is it down for you too? {sent[0]}", author=f"u{sent[0] % 50}")
            sent[0] += 1
            nxt += gap
            stop.wait(max(0.0, nxt - time.perf_counter()))

    worker = threading.Thread(target=customers, daemon=True)
    tick.start()
    start = time.perf_counter()
    worker.start()
    QTimer.singleShot(int(SECONDS * 1000), app.quit)
    app.exec()
    stop.set()
    worker.join()
    tick.stop()
    elapsed = time.perf_counter() - start
    pane.stop()
    app.processEvents()
    shown = pane.model.rowCount()
    print(
        f"pane: {sent[0]:,} posts in {elapsed:.0f} s ({sent[0] / elapsed * 60:.0f}/min) "
        "through the real poller (5 s interval, min_id paging) and store; "
        f"{shown:,} rows in the stream"
    )
    if batch_ms:
        print(
            f"UI time per bridge batch ({len(batch_ms)}): "
            f"median {statistics.median(batch_ms):.1f} ms, "
            f"p99 {pct(batch_ms, 0.99):.1f} ms, max {max(batch_ms):.1f} ms"
        )
    print(
        f"UI-thread stall (5 ms timer lateness, {len(late_ms):,} ticks): median "
        f"{statistics.median(late_ms):.1f} ms, p99 {pct(late_ms, 0.99):.1f} ms, max "
        f"{max(late_ms):.1f} ms (goal p99 < 50 ms)"
    )
    store.close()
    m.stop()


def main() -> None:
    if os.environ.get("BENCH_PART", "all") in ("all", "ingest"):
        ingest_bench()
    if os.environ.get("BENCH_PART", "all") in ("all", "pane"):
        pane_bench()


if __name__ == "__main__":
    main()
