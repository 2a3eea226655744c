"""A fake Bluesky PDS (XRPC over HTTP) for tests and the demo.

What it speaks, with the shapes of the published lexicons:

- ``com.atproto.server.createSession`` (identifier + app password) and
  ``com.atproto.server.refreshSession`` (Bearer refresh token, rotated on use);
  access tokens are JWT-shaped with an ``exp`` claim and expire after ``access_ttl``
  seconds, or at once with ``expire_access()``; an expired one answers
  ``400 {"error": "ExpiredToken"}`` as the real PDS does.
- ``com.atproto.server.getSession``.
- ``com.atproto.repo.createRecord`` (``app.bsky.feed.post`` with facets; an ``rkey``
  must be a TID; a duplicate rkey fails with a 500 as the real PDS did for years),
  ``com.atproto.repo.getRecord`` (``400 RecordNotFound`` when absent).

Counters (``sessions_created``, ``sessions_refreshed``) let tests prove that a client
logs in once and refreshes instead of logging in per request.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import secrets
import time
from dataclasses import dataclass, field
from typing import NotRequired, TypedDict

from warroom.base.jsonval import as_object, objects
from warroom.sim.http import HttpFake, Request, Response, bearer

TID_RE = re.compile(r"^[234567abcdefghij][234567abcdefghijklmnopqrstuvwxyz]{12}$")
_GRAPHEME_LIMIT = 300
_BYTE_LIMIT = 3000


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _graphemes(text: str) -> int:
    import regex

    return len(regex.findall(r"\X", text))


def _err(status: int, error: str, message: str) -> Response:
    return Response(status, {"error": error, "message": message})


# The shapes of the lexicons the fake speaks. A record's value is whatever JSON object
# the client wrote (its lexicon is the client's business): dict[str, object].


class StoredRecord(TypedDict):
    cid: str
    value: dict[str, object]


class Author(TypedDict):  # app.bsky.actor.defs#profileViewBasic
    did: str
    handle: str
    displayName: NotRequired[str]


class PostView(TypedDict):  # app.bsky.feed.defs#postView
    uri: str
    cid: str
    author: Author
    record: dict[str, object]
    replyCount: int
    repostCount: int
    likeCount: int
    indexedAt: str
    labels: list[dict[str, str]]


class Session(TypedDict):  # com.atproto.server.createSession#output
    accessJwt: str
    refreshJwt: str
    handle: str
    did: str
    didDoc: dict[str, object]
    active: bool


class SearchPosts(TypedDict):  # app.bsky.feed.searchPosts#output
    hitsTotal: int
    posts: list[PostView]
    cursor: NotRequired[str]


@dataclass
class Account:
    handle: str
    password: str
    did: str
    records: dict[tuple[str, str], StoredRecord] = field(default_factory=dict)


class FakeBluesky(HttpFake):
    """A PDS with accounts, sessions and repos in memory."""

    def __init__(self, *, access_ttl: float = 7200.0, refresh_ttl: float = 90 * 86400.0) -> None:
        super().__init__()
        self.access_ttl = access_ttl
        self.refresh_ttl = refresh_ttl
        self.accounts: dict[str, Account] = {}
        self._access: dict[str, tuple[str, float]] = {}  # token -> (did, expires)
        self._refresh: dict[str, tuple[str, float]] = {}
        self.sessions_created = 0
        self.sessions_refreshed = 0
        x = "/xrpc/"
        self.route("POST", x + "com.atproto.server.createSession", self._create_session)
        self.route("POST", x + "com.atproto.server.refreshSession", self._refresh_session)
        self.route("GET", x + "com.atproto.server.getSession", self._get_session)
        self.route("POST", x + "com.atproto.repo.createRecord", self._create_record)
        self.route("GET", x + "com.atproto.repo.getRecord", self._get_record)
        # Reading (the feed sources): other people's posts and search over them.
        self.feed_posts: list[PostView] = []  # oldest first
        self.route("GET", x + r"app\.bsky\.feed\.searchPosts", self._search_posts)

    # -- scripting ---------------------------------------------------------------

    def add_account(self, handle: str, password: str) -> Account:
        did = "did:plc:" + hashlib.sha256(handle.encode()).hexdigest()[:24]
        acc = Account(handle, password, did)
        with self.lock:
            self.accounts[did] = acc
        return acc

    def expire_access(self) -> None:
        """Every access token issued so far expires now (the server's view, not the JWT's)."""
        with self.lock:
            self._access = {t: (did, 0.0) for t, (did, _) in self._access.items()}

    def expire_refresh(self) -> None:
        with self.lock:
            self._refresh = {t: (did, 0.0) for t, (did, _) in self._refresh.items()}

    def posts(self, handle: str) -> list[dict[str, object]]:
        """The account's posts: ``{"rkey", "cid", "value"}`` each."""
        acc = self._by_handle(handle)
        if acc is None:
            return []
        return [
            {"rkey": rkey, "cid": rec["cid"], "value": rec["value"]}
            for (coll, rkey), rec in acc.records.items()
            if coll == "app.bsky.feed.post"
        ]

    def records(
        self, handle: str, collection: str = "app.bsky.feed.post"
    ) -> dict[str, dict[str, object]]:
        """rkey -> record value in the account's repo (what publishing wrote)."""
        acc = self._by_handle(handle)
        if acc is None:
            return {}
        with self.lock:
            return {k: r["value"] for (c, k), r in acc.records.items() if c == collection}

    def tokens(self) -> list[str]:
        """Every token issued (for tests that check nothing leaked them)."""
        with self.lock:
            return [*self._access, *self._refresh]

    # -- helpers -----------------------------------------------------------------

    def _by_handle(self, ident: str) -> Account | None:
        for acc in self.accounts.values():
            if ident in (acc.handle, acc.did):
                return acc
        return None

    def _jwt(self, did: str, scope: str, ttl: float) -> tuple[str, float]:
        exp = time.time() + ttl
        head = _b64(json.dumps({"alg": "HS256", "typ": "at+jwt"}).encode())
        claims = {"scope": scope, "sub": did, "iat": int(time.time()), "exp": int(exp)}
        claims["jti"] = secrets.token_hex(8)
        body = _b64(json.dumps(claims).encode())
        return f"{head}.{body}.{_b64(secrets.token_bytes(32))}", exp

    def _session(self, acc: Account) -> Session:
        access, a_exp = self._jwt(acc.did, "com.atproto.appPass", self.access_ttl)
        refresh, r_exp = self._jwt(acc.did, "com.atproto.refresh", self.refresh_ttl)
        self._access[access] = (acc.did, a_exp)
        self._refresh[refresh] = (acc.did, r_exp)
        return {
            "accessJwt": access,
            "refreshJwt": refresh,
            "handle": acc.handle,
            "did": acc.did,
            "didDoc": {
                "id": acc.did,
                "service": [
                    {
                        "id": "#atproto_pds",
                        "type": "AtprotoPersonalDataServer",
                        "serviceEndpoint": self.url,
                    }
                ],
            },
            "active": True,
        }

    def _authed(self, req: Request, table: dict[str, tuple[str, float]]) -> Account | Response:
        token = bearer(req)
        if token is None:
            return _err(401, "AuthenticationRequired", "Authentication Required")
        entry = table.get(token)
        if entry is None:
            return _err(400, "InvalidToken", "Token could not be verified")
        did, exp = entry
        if exp <= time.time():
            return _err(400, "ExpiredToken", "Token has expired")
        return self.accounts[did]

    # -- routes ------------------------------------------------------------------

    def _create_session(self, req: Request, _m: re.Match[str]) -> Response:
        body = as_object(req.json_or_none())
        acc = self._by_handle(str(body.get("identifier", "")))
        if acc is None or body.get("password") != acc.password:
            return _err(401, "AuthenticationRequired", "Invalid identifier or password")
        self.sessions_created += 1
        return Response(200, self._session(acc))

    def _refresh_session(self, req: Request, _m: re.Match[str]) -> Response:
        acc = self._authed(req, self._refresh)
        if isinstance(acc, Response):
            return acc
        del self._refresh[bearer(req) or ""]  # rotated: the old refresh token is spent
        self.sessions_refreshed += 1
        return Response(200, self._session(acc))

    def _get_session(self, req: Request, _m: re.Match[str]) -> Response:
        acc = self._authed(req, self._access)
        if isinstance(acc, Response):
            return acc
        return Response(200, {"handle": acc.handle, "did": acc.did, "active": True})

    def _create_record(self, req: Request, _m: re.Match[str]) -> Response:
        acc = self._authed(req, self._access)
        if isinstance(acc, Response):
            return acc
        body = as_object(req.json_or_none())
        if body.get("repo") not in (acc.did, acc.handle):
            return _err(400, "InvalidRequest", "Invalid repo")
        coll = body.get("collection")
        raw = body.get("record")
        if not isinstance(coll, str) or not isinstance(raw, dict):
            return _err(400, "InvalidRequest", "Input must have the properties collection, record")
        record = as_object(raw)
        if coll == "app.bsky.feed.post":
            problem = _check_post(record)
            if problem:
                return _err(400, "InvalidRecord", problem)
        rkey = str(body.get("rkey") or _tid_now())
        if not TID_RE.match(rkey):
            return _err(400, "InvalidRequest", f"Invalid record key: {rkey}")
        if (coll, rkey) in acc.records:
            return _err(500, "InternalServerError", "Internal Server Error")
        cid = "bafyrei" + hashlib.sha256(json.dumps(record, sort_keys=True).encode()).hexdigest()
        acc.records[(coll, rkey)] = {"cid": cid[:59], "value": record}
        uri = f"at://{acc.did}/{coll}/{rkey}"
        if coll == "app.bsky.feed.post":  # our own post shows up in search, as on Bluesky
            self.feed_posts.append(
                {
                    "uri": uri,
                    "cid": cid[:59],
                    "author": {"did": acc.did, "handle": acc.handle},
                    "record": record,
                    "replyCount": 0,
                    "repostCount": 0,
                    "likeCount": 0,
                    "indexedAt": str(record.get("createdAt")),
                    "labels": [],
                }
            )
        return Response(200, {"uri": uri, "cid": cid[:59], "validationStatus": "valid"})

    def _get_record(self, req: Request, _m: re.Match[str]) -> Response:
        acc = self._by_handle(req.arg("repo") or "")
        if acc is None:
            return _err(400, "InvalidRequest", "Could not find repo")
        key = (req.arg("collection") or "", req.arg("rkey") or "")
        rec = acc.records.get(key)
        if rec is None:
            return _err(
                400, "RecordNotFound", f"Could not locate record: at://{acc.did}/{key[0]}/{key[1]}"
            )
        uri = f"at://{acc.did}/{key[0]}/{key[1]}"
        return Response(200, {"uri": uri, "cid": rec["cid"], "value": rec["value"]})

    # -- reading: app.bsky.feed.searchPosts ------------------------------------------

    def add_post(
        self, text: str, *, handle: str = "carol.bsky.social", at: float | None = None
    ) -> PostView:
        """Someone posts ``text`` (visible to search); returns its PostView."""
        with self.lock:
            did = "did:plc:" + hashlib.sha256(handle.encode()).hexdigest()[:24]
            created = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(at or time.time()))
            created += f".{int(((at or time.time()) % 1) * 1000):03d}Z"
            view: PostView = {
                "uri": f"at://{did}/app.bsky.feed.post/{self._next_rkey()}",
                "cid": "bafyrei" + secrets.token_hex(20),
                "author": {"did": did, "handle": handle, "displayName": handle.split(".")[0]},
                "record": {
                    "$type": "app.bsky.feed.post",
                    "text": text,
                    "createdAt": created,
                    "langs": ["en"],
                },
                "replyCount": 0,
                "repostCount": 0,
                "likeCount": 0,
                "indexedAt": created,
                "labels": [],
            }
            self.feed_posts.append(view)
            return view

    def _next_rkey(self) -> str:
        rkey = _tid_now()
        last = getattr(self, "_last_rkey", "")
        if rkey <= last:  # two posts in the same microsecond: keep keys unique and sorted
            n = 0
            for ch in last:
                n = n * 32 + _S32.index(ch)
            n += 1 << 10
            rkey = ""
            for _ in range(13):
                rkey = _S32[n & 31] + rkey
                n >>= 5
        self._last_rkey = rkey
        return rkey

    def _search_posts(self, req: Request, _m: re.Match[str]) -> Response:
        """Newest first; ``cursor`` is opaque to clients (here an offset)."""
        acc = self._authed(req, self._access)
        if isinstance(acc, Response):
            return acc
        q = (req.arg("q") or "").strip().lower()
        if not q:
            return _err(400, "InvalidRequest", 'Error: Params must have the property "q"')
        try:
            limit = max(1, min(100, int(req.arg("limit") or 25)))
            offset = int(req.arg("cursor") or 0)
        except ValueError:
            return _err(400, "InvalidRequest", "Invalid limit or cursor")
        hits = [
            p for p in reversed(self.feed_posts) if q in str(p["record"].get("text", "")).lower()
        ]
        page = hits[offset : offset + limit]
        out: SearchPosts = {"hitsTotal": len(hits), "posts": page}
        if offset + limit < len(hits):
            out["cursor"] = str(offset + limit)
        return Response(200, out)


def _check_post(record: dict[str, object]) -> str | None:
    text = record.get("text")
    if not isinstance(text, str):
        return "Record/text must be a string"
    if _graphemes(text) > _GRAPHEME_LIMIT:
        return f"Record/text must not be longer than {_GRAPHEME_LIMIT} graphemes"
    if len(text.encode("utf-8")) > _BYTE_LIMIT:
        return f"Record/text must not be longer than {_BYTE_LIMIT} characters"
    if not isinstance(record.get("createdAt"), str):
        return 'Record must have the property "createdAt"'
    size = len(text.encode("utf-8"))
    for facet in objects(record.get("facets")):
        idx = as_object(facet.get("index"))
        start, end = idx.get("byteStart"), idx.get("byteEnd")
        if not (isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= size):
            return "Record/facets/index must be a byte range inside text"
    return None


_S32 = "234567abcdefghijklmnopqrstuvwxyz"


def _tid_now() -> str:
    n = (time.time_ns() // 1000) << 10
    out = ""
    for _ in range(13):
        out = _S32[n & 31] + out
        n >>= 5
    return out
