"""A remote round: 10 targets x 5 Globalping locations (2 probes each), against the
loopback fake with the API's own latency simulated.

Goal (issue 12): the round completes within the API's own latency plus 2 s of our
overhead, with at most 2 polls a second per measurement. The API's latency here is
``finish_after`` (probes measuring) plus ``latency_s`` per request, for the POST that
creates a measurement and the GET that finds it finished; our overhead is the rest
(planning, JSON, the wait between a finish and the next poll, mapping and grouping).
Runs the round 3 times and prints each, the worst as the verdict.
"""

from __future__ import annotations

import asyncio
import itertools
import multiprocessing as mp
import resource
import sys
import time

from warroom.config import workspace_file as wf
from warroom.probes import Board
from warroom.probes.remote import RemoteRunner
from warroom.sim.globalping import FakeGlobalping, SimProbe

TARGETS = 10
LOCATIONS = ["AS3303", "AS6730", "AS15600", "AS13030", "AS559"]
PROBES = 2
FINISH_AFTER = 1.5  # seconds the probes take to measure
REQUEST_LATENCY = 0.08  # per API request (a transatlantic round trip)
GOAL_OVERHEAD = 2.0
RUNS = 3


def config(url: str) -> wf.WorkspaceConfig:
    parts = [
        f'[probe]\nremote_budget_per_hour = 10000\n\n[[vantage]]\nname = "world"\n'
        f'globalping = "{url}"\nlocations = {LOCATIONS!r}\nprobes = {PROBES}\n'.replace("'", '"')
    ]
    for i in range(TARGETS):
        parts.append(f'[[target]]\nname = "t{i}"\nurl = "https://www{i}.example.ch/"\n')
    cfg, problems = wf.parse_text("\n".join(parts))
    assert cfg is not None, problems
    return cfg


def max_per_second(log: list[tuple[str, float]]) -> int:
    """The most polls of one measurement inside any 1-second window."""
    worst = 0
    for _, group in itertools.groupby(sorted(log), key=lambda x: x[0]):
        times = [t for _, t in group]
        for i, t in enumerate(times):
            worst = max(worst, sum(1 for u in times[i:] if u < t + 1.0))
    return worst


def serve(conn: object) -> None:
    """The fake API in its own process, as a real API is: its threads do not share our
    GIL, so arrival times and our CPU figure are both clean."""
    gp = FakeGlobalping(finish_after=FINISH_AFTER, limit_per_hour=10**6)
    for n, loc in enumerate(LOCATIONS):
        gp.add(loc, *(SimProbe(3303 + n, f"Net {loc}", "CH", f"City{k}") for k in range(PROBES)))
    gp.latency_s = REQUEST_LATENCY
    gp.start()
    conn.send(gp.url)  # type: ignore[attr-defined]
    while conn.recv() == "log":  # type: ignore[attr-defined]
        conn.send([(s.path, s.time) for s in gp.seen("GET", prefix="/v1/measurements/")])  # type: ignore[attr-defined]
        gp.requests.clear()
    gp.stop()


def main() -> int:
    ours, theirs = mp.Pipe()
    server = mp.Process(target=serve, args=(theirs,), daemon=True)
    server.start()
    url = ours.recv()
    cfg = config(url)
    api_latency = FINISH_AFTER + 2 * REQUEST_LATENCY
    worst_overhead = 0.0
    ok = True
    try:
        for run in range(1, RUNS + 1):
            runner = RemoteRunner(cfg, get_secret=lambda _n: None)
            board = Board(cfg)
            cpu0 = resource.getrusage(resource.RUSAGE_SELF)
            t0 = time.monotonic()

            async def one(r: RemoteRunner = runner) -> object:
                try:
                    return await r.round()
                finally:
                    await r.aclose()

            rnd = asyncio.run(one())
            board.apply_remote(rnd)  # type: ignore[arg-type]
            wall = time.monotonic() - t0
            cpu1 = resource.getrusage(resource.RUSAGE_SELF)
            cpu = (cpu1.ru_utime - cpu0.ru_utime) + (cpu1.ru_stime - cpu0.ru_stime)
            overhead = wall - api_latency
            worst_overhead = max(worst_overhead, overhead)
            pps = max_per_second(runner.poll_log)  # as sent, which is what we control
            ours.send("log")
            seen = max_per_second(ours.recv())
            n = len(rnd.results)  # type: ignore[attr-defined]
            print(
                f"run {run}: {TARGETS * len(LOCATIONS)} measurements, {n} probe records, "
                f"round {wall:.2f} s = API {api_latency:.2f} s + ours {overhead:.2f} s "
                f"(goal <= {GOAL_OVERHEAD:.1f} s); {cpu:.2f} s CPU of ours; "
                f"max {pps} polls/s per measurement sent "
                f"(goal <= 2; {seen} as the server saw them arrive)"
            )
            ok = ok and overhead <= GOAL_OVERHEAD and pps <= 2 and seen <= 2
            ok = ok and n == TARGETS * len(LOCATIONS) * PROBES
    finally:
        ours.send("stop")
        server.join(5)
    print(f"worst overhead {worst_overhead:.2f} s: {'PASS' if ok else 'FAIL'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
