"""Remote probes in groups: the majority rule, the counts and the quoted phrase."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from warroom.domain.probes import ProbeResult, Status
from warroom.probes.remote.api import Budget
from warroom.probes.remote.groups import aggregate_all, figure, short_network

T = datetime(2026, 11, 24, 9, 42, tzinfo=UTC)


def probe(status: Status, asn: int = 3303, net: str = "Swisscom (Schweiz) AG") -> ProbeResult:
    return ProbeResult(
        T,
        "www",
        "ch-isps",
        "http",
        status,
        latency_ms=None if status is Status.DOWN else 30.0,
        error="timeout" if status is Status.DOWN else None,
        extra={"remote": {"asn": asn, "network": net}, "group": f"AS{asn}"},
    )


def test_majority_and_a_tie_counts_as_the_worse() -> None:
    (two_up,) = aggregate_all([probe(Status.UP), probe(Status.UP), probe(Status.DOWN)])
    assert two_up.status is Status.UP and two_up.extra["probes"] == {"agree": 2, "total": 3}
    assert two_up.vantage == "ch-isps AS3303" and two_up.latency_ms == 30.0
    (tie,) = aggregate_all([probe(Status.UP), probe(Status.DOWN)])
    assert tie.status is Status.DOWN and tie.extra["probes"] == {"agree": 1, "total": 2}
    assert tie.error == "timeout" and tie.detail.startswith("1 of 2 probes: ")
    assert tie.extra["members"] == ["probe (AS3303): up 30 ms", "probe (AS3303): down timeout"]


def test_groups_stay_apart() -> None:
    out = aggregate_all([probe(Status.DOWN), probe(Status.UP, 6730, "Sunrise GmbH")])
    assert sorted(g.vantage for g in out) == ["ch-isps AS3303", "ch-isps AS6730"]


@pytest.mark.parametrize(
    ("name", "short"),
    [
        ("Swisscom (Schweiz) AG", "Swisscom"),
        ("Sunrise GmbH", "Sunrise"),
        ("Init7 (Switzerland) Ltd.", "Init7"),
        ("Cloudflare, Inc.", "Cloudflare"),
        ("SWITCH", "SWITCH"),
    ],
)
def test_short_network(name: str, short: str) -> None:
    assert short_network(name) == short


def test_figure() -> None:
    assert figure("down", 2, 2, "AS3303", "Swisscom (Schweiz) AG") == (
        "down from 2 of 2 probes in AS3303 (Swisscom)"
    )
    assert figure("up", 1, 2, "CH", None) == "up from 1 of 2 probes in CH"


def test_budget_window_slides() -> None:
    now = [1000.0]
    b = Budget(10, clock=lambda: now[0])
    assert b.take(6) and not b.take(5) and b.take(4) and b.left() == 0
    now[0] += 3599
    assert not b.take(1)
    now[0] += 2  # the first hour's spending has aged out
    assert b.left() == 10
    b.give_back(3)  # nothing spent in this hour: nothing to refund
    assert b.take(10) and b.left() == 0
    now[0] += 10
    b.give_back(4)  # a refund leaves the window with what it refunds
    assert b.left() == 4
    now[0] += 3595
    assert b.left() == 10 and b.take(10) and not b.take(1)


def test_honesty_check_quotes_the_remote_figures() -> None:
    from warroom.handover.facts import Measurements, TargetDowntime, wording_findings

    m = Measurements(
        "2026-11-24T09:00:00Z",
        "2026-11-24T12:00:00Z",
        [TargetDowntime("www", ["isp-a", "isp-b"], ["isp-a", "isp-b"], 3600.0, 3600.0)],
        remote={
            "www": ["down from 2 of 2 probes in AS3303 (Swisscom)", "up from 1 of 1 probe in CH"]
        },
    )
    (f,) = wording_findings([("summary", "only individual access providers were affected")], m)
    assert f.contradiction.endswith("; down from 2 of 2 probes in AS3303 (Swisscom)")
