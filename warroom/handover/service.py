"""Handover operations shared by the command line and the GUI (no Qt here, except
``pdf`` which imports it lazily)."""

from __future__ import annotations

import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from warroom.base import timeutil
from warroom.base.errors import UsageError
from warroom.handover import files
from warroom.store.db import Store

if TYPE_CHECKING:
    from warroom.domain.incidents import Entry
    from warroom.handover.brief import Brief
    from warroom.services.timeline import Timeline

EXPORT_FORMATS = ("json", "md", "html", "pdf", "csv")
BRIEF_FORMATS = ("md", "html", "pdf")
REPORT_FORMATS = ("md", "html")
SUFFIX = {"json": ".warroom.json", "md": ".md", "html": ".html", "pdf": ".pdf", "csv": ".csv"}


def export_chunks(
    store: Store,
    incident_id: str,
    fmt: str,
    *,
    tz: str | None = None,
    include_hidden: bool = False,
    author: str = "",
) -> Iterable[str]:
    """The text of an export (every format but pdf), as chunks to stream."""
    if fmt == "json":
        from warroom.handover import bundle

        return bundle.export_json(store, incident_id, exported_by=author)
    from warroom.handover.view import load_view

    v = load_view(store, incident_id, tz=tz, include_hidden=include_hidden, generated_by=author)
    if fmt == "md":
        from warroom.handover.markdown import iter_markdown

        return iter_markdown(v)
    if fmt == "html":
        from warroom.handover.html import iter_html

        return iter_html(v)
    if fmt == "csv":
        from warroom.handover.csv_export import iter_csv

        return iter_csv(v)
    raise UsageError(f"unknown export format {fmt!r}; expected {', '.join(EXPORT_FORMATS)}")


def export_pdf(
    store: Store,
    incident_id: str,
    target: Path,
    *,
    tz: str | None = None,
    include_hidden: bool = False,
    author: str = "",
) -> None:
    from warroom.handover.html import render_html
    from warroom.handover.pdf import write_pdf
    from warroom.handover.view import load_view

    v = load_view(store, incident_id, tz=tz, include_hidden=include_hidden, generated_by=author)
    write_pdf(render_html(v, qt=True), target, title=f"Incident: {v.incident.title}")


def export_to_file(
    store: Store,
    incident_id: str,
    fmt: str,
    target: Path,
    *,
    tz: str | None = None,
    include_hidden: bool = False,
    author: str = "",
) -> None:
    """Write an export atomically: ``target`` is either complete or untouched."""
    if fmt == "pdf":
        export_pdf(store, incident_id, target, tz=tz, include_hidden=include_hidden, author=author)
        return
    from warroom.handover.bundle import gc_paused

    with gc_paused():  # 100,000 acyclic entries: the cyclic GC only re-walks them
        files.write_text(
            target,
            export_chunks(
                store, incident_id, fmt, tz=tz, include_hidden=include_hidden, author=author
            ),
        )


def pdf_bytes(html: str, title: str) -> bytes:
    """A PDF in memory (for stdout), via a temporary file."""
    from warroom.handover.pdf import write_pdf

    with tempfile.TemporaryDirectory(prefix="warroom-pdf-") as tmp:
        p = Path(tmp) / "out.pdf"
        write_pdf(html, p, title=title)
        return p.read_bytes()


def brief_output(brief: Brief, fmt: str) -> str:
    from warroom.handover.brief import render_brief_html, render_brief_markdown

    if fmt == "md":
        return render_brief_markdown(brief)
    if fmt == "html":
        return render_brief_html(brief)
    raise UsageError(f"unknown brief format {fmt!r}; expected {', '.join(BRIEF_FORMATS)}")


def write_brief(brief: Brief, fmt: str, target: Path) -> None:
    if fmt == "pdf":
        from warroom.handover.brief import render_brief_html
        from warroom.handover.pdf import write_pdf

        write_pdf(
            render_brief_html(brief, qt=True),
            target,
            title=f"Handover brief: {brief.view.incident.title}",
        )
    else:
        files.write_text(target, brief_output(brief, fmt))


def record_handover(
    timeline: Timeline,
    incident_id: str,
    *,
    to: str,
    from_: str | None = None,
    acknowledged_at: str | None = None,
    brief_file: str | None = None,
) -> Entry:
    """Record an acknowledged handover: command passes to ``to``.

    Logs a ``handover`` entry (from the outgoing commander to ``to``, when
    acknowledged, by whom prepared) and makes ``to`` the commander through the
    timeline's own field change, which records the change and its automatic
    "commander changed from A to B" entry; a next commander who just took over is
    cleared. ``from_`` is the outgoing commander (default: the incident's commander,
    else whoever records it).
    """
    to = to.strip()
    if not to:
        raise UsageError("a handover needs the name of who takes over (--to NAME)")
    inc = timeline.incident(incident_id)
    preparer = timeline.author.strip()
    who = (from_ or "").strip() or inc.commander or preparer
    ack = acknowledged_at or timeutil.now_str()
    when = f"{ack[:10]} {ack[11:19]} UTC"  # the exact time stays in the meta
    text = f"Handover: command passed from {who} to {to} (acknowledged {when})"
    meta: dict[str, str] = {"from": who, "to": to, "acknowledged_at": ack}
    if preparer and preparer != who:
        meta["prepared_by"] = preparer
    if brief_file:
        meta["brief"] = brief_file
    res = timeline.log(inc.id, text, kind="handover", meta=meta, author=preparer or who)
    took_over = inc.next_commander.strip().casefold() == to.casefold()
    timeline.set_incident(inc.id, commander=to, next_commander="" if took_over else None)
    return res.value


def default_name(incident_id: str, what: str, fmt: str) -> str:
    return f"{what}-{incident_id[:10].lower()}{SUFFIX[fmt]}"
