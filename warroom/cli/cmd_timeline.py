"""Commands: incident, log, entry, timeline, action (CONTRACT.md "Incidents and the timeline")."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from warroom.cli.common import ENTRY_HELP, INCIDENT_HELP, Context, add_author, add_json_flag

if TYPE_CHECKING:
    from datetime import datetime

    from warroom.domain.incidents import Entry
    from warroom.services.timeline import Timeline

STATUSES = ("investigating", "identified", "monitoring", "resolved")


def _timeline(ctx: Context, author: str | None = None) -> Timeline:
    from warroom.services.timeline import Timeline

    return Timeline(ctx.store(), author=author)


def _time(value: str | None) -> datetime | None:
    if value is None:
        return None
    from warroom.base import timeutil

    return timeutil.parse_user_time(value)


def _warn_all(ctx: Context, warnings: list[str]) -> None:
    for w in warnings:
        ctx.warn(w)


# -- incident -----------------------------------------------------------------


def cmd_incident_new(args: argparse.Namespace, ctx: Context) -> int:
    tl = _timeline(ctx, args.author)
    known = tl.probes_now() if args.from_probes else None
    inc = tl.new_incident(
        args.title,
        severity=args.severity,
        status=args.status,
        commander=args.commander or "",
        comms_lead=args.comms or "",
        summary=args.summary or "",
        started_at=_time(args.started),
        detected_at=_time(args.detected),
        affected_services=known.affected if known else (),
        known=known.text if known else "",
    )
    if known is not None and not known:
        ctx.warn("the probes report nothing down: no affected services carried in")
    if args.json:
        ctx.json_line(inc.record())
    else:
        ctx.out(inc.id)
    return 0


def cmd_incident_list(args: argparse.Namespace, ctx: Context) -> int:
    from warroom.base import timeutil

    tl = _timeline(ctx)
    for inc in tl.incidents():
        if args.json:
            ctx.json_line(inc.record())
        else:
            opened = timeutil.fmt_local(timeutil.parse_utc(inc.created_at), seconds=False)
            ctx.out(f"{inc.id}  {inc.severity}  {inc.status:<13}  {opened}  {inc.title}")
    return 0


def cmd_incident_show(args: argparse.Namespace, ctx: Context) -> int:
    from warroom.base import timeutil

    tl = _timeline(ctx)
    inc = tl.incident(args.id)
    if args.json:
        rec: dict[str, object] = {
            **inc.record(),
            "entries": tl.count_entries(inc.id),
            "open_actions": [a.record() for a in tl.actions(inc.id, open_only=True)],
        }
        ctx.json_line(rec)
        return 0

    def when(v: str | None) -> str:
        if not v:
            return "-"
        t = timeutil.parse_utc(v)
        return f"{timeutil.fmt_local(t)}  ({v})"

    ctx.out(f"{inc.title}")
    ctx.out(f"  id:          {inc.id}")
    ctx.out(f"  severity:    {inc.severity}    status: {inc.status}")
    ctx.out(
        f"  commander:   {inc.commander or '-'}    comms: {inc.comms_lead or '-'}"
        f"    next: {inc.next_commander or '-'}"
    )
    for m in ("started_at", "detected_at", "mitigated_at", "resolved_at"):
        ctx.out(f"  {m[:-3] + ':':<12} {when(getattr(inc, m))}")
    elapsed = timeutil.now() - timeutil.parse_utc(inc.start)
    if not inc.resolved_at:
        ctx.out(f"  elapsed:     {timeutil.fmt_duration(elapsed.total_seconds())}")
    if inc.affected_services:
        ctx.out(f"  affected:    {', '.join(inc.affected_services)}")
    for label, text in (("summary", inc.summary), ("impact", inc.impact)):
        if text:
            ctx.out(f"  {label}:")
            for line in text.splitlines():
                ctx.out(f"    {line}")
    actions = tl.actions(inc.id, open_only=True)
    if actions:
        ctx.out("  open actions:")
        for a in actions:
            ctx.out(f"    [{a.id[-6:]}] {a.text}" + (f"  (owner {a.owner})" if a.owner else ""))
    return 0


def cmd_incident_set(args: argparse.Namespace, ctx: Context) -> int:
    tl = _timeline(ctx, args.author)
    fields = {
        "status": args.status,
        "severity": args.severity,
        "commander": args.commander,
        "comms_lead": args.comms,
        "next_commander": args.next_commander,
        "summary": args.summary,
        "impact": args.impact,
        "title": args.title,
        "objectives": args.objectives,
        "root_cause": args.root_cause,
        "affected_services": args.affected,
        "started_at": args.started,
        "detected_at": args.detected,
        "mitigated_at": args.mitigated,
        "resolved_at": args.resolved,
        "next_update_due": args.next_update,
    }
    res = tl.set_incident(args.id, force=args.force, **fields)
    _warn_all(ctx, res.warnings)
    if not res.value:
        ctx.warn("nothing changed")
    for name in res.value:
        ctx.out(f"changed {name}")
    return 0


# -- entries ------------------------------------------------------------------


def _text_arg(text: str) -> str:
    """``-`` means standard input (a 200 KB paste is over the argument limit)."""
    if text != "-":
        return text
    import sys

    from warroom.base.errors import UsageError

    data = sys.stdin.buffer.read()
    try:
        value = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise UsageError(f"standard input is not UTF-8 text (byte {exc.start})") from None
    # One trailing newline is how a shell ends a heredoc or echo, not part of the entry.
    return value[:-1] if value.endswith("\n") else value


def cmd_log(args: argparse.Namespace, ctx: Context) -> int:
    tl = _timeline(ctx, args.author)
    res = tl.log(
        args.id,
        _text_arg(args.text),
        kind=args.kind,
        at=_time(args.at),
        tags=args.tag or [],
        pinned=args.pin,
        external=args.external,
    )
    _warn_all(ctx, res.warnings)
    if args.json:
        ctx.json_line(res.value.record())
    else:
        ctx.out(res.value.id)
    return 0


def cmd_entry_edit(args: argparse.Namespace, ctx: Context) -> int:
    tl = _timeline(ctx, args.author)
    tags = None
    if args.tag is not None:
        tags = args.tag
    res = tl.edit(args.entry, text=args.text, at=_time(args.at), kind=args.kind, tags=tags)
    _warn_all(ctx, res.warnings)
    ctx.out(f"{res.value.id} revision {res.value.revision}")
    return 0


def cmd_entry_hide(args: argparse.Namespace, ctx: Context) -> int:
    tl = _timeline(ctx, args.author)
    res = tl.hide(args.entry, args.reason)
    _warn_all(ctx, res.warnings)
    ctx.out(f"{res.value.id} hidden (revision {res.value.revision})")
    return 0


def cmd_entry_unhide(args: argparse.Namespace, ctx: Context) -> int:
    res = _timeline(ctx, args.author).unhide(args.entry)
    _warn_all(ctx, res.warnings)
    ctx.out(f"{res.value.id} shown (revision {res.value.revision})")
    return 0


def cmd_entry_pin(args: argparse.Namespace, ctx: Context) -> int:
    res = _timeline(ctx, args.author).pin(args.entry, not args.unpin)
    _warn_all(ctx, res.warnings)
    state = "unpinned" if args.unpin else "pinned"
    ctx.out(f"{res.value.id} {state} (revision {res.value.revision})")
    return 0


def cmd_entry_show(args: argparse.Namespace, ctx: Context) -> int:
    from warroom.domain.incidents import describe_change

    tl = _timeline(ctx)
    e = tl.entry(args.entry)
    revs = tl.revisions(e.id)
    if args.json:
        rec = e.record()
        rec["revisions"] = [r.record() for r in revs]
        ctx.json_line(rec)
        return 0
    ctx.out(
        f"{e.id}  {e.kind}  {e.occurred_at}  by {e.author}  revision {e.revision}"
        + ("  (hidden: " + e.hidden_reason + ")" if e.hidden else "")
        + ("  CONFLICT" if e.conflict else "")
    )
    ctx.out(e.text)
    ctx.out("")
    ctx.out("history:")
    prev = None
    for i, r in enumerate(revs, 1):
        what = "created" if prev is None else (describe_change(prev, r) or "no change")
        ctx.out(f"  {i}. {r.recorded_at} {r.author}: {what}" + (f" [{r.note}]" if r.note else ""))
        prev = r
    return 0


def _print_entry(ctx: Context, e: Entry) -> None:
    from warroom.base import timeutil

    t = timeutil.parse_utc(e.occurred_at)
    flags = ("*" if e.pinned else " ") + ("H" if e.hidden else " ")
    first = e.text.splitlines()[0] if e.text else ""
    more = " …" if len(e.text.splitlines()) > 1 else ""
    ctx.out(f"{flags} {timeutil.fmt_local(t)}  {e.kind:<11} {e.author:<12} {first}{more}  [{e.id}]")


def cmd_timeline(args: argparse.Namespace, ctx: Context) -> int:
    tl = _timeline(ctx)
    kinds: tuple[str, ...] = ()
    if args.kind:
        from warroom.domain.incidents import parse_kind

        kinds = tuple(parse_kind(k).value for k in args.kind)
    flt = tl.filter(
        args.id,
        search=args.search or "",
        kinds=kinds,
        tag=args.tag or "",
        author=args.author_filter or "",
        pinned_only=args.pinned,
        include_hidden=args.include_hidden,
    )
    for e in tl.entries(flt):
        if args.json:
            ctx.json_line(e.record())
        else:
            _print_entry(ctx, e)
    return 0


# -- actions ------------------------------------------------------------------


def cmd_action_add(args: argparse.Namespace, ctx: Context) -> int:
    item = _timeline(ctx, args.author).add_action(
        args.id, args.text, owner=args.owner or "", due=args.due
    )
    ctx.out(item.id)
    return 0


def cmd_action_list(args: argparse.Namespace, ctx: Context) -> int:
    for a in _timeline(ctx).actions(args.id, open_only=not args.all):
        if args.json:
            ctx.json_line(a.record())
        else:
            box = "[x]" if a.done else "[ ]"
            extra = (f" owner {a.owner}" if a.owner else "") + (f" due {a.due}" if a.due else "")
            ctx.out(f"{box} {a.text}{extra}  [{a.id}]")
    return 0


def cmd_action_done(args: argparse.Namespace, ctx: Context) -> int:
    item = _timeline(ctx, args.author).update_action(args.action, done=not args.reopen)
    ctx.out(f"{item.id} {'done' if item.done else 'open'}")
    return 0


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    inc = sub.add_parser("incident", help="create, list, show and change incidents")
    isub = inc.add_subparsers(
        dest="incident_command", metavar="ACTION", required=True, title="actions"
    )

    p = isub.add_parser("new", help="open a new incident; prints its id")
    p.add_argument("title", help="what is wrong, in a few words")
    p.add_argument("--severity", default="SEV3", help="SEV1..SEV4 (default SEV3)")
    p.add_argument(
        "--status", default="investigating", choices=STATUSES, help="(default investigating)"
    )
    p.add_argument("--commander", metavar="NAME", help="the incident commander")
    p.add_argument("--comms", metavar="NAME", help="the communications lead")
    p.add_argument("--summary", help="what is known so far")
    p.add_argument("--started", metavar="TIME", help="when the impact started")
    p.add_argument("--detected", metavar="TIME", help="when it was detected (default now)")
    p.add_argument(
        "--from-probes",
        action="store_true",
        help="start from what the probes last said: the services down become the affected "
        "services, and one 'probe' entry records it",
    )
    add_author(p)
    add_json_flag(p)
    p.set_defaults(func=cmd_incident_new)

    p = isub.add_parser("list", help="all incidents, newest first")
    add_json_flag(p)
    p.set_defaults(func=cmd_incident_list)

    p = isub.add_parser("show", help="one incident")
    p.add_argument("id", help=INCIDENT_HELP)
    add_json_flag(p)
    p.set_defaults(func=cmd_incident_show)

    p = isub.add_parser("set", help="change fields; each change is logged with old and new value")
    p.add_argument("id", help=INCIDENT_HELP)
    p.add_argument("--status", choices=STATUSES, help="resolved stamps the resolved time")
    p.add_argument("--severity", help="SEV1..SEV4")
    p.add_argument("--commander", metavar="NAME", help="the incident commander")
    p.add_argument("--comms", metavar="NAME", help="the communications lead")
    p.add_argument("--next-commander", metavar="NAME", help="who takes over next")
    p.add_argument("--summary", help="what is known so far")
    p.add_argument("--impact", help="who is affected, and how")
    p.add_argument("--title", help="a new title")
    p.add_argument("--objectives", help="what the team is working towards")
    p.add_argument("--root-cause", help="the cause, once known")
    p.add_argument("--affected", metavar="LIST", help="comma-separated affected services")
    p.add_argument("--started", metavar="TIME", help="when the impact started")
    p.add_argument("--detected", metavar="TIME", help="when it was detected")
    p.add_argument("--mitigated", metavar="TIME", help="when the impact was mitigated")
    p.add_argument("--resolved", metavar="TIME", help="when it was resolved")
    p.add_argument("--next-update", metavar="TIME", help="when the next public update is due")
    p.add_argument("--force", action="store_true", help="keep milestones out of order")
    add_author(p)
    p.set_defaults(func=cmd_incident_set)

    p = sub.add_parser("log", help="add a timeline entry; prints its id")
    p.add_argument("id", help=INCIDENT_HELP)
    p.add_argument(
        "text",
        help="what happened, exactly as it should read (Markdown; #tags are read from it; "
        "'TODO: ...' also opens an action item); '-' reads it from standard input",
    )
    p.add_argument("--kind", help="observation (default), action, decision, comms, note...")
    p.add_argument(
        "--at",
        metavar="TIME",
        help="when it happened (default now): ISO-8601, HH:MM (the most recent), or -5m",
    )
    add_author(p)
    p.add_argument("--tag", action="append", metavar="T", help="a tag (repeatable)")
    p.add_argument("--pin", action="store_true", help="pin the entry (it goes into the brief)")
    p.add_argument("--external", action="store_true", help="may go into public communication")
    add_json_flag(p)
    p.set_defaults(func=cmd_log)

    ent = sub.add_parser(
        "entry",
        help="edit, hide, pin and inspect entries",
        description="Every change is a new revision; nothing is overwritten or deleted.",
    )
    esub = ent.add_subparsers(
        dest="entry_command", metavar="ACTION", required=True, title="actions"
    )
    p = esub.add_parser("edit", help="a new revision; the old one is kept")
    p.add_argument("entry", help=ENTRY_HELP)
    p.add_argument("--text", help="the new text")
    p.add_argument("--at", metavar="TIME", help="the new time it happened")
    p.add_argument("--kind", help="the new kind")
    p.add_argument("--tag", action="append", metavar="T", help="replace the tags")
    add_author(p)
    p.set_defaults(func=cmd_entry_edit)
    p = esub.add_parser("hide", help="hide with a reason; never deleted")
    p.add_argument("entry", help=ENTRY_HELP)
    p.add_argument("--reason", required=True, help="why (shown with the hidden entry)")
    add_author(p)
    p.set_defaults(func=cmd_entry_hide)
    p = esub.add_parser("unhide", help="show a hidden entry again")
    p.add_argument("entry", help=ENTRY_HELP)
    add_author(p)
    p.set_defaults(func=cmd_entry_unhide)
    p = esub.add_parser("pin", help="pin (or --unpin)")
    p.add_argument("entry", help=ENTRY_HELP)
    p.add_argument("--unpin", action="store_true", help="take the pin off")
    add_author(p)
    p.set_defaults(func=cmd_entry_pin)
    p = esub.add_parser("show", help="an entry with its full history")
    p.add_argument("entry", help=ENTRY_HELP)
    add_json_flag(p)
    p.set_defaults(func=cmd_entry_show)

    p = sub.add_parser("timeline", help="print an incident's timeline")
    p.add_argument("id", help=INCIDENT_HELP)
    p.add_argument("--search", metavar="Q", help="full-text search (text, tags, author)")
    p.add_argument("--kind", action="append", metavar="K", help="only this kind (repeatable)")
    p.add_argument("--tag", help="only entries with this tag")
    p.add_argument(
        "--author", dest="author_filter", metavar="NAME", help="only entries by this author"
    )
    p.add_argument("--pinned", action="store_true", help="only pinned entries")
    p.add_argument("--include-hidden", action="store_true", help="also hidden entries")
    add_json_flag(p)
    p.set_defaults(func=cmd_timeline)

    act = sub.add_parser(
        "action",
        help="action items: add, list, done",
        description="An incident's action items (a 'TODO:' entry opens one, too).",
    )
    asub = act.add_subparsers(
        dest="action_command", metavar="ACTION", required=True, title="actions"
    )
    p = asub.add_parser("add", help="open an action item; prints its id")
    p.add_argument("id", help=INCIDENT_HELP)
    p.add_argument("text", help="what needs doing")
    p.add_argument("--owner", metavar="NAME", help="who does it")
    p.add_argument("--due", metavar="TIME", help="when it is due (HH:MM: the next such time)")
    add_author(p)
    p.set_defaults(func=cmd_action_add)
    p = asub.add_parser("list", help="the open action items (--all: done ones too)")
    p.add_argument("id", help=INCIDENT_HELP)
    p.add_argument("--all", action="store_true", help="include done items")
    add_json_flag(p)
    p.set_defaults(func=cmd_action_list)
    p = asub.add_parser("done", help="mark an action item done (--reopen: open again)")
    p.add_argument("action", help="the action item's id")
    p.add_argument("--reopen", action="store_true", help="open it again")
    add_author(p)
    p.set_defaults(func=cmd_action_done)
