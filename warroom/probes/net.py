"""Vantage plumbing: name resolution per vantage, proxy tunnels, TLS contexts.

Every check resolves the name itself, through the vantage (system ``getaddrinfo`` or a
DNS query to the vantage's resolver), and connects to exactly that one address. That is
what makes "up via isp-a, down via isp-b" honest: nothing falls back to another address
or resolver behind our back (no happy-eyeballs).
"""

from __future__ import annotations

import asyncio
import copy
import ipaddress
import os
import secrets
import socket
import ssl
import struct
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

import dns.asyncquery
import dns.exception
import dns.flags
import dns.message
import dns.rcode
import dns.rdatatype
import dns.resolver

from warroom.domain.workspace import Vantage, split_host_port
from warroom.probes.errors import CheckFailed


def loop_factory() -> Callable[[], asyncio.AbstractEventLoop] | None:
    """The event loop the probe engine runs on: uvloop's when it is installed.

    Same asyncio API, with sockets, timers and callbacks in C: about a quarter less CPU
    per HTTP check (bench/bench_probes.py). None means asyncio's own loop: uvloop is
    not installed (Windows has none), or ``WARROOM_EVENT_LOOP=asyncio`` asks for it.
    """
    if os.environ.get("WARROOM_EVENT_LOOP", "").lower() == "asyncio":
        return None
    try:
        import uvloop
    except ImportError:
        return None
    factory: Callable[[], asyncio.AbstractEventLoop] = uvloop.new_event_loop
    return factory


def is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def ip_family(addr: str) -> int:
    return 6 if ":" in addr else 4


@dataclass
class DnsAnswer:
    rcode: int
    answers: list[str]
    server: str
    truncated_to_tcp: bool = False


async def dns_query(name: str, rdtype: str, server: tuple[str, int], timeout: float) -> DnsAnswer:
    """One recursive query to one server; UDP, falling back to TCP when truncated.

    Raises ``CheckFailed('dns_timeout')`` when the server stays silent and
    ``CheckFailed('unreachable'|'refused')`` when it cannot be reached at all.
    """
    host, port = server
    try:
        async with asyncio.timeout(timeout):
            q, resp = await _udp_query(name, rdtype, host, port)
            used_tcp = bool(resp.flags & dns.flags.TC)
            if used_tcp:  # truncated: ask again over TCP (dnspython does the framing)
                resp = await dns.asyncquery.tcp(q, host, port=port)
    except (TimeoutError, dns.exception.Timeout) as exc:
        raise CheckFailed("dns_timeout", f"resolver {host}:{port} did not answer") from exc
    except ConnectionRefusedError as exc:
        raise CheckFailed("dns_timeout", f"resolver {host}:{port} refused (port closed)") from exc
    except OSError as exc:
        raise CheckFailed(
            "unreachable", f"resolver {host}:{port} unreachable: {exc.strerror or exc}"
        ) from exc
    except dns.exception.DNSException as exc:
        raise CheckFailed("protocol_error", f"bad DNS answer from {host}:{port}: {exc}") from exc
    want = dns.rdatatype.from_text(rdtype)
    answers: list[str] = []
    for rrset in resp.answer:
        if rrset.rdtype == want:
            answers.extend(r.to_text() for r in rrset)
    return DnsAnswer(resp.rcode(), answers, f"{host}:{port}", used_tcp)


_QUERIES: dict[tuple[str, str], tuple[bytes, dns.message.QueryMessage]] = {}


def _query(name: str, rdtype: str) -> tuple[bytes, dns.message.QueryMessage]:
    """The query for (name, type) and its wire form, built once: building it with
    dnspython cost more than the rest of a resolution (bench/bench_probes.py)."""
    hit = _QUERIES.get((name, rdtype))
    if hit is None:
        q = dns.message.make_query(name, rdtype)
        q.flags |= dns.flags.RD
        hit = (q.to_wire(), q)
        if len(_QUERIES) >= 4096:
            _QUERIES.clear()
        _QUERIES[(name, rdtype)] = hit
    return hit


async def _udp_query(
    name: str, rdtype: str, host: str, port: int
) -> tuple[dns.message.QueryMessage, dns.message.Message]:
    """Send the query from a fresh socket (a random source port, as dnspython does)
    with a random ID, and wait for its answer; others (late, stray) are ignored.

    The socket is connected, so the kernel drops datagrams from anyone else and an
    ICMP "port unreachable" becomes ``ConnectionRefusedError``. Closing never waits.
    """
    wire, shared = _query(name, rdtype)
    qid = secrets.randbits(16)
    q = copy.copy(shared)  # shallow: only the ID differs (for the TCP retry and checks)
    q.id = qid
    loop = asyncio.get_running_loop()
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_DGRAM)
    try:
        sock.setblocking(False)
        sock.connect((host, port))
        sock.send(qid.to_bytes(2, "big") + wire[2:])
        while True:
            data = await loop.sock_recv(sock, 65535)
            if len(data) < 12 or int.from_bytes(data[:2], "big") != qid:
                continue  # not an answer to this query
            resp = dns.message.from_wire(data, ignore_trailing=True)
            if q.is_response(resp):
                return q, resp
    finally:
        sock.close()


def raise_for_rcode(ans: DnsAnswer, name: str) -> None:
    rcode = ans.rcode
    if rcode == dns.rcode.NOERROR:
        return
    if rcode == dns.rcode.NXDOMAIN:
        raise CheckFailed("dns_nxdomain", f"{name}: NXDOMAIN from {ans.server}")
    if rcode == dns.rcode.SERVFAIL:
        raise CheckFailed("dns_servfail", f"{name}: SERVFAIL from {ans.server}")
    raise CheckFailed(
        "protocol_error", f"{name}: {dns.rcode.to_text(dns.rcode.Rcode(rcode))} from {ans.server}"
    )


@dataclass
class Resolved:
    address: str
    family: int
    dns_ms: float


@dataclass
class NetEnv:
    """Caches shared by all checks of one engine (or one CLI run)."""

    ssl_contexts: dict[tuple[Path | None, bool], ssl.SSLContext] = field(default_factory=dict)
    server_addrs: dict[str, tuple[str, int]] = field(default_factory=dict)

    def ssl_context(self, ca_path: Path | None, *, verify: bool = True) -> ssl.SSLContext:
        """Default trust plus the optional extra anchor; built once (loading is slow)."""
        key = (ca_path, verify)
        ctx = self.ssl_contexts.get(key)
        if ctx is None:
            ctx = ssl.create_default_context()
            if ca_path is not None:
                try:
                    ctx.load_verify_locations(cafile=str(ca_path))
                except (OSError, ssl.SSLError) as exc:
                    raise CheckFailed("tls_error", f"cannot load ca_file {ca_path}: {exc}") from exc
            if not verify:
                ctx.check_hostname = False
                ctx.verify_mode = ssl.CERT_NONE
            self.ssl_contexts[key] = ctx
        return ctx

    async def server_address(self, text: str, default_port: int = 53) -> tuple[str, int]:
        """A resolver's ``host[:port]`` as an IP address (names through the system)."""
        hit = self.server_addrs.get(text)
        if hit:
            return hit
        host, port = split_host_port(text, default_port)
        if not is_ip(host):
            loop = asyncio.get_running_loop()
            try:
                infos = await loop.getaddrinfo(host, port, type=socket.SOCK_DGRAM)
            except socket.gaierror as exc:
                raise CheckFailed(
                    "dns_nxdomain", f"cannot resolve DNS server name {host!r}: {exc.strerror}"
                ) from exc
            host = str(infos[0][4][0])
        self.server_addrs[text] = (host, port)
        return host, port

    async def system_nameserver(self) -> tuple[str, int]:
        hit = self.server_addrs.get("<system>")
        if hit:
            return hit
        try:
            r = dns.resolver.Resolver()
        except dns.resolver.NoResolverConfiguration as exc:
            raise CheckFailed("not_supported", "no system DNS server configured") from exc
        ns = str(r.nameservers[0])
        self.server_addrs["<system>"] = (ns, int(r.port))
        return ns, int(r.port)


async def resolve(host: str, port: int, vantage: Vantage, env: NetEnv, timeout: float) -> Resolved:
    """The one address this vantage would use for ``host``."""
    fam = vantage.family
    t0 = time.perf_counter()
    if is_ip(host):
        f = ip_family(host)
        if fam and fam != f:
            raise CheckFailed("unreachable", f"{host} is IPv{f}; vantage is IPv{fam} only")
        return Resolved(host, f, 0.0)
    if vantage.resolver:
        server = await env.server_address(vantage.resolver)
        kinds = ["AAAA"] if fam == 6 else ["A"] if fam == 4 else ["A", "AAAA"]
        for i, rdtype in enumerate(kinds):
            ans = await dns_query(host, rdtype, server, timeout)
            raise_for_rcode(ans, host)
            if ans.answers:
                return Resolved(ans.answers[0], 6 if rdtype == "AAAA" else 4, _ms(t0))
            if i == len(kinds) - 1:
                raise CheckFailed(
                    "dns_nxdomain", f"{host}: no {'/'.join(kinds)} record from {ans.server}"
                )
    loop = asyncio.get_running_loop()
    family = {4: socket.AF_INET, 6: socket.AF_INET6}.get(fam or 0, socket.AF_UNSPEC)
    infos = await loop.getaddrinfo(host, port, family=family, type=socket.SOCK_STREAM)
    if not infos:
        raise CheckFailed("dns_nxdomain", f"{host}: no address")
    addr = str(infos[0][4][0])
    return Resolved(addr, ip_family(addr), _ms(t0))


def _ms(t0: float) -> float:
    return (time.perf_counter() - t0) * 1000.0


async def open_stream(
    address: str, port: int, *, host: str, vantage: Vantage
) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    """A TCP stream to ``address:port``, through the vantage's proxy when it has one.

    Through a proxy the name is handed to the proxy (it resolves on its side) unless the
    vantage also has a resolver; then the address it gave is used.
    """
    if not vantage.proxy:
        return await asyncio.open_connection(address, port)
    dest = address if (vantage.resolver or is_ip(host)) else host
    return await tunnel(vantage.proxy, dest, port)


async def tunnel(
    proxy_url: str, host: str, port: int
) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    """HTTP CONNECT or SOCKS5 (no auth or user:password) to ``host:port``."""
    u = urlsplit(proxy_url)
    scheme = u.scheme.lower()
    assert u.hostname and u.port
    try:
        reader, writer = await asyncio.open_connection(u.hostname, u.port)
    except OSError as exc:
        exc.strerror = f"proxy {u.hostname}:{u.port}: {exc.strerror or exc}"
        raise
    try:
        if scheme.startswith("socks5"):
            await _socks5(reader, writer, host, port, u.username, u.password)
        else:
            await _http_connect(reader, writer, host, port)
    except BaseException:
        writer.close()
        raise
    return reader, writer


async def _http_connect(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, host: str, port: int
) -> None:
    hp = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    writer.write(f"CONNECT {hp} HTTP/1.1\r\nHost: {hp}\r\n\r\n".encode("ascii"))
    await writer.drain()
    head = await reader.readuntil(b"\r\n\r\n")
    status_line = head.split(b"\r\n", 1)[0].decode("latin-1")
    parts = status_line.split(" ", 2)
    if len(parts) < 2 or not parts[1].startswith("2"):
        raise CheckFailed("unreachable", f"proxy refused CONNECT {hp}: {status_line}")


_SOCKS_REPLIES = {
    1: ("unreachable", "general SOCKS server failure"),
    2: ("refused", "connection not allowed by ruleset"),
    3: ("unreachable", "network unreachable"),
    4: ("unreachable", "host unreachable"),
    5: ("refused", "connection refused"),
    6: ("timeout", "TTL expired"),
}


async def _socks5(
    reader: asyncio.StreamReader,
    writer: asyncio.StreamWriter,
    host: str,
    port: int,
    user: str | None,
    password: str | None,
) -> None:
    methods = b"\x00\x02" if user else b"\x00"
    writer.write(b"\x05" + bytes([len(methods)]) + methods)
    await writer.drain()
    ver, method = await reader.readexactly(2)
    if ver != 5 or method == 0xFF:
        raise CheckFailed("protocol_error", "SOCKS5 proxy accepted no auth method")
    if method == 2:
        ub, pb = unquote(user or "").encode(), unquote(password or "").encode()
        writer.write(b"\x01" + bytes([len(ub)]) + ub + bytes([len(pb)]) + pb)
        await writer.drain()
        _, status = await reader.readexactly(2)
        if status != 0:
            raise CheckFailed("refused", "SOCKS5 proxy rejected the credentials")
    if is_ip(host):
        ip = ipaddress.ip_address(host)
        addr = (b"\x01" if ip.version == 4 else b"\x04") + ip.packed
    else:
        hb = host.encode("idna")
        addr = b"\x03" + bytes([len(hb)]) + hb
    writer.write(b"\x05\x01\x00" + addr + struct.pack("!H", port))
    await writer.drain()
    _ver, rep, _, reply_atyp = await reader.readexactly(4)
    if rep != 0:
        err, why = _SOCKS_REPLIES.get(rep, ("protocol_error", f"SOCKS5 reply {rep}"))
        raise CheckFailed(err, f"via proxy: {why}")
    alen = {1: 4, 4: 16}.get(reply_atyp)
    if alen is None:
        alen = (await reader.readexactly(1))[0]
    await reader.readexactly(alen + 2)


def cert_days_left(peercert: Mapping[str, object] | None) -> float | None:
    if not peercert or "notAfter" not in peercert:
        return None
    expires = ssl.cert_time_to_seconds(str(peercert["notAfter"]))
    return (expires - time.time()) / 86400.0


def cert_name(peercert: Mapping[str, object] | None, which: str) -> str:
    if not peercert:
        return ""
    for rdn in peercert.get(which, ()):  # type: ignore[attr-defined]
        for k, v in rdn:
            if k == "commonName":
                return str(v)
    for rdn in peercert.get(which, ()):  # type: ignore[attr-defined]
        for k, v in rdn:
            if k == "organizationName":
                return str(v)
    return ""
