"""A simulated Bluesky PDS/entryway: XRPC sessions and post search.

``com.atproto.server.createSession`` (identifier + app password) returns an access
and a refresh JWT; ``com.atproto.server.refreshSession`` (Bearer refresh token) rotates
them; an expired access token gets ``400 {"error": "ExpiredToken"}`` as the real server
answers. ``app.bsky.feed.searchPosts`` returns PostViews newest first with an opaque
``cursor``. ``logins`` and ``refreshes`` count calls, so a test can prove the client does
not log in per request.

Publishing: ``com.atproto.repo.createRecord`` stores a record in the account's repo
(an ``app.bsky.feed.post`` is checked like the lexicon does: at most 300 graphemes and
3,000 bytes, facets inside the text; an ``rkey`` must be a TID; a duplicate rkey fails
with a 500 as the real PDS has done) and the post becomes searchable;
``com.atproto.repo.getRecord`` finds it again (``400 RecordNotFound`` when absent).
The session answer carries a DID document naming this server as the PDS.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import re
import secrets
import time
from dataclasses import dataclass, field
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


TID_RE = re.compile(r"^[234567abcdefghij][234567abcdefghijklmnopqrstuvwxyz]{12}$")
_S32 = "234567abcdefghijklmnopqrstuvwxyz"


def _tid_now() -> str:
    n = (time.time_ns() // 1000) << 10
    out = ""
    for _ in range(13):
        out = _S32[n & 31] + out
        n >>= 5
    return out


@dataclass
class Account:
    handle: str
    did: str
    app_password: str
    records: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)


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
        self.route("POST", "/xrpc/com.atproto.repo.createRecord", self._create_record)
        self.route("GET", "/xrpc/com.atproto.repo.getRecord", self._get_record)

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

    def expire_refresh_tokens(self) -> None:
        """Every refresh token expires too (the client must sign in again)."""
        with self.lock:
            self._refresh = {k: (d, 0.0) for k, (d, _) in self._refresh.items()}

    def issued_tokens(self) -> list[str]:
        """Every token handed out (tests check that none leaked into logs or files)."""
        with self.lock:
            return [*self._access, *self._refresh]

    def records(self, handle: str, collection: str = "app.bsky.feed.post") -> dict[str, Any]:
        """rkey -> record value of the account's repo in ``collection``."""
        with self.lock:
            acc = self.accounts[handle]
            return {k: r["value"] for (c, k), r in acc.records.items() if c == collection}

    # -- endpoints -------------------------------------------------------------------

    @staticmethod
    def _err(status: int, error: str, message: str) -> Response:
        return Response.json({"error": error, "message": message}, status)

    def _issue(self, did: str, host: str = "") -> dict[str, Any]:
        now = time.time()
        access = _jwt(did, "com.atproto.appPass", now + self.access_ttl)
        refresh = _jwt(did, "com.atproto.refresh", now + self.refresh_ttl)
        self._access[access] = (did, now + self.access_ttl)
        self._refresh[refresh] = (did, now + self.refresh_ttl)
        acc = next(a for a in self.accounts.values() if a.did == did)
        pds = {"id": "#atproto_pds", "type": "AtprotoPersonalDataServer", "serviceEndpoint": ""}
        if host:  # the PDS is where the client reached us (a loopback port in tests)
            pds["serviceEndpoint"] = f"http://{host}"
        return {
            "accessJwt": access,
            "refreshJwt": refresh,
            "handle": acc.handle,
            "did": did,
            "didDoc": {"id": did, "service": [pds] if host else []},
        }

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
            return Response.json(self._issue(acc.did, req.headers.get("host", "")))

    def _refresh_session(self, req: Request) -> Response:
        with self.lock:
            tok = req.bearer
            got = self._refresh.pop(tok, None) if tok else None
            if got is None or got[1] < time.time():
                return self._err(400, "ExpiredToken", "Token has expired")
            self.refreshes += 1
            return Response.json(self._issue(got[0], req.headers.get("host", "")))

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

    def _create_record(self, req: Request) -> Response:
        who = self._auth(req)
        if isinstance(who, Response):
            return who
        try:
            body = req.json()
            repo, coll, record = body["repo"], body["collection"], body["record"]
        except (ValueError, KeyError, TypeError):
            return self._err(
                400, "InvalidRequest", "Input must have the properties repo, collection, record"
            )
        with self.lock:
            acc = next(a for a in self.accounts.values() if a.did == who)
            if repo not in (acc.did, acc.handle):
                return self._err(400, "InvalidRequest", "Invalid repo")
            if not isinstance(coll, str) or not isinstance(record, dict):
                return self._err(400, "InvalidRequest", "Invalid collection or record")
            if coll == "app.bsky.feed.post":
                problem = _check_post(record)
                if problem:
                    return self._err(400, "InvalidRecord", problem)
            rkey = body.get("rkey") or _tid_now()
            if not isinstance(rkey, str) or not TID_RE.match(rkey):
                return self._err(400, "InvalidRequest", f"Invalid record key: {rkey}")
            if (coll, rkey) in acc.records:
                return self._err(500, "InternalServerError", "Internal Server Error")
            digest = hashlib.sha256(json.dumps(record, sort_keys=True).encode()).hexdigest()
            cid = "bafyrei" + digest[:52]
            acc.records[(coll, rkey)] = {"cid": cid, "value": record}
            uri = f"at://{acc.did}/{coll}/{rkey}"
            if coll == "app.bsky.feed.post":
                t = str(record.get("createdAt"))
                self.posts.append(
                    {
                        "uri": uri,
                        "cid": cid,
                        "author": {"did": acc.did, "handle": acc.handle},
                        "record": record,
                        "replyCount": 0,
                        "repostCount": 0,
                        "likeCount": 0,
                        "indexedAt": t,
                        "labels": [],
                    }
                )
        return Response.json({"uri": uri, "cid": cid, "validationStatus": "valid"})

    def _get_record(self, req: Request) -> Response:
        repo = req.arg("repo") or ""
        coll, rkey = req.arg("collection") or "", req.arg("rkey") or ""
        with self.lock:
            acc = next((a for a in self.accounts.values() if repo in (a.did, a.handle)), None)
            if acc is None:
                return self._err(400, "InvalidRequest", f"Could not find repo: {repo}")
            rec = acc.records.get((coll, rkey))
            if rec is None:
                return self._err(
                    400, "RecordNotFound", f"Could not locate record: at://{acc.did}/{coll}/{rkey}"
                )
            uri = f"at://{acc.did}/{coll}/{rkey}"
            return Response.json({"uri": uri, "cid": rec["cid"], "value": rec["value"]})

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


def _graphemes(text: str) -> int:
    import regex

    return len(regex.findall(r"\X", text))


def _check_post(record: dict[str, Any]) -> str | None:
    """What the lexicon of ``app.bsky.feed.post`` would reject, else None."""
    text = record.get("text")
    if not isinstance(text, str):
        return "Record/text must be a string"
    if _graphemes(text) > 300:
        return "Record/text must not be longer than 300 graphemes"
    size = len(text.encode("utf-8"))
    if size > 3000:
        return "Record/text must not be longer than 3000 characters"
    if not isinstance(record.get("createdAt"), str):
        return 'Record must have the property "createdAt"'
    for facet in record.get("facets") or []:
        idx = facet.get("index") if isinstance(facet, dict) else None
        start = idx.get("byteStart") if isinstance(idx, dict) else None
        end = idx.get("byteEnd") if isinstance(idx, dict) else None
        if not (isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= size):
            return "Record/facets/index must be a byte range inside the text"
    return None
