"""Probe samples in the workspace: batches, roll-ups, uptime and latency queries."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from warroom.domain.probes import ProbeResult, State, StateChange, Status
from warroom.store import probes as ps

T0 = datetime(2026, 11, 24, 0, 0, tzinfo=UTC)


def sample(
    i: int,
    status: Status = Status.UP,
    latency: float | None = 10.0,
    *,
    vantage: str = "isp-a",
    address: str = "192.0.2.10",
    step_s: int = 10,
) -> ProbeResult:
    down = status is Status.DOWN
    return ProbeResult(
        time=T0 + timedelta(seconds=step_s * i),
        target="www",
        vantage=vantage,
        check="http",
        status=status,
        latency_ms=None if down else latency,
        error="timeout" if down else None,
        detail="no response within 5s" if down else "HTTP 200",
        address=address,
        extra={"phase": "request"} if down else {"http_status": 200},
    )


def test_batch_round_trip_and_address_filled_in(store: Any) -> None:
    rs = [sample(i) for i in range(5)] + [sample(5, Status.DOWN), sample(6, address="192.0.2.11")]
    ch = StateChange(
        time=rs[5].time, target="www", vantage="isp-a", old=State.UP, new=State.DOWN, result=rs[5]
    )
    ps.write_batch(store, rs, [ch])
    rows = store.query("SELECT address FROM probe_samples ORDER BY t")
    # stored only when it changed or the sample failed
    assert [r[0] for r in rows] == [
        "192.0.2.10",
        None,
        None,
        None,
        None,
        "192.0.2.10",
        "192.0.2.11",
    ]
    recent = ps.recent_samples(store, "www", "isp-a", limit=4)
    assert [r["address"] for r in recent] == [
        "192.0.2.11",
        "192.0.2.10",
        "192.0.2.10",
        "192.0.2.10",
    ]
    assert recent[1]["status"] == "down" and recent[1]["error"] == "timeout"
    assert recent[1]["detail"] == "no response within 5s" and recent[1]["extra"] == {
        "phase": "request"
    }
    assert recent[0]["latency_ms"] == 10.0 and recent[0]["time"].endswith("Z")
    [c] = ps.changes(store)
    assert (c["old"], c["new"], c["error"], c["vantage"]) == ("up", "down", "timeout", "isp-a")


def test_uptime_and_latency_from_raw(store: Any) -> None:
    rs = [sample(i, Status.DOWN if i % 4 == 0 else Status.UP, latency=float(i)) for i in range(12)]
    ps.write_batch(store, rs)
    now = T0 + timedelta(seconds=120)
    assert ps.uptime(store, "www", "isp-a", 3600, now=now) == 9 / 12
    assert ps.uptime(store, "www", "nope", 3600, now=now) is None
    pts = ps.latency_series(store, "www", "isp-a", T0, now, bucket_s=60)
    assert [p.n for p in pts] == [6, 6]
    assert [p.down for p in pts] == [2, 1]
    assert pts[0].min_ms == 1.0 and pts[0].max_ms == 5.0 and pts[0].mean_ms == (1 + 2 + 3 + 5) / 4


def test_compaction_keeps_the_figures_and_bounds_the_rows(store: Any) -> None:
    # 3 hours of samples every 10 s for two vantages; raw window 1 h, minutes 2 h.
    rs = []
    for i in range(3 * 360):
        rs.append(sample(i, Status.DOWN if i % 10 == 0 else Status.UP, latency=float(i % 7 + 1)))
        rs.append(sample(i, vantage="isp-b", latency=2.0))
    ps.write_batch(store, rs)
    now = T0 + timedelta(hours=3)
    before_up = ps.uptime(store, "www", "isp-a", 4 * 3600, now=now)
    before_pts = ps.latency_series(store, "www", "isp-a", T0, now, bucket_s=3600)
    ret = ps.Retention(raw_s=3600, minute_s=2 * 3600, hour_s=30 * 86400)
    moved = ps.compact(store, now=now, retention=ret)
    counts = ps.row_counts(store)
    assert moved["raw"] == 2 * 2 * 360  # two hours of raw samples for two series
    assert counts["probe_samples"] == 2 * 360
    assert counts["probe_minute"] == 2 * 60  # hour 2 in minutes
    assert counts["probe_hour"] == 2 * 1  # hour 1 in one row per series
    assert ps.uptime(store, "www", "isp-a", 4 * 3600, now=now) == before_up == 0.9
    after_pts = ps.latency_series(store, "www", "isp-a", T0, now, bucket_s=3600)
    assert [(p.n, p.down, p.min_ms, p.max_ms) for p in after_pts] == [
        (p.n, p.down, p.min_ms, p.max_ms) for p in before_pts
    ]
    for a, b in zip(after_pts, before_pts, strict=True):
        assert abs((a.mean_ms or 0) - (b.mean_ms or 0)) < 1e-9
    # Compacting again changes nothing; hours past their window are dropped.
    assert ps.compact(store, now=now, retention=ret)["raw"] == 0
    ps.compact(store, now=now + timedelta(days=31), retention=ret)
    assert ps.row_counts(store)["probe_hour"] == 0


def test_compaction_merges_into_an_existing_bucket(store: Any) -> None:
    ret = ps.Retention(raw_s=60, minute_s=3600, hour_s=86400)
    ps.write_batch(store, [sample(0, latency=5.0, step_s=1), sample(1, latency=7.0, step_s=1)])
    ps.compact(store, now=T0 + timedelta(minutes=5), retention=ret)
    ps.write_batch(store, [sample(2, latency=1.0, step_s=1), sample(3, Status.DOWN, step_s=1)])
    ps.compact(store, now=T0 + timedelta(minutes=5), retention=ret)
    row = store.query_one("SELECT n, down, lat_n, lat_min, lat_sum, lat_max FROM probe_minute")
    assert tuple(row) == (4, 1, 3, 1000, 13000, 7000)
