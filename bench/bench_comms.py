"""Composer benchmarks: reading the latest probe states for the honesty check.

    .venv/bin/python bench/bench_comms.py [--targets N] [--samples N]

Builds a workspace with N targets x 3 vantages and ``--samples`` raw samples per
series (every 10 s), then times ``latest_probe_states`` (one index seek per series, what
the composer and ``warroom publish`` use) against the obvious GROUP BY over the raw
samples, interleaved, best of five each; and a full ``review`` of a draft. The figures
go to stdout; see docs/comms.md.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def build(path: Path, targets: int, samples: int) -> None:
    from warroom.base import timeutil
    from warroom.domain.probes import ProbeResult, State, StateChange, Status
    from warroom.store import Store
    from warroom.store import probes as ps

    store = Store.open(path)
    t_end = timeutil.now()
    try:
        for i in range(samples):
            t = t_end - timedelta(seconds=10 * (samples - i))
            results = [
                ProbeResult(t, f"t{n:04d}", v, "http", Status.UP if n % 7 else Status.DOWN, 12.0)
                for n in range(targets)
                for v in ("isp-a", "isp-b", "isp-c")
            ]
            changes = []
            if i == 0:
                changes = [
                    StateChange(t, r.target, r.vantage, State.PENDING, State(str(r.status)), r)
                    for r in results
                ]
            ps.write_batch(store, results, changes)
    finally:
        store.close()


def group_by(store: object) -> int:
    rows = store.query(  # type: ignore[attr-defined]
        "SELECT series, max(t) FROM probe_samples GROUP BY series"
    )
    return len(rows)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--targets", type=int, default=1000)
    ap.add_argument("--samples", type=int, default=120)
    args = ap.parse_args()
    from warroom.social import compose
    from warroom.social.channels import ChannelSpec
    from warroom.store import Store
    from warroom.store.comms import latest_probe_states

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "ws"
        t0 = time.perf_counter()
        build(path, args.targets, args.samples)
        n_series = args.targets * 3
        print(
            f"built {n_series} series x {args.samples} samples in {time.perf_counter() - t0:.1f} s"
        )
        store = Store.open(path)
        seek, grouped = [], []
        for _ in range(5):  # interleaved: the machine's load hits both alike
            t = time.perf_counter()
            states = latest_probe_states(store)
            seek.append(time.perf_counter() - t)
            t = time.perf_counter()
            group_by(store)
            grouped.append(time.perf_counter() - t)
        assert len(states) == n_series
        print(f"latest_probe_states (seek per series): best {min(seek) * 1000:.0f} ms")
        print(f"GROUP BY over raw samples (reference): best {min(grouped) * 1000:.0f} ms")
        vs = compose.measurements(store)
        channels = [ChannelSpec("m", "mastodon", "https://m.example")]
        text = "Our services are only unreachable via individual access providers. " * 3
        t = time.perf_counter()
        rev = compose.review(text, channels, vs)
        print(
            f"review of a draft against {len(vs)} states: "
            f"{(time.perf_counter() - t) * 1000:.1f} ms, {len(rev.findings)} findings"
        )
        store.close()


if __name__ == "__main__":
    main()
