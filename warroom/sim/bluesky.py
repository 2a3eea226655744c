"""A simulated Bluesky PDS/entryway: XRPC sessions and post search.

``com.atproto.server.createSession`` (identifier + app password) returns an access
and a refresh JWT; ``com.atproto.server.refreshSession`` (Bearer refresh token) rotates
them; an expired access token gets ``400 {"error": "ExpiredToken"}`` as the real server
answers. ``app.bsky.feed.searchPosts`` returns PostViews newest first with an opaque
``cursor``. ``logins`` and ``refreshes`` count calls, so a test can prove the client does
not log in per request. Publishing (``com.atproto.repo.createRecord``) is left to the
composer's tests, which add it with ``route()``.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import secrets
import time
from dataclasses import dataclass
from typing import Any

from warroom.sim.social import Request, Response, Service


def _iso(t: dt.datetime) -> str:
    return t.astimezone(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _jwt(sub: str, scope: str, exp: float) -> str:
    """Shaped like a JWT (the client may read ``exp``); not signed for real."""

    def b64(obj: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(obj).encode()).rstrip(b"=").decode()

    payload = {"scope": scope, "sub": sub, "iat": int(time.time()), "exp": int(exp)}
    return f"{b64({'typ': 'JWT', 'alg': 'HS256'})}.{b64(payload)}.{secrets.token_urlsafe(16)}"


@dataclass
class Account:
    handle: str
    did: str
    app_password: str


class FakeBluesky(Service):
    def __init__(self, *, access_ttl: float = 7200.0, refresh_ttl: float = 86400.0 * 60) -> None:
        super().__init__()
        self.access_ttl = access_ttl
        self.refresh_ttl = refresh_ttl
        self.accounts: dict[str, Account] = {}
        self.posts: list[dict[str, Any]] = []  # oldest first
        self.logins = 0
        self.refreshes = 0
        self._access: dict[str, tuple[str, float]] = {}  # token -> (did, expires)
        self._refresh: dict[str, tuple[str, float]] = {}
        self._n = 0
        self.route("POST", "/xrpc/com.atproto.server.createSession", self._create)
        self.route("POST", "/xrpc/com.atproto.server.refreshSession", self._refresh_session)
        self.route("GET", "/xrpc/com.atproto.server.getSession", self._get_session)
        self.route("GET", "/xrpc/app.bsky.feed.searchPosts", self._search)

    # -- scripting -------------------------------------------------------------------

    def add_account(self, handle: str, app_password: str) -> Account:
        acc = Account(handle, f"did:plc:{secrets.token_hex(12)}", app_password)
        with self.lock:
            self.accounts[handle] = acc
        return acc

    def post(
        self, text: str, *, handle: str = "carol.bsky.social", at: dt.datetime | None = None
    ) -> dict[str, Any]:
        """Someone posts ``text``; returns its PostView."""
        with self.lock:
            self._n += 1
            did = f"did:plc:{abs(hash(handle)) % 10**12:012d}"
            rkey = f"3l{self._n:011d}"
            t = _iso(at or dt.datetime.now(dt.UTC))
            view = {
                "uri": f"at://{did}/app.bsky.feed.post/{rkey}",
                "cid": f"bafyrei{secrets.token_hex(20)}",
                "author": {"did": did, "handle": handle, "displayName": handle.split(".")[0]},
                "record": {
                    "$type": "app.bsky.feed.post",
                    "text": text,
                    "createdAt": t,
                    "langs": ["en"],
                },
                "replyCount": 0,
                "repostCount": 0,
                "likeCount": 0,
                "indexedAt": t,
                "labels": [],
            }
            self.posts.append(view)
            return view

    def expire_access_tokens(self) -> None:
        """Every access token expires now (the client must refresh, not log in)."""
        with self.lock:
            self._access = {k: (d, 0.0) for k, (d, _) in self._access.items()}

    # -- endpoints -------------------------------------------------------------------

    @staticmethod
    def _err(status: int, error: str, message: str) -> Response:
        return Response.json({"error": error, "message": message}, status)

    def _issue(self, did: str) -> dict[str, str]:
        now = time.time()
        access = _jwt(did, "com.atproto.appPass", now + self.access_ttl)
        refresh = _jwt(did, "com.atproto.refresh", now + self.refresh_ttl)
        self._access[access] = (did, now + self.access_ttl)
        self._refresh[refresh] = (did, now + self.refresh_ttl)
        acc = next(a for a in self.accounts.values() if a.did == did)
        return {"accessJwt": access, "refreshJwt": refresh, "handle": acc.handle, "did": did}

    def _create(self, req: Request) -> Response:
        try:
            body = req.json()
            ident, pw = body["identifier"], body["password"]
        except (ValueError, KeyError, TypeError):
            return self._err(400, "InvalidRequest", "identifier and password are required")
        with self.lock:
            self.logins += 1
            acc = self.accounts.get(ident) or next(
                (a for a in self.accounts.values() if a.did == ident), None
            )
            if acc is None or acc.app_password != pw:
                return self._err(401, "AuthenticationRequired", "Invalid identifier or password")
            return Response.json(self._issue(acc.did))

    def _refresh_session(self, req: Request) -> Response:
        with self.lock:
            tok = req.bearer
            got = self._refresh.pop(tok, None) if tok else None
            if got is None or got[1] < time.time():
                return self._err(400, "ExpiredToken", "Token has expired")
            self.refreshes += 1
            return Response.json(self._issue(got[0]))

    def _auth(self, req: Request) -> Response | str:
        tok = req.bearer
        if tok is None:
            return self._err(401, "AuthenticationRequired", "Authentication Required")
        with self.lock:
            got = self._access.get(tok)
        if got is None:
            return self._err(401, "InvalidToken", "Token could not be verified")
        if got[1] < time.time():
            return self._err(400, "ExpiredToken", "Token has expired")
        return got[0]

    def _get_session(self, req: Request) -> Response:
        who = self._auth(req)
        if isinstance(who, Response):
            return who
        acc = next(a for a in self.accounts.values() if a.did == who)
        return Response.json({"handle": acc.handle, "did": acc.did})

    def _search(self, req: Request) -> Response:
        who = self._auth(req)
        if isinstance(who, Response):
            return who
        q = (req.arg("q") or "").strip().lower()
        if not q:
            return self._err(400, "InvalidRequest", 'Error: Params must have the property "q"')
        try:
            limit = max(1, min(100, int(req.arg("limit") or 25)))
            offset = int(req.arg("cursor") or 0)
        except ValueError:
            return self._err(400, "InvalidRequest", "bad limit or cursor")
        with self.lock:
            hits = [p for p in reversed(self.posts) if q in p["record"]["text"].lower()]
        page = hits[offset : offset + limit]
        out: dict[str, Any] = {"hitsTotal": len(hits), "posts": page}
        if offset + limit < len(hits):
            out["cursor"] = str(offset + limit)
        return Response.json(out)
