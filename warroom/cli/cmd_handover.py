"""Commands: export, import, handover, report (CONTRACT.md "Handover and reports").

Output files are written atomically (complete or untouched); without ``-o`` text goes
to stdout. Qt is only imported for PDF output.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from warroom.base.errors import UsageError
from warroom.cli.common import Context

if TYPE_CHECKING:
    from warroom.services.timeline import Timeline


# Kept here (not imported from warroom.handover) so that building the parser stays cheap.
EXPORT_FORMATS = ("json", "md", "html", "pdf", "csv")
BRIEF_FORMATS = ("md", "html", "pdf")
REPORT_FORMATS = ("md", "html")


def _timeline(ctx: Context, author: str | None = None) -> Timeline:
    from warroom.services.timeline import Timeline

    return Timeline(ctx.store(), author=author)


def _stdout_chunks(chunks: object) -> None:
    out = sys.stdout
    for c in chunks:  # type: ignore[attr-defined]
        out.write(c)
    out.flush()


def _stdout_pdf(data: bytes) -> None:
    if sys.stdout.isatty():
        raise UsageError("PDF is binary: give an output file with -o FILE")
    sys.stdout.buffer.write(data)
    sys.stdout.flush()


def cmd_export(args: argparse.Namespace, ctx: Context) -> int:
    from warroom.base.timeutil import local_zone
    from warroom.handover import service

    local_zone(args.tz)  # an unknown zone is a usage error before anything is written
    tl = _timeline(ctx, args.author)
    iid = tl.resolve_incident_id(args.id)
    opts = {"tz": args.tz, "include_hidden": args.include_hidden, "author": tl.author}
    if args.output:
        service.export_to_file(tl.store, iid, args.format, Path(args.output), **opts)
        return 0
    if args.format == "pdf":
        from warroom.handover.html import render_html
        from warroom.handover.view import load_view

        v = load_view(tl.store, iid, tz=args.tz, include_hidden=args.include_hidden)
        _stdout_pdf(service.pdf_bytes(render_html(v, qt=True), f"Incident: {v.incident.title}"))
        return 0
    _stdout_chunks(service.export_chunks(tl.store, iid, args.format, **opts))
    return 0


def cmd_import(args: argparse.Namespace, ctx: Context) -> int:
    from warroom.handover.merge import import_file

    path = Path(args.file)
    if str(path) == "-":
        raise UsageError("import reads a file, not stdin: give its path")
    rep = import_file(ctx.store(), path, dry_run=args.dry_run)
    if args.json:
        ctx.json_line(rep.record())
    else:
        for line in rep.lines():
            ctx.out(line)
    return 0


def cmd_handover(args: argparse.Namespace, ctx: Context) -> int:
    from warroom.base.timeutil import local_zone
    from warroom.handover import service
    from warroom.handover.brief import build_brief

    local_zone(args.tz)
    tl = _timeline(ctx, args.author)
    iid = tl.resolve_incident_id(args.id)
    if args.record and not (args.to or tl.incident(iid).next_commander):
        raise UsageError("--record needs --to NAME (or a next commander set on the incident)")
    b = build_brief(tl.store, iid, prepared_by=tl.author, prepared_for=args.to or "", tz=args.tz)
    if args.output:
        service.write_brief(b, args.format, Path(args.output))
    elif args.format == "pdf":
        from warroom.handover.brief import render_brief_html

        _stdout_pdf(service.pdf_bytes(render_brief_html(b, qt=True), "Handover brief"))
    else:
        _stdout_chunks([service.brief_output(b, args.format)])
    if args.record:
        e = service.record_handover(
            tl, iid, to=b.prepared_for, brief_file=str(args.output) if args.output else None
        )
        sys.stderr.write(
            f"recorded handover entry {e.id}: {e.text}; {e.meta['to']} is now the commander\n"
        )
    return 0


def cmd_report(args: argparse.Namespace, ctx: Context) -> int:
    from warroom.base.timeutil import local_zone
    from warroom.handover import files
    from warroom.handover.report import build_report, report_html

    local_zone(args.tz)
    tl = _timeline(ctx, args.author)
    iid = tl.resolve_incident_id(args.id)
    draft = build_report(tl.store, iid, tz=args.tz, author=tl.author)
    text = draft.markdown if args.format == "md" else report_html(draft.markdown, draft.title)
    if args.output:
        files.write_text(Path(args.output), text)
    else:
        _stdout_chunks([text])
    for f in draft.findings:
        ctx.warn(f'wording: "{f.phrase}" in {f.where}, but {f.contradiction}')
    return 0


def _common(p: argparse.ArgumentParser, formats: tuple[str, ...], default: str) -> None:
    p.add_argument("id", metavar="ID", help="incident id, a unique prefix, or 'latest'")
    p.add_argument("--format", "-f", choices=formats, default=default, help=f"default {default}")
    p.add_argument("-o", "--output", metavar="FILE", help="write here (atomically); else stdout")
    p.add_argument(
        "--tz", metavar="ZONE", help="time zone for times, e.g. Europe/Zurich (UTC always shown)"
    )
    p.add_argument("--author", metavar="NAME", help="who exports (default: the workspace author)")


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Adds this module's subcommands."""
    p = sub.add_parser(
        "export",
        help="export an incident: json (lossless bundle), md, html, pdf, csv",
        description="Export one incident. json is the lossless bundle for 'warroom import'; "
        "the others are for people (hidden entries left out unless --include-hidden).",
    )
    _common(p, EXPORT_FORMATS, "json")
    p.add_argument(
        "--include-hidden", action="store_true", help="also show hidden entries (md/html/pdf/csv)"
    )
    p.set_defaults(func=cmd_export)

    p = sub.add_parser(
        "import",
        help="merge a handover bundle into this workspace",
        description="Merge a bundle by id: nothing is overwritten, concurrent edits are both "
        "kept. An invalid, truncated, tampered or newer-schema file changes nothing.",
    )
    p.add_argument(
        "file",
        metavar="FILE",
        help="a bundle from warroom export --format json (a regular file, at most 512 MB)",
    )
    p.add_argument("--dry-run", action="store_true", help="show what would change; change nothing")
    p.add_argument("--json", action="store_true", help="print the result as one JSON line")
    p.set_defaults(func=cmd_import)

    p = sub.add_parser("handover", help="the shift-handover brief of an incident")
    _common(p, BRIEF_FORMATS, "md")
    p.add_argument("--to", metavar="NAME", help="who takes over (default: the next commander)")
    p.add_argument(
        "--record",
        action="store_true",
        help="record the handover: log a 'handover' entry and make NAME the commander",
    )
    p.set_defaults(func=cmd_handover)

    p = sub.add_parser("report", help="the post-incident report draft (Markdown or HTML)")
    _common(p, REPORT_FORMATS, "md")
    p.set_defaults(func=cmd_report)
