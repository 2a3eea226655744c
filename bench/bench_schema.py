"""Schema set-up by sqlite-utils (issue 8, item 7) against the hand-written SQL before it.

Same process, interleaved runs, medians:
- a new workspace: ``Store.open`` on an empty dir, every migration (the old way: the
  previous build's schema, ``tests/fixtures/workspace-schema-v1.sql``, as one script);
- writes through the full-text triggers: insert N entries, refresh them (text changes),
  update a column the index does not hold (a pin); the update trigger fires only for
  indexed columns (sqlite-utils' own trigger made the pin-only update 8x slower);
- the one-time cost of importing sqlite-utils (only a run that migrates pays it).

``python bench/bench_schema.py [N]`` (default 10,000 entries).
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from warroom.store import Store
from warroom.store import migrations as mig

V1_SQL = Path(__file__).resolve().parent.parent / "tests/fixtures/workspace-schema-v1.sql"
RUNS = 15


V1_NAMES = ("core-0001-meta", "timeline-0001-incidents-entries", "probes-0001-samples")
NEW_MIGRATIONS = mig.all_migrations


def _old_migrations() -> list[mig.Migration]:
    """The previous build's schema as one script; later migrations as they are."""
    sql = V1_SQL.read_text("utf-8").replace(
        "CREATE TABLE _migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL);", ""
    )

    def old(conn: object) -> None:
        conn.executescript(sql)  # type: ignore[attr-defined]

    out: list[mig.Migration] = []
    for name, fn in NEW_MIGRATIONS():
        if name == V1_NAMES[0]:
            out.append((name, old))
        elif name in V1_NAMES:
            out.append((name, lambda _c: None))
        else:
            out.append((name, fn))
    return out


def _open_new(path: Path, old: bool) -> Store:
    if old:
        mig.all_migrations = _old_migrations
    try:
        return Store.open(path)
    finally:
        mig.all_migrations = NEW_MIGRATIONS


def interleaved(fns: dict[str, Callable[[int], float]], runs: int) -> dict[str, float]:
    times: dict[str, list[float]] = {k: [] for k in fns}
    for i in range(runs):
        for k, fn in fns.items():
            times[k].append(fn(i))
    return {k: statistics.median(v) for k, v in times.items()}


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    import sqlite_utils  # noqa: F401 - warm: the import is measured on its own below

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)

        def create(kind: str) -> Callable[[int], float]:
            def run(i: int) -> float:
                t0 = time.perf_counter()
                _open_new(root / f"{kind}-{i}", kind == "old").close()
                return time.perf_counter() - t0

            return run

        med = interleaved({"old": create("old"), "new": create("new")}, RUNS)
        print(
            f"new workspace, all migrations:  hand SQL {med['old'] * 1e3:.1f} ms  ->  "
            f"sqlite-utils {med['new'] * 1e3:.1f} ms"
        )

        ins = (
            "INSERT INTO entries(id, incident, recorded_at, author, occurred_at, kind, text, "
            "current_rev, edited_at, edited_by) VALUES (?, 'I', 't', 'bench', 't', "
            "'observation', ?, ?, 't', 'bench')"
        )
        # The shape of store.timeline.refresh_entry: every cached column is set.
        refresh = (
            "UPDATE entries SET occurred_at = 't', kind = 'observation', text = ?, tags = '', "
            "pinned = 1, hidden = 0, revision = 2, edited_at = 't' WHERE id = ?"
        )
        pin_only = "UPDATE entries SET pinned = 0 WHERE id = ?"

        def writes(kind: str, what: str) -> Callable[[int], float]:
            def run(i: int) -> float:
                with _open_new(root / f"w-{kind}-{what}-{i}", kind == "old") as s, s.write() as c:
                    c.execute(
                        "INSERT INTO incidents(id, created_at, created_by, title, severity, "
                        "status, updated_at) VALUES ('I', 't', 'b', 'x', 'SEV3', 'open', 't')"
                    )
                    ids = [f"e{j:06d}" for j in range(n)]
                    t0 = time.perf_counter()
                    c.executemany(ins, [(e, f"{e} www isp-b timeout", e) for e in ids])
                    if what != "insert":
                        t0 = time.perf_counter()
                    if what in ("refresh", "pin"):
                        c.executemany(refresh, [(f"{e} www isp-c", e) for e in ids])
                    if what == "pin":
                        t0 = time.perf_counter()
                        c.executemany(pin_only, [(e,) for e in ids])
                    return time.perf_counter() - t0

            return run

        for what, label in (
            ("insert", f"insert {n} entries (FTS insert trigger)"),
            ("refresh", f"refresh {n} entries (text changes)"),
            ("pin", f"pin-only update of {n} entries"),
        ):
            med = interleaved({"old": writes("old", what), "new": writes("new", what)}, 5)
            print(
                f"{label + ':':45s} hand SQL {med['old'] * 1e3:.0f} ms  ->  "
                f"sqlite-utils {med['new'] * 1e3:.0f} ms"
            )

    code = "import time; t = time.perf_counter(); import sqlite_utils; "
    code += "print(time.perf_counter() - t)"
    imports = [
        float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout)
        for _ in range(5)
    ]
    once = statistics.median(imports) * 1e3
    print(f"import sqlite_utils (once per migrating process): {once:.0f} ms")


if __name__ == "__main__":
    main()
