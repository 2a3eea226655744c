"""The state machine per (target, vantage), flapping, the gate rule and the words."""

from __future__ import annotations

import socket
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from warroom.domain.probes import ProbeResult, State, Status
from warroom.probes import SeriesTracker, gate, target_summary
from warroom.probes.gate import gateable
from warroom.probes.gate import has_route as real_has_route  # before the autouse fake
from warroom.probes.state import FLAP_WINDOW

T0 = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
U, D, G = Status.UP, Status.DOWN, Status.DEGRADED


def result(
    status: Status,
    i: int = 0,
    *,
    error: str | None = None,
    address: str = "192.0.2.10",
    vantage: str = "isp-a",
    target: str = "www",
) -> ProbeResult:
    if error is None and status is Status.DOWN:
        error = "timeout"
    if error is None and status is Status.DEGRADED:
        error = "too_slow"
    return ProbeResult(
        time=T0 + timedelta(seconds=10 * i),
        target=target,
        vantage=vantage,
        check="http",
        status=status,
        latency_ms=None if status is Status.DOWN else 12.5,
        error=error,
        address=address,
    )


def run(statuses: list[Status], fail_after: int = 2, recover_after: int = 2) -> list[State]:
    tr = SeriesTracker("www", "isp-a", "http", fail_after=fail_after, recover_after=recover_after)
    out = []
    for i, s in enumerate(statuses):
        tr.feed(result(s, i))
        out.append(tr.state)
    return out


P = State.PENDING
SU, SD, SG = State.UP, State.DOWN, State.DEGRADED


@pytest.mark.parametrize(
    ("samples", "states"),
    [
        ([U], [SU]),
        ([D, D], [P, SD]),
        ([D, U], [P, SU]),
        ([U, D, U, D, U], [SU] * 5),  # never two failures in a row: stays up
        ([U, D, D, U, D, U, U], [SU, SU, SD, SD, SD, SD, SU]),
        ([U, G, G, U, U], [SU, SU, SG, SG, SU]),
        ([U, G, D, D], [SU, SU, SG, SD]),  # degraded then down
        ([U, D, D, G, G], [SU, SU, SD, SD, SG]),  # recovers into degraded when slow
        ([G, G], [P, SG]),
    ],
)
def test_transitions(samples: list[Status], states: list[State]) -> None:
    assert run(samples) == states


def test_fail_after_one_and_recover_after_three() -> None:
    assert run([U, D, U, U, U], fail_after=1, recover_after=3) == [SU, SD, SD, SD, SU]


def test_change_objects_carry_old_new_since_and_evidence() -> None:
    tr = SeriesTracker("www", "isp-a", "http", fail_after=2, recover_after=1)
    assert tr.feed(result(U, 0)) is not None  # pending -> up is a change too
    assert tr.feed(result(D, 1)) is None
    ch = tr.feed(result(D, 2, error="dns_servfail"))
    assert ch is not None
    assert (ch.old, ch.new, ch.target, ch.vantage) == (SU, SD, "www", "isp-a")
    assert ch.result.error == "dns_servfail" and ch.time == T0 + timedelta(seconds=20)
    snap = tr.snapshot()
    assert snap.state is SD and snap.since == ch.time and snap.last is ch.result
    assert snap.latencies == (12.5, None, None)


def test_flapping_starts_and_stops_with_hysteresis() -> None:
    tr = SeriesTracker("www", "isp-a", "http", fail_after=3, recover_after=3)
    i = 0
    for _ in range(FLAP_WINDOW // 2 + 1):
        tr.feed(result(U, i))
        tr.feed(result(D, i + 1))
        i += 2
    assert tr.flapping
    assert tr.state is SU  # never three failures in a row
    for _ in range(FLAP_WINDOW):
        tr.feed(result(U, i))
        i += 1
        if not tr.flapping:
            break
    assert not tr.flapping
    assert i < 2 * FLAP_WINDOW + 4  # it stopped inside one window of calm


def test_offline_samples_are_shown_but_move_nothing() -> None:
    tr = SeriesTracker("www", "isp-a", "http", fail_after=1, recover_after=1)
    tr.feed(result(U, 0))
    assert tr.feed(result(D, 1), offline=True) is None
    snap = tr.snapshot()
    assert snap.state is SU and snap.offline and snap.last is not None
    assert snap.last.status is D


@pytest.mark.parametrize(
    ("r", "expected"),
    [
        (result(D, error="timeout"), True),
        (result(D, error="unreachable", address=None), True),  # type: ignore[arg-type]
        (result(D, error="refused", address="127.0.0.1"), False),  # loopback: not the network
        (result(D, error="http_status"), False),  # an answer proves the network works
        (
            replace(
                result(D, error="dns_timeout"), address=None, extra={"resolver": "127.0.0.1:53"}
            ),
            False,
        ),
        (
            replace(result(D, error="dns_timeout"), address=None, extra={"resolver": "192.0.2.53"}),
            True,
        ),
        (
            replace(
                result(D, error="dns_timeout"), address=None, extra={"resolver": "localhost:53"}
            ),
            False,
        ),
        (result(D, error="tls_expired"), False),
        (result(U), False),
    ],
)
def test_which_failures_the_gate_may_set_aside(r: ProbeResult, expected: bool) -> None:
    assert gateable(r) is expected


def test_an_injected_local_check_decides_what_is_this_machine() -> None:
    loop_fail = result(D, error="refused", address="127.0.0.1")
    assert gateable(loop_fail, lambda _a: False) is True  # loopback standing in for "out there"
    assert gateable(result(D, error="timeout"), lambda a: a == "192.0.2.10") is False
    assert gateable(result(D, error="http_status"), lambda _a: False) is False


def test_route_check_reads_the_route_table_without_traffic(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The real probes are public addresses (a UDP connect() sends nothing, but a test must
    # not depend on a real route): loopback stands in for "routable", an address of the
    # wrong family for "no route".
    v4, wrong = ("127.0.0.1", socket.AF_INET), ("::1", socket.AF_INET)
    monkeypatch.setattr(gate, "ROUTE_PROBES", (wrong, v4))
    assert real_has_route() == (True, "")
    monkeypatch.setattr(gate, "ROUTE_PROBES", (wrong,))
    ok, why = real_has_route()
    assert not ok and why.startswith("no network route (IPv4: ")


def test_summary_words_worst_first_in_vantage_order() -> None:
    trs = []
    for v, s in (("system", U), ("isp-a", U), ("isp-b", D), ("isp-lie", D), ("isp-c", G)):
        tr = SeriesTracker("www", v, "http", fail_after=1, recover_after=1)
        tr.feed(result(s, vantage=v))
        trs.append(tr.snapshot())
    assert target_summary("www", trs) == (
        "www: down via isp-b, isp-lie; degraded via isp-c; up via system, isp-a"
    )


def test_summary_of_pending_uses_the_last_sample_and_offline_says_so() -> None:
    a = SeriesTracker("www", "isp-a", "http", fail_after=3, recover_after=1)
    a.feed(result(D, vantage="isp-a"))
    b = SeriesTracker("www", "isp-b", "http", fail_after=3, recover_after=1)
    b.feed(result(D, vantage="isp-b"), offline=True)
    c = SeriesTracker("www", "isp-c", "http", fail_after=3, recover_after=1)
    assert target_summary("www", [a.snapshot(), b.snapshot(), c.snapshot()]) == (
        "www: down via isp-a; unknown (workstation offline) via isp-b; pending via isp-c"
    )
