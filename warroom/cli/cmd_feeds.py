"""``warroom feeds FILE [--once] [--json]``: read the [[feed]] sources of a workspace.

Each post is printed once per workspace: the posts are cached in the workspace's
database and a cursor per source remembers what the command line has printed, so a
second run prints only what is new (also posts the window fetched meanwhile). A source
that fails is a ``warning:`` line on stderr (the others carry on) and exit status 1.
"""

from __future__ import annotations

import argparse
import sys
import threading
from typing import TYPE_CHECKING

from warroom.cli.common import Context, add_json_flag

if TYPE_CHECKING:
    from warroom.domain.social import Post, SourceStatus
    from warroom.store import Store

READER = "cli"


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Adds ``feeds``."""
    p = sub.add_parser(
        "feeds",
        help="read the social feeds of a workspace file; print each new post once",
        description="Poll every [[feed]] of FILE (Mastodon, Bluesky, RSS/Atom, Statuspage) "
        "and print the posts this workspace has not printed yet. Without --once, keeps "
        "polling each source on its interval. Exit 1 when a source failed.",
    )
    p.add_argument("file", metavar="FILE", help="the workspace TOML file")
    p.add_argument("--once", action="store_true", help="poll every source once, then exit")
    add_json_flag(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace, ctx: Context) -> int:
    import asyncio

    from warroom.config import workspace_file
    from warroom.social.poller import FeedPoller

    config = workspace_file.load(args.file)
    if not config.feeds:
        raise workspace_file.WorkspaceFileError(
            [workspace_file.Problem(None, "feed", "no [[feed]] to read")], args.file
        )
    store = ctx.store()
    names = [f.name for f in config.feeds]
    lock = threading.Lock()
    failed: set[str] = set()

    def on_status(s: SourceStatus) -> None:
        with lock:
            if s.error is not None:
                failed.add(s.name)
                ctx.warn(f"feed {s.name}: {s.describe()}")
            elif s.note:
                ctx.warn(f"feed {s.name}: {s.note}")

    poller = FeedPoller(config.feeds, store=store, on_status=on_status)
    asyncio.run(poller.poll_once())
    _print_new(store, names, args, ctx, lock)
    if args.once:
        return 1 if failed else 0

    poller.on_posts = lambda _posts: _print_new(store, names, args, ctx, lock)
    poller.start()
    try:
        threading.Event().wait()
    finally:
        poller.stop()
    return 0


def _print_new(
    store: Store, names: list[str], args: argparse.Namespace, ctx: Context, lock: threading.Lock
) -> None:
    from warroom.store import social as q

    with lock:
        seen = q.cursors(store, READER)
        floor = min((seen.get(n, 0) for n in names), default=0)
        posts = [p for p in q.since_seq(store, floor, names) if p.seq > seen.get(p.source, 0)]
        for p in posts:
            if args.json:
                ctx.json_line(p.record())
            else:
                ctx.out(_line(p))
        if posts:
            sys.stdout.flush()  # a pipe (| grep) sees each post as it arrives
            top: dict[str, int] = {}
            for p in posts:
                top[p.source] = max(top.get(p.source, 0), p.seq)
            q.set_cursors(store, READER, top)


def _line(p: Post) -> str:
    text = " / ".join(x for x in p.text.splitlines() if x.strip())
    who = p.author if p.kind in ("rss", "statuspage") else f"@{p.author}"
    return f"{p.time[:16]}Z  {p.source}  {who}: {text}" + (f"  <{p.url}>" if p.url else "")
