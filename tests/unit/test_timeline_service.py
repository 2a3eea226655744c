"""The timeline service over a real store: revisions, automatic entries, search."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from warroom.base import timeutil
from warroom.base.errors import NotFound, UsageError, ValidationError
from warroom.services.timeline import Timeline
from warroom.store import Store
from warroom.store.timeline import EntryFilter


@pytest.fixture
def tl(store: Store) -> Timeline:
    return Timeline(store, author="ada")


def test_edit_appends_a_revision_and_keeps_the_old(tl: Timeline) -> None:
    inc = tl.new_incident("Outage")
    e = tl.log(inc.id, "www down").value
    assert e.revision == 1
    e2 = tl.edit(e.id, text="www down via isp-b").value
    assert e2.revision == 2 and e2.text == "www down via isp-b"
    revs = tl.revisions(e.id)
    assert [r.text for r in revs] == ["www down", "www down via isp-b"]
    assert revs[1].parent == revs[0].id
    assert e2.recorded_at == e.recorded_at  # recorded_at is fixed


def test_hide_keeps_the_entry(tl: Timeline) -> None:
    inc = tl.new_incident("Outage")
    e = tl.log(inc.id, "wrong incident").value
    with pytest.raises(ValidationError, match="reason"):
        tl.hide(e.id, "  ")
    tl.hide(e.id, "logged in the wrong incident")
    visible = tl.entries(EntryFilter(inc.id))
    assert e.id not in [x.id for x in visible]
    everything = tl.entries(EntryFilter(inc.id, include_hidden=True))
    hidden = next(x for x in everything if x.id == e.id)
    assert hidden.hidden and hidden.hidden_reason == "logged in the wrong incident"
    assert hidden.text == "wrong incident"
    tl.unhide(e.id)
    assert tl.entry(e.id).hidden is False
    assert tl.entry(e.id).revision == 3


def test_role_and_status_changes_become_status_entries(tl: Timeline) -> None:
    inc = tl.new_incident("Outage", severity="SEV2", commander="ada")
    res = tl.set_incident(inc.id, status="identified", severity="SEV1", commander="bob")
    assert set(res.value) == {"status", "severity", "commander"}
    status = tl.entries(EntryFilter(inc.id, kinds=("status",)))
    metas = {e.meta.get("field"): e.meta for e in status if e.meta.get("field")}
    assert metas["status"] == {"field": "status", "old": "investigating", "new": "identified"}
    assert metas["severity"]["old"] == "SEV2" and metas["severity"]["new"] == "SEV1"
    assert metas["commander"]["old"] == "ada" and metas["commander"]["new"] == "bob"
    # No change, no entry.
    n = len(tl.entries(EntryFilter(inc.id)))
    assert tl.set_incident(inc.id, status="identified").value == []
    assert len(tl.entries(EntryFilter(inc.id))) == n
    history = tl.incident_history(inc.id)
    assert [c.new_value for c in history if c.field == "commander"] == ["ada", "bob"]


def test_resolving_stamps_milestones_and_order_is_enforced(tl: Timeline) -> None:
    inc = tl.new_incident("Outage", started_at=timeutil.now() - timedelta(hours=2))
    with pytest.raises(ValidationError, match="out of order"):
        tl.set_incident(inc.id, mitigated_at=timeutil.now() - timedelta(hours=3))
    tl.set_incident(inc.id, status="resolved")
    got = tl.incident(inc.id)
    assert got.resolved_at and got.mitigated_at and got.resolved_at >= got.mitigated_at


def test_todo_creates_an_action_item(tl: Timeline) -> None:
    inc = tl.new_incident("Outage")
    res = tl.capture(inc.id, "TODO: call the upstream NOC")
    assert res.value.kind == "action"
    (item,) = tl.actions(inc.id, open_only=True)
    assert item.text == "call the upstream NOC" and item.entry == res.value.id
    tl.update_action(item.id, done=True, owner="bob")
    assert tl.actions(inc.id, open_only=True) == []


def test_update_action_spells_out_its_fields(tl: Timeline) -> None:
    """The typed update_action: a datetime due is stored as text, untouched fields stay,
    and a field an action item does not have is refused before anything is written."""
    inc = tl.new_incident("Outage")
    item = tl.add_action(inc.id, "call the NOC", owner="bob")
    due = timeutil.now() + timedelta(hours=1)
    new = tl.update_action(item.id, due=due)
    assert (new.due, new.owner, new.text, new.done) == (timeutil.fmt(due), "bob", item.text, False)
    assert tl.update_action(item.id, due=None).due is None
    with pytest.raises(TypeError, match="colour"):
        tl.update_action(item.id, text="x", colour="red")  # type: ignore[call-arg]
    (stored,) = tl.actions(inc.id)
    assert stored.text == "call the NOC"


def test_revise_refuses_text_that_is_not_text(tl: Timeline) -> None:
    inc = tl.new_incident("Outage")
    e = tl.log(inc.id, "first").value
    with pytest.raises(UsageError, match="text must be a string"):
        tl.revise(e.id, text=5)  # type: ignore[typeddict-item]
    assert tl.entry(e.id).text == "first"


def test_full_text_search_over_text_tags_and_author(tl: Timeline) -> None:
    inc = tl.new_incident("Outage")
    tl.log(inc.id, "Resolver isp-b answers SERVFAIL", tags=["dns"])
    tl.log(inc.id, "Café closed", author="zoë")
    tl.log(inc.id, "unrelated")
    hits = lambda q: [e.text for e in tl.entries(EntryFilter(inc.id, search=q))]  # noqa: E731
    assert hits("servfail") == ["Resolver isp-b answers SERVFAIL"]
    assert hits("dns") == ["Resolver isp-b answers SERVFAIL"]
    assert hits("cafe") == ["Café closed"]
    assert hits("zoë") == ["Café closed"]
    assert hits('resol "isp') == ["Resolver isp-b answers SERVFAIL"]
    # Edited text is searchable, the old text no longer matches the current entry.
    e = tl.entries(EntryFilter(inc.id, search="unrelated"))[0]
    tl.edit(e.id, text="now about BGP")
    assert hits("unrelated") == []
    assert hits("bgp") == ["now about BGP"]


def test_filters(tl: Timeline) -> None:
    inc = tl.new_incident("Outage")
    tl.log(inc.id, "a", kind="decision", tags=["x"], pinned=True)
    tl.log(inc.id, "b", kind="action", author="bob")
    kinds = lambda **kw: [e.text for e in tl.entries(EntryFilter(inc.id, **kw))]  # noqa: E731
    assert kinds(kinds=("decision",)) == ["a"]
    assert kinds(tag="x") == ["a"]
    assert kinds(author="bob") == ["b"]
    assert kinds(pinned_only=True) == ["a"]


def test_entries_sorted_by_occurred_at_with_backdating(tl: Timeline) -> None:
    inc = tl.new_incident("Outage")
    now = timeutil.now()
    tl.log(inc.id, "second", at=now - timedelta(minutes=1))
    tl.log(inc.id, "first", at=now - timedelta(minutes=10))
    texts = [e.text for e in tl.entries(EntryFilter(inc.id, kinds=("observation",)))]
    assert texts == ["first", "second"]


EXOTIC = [
    "مرحبا بالعالم — right-to-left",
    "emoji 🔥🚒 and ZWJ 👩‍🚒",
    "combining: e\u0301 a\u0308 \u0915\u094d\u0937",
    "controls: \x07 bell \x1b[31m red \x1b[0m\r\n crlf \t tab",
    "x" * 1_000_000,
]


@pytest.mark.parametrize("text", EXOTIC, ids=["rtl", "emoji", "combining", "controls", "1MB"])
def test_exotic_text_comes_back_unchanged(tl: Timeline, text: str) -> None:
    inc = tl.new_incident("Outage")
    e = tl.log(inc.id, text).value
    assert tl.entry(e.id).text == text


def test_listener_hears_our_writes(tl: Timeline) -> None:
    seen: list[tuple[str, str]] = []
    tl.subscribe(lambda what, ident: seen.append((what, ident)))
    inc = tl.new_incident("Outage")
    e = tl.log(inc.id, "hello").value
    assert ("incident", inc.id) in seen and ("entry", e.id) in seen


def test_unknown_ids_are_clear(tl: Timeline) -> None:
    with pytest.raises(NotFound, match="no incident"):
        tl.incident("01NOPE")
    with pytest.raises(NotFound, match="no entry"):
        tl.entry("01NOPE")


def test_incident_prefix_and_latest(tl: Timeline) -> None:
    a = tl.new_incident("A")
    b = tl.new_incident("B")
    assert tl.resolve_incident_id("latest") == b.id
    assert tl.resolve_incident_id(a.id[:-3].lower() + a.id[-3:]) == a.id
    tl.set_incident(b.id, status="resolved")
    assert tl.resolve_incident_id("active") == a.id


def test_affected_services_stored_sorted_unique(tl: Timeline) -> None:
    inc = tl.new_incident("A")
    tl.set_incident(inc.id, affected_services=["www", "mail", "www"])
    assert tl.incident(inc.id).affected_services == ("mail", "www")
    st_entry = tl.entries(EntryFilter(inc.id, kinds=("status",)))[-1]
    assert "mail, www" in st_entry.text
    assert json.loads(st_entry.meta["new"]) == ["mail", "www"]


def test_capture_warns_once_about_a_future_time(tl: Timeline) -> None:
    inc = tl.new_incident("Outage")
    res = tl.capture(inc.id, "+2h planned maintenance window")
    assert len(res.warnings) == 1 and "future" in res.warnings[0]


def test_action_item_exact_ties_resolve_the_same_everywhere(store: Store) -> None:
    from dataclasses import replace

    from warroom.store import timeline as q

    tl = Timeline(store, author="ada")
    inc = tl.new_incident("Outage")
    item = tl.add_action(inc.id, "call upstream")
    a = replace(item, text="call upstream NOC", updated_at="2030-01-01T00:00:00.000Z")
    b = replace(item, text="call upstream now", updated_at="2030-01-01T00:00:00.000Z")
    for first, second in ((a, b), (b, a)):
        with store.write() as conn:
            q.upsert_action(conn, first)
            q.upsert_action(conn, second)
        assert tl.actions(inc.id)[0].text == "call upstream now"
