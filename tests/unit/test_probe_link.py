"""The incident link without Qt: probe state changes become `probe` entries with evidence."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from warroom.domain.probes import ProbeResult, State, StateChange, Status
from warroom.services.probe_link import LinkMode, ProbeLink, entry_text, parse_mode, wanted
from warroom.services.timeline import Timeline
from warroom.store import timeline as tq

T0 = datetime(2026, 11, 24, 9, 42, 0, tzinfo=UTC)


def change(
    target: str,
    vantage: str,
    old: State,
    new: State,
    *,
    error: str | None = None,
    detail: str = "",
    latency: float | None = None,
    at: datetime = T0,
) -> StateChange:
    status = {State.DOWN: Status.DOWN, State.DEGRADED: Status.DEGRADED}.get(new, Status.UP)
    r = ProbeResult(
        at,
        target,
        vantage,
        "http",
        status,
        latency,
        error,
        detail,
        "192.0.2.10" if not error else None,
    )
    return StateChange(at, target, vantage, old, new, r)


@pytest.fixture
def timeline(store: object) -> Timeline:
    return Timeline(store, author="ic")  # type: ignore[arg-type]


def test_modes_decide_what_is_news() -> None:
    down = change("www", "isp-b", State.UP, State.DOWN, error="dns_servfail")
    back = change("www", "isp-b", State.DOWN, State.UP, latency=40)
    slow = change("www", "isp-a", State.UP, State.DEGRADED, latency=1300)
    fresh = change("www", "isp-a", State.PENDING, State.UP, latency=40)
    fresh_down = change("www", "isp-b", State.PENDING, State.DOWN, error="refused")
    assert [wanted(c, LinkMode.DOWN) for c in (down, back, slow, fresh, fresh_down)] == [
        True, True, False, False, True,
    ]  # fmt: skip
    assert [wanted(c, LinkMode.ALL) for c in (down, back, slow, fresh, fresh_down)] == [
        True, True, True, False, True,
    ]  # fmt: skip
    assert not any(wanted(c, LinkMode.OFF) for c in (down, back, slow, fresh, fresh_down))
    assert parse_mode("ALL") is LinkMode.ALL
    assert parse_mode("nonsense") is LinkMode.DOWN


def test_down_writes_one_probe_entry_with_evidence_and_affects_the_service(
    timeline: Timeline,
) -> None:
    inc = timeline.new_incident("Hosting network outage").id
    link = ProbeLink(
        timeline, "down", summaries=lambda t: f"{t}: down via isp-b, isp-lie; up via isp-a"
    )
    res = link.handle(
        inc,
        [
            change("www", "isp-b", State.UP, State.DOWN, error="dns_servfail",
                   detail="resolver 127.0.0.1:5301 said SERVFAIL"),
            change("www", "isp-lie", State.UP, State.DOWN, error="refused",
                   detail="127.0.0.2:80 refused the connection"),
            change("www", "isp-a", State.PENDING, State.UP, latency=12),
        ],
    )  # fmt: skip
    assert len(res.entries) == 1
    assert res.affected_added == ["www"]
    entry = timeline.entry(res.entries[0])
    assert entry.kind == "probe"
    assert entry.occurred_at == "2026-11-24T09:42:00.000Z"
    assert entry.text.startswith(
        "www DOWN via isp-b (dns_servfail: resolver 127.0.0.1:5301 said SERVFAIL), "
        "isp-lie (refused: 127.0.0.2:80 refused the connection)"
    )
    assert entry.text.endswith("Now: www: down via isp-b, isp-lie; up via isp-a")
    ev = tq.evidence(timeline.store, inc)
    assert [(e["source"], e["data"]["error"], e["entry"]) for e in ev] == [
        ("www/isp-b", "dns_servfail", entry.id),
        ("www/isp-lie", "refused", entry.id),
    ]
    assert ev[0]["data"]["new"] == "down"
    assert timeline.incident(inc).affected_services == ("www",)


def test_entry_meta_holds_the_evidence(timeline: Timeline, store: object) -> None:
    inc = timeline.new_incident("x").id
    res = ProbeLink(timeline, LinkMode.ALL).handle(
        inc,
        [
            change(
                "mail", "system", State.UP, State.DOWN, error="timeout", detail="no answer in 5 s"
            )
        ],
    )
    row = store.query_one("SELECT meta FROM entries WHERE id = ?", (res.entries[0],))  # type: ignore[attr-defined]
    import json

    meta = json.loads(row[0])
    assert meta["source"] == "probe"
    assert (meta["target"], meta["state"], meta["vantage"], meta["error"], meta["detail"]) == (
        "mail", "down", "system", "timeout", "no answer in 5 s",
    )  # fmt: skip
    assert meta["changes"][0]["old"] == "up"


def test_recovery_is_logged_but_affected_services_are_kept(timeline: Timeline) -> None:
    inc = timeline.new_incident("x").id
    timeline.set_incident(inc, affected_services=["mail"])
    link = ProbeLink(timeline, LinkMode.DOWN)
    link.handle(inc, [change("www", "isp-b", State.UP, State.DOWN, error="reset")])
    assert timeline.incident(inc).affected_services == ("mail", "www")
    res = link.handle(
        inc,
        [change("www", "isp-b", State.DOWN, State.UP, latency=33, at=T0 + timedelta(minutes=7))],
    )
    assert timeline.entry(res.entries[0]).text == "www recovered (UP) via isp-b (33 ms)"
    assert res.affected_added == []
    assert timeline.incident(inc).affected_services == ("mail", "www")
    # A second outage of an already affected service adds nothing twice.
    link.handle(inc, [change("www", "isp-a", State.UP, State.DOWN, error="timeout")])
    assert timeline.incident(inc).affected_services == ("mail", "www")


def test_off_or_no_incident_writes_nothing(timeline: Timeline) -> None:
    inc = timeline.new_incident("x").id
    c = change("www", "isp-b", State.UP, State.DOWN, error="reset")
    assert ProbeLink(timeline, "off").handle(inc, [c]).entries == []
    assert ProbeLink(timeline, "down").handle(None, [c]).entries == []
    assert [e.kind for e in timeline.entries(timeline.filter(inc)) if e.kind == "probe"] == []


def test_entry_text_degraded_and_flapping() -> None:
    c = change("api", "system", State.UP, State.DEGRADED, latency=1320)
    flap = StateChange(c.time, "api", "isp-a", State.UP, State.DOWN, c.result, flapping=True)
    bare = change("api", "isp-b", State.UP, State.DOWN)
    assert entry_text("api", State.DEGRADED, [c]) == "api DEGRADED via system (1320 ms)"
    assert entry_text("api", State.DOWN, [flap]) == "api DOWN via isp-a (flapping)"
    assert entry_text("api", State.DOWN, [bare]) == "api DOWN via isp-b"


def test_mass_outage_is_one_entry_per_state_with_all_the_evidence(timeline: Timeline) -> None:
    inc = timeline.new_incident("network down").id
    names = [f"site-{i:02d}" for i in range(12)]
    changes = [
        change(n, v, State.UP, State.DOWN, error="timeout")
        for n in names
        for v in ("isp-a", "isp-b")
    ]
    res = ProbeLink(timeline, "down").handle(inc, changes)
    assert len(res.entries) == 1
    e = timeline.entry(res.entries[0])
    assert e.text.startswith("12 targets DOWN: site-00 (isp-a, isp-b), site-01 (isp-a, isp-b)")
    assert len(tq.evidence(timeline.store, inc)) == 24
    assert timeline.incident(inc).affected_services == tuple(names)
    back = [change(n, "isp-a", State.DOWN, State.UP, latency=9) for n in names]
    res = ProbeLink(timeline, "down").handle(inc, back, summaries={"site-00": "ignored"})
    assert timeline.entry(res.entries[0]).text.startswith(
        "12 targets recovered (UP): site-00 (isp-a)"
    )


def test_per_call_mode_and_summaries_override(timeline: Timeline) -> None:
    inc = timeline.new_incident("x").id
    link = ProbeLink(timeline, "off")
    c = change("www", "isp-b", State.UP, State.DOWN, error="reset")
    assert link.handle(inc, [c]).entries == []
    res = link.handle(inc, [c], mode=LinkMode.ALL, summaries={"www": "www: down via isp-b"})
    assert (
        timeline.entry(res.entries[0]).text
        == "www DOWN via isp-b (reset). Now: www: down via isp-b"
    )


def test_the_machine_writes_as_probe_not_as_the_commander(timeline: Timeline) -> None:
    """Handed the commander's timeline (author "ic"), the link still writes as `probe`:
    its entries and the change of affected services it causes."""
    inc = timeline.new_incident("x").id
    timeline.log(inc, "looking at www")
    res = ProbeLink(timeline, LinkMode.DOWN).handle(
        inc, [change("www", "isp-b", State.UP, State.DOWN, error="reset")]
    )
    assert timeline.entry(res.entries[0]).author == "probe"
    by_kind = sorted({(e.kind, e.author) for e in timeline.entries(timeline.filter(inc))})
    # The person's entries stay theirs ("Incident opened", "looking at www"); the
    # probe's entry and the status entry recording the services it added are the probe's.
    assert by_kind == [
        ("observation", "ic"), ("probe", "probe"), ("status", "ic"), ("status", "probe"),
    ]  # fmt: skip


def test_known_now_is_what_a_new_incident_starts_from() -> None:
    """``summary.known_now``: the targets down now, worst first, and one line saying how
    each looks with since when; nothing when all is well."""
    from warroom.probes.state import SeriesState
    from warroom.probes.summary import known_now

    def s(target: str, vantage: str, st: State, minutes: float = 0) -> SeriesState:
        status = {State.DOWN: Status.DOWN, State.DEGRADED: Status.DEGRADED}.get(st, Status.UP)
        since = T0 - timedelta(minutes=minutes)
        r = ProbeResult(since, target, vantage, "http", status, 40.0, None)
        return SeriesState(target, vantage, "http", st, since, r, (40.0,), False, False)

    ok = [s("www", "isp-a", State.UP), s("mail", "system", State.UP)]
    assert not known_now(ok, T0) and known_now(ok, T0).affected == ()
    board = [
        s("www", "isp-a", State.DOWN, 4),
        s("www", "isp-b", State.DOWN, 3),
        s("www", "isp-a-v6", State.UP, 60),
        s("shop", "system", State.DEGRADED, 2),
        s("mail", "system", State.UP, 60),
        s("blog", "system", State.DOWN, 1),
    ]
    k = known_now(board, T0)
    assert k.affected == ("www", "blog", "shop")  # down first (file order), then degraded
    assert k.text == (
        "Probes now: www: down via isp-a, isp-b for 4 min; up via isp-a-v6. "
        "blog: down via system for 1 min. shop: degraded via system for 2 min"
    )
    assert known_now(board, T0, degraded=False).affected == ("www", "blog")
