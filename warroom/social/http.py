"""HTTP for the sources: bounded bodies, one-line errors, rate limits understood.

A feed server may send 50 MB, never answer, or say "slow down". ``Http.get`` reads at
most ``max_body`` bytes (refusing more, so memory stays bounded), turns every failure
into a ``SourceError`` whose message is one line without secrets, and turns 429 (and a
used-up ``X-RateLimit-Remaining``) into a time to wait, from ``Retry-After`` (seconds or
an HTTP date) or ``X-RateLimit-Reset`` (ISO-8601 or epoch seconds).
"""

from __future__ import annotations

import email.utils
import time
import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

import httpx

from warroom import __version__

MAX_BODY = 5 * 1024 * 1024
TIMEOUT = 15.0
USER_AGENT = f"warroom/{__version__} (incident war room; feed reader)"


class SourceError(Exception):
    """A source could not be read this time. ``str()`` is one line for the user."""

    def __init__(self, message: str, *, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after  # seconds the server asked us to wait


@dataclass
class Reply:
    status: int
    headers: httpx.Headers
    body: bytes
    url: str
    links: dict[str, dict[str, str]]

    def json(self) -> object:
        """The decoded body, unchecked: callers narrow it (warroom.base.jsonval)."""
        import json

        try:
            return json.loads(self.body)
        except ValueError as exc:
            raise SourceError(f"the server sent invalid JSON ({exc.__class__.__name__})") from exc

    def wait_hint(self) -> float | None:
        """Seconds to wait before the next request, when the server says so."""
        return rate_wait(self.headers, force=self.status == 429)


def _parse_when(value: str, now: float) -> float | None:
    v = value.strip()
    if not v:
        return None
    try:
        n = float(v)
    except ValueError:
        n = None
    if n is not None:
        return n - now if n > 1e9 else n  # epoch seconds, or a delay
    try:
        t = datetime.fromisoformat(v.replace("Z", "+00:00"))
        if t.tzinfo is not None:
            return t.timestamp() - now
    except ValueError:
        pass
    try:
        return email.utils.parsedate_to_datetime(v).timestamp() - now
    except (TypeError, ValueError):
        return None


def rate_wait(
    headers: httpx.Headers, *, force: bool = False, now: float | None = None
) -> float | None:
    """How long the server wants us to wait: Retry-After, else X-RateLimit-Reset when
    the budget is used up (or ``force``, i.e. a 429). None when it does not say."""
    t = time.time() if now is None else now
    ra = headers.get("retry-after")
    if ra:
        w = _parse_when(ra, t)
        if w is not None:
            return max(0.0, w)
    remaining = headers.get("x-ratelimit-remaining")
    exhausted = remaining is not None and remaining.strip() in ("0", "0.0")
    reset = headers.get("x-ratelimit-reset") or headers.get("ratelimit-reset")
    if (force or exhausted) and reset:
        w = _parse_when(reset, t)
        if w is not None:
            return max(0.0, w)
    return None


def short_error(exc: BaseException) -> str:
    if isinstance(exc, httpx.TimeoutException):
        return "timed out"
    if isinstance(exc, httpx.ConnectError):
        text = str(exc).lower()
        if "refused" in text:
            return "cannot connect (connection refused)"
        if "name" in text or "resolution" in text:
            return "cannot connect (name not found)"
        return "cannot connect"
    if isinstance(exc, httpx.RemoteProtocolError):
        return "the server broke the HTTP protocol"
    if isinstance(exc, httpx.TransportError):
        return f"network error ({exc.__class__.__name__})"
    return exc.__class__.__name__


class Http:
    """A thin wrapper over one ``httpx.AsyncClient`` shared by every source."""

    def __init__(self, client: httpx.AsyncClient, *, max_body: int = MAX_BODY) -> None:
        self.client = client
        self.max_body = max_body

    @classmethod
    def make_client(cls) -> httpx.AsyncClient:
        """The shared client. Its response hook refuses a declared body over ``MAX_BODY``
        also for callers that read whole bodies themselves (the Bluesky session)."""

        async def too_big(r: httpx.Response) -> None:
            n = r.headers.get("content-length", "")
            if n.isdigit() and int(n) > MAX_BODY:
                await r.aclose()
                raise SourceError(f"response larger than {MAX_BODY // (1024 * 1024)} MB; refused")

        return httpx.AsyncClient(
            event_hooks={"response": [too_big]},
            timeout=httpx.Timeout(TIMEOUT, connect=10.0),
            headers={"User-Agent": USER_AGENT, "Accept-Encoding": "gzip, deflate"},
            follow_redirects=True,
            max_redirects=5,
        )

    async def request(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, str | int] | None = None,
        headers: dict[str, str] | None = None,
        json: object = None,
        ok: tuple[int, ...] = (200,),
    ) -> Reply:
        try:
            async with self.client.stream(
                method, url, params=params, headers=headers, json=json
            ) as r:
                declared = r.headers.get("content-length")
                if declared and declared.isdigit() and int(declared) > self.max_body:
                    raise SourceError(self._too_big())
                buf = await self._read_bounded(r)
                links = {str(k): v for k, v in r.links.items() if k}
                reply = Reply(r.status_code, r.headers, buf, str(r.url), links)
        except httpx.HTTPError as exc:
            raise SourceError(short_error(exc)) from None
        except httpx.InvalidURL as exc:
            raise SourceError(f"invalid URL ({exc})") from None
        if reply.status == 429:
            wait = reply.wait_hint()
            raise SourceError(
                "rate limited by the server"
                + (f"; retrying in {round(wait)} s" if wait is not None else ""),
                retry_after=wait,
            )
        if reply.status not in ok:
            raise SourceError(f"HTTP {reply.status}{_detail(reply)}", retry_after=reply.wait_hint())
        return reply

    async def _read_bounded(self, r: httpx.Response) -> bytes:
        """The body, decompressed here with a cap: httpx would inflate a whole chunk at
        once, and 64 KiB of gzip can hold 64 MB (a "gzip bomb")."""
        enc = r.headers.get("content-encoding", "identity").strip().lower()
        if enc not in ("identity", "", "gzip", "x-gzip", "deflate"):
            raise SourceError(f"unsupported content encoding {enc[:20]!r}")
        z = (
            zlib.decompressobj(47 if enc != "deflate" else 15)
            if enc not in ("identity", "")
            else None
        )
        buf = bytearray()
        async for chunk in r.aiter_raw():
            if z is None:
                buf += chunk
            else:
                data = chunk
                while data:
                    buf += z.decompress(data, self.max_body + 1 - len(buf))
                    if len(buf) > self.max_body:
                        break
                    data = z.unconsumed_tail
            if len(buf) > self.max_body:
                raise SourceError(self._too_big())
        return bytes(buf)

    async def get(
        self,
        url: str,
        *,
        params: Mapping[str, str | int] | None = None,
        headers: dict[str, str] | None = None,
        ok: tuple[int, ...] = (200,),
    ) -> Reply:
        return await self.request("GET", url, params=params, headers=headers, ok=ok)

    def _too_big(self) -> str:
        return f"response larger than {self.max_body // (1024 * 1024)} MB; refused"


def _detail(reply: Reply) -> str:
    """The server's own error word, when it sends JSON ``{"error": ...}``; one line."""
    if "json" not in reply.headers.get("content-type", ""):
        return ""
    try:
        import json

        err = json.loads(reply.body).get("error")
    except (ValueError, AttributeError):
        return ""
    if isinstance(err, str) and err:
        return f" ({err.splitlines()[0][:80]})"
    return ""
