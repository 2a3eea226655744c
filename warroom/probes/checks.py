"""The checks: one target from one vantage, once, ending in one ``ProbeResult``.

``run_check`` never raises (except on cancellation): every failure becomes a result with
a CONTRACT.md error word. Each check runs under one hard deadline (the target's
timeout) that covers resolution, connect, TLS, headers and body, so a slow-drip or
endless response cannot hold a check longer than its timeout.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import re
import ssl
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urljoin, urlsplit, urlunsplit

import dns.rcode
import h11
import httpx

from warroom.base import timeutil
from warroom.domain.probes import ProbeResult, Status
from warroom.domain.workspace import Target, Vantage
from warroom.probes import icmp
from warroom.probes.body import BodyScan
from warroom.probes.errors import CheckFailed, classify
from warroom.probes.net import (
    NetEnv,
    cert_days_left,
    cert_name,
    dns_query,
    ip_family,
    open_stream,
    raise_for_rcode,
    resolve,
)

REDIRECTS = {301, 302, 303, 307, 308}
BANNER_MAX = 4096


class CheckEnv(NetEnv):
    """Everything checks share: TLS contexts, resolver addresses, HTTP clients."""

    def __init__(self) -> None:
        super().__init__()
        self.clients: dict[tuple[str | None, Path | None], httpx.AsyncClient] = {}
        self.icmp_methods: tuple[str, ...] = icmp.DEFAULT_METHODS

    def prepare(self, target: Target, vantage: Vantage) -> None:
        if target.check == "http" and _via_httpx(vantage):
            self.http_client(str(vantage.proxy), target)
        elif target.check in ("tls", "http"):
            self.ssl_context(target.ca_path)

    def http_client(self, proxy: str | None, target: Target) -> httpx.AsyncClient:
        """One client per (proxy, trust); keep-alive off so every check connects afresh."""
        key = (proxy, target.ca_path)
        client = self.clients.get(key)
        if client is None:
            ctx = self.ssl_context(target.ca_path)
            client = httpx.AsyncClient(
                verify=ctx,
                proxy=proxy,
                trust_env=False,  # a vantage's path must not be changed by $HTTP_PROXY
                follow_redirects=False,
                limits=httpx.Limits(max_keepalive_connections=0, max_connections=None),
                timeout=None,  # the check's own deadline bounds everything
            )
            self.clients[key] = client
        return client

    async def aclose(self) -> None:
        clients, self.clients = list(self.clients.values()), {}
        for c in clients:
            with contextlib.suppress(Exception):
                await c.aclose()


@dataclass
class _Run:
    """Mutable state of one check: the phase we are in, timings, the address used."""

    phase: str = "dns"
    address: str | None = None
    timings: dict[str, float] = field(default_factory=dict)
    extra: dict[str, object] = field(default_factory=dict)  # the record's extras
    degraded: tuple[str, str] | None = None  # (error, detail) when up but degraded
    cert_days: float | None = None  # days the peer's certificate has left
    latency_ms: float | None = None  # when the check knows better than wall time (ICMP rtt)
    started: float = 0.0  # perf_counter() when the measured part began
    deadline: float = 0.0  # loop.time() when the check's timeout cancels it

    def left(self) -> float:
        """Seconds until the deadline."""
        return self.deadline - asyncio.get_running_loop().time()


async def run_check(target: Target, vantage: Vantage, env: CheckEnv) -> ProbeResult:
    """Run one check under its deadline; always returns a result."""
    started = timeutil.now()
    run = _Run()
    s = target.settings
    status, error, detail = Status.UP, None, ""
    latency: float | None = None
    t0 = time.perf_counter()
    try:
        if vantage.resolver and target.check != "dns":
            run.extra["resolver"] = vantage.resolver  # lets the gate tell local from remote
        env.prepare(target, vantage)  # build clients/contexts outside the measured time
        t0 = run.started = time.perf_counter()
        run.deadline = asyncio.get_running_loop().time() + s.timeout
        async with asyncio.timeout_at(run.deadline):
            detail = await _CHECKS[target.check](target, vantage, env, run)
        latency = run.latency_ms
        if latency is None:
            latency = (time.perf_counter() - t0) * 1000.0
        if run.degraded is not None:
            status = Status.DEGRADED
            error, detail = run.degraded
        elif latency > s.degraded_ms:
            status, error = Status.DEGRADED, "too_slow"
            detail = f"{detail}; slower than {s.degraded_ms:g} ms".lstrip("; ")
    except TimeoutError:
        status = Status.DOWN
        error = "dns_timeout" if run.phase == "dns" else "timeout"
        detail = f"no {_PHASE_WORDS.get(run.phase, 'answer')} within {s.timeout:g}s"
    except asyncio.CancelledError:
        raise
    except Exception as exc:  # every failure is a result, never an exception
        status = Status.DOWN
        error, detail = classify(exc)
        if error == "timeout" and detail == "timed out":  # a library's own timeout
            detail = f"no {_PHASE_WORDS.get(run.phase, 'answer')} within {s.timeout:g}s"
        if error in ("timeout",) and run.phase == "dns":
            error = "dns_timeout"
    extra = dict(run.extra)
    if run.timings:
        extra["timings_ms"] = {k: round(v, 3) for k, v in run.timings.items()}
    if status is Status.DOWN:
        extra["phase"] = run.phase
    return ProbeResult(
        time=started,
        target=target.name,
        vantage=vantage.name,
        check=target.check,
        status=status,
        latency_ms=latency,
        error=error,
        detail=detail,
        address=run.address,
        extra=extra,
    )


_PHASE_WORDS = {
    "dns": "DNS answer",
    "connect": "connection",
    "tls": "TLS handshake",
    "request": "response",
    "body": "complete body",
    "banner": "banner",
    "echo": "echo reply",
}


def _cert_check(target: Target, run: _Run, peercert: Mapping[str, object] | None) -> None:
    days = cert_days_left(peercert)
    if days is None:
        return
    run.cert_days = round(days, 2)
    run.extra["cert_days_left"] = run.cert_days
    run.extra["cert_issuer"] = cert_name(peercert, "issuer")
    need = target.settings.min_cert_days
    if need is not None and days < need:
        run.degraded = ("cert_expiring", f"certificate expires in {days:.1f} days (< {need})")


# -- http --------------------------------------------------------------------------


def _via_httpx(vantage: Vantage) -> bool:
    """Only an HTTP proxy: it forwards http:// in absolute form, and many allow CONNECT
    only to port 443. SOCKS5 is a plain tunnel, and our own connection goes through it
    (httpcore 1.0.9 drops the socket of a SOCKS handshake that fails, unclosed)."""
    return bool(vantage.proxy) and not str(vantage.proxy).lower().startswith("socks5")


async def _http(target: Target, vantage: Vantage, env: CheckEnv, run: _Run) -> str:
    s = target.settings
    url = target.url
    seen = {url}
    hops = 0
    client = env.http_client(vantage.proxy, target) if _via_httpx(vantage) else None
    while True:
        try:
            if client is None:
                resp_status, location, body_note = await _http_direct(
                    url, target, vantage, env, run
                )
            else:
                resp_status, location, body_note = await _http_once(
                    url, target, vantage, env, run, client
                )
        except Exception as exc:
            parts = urlsplit(url)
            if parts.scheme == "https" and run.phase == "request":
                host, port = parts.hostname or "", parts.port or 443
                await _diagnose_reset(exc, host, port, target, vantage, env, run)
            raise
        if resp_status in REDIRECTS and target.follow_redirects and location:
            nxt = urljoin(url, location)
            if urlsplit(nxt).scheme not in ("http", "https"):
                raise CheckFailed("protocol_error", f"redirect to unsupported URL {nxt}")
            if nxt in seen:
                raise CheckFailed(
                    "redirect_loop", f"redirect loop after {hops + 1} hops: back to {nxt}"
                )
            hops += 1
            if hops > s.max_redirects:
                raise CheckFailed("redirect_loop", f"more than {s.max_redirects} redirects")
            seen.add(nxt)
            url = nxt
            continue
        break
    run.extra["http_status"] = resp_status
    if hops:
        run.extra["redirects"] = hops
        run.extra["final_url"] = url
    ok = resp_status in target.expect_status if target.expect_status else 200 <= resp_status < 400
    if not ok:
        want = ", ".join(map(str, target.expect_status)) if target.expect_status else "200-399"
        raise CheckFailed("http_status", f"HTTP {resp_status} from {url} (expected {want})")
    if body_note:
        raise CheckFailed("body_mismatch", body_note)
    return f"HTTP {resp_status}" + (f" after {hops} redirect(s)" if hops else "")


async def _http_once(
    url: str,
    target: Target,
    vantage: Vantage,
    env: CheckEnv,
    run: _Run,
    client: httpx.AsyncClient,
) -> tuple[int, str | None, str]:
    """One request; returns (status, Location, body problem or '')."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    run.phase = "dns"
    req_url = url
    headers = {"Connection": "close", "User-Agent": "warroom-probe"}
    if vantage.proxy and not vantage.resolver:
        run.address = None  # the proxy resolves on its side
    else:
        r = await resolve(host, port, vantage, env, target.settings.timeout)
        run.timings["dns"] = run.timings.get("dns", 0.0) + r.dns_ms
        run.address = r.address
        lit = f"[{r.address}]" if r.family == 6 else r.address
        netloc = f"{lit}:{parts.port}" if parts.port else lit
        req_url = urlunsplit(parts._replace(netloc=netloc))
        default = parts.port is None
        headers["Host"] = host if default else f"{host}:{port}"
    marks: dict[str, float] = {}

    async def trace(event: str, info: Mapping[str, object]) -> None:
        now = time.perf_counter()
        marks[event] = now
        if event.endswith("connect_tcp.started"):
            run.phase = "connect"
        elif event.endswith("start_tls.started"):  # connection., socks. or proxy.
            run.phase = "tls"
        elif event.endswith("send_request_headers.started"):
            run.phase = "request"

    t_req = time.perf_counter()
    ext: dict[str, object] = {"trace": trace, "sni_hostname": host}
    run.phase = "connect"
    # httpcore closes a half-made connection when its own timeout fires, not when it is
    # cancelled (a stalled TLS handshake through a proxy leaked its socket): let its
    # timeout end every step just before the check's deadline.
    own = httpx.Timeout(max(0.01, run.left() - 0.05))
    async with client.stream("GET", req_url, headers=headers, extensions=ext, timeout=own) as resp:
        t_head = time.perf_counter()
        _phase_timings(run, marks, t_req, t_head)
        stream = resp.extensions.get("network_stream")
        ssl_obj = stream.get_extra_info("ssl_object") if stream is not None else None
        if isinstance(ssl_obj, ssl.SSLObject):
            run.extra["tls_version"] = ssl_obj.version()
            _cert_check(target, run, ssl_obj.getpeercert())
            if run.cert_days is not None and run.cert_days < 0:
                raise CheckFailed("tls_expired", "certificate expired")
        location = resp.headers.get("location")
        if resp.status_code in REDIRECTS and target.follow_redirects:
            return resp.status_code, location, ""
        run.phase = "body"
        scan = BodyScan(target, resp.headers.get("content-encoding", "identity"))
        async for chunk in resp.aiter_raw():  # framing by httpx; decoding (capped) by us
            scan.feed(chunk)
            if scan.full:
                break
        else:
            scan.complete = True
        run.timings["body"] = (time.perf_counter() - t_head) * 1000.0
        return resp.status_code, location, scan.finish(run.extra)


async def _http_direct(
    url: str, target: Target, vantage: Vantage, env: CheckEnv, run: _Run
) -> tuple[int, str | None, str]:
    """One GET on a fresh connection to the vantage's address, or through its SOCKS5 tunnel.

    We open the socket (and TLS) ourselves, for exact phase timings and to connect to the
    address the vantage's resolver gave with the URL's Host header and SNI; h11 does
    the HTTP/1.1 message framing. httpx's pool machinery on top of that cost 3x the CPU
    per check (bench/bench_probes.py). Checks through an HTTP proxy go through httpx.
    """
    parts = urlsplit(url)
    host = parts.hostname or ""
    tls = parts.scheme == "https"
    port = parts.port or (443 if tls else 80)
    run.phase = "dns"
    if vantage.proxy and not vantage.resolver:
        address = host  # the proxy resolves on its side
        run.address = None
    else:
        r = await resolve(host, port, vantage, env, target.settings.timeout)
        run.timings["dns"] = run.timings.get("dns", 0.0) + r.dns_ms
        address = run.address = r.address
    run.phase = "connect"
    t = time.perf_counter()
    if vantage.proxy:
        reader, writer = await open_stream(address, port, host=host, vantage=vantage)
    else:
        reader, writer = await asyncio.open_connection(address, port, limit=_HEAD_LIMIT)
    try:
        run.timings["connect"] = run.timings.get("connect", 0.0) + _since(t)
        if tls:
            run.phase = "tls"
            t = time.perf_counter()
            await writer.start_tls(env.ssl_context(target.ca_path), server_hostname=host)
            run.timings["tls"] = run.timings.get("tls", 0.0) + _since(t)
            ssl_obj = writer.get_extra_info("ssl_object")
            if ssl_obj is not None:
                run.extra["tls_version"] = ssl_obj.version()
                _cert_check(target, run, ssl_obj.getpeercert())
        run.phase = "request"
        path = parts.path or "/"
        if parts.query:
            path += "?" + parts.query
        hosthdr = host if parts.port is None else f"{host}:{port}"
        if ":" in host:
            hosthdr = f"[{host}]" if parts.port is None else f"[{host}]:{port}"
        conn = h11.Connection(h11.CLIENT, max_incomplete_event_size=_HEAD_LIMIT)
        for event in (_request(path, hosthdr), h11.EndOfMessage()):
            writer.write(conn.send(event) or b"")
        t = time.perf_counter()
        resp = await _read_head(conn, reader)
        run.timings["first_byte"] = run.timings.get("first_byte", 0.0) + _since(t)
        headers: dict[str, str] = {}
        for name, value in resp.headers:
            headers.setdefault(name.decode("latin-1"), value.decode("latin-1"))
        status = resp.status_code
        location = headers.get("location")
        if status in REDIRECTS and target.follow_redirects:
            return status, location, ""
        run.phase = "body"
        t = time.perf_counter()
        note = await _read_body(conn, reader, status, headers, target, run)
        run.timings["body"] = _since(t)
        return status, location, note
    finally:
        writer.transport.abort()  # one request per connection; no lingering close


_HEAD_LIMIT = 65536
_READ_SIZE = 65536


@functools.lru_cache(maxsize=4096)
def _request(path: str, hosthdr: str) -> h11.Request:
    """Built once per URL: h11 validates every header on construction (a third of its
    CPU per check); the event itself is immutable and safe to send again."""
    headers = [
        ("Host", hosthdr),
        ("User-Agent", "warroom-probe"),
        ("Accept", "*/*"),
        ("Accept-Encoding", "identity"),
        ("Connection", "close"),
    ]
    return h11.Request(method="GET", target=path, headers=headers)


def _since(t: float) -> float:
    return (time.perf_counter() - t) * 1000.0


async def _read_head(conn: h11.Connection, reader: asyncio.StreamReader) -> h11.Response:
    """Feed h11 until the final response head (1xx heads are skipped)."""
    got = bytearray()  # what came before the head, for the error's words only
    while True:
        try:
            event = conn.next_event()
        except h11.RemoteProtocolError as exc:
            raise _head_error(got, exc) from exc
        if event is h11.NEED_DATA:
            data = await reader.read(_READ_SIZE)
            if len(got) <= _HEAD_LIMIT:
                got += data
            conn.receive_data(data)  # b"" tells h11 the server closed
        elif isinstance(event, h11.Response):
            return event
        elif isinstance(event, h11.ConnectionClosed):
            raise _head_error(got)


def _head_error(got: bytearray, exc: h11.RemoteProtocolError | None = None) -> CheckFailed:
    if not got:
        return CheckFailed("protocol_error", "server closed the connection without a response")
    line = bytes(got).split(b"\r\n", 1)[0].decode("latin-1")
    if not line.startswith("HTTP/"):
        return CheckFailed("protocol_error", f"not an HTTP response: {line[:80]!r}")
    if len(got) > _HEAD_LIMIT:
        return CheckFailed("protocol_error", "response headers larger than 64 KiB")
    if b"\r\n\r\n" not in got and b"\n\n" not in got:
        return CheckFailed("protocol_error", "server closed the connection mid-headers")
    # h11 says what broke ("conflicting Content-Length headers"); its bytes shown plainly
    why = re.sub(r"bytearray\((b'.*?')\)", r"\1", f" ({exc})") if exc and str(exc) else ""
    return CheckFailed("protocol_error", f"bad response head{why}: {line[:80]!r} ...")


async def _read_body(
    conn: h11.Connection,
    reader: asyncio.StreamReader,
    status: int,
    headers: dict[str, str],
    target: Target,
    run: _Run,
) -> str:
    """Read the body to its end, or to ``max_body_bytes``; returns a body problem or ''."""
    if status < 200 or status in (204, 304):
        return f"{target.expect_body!r} not in an empty body" if target.expect_body else ""
    scan = BodyScan(target, headers.get("content-encoding", "identity"))
    eof = False
    while True:
        try:
            event = conn.next_event()
        except h11.RemoteProtocolError as exc:
            chunked = "chunked" in headers.get("transfer-encoding", "").lower()
            why = "body ended inside a chunk" if chunked else "body shorter than Content-Length"
            raise CheckFailed("protocol_error", why if eof else f"bad body framing: {exc}") from exc
        if event is h11.NEED_DATA:
            if scan.full:
                break  # the cap: what lies beyond is not read
            data = await reader.read(_READ_SIZE)
            eof = not data
            conn.receive_data(data)  # b"" tells h11 the server closed
        elif isinstance(event, h11.Data):
            scan.feed(event.data)
        else:
            scan.complete = True  # EndOfMessage (or ConnectionClosed): the whole body is in
            break
    return scan.finish(run.extra)


def _phase_timings(run: _Run, marks: dict[str, float], t_req: float, t_head: float) -> None:
    def span(a: str, b: str) -> float | None:
        if a in marks and b in marks:
            return (marks[b] - marks[a]) * 1000.0
        return None

    def key(suffix: str) -> str:
        return next((k for k in marks if k.endswith(suffix)), suffix)

    c = span(key("connect_tcp.started"), key("connect_tcp.complete"))
    if c is not None:
        run.timings["connect"] = run.timings.get("connect", 0.0) + c
    t = span(key("start_tls.started"), key("start_tls.complete"))
    if t is not None:
        run.timings["tls"] = run.timings.get("tls", 0.0) + t
    sent = next((v for k, v in marks.items() if k.endswith("send_request_headers.started")), None)
    head = next(
        (v for k, v in marks.items() if k.endswith("receive_response_headers.complete")), t_head
    )
    if sent is not None:
        run.timings["first_byte"] = run.timings.get("first_byte", 0.0) + (head - sent) * 1000.0


# -- tcp / tls ---------------------------------------------------------------------


async def _connect(
    target: Target, vantage: Vantage, env: CheckEnv, run: _Run
) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    port = target.port or 443
    run.phase = "dns"
    if vantage.proxy and not vantage.resolver:
        addr = target.host
    else:
        r = await resolve(target.host, port, vantage, env, target.settings.timeout)
        run.timings["dns"] = r.dns_ms
        addr = run.address = r.address
    run.phase = "connect"
    t = time.perf_counter()
    reader, writer = await open_stream(addr, port, host=target.host, vantage=vantage)
    run.timings["connect"] = (time.perf_counter() - t) * 1000.0
    return reader, writer


async def _read_banner(target: Target, reader: asyncio.StreamReader, run: _Run) -> str:
    run.phase = "banner"
    want = target.expect_banner or ""
    buf = b""
    while b"\n" not in buf and len(buf) < BANNER_MAX:
        chunk = await reader.read(BANNER_MAX - len(buf))
        if not chunk:
            break
        buf += chunk
    line = buf.split(b"\n", 1)[0].decode("utf-8", "replace").strip()
    run.extra["banner"] = line[:200]
    if not line.startswith(want):
        shown = line[:80] if line else "(nothing, connection closed)"
        raise CheckFailed("banner_mismatch", f"banner {shown!r} does not start with {want!r}")
    return f"banner {line[:60]!r}"


def _drop(writer: asyncio.StreamWriter, *, graceful: bool = False) -> None:
    """End a connection without awaiting anything.

    Every await of a check must run under its deadline, and cleanup in ``finally`` runs
    after the deadline has fired: a ``wait_closed()`` there waited for a peer that never
    answers (a stalled TLS handshake) with nothing left to stop it. ``graceful`` sends a
    FIN on a plain connection (its close completes on its own, nothing is buffered);
    otherwise the connection is aborted.
    """
    if graceful and writer.get_extra_info("ssl_object") is None:
        writer.close()
    else:
        writer.transport.abort()


async def _tcp(target: Target, vantage: Vantage, env: CheckEnv, run: _Run) -> str:
    reader, writer = await _connect(target, vantage, env, run)
    ok = False
    try:
        if target.expect_banner is not None:
            detail = await _read_banner(target, reader, run)
        else:
            detail = f"connected to port {target.port}"
        ok = True
        return detail
    finally:
        _drop(writer, graceful=ok)


async def _tls(target: Target, vantage: Vantage, env: CheckEnv, run: _Run) -> str:
    reader, writer = await _connect(target, vantage, env, run)
    try:
        run.phase = "tls"
        t = time.perf_counter()
        ctx = env.ssl_context(target.ca_path)
        await writer.start_tls(ctx, server_hostname=target.host)
        run.timings["tls"] = (time.perf_counter() - t) * 1000.0
        ssl_obj = writer.get_extra_info("ssl_object")
        peercert = ssl_obj.getpeercert() if ssl_obj is not None else None
        if ssl_obj is not None:
            run.extra["tls_version"] = ssl_obj.version()
        _cert_check(target, run, peercert)
        detail = f"{run.extra.get('tls_version', 'TLS')}, certificate valid"
        if "cert_days_left" in run.extra:
            detail += f" for {run.extra['cert_days_left']:.0f} more days"
        if run.extra.get("cert_issuer"):
            detail += f", issued by {run.extra['cert_issuer']}"
        if target.expect_banner is not None:
            # A post-handshake refusal (TLS 1.3 client certificate) ends this read.
            detail += "; " + await _read_banner(target, reader, run)
        elif ssl_obj is not None and ssl_obj.version() == "TLSv1.3":
            run.latency_ms = _since(run.started)  # the wait below is not the server's time
            await _refusal_after_handshake(reader, run)
        return detail
    finally:
        _drop(writer)


async def _refusal_after_handshake(
    reader: asyncio.StreamReader, run: _Run, floor: float = 0.1
) -> None:
    """Raise when a TLS 1.3 server refuses the connection right after the handshake.

    In TLS 1.3 the client's handshake is complete before the server has seen the
    client's (empty) certificate; a server that requires one answers with an alert
    about one round trip later. curl and openssl see it on their first read. We wait
    for it as long as twice the slower of connect and handshake took (at least
    ``floor``), within the check's deadline; a server that stays silent, or speaks
    first, is up.
    """
    rtt = max(run.timings.get("connect", 0.0), run.timings.get("tls", 0.0)) / 1000.0
    grace = min(max(floor, 2 * rtt), run.left() - 0.05)
    if grace <= 0:
        return
    try:
        async with asyncio.timeout(grace):
            await reader.read(1)
    except TimeoutError:
        return
    except ConnectionError:
        return  # closed without an alert: not evidence of a refusal


_DIAGNOSE_GRACE = 0.75  # s: the least wait for the alert when looking again after a reset


async def _diagnose_reset(
    exc: Exception, host: str, port: int, target: Target, vantage: Vantage, env: CheckEnv, run: _Run
) -> None:
    """After a TLS 1.3 handshake, a reset (or a close) before any response byte is what a
    server that requires a client certificate looks like on a fast path: it closed (alert
    sent) before our request arrived, and the kernel reports the reset instead of the
    alert. Look again on a new connection that sends nothing; raise its refusal, or
    return (the reset stands). Costs nothing while servers answer.
    """
    word, detail = classify(exc)
    closed = word == "protocol_error" and "without" in detail and "a response" in detail
    if word != "reset" and not closed:  # h11: "without a response"; httpx: "without sending"
        return
    phase, timings = run.phase, dict(run.timings)
    try:
        async with asyncio.timeout(max(0.0, run.left() - 0.05)):
            addr = run.address or host
            reader, writer = await open_stream(addr, port, host=host, vantage=vantage)
            try:
                await writer.start_tls(env.ssl_context(target.ca_path), server_hostname=host)
                ssl_obj = writer.get_extra_info("ssl_object")
                if ssl_obj is not None and ssl_obj.version() == "TLSv1.3":
                    # The check already failed; a loaded server (or workstation) may
                    # send its alert late, and waiting longer costs no healthy check.
                    await _refusal_after_handshake(reader, run, floor=_DIAGNOSE_GRACE)
            finally:
                _drop(writer)
    except ssl.SSLError as again:
        raise again from exc
    except (TimeoutError, OSError):
        pass  # no clearer answer in time: report what the check saw
    finally:
        run.phase, run.timings = phase, timings


# -- dns ---------------------------------------------------------------------------


def _norm(answer: str) -> str:
    return answer.strip().rstrip(".").lower().strip('"')


async def _dns(target: Target, vantage: Vantage, env: CheckEnv, run: _Run) -> str:
    run.phase = "dns"
    if vantage.proxy:
        raise CheckFailed("not_supported", "DNS checks cannot leave through a proxy vantage")
    if target.server:
        server = await env.server_address(target.server)
    elif vantage.resolver:
        server = await env.server_address(vantage.resolver)
    else:
        server = await env.system_nameserver()
    run.address = server[0]
    if vantage.family and ip_family(server[0]) != vantage.family:
        raise CheckFailed(
            "unreachable", f"DNS server {server[0]} is not IPv{vantage.family} (vantage family)"
        )
    t = time.perf_counter()
    ans = await dns_query(target.host, target.record, server, target.settings.timeout)
    run.timings["dns"] = (time.perf_counter() - t) * 1000.0
    run.extra["rcode"] = dns.rcode.to_text(dns.rcode.Rcode(ans.rcode))
    run.extra["answers"] = ans.answers
    raise_for_rcode(ans, target.host)
    got = {_norm(a) for a in ans.answers}
    shown = ", ".join(ans.answers) or "no records"
    if target.expect_answer:
        want = {_norm(a) for a in target.expect_answer}
        if not got or not got <= want:
            raise CheckFailed(
                "dns_mismatch",
                (
                    f"{target.host} {target.record}: got "
                    f"{shown}; expected {', '.join(target.expect_answer)}"
                ),
            )
    return f"{target.record} {shown}"


# -- icmp --------------------------------------------------------------------------


async def _icmp(target: Target, vantage: Vantage, env: CheckEnv, run: _Run) -> str:
    if vantage.proxy:
        raise CheckFailed("not_supported", "ICMP cannot leave through a proxy vantage")
    run.phase = "dns"
    r = await resolve(target.host, 0, vantage, env, target.settings.timeout)
    run.timings["dns"] = r.dns_ms
    run.address = r.address
    run.phase = "echo"
    rtt, method = await icmp.ping(r.address, r.family, target.settings.timeout, env.icmp_methods)
    run.timings["rtt"] = rtt
    run.latency_ms = rtt
    run.extra["icmp_method"] = method
    return f"echo reply in {rtt:.1f} ms ({method})"


_CHECKS = {"http": _http, "tcp": _tcp, "tls": _tls, "dns": _dns, "icmp": _icmp}
