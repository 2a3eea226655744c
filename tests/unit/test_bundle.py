"""The JSON bundle: complete, sealed, readable, and checked before anything is trusted."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from helpers.handover import export, populate, reseal
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from warroom.handover import bundle
from warroom.handover.bundle import BundleError
from warroom.handover.schema import SchemaViolation, bundle_schema, validate_bundle
from warroom.services.timeline import Timeline
from warroom.store import Store


def test_bundle_holds_every_revision_hidden_entries_actions_evidence(store: Store) -> None:
    iid = populate(store)
    doc = export(store, iid)
    assert doc["format"] == "warroom-bundle"
    assert doc["schema_version"] == bundle.SCHEMA_VERSION
    assert doc["generator"].startswith("warroom ")
    assert doc["incident"]["title"] == "Hosting network outage"
    texts = [r["text"] for e in doc["entries"] for r in e["revisions"]]
    assert "Fail over to site B" in texts
    assert "Fail over to site B (core router line card)" in texts
    hidden = [e for e in doc["entries"] if e["revisions"][-1]["hidden"]]
    assert [e["revisions"][-1]["text"] for e in hidden] == ["secret internal remark"]
    assert {a["text"] for a in doc["action_items"]} == {
        "check the BGP sessions",
        "Write the post-incident report",
    }
    assert doc["evidence"][0]["data"]["umlaut"] == "Zürich"
    fields = [c["field"] for c in doc["incident_changes"]]
    assert "status" in fields
    assert "comms_lead" in fields
    validate_bundle(doc)


def test_checksum_is_sha256_of_the_documented_canonical_form(store: Store) -> None:
    doc = export(store, populate(store))
    body = {k: v for k, v in doc.items() if k != "checksum"}
    canon = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert doc["checksum"] == "sha256:" + hashlib.sha256(canon.encode("utf-8")).hexdigest()
    assert "Zürich".encode() in bundle.canonical_bytes(doc)


def test_written_text_parses_back_identically(store: Store) -> None:
    doc = export(store, populate(store))
    text = bundle.dumps(doc)
    assert json.loads(text) == doc
    assert bundle.parse_bundle(text.encode()) == doc
    # One record per line: a diff of two bundles shows changed entries, not a blob.
    assert text.count("\n") > len(doc["entries"])


def test_schema_file_is_the_shipped_json_schema() -> None:
    s = bundle_schema()
    assert s["$schema"].startswith("https://json-schema.org/")
    assert "entry" in s["$defs"]


@pytest.mark.parametrize(
    ("mutate", "path"),
    [
        (lambda d: d["entries"][0]["revisions"][0].__setitem__("pinned", "yes"), "pinned"),
        (lambda d: d["entries"][0].pop("author"), "$.entries[0].author: missing"),
        (lambda d: d["incident"].__setitem__("severity", "SEV9"), "$.incident.severity"),
        (
            lambda d: d["entries"][1]["revisions"][0].__setitem__("occurred_at", "yesterday"),
            "occurred_at",
        ),
        (lambda d: d.__setitem__("entries", {}), "$.entries: expected array"),
        (lambda d: d["entries"][0].__setitem__("revisions", []), "at least 1"),
        (lambda d: d["action_items"][0].__setitem__("surprise", 1), "unknown field"),
        (lambda d: d["entries"][1]["revisions"][0].__setitem__("tags", "www"), "].tags: expected"),
        (
            lambda d: d["entries"][1]["revisions"][0].__setitem__("tags", ["two words"]),
            "].tags[0]",
        ),
        (lambda d: d["entries"][1]["revisions"][0].__setitem__("parent", 7), "].parent"),
    ],
)
def test_schema_violations_name_the_json_path(store: Store, mutate, path: str) -> None:  # type: ignore[no-untyped-def]
    doc = reseal(export(store, populate(store)))
    mutate(doc)
    with pytest.raises(SchemaViolation) as err:
        validate_bundle(doc)
    assert path in str(err.value)
    with pytest.raises(BundleError) as err2:
        bundle.parse_bundle(json.dumps(bundle.seal(doc)).encode(), where="x.json")
    assert str(err2.value).startswith("x.json: ")
    assert path in str(err2.value)


def test_refusals_say_why(store: Store, tmp_path: Path) -> None:
    doc = export(store, populate(store))
    good = bundle.dumps(doc).encode()
    cases = {
        b"": "empty",
        b"hello": "not valid JSON",
        good[: len(good) // 2]: "truncated",
        b"[1, 2]": "not a Warroom bundle",
        good.replace(b"Hosting network outage", b"Hosting network outagE"): "checksum mismatch",
        good.replace(b'"schema_version": 1', b'"schema_version": 7'): "newer Warroom",
        b"\xff\xfe": "not UTF-8",
    }
    for data, why in cases.items():
        with pytest.raises(BundleError) as err:
            bundle.parse_bundle(data, where="b.json")
        assert why in str(err.value), (data[:40], str(err.value))
    no_sum = dict(doc)
    del no_sum["checksum"]
    with pytest.raises(BundleError, match="checksum: missing"):
        bundle.parse_bundle(json.dumps(no_sum).encode())
    with pytest.raises(BundleError, match="cannot read"):
        bundle.read_bundle_file(tmp_path / "missing.json")


def test_consistency_entry_of_another_incident_is_refused(store: Store) -> None:
    doc = reseal(export(store, populate(store)))
    doc["entries"][2]["incident"] = "01OTHERINCIDENT0000000000"
    with pytest.raises(BundleError, match=r"\$\.entries\[2\]\.incident: .*belongs to incident"):
        bundle.parse_bundle(json.dumps(bundle.seal(doc)).encode())


def test_consistency_duplicates_and_dangling_references(store: Store) -> None:
    base = export(store, populate(store))
    doc = reseal(base)
    doc["entries"].append(doc["entries"][0])
    with pytest.raises(BundleError, match="appears twice"):
        bundle.parse_bundle(json.dumps(bundle.seal(doc)).encode())
    doc = reseal(base)
    doc["entries"][1]["revisions"][-1]["parent"] = "01NOSUCHREVISION000000000"
    with pytest.raises(BundleError, match="not a revision of this entry"):
        bundle.parse_bundle(json.dumps(bundle.seal(doc)).encode())
    doc = reseal(base)
    doc["evidence"][0]["entry"] = "01NOSUCHENTRY000000000000"
    with pytest.raises(BundleError, match=r"\$\.evidence\[0\]\.entry"):
        bundle.parse_bundle(json.dumps(bundle.seal(doc)).encode())


any_text = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=30)


@settings(max_examples=200, deadline=None)
@given(
    text=any_text,
    author=any_text,
    reason=any_text,
    tags=st.lists(any_text.filter(lambda t: t and " " not in t), max_size=3),
    flags=st.tuples(st.booleans(), st.booleans(), st.booleans()),
    parent=st.none() | st.just("01PARENT000000000000000000"),
    meta=st.dictionaries(any_text, any_text | st.integers(), max_size=2),
)
def test_canonical_entry_from_rows_equals_json_dumps(
    text: str, author: str, reason: str, tags: list[str], flags: tuple[bool, bool, bool],
    parent: str | None, meta: dict[str, object],
) -> None:  # fmt: skip
    pinned, external, hidden = flags
    t = "2026-11-24T09:42:05.123Z"
    rev = ("01REV", "01ENTRY", parent, t, author, t, "note", text, " ".join(tags),
           int(pinned), int(external), int(hidden), reason, "edit")  # fmt: skip
    shell = ("01ENTRY", "01INC", t, author, json.dumps(meta))
    record = {
        "id": "01ENTRY", "incident": "01INC", "recorded_at": t, "author": author,
        "meta": meta,
        "revisions": [{
            "id": "01REV", "parent": parent, "recorded_at": t, "author": author,
            "occurred_at": t, "kind": "note", "text": text, "tags": tags, "pinned": pinned,
            "external": external, "hidden": hidden, "hidden_reason": reason, "note": "edit",
        }],
    }  # fmt: skip
    canon = json.dumps(record, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert bundle.canonical_entry(shell, [rev]) == canon


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    texts=st.lists(any_text, min_size=1, max_size=3),
    author=any_text,
    reason=any_text,
    tags=st.lists(any_text.filter(lambda t: t and " " not in t), max_size=3),
    flags=st.tuples(st.booleans(), st.booleans(), st.booleans()),
    meta=st.dictionaries(any_text, any_text | st.integers(), max_size=2),
)
def test_entry_json_written_by_sqlite_equals_canonical_entry(
    store: Store, texts: list[str], author: str, reason: str, tags: list[str],
    flags: tuple[bool, bool, bool], meta: dict[str, object],
) -> None:  # fmt: skip
    """``hq.read_entry_json`` (SQLite's json_quote) writes what ``canonical_entry``
    (Python's json escaping) writes, for any text, tags, flags and revision chain."""
    from warroom.base import ids
    from warroom.store import handover as hq

    iid = Timeline(store, author="t").new_incident("json").id
    pinned, external, hidden = flags
    t = "2026-11-24T09:42:05.123Z"
    eid, parent = ids.new_id(), None
    revs = []
    for n, text in enumerate(texts):
        rid = ids.new_id()
        revs.append((rid, eid, parent, t[:-4] + f"{n:03d}Z", author, t, "note", text,
                     " ".join(tags), int(pinned), int(external), int(hidden), reason,
                     "edit"))  # fmt: skip
        parent = rid
    with store.write() as conn:
        row = (eid, iid, t, author, json.dumps(meta), t, "note", texts[-1], " ".join(tags),
               int(pinned), int(external), int(hidden), reason, len(revs), parent, t, author,
               0)  # fmt: skip
        hq.insert_entries_cached(conn, [row])
        hq.insert_revisions(conn, revs)
    shell = (eid, iid, t, author, json.dumps(meta))
    rows = [r for r in hq.read_entry_json(store, iid) if r[0] == eid]  # not "Incident opened"
    head, meta_text, mid = rows[0][1], rows[0][2], rows[0][3]
    got = (
        head
        + bundle._canon(json.loads(meta_text))
        + mid
        + ",".join(r[4] or "" for r in rows)
        + "]}"
    )
    assert got == bundle.canonical_entry(shell, revs)


def test_fast_json_export_equals_the_dict_bundle(store: Store) -> None:
    iid = populate(store)
    Timeline(store, author='quote " backslash \\ tab \t nl \n').log(
        iid, 'Zürich — "quoted" \\ \u2028 \x01 😀', tags=["ä"]
    )
    fast = bundle.parse_bundle("".join(bundle.export_json(store, iid, exported_by="t")).encode())
    slow = bundle.build_bundle(store, iid, exported_by="t")
    for d in (fast, slow):
        d.pop("exported_at"), d.pop("checksum")
    assert fast == slow


def test_a_pattern_end_is_the_end_of_the_string(store: Store) -> None:
    """JSON Schema's ``$`` (ECMA-262) does not match before a final newline, as Python's
    does: an id or a time with a trailing newline is refused, by the column-wise check
    and by the record-by-record one alike."""
    base = export(store, populate(store))
    for where, edit in (
        (r"\$\.entries\[0\]\.id", lambda d: d["entries"][0].__setitem__("id", "01ABC\n")),
        (
            r"\$\.entries\[1\]\.revisions\[0\]\.recorded_at",
            lambda d: d["entries"][1]["revisions"][0].__setitem__(
                "recorded_at", d["entries"][1]["revisions"][0]["recorded_at"] + "\n"
            ),
        ),
        (
            r"\$\.incident\.id",
            lambda d: d["incident"].__setitem__("id", d["incident"]["id"] + "\n"),
        ),
    ):
        doc = reseal(base)
        edit(doc)
        with pytest.raises(BundleError, match=where):
            bundle.parse_bundle(json.dumps(bundle.seal(doc)).encode())
