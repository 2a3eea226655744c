"""Core operations: doctor, secret commands, snapshot take / verify / restore at scale.

Prints medians. Workload: a workspace with one incident of N timeline entries
(default 100,000; `python bench/bench_core.py 20000` for a quicker run).
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _workload import big_incident

from warroom.services import snapshots as svc_snapshots
from warroom.store import snapshots

RUNS = 5


def median_s(fn: Callable[[], object], runs: int = RUNS) -> float:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def cli(data_dir: Path, *args: str, stdin: str | None = None) -> None:
    env = {**os.environ, "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    subprocess.run(
        [sys.executable, "-m", "warroom", "--data-dir", str(data_dir), *args],
        input=stdin,
        stdin=None if stdin is not None else subprocess.DEVNULL,
        capture_output=True,
        check=False,
        env=env,
        timeout=120,
    )


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    with tempfile.TemporaryDirectory() as tmp:
        empty = Path(tmp) / "empty"
        print(f"doctor, empty workspace:           {median_s(lambda: cli(empty, 'doctor')):.3f} s")
        print(
            "secret list (fail backend):        "
            f"{median_s(lambda: cli(empty, 'secret', 'list')):.3f} s"
        )

        ws = Path(tmp) / "big"
        t0 = time.perf_counter()
        store, _tl, _inc = big_incident(ws, n)
        store.checkpoint()
        print(f"workload: {n} entries in {time.perf_counter() - t0:.1f} s")
        db_mb = (ws / "warroom.sqlite").stat().st_size / 1e6
        print(f"database size:                     {db_mb:.1f} MB")

        taken: list[snapshots.SnapshotInfo] = []
        take_s = median_s(lambda: taken.append(snapshots.take(store, "bench", keep=3)))
        print(f"snapshot take (VACUUM INTO):       {take_s:.3f} s  ({taken[-1].size / 1e6:.1f} MB)")
        verify_s = median_s(lambda: snapshots.verify(taken[-1].path))
        print(f"snapshot verify (integrity_check): {verify_s:.3f} s")
        print(f"snapshots kept after {RUNS} takes:     {len(snapshots.list_snapshots(ws))}")

        s = svc_snapshots.Snapshotter(store)
        idle_s = median_s(s.tick, runs=50)
        print(f"Snapshotter.tick, nothing changed: {idle_s * 1e6:.0f} us")
        store.close()

        restore_s = median_s(lambda: svc_snapshots.restore(ws, taken[-1].name), runs=3)
        print(f"snapshot restore (side copy + backup API + quick_check): {restore_s:.3f} s")
        print(f"doctor, {n}-entry workspace:    {median_s(lambda: cli(ws, 'doctor')):.3f} s")


if __name__ == "__main__":
    main()
