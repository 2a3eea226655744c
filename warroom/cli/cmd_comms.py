"""Commands: ``publish`` and ``statuspage`` (CONTRACT.md "Probing, feeds, publishing").

``warroom publish FILE --channel NAME --text T [--incident ID] [--yes]`` holds the text
against the latest probe states stored in the workspace (what ``warroom probe`` or the
window measured): a claim the figures contradict prints ``warning: claim: ...`` on
stderr and nothing is sent unless ``--yes``. Then it publishes to every ``--channel``
at once and prints each published URL on stdout; a failed channel is an ``error:``
line and exit 1. Running it again with the same text retries with the same idempotency
key (it never posts twice); a text that already went out prints its URL again.

``warroom statuspage ID [-o FILE]`` writes the static public status page.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from warroom.base.errors import UsageError
from warroom.cli.common import Context, add_json_flag

STAGES = ("investigating", "identified", "monitoring", "resolved")


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Adds ``publish`` and ``statuspage``."""
    p = sub.add_parser(
        "publish",
        help="publish a status update to channels of a workspace file",
        description="Publish TEXT to each --channel of FILE. The text is first held "
        "against the workspace's latest probe states; a claim they contradict is a "
        "'warning: claim:' line and nothing is sent without --yes. Prints the published "
        "URL per channel. Exit 0 all published, 1 something failed or was held back.",
    )
    p.add_argument("file", metavar="FILE", help="the workspace TOML file (its [[channel]]s)")
    p.add_argument(
        "--channel",
        action="append",
        required=True,
        metavar="NAME",
        help="a [[channel]] name (repeat, or separate with commas)",
    )
    what = p.add_mutually_exclusive_group(required=True)
    what.add_argument("--text", metavar="T", help="the update; '-' reads stdin")
    what.add_argument(
        "--template",
        action="store_true",
        help="the workspace's template for the stage, filled from --incident",
    )
    p.add_argument("--incident", metavar="ID", help="log each result as a comms entry of it")
    p.add_argument("--stage", choices=STAGES, help="the stage (default: the incident's status)")
    p.add_argument("--approved-by", metavar="NAME", help="the second person who approved it")
    p.add_argument("--author", metavar="NAME", help="who publishes (default: the workspace's)")
    p.add_argument(
        "--yes", action="store_true", help="publish even when the measurements contradict it"
    )
    p.add_argument(
        "--again", action="store_true", help="post a text that already went out once more"
    )
    p.add_argument(
        "--dry-run",
        action="store_true",
        help="check only: print each channel's count and the claims; send nothing",
    )
    add_json_flag(p)
    p.set_defaults(func=cmd_publish)

    p = sub.add_parser(
        "statuspage",
        help="the public status page of an incident as one self-contained HTML file",
        description="Write the current public status (published updates and external "
        "entries only) as one HTML file with inline CSS, no scripts and no remote loads.",
    )
    p.add_argument("id", metavar="ID", help="the incident (id, prefix, or 'latest')")
    p.add_argument("-o", "--output", metavar="FILE", help="write here (atomically); else stdout")
    p.add_argument("--tz", metavar="ZONE", help="time zone for the times shown (default: local)")
    p.add_argument("--service", metavar="NAME", help="the heading ('NAME status')")
    p.set_defaults(func=cmd_statuspage)


def _text(arg: str) -> str:
    text = sys.stdin.read() if arg == "-" else arg
    text = text.strip("\n")
    if not text.strip():
        raise UsageError("--text is empty")
    return text


if TYPE_CHECKING:
    from warroom.domain.incidents import Incident
    from warroom.social.channels import ChannelSpec, CommsSettings
    from warroom.social.honesty import VantageState
    from warroom.social.publish import Draft, Publisher
    from warroom.store.db import Store


def _names(values: list[str]) -> list[str]:
    out: list[str] = []
    for v in values:
        out.extend(n.strip() for n in v.split(",") if n.strip())
    return list(dict.fromkeys(out))


def _filled(store: Store, incident: Incident | None, stage: str, settings: CommsSettings) -> str:
    """The stage's template filled from the incident (``--template``)."""
    from datetime import timedelta

    from warroom.base import timeutil
    from warroom.social import compose, templates

    if incident is None:
        raise UsageError("--template needs --incident (its fields fill the template)")
    every = settings.cadence_for(str(incident.severity))
    values = compose.values_for(
        incident, settings, next_update=timeutil.now() + timedelta(seconds=every)
    )
    return templates.render(
        templates.template_for(stage, settings.templates, settings.language), values
    )


def cmd_publish(args: argparse.Namespace, ctx: Context) -> int:
    import asyncio

    from warroom.config import workspace_file
    from warroom.services.timeline import Timeline
    from warroom.social import compose
    from warroom.social.channels import from_config
    from warroom.social.publish import Draft, Publisher, check_approval

    config = workspace_file.load(args.file)
    specs, settings = from_config(config)
    names = _names(args.channel)
    store = ctx.store()
    tl = Timeline(store, author=args.author)
    incident = tl.incident(args.incident) if args.incident else None
    stage = args.stage or (str(incident.status) if incident else "")
    if args.template:
        text = _filled(store, incident, stage, settings)
        sys.stderr.write(f"publishing: {text}\n")  # a script's log shows what went out
    else:
        text = _text(args.text)
    draft = Draft(
        text=text,
        author=tl.author,
        stage=stage,
        incident=incident.id if incident else None,
        approver=(args.approved_by or "").strip(),
    )
    check_approval(draft, settings)
    publisher = Publisher(store, specs, settings, timeline=tl)
    chosen = [publisher.spec(n) for n in names]  # unknown names fail before anything else
    states = compose.measurements(store, settings)
    affected = tuple(incident.affected_services) if incident else ()
    return asyncio.run(_publish(publisher, draft, chosen, states, args, ctx, store, affected))


async def _publish(
    publisher: Publisher,
    draft: Draft,
    chosen: list[ChannelSpec],
    states: list[VantageState],
    args: argparse.Namespace,
    ctx: Context,
    store: Store,
    affected: tuple[str, ...] = (),
) -> int:
    from warroom.base.errors import ValidationError
    from warroom.social import compose

    try:
        limits = {c.name: await publisher.limit(c) for c in chosen}
        extra = compose.remote_lines(store)
        rev = compose.review(
            draft.text, chosen, states, limits=limits, extra=extra, affected=affected
        )
        if args.dry_run:
            for name, count in rev.counts.items():
                ctx.out(f"{name}: {count}" + ("  too long" if count.over else ""))
        if rev.problems:
            raise ValidationError("; ".join(rev.problems) + "; nothing was published")
        for f in rev.findings:
            ctx.warn(f"claim: {f.message}")
        if args.dry_run:
            return 1 if rev.findings and not args.yes else 0
        if rev.findings and not args.yes:
            ctx.error(
                "the text contradicts the measurements (see the warnings); nothing was "
                "published. Reword it, or publish anyway with --yes"
            )
            return 1
        results = await publisher.publish(
            draft, [c.name for c in chosen], states=states, again=args.again
        )
    finally:
        await publisher.aclose()
    code = 0
    for r in results:
        if args.json:
            ctx.json_line(
                {
                    "channel": r.channel,
                    "kind": r.kind,
                    "ok": r.ok,
                    "url": r.url,
                    "error": r.error,
                    "already": r.already,
                    "attempts": r.attempts,
                    "publication": r.publication,
                    "entry": r.entry,
                }
            )
        elif r.ok:
            ctx.out(r.url or "")
            if r.already:
                ctx.warn(f"{r.channel}: this text went out before; not sent again (--again)")
        if not r.ok:
            code = 1
            if not args.json:
                ctx.error(f"{r.channel}: {r.error}")
    return code


def cmd_statuspage(args: argparse.Namespace, ctx: Context) -> int:
    from warroom.base.timeutil import local_zone
    from warroom.social import status_page
    from warroom.social.channels import CommsSettings

    tz = local_zone(args.tz)
    settings = CommsSettings(service=args.service or "")
    view = status_page.view_for(ctx.store(), args.id, settings=settings)
    html = status_page.render(view, tz=tz)
    if args.output:
        from warroom.handover.files import write_text

        write_text(Path(args.output), html)
    else:
        sys.stdout.write(html)
    return 0
