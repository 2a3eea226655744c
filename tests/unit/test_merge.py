"""Import and merge: a union that loses nothing, converges, and is all-or-nothing."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers.handover import add_copies, content, db_snapshot, export, populate, reseal, write

from warroom.handover import bundle, merge
from warroom.handover.bundle import BundleError
from warroom.services.timeline import Timeline
from warroom.store import Store
from warroom.store import timeline as q


@pytest.fixture
def other(tmp_path: Path) -> Iterator[Store]:
    s = Store.open(tmp_path / "other")
    try:
        yield s
    finally:
        s.close()


def test_round_trip_into_empty_workspace_gives_the_same_bundle(store: Store, other: Store) -> None:
    iid = populate(store)
    first = export(store, iid)
    rep = merge.merge_bundle(other, bundle.parse_bundle(bundle.dumps(first).encode()))
    assert rep.incident_added
    assert len(rep.entries_added) == len(first["entries"])
    again = export(other, iid)
    assert content(again) == content(first)
    # The caches (what views show) are rebuilt identically too.
    assert db_snapshot(other)["entries"] == db_snapshot(store)["entries"]
    assert db_snapshot(other)["incidents"] == db_snapshot(store)["incidents"]


def test_import_twice_changes_nothing(store: Store, other: Store, tmp_path: Path) -> None:
    path = write(tmp_path / "b.json", export(store, populate(store)))
    merge.import_file(other, path)
    before = db_snapshot(other)
    rep = merge.import_file(other, path)
    assert rep.unchanged
    assert "nothing new" in rep.lines()[0]
    assert db_snapshot(other) == before


def test_dry_run_reports_and_writes_nothing(store: Store, other: Store, tmp_path: Path) -> None:
    path = write(tmp_path / "b.json", export(store, populate(store)))
    before = db_snapshot(other)
    dry = merge.import_file(other, path, dry_run=True)
    assert db_snapshot(other) == before
    real = merge.import_file(other, path)
    assert dry.record() | {"dry_run": True} == real.record() | {"dry_run": True}
    assert any(line.startswith("would add") for line in dry.lines())
    assert any(line.startswith("added") for line in real.lines())


def _diverge(a: Store, b: Store) -> tuple[str, str]:
    """Two workstations with a common start, then each works on its own."""
    iid = populate(a)
    merge.merge_bundle(b, export(a, iid))
    ta, tb = Timeline(a, author="alice"), Timeline(b, author="bob")
    shared = ta.entries(ta.filter(iid))[1]
    action = next(x for x in ta.actions(iid) if x.text.startswith("Write"))
    ta.log(iid, "A: isp-c down too", pinned=True)
    tb.log(iid, "B: customer calls piling up")
    ta.edit(shared.id, text="edited at A")
    time.sleep(0.005)
    tb.edit(shared.id, text="edited at B")  # later: becomes current on both
    ta.set_incident(iid, status="monitoring")
    tb.set_incident(iid, summary="Total outage for all customers")
    ta.add_action(iid, "A: add a second upstream", owner="Dan")
    tb.update_action(action.id, owner="Eve", done=True)
    return iid, shared.id


def test_two_diverged_copies_merged_both_ways_lose_nothing_and_end_equal(
    store: Store, other: Store
) -> None:
    a, b = store, other
    iid, shared = _diverge(a, b)
    from_a, from_b = export(a, iid), export(b, iid)
    rep_b = merge.merge_bundle(b, from_a)
    rep_a = merge.merge_bundle(a, from_b)
    assert shared in rep_a.conflicts
    assert shared in rep_b.conflicts
    assert "status" in rep_b.incident_fields
    assert "summary" in rep_a.incident_fields
    ea, eb = export(a, iid), export(b, iid)
    assert content(ea) == content(eb)
    assert db_snapshot(a)["entries"] == db_snapshot(b)["entries"]
    texts = {r["text"] for e in ea["entries"] for r in e["revisions"]}
    assert {
        "A: isp-c down too",
        "B: customer calls piling up",
        "edited at A",
        "edited at B",
    } <= texts
    cur = q.get_entry(a, shared)
    assert cur is not None
    assert cur.text == "edited at B"
    assert cur.conflict
    inc = q.get_incident(a, iid)
    assert inc is not None
    assert inc.status == "monitoring"
    assert inc.summary == "Total outage for all customers"
    history = [c.new_value for c in q.incident_changes(a, iid) if c.field == "summary"]
    assert history == ["Customer sites unreachable", "Total outage for all customers"]
    acts = {x.text: x for x in q.action_items(a, iid)}
    assert acts["A: add a second upstream"].owner == "Dan"
    assert acts["Write the post-incident report"].owner == "Eve"
    # And merging again in either direction is a no-op.
    assert merge.merge_bundle(a, export(b, iid)).unchanged
    assert merge.merge_bundle(b, export(a, iid)).unchanged


def test_dry_run_of_a_diverged_copy_reports_what_the_import_then_does(
    store: Store, other: Store
) -> None:
    # The preview counts without writing: conflicts, updated entries, changed fields,
    # action items and the stored title must still be exactly what the import reports.
    iid, shared = _diverge(store, other)
    bundle = export(other, iid)
    before = db_snapshot(store)
    dry = merge.merge_bundle(store, bundle, dry_run=True)
    assert db_snapshot(store) == before
    real = merge.merge_bundle(store, bundle)
    assert dry.record() | {"dry_run": True} == real.record() | {"dry_run": True}
    assert shared in dry.conflicts and dry.entries_updated and dry.actions_updated
    assert dry.incident_fields == ["summary"] and dry.title == real.title


def test_older_incident_value_stays_in_history(store: Store, other: Store) -> None:
    iid = populate(store)
    merge.merge_bundle(other, export(store, iid))
    Timeline(other, author="bob").set_incident(iid, commander="Bob")
    time.sleep(0.005)
    Timeline(store, author="alice").set_incident(iid, commander="Zoe")
    rep = merge.merge_bundle(store, export(other, iid))
    assert rep.changes_added == 1
    assert rep.incident_fields == []  # Zoe is newer: the current value does not move
    inc = q.get_incident(store, iid)
    assert inc is not None
    assert inc.commander == "Zoe"
    values = [c.new_value for c in q.incident_changes(store, iid) if c.field == "commander"]
    assert values == ["Alice", "Bob", "Zoe"]


def test_bulk_refresh_equals_the_row_by_row_refresh(store: Store, other: Store) -> None:
    iid, _ = _diverge(store, other)
    merge.merge_bundle(store, export(other, iid))
    merged = db_snapshot(store)["entries"]
    with store.write() as conn:
        for (eid,) in conn.execute("SELECT id FROM entries").fetchall():
            q.refresh_entry(conn, eid)
    assert db_snapshot(store)["entries"] == merged


# -- damaged files change nothing -------------------------------------------------


def _damaged(doc: dict) -> dict[str, bytes]:  # type: ignore[type-arg]
    good = bundle.dumps(doc).encode()
    wrong_type = reseal(doc)
    wrong_type["entries"][0]["revisions"][0]["pinned"] = "yes"
    missing = reseal(doc)
    del missing["entries"][1]["revisions"][0]["text"]
    foreign = reseal(doc)
    foreign["entries"][0]["incident"] = "01OTHERINCIDENT0000000000"
    newer = reseal(doc)
    newer["schema_version"] = 99
    return {
        "not JSON": b"this is not json",
        "truncated": good[: int(len(good) * 0.8)],
        "wrong checksum": good.replace(b"www answers", b"WWW answers"),
        "newer schema": json.dumps(bundle.seal(newer)).encode(),
        "missing field": json.dumps(bundle.seal(missing)).encode(),
        "wrong type": json.dumps(bundle.seal(wrong_type)).encode(),
        "entry of another incident": json.dumps(bundle.seal(foreign)).encode(),
    }


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("not JSON", "not valid JSON"),
        ("truncated", "truncated"),
        ("wrong checksum", "checksum mismatch"),
        ("newer schema", "newer Warroom"),
        ("missing field", "$.entries[1].revisions[0].text: missing"),
        ("wrong type", "$.entries[0].revisions[0].pinned: expected boolean"),
        ("entry of another incident", "$.entries[0].incident"),
    ],
)
def test_damaged_file_is_refused_and_workspace_unchanged(
    store: Store, other: Store, tmp_path: Path, case: str, message: str
) -> None:
    iid = populate(store)
    doc = export(store, iid)
    merge.merge_bundle(other, doc)
    Timeline(other, author="bob").log(iid, "only here")
    before = db_snapshot(other)
    path = tmp_path / "bad.json"
    path.write_bytes(_damaged(doc)[case])
    with pytest.raises(BundleError) as err:
        merge.import_file(other, path)
    assert str(err.value).startswith(str(path))
    assert message in str(err.value)
    assert db_snapshot(other) == before


def test_conflicting_immutable_record_aborts_the_whole_import(store: Store, other: Store) -> None:
    iid = populate(store)
    doc = export(store, iid)
    merge.merge_bundle(other, doc)
    Timeline(store).log(iid, "new at source")
    doc2 = reseal(export(store, iid))
    doc2["entries"][0]["revisions"][0]["text"] = "rewritten history"
    before = db_snapshot(other)
    with pytest.raises(
        BundleError, match=r"differs from the one in this workspace .*nothing was imported"
    ):
        merge.merge_bundle(other, bundle.parse_bundle(json.dumps(bundle.seal(doc2)).encode()))
    assert db_snapshot(other) == before


def test_entry_id_owned_by_another_incident_here_is_refused(store: Store, other: Store) -> None:
    iid = populate(store)
    doc = export(store, iid)
    mine = Timeline(other).new_incident("Unrelated")
    theirs = q.list_entries(other, q.EntryFilter(incident=mine.id))[0]
    doc = reseal(doc)
    doc["entries"][0]["id"] = theirs.id
    before = db_snapshot(other)
    with pytest.raises(BundleError, match=f"belongs to incident {mine.id} in this workspace"):
        merge.merge_bundle(other, bundle.parse_bundle(json.dumps(bundle.seal(doc)).encode()))
    assert db_snapshot(other) == before


def test_bulk_import_keeps_full_text_search_and_its_trigger(store: Store, other: Store) -> None:
    iid = populate(store)
    doc = reseal(export(store, iid))
    add_copies(doc, 600, lambda n: f"bulk entry {n} zebra{n % 7}")  # takes the bulk path
    merge.merge_bundle(other, bundle.parse_bundle(json.dumps(bundle.seal(doc)).encode()))
    found = q.list_entries(other, q.EntryFilter(incident=iid, search="zebra3"))
    assert len(found) == len([n for n in range(600) if n % 7 == 3])
    assert q.list_entries(other, q.EntryFilter(incident=iid, search="502 isp-b"))
    # The trigger is back: a new entry is searchable at once.
    Timeline(other).log(iid, "quokka sighting")
    assert [
        e.text for e in q.list_entries(other, q.EntryFilter(incident=iid, search="quokka"))
    ] == ["quokka sighting"]
