"""A Bluesky (AT Protocol) session client: log in once, refresh, never log tokens.

``AtprotoSession`` signs in with ``com.atproto.server.createSession`` using an app
password read through ``warroom.system.secrets`` (never passed around as a string by
callers), keeps the session in memory only, and on ``ExpiredToken`` (or shortly before
the access JWT's ``exp``) calls ``com.atproto.server.refreshSession`` instead of
logging in again. Only when the refresh token is spent or expired does it sign in anew.
Concurrent calls share one refresh (an ``asyncio.Lock``).

Tokens live in this object and nowhere else: not in the database, the log, ``repr`` or
an error message. Errors are ``XrpcError`` (a ``WarroomError``) carrying the XRPC error
name and the server's message, and ``retry_after`` for 429 answers.

Used by the feed sources (``app.bsky.feed.searchPosts``) and by publishing
(``com.atproto.repo.createRecord``).
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import httpx

from warroom.base.errors import WarroomError
from warroom.social.http import rate_wait

log = logging.getLogger(__name__)

REFRESH_MARGIN_S = 60.0  # refresh this long before the access JWT's own expiry
_EXPIRED = frozenset({"ExpiredToken"})
_REAUTH = frozenset({"ExpiredToken", "InvalidToken", "AuthenticationRequired"})
_S32 = "234567abcdefghijklmnopqrstuvwxyz"


class XrpcError(WarroomError):
    """An XRPC call failed. ``status`` is the HTTP status (0: no answer)."""

    def __init__(
        self,
        message: str,
        *,
        status: int = 0,
        error: str = "",
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.error = error
        self.retry_after = retry_after


class AuthError(XrpcError):
    """The account cannot sign in (wrong handle or app password, secret not set)."""


@dataclass
class _Session:
    did: str
    handle: str
    access: str
    refresh: str
    access_exp: float | None  # from the JWT's exp claim; None if unreadable
    pds: str

    def __repr__(self) -> str:  # never show tokens
        return f"_Session(did={self.did!r}, handle={self.handle!r}, pds={self.pds!r})"


def jwt_exp(token: str) -> float | None:
    """The ``exp`` claim of a JWT, unverified (only to refresh in time); None if absent."""
    try:
        payload = token.split(".")[1]
        payload += "=" * (-len(payload) % 4)
        exp = json.loads(base64.urlsafe_b64decode(payload)).get("exp")
    except (IndexError, ValueError, AttributeError):
        return None
    return float(exp) if isinstance(exp, int | float) else None


def tid(micros: int, clock_id: int) -> str:
    """An AT Protocol TID (13 base32-sortable characters) for a time and clock id."""
    n = ((micros & ((1 << 53) - 1)) << 10) | (clock_id & 0x3FF)
    out = []
    for _ in range(13):
        out.append(_S32[n & 31])
        n >>= 5
    return "".join(reversed(out))


def deterministic_tid(key: str, at: float) -> str:
    """A TID fixed by an idempotency key and the first attempt's time: a retry with the
    same key writes to the same record key, so it cannot create a second post."""
    digest = hashlib.sha256(key.encode("utf-8")).digest()
    micros = int(at * 1_000_000) ^ (int.from_bytes(digest[:2], "big") & 0x3FF)
    return tid(micros, int.from_bytes(digest[2:4], "big"))


def _error_of(resp: httpx.Response) -> tuple[str, str]:
    """(error, message) of an XRPC error body; tolerant of non-JSON answers."""
    try:
        body = resp.json()
    except ValueError:
        return "", resp.reason_phrase or f"HTTP {resp.status_code}"
    if not isinstance(body, dict):
        return "", f"HTTP {resp.status_code}"
    return str(body.get("error") or ""), str(body.get("message") or "")


def _pds_of(data: dict[str, object], fallback: str) -> str:
    """The PDS endpoint from the session's DID document, else the service we signed in at."""
    doc = data.get("didDoc")
    if isinstance(doc, dict):
        for svc in doc.get("service") or []:
            if (
                isinstance(svc, dict)
                and str(svc.get("id", "")).endswith("#atproto_pds")
                and isinstance(svc.get("serviceEndpoint"), str)
                and svc["serviceEndpoint"].startswith(("https://", "http://"))
            ):
                return str(svc["serviceEndpoint"]).rstrip("/")
    return fallback


class AtprotoSession:
    """One account's session at one service (the PDS or an entryway such as bsky.social).

    Args:
        service: base URL, e.g. ``https://bsky.social`` (taken as given).
        handle: the account's handle or DID.
        secret: the *name* of the stored app password (``warroom secret set NAME``).
        client: an ``httpx.AsyncClient`` to share; one is created (and closed) if None.
        password_lookup: how to read the secret (default ``warroom.system.secrets.get``).
        timeout: per request, seconds.
    """

    def __init__(
        self,
        service: str,
        handle: str,
        secret: str,
        *,
        client: httpx.AsyncClient | None = None,
        password_lookup: Callable[[str], str | None] | None = None,
        timeout: float = 15.0,
    ) -> None:
        self.service = service.rstrip("/")
        self.handle = handle
        self.secret = secret
        self._own_client = client is None
        self._client = client or httpx.AsyncClient(timeout=timeout, follow_redirects=False)
        self._timeout = timeout
        self._lookup = password_lookup
        self._session: _Session | None = None
        self._lock = asyncio.Lock()

    def __repr__(self) -> str:
        return f"AtprotoSession({self.service!r}, {self.handle!r}, secret={self.secret!r})"

    @property
    def did(self) -> str | None:
        return self._session.did if self._session else None

    @property
    def pds(self) -> str:
        return self._session.pds if self._session else self.service

    @property
    def signed_in(self) -> bool:
        return self._session is not None

    async def aclose(self) -> None:
        if self._own_client:
            await self._client.aclose()

    # -- the session -----------------------------------------------------------

    def _password(self) -> str:
        if self._lookup is not None:
            value = self._lookup(self.secret)
        else:
            from warroom.system import secrets

            value = secrets.get(self.secret)
        if not value:
            raise AuthError(
                f"the app password for {self.handle} is not set: "
                f"run 'warroom secret set {self.secret}' (or set its WARROOM_SECRET_ variable)",
                error="AuthenticationRequired",
            )
        return value

    async def _post_raw(
        self, base: str, nsid: str, token: str | None, body: dict[str, object] | None
    ) -> httpx.Response:
        return await self._send(base, nsid, token, None, body, post=True)

    async def _send(
        self,
        base: str,
        nsid: str,
        token: str | None,
        params: Mapping[str, str | int | None] | None,
        body: dict[str, object] | None,
        *,
        post: bool = False,
    ) -> httpx.Response:
        """One request (a GET unless ``post`` or a body); transport failures: XrpcError."""
        url = f"{base}/xrpc/{nsid}"
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        try:
            if body is None and not post:
                return await self._client.get(url, params=params, headers=headers)
            return await self._client.post(url, json=body, headers=headers)
        except httpx.TimeoutException as exc:
            raise XrpcError(f"{nsid}: no answer from {base} (timeout)", error="timeout") from exc
        except httpx.HTTPError as exc:
            raise XrpcError(f"{nsid}: cannot reach {base}: {type(exc).__name__}") from exc

    def _adopt(self, data: object) -> _Session:
        if not isinstance(data, dict) or not all(
            isinstance(data.get(k), str) for k in ("accessJwt", "refreshJwt", "did")
        ):
            raise XrpcError("the server's session answer lacks accessJwt/refreshJwt/did")
        self._session = _Session(
            did=data["did"],
            handle=str(data.get("handle") or self.handle),
            access=data["accessJwt"],
            refresh=data["refreshJwt"],
            access_exp=jwt_exp(data["accessJwt"]),
            pds=_pds_of(data, self.service),
        )
        return self._session

    async def _login(self) -> _Session:
        password = self._password()
        resp = await self._post_raw(
            self.service,
            "com.atproto.server.createSession",
            None,
            {"identifier": self.handle, "password": password},
        )
        if resp.status_code != 200:
            raise self._failure("createSession", resp, auth=True)
        log.info("bluesky: signed in as %s at %s", self.handle, self.service)
        return self._adopt(resp.json())

    async def _refresh(self, old: _Session) -> _Session:
        resp = await self._post_raw(
            self.service, "com.atproto.server.refreshSession", old.refresh, None
        )
        if resp.status_code == 200:
            log.info("bluesky: session refreshed for %s", self.handle)
            return self._adopt(resp.json())
        error, _ = _error_of(resp)
        if resp.status_code in (400, 401) and error in _REAUTH:
            log.info("bluesky: refresh token no longer valid (%s); signing in again", error)
            self._session = None
            return await self._login()
        raise self._failure("refreshSession", resp)

    async def ensure(self) -> _Session:
        """The current session: signs in the first time, refreshes when about to expire."""
        async with self._lock:
            s = self._session
            if s is None:
                return await self._login()
            if s.access_exp is not None and s.access_exp - REFRESH_MARGIN_S <= time.time():
                return await self._refresh(s)
            return s

    async def _renew(self, stale: _Session) -> _Session:
        """The server said the access token expired: refresh once (shared by callers)."""
        async with self._lock:
            if self._session is not None and self._session.access != stale.access:
                return self._session  # another caller already refreshed
            if self._session is None:
                return await self._login()
            return await self._refresh(self._session)

    # -- calls -------------------------------------------------------------------

    async def call(
        self,
        nsid: str,
        *,
        params: Mapping[str, str | int | None] | None = None,
        body: dict[str, object] | None = None,
        auth: bool = True,
    ) -> dict[str, object]:
        """An XRPC query (``body is None``: GET) or procedure (POST); the JSON answer.

        On ``ExpiredToken`` the session is refreshed and the call made once more.
        """
        for attempt in (1, 2):
            s = await self.ensure() if auth else None
            base = s.pds if s else self.service
            resp = await self._send(base, nsid, s.access if s else None, params, body)
            if resp.status_code == 200:
                try:
                    data = resp.json()
                except ValueError as exc:
                    raise XrpcError(f"{nsid}: the answer is not JSON", status=200) from exc
                return data if isinstance(data, dict) else {}
            error, _ = _error_of(resp)
            if (
                s is not None
                and attempt == 1
                and resp.status_code in (400, 401)
                and (error in _EXPIRED)
            ):
                await self._renew(s)
                continue
            raise self._failure(nsid, resp)
        raise AssertionError("unreachable")

    def _failure(self, what: str, resp: httpx.Response, *, auth: bool = False) -> XrpcError:
        error, message = _error_of(resp)
        text = f"{what}: HTTP {resp.status_code}"
        if error:
            text += f" {error}"
        if message:
            text += f": {message[:200]}"
        retry = rate_wait(resp.headers, force=True) if resp.status_code == 429 else None
        cls = AuthError if auth and resp.status_code in (400, 401) else XrpcError
        if cls is AuthError:
            text += f" (check the handle {self.handle!r} and the app password {self.secret!r})"
        return cls(text, status=resp.status_code, error=error, retry_after=retry)
