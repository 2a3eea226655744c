"""Issue 9 items on the timeline core: clock times after midnight, unknown commands,
hidden TODOs, one search folding, and values written for people."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from warroom.base import humanize, timeutil
from warroom.base.errors import ValidationError
from warroom.domain import incidents as d
from warroom.services.timeline import Timeline
from warroom.store import Store

BERLIN = ZoneInfo("Europe/Berlin")
# 00:10 in Berlin on 1 December (23:10 UTC on 30 November).
TEN_PAST_MIDNIGHT = datetime(2026, 11, 30, 23, 10, tzinfo=UTC)


def test_clock_time_after_midnight_is_yesterday() -> None:
    t = timeutil.parse_user_time("23:55", ref=TEN_PAST_MIDNIGHT, tz=BERLIN)
    assert t == datetime(2026, 11, 30, 22, 55, tzinfo=UTC)  # 30 Nov 23:55 CET


def test_clock_time_up_to_ten_minutes_ahead_is_today() -> None:
    assert timeutil.parse_user_time("00:19", ref=TEN_PAST_MIDNIGHT, tz=BERLIN) == datetime(
        2026, 11, 30, 23, 19, tzinfo=UTC
    )
    # Eleven minutes ahead: yesterday's 00:21.
    assert timeutil.parse_user_time("00:21", ref=TEN_PAST_MIDNIGHT, tz=BERLIN) == datetime(
        2026, 11, 29, 23, 21, tzinfo=UTC
    )


def test_due_time_is_the_next_such_time() -> None:
    due = timeutil.parse_user_time("00:05", ref=TEN_PAST_MIDNIGHT, tz=BERLIN, ahead=True)
    assert due == datetime(2026, 12, 1, 23, 5, tzinfo=UTC)


def test_capture_line_after_midnight() -> None:
    cap = d.parse_capture("23:55 resolver restarted", now=TEN_PAST_MIDNIGHT, tz=BERLIN)
    assert cap.occurred_at == datetime(2026, 11, 30, 22, 55, tzinfo=UTC)
    assert cap.warnings == []


def test_unknown_command_is_refused_with_a_suggestion() -> None:
    with pytest.raises(ValidationError, match=r"did you mean /decision\?"):
        d.parse_capture("/decison fail over MX")
    with pytest.raises(ValidationError, match="unknown command /frobnicate"):
        d.parse_capture("-5m /frobnicate it")
    # Text that merely starts with a path, or an escaped slash, is text.
    assert d.parse_capture("/var/log is full").text == "/var/log is full"
    assert d.parse_capture("//etc is read-only").text == "/etc is read-only"
    assert d.parse_capture("/decision fail over MX").kind == d.Kind.DECISION


@pytest.fixture
def tl(store: Store) -> Timeline:
    return Timeline(store, author="ada")


def test_capture_refused_keeps_nothing(tl: Timeline) -> None:
    inc = tl.new_incident("MX down")
    before = len(tl.entries(tl.filter(inc.id)))
    with pytest.raises(ValidationError):
        tl.capture(inc.id, "/decison fail over MX")
    assert len(tl.entries(tl.filter(inc.id))) == before


def test_future_warning_once(tl: Timeline) -> None:
    inc = tl.new_incident("MX down")
    res = tl.capture(inc.id, "+2h planned maintenance #mx")
    assert len([w for w in res.warnings if "in the future" in w]) == 1
    assert res.value.tags == ("mx",)
    # Written for people: no raw ISO time in the warning.
    assert not re.search(r"\d{4}-\d\d-\d\dT", res.warnings[0]), res.warnings[0]


def test_log_parses_todo_and_tags_once(tl: Timeline) -> None:
    inc = tl.new_incident("MX down")
    res = tl.log(inc.id, "TODO: call the NOC #isp-b", tags=["MX", "mx"])
    assert res.value.kind == "action" and res.value.tags == ("mx", "isp-b")
    assert [a.text for a in tl.actions(inc.id, open_only=True)] == ["call the NOC #isp-b"]


def test_hiding_a_todo_closes_its_action_and_unhiding_reopens(tl: Timeline) -> None:
    inc = tl.new_incident("MX down")
    todo = tl.log(inc.id, "TODO: call the NOC").value
    other = tl.log(inc.id, "TODO: post an update").value
    assert len(tl.actions(inc.id, open_only=True)) == 2
    tl.hide(todo.id, "duplicate")
    assert [a.text for a in tl.actions(inc.id, open_only=True)] == ["post an update"]
    tl.unhide(todo.id)
    assert len(tl.actions(inc.id, open_only=True)) == 2
    # An action a person closed (Bob, at his desk) stays closed across hide and unhide.
    (item,) = [a for a in tl.actions(inc.id) if a.entry == other.id]
    Timeline(tl.store, author="bob").update_action(item.id, done=True)
    tl.hide(other.id, "done elsewhere")
    tl.unhide(other.id)
    assert [a.text for a in tl.actions(inc.id, open_only=True)] == ["call the NOC"]


def test_search_folds_alike(tl: Timeline) -> None:
    inc = tl.new_incident("Branch offline")
    tl.log(inc.id, "Außenstelle Nord unreachable")
    tl.log(inc.id, "Aussenstelle Süd fine")
    tl.log(inc.id, "Straße closed")

    def found(q: str) -> list[str]:
        return sorted(e.text.split()[0] for e in tl.entries(tl.filter(inc.id, search=q)))

    assert found("aussenstelle") == ["Aussenstelle", "Außenstelle"]
    assert found("AUSSENSTELLE") == ["Aussenstelle", "Außenstelle"]
    assert found("außenst") == ["Aussenstelle", "Außenstelle"]
    assert found("sud") == ["Aussenstelle"]
    assert found("strasse") == ["Straße"]


def test_status_entries_read_as_words(tl: Timeline) -> None:
    inc = tl.new_incident("MX down")
    tl.set_incident(inc.id, affected_services="www,dns", started_at="2026-11-30T01:50:00Z")
    tl.set_incident(inc.id, affected_services="")
    texts = [e.text for e in tl.entries(tl.filter(inc.id, kinds=("status",)))]
    joined = "\n".join(texts)
    assert "Affected services changed from (none) to dns, www" in joined
    assert "Affected services changed from dns, www to (none)" in joined
    assert "[" not in joined and "2026-11-30T" not in joined
    started = next(t for t in texts if t.startswith("Started"))
    assert "Mon 30 Nov" in started and "01:50 UTC" in started, started


def test_humanize_helpers() -> None:
    assert humanize.listing(["dns", "www"]) == "dns, www"
    assert humanize.listing([]) == "(none)"
    assert humanize.stored_list('["dns", "www"]') == "dns, www"
    assert humanize.stored_list("[]") == "(none)"
    assert humanize.count(1, "hidden entry") == "1 hidden entry"
    assert humanize.count(2, "hidden entry") == "2 hidden entries"
    assert humanize.count(1200, "match") == "1,200 matches"
    assert humanize.yes_no(True) == "yes"
    assert humanize.when("2026-11-30T01:50:00.000Z", BERLIN) == "Mon 30 Nov 02:50 CET (01:50 UTC)"
    assert humanize.when("2026-11-30T23:50:00.000Z", BERLIN, seconds=True) == (
        "Tue 01 Dec 00:50:00 CET (30 Nov 23:50:00 UTC)"
    )
    assert humanize.when(None) == "(none)"


def test_rows_decode_in_the_store(tmp_path: Path) -> None:
    # The domain holds no row decoding any more: the store turns rows into records.
    assert not hasattr(d.Entry, "from_row") and not hasattr(d.Revision, "from_row")


def test_hidden_todo_leaves_the_briefs_open_actions(tl: Timeline) -> None:
    from warroom.handover.brief import build_brief

    inc = tl.new_incident("MX down")
    todo = tl.log(inc.id, "TODO: call the NOC").value
    tl.log(inc.id, "TODO: post an update")
    tl.hide(todo.id, "duplicate")
    brief = build_brief(tl.store, inc.id, prepared_by="ada")
    assert [a.text for a in brief.open_actions] == ["post an update"]
