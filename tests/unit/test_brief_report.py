"""The handover brief and the post-incident report draft, from a realistic record."""

from __future__ import annotations

import pytest
from helpers.handover import add_outage, populate

from warroom.base import timeutil
from warroom.handover.brief import build_brief, render_brief_html, render_brief_markdown
from warroom.handover.facts import measure_downtime, probe_picture, wording_findings
from warroom.handover.report import build_report, check_text, report_html
from warroom.handover.view import load_view
from warroom.services.timeline import Timeline
from warroom.store import Store
from warroom.store import handover as hq

VANTAGES = ["system", "isp-a", "isp-b", "isp-c"]


def _scenario(store: Store) -> str:
    iid = populate(store)
    tl = Timeline(store, author="carol")
    tl.set_incident(
        iid,
        started_at="2026-11-24T08:00:00Z",
        detected_at="2026-11-24T08:10:00Z",
        objectives="Restore www; exit when every vantage is up for 30 min",
        next_update_due="2026-11-24T09:00:00Z",
        force=True,
    )
    tl.log(
        iid,
        "Our services were only unreachable via individual access providers",
        kind="comms",
        external=True,
        meta={"channel": "mastodon-ops"},
    )
    add_outage(
        store,
        target="www",
        vantages=VANTAGES,
        down_at="2026-11-24T08:02:00.000Z",
        up_at="2026-11-24T11:05:00.000Z",
    )
    add_outage(
        store,
        target="smtp",
        vantages=VANTAGES,
        down_at="2026-11-24T08:05:00.000Z",
        up_at=None,
        down_vantages=["isp-a"],
    )
    return iid


def test_brief_has_every_section_in_order(store: Store) -> None:
    iid = _scenario(store)
    b = build_brief(
        store, iid, prepared_by="carol", prepared_for="Dave", now="2026-11-24T09:30:00.000Z"
    )
    md = render_brief_markdown(b)
    heads = [line for line in md.splitlines() if line.startswith("## ")]
    assert heads == [
        "## 1. Current situation",
        "## 2. Command",
        "## 3. Objectives and exit criteria",
        "## 4. Open actions (2)",
        "## 5. Communication",
        "## 6. What the probes see now",
        "## 7. Pinned entries (1), newest first",
        "## 8. Recent entries (last 13), newest first",
    ]
    assert "| Prepared for | Dave |" in md
    assert "| Incident commander | Alice |" in md
    assert "exit when every vantage is up" in md
    assert "check the BGP sessions — **NO OWNER**" in md
    assert "Write the post-incident report — Bob" in md
    assert "mastodon-ops" in md
    assert "only unreachable via individual access providers" in md
    assert "OVERDUE by 30m 00s" in md
    assert "www: up from all 4 vantage points" in md  # recovered at 11:05
    assert "smtp: DOWN via isp-a; up via isp-b, isp-c, system" in md
    html = render_brief_html(b)
    assert "<strong>DOWN</strong> timeout" in html


def test_brief_reads_only_what_it_shows_and_shows_what_the_whole_view_gives(
    store: Store,
) -> None:
    # The brief reads its entries with one narrow query; the oracle is the whole view
    # (every current entry), newest first, as exports read it.
    iid = populate(store)
    tl = Timeline(store, author="Alice")
    # The newest entries: comms only among the first eight (older than the 15 most
    # recent), the newest of them hidden; more hidden among the most recent.
    for i in range(40):
        kind = "comms" if i < 8 and i % 2 else ("observation", "decision", "action")[i % 3]
        e = tl.log(iid, f"step {i}", kind=kind, pinned=i % 9 == 0).value
        if i in (7, 37, 38):
            tl.hide(e.id, "duplicate")
    b = build_brief(store, iid, prepared_by="Alice")
    everything = sorted(
        load_view(store, iid).entries, key=lambda e: (e.occurred_at, e.id), reverse=True
    )
    assert [e.id for e in b.recent] == [e.id for e in everything[:15]]
    assert [e.id for e in b.pinned] == [e.id for e in everything if e.pinned]
    comms = [e for e in everything if e.kind == "comms"]
    assert b.last_comms is not None and b.last_comms.id == comms[0].id
    assert b.last_comms.text == "step 5"  # the newest comms entry, 7, is hidden
    shown = [*b.recent, *b.pinned, b.last_comms]
    assert not any(e.hidden or e.text in ("step 7", "step 37", "step 38") for e in shown)
    assert len(b.pinned) == 5 + len([e for e in everything if e.pinned and "step" not in e.text])


def test_probe_picture_at_a_moment_and_without_data(store: Store) -> None:
    assert probe_picture(store).samples == []
    _scenario(store)
    p = probe_picture(store, at="2026-11-24T09:00:00.000Z")
    assert p.down_via("www") == sorted(VANTAGES)
    assert p.down_via("smtp") == ["isp-a"]


def test_measured_downtime_any_and_every_vantage(store: Store) -> None:
    _scenario(store)
    m = measure_downtime(store, "2026-11-24T08:00:00.000Z", "2026-11-24T12:00:00.000Z")
    by = {t.target: t for t in m.targets}
    assert by["www"].down_any_s == by["www"].down_all_s == 3 * 3600 + 3 * 60
    assert by["www"].all_vantages_down
    assert by["smtp"].down_vantages == ["isp-a"]
    assert by["smtp"].down_any_s == 3600 * 4 - 5 * 60  # still down at the end
    assert by["smtp"].down_all_s == 0
    clipped = measure_downtime(store, "2026-11-24T10:00:00.000Z", "2026-11-24T10:30:00.000Z")
    assert {t.target: t.down_any_s for t in clipped.targets} == {"smtp": 1800, "www": 1800}


def test_report_draft_measures_and_flags_downplaying(store: Store) -> None:
    iid = _scenario(store)
    Timeline(store).set_incident(
        iid, status="resolved", resolved_at="2026-11-24T11:10:00Z", force=True
    )
    draft = build_report(store, iid, tz="Europe/Zurich")
    md = draft.markdown
    for head in (
        "## Summary",
        "## Apology",
        "## Impact",
        "### Measured facts",
        "## Timeline",
        "## Root cause and contributing factors",
        "## What went well",
        "## What did not go well",
        "## Lessons and measures",
    ):
        assert head in md
    assert "**Duration of impact: 3h 10m**" in md
    assert "Time to detect: 10m 00s" in md
    assert "| www | 4 of 4 (isp-a, isp-b, isp-c, system) | 3h 03m | 3h 03m |" in md
    assert "| smtp | 1 of 4 (isp-a) |" in md
    assert "| Write the post-incident report | Bob |" in md
    assert "| check the BGP sessions | **owner needed** |" in md
    assert "www answers 502" in md.split("## Timeline")[1]  # pinned moment
    assert draft.findings
    assert "Wording check" in md
    assert "individual access providers" in draft.findings[0].phrase
    assert "all 4 vantage points" in draft.findings[0].contradiction
    assert "over every network we measured" in md
    html = report_html(md, draft.title)
    assert "<h2>Apology</h2>" in html


def test_report_reads_only_some_entries_and_writes_what_all_of_them_give(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The report reads pinned, comms and external entries only; with every entry read
    # (the oracle) the draft must come out the same, word for word.
    iid = _scenario(store)
    tl = Timeline(store, author="Alice")
    for i in range(30):
        kind = ("observation", "comms", "decision")[i % 3]
        e = tl.log(iid, f"step {i}: only some providers", kind=kind, external=i % 5 == 0).value
        if i % 7 == 0:
            tl.pin(e.id)
        if i in (4, 13):
            tl.hide(e.id, "duplicate")
    tl.set_incident(iid, status="resolved", resolved_at="2026-11-24T11:10:00Z", force=True)
    fixed = "2026-11-24T12:00:00.000Z"
    monkeypatch.setattr(timeutil, "now_str", lambda: fixed)
    narrow = build_report(store, iid, tz="Europe/Zurich")
    monkeypatch.setattr(
        hq, "read_report_rows", lambda st, i: hq.read_entry_rows(st, i, include_hidden=False)
    )
    whole = build_report(store, iid, tz="Europe/Zurich")
    assert len(narrow.view.rows) < len(whole.view.rows)
    assert narrow.markdown == whole.markdown
    assert narrow.findings == whole.findings and len(narrow.findings) > 1


def test_no_flag_when_the_measurements_agree(store: Store) -> None:
    _scenario(store)
    partial = measure_downtime(store, "2026-11-24T11:10:00.000Z", "2026-11-24T12:00:00.000Z")
    assert wording_findings([("x", "only some access providers were affected")], partial) == []


def test_editor_check_finds_german_and_english_downplaying(store: Store) -> None:
    iid = _scenario(store)
    Timeline(store).set_incident(iid, resolved_at="2026-11-24T11:10:00Z", force=True)
    found = check_text(
        store,
        iid,
        "Unsere Dienste waren nur über einzelne Zugangsprovider nicht erreichbar; "
        "der Zugang war zeitweise erschwert. Only some customers saw a partial outage.",
    )
    phrases = " | ".join(f.phrase for f in found).lower()
    assert "nur über einzelne" in phrases
    assert "zeitweise erschwert" in phrases
    assert "only some customers" in phrases
    assert check_text(store, iid, "Every customer lost access for three hours.") == []
