"""The Markdown export: the whole timeline, readable in any viewer or as plain text."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from warroom.domain.incidents import FIELD_LABELS, MILESTONE_LABELS, MILESTONES, Entry
from warroom.handover.text import indent_block, md_block, md_inline
from warroom.handover.view import ROW_OCCURRED, Clock, ExportView, duration
from warroom.handover.wording import field_value, hidden_note, plural
from warroom.store.handover import EntryRow

PIN = "📌"


def entry_badges(
    pinned: object, external: object, hidden: object, hidden_reason: str, conflict: object,
    revision: int,
) -> list[str]:  # fmt: skip
    out = []
    if pinned:
        out.append(f"{PIN} **PINNED**")
    if external:
        out.append("external")
    if hidden:
        out.append(f"**HIDDEN** ({md_inline(hidden_reason) or 'no reason'})")
    if conflict:
        out.append("**edited concurrently** (both versions kept)")
    if revision > 1:
        out.append(f"revision {revision}")
    return out


def entry_md(e: Entry, clock: Clock, *, with_day: bool = False) -> str:
    """One entry as a list item; the text follows indented so it stays inside the item."""
    return _entry_md(
        e.occurred_at, e.kind, e.author, e.text, e.tags, e.pinned, e.external, e.hidden,
        e.hidden_reason, e.conflict, e.revision, clock, with_day=with_day,
    )  # fmt: skip


def _row_md(r: EntryRow, clock: Clock) -> str:
    """``entry_md`` of the entry a row holds, without building the ``Entry``."""
    (_id, _i, _r, author, _m, occurred_at, kind, text, tags, pinned, external, hidden,
     reason, revision, _c, _ea, _eb, conflict) = r  # fmt: skip
    return _entry_md(
        occurred_at, kind, author, text, tags.split(" ") if tags else (), pinned, external,
        hidden, reason, conflict, revision, clock,
    )  # fmt: skip


def _entry_md(
    occurred_at: str, kind: str, author: str, text: str, tags: Sequence[str], pinned: object,
    external: object, hidden: object, hidden_reason: str, conflict: object, revision: int,
    clock: Clock, *, with_day: bool = False,
) -> str:  # fmt: skip
    when = (clock.day(occurred_at) + " " if with_day else "") + clock.time(occurred_at)
    utc = "" if clock.is_utc else f" · `{clock.utc_time(occurred_at)}`"
    head = f"- **{when}**{utc} · {kind} · {md_inline(author)}"
    badges = entry_badges(pinned, external, hidden, hidden_reason, conflict, revision)
    if badges:
        head += " · " + " · ".join(badges)
    if tags:
        head += " · " + " ".join("\\#" + md_inline(t) for t in tags)
    # Indented by the list item's content width (2), so the text keeps its own block
    # structure inside the item: what was code stays code, and nothing else becomes it.
    return head + "\n\n" + indent_block(md_block(text), 2) + "\n"


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
    yield f"## Timeline ({plural(len(v.rows), 'entry', 'entries')}{note})\n\n"
    day = ""
    for r in v.rows:
        d = c.day(r[ROW_OCCURRED])
        if d != day:
            day = d
            yield f"### {d}\n\n"
        yield _row_md(r, c) + "\n"
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
