"""Bluesky search as a feed source, over the shared session client (``atproto.py``).

The session signs in once with the app password (a stored secret) and refreshes its
tokens; this source only asks ``app.bsky.feed.searchPosts`` (newest first) and walks
its ``cursor`` back until it meets a post it has already seen, so a burst between two
polls is read whole and nothing twice.
"""

from __future__ import annotations

import json

from warroom.base import timeutil
from warroom.base.jsonval import as_object, get_opt_str, objects, strings
from warroom.config.workspace_file import Feed
from warroom.domain.social import Post
from warroom.social.atproto import AtprotoSession, XrpcError
from warroom.social.http import Http, SourceError
from warroom.social.sources import PollResult, SecretGetter, _iso
from warroom.social.text import clean_plain

PAGE = 100
MAX_PAGES = 10
KEEP_SEEN = 300  # uris remembered to know where the last poll stopped


def bluesky_post(source: str, view: dict[str, object]) -> Post | None:
    """A Post from an ``app.bsky.feed.defs#postView``; None when it lacks the essentials."""
    uri = view.get("uri") if isinstance(view, dict) else None
    if not isinstance(uri, str) or not uri.startswith("at://"):
        return None
    author, record = as_object(view.get("author")), as_object(view.get("record"))
    handle = str(author.get("handle") or author.get("did") or "?")
    rkey = uri.rsplit("/", 1)[-1]
    url = f"https://bsky.app/profile/{handle}/post/{rkey}" if handle != "?" else None
    return Post(
        source=source,
        id=uri,
        kind="bluesky",
        author=handle[:200],
        author_name=clean_plain(str(author.get("displayName") or ""))[:200],
        text=clean_plain(str(record.get("text") or "")) or "(no text)",
        url=url,
        time=_iso(record.get("createdAt")) or _iso(view.get("indexedAt")) or timeutil.now_str(),
        raw=json.dumps(view, ensure_ascii=False, sort_keys=True),
    )


class BlueskySource:
    def __init__(self, feed: Feed, secret: SecretGetter) -> None:
        self.feed = feed
        self.secret = secret
        if not feed.handle or not feed.secret:
            raise SourceError("a bluesky feed needs handle = … and secret = … (its app password)")
        if not feed.search and not feed.hashtag:
            raise SourceError("a bluesky feed needs search = … or hashtag = …")
        self.query = feed.search or f"#{str(feed.hashtag).lstrip('#')}"
        self._session: AtprotoSession | None = None
        self._http: Http | None = None

    def session(self, http: Http) -> AtprotoSession:
        """One session per source and HTTP client: signed in once, then refreshed."""
        if self._session is None or self._http is not http:
            assert self.feed.handle and self.feed.secret
            self._session = AtprotoSession(
                self.feed.url,
                self.feed.handle,
                self.feed.secret,
                client=http.client,
                password_lookup=self.secret,
            )
            self._http = http
        return self._session

    async def poll(self, http: Http, state: dict[str, object]) -> PollResult:
        session = self.session(http)
        seen = strings(state.get("seen"))
        known = set(seen)
        first = not seen
        views: list[dict[str, object]] = []
        cursor: str | None = None
        try:
            for _ in range(1 if first else MAX_PAGES):
                params: dict[str, str | int] = {"q": self.query, "limit": PAGE, "sort": "latest"}
                if cursor:
                    params["cursor"] = cursor
                data = await session.call("app.bsky.feed.searchPosts", params=params)
                page = objects(data.get("posts"))
                fresh = [v for v in page if v.get("uri") not in known]
                views.extend(fresh)
                cursor = get_opt_str(data, "cursor")
                if len(fresh) < len(page) or not cursor or not page:
                    break
        except XrpcError as exc:
            raise SourceError(str(exc), retry_after=exc.retry_after) from None
        posts = [p for p in (bluesky_post(self.feed.name, v) for v in views) if p]
        new_seen = [p.id for p in posts] + seen
        return PollResult(posts, {**state, "seen": new_seen[:KEEP_SEEN]})
