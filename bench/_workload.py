"""Shared workloads for the benchmarks: a big incident made fast, in one transaction."""

from __future__ import annotations

import random
from datetime import timedelta
from pathlib import Path

from warroom.base import ids, timeutil
from warroom.services.timeline import Timeline
from warroom.store import Store

WORDS = [
    "www",
    "mail",
    "dns",
    "resolver",
    "isp-a",
    "isp-b",
    "bgp",
    "servfail",
    "timeout",
    "upstream",
    "router",
    "customer",
    "ticket",
    "status",
    "blog",
    "twitter",
    "mastodon",
    "restart",
    "failover",
    "rollback",
    "latency",
]


def big_incident(data_dir: Path, n: int, *, seed: int = 1) -> tuple[Store, Timeline, str]:
    """A workspace with one incident of ``n`` entries (one revision each)."""
    rnd = random.Random(seed)
    store = Store.open(data_dir)
    tl = Timeline(store, author="bench")
    inc = tl.new_incident("Bench outage", severity="SEV1")
    start = timeutil.now() - timedelta(seconds=n)
    kinds = ("observation", "action", "decision", "comms", "note")
    with store.write() as conn:
        for i in range(n):
            t = timeutil.fmt(start + timedelta(seconds=i))
            text = " ".join(rnd.choice(WORDS) for _ in range(rnd.randint(4, 20)))
            tl._insert_entry(
                conn,
                inc.id,
                f"{i}: {text}",
                kind=kinds[i % 5],
                occurred_at=t,
                recorded_at=t,
                tags=(rnd.choice(WORDS),) if i % 7 == 0 else (),
                pinned=i % 500 == 0,
                entry_id=ids.new_id(),
            )
    return store, tl, inc.id
