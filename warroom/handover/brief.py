"""The handover brief: what the next commander must know, on one or two pages.

Shaped like the ICS-201 incident briefing and the SRE "incident state document":
who has command, what is happening, what we are trying to achieve, what is open,
where communication stands, what the probes see now, and the key moments.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from warroom.base import timeutil
from warroom.domain.incidents import ActionItem, Entry
from warroom.handover import html as h
from warroom.handover import markdown as m
from warroom.handover.facts import Picture, probe_picture
from warroom.handover.text import esc, indent_block, md_block, md_inline, render_markdown
from warroom.handover.view import ROW_KIND, ROW_PINNED, ExportView, load_view, row_entry
from warroom.handover.wording import plural
from warroom.store import handover as hq
from warroom.store.db import Store

RECENT = 15


@dataclass
class Brief:
    view: ExportView
    prepared_by: str
    prepared_for: str
    prepared_at: str
    open_actions: list[ActionItem]
    last_comms: Entry | None
    picture: Picture
    pinned: list[Entry]
    recent: list[Entry]

    @property
    def period(self) -> tuple[str, str]:
        return self.view.incident.start, self.prepared_at


def build_brief(
    store: Store,
    incident_id: str,
    *,
    prepared_by: str,
    prepared_for: str = "",
    tz: str | None = None,
    now: str | None = None,
) -> Brief:
    # Only the entries the brief shows are read (all of them, with their ``Entry``
    # objects, took about a second at 100,000, on every refresh of the dialog's preview).
    v = load_view(
        store,
        incident_id,
        tz=tz,
        generated_by=prepared_by,
        rows=lambda st, iid: hq.read_brief_rows(st, iid, recent=RECENT),
    )
    at = now or timeutil.now_str()
    v.generated_at = at
    newest = v.rows[::-1]  # the rows are in timeline order
    comms = next((r for r in newest if r[ROW_KIND] == "comms"), None)
    return Brief(
        view=v,
        prepared_by=prepared_by,
        prepared_for=prepared_for or v.incident.next_commander,
        prepared_at=at,
        open_actions=[a for a in v.actions if not a.done],
        last_comms=None if comms is None else row_entry(comms),
        picture=probe_picture(store),
        pinned=[row_entry(r) for r in newest if r[ROW_PINNED]],
        recent=[row_entry(r) for r in newest[:RECENT]],
    )


def comms_where(e: Entry) -> str:
    meta: Mapping[str, object] = e.meta or {}
    parts = [str(meta[k]) for k in ("channel", "url") if meta.get(k)]
    if not parts:
        parts.append("published externally" if e.external else "internal")
    if e.tags:
        parts.append(" ".join("#" + t for t in e.tags))
    return ", ".join(parts)


def next_update(b: Brief) -> str:
    due = b.view.incident.next_update_due
    if not due:
        return "not set"
    secs = (timeutil.parse_utc(due) - timeutil.parse_utc(b.prepared_at)).total_seconds()
    when = b.view.clock.full(due)
    if secs < 0:
        return f"{when}: OVERDUE by {timeutil.fmt_duration(-secs)}"
    return f"{when}: in {timeutil.fmt_duration(secs)}"


def _facts(b: Brief) -> list[tuple[str, str]]:
    inc, c = b.view.incident, b.view.clock
    start, end = b.period
    return [
        ("Incident", f"{inc.title} ({inc.id})"),
        ("Severity", inc.severity),
        ("Status", inc.status),
        (
            "Period covered",
            f"{c.full(start)} to {c.full(end)} ({timeutil.fmt_duration(_secs(start, end))})",
        ),
        ("Prepared by", b.prepared_by or "—"),
        ("Prepared for", b.prepared_for or "—"),
        ("Prepared at", c.full(b.prepared_at)),
        ("Times", c.name + ("" if c.is_utc else ", UTC alongside")),
    ]


def _command(b: Brief) -> list[tuple[str, str]]:
    inc = b.view.incident
    return [
        ("Incident commander", inc.commander or "— (none set)"),
        ("Communications lead", inc.comms_lead or "— (none set)"),
        ("Next commander", b.prepared_for or inc.next_commander or "— (none set)"),
    ]


def _secs(a: str, z: str) -> float:
    return (timeutil.parse_utc(z) - timeutil.parse_utc(a)).total_seconds()


def _probe_lines(p: Picture) -> list[str]:
    out = []
    for t in p.targets:
        down = p.down_via(t)
        via = p.probed_via(t)
        if not down:
            out.append(
                f"{t}: up from {'the one' if len(via) == 1 else 'all'} "
                f"{plural(len(via), 'vantage point')}"
            )
        elif len(down) == len(via):
            out.append(f"{t}: DOWN from every vantage point ({', '.join(down)})")
        else:
            out.append(
                f"{t}: DOWN via {', '.join(down)}; up via {', '.join(sorted(set(via) - set(down)))}"
            )
        if p.remote.get(t):
            out.append(f"{t} from other networks: {'; '.join(p.remote[t])}")
    return out


# -- Markdown ------------------------------------------------------------------------------


def iter_brief_markdown(b: Brief) -> Iterator[str]:
    v, c, inc = b.view, b.view.clock, b.view.incident
    yield f"# Handover brief: {md_inline(inc.title)}\n\n| | |\n|---|---|\n"
    for k, val in _facts(b):
        yield f"| {k} | {md_inline(val)} |\n"
    # Each text on lines of its own, so its block structure (code above all) is its own.
    yield "\n## 1. Current situation\n\n**Summary.**\n\n"
    yield (md_block(inc.summary.strip()) or "_(none written)_") + "\n\n**Impact.**\n\n"
    yield (md_block(inc.impact.strip()) or "_(none written)_") + "\n\n"
    if inc.affected_services:
        yield f"**Affected services.** {md_inline(', '.join(inc.affected_services))}\n\n"
    yield "## 2. Command\n\n| Role | Who |\n|---|---|\n"
    for k, val in _command(b):
        yield f"| {k} | {md_inline(val)} |\n"
    yield "\n## 3. Objectives and exit criteria\n\n"
    yield (md_block(inc.objectives.strip()) or "_(none written: agree them at handover)_") + "\n\n"
    yield f"## 4. Open actions ({len(b.open_actions)})\n\n"
    if not b.open_actions:
        yield "_(none)_\n"
    for a in b.open_actions:
        owner = md_inline(a.owner) if a.owner else "**NO OWNER**"
        due = f" (due {c.full(a.due)})" if a.due else ""
        yield f"- [ ] {md_inline(a.text)} — {owner}{due}\n"
    yield "\n## 5. Communication\n\n"
    if b.last_comms:
        e = b.last_comms
        yield (
            f"- Last update: {c.full(e.occurred_at)} by {md_inline(e.author)}, "
            f"{md_inline(comms_where(e))}\n\n{indent_block(md_block(e.text), 2)}\n\n"
        )
    else:
        yield "- Last update: **none recorded**\n"
    yield f"- Next update due: {next_update(b)}\n\n"
    yield "## 6. What the probes see now\n\n"
    lines = _probe_lines(b.picture)
    if not lines:
        yield "_(no probe data)_\n"
    for line in lines:
        yield f"- {md_inline(line)}\n"
    yield f"\n## 7. Pinned entries ({len(b.pinned)}), newest first\n\n"
    if not b.pinned:
        yield "_(none)_\n\n"
    for e in b.pinned:
        yield m.entry_md(e, c, with_day=True) + "\n"
    yield f"## 8. Recent entries (last {len(b.recent)}), newest first\n\n"
    for e in b.recent:
        yield m.entry_md(e, c, with_day=True) + "\n"
    yield f"---\nPrepared with Warroom · {c.full(v.generated_at)}\n"


def render_brief_markdown(b: Brief) -> str:
    return "".join(iter_brief_markdown(b))


# -- HTML ---------------------------------------------------------------------------------


def iter_brief_html(b: Brief, *, qt: bool = False) -> Iterator[str]:
    v, c, inc = b.view, b.view.clock, b.view.incident
    yield h.page_start(f"Handover brief: {inc.title}", qt=qt)
    yield f"<h1>Handover brief: {esc(inc.title)}</h1>\n"
    yield h.facts_table([(k, esc(val)) for k, val in _facts(b)], qt=qt)
    yield "<h2>1. Current situation</h2>\n"
    yield "<p><strong>Summary.</strong></p>" + (
        render_markdown(inc.summary) or "<p class='none'>(none written)</p>"
    )
    yield "<p><strong>Impact.</strong></p>" + (
        render_markdown(inc.impact) or "<p class='none'>(none written)</p>"
    )
    if inc.affected_services:
        yield f"<p><strong>Affected services.</strong> {esc(', '.join(inc.affected_services))}</p>"
    yield "<h2>2. Command</h2>\n" + h.facts_table([(k, esc(val)) for k, val in _command(b)], qt=qt)
    yield "<h2>3. Objectives and exit criteria</h2>\n"
    yield render_markdown(inc.objectives) or (
        "<p class='none'>(none written: agree them at handover)</p>"
    )
    yield f"<h2>4. Open actions ({len(b.open_actions)})</h2>\n"
    if b.open_actions:
        yield h.list_table(
            ["Action", "Owner", "Due"],
            [
                [
                    esc(a.text),
                    esc(a.owner) or "<strong>NO OWNER</strong>",
                    esc(c.full(a.due)) if a.due else "",
                ]
                for a in b.open_actions
            ],
            qt=qt,
        )
    else:
        yield "<p class='none'>(none)</p>"
    yield "<h2>5. Communication</h2>\n"
    rows = []
    if b.last_comms:
        e = b.last_comms
        rows.append(
            (
                "Last update",
                f"{esc(c.full(e.occurred_at))} by {esc(e.author)}, {esc(comms_where(e))}",
            )
        )
    else:
        rows.append(("Last update", "<strong>none recorded</strong>"))
    rows.append(("Next update due", esc(next_update(b))))
    yield h.facts_table(rows, qt=qt)
    if b.last_comms:
        yield f"<blockquote>{render_markdown(b.last_comms.text)}</blockquote>"
    yield "<h2>6. What the probes see now</h2>\n"
    p = b.picture
    if not p.samples:
        yield "<p class='none'>(no probe data)</p>"
    else:
        head = ["Target", *p.vantages]
        body = []
        for t in p.targets:
            row = [esc(t)]
            for vt in p.vantages:
                s = p.status(t, vt)
                if s is None:
                    row.append("")
                elif s.status == "down":
                    row.append(f"<strong>DOWN</strong> {esc(s.error or '')}")
                else:
                    row.append(esc(s.status))
            body.append(row)
        yield h.list_table(head, body, qt=qt)
        yield "<ul>" + "".join(f"<li>{esc(x)}</li>" for x in _probe_lines(p)) + "</ul>"
    yield f"<h2>7. Pinned entries ({len(b.pinned)}), newest first</h2>\n"
    if not b.pinned:
        yield "<p class='none'>(none)</p>"
    for e in b.pinned:
        yield h.entry_html(e, c, with_day=True, qt=qt)
    yield f"<h2>8. Recent entries (last {len(b.recent)}), newest first</h2>\n"
    for e in b.recent:
        yield h.entry_html(e, c, with_day=True, qt=qt)
    yield h.page_end(v)


def render_brief_html(b: Brief, *, qt: bool = False) -> str:
    return "".join(iter_brief_html(b, qt=qt))
