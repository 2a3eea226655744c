"""Probe samples in the workspace: batched writes, roll-ups, dashboard queries.

Retention (``Retention``; defaults):

- raw samples for 12 h (``raw_s``): every sample, with error detail for failures;
- per-minute roll-ups (count, down, degraded, latency min/mean/max) up to 48 h;
- per-hour roll-ups up to 90 days; then dropped;
- state changes (``probe_changes``) forever: they are few and they are evidence.

Growth is bounded by the number of series, not by time. Measured by
``bench/bench_probes.py`` (see docs/probes.md for the figures): a raw sample costs
about 20-25 bytes, a roll-up row about 35-40; 1,000 series every 10 s settle near 0.2
GB, 3,000 series (1,000 targets x 3 vantages) near 0.6 GB.

Writes go through ``store.write()`` in one transaction per batch (the engine writes
about once a second). Times are integer ms since the epoch; the functions here take and
return aware datetimes.
"""

from __future__ import annotations

import json
import sqlite3
import weakref
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, TypedDict, cast

from warroom.base import timeutil
from warroom.base.jsonval import JSONObject, as_object, get_int
from warroom.domain.probes import ProbeResult, State, StateChange, Status

if TYPE_CHECKING:
    from warroom.store.db import SqlValue, Store

STATUS_CODE = {Status.UP: 0, Status.DEGRADED: 1, Status.DOWN: 2}
CODE_STATUS = {v: k for k, v in STATUS_CODE.items()}
MINUTE_MS = 60_000
HOUR_MS = 3_600_000


@dataclass(frozen=True)
class Retention:
    raw_s: float = 12 * 3600
    minute_s: float = 48 * 3600
    hour_s: float = 90 * 86400


DEFAULT_RETENTION = Retention()


class _Cache:
    def __init__(self) -> None:
        self.series: dict[tuple[str, str, str], int] = {}
        self.address: dict[int, str | None] = {}


_caches: weakref.WeakKeyDictionary[Store, _Cache] = weakref.WeakKeyDictionary()


def _cache(store: Store) -> _Cache:
    c = _caches.get(store)
    if c is None:
        c = _caches[store] = _Cache()
    return c


def to_ms(t: datetime) -> int:
    return int(t.timestamp() * 1000)


def from_ms(ms: int) -> datetime:
    return datetime.fromtimestamp(ms / 1000, UTC)


def _series_id(
    conn: sqlite3.Connection, cache: _Cache, target: str, vantage: str, check: str
) -> int:
    key = (target, vantage, check)
    sid = cache.series.get(key)
    if sid is None:
        conn.execute(
            "INSERT OR IGNORE INTO probe_series(target, vantage, check_kind) VALUES (?, ?, ?)", key
        )
        row = conn.execute(
            "SELECT id FROM probe_series WHERE target = ? AND vantage = ? AND check_kind = ?", key
        ).fetchone()
        sid = cache.series[key] = int(row[0])
    return sid


def write_batch(
    store: Store, results: Sequence[ProbeResult], changes: Sequence[StateChange] = ()
) -> None:
    """Store samples and state changes in one transaction."""
    if not results and not changes:
        return
    cache = _cache(store)
    with store.write() as conn:
        rows = []
        addr_cache = dict(cache.address)
        for r in results:
            sid = _series_id(conn, cache, r.target, r.vantage, r.check)
            up = r.status is Status.UP
            keep_addr = not up or addr_cache.get(sid, "\0") != r.address
            addr_cache[sid] = r.address
            rows.append(
                (
                    sid,
                    to_ms(r.time),
                    STATUS_CODE[r.status],
                    None if r.latency_ms is None else round(r.latency_ms * 1000),
                    r.error,
                    None if up else r.detail,
                    r.address if keep_addr else None,
                    None if up or not r.extra else json.dumps(r.extra, default=str),
                )
            )
        conn.executemany(
            "INSERT OR REPLACE INTO probe_samples"
            "(series, t, status, latency_us, error, detail, address, extra) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
        conn.executemany(
            "INSERT INTO probe_changes"
            "(t, target, vantage, old, new, flapping, error, detail, address, latency_ms, "
            "remote_group, remote_asn, remote_network, probes_agree, probes_total) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    to_ms(c.time),
                    c.target,
                    c.vantage,
                    str(c.old),
                    str(c.new),
                    int(c.flapping),
                    c.result.error,
                    c.result.detail,
                    c.result.address,
                    c.result.latency_ms,
                    *_remote_columns(c.result),
                )
                for c in changes
            ],
        )
    cache.address = addr_cache  # only after the commit succeeded


def _remote_columns(
    r: ProbeResult,
) -> tuple[str | None, int | None, str | None, int | None, int | None]:
    """(group, asn, network, agree, total) of a remote group sample; NULLs otherwise.
    Only names and counts: nothing of the API's credentials ever reaches a row."""
    if "remote_vantage" not in r.extra:
        return (None, None, None, None, None)
    probes = as_object(r.extra.get("probes"))
    asn = r.extra.get("asn")
    net = r.extra.get("network")
    return (
        str(r.extra.get("group") or ""),
        asn if isinstance(asn, int) else None,
        net if isinstance(net, str) else None,
        get_int(probes, "agree"),
        get_int(probes, "total"),
    )


def remote_spend(store: Store, since: datetime) -> list[tuple[float, int]]:
    """Remote tests spent since ``since``: (epoch seconds, tests), oldest first."""
    rows = store.query("SELECT t, tests FROM remote_spend WHERE t >= ? ORDER BY t", (to_ms(since),))
    return [(int(r[0]) / 1000, int(r[1])) for r in rows]


def add_remote_spend(store: Store, entries: Sequence[tuple[float, int]]) -> None:
    """Record spending (negative: given back); entries older than a day are dropped."""
    if not entries:
        return
    with store.write() as conn:
        conn.executemany(
            "INSERT INTO remote_spend(t, tests) VALUES (?, ?)",
            [(int(t * 1000), n) for t, n in entries],
        )
        conn.execute(
            "DELETE FROM remote_spend WHERE t < ?",
            (int(max(t for t, _ in entries) * 1000) - 86_400_000,),
        )


class RemoteChange(TypedDict):
    """The latest state change of a remote group series, with the group's evidence."""

    target: str
    vantage: str
    new: str
    time: str
    remote_group: str
    remote_asn: int | None
    remote_network: str | None
    probes_agree: int | None
    probes_total: int | None


def latest_remote(store: Store, *, at: datetime | None = None) -> list[RemoteChange]:
    """The latest state change of every remote group series (at ``at``, default now)."""
    params: list[SqlValue] = []
    cut = ""
    if at is not None:
        cut = "AND t <= ?"
        params.append(to_ms(at))
    rows = store.query(
        "SELECT target, vantage, new, t, remote_group, remote_asn, remote_network, "
        "probes_agree, probes_total FROM probe_changes c WHERE remote_group IS NOT NULL "
        f"{cut} AND id = (SELECT max(id) FROM probe_changes d WHERE d.target = c.target "
        f"AND d.vantage = c.vantage {cut.replace('t <=', 'd.t <=')}) ORDER BY target, vantage",
        params * 2,
    )
    return [
        RemoteChange(
            target=r["target"],
            vantage=r["vantage"],
            new=r["new"],
            remote_group=r["remote_group"],
            remote_asn=r["remote_asn"],
            remote_network=r["remote_network"],
            probes_agree=r["probes_agree"],
            probes_total=r["probes_total"],
            time=timeutil.fmt(from_ms(r["t"])),
        )
        for r in rows
    ]


_MERGE = """
    INSERT INTO {dst}(series, t, n, down, degraded, lat_n, lat_min, lat_sum, lat_max)
    SELECT series, (t / {step}) * {step} AS b, {agg}
    FROM {src} WHERE t >= ? AND t < ?
    GROUP BY series, b
    ON CONFLICT(series, t) DO UPDATE SET
        n = n + excluded.n,
        down = down + excluded.down,
        degraded = degraded + excluded.degraded,
        lat_n = lat_n + excluded.lat_n,
        lat_min = CASE WHEN lat_min IS NULL THEN excluded.lat_min
                       WHEN excluded.lat_min IS NULL THEN lat_min
                       ELSE min(lat_min, excluded.lat_min) END,
        lat_sum = coalesce(lat_sum, 0) + coalesce(excluded.lat_sum, 0),
        lat_max = CASE WHEN lat_max IS NULL THEN excluded.lat_max
                       WHEN excluded.lat_max IS NULL THEN lat_max
                       ELSE max(lat_max, excluded.lat_max) END
"""
_AGG_RAW = (
    "count(*), sum(status = 2), sum(status = 1), count(latency_us), "
    "min(latency_us), sum(latency_us), max(latency_us)"
)
_AGG_ROLL = "sum(n), sum(down), sum(degraded), sum(lat_n), min(lat_min), sum(lat_sum), max(lat_max)"


def compact(
    store: Store,
    now: datetime | None = None,
    retention: Retention = DEFAULT_RETENTION,
    chunk_ms: int = 10 * MINUTE_MS,
) -> dict[str, int]:
    """Roll raw samples older than the raw window into minutes, minutes into hours,
    and drop hours past their window. Works in short transactions (``chunk_ms`` of
    data each) so other writers never wait long. Returns rows moved per step."""
    now_ms = to_ms(now or timeutil.now())
    done = {"raw": 0, "minute": 0, "hour_dropped": 0}
    steps = (
        ("probe_samples", "probe_minute", MINUTE_MS, _AGG_RAW, retention.raw_s, "raw"),
        ("probe_minute", "probe_hour", HOUR_MS, _AGG_ROLL, retention.minute_s, "minute"),
    )
    for src, dst, step, agg, keep_s, label in steps:
        cut = (now_ms - int(keep_s * 1000)) // step * step  # whole buckets only
        row = store.query_one(f"SELECT min(t) FROM {src}")
        start = row[0] if row and row[0] is not None else None
        if start is None or start >= cut:
            continue
        sql = _MERGE.format(dst=dst, src=src, step=step, agg=agg)
        lo = start // step * step
        while lo < cut:
            hi = min(cut, lo + max(chunk_ms, step))
            with store.write() as conn:
                conn.execute(sql, (lo, hi))
                cur = conn.execute(f"DELETE FROM {src} WHERE t >= ? AND t < ?", (lo, hi))
                done[label] += cur.rowcount
            lo = hi
    cut = now_ms - int(retention.hour_s * 1000)
    with store.write() as conn:
        done["hour_dropped"] = conn.execute("DELETE FROM probe_hour WHERE t < ?", (cut,)).rowcount
    return done


# -- queries ---------------------------------------------------------------------


def _sid(store: Store, target: str, vantage: str) -> list[int]:
    rows = store.query(
        "SELECT id FROM probe_series WHERE target = ? AND vantage = ?", (target, vantage)
    )
    return [int(r[0]) for r in rows]


def _in(ids: Sequence[int]) -> str:
    return ",".join(str(int(i)) for i in ids) or "NULL"


def recent_samples(store: Store, target: str, vantage: str, limit: int = 100) -> list[JSONObject]:
    """The newest raw samples of one series, newest first, as CONTRACT.md records."""
    ids = _sid(store, target, vantage)
    if not ids:
        return []
    rows = store.query(
        "SELECT s.t, s.status, s.latency_us, s.error, s.detail, s.address, s.extra, "
        "p.check_kind FROM probe_samples s JOIN probe_series p ON p.id = s.series "
        f"WHERE s.series IN ({_in(ids)}) ORDER BY s.t DESC LIMIT ?",
        (limit,),
    )
    if not rows:
        return []
    # Addresses are stored only when they change: fill them in, oldest to newest.
    addr = None
    if rows[-1]["address"] is None:
        prev = store.query_one(
            f"SELECT address FROM probe_samples WHERE series IN ({_in(ids)}) AND t < ? "
            "AND address IS NOT NULL ORDER BY t DESC LIMIT 1",
            (rows[-1]["t"],),
        )
        addr = prev[0] if prev else None
    out: list[JSONObject] = []
    for r in reversed(rows):
        if r["address"] is not None:
            addr = r["address"]
        rec: JSONObject = {
            "time": timeutil.fmt(from_ms(r["t"])),
            "target": target,
            "vantage": vantage,
            "check": r["check_kind"],
            "status": str(CODE_STATUS[r["status"]]),
            "latency_ms": None if r["latency_us"] is None else r["latency_us"] / 1000,
            "error": r["error"],
            "detail": r["detail"] or "",
            "address": addr,
        }
        if r["extra"]:
            rec["extra"] = json.loads(r["extra"])
        out.append(rec)
    out.reverse()
    return out


def _counts(store: Store, ids: Sequence[int], lo: int, hi: int) -> tuple[int, int]:
    """(samples, down) in [lo, hi) over raw samples and both roll-up tables."""
    n = down = 0
    q = f"""
        SELECT count(*), coalesce(sum(status = 2), 0) FROM probe_samples
            WHERE series IN ({_in(ids)}) AND t >= ? AND t < ?
        UNION ALL
        SELECT coalesce(sum(n), 0), coalesce(sum(down), 0) FROM probe_minute
            WHERE series IN ({_in(ids)}) AND t >= ? AND t < ?
        UNION ALL
        SELECT coalesce(sum(n), 0), coalesce(sum(down), 0) FROM probe_hour
            WHERE series IN ({_in(ids)}) AND t >= ? AND t < ?
    """
    for row in store.query(q, (lo, hi, lo, hi, lo, hi)):
        n += int(row[0])
        down += int(row[1])
    return n, down


def uptime(
    store: Store, target: str, vantage: str, seconds: float, now: datetime | None = None
) -> float | None:
    """Share of samples that were not down over the last ``seconds`` (None: no data).

    Degraded counts as up: the service answered. Roll-up buckets count whole, so near the
    window's start the figure may include up to one bucket more than asked.
    """
    ids = _sid(store, target, vantage)
    if not ids:
        return None
    hi = to_ms(now or timeutil.now()) + 1
    n, down = _counts(store, ids, hi - int(seconds * 1000), hi)
    return None if n == 0 else (n - down) / n


@dataclass(frozen=True, slots=True)
class LatencyPoint:
    time: datetime
    min_ms: float | None
    mean_ms: float | None
    max_ms: float | None
    n: int
    down: int


def latency_series(
    store: Store,
    target: str,
    vantage: str,
    since: datetime,
    until: datetime | None = None,
    bucket_s: float = 60.0,
) -> list[LatencyPoint]:
    """Latency per bucket (default 1 min) over [since, until), from raw samples where
    they still exist and roll-ups before that; oldest first."""
    ids = _sid(store, target, vantage)
    if not ids:
        return []
    lo = to_ms(since)
    hi = to_ms(until or timeutil.now()) + 1
    step = max(1, int(bucket_s * 1000))
    q = f"""
        SELECT (t / {step}) * {step} AS b, sum(n), sum(down), sum(lat_n), min(lat_min),
               sum(lat_sum), max(lat_max)
        FROM (
            SELECT t, 1 AS n, status = 2 AS down, latency_us IS NOT NULL AS lat_n,
                   latency_us AS lat_min, latency_us AS lat_sum, latency_us AS lat_max
              FROM probe_samples WHERE series IN ({_in(ids)}) AND t >= ? AND t < ?
            UNION ALL
            SELECT t, n, down, lat_n, lat_min, lat_sum, lat_max
              FROM probe_minute WHERE series IN ({_in(ids)}) AND t >= ? AND t < ?
            UNION ALL
            SELECT t, n, down, lat_n, lat_min, lat_sum, lat_max
              FROM probe_hour WHERE series IN ({_in(ids)}) AND t >= ? AND t < ?
        ) GROUP BY b ORDER BY b
    """
    out = []
    for b, n, down, lat_n, mn, sm, mx in store.query(q, (lo, hi, lo, hi, lo, hi)):
        mean = (sm / lat_n / 1000) if lat_n else None
        out.append(
            LatencyPoint(
                time=from_ms(int(b)),
                min_ms=None if mn is None else mn / 1000,
                mean_ms=mean,
                max_ms=None if mx is None else mx / 1000,
                n=int(n),
                down=int(down),
            )
        )
    return out


class ProbeChange(TypedDict):
    """A stored state change (a ``probe_changes`` row, ``t`` as ``time``); the remote
    columns are None for local vantages."""

    target: str
    vantage: str
    old: str
    new: str
    flapping: bool
    error: str | None
    detail: str
    address: str | None
    latency_ms: float | None
    remote_group: str | None
    remote_asn: int | None
    remote_network: str | None
    probes_agree: int | None
    probes_total: int | None
    time: str


def changes(
    store: Store,
    *,
    target: str | None = None,
    vantage: str | None = None,
    since: datetime | None = None,
    limit: int = 200,
) -> list[ProbeChange]:
    """Stored state changes, newest first."""
    where: list[str] = []
    params: list[SqlValue] = []
    if target is not None:
        where.append("target = ?")
        params.append(target)
    if vantage is not None:
        where.append("vantage = ?")
        params.append(vantage)
    if since is not None:
        where.append("t >= ?")
        params.append(to_ms(since))
    sql = "SELECT * FROM probe_changes"
    if where:
        sql += " WHERE " + " AND ".join(where)
    sql += " ORDER BY t DESC, id DESC LIMIT ?"
    params.append(limit)
    out = []
    for r in store.query(sql, params):
        d = dict(r)
        d["time"] = timeutil.fmt(from_ms(d.pop("t")))
        d["flapping"] = bool(d["flapping"])
        d.pop("id")
        out.append(cast("ProbeChange", d))  # the probe_changes columns, as above
    return out


@dataclass(frozen=True, slots=True)
class Restored:
    """What a series was before a restart: its state since when, under which check,
    and its newest raw samples (``last`` and the trend), for the engine to continue."""

    target: str
    vantage: str
    check: str
    state: State
    since: datetime
    last: ProbeResult | None
    latencies: tuple[float | None, ...]


def last_states(store: Store, samples: int = 60) -> dict[tuple[str, str], Restored]:
    """Per (target, vantage): the newest stored state change and the newest ``samples``
    raw samples of the check probed most recently. A series never changed (or whose
    check cannot be told) is left out and starts pending."""
    latest = store.query(
        "SELECT c.target, c.vantage, c.new, c.t FROM probe_changes c "
        "JOIN (SELECT max(id) AS id FROM probe_changes GROUP BY target, vantage) m "
        "ON m.id = c.id"
    )
    if not latest:
        return {}
    series: dict[tuple[str, str], list[tuple[int, str]]] = {}
    for r in store.query("SELECT id, target, vantage, check_kind FROM probe_series"):
        series.setdefault((r["target"], r["vantage"]), []).append((int(r["id"]), r["check_kind"]))
    out: dict[tuple[str, str], Restored] = {}
    for r in latest:
        key = (r["target"], r["vantage"])
        try:
            state = State(r["new"])
        except ValueError:
            continue
        best: tuple[int, str, list[sqlite3.Row]] | None = None  # (newest t, check, rows)
        for sid, check in series.get(key, ()):
            rows = store.query(
                "SELECT t, status, latency_us, error, detail, address, extra "
                "FROM probe_samples WHERE series = ? ORDER BY t DESC LIMIT ?",
                (sid, samples),
            )
            if rows and (best is None or rows[0]["t"] > best[0]):
                best = (int(rows[0]["t"]), check, rows)
        if best is None:
            cands = series.get(key, [])
            if len(cands) != 1:
                continue  # no samples to tell which check the change belongs to
            out[key] = Restored(*key, cands[0][1], state, from_ms(r["t"]), None, ())
            continue
        _, check, rows = best
        top = rows[0]
        address = next((x["address"] for x in rows if x["address"] is not None), None)
        last = ProbeResult(
            from_ms(top["t"]),
            key[0],
            key[1],
            check,
            CODE_STATUS[top["status"]],
            None if top["latency_us"] is None else top["latency_us"] / 1000,
            top["error"],
            top["detail"] or "",
            address,
            json.loads(top["extra"]) if top["extra"] else {},
        )
        lats = tuple(
            None
            if x["status"] == STATUS_CODE[Status.DOWN] or x["latency_us"] is None
            else x["latency_us"] / 1000
            for x in reversed(rows)
        )
        out[key] = Restored(*key, check, state, from_ms(r["t"]), last, lats)
    return out


def row_counts(store: Store) -> dict[str, int]:
    tables = ("probe_samples", "probe_minute", "probe_hour", "probe_changes", "probe_series")
    return {t: int(store.query(f"SELECT count(*) FROM {t}")[0][0]) for t in tables}


def forget_cache(store: Store) -> None:
    """Drop cached series ids (after another process rewrote the tables, in tests)."""
    _caches.pop(store, None)
