"""Timeline core at 100,000 entries: full-text query, capture to commit, CLI log.

Prints its figures; the goals are in issue 3 (FTS < 50 ms, capture < 20 ms median).
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from _workload import big_incident

from warroom.store.timeline import EntryFilter

N = 100_000


def ms(samples: list[float]) -> str:
    s = sorted(samples)
    return (
        f"median {statistics.median(s) * 1000:.2f} ms, "
        f"p95 {s[int(len(s) * 0.95) - 1] * 1000:.2f} ms, max {s[-1] * 1000:.2f} ms"
    )


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        t0 = time.perf_counter()
        store, tl, iid = big_incident(d, N)
        print(f"generate {N:,} entries: {time.perf_counter() - t0:.2f} s")
        store.checkpoint()
        size = (d / "warroom.sqlite").stat().st_size
        print(f"database size after checkpoint: {size / 1e6:.1f} MB ({size / N:.0f} bytes/entry)")

        for q in ("servfail", "isp-b failover", "mastodon", "nomatchatall"):
            samples = []
            hits = 0
            for _ in range(15):
                t = time.perf_counter()
                hits = len(tl.entries(EntryFilter(iid, search=q), limit=200))
                samples.append(time.perf_counter() - t)
            print(f"full-text query {q!r} (first 200 of the matches, {hits} rows): {ms(samples)}")
        samples = []
        for _ in range(10):
            t = time.perf_counter()
            n = len(tl.entries(EntryFilter(iid, search="rollback")))
            samples.append(time.perf_counter() - t)
        print(f"full-text query 'rollback', all {n:,} matches materialised: {ms(samples)}")
        from warroom.store.timeline import entry_keys

        for q in ("", "rollback"):
            samples = []
            for _ in range(10):
                t = time.perf_counter()
                n = len(entry_keys(store, EntryFilter(iid, search=q)))
                samples.append(time.perf_counter() - t)
            print(f"ordered ids for a lazy view, search {q!r} ({n:,} rows): {ms(samples)}")

        samples = []
        for i in range(200):
            t = time.perf_counter()
            tl.capture(iid, f"/decision step {i} #bench")
            samples.append(time.perf_counter() - t)
        print(f"capture to commit (synchronous=FULL), 200 captures: {ms(samples)}")
        store.close()

        samples = []
        for i in range(5):
            t = time.perf_counter()
            subprocess.run(
                [sys.executable, "-m", "warroom", "--data-dir", str(d), "log", iid, f"cli {i}"],
                check=True,
                capture_output=True,
            )
            samples.append(time.perf_counter() - t)
        print(f"`warroom log` as a process (start, open, commit, exit): {ms(samples)}")


if __name__ == "__main__":
    main()
