"""A simulated Mastodon server: public hashtag timeline, search, rate limits.

Shapes follow the Mastodon API documentation (Status, Account entities; ``Link``
pagination with ``max_id``/``since_id``/``min_id``; ``X-RateLimit-*`` headers with an
ISO-8601 reset time; 429 when the window is used up). Statuses live in memory; add
them with ``post()``.

Publishing: ``POST /api/v1/statuses`` (form or JSON ``status``, ``visibility``) for a
token added with ``add_token``; the ``Idempotency-Key`` header is honoured as Mastodon
does (the same key from the same account within an hour returns the first status instead
of posting again); a text over ``max_characters`` (counted as Mastodon counts: grapheme
clusters, any link 23) is a 422. ``GET /api/v1/instance`` and ``/api/v2/instance`` give
``configuration.statuses.max_characters``.
"""

from __future__ import annotations

import datetime as dt
import html
import re
import time
from typing import TypedDict
from urllib.parse import unquote, urlencode

from warroom.sim.http import HttpFake, Request, Response, bearer

BASE_ID = 113_000_000_000_000_000
_TAG_RE = re.compile(r"#(\w+)")


# The entities of the Mastodon API documentation, as far as the fake fills them.


class Account(TypedDict):
    id: str
    username: str
    acct: str
    display_name: str
    url: str


class Tag(TypedDict):
    name: str
    url: str


class Status(TypedDict):
    id: str
    created_at: str
    in_reply_to_id: str | None
    sensitive: bool
    spoiler_text: str
    visibility: str
    language: str
    uri: str
    url: str
    replies_count: int
    reblogs_count: int
    favourites_count: int
    content: str
    reblog: Status | None
    account: Account
    media_attachments: list[dict[str, str]]
    mentions: list[dict[str, str]]
    tags: list[Tag]
    emojis: list[dict[str, str]]


def _iso(t: dt.datetime) -> str:
    return t.astimezone(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class FakeMastodon(HttpFake):
    def __init__(
        self,
        *,
        domain: str = "mastodon.example",
        max_characters: int = 500,
        host: str = "127.0.0.1",
    ) -> None:
        super().__init__(host)
        self.domain = domain
        self.max_characters = max_characters
        self.statuses: list[Status] = []  # oldest first
        self._texts: dict[str, str] = {}  # status id -> plain text, for the search
        self._published_by: dict[str, str] = {}  # status id -> who posted it via the API
        self.tokens: set[str] = set()
        self.token_owner: dict[str, str] = {}  # publishing token -> username
        self._idempotent: dict[tuple[str, str], tuple[float, Status]] = {}
        self._next = BASE_ID
        self.rate_limit = 300
        self.rate_window = 300.0
        self._window_start = time.time()
        self._used = 0
        self.route("GET", r"/api/v1/timelines/tag/(?P<hashtag>[^/]+)", self._tag)
        self.route("GET", r"/api/v2/search", self._search)
        self.route("GET", r"/api/v2/instance", self._instance)
        self.route("GET", r"/api/v1/instance", self._instance)
        self.route("POST", r"/api/v1/statuses", self._publish)

    # -- scripting -------------------------------------------------------------------

    def post(
        self,
        text: str,
        *,
        author: str = "alice",
        display_name: str | None = None,
        at: dt.datetime | None = None,
        content_html: str | None = None,
    ) -> Status:
        """Add a status as if ``author`` had just posted it; returns the Status entity."""
        with self.lock:
            self._next += 1 + (self._next % 7)  # ids grow, not by one (like snowflakes)
            sid = str(self._next)
            t = at or dt.datetime.now(dt.UTC)
            tags = [m.lower() for m in _TAG_RE.findall(text)]
            body = content_html
            if body is None:
                linked = _TAG_RE.sub(
                    lambda m: (
                        f'<a href="https://{self.domain}/tags/{m.group(1).lower()}" '
                        f'class="mention hashtag" rel="tag">#<span>{m.group(1)}</span></a>'
                    ),
                    html.escape(text, quote=False),
                )
                body = "<p>" + linked.replace("\n", "<br />") + "</p>"
            status: Status = {
                "id": sid,
                "created_at": _iso(t),
                "in_reply_to_id": None,
                "sensitive": False,
                "spoiler_text": "",
                "visibility": "public",
                "language": "en",
                "uri": f"https://{self.domain}/users/{author}/statuses/{sid}",
                "url": f"https://{self.domain}/@{author}/{sid}",
                "replies_count": 0,
                "reblogs_count": 0,
                "favourites_count": 0,
                "content": body,
                "reblog": None,
                "account": {
                    "id": str(abs(hash(author)) % 10**9),
                    "username": author,
                    "acct": author,
                    "display_name": display_name if display_name is not None else author.title(),
                    "url": f"https://{self.domain}/@{author}",
                },
                "media_attachments": [],
                "mentions": [],
                "tags": [{"name": t_, "url": f"https://{self.domain}/tags/{t_}"} for t_ in tags],
                "emojis": [],
            }
            self.statuses.append(status)
            self._texts[sid] = text
            return status.copy()

    def add_token(self, token: str, username: str = "ops") -> None:
        """A token (with write:statuses) that publishes as ``username``."""
        with self.lock:
            self.tokens.add(token)
            self.token_owner[token] = username

    def published(self, username: str = "ops") -> list[str]:
        """The texts ``username`` published through the API, oldest first."""
        with self.lock:
            return [
                self._texts[s["id"]]
                for s in self.statuses
                if self._published_by.get(s["id"]) == username
            ]

    def set_rate_limit(self, limit: int, window_s: float = 300.0) -> None:
        with self.lock:
            self.rate_limit, self.rate_window = limit, window_s
            self._window_start, self._used = time.time(), 0

    # -- endpoints -------------------------------------------------------------------

    def _rate(self) -> tuple[bool, dict[str, str]]:
        now = time.time()
        with self.lock:
            if now - self._window_start >= self.rate_window:
                self._window_start, self._used = now, 0
            self._used += 1
            remaining = max(0, self.rate_limit - self._used)
            reset = dt.datetime.fromtimestamp(self._window_start + self.rate_window, dt.UTC)
            ok = self._used <= self.rate_limit
        return ok, {
            "X-RateLimit-Limit": str(self.rate_limit),
            "X-RateLimit-Remaining": str(remaining),
            "X-RateLimit-Reset": _iso(reset),
        }

    def _page(self, req: Request, candidates: list[Status]) -> tuple[list[Status], dict[str, str]]:
        """Mastodon's id pagination over ``candidates`` (oldest first)."""
        try:
            limit = max(1, min(40, int(req.arg("limit") or 20)))
        except ValueError:
            limit = 20

        def num(name: str) -> int | None:
            v = req.arg(name)
            return int(v) if v and v.isdigit() else None

        max_id, since_id, min_id = num("max_id"), num("since_id"), num("min_id")
        sel = [
            s
            for s in candidates
            if (max_id is None or int(s["id"]) < max_id)
            and (since_id is None or int(s["id"]) > since_id)
            and (min_id is None or int(s["id"]) > min_id)
        ]
        # min_id: the page right after it (oldest first); otherwise the newest page.
        page = sel[:limit] if min_id is not None else sel[-limit:]
        page = list(reversed(page))  # always returned newest first
        links: dict[str, str] = {}
        if page:
            keep = {
                k: v[-1] for k, v in req.query.items() if k not in {"max_id", "min_id", "since_id"}
            }
            base = f"http://{req.headers.get('host', '')}{req.path}"
            nxt = urlencode({**keep, "max_id": page[-1]["id"]})
            prv = urlencode({**keep, "min_id": page[0]["id"]})
            links["Link"] = f'<{base}?{nxt}>; rel="next", <{base}?{prv}>; rel="prev"'
        return [s.copy() for s in page], links

    def _tag(self, req: Request, m: re.Match[str]) -> Response:
        ok, rl = self._rate()
        if not ok:
            return Response(429, {"error": "Too many requests"}, rl)
        tag = unquote(m.group("hashtag")).lower()
        with self.lock:
            cands = [s for s in self.statuses if any(t["name"] == tag for t in s["tags"])]
        page, links = self._page(req, cands)
        return Response(200, page, {**rl, **links})

    def _search(self, req: Request, _m: re.Match[str]) -> Response:
        ok, rl = self._rate()
        if not ok:
            return Response(429, {"error": "Too many requests"}, rl)
        if bearer(req) not in self.tokens:
            return Response(401, {"error": "The access token is invalid"}, rl)
        q = (req.arg("q") or "").strip().lower()
        typ = req.arg("type")
        if not q:
            return Response(400, {"error": "Validation failed: q is missing"}, rl)
        with self.lock:
            cands = [s for s in self.statuses if q in self._texts[s["id"]].lower()]
        page = self._page(req, cands)[0] if typ in (None, "statuses") else []
        return Response(200, {"accounts": [], "statuses": page, "hashtags": []}, rl)

    def _publish(self, req: Request, _m: re.Match[str]) -> Response:
        ok, rl = self._rate()
        if not ok:
            return Response(429, {"error": "Too many requests"}, rl)
        user = self.token_owner.get(bearer(req) or "")
        if user is None:
            return Response(401, {"error": "The access token is invalid"}, rl)
        try:
            form = req.form()
        except ValueError:
            return Response(400, {"error": "Invalid request body"}, rl)
        text = form.get("status")
        if not isinstance(text, str) or not text.strip():
            return Response(422, {"error": "Validation failed: Text can't be blank"}, rl)
        if _countable(text) > self.max_characters:
            msg = f"Validation failed: Text character limit of {self.max_characters} exceeded"
            return Response(422, {"error": msg}, rl)
        key = req.headers.get("idempotency-key")
        now = time.time()
        if key:
            hit = self._idempotent.get((user, key))
            if hit is not None and now - hit[0] < 3600:
                return Response(200, hit[1], rl)
        status = self.post(text, author=user)
        visibility = str(form.get("visibility") or "public")
        self._published_by[status["id"]] = user
        status["visibility"] = self.statuses[-1]["visibility"] = visibility
        if key:
            self._idempotent[(user, key)] = (now, status)
        return Response(200, status, rl)

    def _instance(self, req: Request, _m: re.Match[str]) -> Response:
        return Response(
            200,
            {
                "domain": self.domain,
                "title": "Simulated Mastodon",
                "version": "4.3.0",
                "configuration": {
                    "urls": {"streaming": ""},
                    "statuses": {
                        "max_characters": self.max_characters,
                        "max_media_attachments": 4,
                        "characters_reserved_per_url": 23,
                    },
                },
            },
        )


_LINK = re.compile(r"https?://\S+")


def _countable(text: str) -> int:
    """Mastodon's StatusLengthValidator: links count 23, then grapheme clusters."""
    import regex

    return len(regex.findall(r"\X", _LINK.sub("x" * 23, text)))
