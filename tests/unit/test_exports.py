"""Exports for people: content, time zones, pinned marked, hidden left out unless asked."""

from __future__ import annotations

import csv
import io
import os
from datetime import UTC, datetime

import pytest
from helpers.handover import populate
from hypothesis import example, given, settings
from hypothesis import strategies as st

from warroom.handover import text as t
from warroom.handover.brief import build_brief, render_brief_markdown
from warroom.handover.csv_export import render_csv
from warroom.handover.html import render_html
from warroom.handover.markdown import render_markdown
from warroom.handover.view import load_view, make_clock
from warroom.services.timeline import Timeline
from warroom.store import Store

AT = datetime(2026, 11, 24, 9, 42, 5, tzinfo=UTC)


@pytest.fixture
def iid(store: Store) -> str:
    i = populate(store)
    Timeline(store, author="alice").log(i, "Backdated pinned note", at=AT, pinned=True)
    return i


def test_markdown_has_facts_pinned_section_and_timeline(store: Store, iid: str) -> None:
    md = render_markdown(load_view(store, iid, tz="Europe/Zurich"))
    assert md.startswith("# Incident: Hosting network outage")
    assert "| Severity | SEV1 |" in md
    assert "| Commander | Alice |" in md
    pinned = md.split("## 📌 Pinned entries (2)")[1].split("## Timeline")[0]
    assert "www answers 502" in pinned
    assert "Backdated pinned note" in pinned
    assert "📌 **PINNED**" in pinned
    timeline = md.split("## Timeline")[1]
    assert "Fail over to site B (core router line card)" in timeline
    assert "revision 2" in timeline
    assert "- [ ] Write the post-incident report — Bob" in md


def test_times_in_the_chosen_zone_with_utc_alongside(store: Store, iid: str) -> None:
    zurich = render_markdown(load_view(store, iid, tz="Europe/Zurich"))
    assert "### 2026-11-24" in zurich
    assert "**10:42:05 CET** · `09:42:05Z`" in zurich
    ny = render_markdown(load_view(store, iid, tz="America/New_York"))
    assert "**04:42:05 EST** · `09:42:05Z`" in ny
    utc = render_markdown(load_view(store, iid, tz="UTC"))
    assert "**09:42:05 UTC** · observation" in utc  # UTC is not shown twice
    html = render_html(load_view(store, iid, tz="Asia/Tokyo"))
    assert "18:42:05 JST" in html
    assert "<code>09:42:05Z</code>" in html


def test_clock_shows_the_utc_date_when_the_day_differs() -> None:
    c = make_clock("Europe/Zurich")
    assert c.full("2026-11-24T23:30:00.000Z") == "2026-11-25 00:30:00 CET (2026-11-24 23:30:00Z)"
    assert c.utc_time("2026-11-24T23:30:00.000Z") == "2026-11-24 23:30:00Z"
    assert c.full("2026-07-01T12:00:00.000Z").startswith("2026-07-01 14:00:00 CEST")


def test_hidden_entries_left_out_unless_asked(store: Store, iid: str) -> None:
    for render in (render_markdown, render_html, render_csv):
        without = render(load_view(store, iid))
        assert "secret internal remark" not in without
        with_hidden = render(load_view(store, iid, include_hidden=True))
        assert "secret internal remark" in with_hidden
    md = render_markdown(load_view(store, iid))
    assert "1 hidden entry left out" in md
    shown = render_markdown(load_view(store, iid, include_hidden=True))
    assert "**HIDDEN** (wrong incident)" in shown


def test_html_marks_pinned_entries(store: Store, iid: str) -> None:
    html = render_html(load_view(store, iid, tz="UTC"))
    assert html.count("class='entry pinned'") == 4  # 2 in the pinned section + 2 in the timeline
    assert "📌 PINNED" in html
    assert "<!DOCTYPE html>" in html
    assert "Content-Security-Policy" in html


def test_csv_rows_round_trip_and_neutralise_formulas(store: Store, iid: str) -> None:
    tl = Timeline(store, author="=cmd|'/C calc'!A0")
    tl.log(iid, '=HYPERLINK("http://x")')
    tl.log(iid, 'a, "quoted"\nsecond line')
    rows = list(csv.DictReader(io.StringIO(render_csv(load_view(store, iid, tz="Europe/Zurich")))))
    texts = [r["text"] for r in rows]
    assert 'a, "quoted"\nsecond line' in texts
    assert '\'=HYPERLINK("http://x")' in texts
    assert all(not r["author"].startswith("=") for r in rows)
    pinned = [r for r in rows if r["pinned"] == "yes"]
    assert {r["text"] for r in pinned} == {
        "www answers 502 from isp-a and isp-b #www",
        "Backdated pinned note",
    }
    back = next(r for r in rows if r["text"] == "Backdated pinned note")
    assert back["occurred_at_utc"] == "2026-11-24T09:42:05.000Z"
    assert back["occurred_at_local"] == "2026-11-24 10:42:05 CET"


def test_markdown_export_is_inert_even_in_a_renderer_that_allows_html(
    store: Store, iid: str
) -> None:
    from markdown_it import MarkdownIt

    tl = Timeline(store, author="mallory <img src=x onerror=alert(1)>")
    for payload in (
        "<script>alert(1)</script>",
        "[click](javascript:alert(1))",
        "[x](&#106;avascript:alert(1))",
        "[ref]\n\n[ref]: javascript:alert(1)",
        "<img src=x onerror=alert(1)>",
        "&lt;script&gt;",
    ):
        tl.log(iid, payload)
    md = render_markdown(load_view(store, iid))
    # A CommonMark renderer with raw HTML allowed (the full corpus: test_markdown_inert.py).
    rendered = MarkdownIt("commonmark", {"html": True}).render(md).lower()
    assert "<script" not in rendered
    assert "<img" not in rendered
    assert "javascript:" not in rendered.replace("[click](javascript:", "").replace(
        "[x](javascript:", ""
    ).replace("[ref]: javascript:", "")
    assert 'href="javascript' not in rendered


plain = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=["Cs", "Cc"])
    | st.sampled_from(" .,:;-+#'\"()/%$"),
    max_size=40,
)


markdownish = st.lists(
    st.sampled_from(
        [
            "**b**",
            "_i_",
            "`c`",
            "[l](https://x.ch)",
            "<x>",
            "&amp;",
            "\\*",
            " ",
            "a",
            "#",
            "-",
            "1.",
        ]
    )
    | plain,
    max_size=6,
).map("".join)


@settings(max_examples=int(os.environ.get("HYPOTHESIS_EXAMPLES", "400")), deadline=None)
@example("##")
@example("---")
@example("1) item")
@example("  # heading")
@example("#www down")
@example("192.0.2.53 answers")
@example("1.")
@example("#")
@example("7) x")
@example("foo_bar_ and *b*")
@example("a  **b**  ")
@example("[a]: https://x.ch")
@example("___")
@example("```x")
@example("~~~")
@example("a ~~b~~ c")
@example("a \\*b* c")
@example("isp-a: x<y> &amp; [l](https://x.ch)")
@example("\tcode")
@given(plain | markdownish)
def test_fast_path_renders_exactly_like_the_renderer(s: str) -> None:
    assert t.render_markdown(s) == t.render_markdown_full(s)


def test_exports_write_values_as_a_person_reads_them(store: Store, iid: str) -> None:
    """Issue 9, item 12: no ``[]``, ``["dns", "www"]``, raw ISO times or "1 entries"."""
    tl = Timeline(store, author="alice")
    tl.set_incident(iid, affected_services=["www", "dns"])
    tl.set_incident(iid, started_at="2026-11-24T08:50:00Z")
    v = load_view(store, iid, tz="Europe/Zurich")
    outputs = {
        "md": render_markdown(v),
        "html": render_html(v),
        "brief": render_brief_markdown(
            build_brief(store, iid, prepared_by="a", tz="Europe/Zurich")
        ),
    }
    for name, out in outputs.items():
        assert '["' not in out and "[]" not in out and "&quot;dns" not in out, name
        assert "2026-11-24T08:50:00.000Z" not in out, name
        assert "entries)" not in out or "1 entries" not in out, name
    md = outputs["md"]
    assert "Affected services changed from (none) to dns, www" in md
    assert "Started changed from (none) to 2026-11-24 09:50:00 CET (2026-11-24 08:50:00Z)" in md
    assert "| affected services | — | dns, www |" in md
    assert "1 hidden entry left out" in md


def test_timelines_written_from_rows_equal_the_entry_renderers(store: Store, iid: str) -> None:
    """The Markdown and HTML timelines are written from rows (no ``Entry`` per row): each
    entry must come out exactly as ``entry_md`` / ``entry_html`` write its ``Entry``."""
    from warroom.base import ids
    from warroom.handover.html import entry_html
    from warroom.handover.markdown import entry_md
    from warroom.store import handover as hq

    tl = Timeline(store, author="bob <b>")
    e = tl.log(iid, "tagged *md* <b> `x`", tags=["dns", "www"], external=True, pinned=True).value
    tl.set_incident(iid, affected_services=["www", "dns"])  # a status entry, reworded
    with store.write() as conn:  # a concurrent edit: a second revision of the same parent
        t = "2026-11-24T09:50:00.000Z"
        rev = (ids.new_id(), e.id, None, t, "carol", e.occurred_at, "note", "other text",
               "", 0, 0, 0, "", "edit")  # fmt: skip
        hq.insert_revisions(conn, [rev])
        hq.refresh_entries(conn, hq.ids_json([e.id]))
    v = load_view(store, iid, tz="Europe/Zurich", include_hidden=True)
    c = v.clock
    kinds = {e.kind for e in v.entries}
    assert {"status", "comms", "observation"} <= kinds and any(e.hidden for e in v.entries)
    assert any(e.tags for e in v.entries) and any(e.revision > 1 for e in v.entries)
    assert any(e.conflict for e in v.entries) and any(e.external for e in v.entries)
    outputs = (
        (render_markdown(v), lambda e: entry_md(e, c) + "\n"),
        (render_html(v), lambda e: entry_html(e, c)),
        (render_html(v, qt=True), lambda e: entry_html(e, c, qt=True)),
    )
    for out, one in outputs:
        timeline = out.split("Timeline (", 1)[1]
        pos = 0
        for e in v.entries:
            at = timeline.find(one(e), pos)
            assert at >= 0, (e, one(e))
            pos = at + 1
