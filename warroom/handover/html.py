"""The self-contained HTML export: inline CSS, no scripts, no remote resources, printable.

Every piece of user text goes through ``text.esc`` (plain values) or
``text.render_markdown`` (entry text: rendered, then sanitised). A Content Security
Policy in the page forbids scripts and remote loads as a second line of defence.
The same builder, with ``qt=True``, produces the simpler HTML that QTextDocument
lays out for the PDF.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

from warroom.base.markup import CSP
from warroom.domain.incidents import FIELD_LABELS, MILESTONE_LABELS, MILESTONES, Entry
from warroom.handover.text import esc, render_markdown
from warroom.handover.view import ROW_OCCURRED, Clock, ExportView, duration
from warroom.handover.wording import field_value, hidden_note, plural
from warroom.store.handover import EntryRow

CSS = """
:root { color-scheme: light; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial,
  sans-serif; color: #1b1f24; background: #fff; margin: 2rem auto; max-width: 62rem;
  padding: 0 1.25rem; }
h1 { font-size: 1.6rem; margin: 0 0 .75rem; }
h2 { font-size: 1.2rem; margin: 1.8rem 0 .6rem; border-bottom: 2px solid #d0d7de;
  padding-bottom: .2rem; }
h3 { font-size: 1rem; margin: 1.2rem 0 .4rem; color: #57606a; }
table.facts { border-collapse: collapse; margin-bottom: 1rem; }
table.facts th { text-align: left; padding: .15rem 1rem .15rem 0; color: #57606a;
  font-weight: 600; vertical-align: top; white-space: nowrap; }
table.facts td { padding: .15rem 0; }
table.list { border-collapse: collapse; width: 100%; font-size: .92rem; }
table.list th, table.list td { border-bottom: 1px solid #d8dee4; padding: .3rem .5rem;
  text-align: left; vertical-align: top; }
table.list th { background: #f6f8fa; }
.entry { border-left: 4px solid #d0d7de; padding: .35rem .75rem; margin: .45rem 0;
  break-inside: avoid; }
.entry .meta { font-size: .86rem; color: #57606a; }
.entry .meta .t { color: #1b1f24; font-weight: 600; }
.entry .meta code, .utc { font-family: ui-monospace, "SF Mono", Menlo, Consolas, monospace;
  font-size: .84rem; color: #57606a; }
.entry .body { overflow-wrap: anywhere; }
.entry .body p { margin: .25rem 0; }
.entry .body pre { background: #f6f8fa; padding: .5rem; overflow-x: auto;
  white-space: pre-wrap; }
.entry.pinned { border-left-color: #bf8700; background: #fff8c5; }
.entry.hidden { border-left-color: #8c959f; background: #f6f8fa; color: #57606a; }
.entry.conflict { border-left-color: #cf222e; }
.badge { display: inline-block; font-size: .75rem; font-weight: 700; padding: 0 .4rem;
  border-radius: .6rem; border: 1px solid currentColor; margin-left: .3rem; }
.badge.pin { color: #7d4e00; background: #fff1a8; }
.badge.hid { color: #57606a; }
.badge.con { color: #cf222e; }
.badge.ext { color: #0550ae; }
.kind { text-transform: uppercase; font-size: .74rem; letter-spacing: .04em; font-weight: 700; }
.k-decision { color: #8250df; } .k-action { color: #0550ae; } .k-comms { color: #1a7f37; }
.k-status { color: #57606a; } .k-observation { color: #1b1f24; } .k-handover { color: #bc4c00; }
.none { color: #8c959f; font-style: italic; }
.warn { border: 2px solid #cf222e; background: #ffebe9; padding: .5rem .75rem; }
footer { margin-top: 2rem; color: #8c959f; font-size: .8rem; }
@media print {
  body { margin: 0; max-width: none; font-size: 10.5pt; }
  a { color: inherit; }
  h2 { break-after: avoid; }
  .entry.pinned { background: #fff8c5; -webkit-print-color-adjust: exact;
    print-color-adjust: exact; }
}
"""


def page_start(title: str, *, qt: bool = False) -> str:
    if qt:
        return "<html><head><meta charset='utf-8'><title>" + esc(title) + "</title></head><body>"
    return (
        "<!DOCTYPE html>\n<html lang='en'>\n<head>\n<meta charset='utf-8'>\n"
        f"<meta http-equiv='Content-Security-Policy' content=\"{CSP}\">\n"
        "<meta name='referrer' content='no-referrer'>\n"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>\n"
        f"<title>{esc(title)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n"
    )


def page_end(v: ExportView) -> str:
    return (
        f"<footer>Exported by Warroom · {esc(v.clock.full(v.generated_at))}"
        + (f" by {esc(v.generated_by)}" if v.generated_by else "")
        + "</footer>\n</body>\n</html>\n"
    )


def facts_table(rows: list[tuple[str, str]], *, qt: bool = False) -> str:
    """Rows of (label, already-escaped HTML)."""
    body = "".join(f"<tr><th>{esc(k)}</th><td>{v}</td></tr>" for k, v in rows)
    attrs = " cellspacing='0' cellpadding='2'" if qt else ""
    return f"<table class='facts'{attrs}>{body}</table>\n"


def incident_facts(v: ExportView) -> list[tuple[str, str]]:
    inc, c = v.incident, v.clock
    rows = [
        ("Incident", f"<code>{esc(inc.id)}</code>"),
        ("Severity", esc(inc.severity)),
        ("Status", esc(inc.status)),
        ("Commander", esc(inc.commander) or "<span class='none'>—</span>"),
        ("Comms lead", esc(inc.comms_lead) or "<span class='none'>—</span>"),
    ]
    if inc.next_commander:
        rows.append(("Next commander", esc(inc.next_commander)))
    if inc.affected_services:
        rows.append(("Affected services", esc(", ".join(inc.affected_services))))
    for m in MILESTONES:
        value = getattr(inc, m)
        if value:
            rows.append((MILESTONE_LABELS[m].capitalize(), esc(c.full(value))))
    took = duration(inc.start, inc.resolved_at or v.generated_at)
    if took:
        rows.append(("Duration", esc(took + ("" if inc.resolved_at else " so far"))))
    rows.append(("Times", esc(c.name + ("" if c.is_utc else ", UTC alongside"))))
    return rows


def entry_html(e: Entry, c: Clock, *, with_day: bool = False, qt: bool = False) -> str:
    return _entry_html(
        e.id, e.occurred_at, e.kind, e.author, e.text, e.tags, e.pinned, e.external, e.hidden,
        e.hidden_reason, e.revision, e.conflict, c, with_day=with_day, qt=qt,
    )  # fmt: skip


def _row_html(r: EntryRow, c: Clock, *, qt: bool = False) -> str:
    """``entry_html`` of the entry a row holds, without building the ``Entry``."""
    (eid, _i, _r, author, _m, occurred_at, kind, text, tags, pinned, external, hidden,
     reason, revision, _c, _ea, _eb, conflict) = r  # fmt: skip
    return _entry_html(
        eid, occurred_at, kind, author, text, tags.split(" ") if tags else (), pinned,
        external, hidden, reason, revision, conflict, c, qt=qt,
    )  # fmt: skip


def _entry_html(
    eid: str, occurred_at: str, kind: str, author: str, text: str, tag_list: Sequence[str],
    pinned: object, external: object, hidden: object, hidden_reason: str, revision: int,
    conflict: object, c: Clock, *, with_day: bool = False, qt: bool = False,
) -> str:  # fmt: skip
    day, time, at = c.stamp(occurred_at)
    when = day + " " + time if with_day else time
    tags = (" · " + esc(" ".join("#" + t for t in tag_list))) if tag_list else ""
    rev = f" · rev {revision}" if revision > 1 else ""
    utc = "" if c.is_utc else f" <code>{esc(at)}</code>"
    kind = esc(kind)
    classes = "entry"
    badges = ""
    if pinned or hidden or conflict or external:
        cls, bs = ["entry"], []
        if pinned:
            cls.append("pinned")
            bs.append("<span class='badge pin'>" + ("PINNED" if qt else "📌 PINNED") + "</span>")
        if hidden:
            cls.append("hidden")
            bs.append(f"<span class='badge hid'>HIDDEN: {esc(hidden_reason)}</span>")
        if conflict:
            cls.append("conflict")
            bs.append("<span class='badge con'>edited concurrently, both kept</span>")
        if external:
            bs.append("<span class='badge ext'>external</span>")
        classes, badges = " ".join(cls), " ".join(bs)
    meta = (
        f"<span class='t'>{esc(when)}</span>{utc} · <span class='kind k-{kind}'>{kind}</span>"
        f" · {esc(author)}{tags}{rev} {badges}"
    )
    if qt:
        bg = " bgcolor='#fff8c5'" if pinned else (" bgcolor='#f6f8fa'" if hidden else "")
        return (
            f"<table width='100%' cellspacing='0' cellpadding='4'{bg}><tr><td>"
            f"<font size='-1' color='#57606a'>{meta}</font>"
            f"{render_markdown(text)}</td></tr></table>\n"
        )
    return (
        f"<div class='{classes}' id='e-{esc(eid)}'><div class='meta'>{meta}</div>"
        f"<div class='body'>{render_markdown(text)}</div></div>\n"
    )


def _text_section(title: str, text: str) -> str:
    body = render_markdown(text) if text.strip() else "<p class='none'>(none yet)</p>"
    return f"<h2>{esc(title)}</h2>\n{body}\n"


def iter_html(v: ExportView, *, qt: bool = False) -> Iterator[str]:
    inc, c = v.incident, v.clock
    yield page_start(f"Incident: {inc.title}", qt=qt)
    yield f"<h1>Incident: {esc(inc.title)}</h1>\n"
    yield facts_table(incident_facts(v), qt=qt)
    for title, text in (
        ("Summary", inc.summary),
        ("Impact", inc.impact),
        ("Objectives", inc.objectives),
        ("Root cause", inc.root_cause),
    ):
        if text.strip() or title in {"Summary", "Impact"}:
            yield _text_section(title, text)
    pinned = v.pinned
    yield f"<h2>Pinned entries ({len(pinned)})</h2>\n"
    if not pinned:
        yield "<p class='none'>(none)</p>\n"
    for e in pinned:
        yield entry_html(e, c, with_day=True, qt=qt)
    note = hidden_note(v.hidden_count, included=v.include_hidden)
    yield f"<h2>Timeline ({plural(len(v.rows), 'entry', 'entries')}{esc(note)})</h2>\n"
    day = ""
    for r in v.rows:
        d = c.day(r[ROW_OCCURRED])
        if d != day:
            day = d
            yield f"<h3>{esc(d)}</h3>\n"
        yield _row_html(r, c, qt=qt)
    yield "<h2>Action items</h2>\n"
    if v.actions:
        yield list_table(
            ["Done", "Action", "Owner", "Due"],
            [
                [
                    "✔" if a.done else "",
                    esc(a.text),
                    esc(a.owner) or "<strong>no owner</strong>",
                    esc(c.full(a.due)) if a.due else "",
                ]
                for a in v.actions
            ],
            qt=qt,
        )
    else:
        yield "<p class='none'>(none)</p>\n"
    yield "<h2>Incident field history</h2>\n"
    yield list_table(
        ["When", "Field", "From", "To", "By"],
        [
            [
                esc(c.full(ch.changed_at)),
                esc(FIELD_LABELS.get(ch.field, ch.field)),
                esc(field_value(ch.field, ch.old_value, c, limit=160)),
                esc(field_value(ch.field, ch.new_value, c, limit=160)),
                esc(ch.changed_by),
            ]
            for ch in v.changes
        ],
        qt=qt,
    )
    if v.evidence:
        yield "<h2>Evidence</h2>\n"
        yield list_table(
            ["Captured", "Kind", "Source"],
            [
                [esc(c.full(x["captured_at"])), esc(x["kind"]), esc(x.get("source"))]
                for x in v.evidence
            ],
            qt=qt,
        )
    yield page_end(v)


def list_table(head: list[str], rows: list[list[str]], *, qt: bool = False) -> str:
    """A table of already-escaped cells.

    For Qt (the PDF) each row is a table of its own with the same column widths, so
    the PDF can keep every row on one page (``pdf.layout_document``)."""
    if qt:
        return _qt_rows(head, rows)
    h = "".join(f"<th>{esc(x)}</th>" for x in head)
    body = "".join("<tr>" + "".join(f"<td>{x}</td>" for x in r) + "</tr>" for r in rows)
    return f"<table class='list'><thead><tr>{h}</tr></thead><tbody>{body}</tbody></table>\n"


_TAG = re.compile(r"<[^>]*>")


def _qt_rows(head: list[str], rows: list[list[str]]) -> str:
    # Column widths in percent: each column gets room for its longest word (no word
    # broken inside: "alice", "commander"), the rest goes by the longest text.
    per_line = 85  # characters of 9.5 pt text across an A4 page, cell padding included
    need, want = [], []
    for i, name in enumerate(head):
        texts = [name, *(_TAG.sub("", r[i]) for r in rows if i < len(r))]
        word = max((len(w) for t in texts for w in t.split()), default=1)
        need.append((word + 3) * 100 / per_line)
        want.append(min(max(len(t) for t in texts), 60) * 100 / per_line)
    spare = max(0.0, 100 - sum(need))
    extra = [max(0.0, w - n) for w, n in zip(want, need, strict=True)]
    total = sum(extra) or 1.0
    widths = [round(n + spare * x / total) for n, x in zip(need, extra, strict=True)]
    attrs = " border='1' cellspacing='0' cellpadding='3' width='100%'"

    def tr(cells: list[str], tag: str) -> str:
        tds = "".join(
            f"<{tag} width='{w}%'>{c}</{tag}>" for w, c in zip(widths, cells, strict=False)
        )
        return f"<tr>{tds}</tr>"

    def table(*trs: str) -> str:
        return f"<table class='list'{attrs}>{''.join(trs)}</table>"

    # The header row shares its table with the first data row, so the PDF never leaves
    # a header at the foot of a page with its rows on the next one.
    header = tr([esc(x) for x in head], "th")
    if not rows:
        return table(header) + "\n"
    out = [table(header, tr(rows[0], "td"))]
    out += [table(tr(r, "td")) for r in rows[1:]]
    return "\n".join(out) + "\n"


def render_html(v: ExportView, *, qt: bool = False) -> str:
    return "".join(iter_html(v, qt=qt))
