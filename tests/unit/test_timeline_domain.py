"""Rules of the record: capture syntax, text acceptance, milestones."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from warroom.base import timeutil
from warroom.base.errors import UsageError, ValidationError
from warroom.domain import incidents as d

NOW = datetime(2026, 11, 24, 9, 42, 30, tzinfo=UTC)
ZRH = ZoneInfo("Europe/Zurich")


def test_capture_plain_line_is_an_observation_now() -> None:
    cap = d.parse_capture("www answers 502 from isp-b", now=NOW)
    assert cap.kind == d.Kind.OBSERVATION
    assert cap.occurred_at is None
    assert cap.text == "www answers 502 from isp-b"


@pytest.mark.parametrize(
    ("line", "kind"),
    [
        ("/decision fail over to site B", d.Kind.DECISION),
        ("/action restart bgpd", d.Kind.ACTION),
        ("/comms posted on mastodon", d.Kind.COMMS),
        ("/obs packet loss 30%", d.Kind.OBSERVATION),
        ("/note coffee", d.Kind.NOTE),
    ],
)
def test_capture_prefixes(line: str, kind: d.Kind) -> None:
    cap = d.parse_capture(line, now=NOW)
    assert cap.kind == kind
    assert not cap.text.startswith("/")


def test_capture_backdating_relative_and_clock() -> None:
    cap = d.parse_capture("-5m /decision roll back", now=NOW)
    assert cap.occurred_at == NOW - timedelta(minutes=5)
    assert cap.kind == d.Kind.DECISION
    assert cap.text == "roll back"
    cap = d.parse_capture("10:15 first alert", now=NOW, tz=ZRH)
    # 10:15 in Zurich on 24 Nov (CET, UTC+1) is 09:15Z.
    assert cap.occurred_at == datetime(2026, 11, 24, 9, 15, tzinfo=UTC)
    assert cap.text == "first alert"


def test_capture_todo_and_tags() -> None:
    cap = d.parse_capture("TODO: ask upstream about #BGP #dns.", now=NOW)
    assert cap.todo == "ask upstream about #BGP #dns."
    assert cap.kind == d.Kind.ACTION
    assert cap.tags == ["bgp", "dns"]


def test_capture_far_future_warns() -> None:
    cap = d.parse_capture("+2h planned maintenance", now=NOW)
    assert cap.warnings and "future" in cap.warnings[0]


def test_capture_time_only_is_empty() -> None:
    with pytest.raises(ValidationError, match="empty"):
        d.parse_capture("-5m", now=NOW)


def test_unparseable_time_is_a_clear_error() -> None:
    with pytest.raises(UsageError, match="cannot read time"):
        timeutil.parse_user_time("yesterday-ish", ref=NOW)
    with pytest.raises(UsageError, match="not a clock time"):
        timeutil.parse_user_time("24:61", ref=NOW)


@pytest.mark.parametrize("bad", ["", "   ", "\n\t", "a\x00b"])
def test_text_refused_clearly(bad: str) -> None:
    with pytest.raises(ValidationError):
        d.check_text(bad)


@given(st.text(min_size=1).filter(lambda s: s.strip() and "\x00" not in s))
def test_text_accepted_is_unchanged(text: str) -> None:
    try:
        assert d.check_text(text) == text
    except ValidationError as exc:
        assert "surrogate" in str(exc)


def test_milestones_must_be_in_order() -> None:
    ok = {"started_at": "2026-11-24T08:00:00.000Z", "mitigated_at": "2026-11-24T09:00:00.000Z"}
    assert d.check_milestones(ok) == []
    bad = {**ok, "resolved_at": "2026-11-24T08:30:00.000Z"}
    problems = d.check_milestones(bad)
    assert problems and "resolved" in problems[0] and "mitigated" in problems[0]


def test_dst_switch_europe_zurich() -> None:
    # 2026-03-29: 02:00 CET jumps to 03:00 CEST. 2026-10-25: 03:00 CEST falls back to 02:00.
    before = datetime(2026, 3, 29, 0, 30, tzinfo=UTC)
    assert timeutil.parse_user_time("01:30", ref=before, tz=ZRH) == datetime(
        2026, 3, 29, 0, 30, tzinfo=UTC
    )
    # Read after 03:30 CEST (a clock time is the most recent such time).
    later = datetime(2026, 3, 29, 1, 35, tzinfo=UTC)
    assert timeutil.parse_user_time("03:30", ref=later, tz=ZRH) == datetime(
        2026, 3, 29, 1, 30, tzinfo=UTC
    )
    # Relative times are exact durations across the switch.
    after = datetime(2026, 3, 29, 1, 30, tzinfo=UTC)  # 03:30 CEST
    assert timeutil.parse_user_time("-2h", ref=after) == datetime(2026, 3, 28, 23, 30, tzinfo=UTC)
    # Autumn: shown in the zone, 00:30Z is 02:30 CEST and 01:30Z is 02:30 CET.
    a = timeutil.fmt_local(datetime(2026, 10, 25, 0, 30, tzinfo=UTC), ZRH)
    b = timeutil.fmt_local(datetime(2026, 10, 25, 1, 30, tzinfo=UTC), ZRH)
    assert a == "2026-10-25 02:30:00 CEST"
    assert b == "2026-10-25 02:30:00 CET"


def test_stored_times_are_utc_with_milliseconds() -> None:
    t = datetime(2026, 11, 24, 10, 42, 0, 123456, tzinfo=ZRH)
    assert timeutil.fmt(t) == "2026-11-24T09:42:00.123Z"
    assert timeutil.parse_utc("2026-11-24T09:42:00.123Z") == datetime(
        2026, 11, 24, 9, 42, 0, 123000, tzinfo=UTC
    )
