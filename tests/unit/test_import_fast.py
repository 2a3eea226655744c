"""The fast import path (orjson, column-wise checks, cache computed in Python) decides
exactly as the standard one: same documents accepted, same refusals, same workspace."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import orjson
import pytest
from helpers.handover import db_snapshot, export, populate, reseal

from warroom.handover import bundle, merge
from warroom.handover.bundle import BundleError
from warroom.services.timeline import Timeline
from warroom.store import Store
from warroom.store import timeline as q

HOSTILE = (
    "ctl \x01\x08\t\n\x0b\x0c\r\x1f del \x7f nel \x85 ls \u2028 ps \u2029 bom \ufeff "
    'quote " backslash \\ slash / emoji 👩\u200d💻 astral \U0001f600 ü'
)


@pytest.fixture
def stores(tmp_path: Path) -> Iterator[tuple[Store, Store, Store]]:
    opened = [Store.open(tmp_path / n) for n in ("a", "b", "c")]
    try:
        yield opened[0], opened[1], opened[2]
    finally:
        for s in opened:
            s.close()


def test_orjson_canonical_bytes_equal_the_documented_form(store: Store) -> None:
    iid = populate(store)
    tl = Timeline(store, author=HOSTILE)
    tl.log(iid, HOSTILE)
    tl.add_action(iid, HOSTILE, owner=HOSTILE)
    doc = export(store, iid)
    body = {k: v for k, v in doc.items() if k != "checksum"}
    assert orjson.dumps(body, option=orjson.OPT_SORT_KEYS) == bundle.canonical_bytes(doc)
    assert bundle._fast_verified(bundle.dumps(doc).encode()) == doc
    odd = {"z": "\x00" + HOSTILE, "é": [True, None, -3, 2**63 - 1], "\U0001f600": {"": ""}}
    assert orjson.dumps(odd, option=orjson.OPT_SORT_KEYS) == bundle._canon(odd).encode()


def test_numbers_orjson_writes_differently_still_import_exactly(store: Store) -> None:
    iid = populate(store)
    doc = export(store, iid)
    data = {"big": 123456789012345678901234567890, "float": 1e-07, "exp": 1e16}
    doc["evidence"][0]["data"] = data
    raw = bundle.dumps(bundle.seal(doc)).encode()
    assert bundle._fast_verified(raw) is None  # orjson differs: the standard path decides
    got = bundle.parse_bundle(raw)
    assert got["evidence"][0]["data"] == data
    assert type(got["evidence"][0]["data"]["big"]) is int


def test_tampered_lone_surrogate_and_bom_bundles_keep_their_messages(store: Store) -> None:
    iid = populate(store)
    doc = export(store, iid)
    good = bundle.dumps(doc).encode()
    assert bundle.parse_bundle(b"\xef\xbb\xbf" + good) == doc
    with pytest.raises(BundleError, match="checksum mismatch"):
        bundle.parse_bundle(good.replace(b"Fail over", b"Fall over"))
    broken = reseal(doc)
    broken["entries"][0]["revisions"][0]["text"] = "x\ud800"
    raw = json.dumps(broken).encode()  # ASCII escapes: "\ud800" is valid JSON text
    with pytest.raises(BundleError, match="lone surrogate"):
        bundle.parse_bundle(raw)


def test_column_wise_checks_still_name_the_bad_tag(store: Store) -> None:
    iid = populate(store)
    doc = reseal(export(store, iid))
    doc["entries"][0]["revisions"][0]["tags"] = ["ok", "two words"]
    with pytest.raises(BundleError, match=r"\$\.entries\[0\]\.revisions\[0\]\.tags\[1\]"):
        bundle.parse_bundle(json.dumps(bundle.seal(doc)).encode())
    doc["entries"][0]["revisions"][0]["tags"] = "www"
    with pytest.raises(BundleError, match=r"\.tags: expected array"):
        bundle.parse_bundle(json.dumps(bundle.seal(doc)).encode())


def test_cache_of_new_entries_equals_the_sql_refresh(stores: tuple[Store, Store, Store]) -> None:
    a, b, c = stores
    iid = populate(a)
    merge.merge_bundle(b, export(a, iid))
    shared = Timeline(a).entries(Timeline(a).filter(iid))[1]
    Timeline(a, author="alice").edit(shared.id, text="edited at A")
    time.sleep(0.005)
    Timeline(b, author="bob").edit(shared.id, text="edited at B")
    merge.merge_bundle(a, export(b, iid))  # a now holds a fork (a conflict)
    rep = merge.merge_bundle(c, export(a, iid))  # every entry new to c
    assert rep.conflicts == [shared.id]
    imported = db_snapshot(c)["entries"]
    assert imported == db_snapshot(a)["entries"]
    with c.write() as conn:
        for (eid,) in conn.execute("SELECT id FROM entries").fetchall():
            q.refresh_entry(conn, eid)
    assert db_snapshot(c)["entries"] == imported
    cur = q.get_entry(c, shared.id)
    assert cur is not None and cur.conflict and cur.text == "edited at B" and cur.revision == 3


def test_column_wise_check_refuses_every_wrong_value_the_full_check_refuses(
    store: Store,
) -> None:
    """Per field of an entry and a revision: a number, null, a list, a bad pattern or a
    missing key makes the column-wise check hand over to the full one, which refuses."""
    import copy

    from warroom.handover import schema

    doc = export(store, populate(store))
    assert schema._entries_ok(doc["entries"])
    cases = 0
    for where in ("entry", "revision"):
        keys = (
            [k for k in doc["entries"][0] if k != "revisions"]
            if where == "entry"
            else list(doc["entries"][0]["revisions"][0])
        )
        for key in keys:
            for bad in (5, None, ["x"], "not an id\n", schema._MISSING):
                d = copy.deepcopy(doc)
                rec = d["entries"][1] if where == "entry" else d["entries"][1]["revisions"][0]
                if bad is schema._MISSING:
                    del rec[key]
                else:
                    rec[key] = bad
                try:
                    schema.bundle_validator()(d, "$")
                except schema.SchemaViolation:
                    assert not schema._entries_ok(d["entries"]), (where, key, bad)
                    cases += 1
    assert cases > 40


def test_column_wise_consistency_agrees_with_the_walk(store: Store) -> None:
    """``_consistent`` (the quick pass) never accepts what ``_check_consistency`` (the
    record walk that words refusals) refuses, for every way a revision graph can break;
    when in doubt it hands over to the walk."""
    import copy

    iid = populate(store)
    tl = Timeline(store, author="alice")
    eid = tl.log(iid, "first words").value.id
    tl.revise(eid, text="second words")
    doc = export(store, iid)
    multi = next(i for i, e in enumerate(doc["entries"]) if len(e["revisions"]) > 1)
    single = next(i for i, e in enumerate(doc["entries"]) if len(e["revisions"]) == 1)
    other = doc["entries"][single]["revisions"][0]["id"]

    def edit_multi_parent_to_other(d: dict) -> None:
        d["entries"][multi]["revisions"][1]["parent"] = other

    def edit_self_parent(d: dict) -> None:
        r = d["entries"][single]["revisions"][0]
        r["parent"] = r["id"]

    def edit_single_parent_elsewhere(d: dict) -> None:
        d["entries"][single]["revisions"][0]["parent"] = d["entries"][multi]["revisions"][0]["id"]

    def edit_duplicate_across_entries(d: dict) -> None:
        d["entries"][single]["revisions"][0]["id"] = d["entries"][multi]["revisions"][0]["id"]

    def edit_duplicate_within_entry(d: dict) -> None:
        revs = d["entries"][multi]["revisions"]
        revs[1]["id"] = revs[0]["id"]

    def edit_unknown_parent(d: dict) -> None:
        d["entries"][multi]["revisions"][1]["parent"] = "01NOSUCHREVISION000000000"

    def unchanged(d: dict) -> None:
        pass

    verdicts = {}
    for edit in (
        unchanged,
        edit_multi_parent_to_other,
        edit_self_parent,
        edit_single_parent_elsewhere,
        edit_duplicate_across_entries,
        edit_duplicate_within_entry,
        edit_unknown_parent,
    ):
        d = copy.deepcopy(doc)
        edit(d)
        try:
            bundle._check_consistency(d)
            walk = True
        except BundleError:
            walk = False
        assert walk or not bundle._consistent(d), edit.__name__
        verdicts[edit.__name__] = walk
    assert verdicts["unchanged"] and not verdicts["edit_unknown_parent"]
    assert not verdicts["edit_duplicate_across_entries"]


@pytest.mark.parametrize("field", ["text", "author", "note", "hidden_reason"])
def test_a_nul_in_any_revision_text_field_is_refused(store: Store, field: str) -> None:
    from warroom.handover.rules import RuleViolation, check_records

    doc = export(store, populate(store))
    check_records(doc)
    doc["entries"][-1]["revisions"][0][field] = "before\x00after"
    with pytest.raises(RuleViolation, match=r"\$\.entries\[\d+\]\.revisions\[0\].*NUL"):
        check_records(doc)
