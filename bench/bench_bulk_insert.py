"""Bulk inserts on import: ``executemany`` (today) against sqlite-utils' ``insert_all``.

Issue 8, item 7 asks sqlite-utils to do the bulk inserts of an import wherever it is
not slower. This inserts the rows of a 100,000-entry import (entries with their cache,
and their revisions) into empty workspaces both ways, inside the store's own write
transaction, alternating the two methods round by round so machine load hits both
alike, and prints the CPU and wall time of each. sqlite-utils' ``insert_all`` runs
inside the open transaction through a savepoint (version 4), in list mode (column
names first, then tuples), with ``ignore=True`` for ``INSERT OR IGNORE``.

Run: .venv/bin/python bench/bench_bulk_insert.py
"""

from __future__ import annotations

import os
import random
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import sqlite_utils

from warroom.base import ids
from warroom.services.timeline import Timeline
from warroom.store import Store
from warroom.store import handover as hq
from warroom.store.timeline import REVISION_COLS as _REVISION_COLS

N = int(os.environ.get("BENCH_ENTRIES", "100000"))
ENTRY_COLS = [
    "id", "incident", "recorded_at", "author", "meta", "occurred_at", "kind", "text",
    "tags", "pinned", "external", "hidden", "hidden_reason", "revision", "current_rev",
    "edited_at", "edited_by", "conflict",
]  # fmt: skip
REVISION_COLS = [c.strip() for c in _REVISION_COLS.split(",")]


def rows(incident: str) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    rnd = random.Random(N)
    words = [
        "www",
        "answers",
        "502",
        "from",
        "isp-a",
        "fail",
        "over",
        "to",
        "site",
        "B",
        "customers",
        "calling",
    ]
    entries, revs = [], []
    for i in range(N):
        eid, rid = ids.new_id(), ids.new_id()
        t = f"2026-11-24T{i // 3600 % 24:02d}:{i // 60 % 60:02d}:{i % 60:02d}.000Z"
        text = " ".join(rnd.choice(words) for _ in range(rnd.randint(4, 16)))
        entries.append((eid, incident, t, "bench", "{}", t, "observation", text, "www", 0, 0,
                        0, "", 1, rid, t, "bench", 0))  # fmt: skip
        revs.append((rid, eid, None, t, "bench", t, "observation", text, "www", 0, 0, 0, "",
                     ""))  # fmt: skip
    return entries, revs


def with_executemany(conn: Any, entries: list[Any], revs: list[Any]) -> None:
    hq.insert_entries_bulk(conn, entries, cached=True)
    hq.insert_revisions(conn, revs)


def with_sqlite_utils(conn: Any, entries: list[Any], revs: list[Any]) -> None:
    db = sqlite_utils.Database(conn)
    trigger = conn.execute(
        "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = 'entries_ai'"
    ).fetchone()
    conn.execute("DROP TRIGGER entries_ai")
    db.table("entries").insert_all([ENTRY_COLS, *entries], ignore=True, batch_size=1000)
    conn.execute(
        "INSERT INTO entries_fts(rowid, text, tags, author) "
        "SELECT rowid, text, tags, author FROM entries"
    )
    conn.execute(trigger[0])
    db.table("revisions").insert_all([REVISION_COLS, *revs], ignore=True, batch_size=1000)


def main() -> int:
    methods: list[tuple[str, Callable[..., None]]] = [
        ("executemany (today)", with_executemany),
        ("sqlite-utils insert_all", with_sqlite_utils),
    ]
    cpu = {name: [] for name, _ in methods}  # type: dict[str, list[float]]
    wall = {name: [] for name, _ in methods}  # type: dict[str, list[float]]
    with tempfile.TemporaryDirectory(prefix="warroom-bench-") as tmp:
        for rnd in range(3):
            for name, fn in methods if rnd % 2 == 0 else reversed(methods):
                store = Store.open(Path(tmp) / f"{rnd}-{len(cpu[name])}-{name[:4]}")
                iid = Timeline(store, author="bench").new_incident("bench").id
                entries, revs = rows(iid)
                c0, w0 = time.process_time(), time.perf_counter()
                with store.write() as conn:
                    fn(conn, entries, revs)
                cpu[name].append(time.process_time() - c0)
                wall[name].append(time.perf_counter() - w0)
                row = store.query_one("SELECT count(*) AS n FROM entries_fts")
                n = row["n"] if row is not None else 0
                assert n == N + 1, n  # the incident's opening entry too
                store.close()
    print(f"{N:,} entries + {N:,} revisions into an empty workspace, 3 rounds alternating:")
    for name in cpu:
        print(
            f"  {name:<26} cpu {min(cpu[name]):5.2f}-{max(cpu[name]):5.2f} s   "
            f"wall {min(wall[name]):5.2f}-{max(wall[name]):5.2f} s"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
