"""The sources: RSS/Atom, Mastodon, Statuspage (Bluesky in ``bluesky.py``).

A source turns one poll into new posts plus the state to resume from (an ETag, the
newest id seen, the component statuses). It never writes anywhere and never sleeps:
the poller schedules, stores and backs off. Each raises ``SourceError`` with one line
when the service cannot be read.
"""

from __future__ import annotations

import calendar
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Protocol
from urllib.parse import quote, urlsplit

from warroom.base import timeutil
from warroom.base.jsonval import as_object, get_str
from warroom.config.workspace_file import Feed
from warroom.domain.social import Post
from warroom.social.http import Http, Reply, SourceError
from warroom.social.text import safe_html, safe_url, to_plain

MASTODON_PAGE = 40
MAX_PAGES = 10  # per poll; the rest follows on the next poll (the cursor keeps its place)
RECENT_DAYS = 7  # status page incident updates older than this are history, not news

SecretGetter = Callable[[str], str | None]


@dataclass
class PollResult:
    posts: list[Post] = field(default_factory=list)
    state: dict[str, object] = field(default_factory=dict)
    not_modified: bool = False
    note: str | None = None  # a warning that did not stop the poll
    wait: float | None = None  # the server asked for a pause before the next poll


class Source(Protocol):
    feed: Feed

    async def poll(self, http: Http, state: dict[str, object]) -> PollResult: ...


def _iso(value: object) -> str | None:
    """A service's time string as our UTC form; None when it is not a time."""
    if not isinstance(value, str) or not value:
        return None
    try:
        t = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if t.tzinfo is None:
        t = t.replace(tzinfo=UTC)
    return timeutil.fmt(t)


def _raw(obj: object) -> str:
    return json.dumps(obj, ensure_ascii=False, sort_keys=True, default=str)


def _same_origin(url: str, base: str) -> bool:
    a, b = urlsplit(url), urlsplit(base)
    return (a.scheme, a.hostname, a.port) == (b.scheme, b.hostname, b.port)


# -- RSS and Atom -------------------------------------------------------------------


class RssSource:
    """RSS/Atom with conditional requests; feedparser parses the bytes we fetched."""

    def __init__(self, feed: Feed) -> None:
        self.feed = feed

    async def poll(self, http: Http, state: dict[str, object]) -> PollResult:
        headers = {
            "Accept": "application/rss+xml, application/atom+xml, application/xml;q=0.9, */*;q=0.5"
        }
        if etag := get_str(state, "etag"):
            headers["If-None-Match"] = etag
        if modified := get_str(state, "last_modified"):
            headers["If-Modified-Since"] = modified
        r = await http.get(self.feed.url, headers=headers, ok=(200, 304))
        if r.status == 304:
            return PollResult(state=dict(state), not_modified=True)
        new_state = {
            k: v
            for k, v in (
                ("etag", r.headers.get("etag")),
                ("last_modified", r.headers.get("last-modified")),
            )
            if v
        }
        posts, note = parse_feed(self.feed.name, r.body, r.headers.get("content-type", ""), r.url)
        return PollResult(posts, new_state, note=note, wait=r.wait_hint())


def parse_feed(
    source: str, body: bytes, content_type: str = "", url: str = ""
) -> tuple[list[Post], str | None]:
    """Posts from an RSS/Atom document; raises ``SourceError`` for an unusable one."""
    import feedparser

    head = body[:65536].lower()
    if b"<!entity" in head:
        # Feeds never need entity declarations; refusing them stops expansion bombs
        # (feedparser's fallback parser would not stop them) before any parsing.
        raise SourceError("the feed declares XML entities; refused (entity-expansion protection)")
    d = feedparser.parse(
        body,
        response_headers={
            "content-type": content_type or "application/xml",
            "content-location": url,
        },
        sanitize_html=True,
        resolve_relative_uris=False,
    )
    note = None
    why = d.get("bozo_exception") if d.get("bozo") else None
    what = why.__class__.__name__ if why is not None else ""
    if not d.entries and not d.get("version"):
        # An error page, a captive portal, binary junk: say what came instead.
        ctype = content_type.split(";")[0].strip() or "no content type"
        raise SourceError(f"not a feed ({ctype}{', ' + what if what else ''})")
    if why is not None:
        note = f"malformed feed, read what could be read ({what})"
    feed_title = to_plain(str(d.feed.get("title", ""))) or urlsplit(url).hostname or source
    posts = []
    for e in d.entries:
        title = to_plain(str(e.get("title", "")))
        summary = ""
        if e.get("content"):
            summary = str(e["content"][0].get("value", ""))
        summary = summary or str(e.get("summary", ""))
        body_text = to_plain(summary)
        text = title if not body_text or body_text == title else f"{title}\n{body_text}".strip()
        link = safe_url(e.get("link"))
        ident = str(e.get("id") or e.get("link") or "") or _digest(title, summary)
        # dict.get: feedparser's own get() maps updated->published with a DeprecationWarning
        parsed = dict.get(e, "published_parsed") or dict.get(e, "updated_parsed")
        when = (
            timeutil.fmt(datetime.fromtimestamp(calendar.timegm(parsed), UTC))
            if parsed
            else timeutil.now_str()
        )
        author = to_plain(str(e.get("author", ""))) or feed_title
        raw = {
            k: dict.get(e, k)
            for k in ("id", "title", "link", "published", "updated", "author", "summary")
        }
        posts.append(
            Post(
                source=source,
                id=ident[:500],
                kind="rss",
                author=author[:200],
                text=text or "(no text)",
                url=link,
                time=when,
                author_name=feed_title[:200],
                html=safe_html(summary),
                raw=_raw(raw),
            )
        )
    return posts, note


def _digest(*parts: str) -> str:
    import hashlib

    return "sha256:" + hashlib.sha256("\x00".join(parts).encode()).hexdigest()[:32]


# -- Mastodon -----------------------------------------------------------------------


def mastodon_post(source: str, s: dict[str, object]) -> Post | None:
    """A Post from a Mastodon Status entity; None when it lacks the essentials."""
    if not isinstance(s, dict) or not s.get("id"):
        return None
    reblog = s.get("reblog")
    shown: dict[str, object] = reblog if isinstance(reblog, dict) else s
    acct = as_object(shown.get("account"))
    content = str(shown.get("content") or "")
    cw = str(shown.get("spoiler_text") or "")
    text = to_plain(content)
    if cw:
        text = f"[CW: {to_plain(cw)}] {text}"
    return Post(
        source=source,
        id=str(s["id"]),
        kind="mastodon",
        author=str(acct.get("acct") or acct.get("username") or "?")[:200],
        author_name=to_plain(str(acct.get("display_name") or ""))[:200],
        text=text or "(no text)",
        url=safe_url(shown.get("url")) or safe_url(shown.get("uri")),
        time=_iso(shown.get("created_at")) or timeutil.now_str(),
        html=safe_html(content),
        raw=_raw(s),
    )


class MastodonSource:
    """The public hashtag timeline, or search with a token; no post missed or repeated.

    The first poll takes the newest page. Later polls ask for ``min_id`` = the newest id
    seen, which returns the page right after it, and follow ``Link: rel="prev"`` until a
    page comes back short: every post in between is read exactly once, however many
    arrived, and a poll cut short at ``MAX_PAGES`` resumes where it stopped.
    """

    def __init__(self, feed: Feed, secret: SecretGetter) -> None:
        self.feed = feed
        self.secret = secret
        if not feed.hashtag and not feed.search:
            raise SourceError("a mastodon feed needs hashtag = … or search = …")

    def _request(self) -> tuple[str, dict[str, str], dict[str, str]]:
        base = self.feed.url.rstrip("/")
        headers: dict[str, str] = {}
        token = self.secret(self.feed.secret) if self.feed.secret else None
        if token:
            headers["Authorization"] = f"Bearer {token}"
        if self.feed.hashtag:
            tag = self.feed.hashtag.lstrip("#")
            return (
                f"{base}/api/v1/timelines/tag/{quote(tag, safe='')}",
                {"limit": str(MASTODON_PAGE)},
                headers,
            )
        if not token:
            raise SourceError(
                f"search needs a token: set secret = NAME in the feed and store it "
                f"(warroom secret set {self.feed.secret or 'NAME'})"
            )
        params = {
            "q": str(self.feed.search),
            "type": "statuses",
            "resolve": "false",
            "limit": str(MASTODON_PAGE),
        }
        return f"{base}/api/v2/search", params, headers

    def _statuses(self, r: Reply) -> list[dict[str, object]]:
        data = r.json()
        if isinstance(data, dict):
            data = data.get("statuses")
        if not isinstance(data, list):
            raise SourceError("unexpected answer from the Mastodon server (no status list)")
        return [s for s in data if isinstance(s, dict)]

    async def poll(self, http: Http, state: dict[str, object]) -> PollResult:
        url, params, headers = self._request()
        newest = state.get("min_id")
        got: dict[str, dict[str, object]] = {}
        wait = None
        if newest is None:
            r = await http.get(url, params=params, headers=headers)
            for s in self._statuses(r):
                got[str(s["id"])] = s
            wait = r.wait_hint()
        else:
            next_url: str | None = url
            next_params: dict[str, str] | None = {**params, "min_id": str(newest)}
            for _ in range(MAX_PAGES):
                assert next_url is not None
                r = await http.get(next_url, params=next_params, headers=headers)
                page = self._statuses(r)
                for s in page:
                    got[str(s["id"])] = s
                wait = r.wait_hint()
                if len(page) < MASTODON_PAGE or wait is not None:
                    break
                prev = r.links.get("prev", {}).get("url")
                if prev and _same_origin(prev, url):
                    next_url, next_params = prev, None
                else:  # search has no Link header: page by min_id ourselves
                    top = max(page, key=lambda s: _id_key(str(s["id"])))
                    next_url, next_params = url, {**params, "min_id": str(top["id"])}
        ids = sorted(got, key=_id_key)
        new_state = dict(state)
        if ids:
            top_id = ids[-1]
            if newest is None or _id_key(top_id) > _id_key(str(newest)):
                new_state["min_id"] = top_id
        posts = [p for p in (mastodon_post(self.feed.name, got[i]) for i in ids) if p]
        return PollResult(posts, new_state, wait=wait)


def _id_key(i: str) -> tuple[int, str]:
    """Mastodon ids are numeric strings compared as numbers (length, then text)."""
    return (len(i), i)


# -- Atlassian Statuspage -----------------------------------------------------------

COMPONENT_LABEL = {
    "operational": "operational",
    "degraded_performance": "degraded performance",
    "partial_outage": "partial outage",
    "major_outage": "major outage",
    "under_maintenance": "under maintenance",
}


class StatuspageSource:
    """An upstream provider's public status page: changes become posts.

    Components: a change of status since the previous poll is a post (on the first
    poll, every component that is not operational). Incidents: each update (posted in
    the last ``RECENT_DAYS``) is a post, with the page's shortlink.
    """

    def __init__(self, feed: Feed) -> None:
        self.feed = feed

    def _api(self, name: str) -> str:
        base = self.feed.url.rstrip("/")
        for suffix in ("/api/v2/summary.json", "/api/v2/incidents.json", "/api/v2/components.json"):
            if base.endswith(suffix):
                base = base[: -len(suffix)]
        return f"{base}/api/v2/{name}.json"

    async def poll(self, http: Http, state: dict[str, object]) -> PollResult:
        summary = (await http.get(self._api("summary"))).json()
        incidents = (await http.get(self._api("incidents"))).json()
        if not isinstance(summary, dict) or not isinstance(incidents, dict):
            raise SourceError("unexpected answer from the status page (not Statuspage JSON)")
        page = summary.get("page") or {}
        page_name = (
            to_plain(str(page.get("name") or ""))
            or urlsplit(self.feed.url).hostname
            or "status page"
        )
        page_url = safe_url(page.get("url"))
        known = {k: str(v) for k, v in as_object(state.get("components")).items()}
        first = "components" not in state
        posts: list[Post] = []
        for c in summary.get("components") or []:
            if not isinstance(c, dict) or c.get("group") or not c.get("id"):
                continue
            cid, status = str(c["id"]), str(c.get("status") or "")
            prev = known.get(cid)
            known[cid] = status
            if (
                prev == status
                or (first and status == "operational")
                or (not first and prev is None and status == "operational")
            ):
                continue
            name = to_plain(str(c.get("name") or cid))
            label = COMPONENT_LABEL.get(status, status)
            text = (
                f"{name}: {label}"
                if prev is None
                else f"{name}: {COMPONENT_LABEL.get(prev, prev)} → {label}"
            )
            when = _iso(c.get("updated_at")) or timeutil.now_str()
            posts.append(
                Post(
                    source=self.feed.name,
                    id=f"component:{cid}:{status}:{c.get('updated_at')}",
                    kind="statuspage",
                    author=page_name,
                    text=text,
                    url=page_url,
                    time=when,
                    raw=_raw(c),
                )
            )
        horizon = timeutil.now() - timedelta(days=RECENT_DAYS)
        for inc in incidents.get("incidents") or []:
            if not isinstance(inc, dict):
                continue
            name = to_plain(str(inc.get("name") or "incident"))
            link = safe_url(inc.get("shortlink")) or page_url
            for u in inc.get("incident_updates") or []:
                if not isinstance(u, dict) or not u.get("id"):
                    continue
                posted = _iso(u.get("display_at")) or _iso(u.get("created_at"))
                if posted is None or timeutil.parse_utc(posted) < horizon:
                    continue
                status = str(u.get("status") or "")
                body = to_plain(str(u.get("body") or ""))
                posts.append(
                    Post(
                        source=self.feed.name,
                        id=f"incident-update:{u['id']}",
                        kind="statuspage",
                        author=page_name,
                        text=f"{name} — {status.title()}: {body}"
                        if body
                        else f"{name} — {status.title()}",
                        url=link,
                        time=posted,
                        raw=_raw(
                            {
                                "incident": {
                                    k: v for k, v in inc.items() if k != "incident_updates"
                                },
                                "update": u,
                            }
                        ),
                    )
                )
        posts.sort(key=lambda p: p.time)
        return PollResult(posts, {**state, "components": known})


def make_source(feed: Feed, secret: SecretGetter) -> Source:
    """The source for one [[feed]]; raises ``SourceError`` when it is misconfigured."""
    if feed.kind == "rss":
        return RssSource(feed)
    if feed.kind == "mastodon":
        return MastodonSource(feed, secret)
    if feed.kind == "statuspage":
        return StatuspageSource(feed)
    if feed.kind == "bluesky":
        from warroom.social.bluesky import BlueskySource

        return BlueskySource(feed, secret)
    raise SourceError(f"unknown feed kind {feed.kind!r}")
