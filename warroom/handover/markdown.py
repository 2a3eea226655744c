"""The Markdown export: the whole timeline, readable in any viewer or as plain text."""

from __future__ import annotations

from collections.abc import Iterator

from warroom.domain.incidents import FIELD_LABELS, MILESTONE_LABELS, MILESTONES, Entry
from warroom.handover.text import indent_block, md_block, md_inline
from warroom.handover.view import Clock, ExportView, duration
from warroom.handover.wording import field_value, hidden_note, plural

PIN = "📌"


def entry_badges(e: Entry) -> list[str]:
    out = []
    if e.pinned:
        out.append(f"{PIN} **PINNED**")
    if e.external:
        out.append("external")
    if e.hidden:
        out.append(f"**HIDDEN** ({md_inline(e.hidden_reason) or 'no reason'})")
    if e.conflict:
        out.append("**edited concurrently** (both versions kept)")
    if e.revision > 1:
        out.append(f"revision {e.revision}")
    return out


def entry_md(e: Entry, clock: Clock, *, with_day: bool = False) -> str:
    """One entry as a list item; the text follows indented so it stays inside the item."""
    when = (clock.day(e.occurred_at) + " " if with_day else "") + clock.time(e.occurred_at)
    utc = "" if clock.is_utc else f" · `{clock.utc_time(e.occurred_at)}`"
    head = f"- **{when}**{utc} · {e.kind} · {md_inline(e.author)}"
    badges = entry_badges(e)
    if badges:
        head += " · " + " · ".join(badges)
    if e.tags:
        head += " · " + " ".join("\\#" + md_inline(t) for t in e.tags)
    # Indented by the list item's content width (2), so the text keeps its own block
    # structure inside the item: what was code stays code, and nothing else becomes it.
    return head + "\n\n" + indent_block(md_block(e.text), 2) + "\n"


def header_md(v: ExportView, title: str) -> list[str]:
    inc, c = v.incident, v.clock
    lines = [
        f"# {title}: {md_inline(inc.title)}",
        "",
        "| | |",
        "|---|---|",
        f"| Incident | `{inc.id}` |",
        f"| Severity | {inc.severity} |",
        f"| Status | {inc.status} |",
        f"| Commander | {md_inline(inc.commander) or '—'} |",
        f"| Comms lead | {md_inline(inc.comms_lead) or '—'} |",
    ]
    if inc.next_commander:
        lines.append(f"| Next commander | {md_inline(inc.next_commander)} |")
    if inc.affected_services:
        lines.append(
            f"| Affected services | {', '.join(md_inline(s) for s in inc.affected_services)} |"
        )
    for m in MILESTONES:
        value = getattr(inc, m)
        if value:
            lines.append(f"| {MILESTONE_LABELS[m].capitalize()} | {c.full(value)} |")
    end = inc.resolved_at or v.generated_at
    took = duration(inc.start, end)
    if took:
        lines.append(f"| Duration | {took}{'' if inc.resolved_at else ' so far'} |")
    lines += [
        f"| Exported | {c.full(v.generated_at)}"
        + (f" by {md_inline(v.generated_by)}" if v.generated_by else "")
        + " |",
        f"| Times | {md_inline(c.name)}"
        + ("" if c.is_utc else ", with UTC in `code` / brackets")
        + " |",
        "",
    ]
    return lines


def _section(title: str, text: str) -> list[str]:
    return [f"## {title}", "", md_block(text.strip()) if text.strip() else "_(none yet)_", ""]


def iter_markdown(v: ExportView) -> Iterator[str]:
    inc, c = v.incident, v.clock
    yield "\n".join(header_md(v, "Incident")) + "\n"
    for title, text in (
        ("Summary", inc.summary),
        ("Impact", inc.impact),
        ("Objectives", inc.objectives),
        ("Root cause", inc.root_cause),
    ):
        if text.strip() or title in {"Summary", "Impact"}:
            yield "\n".join(_section(title, text)) + "\n"
    pinned = v.pinned
    yield f"## {PIN} Pinned entries ({len(pinned)})\n\n"
    if not pinned:
        yield "_(none)_\n\n"
    for e in pinned:
        yield entry_md(e, c, with_day=True) + "\n"
    note = hidden_note(v.hidden_count, included=v.include_hidden)
    yield f"## Timeline ({plural(len(v.entries), 'entry', 'entries')}{note})\n\n"
    day = ""
    for e in v.entries:
        d = c.day(e.occurred_at)
        if d != day:
            day = d
            yield f"### {d}\n\n"
        yield entry_md(e, c) + "\n"
    yield "## Action items\n\n"
    if not v.actions:
        yield "_(none)_\n\n"
    for a in v.actions:
        box = "x" if a.done else " "
        owner = md_inline(a.owner) if a.owner else "**no owner**"
        due = f", due {c.full(a.due)}" if a.due else ""
        yield f"- [{box}] {md_inline(a.text)} — {owner}{due}\n"
    yield "\n## Incident field history\n\n"
    yield "| When | Field | From | To | By |\n|---|---|---|---|---|\n"
    for ch in v.changes:
        label = FIELD_LABELS.get(ch.field, ch.field)

        old = md_inline(field_value(ch.field, ch.old_value, c, limit=120))
        new = md_inline(field_value(ch.field, ch.new_value, c, limit=120))
        yield (
            f"| {c.full(ch.changed_at)} | {label} | {old} | {new} | {md_inline(ch.changed_by)} |\n"
        )
    if v.evidence:
        yield "\n## Evidence\n\n"
        for x in v.evidence:
            yield (
                f"- {c.full(x['captured_at'])} · {md_inline(x['kind'])} · "
                f"{md_inline(x.get('source', ''))}\n"
            )
    yield f"\n---\nExported by Warroom · {c.full(v.generated_at)}\n"


def render_markdown(v: ExportView) -> str:
    return "".join(iter_markdown(v))
