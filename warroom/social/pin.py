"""A post becomes part of the incident's story: a ``social`` entry plus its evidence.

The entry takes the post's own time (when the customer wrote it, not when someone
pinned it), names author, source and link, and is written by the system author
``feed`` (who pinned it is kept in its meta). The original, as the service sent it, is
stored as evidence of kind ``social``. Pinning the same post again returns the entry it
already made.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from warroom.base import ids, timeutil
from warroom.domain.social import Post

if TYPE_CHECKING:
    from warroom.services.timeline import Timeline

AUTHOR = "feed"
KIND_LABEL = {
    "mastodon": "Mastodon",
    "bluesky": "Bluesky",
    "rss": "RSS",
    "statuspage": "status page",
}


def entry_text(post: Post) -> str:
    who = post.author if post.kind in ("rss", "statuspage") else f"@{post.author}"
    if post.author_name and post.author_name != post.author:
        who += f" ({post.author_name})"
    where = f"{post.source}, {KIND_LABEL.get(post.kind, post.kind)}"
    text = f"{who} on {where}: “{post.text}”"
    return text + (f" {post.url}" if post.url else "")


def pin(timeline: Timeline, incident: str, post: Post) -> str:
    """Log ``post`` in ``incident`` (a ``Timeline``); returns the entry id."""
    from warroom.store import timeline as tq

    iid = timeline.resolve_incident_id(incident)
    for ev in tq.evidence(timeline.store, iid):
        d = ev.get("data") or {}
        same = d.get("source") == post.source and d.get("id") == post.id
        if ev["kind"] == "social" and same and ev.get("entry"):
            return str(ev["entry"])
    meta = {
        "source": "social",
        "feed": post.source,
        "post_id": post.id,
        "post_kind": post.kind,
        "author": post.author,
        "author_name": post.author_name,
        "url": post.url,
        "posted_at": post.time,
        "pinned_by": timeline.author,
    }
    res = timeline.log(
        iid,
        entry_text(post),
        kind="social",
        at=post.when,
        author=AUTHOR,
        tags=["social", post.source],
        meta=meta,
    )
    entry = res.value
    try:
        original: object = json.loads(post.raw) if post.raw else None
    except ValueError:
        original = post.raw
    with timeline.store.write() as conn:
        tq.insert_evidence(
            conn,
            {
                "id": ids.new_id(),
                "incident": iid,
                "entry": entry.id,
                "kind": "social",
                "captured_at": timeutil.now_str(),
                "source": f"{post.kind}:{post.source}",
                "data": {**post.record(), "kind": post.kind, "original": original},
            },
        )
    return str(entry.id)
