"""The records of the social feeds: a post, and how each source is doing.

A post keeps three forms of its content: ``text`` (plain, what lists and the command
line show), ``html`` (sanitised, links kept, for the detail view) and ``raw`` (the
original as received, JSON text, kept as evidence when the post is pinned).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TypedDict

from warroom.base import timeutil


class PostRecord(TypedDict):
    """The CONTRACT feed record (``warroom feeds --json``, a pinned post's evidence)."""

    source: str
    id: str
    author: str
    text: str
    url: str | None
    time: str


@dataclass(frozen=True, slots=True)
class Post:
    source: str  # the [[feed]] name
    id: str  # the service's own id, unique within the source
    kind: str  # mastodon, rss, bluesky, statuspage
    author: str  # handle / acct / feed title
    text: str  # plain text, no markup
    url: str | None  # http(s) only, else None
    time: str  # the post's own time, UTC ISO-8601 with Z
    author_name: str = ""  # display name when the service has one
    html: str = ""  # sanitised HTML for the detail view
    raw: str = ""  # the original (JSON text) as the service sent it
    seq: int = 0  # the cache's arrival order (0 until stored)

    def record(self) -> PostRecord:
        """The CONTRACT feed record."""
        return {
            "source": self.source,
            "id": self.id,
            "author": self.author,
            "text": self.text,
            "url": self.url,
            "time": self.time,
        }

    @property
    def when(self) -> datetime:
        return timeutil.parse_utc(self.time)


@dataclass(frozen=True, slots=True)
class SourceStatus:
    """One source's health, as the pane and ``warroom feeds`` show it."""

    name: str
    kind: str
    url: str
    last_ok: str | None = None  # last successful poll (UTC ISO)
    last_attempt: str | None = None
    error: str | None = None  # one line; None when the last poll worked
    stale_since: str | None = None  # first failure since the last success
    note: str | None = None  # a warning that did not stop the poll (malformed feed)
    next_at: str | None = None
    state: dict[str, object] = field(default_factory=dict)  # cursors, ETag; not secrets

    @property
    def stale(self) -> bool:
        return self.error is not None

    def describe(self) -> str:
        """``ok, updated 10:42:05Z`` / ``stale since 10:42Z: cannot connect``."""
        if self.error is not None:
            since = self.stale_since or self.last_attempt or "?"
            return f"stale since {since}: {self.error}"
        if self.last_ok is None:
            return "not polled yet"
        return f"updated {self.last_ok}" + (f" ({self.note})" if self.note else "")
