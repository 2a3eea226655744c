"""Real servers on loopback for probe tests: HTTP(S), DNS, TCP banner, proxies.

All of them run in one background thread with its own asyncio loop, bind port 0 and
expose the real port, so tests (and the probe engine's own thread) talk to them over
real sockets. Nothing here touches the outside world; names under ``example.test``
exist only in these DNS responders.

Start everything with ``TestNet.start(tmp_dir)`` (or the ``testnet`` fixture in
``tests/helpers/fixtures.py``), and use ``seed_scenario`` for the "up via isp-a, down
via isp-b and isp-lie" workspace.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import functools
import gzip
import socket
import ssl
import struct
import threading
import zlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import dns.flags
import dns.message
import dns.rcode
import dns.rdatatype
import dns.rrset

# The loop thread, the DNS responder and the banner server are the simulated world's
# (warroom.sim.net), shared with the built-in demo.
from warroom.sim.net import BannerServer, pipe
from warroom.sim.net import DnsServer as DnsResponder
from warroom.sim.net import SimLoop as LoopThread

T = TypeVar("T")
WWW = "www.example.test"
OTHER = "other.example.test"


# -- HTTP --------------------------------------------------------------------------


@dataclass
class SeenRequest:
    path: str
    host: str | None
    sni: str | None


class HttpServer:
    """HTTP/1.1 with test routes; TLS when given an ``ssl.SSLContext``.

    Routes: ``/ok`` (200, body "Welcome to www"), ``/5xx`` (503), ``/slow`` (200 after
    ``slow_s``), ``/drip`` (headers, then one byte every 0.1 s, forever), ``/endless``
    (a chunked body that never ends, as fast as it goes), ``/loop`` (302 -> ``/loop2`` ->
    ``/loop``), ``/redirect`` (302 -> ``/ok``), ``/reset`` (TCP RST), ``/noanswer`` (reads
    the request, never answers), ``/status`` (``status_code`` attribute, settable),
    ``/big`` (2 MiB of "x" then "needle"), ``/close`` (closes without answering),
    ``/garbage`` (not HTTP), ``/gzip`` (a gzip-encoded body), ``/chunked``,
    ``/early-hints`` (a 103 before the 200); broken framing, each then closed:
    ``/short-body``, ``/cut-chunk``, ``/half-head``, ``/huge-head``, ``/bad-header``;
    ``/short-body-match``, ``/cut-chunk-match``, ``/huge-chunk-size`` (the body's
    "Welcome" arrives before the framing breaks), ``/two-lengths`` (conflicting
    Content-Length headers); ``/gzip-json`` and ``/deflate-json`` (40 MB of repetitive
    JSON, about 120 KB on the wire; "last-item" only near its end), ``/deflate-raw``
    (deflate without the zlib wrapper, as some servers send it), ``/gzip-bomb`` (100 MB
    of zeros, about 100 KB on the wire).
    """

    def __init__(self, ssl_ctx: ssl.SSLContext | None = None, slow_s: float = 3.0) -> None:
        self.ssl_ctx = ssl_ctx
        self.slow_s = slow_s
        self.status_code = 200
        self.seen: list[SeenRequest] = []
        self.port = 0
        self.port6: int | None = None
        self._servers: list[asyncio.Server] = []
        self._sni: dict[int, str | None] = {}

    async def start(self) -> None:
        ctx = self.ssl_ctx
        if ctx is not None:

            def on_sni(sslobj: ssl.SSLObject, name: str | None, _ctx: ssl.SSLContext) -> None:
                self._sni[id(sslobj)] = name

            ctx.sni_callback = on_sni
        srv = await asyncio.start_server(self._handle, "127.0.0.1", 0, ssl=ctx)
        self._servers.append(srv)
        self.port = srv.sockets[0].getsockname()[1]
        with contextlib.suppress(OSError):
            srv6 = await asyncio.start_server(self._handle, "::1", self.port, ssl=ctx)
            self._servers.append(srv6)
            self.port6 = self.port

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            await self._serve(reader, writer)
        except (ConnectionError, asyncio.IncompleteReadError, ssl.SSLError, OSError):
            pass
        except asyncio.CancelledError:
            pass  # the test net is shutting down
        finally:
            with contextlib.suppress(Exception):
                writer.close()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = await reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        parts = lines[0].split(" ")
        path = parts[1] if len(parts) > 1 else "/"
        if "://" in path:  # absolute form (through an HTTP proxy)
            path = "/" + path.split("://", 1)[1].partition("/")[2]
        headers = {}
        for line in lines[1:]:
            if ":" in line:
                k, v = line.split(":", 1)
                headers[k.strip().lower()] = v.strip()
        ssl_obj = writer.get_extra_info("ssl_object")
        sni = self._sni.pop(id(ssl_obj), None) if ssl_obj is not None else None
        self.seen.append(SeenRequest(path, headers.get("host"), sni))

        async def send(status: int, body: bytes = b"", extra: str = "") -> None:
            writer.write(
                f"HTTP/1.1 {status} X\r\nContent-Length: {len(body)}\r\n"
                f"Connection: close\r\n{extra}\r\n".encode()
                + body
            )
            await writer.drain()

        route = path.split("?")[0]
        if route == "/ok":
            await send(200, b"<html>Welcome to www</html>")
        elif route == "/5xx":
            await send(503, b"maintenance")
        elif route == "/status":
            await send(self.status_code, b"Welcome (status route)")
        elif route == "/slow":
            await asyncio.sleep(self.slow_s)
            await send(200, b"Welcome, slowly")
        elif route == "/drip":
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n")
            while True:
                writer.write(b"x")
                await writer.drain()
                await asyncio.sleep(0.1)
        elif route == "/endless":
            writer.write(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")
            chunk = b"y" * 16384
            frame = f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n"
            while True:
                writer.write(frame)
                await writer.drain()
        elif route == "/big":
            await send(200, b"x" * (2 * 1024 * 1024) + b"needle")
        elif route == "/loop":
            await send(302, extra="Location: /loop2\r\n")
        elif route == "/loop2":
            await send(302, extra="Location: /loop\r\n")
        elif route == "/redirect":
            await send(302, extra="Location: /ok\r\n")
        elif route == "/reset":
            sock = writer.get_extra_info("socket")
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            writer.transport.abort()
        elif route == "/close":
            writer.transport.close()
        elif route == "/garbage":
            writer.write(b"SSH-2.0-OpenSSH_9.6\r\n\r\n")
            await writer.drain()
        elif route == "/gzip":
            await send(
                200,
                gzip.compress(b"<html>Welcome, compressed</html>"),
                "Content-Encoding: gzip\r\n",
            )
        elif route == "/chunked":
            writer.write(
                b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
                b"4\r\nWelc\r\n8;ext=1\r\nome to c\r\n7\r\nhunked!\r\n0\r\n\r\n"
            )
            await writer.drain()
        elif route == "/noanswer":
            await asyncio.sleep(3600)
        elif route in _COMPRESSED:
            enc, body = _compressed(route)
            await send(200, body, f"Content-Encoding: {enc}\r\n")
        elif route in _BROKEN:
            writer.write(_BROKEN[route])
            await writer.drain()
            writer.transport.close()
        elif route == "/early-hints":
            writer.write(b"HTTP/1.1 103 Early Hints\r\nLink: </s.css>\r\n\r\n")
            await send(200, b"Welcome after hints")
        else:
            await send(404, b"not found")

    def url(self, path: str = "/ok", host: str = "127.0.0.1") -> str:
        scheme = "https" if self.ssl_ctx else "http"
        return f"{scheme}://{host}:{self.port}{path}"

    async def stop(self) -> None:
        for s in self._servers:
            s.close()
        for s in self._servers:
            with contextlib.suppress(Exception):
                async with asyncio.timeout(1):
                    await s.wait_closed()


_BROKEN = {
    "/short-body": b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nWelcome",
    "/cut-chunk": b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n20\r\nWelcome",
    "/half-head": b"HTTP/1.1 200 OK\r\nContent-Len",
    "/huge-head": b"HTTP/1.1 200 OK\r\nX-Big: " + b"a" * 200_000 + b"\r\n\r\n",
    "/bad-header": b"HTTP/1.1 200 OK\r\nno colon here\r\n\r\n",
    # The same breaks, after the text a check looks for ("Welcome") has arrived.
    "/short-body-match": b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\nWelcome",
    "/cut-chunk-match": (
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
        b"7\r\nWelcome\r\n20\r\nthe rest is cut"
    ),
    "/huge-chunk-size": (
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
        b"7\r\nWelcome\r\nFFFFFFFFFFFFFFFFFFFF\r\nmore"
    ),
    "/two-lengths": (b"HTTP/1.1 200 OK\r\nContent-Length: 7\r\nContent-Length: 12\r\n\r\nWelcome"),
}

_COMPRESSED = {"/gzip-json", "/deflate-json", "/deflate-raw", "/gzip-bomb"}


@functools.cache
def _compressed(route: str) -> tuple[str, bytes]:
    """(Content-Encoding, body) for the compressed routes; built once per process."""
    if route == "/gzip-bomb":
        z = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
        zeros = bytes(1 << 20)
        return "gzip", b"".join([*(z.compress(zeros) for _ in range(100)), z.flush()])
    item = b'{"id": 1, "service": "www", "status": "ok", "region": "eu-west"},\n'
    n = 40_000_000 // len(item)
    doc = b'{"welcome": "Welcome", "items": [\n' + item * n + b'{"last-item": true}]}\n'
    if route == "/gzip-json":
        return "gzip", gzip.compress(doc, 9)
    if route == "/deflate-json":
        return "deflate", zlib.compress(doc, 9)
    z = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    return "deflate", z.compress(doc) + z.flush()


# -- DNS ---------------------------------------------------------------------------


class TruncatingDns:
    """Answers every UDP query with the TC bit set and no records, and the same port
    over TCP with the full answer (``records``), as a server with a big answer does.
    ``tcp_queries`` counts the queries that came over TCP."""

    def __init__(self, records: dict[tuple[str, str], list[str]]) -> None:
        self.records = {(n.lower().rstrip("."), t): v for (n, t), v in records.items()}
        self.port = 0
        self.tcp_queries = 0
        self._udp: asyncio.DatagramTransport | None = None
        self._tcp: asyncio.Server | None = None

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def _answer(self, q: dns.message.Message) -> dns.message.Message:
        resp = dns.message.make_response(q)
        qn = q.question[0]
        name = qn.name.to_text().lower().rstrip(".")
        values = self.records.get((name, dns.rdatatype.to_text(qn.rdtype)))
        if values:
            resp.answer.append(
                dns.rrset.from_text(qn.name, 30, "IN", dns.rdatatype.to_text(qn.rdtype), *values)
            )
        return resp

    async def start(self) -> None:
        outer = self

        class Udp(asyncio.DatagramProtocol):
            def connection_made(self, transport: asyncio.BaseTransport) -> None:
                outer._udp = transport  # type: ignore[assignment]

            def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
                resp = dns.message.make_response(dns.message.from_wire(data))
                resp.flags |= dns.flags.TC
                assert outer._udp is not None
                outer._udp.sendto(resp.to_wire(), addr)

        async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            with contextlib.suppress(Exception):
                size = struct.unpack("!H", await reader.readexactly(2))[0]
                q = dns.message.from_wire(await reader.readexactly(size))
                self.tcp_queries += 1
                wire = self._answer(q).to_wire()
                writer.write(struct.pack("!H", len(wire)) + wire)
                await writer.drain()
            writer.close()

        loop = asyncio.get_running_loop()
        await loop.create_datagram_endpoint(Udp, local_addr=("127.0.0.1", 0))
        assert self._udp is not None
        self.port = self._udp.get_extra_info("sockname")[1]
        self._tcp = await asyncio.start_server(handle, "127.0.0.1", self.port)

    async def stop(self) -> None:
        if self._udp:
            self._udp.close()
        if self._tcp:
            self._tcp.close()


# -- TCP banner, closed port, proxies ----------------------------------------------


class StallServer:
    """Accepts connections and reads whatever comes, never sending a byte: a TLS port
    whose handshake stalls (no ServerHello), a common outage state."""

    def __init__(self) -> None:
        self.port = 0
        self.accepted = 0
        self._server: asyncio.Server | None = None
        self._writers: list[asyncio.StreamWriter] = []

    async def start(self) -> None:
        async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            self.accepted += 1
            self._writers.append(writer)
            with contextlib.suppress(Exception):
                while await reader.read(65536):
                    pass
            with contextlib.suppress(Exception):
                writer.close()

        self._server = await asyncio.start_server(handle, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        if self._server:
            self._server.close()
        for w in self._writers:
            with contextlib.suppress(Exception):
                w.transport.abort()


class ClientCertServer:
    """TLS that requires a client certificate, served from a thread with blocking
    sockets: there OpenSSL writes its alert to the wire (``certificate_required`` in
    TLS 1.3, after the client's handshake is complete; ``handshake_failure`` in 1.2),
    as nginx or ``openssl s_server -Verify`` do. asyncio's own TLS server drops the
    connection without sending the alert, which no real server does."""

    def __init__(
        self, ctx: ssl.SSLContext, *, plain: ssl.SSLContext | None = None, resets: int = 0
    ) -> None:
        """``resets``: that many first connections get, instead, a handshake without
        client authentication (``plain``) and then a TCP reset, no alert: what a client
        sees when the alert is lost behind the reset (``resets=-1``: every connection, a
        server that simply resets)."""
        self.ctx = ctx
        self.plain = plain
        self.resets = resets
        self.port = 0
        self.refused = 0
        self._sock: socket.socket | None = None
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()

    async def start(self) -> None:
        self._sock = socket.create_server(("127.0.0.1", 0))
        self._sock.settimeout(0.1)
        self.port = self._sock.getsockname()[1]
        self._thread = threading.Thread(target=self._serve, name="client-cert", daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        assert self._sock is not None
        while not self._stop.is_set():
            try:
                conn, _ = self._sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            with conn:
                conn.settimeout(2)
                if self.resets and self.plain is not None:
                    self.resets -= self.resets > 0
                    linger = struct.pack("ii", 1, 0)  # close() then sends a reset
                    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, linger)
                    with contextlib.suppress(ssl.SSLError, OSError):
                        self.plain.wrap_socket(conn, server_side=True).close()  # no alert
                    continue
                tls = self.ctx.wrap_socket(conn, server_side=True, do_handshake_on_connect=False)
                with tls:
                    try:
                        tls.do_handshake()
                        tls.recv(1024)  # never reached without a client certificate
                    except (ssl.SSLError, OSError):
                        self.refused += 1
                        _lingering_close(tls)

    async def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            await asyncio.to_thread(self._thread.join, 2)
        if self._sock is not None:
            self._sock.close()


def _lingering_close(sock: socket.socket) -> None:
    """Close as nginx does (``lingering_close``): stop sending, then read and drop what
    the client still sends for a moment. A plain close() with unread bytes (the rest of
    the client's handshake, its request) makes the kernel send a reset, and a reset can
    overtake the alert just written: the client would then see a reset, not the refusal,
    depending on timing. Real servers linger; so does this one."""
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_WR)
        sock.settimeout(0.5)
        while sock.recv(4096):
            pass


class ClosedPort:
    """A port that refuses: bound (so nobody else takes it) but never listening."""

    def __init__(self) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]

    def close(self) -> None:
        self.sock.close()


class ProxyServer:
    """A forwarding proxy speaking SOCKS5 (no auth) or HTTP CONNECT, counting tunnels."""

    def __init__(self, kind: str = "socks5") -> None:
        self.kind = kind
        self.port = 0
        self.tunnels: list[tuple[str, int]] = []
        self._server: asyncio.Server | None = None

    @property
    def url(self) -> str:
        return f"{'socks5' if self.kind == 'socks5' else 'http'}://127.0.0.1:{self.port}"

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            if self.kind == "socks5":
                host, port = await self._socks(reader, writer)
            else:
                head = await reader.readuntil(b"\r\n\r\n")
                method, target = head.split(b"\r\n")[0].decode().split(" ")[:2]
                if method != "CONNECT":  # plain forwarding of an absolute-form request
                    await self._forward(head, target, reader, writer)
                    return
                host, _, p = target.rpartition(":")
                host, port = host.strip("[]"), int(p)
            self.tunnels.append((host, port))
            try:
                # Only loopback: "other access networks" are simulated on 127.0.0.1.
                r2, w2 = await asyncio.open_connection(
                    "127.0.0.1" if host.endswith(".test") else host, port
                )
            except OSError:
                if self.kind == "socks5":
                    writer.write(b"\x05\x05\x00\x01" + bytes(6))
                else:
                    writer.write(b"HTTP/1.1 502 Bad Gateway\r\n\r\n")
                await writer.drain()
                return
            if self.kind == "socks5":
                writer.write(b"\x05\x00\x00\x01" + bytes(6))
            else:
                writer.write(b"HTTP/1.1 200 Connection established\r\n\r\n")
            await writer.drain()
            await asyncio.gather(pipe(reader, w2), pipe(r2, writer))
        except (ConnectionError, asyncio.IncompleteReadError, OSError, ValueError):
            pass
        except asyncio.CancelledError:
            pass
        finally:
            with contextlib.suppress(Exception):
                writer.close()

    async def _forward(
        self, head: bytes, target: str, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        netloc = target.split("://", 1)[1].split("/", 1)[0]
        host, _, p = netloc.rpartition(":")
        self.tunnels.append((host.strip("[]"), int(p)))
        r2, w2 = await asyncio.open_connection("127.0.0.1", int(p))
        w2.write(head)
        await w2.drain()
        await asyncio.gather(pipe(reader, w2), pipe(r2, writer))

    @staticmethod
    async def _socks(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> tuple[str, int]:
        _, n = await reader.readexactly(2)
        await reader.readexactly(n)
        writer.write(b"\x05\x00")
        await writer.drain()
        _, _, _, atyp = await reader.readexactly(4)
        if atyp == 1:
            host = socket.inet_ntop(socket.AF_INET, await reader.readexactly(4))
        elif atyp == 4:
            host = socket.inet_ntop(socket.AF_INET6, await reader.readexactly(16))
        else:
            ln = (await reader.readexactly(1))[0]
            host = (await reader.readexactly(ln)).decode()
        (port,) = struct.unpack("!H", await reader.readexactly(2))
        return host, port

    async def stop(self) -> None:
        if self._server:
            self._server.close()


# -- certificates ------------------------------------------------------------------


@dataclass
class Certs:
    """trustme material: ``ca_file`` trusts ``valid``, ``expired``, ``wrong_host``,
    ``expiring`` (5 days left); ``untrusted`` is signed by a CA nobody trusts.
    ``client_auth``: ``tls13`` and ``tls12`` present the valid certificate but require
    one from the client (CERT_REQUIRED), which a probe never has; ``plain`` does not."""

    ca_file: Path
    contexts: dict[str, ssl.SSLContext]
    client_auth: dict[str, ssl.SSLContext] = field(default_factory=dict)

    @classmethod
    def make(cls, tmp: Path) -> Certs:
        import trustme

        ca = trustme.CA()
        rogue = trustme.CA()
        now = dt.datetime.now(dt.UTC)
        names = (WWW, "localhost", "127.0.0.1", "::1")
        issued = {
            "valid": ca.issue_cert(*names),
            "expired": ca.issue_cert(
                *names, not_before=now - dt.timedelta(days=60), not_after=now - dt.timedelta(days=1)
            ),
            "expiring": ca.issue_cert(*names, not_after=now + dt.timedelta(days=5)),
            "wrong_host": ca.issue_cert(OTHER),
            "untrusted": rogue.issue_cert(*names),
        }
        contexts = {}
        for key, cert in issued.items():
            ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            cert.configure_cert(ctx)
            contexts[key] = ctx
        client_auth = {}
        for key, top in (("tls13", ssl.TLSVersion.TLSv1_3), ("tls12", ssl.TLSVersion.TLSv1_2)):
            ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            issued["valid"].configure_cert(ctx)
            ca.configure_trust(ctx)
            ctx.verify_mode = ssl.CERT_REQUIRED
            ctx.maximum_version = top
            client_auth[key] = ctx
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)  # no client auth
        issued["valid"].configure_cert(ctx)
        client_auth["plain"] = ctx
        ca_file = tmp / "test-ca.pem"
        ca.cert_pem.write_to_path(str(ca_file))
        return cls(ca_file, contexts, client_auth)


# -- everything together -----------------------------------------------------------


@dataclass
class TestNet:
    """All loopback servers of the probe tests, started together.

    Attributes: ``http`` (plain HTTP), ``https`` (dict: valid, expired, expiring,
    wrong_host, untrusted -> HttpServer), ``certs`` (``certs.ca_file`` trusts them),
    ``dns_a`` (answers www.example.test -> 127.0.0.1 and ::1, like a healthy access
    provider), ``dns_b`` (SERVFAIL, the broken provider), ``dns_lie`` (answers
    127.0.0.2, where nothing listens), ``dns_nx``, ``dns_silent``, ``banner`` (SMTP
    220), ``bad_banner`` (554), ``closed`` (a refusing port), ``socks`` and
    ``http_proxy`` (forwarding proxies).
    """

    __test__ = False  # not a test class, despite the name

    loop: LoopThread
    http: HttpServer
    https: dict[str, HttpServer]
    certs: Certs
    dns_a: DnsResponder
    dns_b: DnsResponder
    dns_lie: DnsResponder
    dns_nx: DnsResponder
    dns_silent: DnsResponder
    banner: BannerServer
    bad_banner: BannerServer
    closed: ClosedPort
    socks: ProxyServer
    http_proxy: ProxyServer
    _extra: list[Any] = field(default_factory=list)

    @classmethod
    def start(cls, tmp: Path) -> TestNet:
        loop = LoopThread()
        certs = Certs.make(tmp)
        records = {
            (WWW, "A"): ["127.0.0.1"],
            (WWW, "AAAA"): ["::1"],
            ("mail.example.test", "A"): ["127.0.0.1"],
            ("alias.example.test", "CNAME"): ["www.example.test."],
        }
        net = cls(
            loop=loop,
            http=HttpServer(),
            https={k: HttpServer(ctx) for k, ctx in certs.contexts.items()},
            certs=certs,
            dns_a=DnsResponder("answer", records),
            dns_b=DnsResponder("servfail"),
            dns_lie=DnsResponder("lie"),
            dns_nx=DnsResponder("nxdomain"),
            dns_silent=DnsResponder("silent"),
            banner=BannerServer(),
            bad_banner=BannerServer(b"554 go away\r\n"),
            closed=ClosedPort(),
            socks=ProxyServer("socks5"),
            http_proxy=ProxyServer("http"),
        )
        servers: list[Any] = [
            net.http,
            *net.https.values(),
            net.dns_a,
            net.dns_b,
            net.dns_lie,
            net.dns_nx,
            net.dns_silent,
            net.banner,
            net.bad_banner,
            net.socks,
            net.http_proxy,
        ]

        async def start_all() -> None:
            for s in servers:
                await s.start()

        loop.run(start_all())
        return net

    def call(self, fn: Callable[[], Awaitable[T]]) -> T:
        return self.loop.run(fn())  # type: ignore[arg-type]

    def dns_server(
        self, mode: str = "answer", records: dict[tuple[str, str], list[str]] | None = None
    ) -> DnsResponder:
        """A fresh responder for a test that changes its mode (others share the fixed ones)."""
        r = DnsResponder(mode, records if records is not None else {(WWW, "A"): ["127.0.0.1"]})
        self.loop.run(r.start())
        self._extra.append(r)
        return r

    def truncating_dns(self) -> TruncatingDns:
        """A resolver that sends the answer for www.example.test over TCP only."""
        s = TruncatingDns({(WWW, "A"): ["127.0.0.1"]})
        self.loop.run(s.start())
        self._extra.append(s)
        return s

    def stall_server(self) -> StallServer:
        """A port that accepts and never answers (a stalled TLS handshake)."""
        s = StallServer()
        self.loop.run(s.start())
        self._extra.append(s)
        return s

    def client_cert_server(self, version: str = "tls13", resets: int = 0) -> ClientCertServer:
        """A TLS port (``version`` "tls13" or "tls12") that requires a client certificate;
        ``resets``: see ``ClientCertServer``."""
        auth = self.certs.client_auth
        s = ClientCertServer(auth[version], plain=auth["plain"], resets=resets)
        self.loop.run(s.start())
        self._extra.append(s)
        return s

    def http_server(self, **kw: Any) -> HttpServer:
        s = HttpServer(**kw)
        self.loop.run(s.start())
        self._extra.append(s)
        return s

    def stop(self) -> None:
        # Close every server's transport first: a leaked one is a ResourceWarning, an
        # error under filterwarnings=error at the end of the session.
        servers = [self.http, *self.https.values(), self.dns_a, self.dns_b, self.dns_lie]
        servers += [self.dns_nx, self.dns_silent, self.banner, self.bad_banner]
        servers += [self.socks, self.http_proxy, *self._extra]
        for s in servers:
            with contextlib.suppress(Exception):
                self.loop.run(s.stop(), timeout=5)
        self.closed.close()
        self.loop.stop()


# -- the seed scenario -------------------------------------------------------------

SEED_SUMMARY = "www: down via isp-b, isp-lie; up via isp-a"


@dataclass
class SeedScenario:
    """``www`` up via resolver A, SERVFAIL via B, a wrong address via the liar.

    ``path`` is a workspace TOML file; ``summary`` the exact words the CLI and the
    dashboard must show for ``www``.
    """

    path: Path
    text: str
    summary: str = SEED_SUMMARY


def seed_scenario_text(net: TestNet, *, timeout: str = "1s", interval: str = "1s") -> str:
    return f"""\
# The seed outage in miniature: www is fine via one access provider only.
[probe]
interval = "{interval}"
timeout = "{timeout}"
fail_after = 1
recover_after = 1
degraded_ms = 800

[[vantage]]
name = "isp-a"
resolver = "{net.dns_a.address}"

[[vantage]]
name = "isp-b"
resolver = "{net.dns_b.address}"

[[vantage]]
name = "isp-lie"
resolver = "{net.dns_lie.address}"

[[target]]
name = "www"
url = "http://{WWW}:{net.http.port}/ok"
expect_body = "Welcome"
vantages = ["isp-a", "isp-b", "isp-lie"]
"""


def seed_scenario(net: TestNet, tmp: Path, **kw: str) -> SeedScenario:
    text = seed_scenario_text(net, **kw)
    path = tmp / "seed-workspace.toml"
    path.write_text(text, encoding="utf-8")
    return SeedScenario(path, text)
