"""Commands: incident, log, entry, timeline, action (CONTRACT.md "Incidents and the timeline")."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from warroom.cli.common import Context, add_json_flag

if TYPE_CHECKING:
    from warroom.services.timeline import Timeline

STATUSES = ("investigating", "identified", "monitoring", "resolved")


def _timeline(ctx: Context, author: str | None = None) -> Timeline:
    from warroom.services.timeline import Timeline

    return Timeline(ctx.store(), author=author)


def _time(value: str | None) -> Any:
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
    inc = tl.new_incident(
        args.title,
        severity=args.severity,
        status=args.status,
        commander=args.commander or "",
        comms_lead=args.comms or "",
        summary=args.summary or "",
        started_at=_time(args.started),
        detected_at=_time(args.detected),
    )
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
        rec = inc.record()
        rec["entries"] = tl.store.query_one(
            "SELECT count(*) FROM entries WHERE incident = ?", (inc.id,)
        )[0]  # type: ignore[index]
        rec["open_actions"] = [a.record() for a in tl.actions(inc.id, open_only=True)]
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


def cmd_log(args: argparse.Namespace, ctx: Context) -> int:
    tl = _timeline(ctx, args.author)
    res = tl.log(
        args.id,
        args.text,
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


def _print_entry(ctx: Context, e: Any) -> None:
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
    isub = inc.add_subparsers(dest="incident_command", metavar="ACTION", required=True)

    p = isub.add_parser("new", help="open a new incident; prints its id")
    p.add_argument("title")
    p.add_argument("--severity", default="SEV3", help="SEV1..SEV4 (default SEV3)")
    p.add_argument("--status", default="investigating", choices=STATUSES)
    p.add_argument("--commander")
    p.add_argument("--comms", help="the communications lead")
    p.add_argument("--summary")
    p.add_argument("--started", metavar="TIME", help="when the impact started")
    p.add_argument("--detected", metavar="TIME", help="when it was detected (default now)")
    p.add_argument("--author")
    add_json_flag(p)
    p.set_defaults(func=cmd_incident_new)

    p = isub.add_parser("list", help="all incidents, newest first")
    add_json_flag(p)
    p.set_defaults(func=cmd_incident_list)

    p = isub.add_parser("show", help="one incident")
    p.add_argument("id", help="an id, a unique prefix, or 'latest'")
    add_json_flag(p)
    p.set_defaults(func=cmd_incident_show)

    p = isub.add_parser("set", help="change fields; each change is logged with old and new value")
    p.add_argument("id")
    p.add_argument("--status", choices=STATUSES)
    p.add_argument("--severity")
    p.add_argument("--commander")
    p.add_argument("--comms")
    p.add_argument("--next-commander")
    p.add_argument("--summary")
    p.add_argument("--impact")
    p.add_argument("--title")
    p.add_argument("--objectives")
    p.add_argument("--root-cause")
    p.add_argument("--affected", help="comma-separated affected services")
    p.add_argument("--started", metavar="TIME")
    p.add_argument("--detected", metavar="TIME")
    p.add_argument("--mitigated", metavar="TIME")
    p.add_argument("--resolved", metavar="TIME")
    p.add_argument("--next-update", metavar="TIME", help="when the next public update is due")
    p.add_argument("--force", action="store_true", help="keep milestones out of order")
    p.add_argument("--author")
    p.set_defaults(func=cmd_incident_set)

    p = sub.add_parser("log", help="add a timeline entry; prints its id")
    p.add_argument("id", help="incident id (or unique prefix, or 'latest')")
    p.add_argument("text")
    p.add_argument("--kind", help="observation (default), action, decision, comms, note...")
    p.add_argument("--at", metavar="TIME", help="when it happened (default now)")
    p.add_argument("--author")
    p.add_argument("--tag", action="append", metavar="T")
    p.add_argument("--pin", action="store_true")
    p.add_argument("--external", action="store_true", help="may go into public communication")
    add_json_flag(p)
    p.set_defaults(func=cmd_log)

    ent = sub.add_parser("entry", help="edit, hide, pin and inspect entries")
    esub = ent.add_subparsers(dest="entry_command", metavar="ACTION", required=True)
    p = esub.add_parser("edit", help="a new revision; the old one is kept")
    p.add_argument("entry")
    p.add_argument("--text")
    p.add_argument("--at", metavar="TIME")
    p.add_argument("--kind")
    p.add_argument("--tag", action="append", metavar="T", help="replace the tags")
    p.add_argument("--author")
    p.set_defaults(func=cmd_entry_edit)
    p = esub.add_parser("hide", help="hide with a reason; never deleted")
    p.add_argument("entry")
    p.add_argument("--reason", required=True)
    p.add_argument("--author")
    p.set_defaults(func=cmd_entry_hide)
    p = esub.add_parser("unhide", help="show a hidden entry again")
    p.add_argument("entry")
    p.add_argument("--author")
    p.set_defaults(func=cmd_entry_unhide)
    p = esub.add_parser("pin", help="pin (or --unpin)")
    p.add_argument("entry")
    p.add_argument("--unpin", action="store_true")
    p.add_argument("--author")
    p.set_defaults(func=cmd_entry_pin)
    p = esub.add_parser("show", help="an entry with its full history")
    p.add_argument("entry")
    add_json_flag(p)
    p.set_defaults(func=cmd_entry_show)

    p = sub.add_parser("timeline", help="print an incident's timeline")
    p.add_argument("id")
    p.add_argument("--search", metavar="Q", help="full-text search (text, tags, author)")
    p.add_argument("--kind", action="append", metavar="K")
    p.add_argument("--tag")
    p.add_argument("--author", dest="author_filter", metavar="NAME")
    p.add_argument("--pinned", action="store_true")
    p.add_argument("--include-hidden", action="store_true")
    add_json_flag(p)
    p.set_defaults(func=cmd_timeline)

    act = sub.add_parser("action", help="action items")
    asub = act.add_subparsers(dest="action_command", metavar="ACTION", required=True)
    p = asub.add_parser("add")
    p.add_argument("id", help="incident")
    p.add_argument("text")
    p.add_argument("--owner")
    p.add_argument("--due", metavar="TIME")
    p.add_argument("--author")
    p.set_defaults(func=cmd_action_add)
    p = asub.add_parser("list")
    p.add_argument("id", help="incident")
    p.add_argument("--all", action="store_true", help="include done items")
    add_json_flag(p)
    p.set_defaults(func=cmd_action_list)
    p = asub.add_parser("done")
    p.add_argument("action")
    p.add_argument("--reopen", action="store_true")
    p.add_argument("--author")
    p.set_defaults(func=cmd_action_done)
