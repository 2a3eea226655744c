"""Simulated internet on loopback: DNS resolvers, web sites, a mail banner, access networks.

Qt-free and shipped, because two users need the same real servers: the built-in demo
(``warroom.demo``), whose outage lives only here, and the tests. Everything binds
127.0.0.1 with port 0 and exposes the real port; nothing talks to the outside world.

An *access network* is a SOCKS5 proxy: a vantage that leaves through it sees the
simulated hosts the way that provider's customers would, and the scenario can cut the
provider's path to some ports (``AccessNetwork.cut``) while others still get through.
Every server's ``mode`` may be changed while it runs (from the loop's thread, or through
``SimLoop.call``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import struct
import threading
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import TypeVar

import dns.flags
import dns.message
import dns.rcode
import dns.rdatatype
import dns.rrset
import h11

T = TypeVar("T")
log = logging.getLogger(__name__)
HOST = "127.0.0.1"


class SimLoop:
    """An asyncio loop in a daemon thread; ``run(coro)`` executes there and waits."""

    def __init__(self, name: str = "sim-net") -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name=name, daemon=True)
        self.thread.start()

    def run(self, coro: Coroutine[object, object, T], timeout: float = 10.0) -> T:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def call(self, fn: Callable[[], T], timeout: float = 10.0) -> T:
        """Run a plain function on the loop's thread (to change a server's mode safely)."""

        async def wrapper() -> T:
            return fn()

        return self.run(wrapper(), timeout)

    def stop(self) -> None:
        async def cancel_all() -> None:
            me = asyncio.current_task()
            tasks = [t for t in asyncio.all_tasks() if t is not me]
            for t in tasks:
                t.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            # Closed transports let go of their sockets on a later turn of the loop.
            for _ in range(3):
                await asyncio.sleep(0.01)

        if self.loop.is_closed():
            return
        with contextlib.suppress(Exception):
            self.run(cancel_all(), timeout=5)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)
        if not self.thread.is_alive():
            self.loop.close()


# -- DNS -----------------------------------------------------------------------------


class DnsServer(asyncio.DatagramProtocol):
    """A resolver (or an authoritative server) on UDP.

    ``mode``: ``answer`` (from ``records``, NXDOMAIN for unknown names), ``servfail``,
    ``nxdomain``, ``silent`` (never answers) or ``lie`` (every A query gets ``lie_with``).
    """

    def __init__(
        self,
        mode: str = "answer",
        records: dict[tuple[str, str], list[str]] | None = None,
        lie_with: str = "127.0.0.2",
    ) -> None:
        self.mode = mode
        self.records = {(n.lower().rstrip("."), t): v for (n, t), v in (records or {}).items()}
        self.lie_with = lie_with
        self.queries = 0
        self.port = 0
        self.transport: asyncio.DatagramTransport | None = None

    @property
    def address(self) -> str:
        return f"{HOST}:{self.port}"

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]  # a datagram endpoint's

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        self.queries += 1
        try:
            query = dns.message.from_wire(data)
        except Exception:  # not DNS: a real server drops it too
            return
        if self.mode == "silent" or self.transport is None or not query.question:
            return
        self.transport.sendto(self._answer(query).to_wire(), addr)

    def _answer(self, query: dns.message.Message) -> dns.message.Message:
        resp = dns.message.make_response(query)
        resp.flags |= dns.flags.RA
        question = query.question[0]
        name = question.name.to_text().lower().rstrip(".")
        rdtype = dns.rdatatype.to_text(question.rdtype)
        if self.mode == "servfail":
            resp.set_rcode(dns.rcode.SERVFAIL)
        elif self.mode == "nxdomain":
            resp.set_rcode(dns.rcode.NXDOMAIN)
        elif self.mode == "lie" and rdtype == "A":
            resp.answer.append(dns.rrset.from_text(question.name, 30, "IN", "A", self.lie_with))
        else:
            values = self.records.get((name, rdtype))
            if values:
                resp.answer.append(dns.rrset.from_text(question.name, 30, "IN", rdtype, *values))
            elif not any(n == name for n, _ in self.records):
                resp.set_rcode(dns.rcode.NXDOMAIN)
        return resp

    async def start(self) -> None:
        loop = asyncio.get_running_loop()
        await loop.create_datagram_endpoint(lambda: self, local_addr=(HOST, 0))
        assert self.transport is not None
        self.port = self.transport.get_extra_info("sockname")[1]

    async def stop(self) -> None:
        if self.transport:
            self.transport.close()


# -- TCP servers ---------------------------------------------------------------------


class _TcpServer:
    """Common start/stop; ``mode`` ``up``, ``hang`` (accept, never answer) or ``refuse``
    (accept and close at once, the nearest a listening socket gets to a refusal)."""

    mode = "up"

    def __init__(self) -> None:
        self.port = 0
        self._server: asyncio.Server | None = None
        self._hanging: set[asyncio.StreamWriter] = set()

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._accept, HOST, 0)
        self.port = self._server.sockets[0].getsockname()[1]

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            if self.mode == "refuse":
                return
            if self.mode == "hang":
                self._hanging.add(writer)
                with contextlib.suppress(ConnectionError, OSError):
                    while await reader.read(4096):
                        pass
                return
            await self.serve(reader, writer)
        except (ConnectionError, OSError, asyncio.IncompleteReadError, TimeoutError):
            pass
        except asyncio.CancelledError:
            pass  # shutting down: a handler that re-raised would be logged as an error
        finally:
            self._hanging.discard(writer)
            with contextlib.suppress(Exception):
                writer.close()

    async def serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        raise NotImplementedError

    async def stop(self) -> None:
        for w in list(self._hanging):
            with contextlib.suppress(Exception):
                w.close()
        if self._server:
            self._server.close()


class BannerServer(_TcpServer):
    """Sends ``banner`` on connect (an SMTP ``220 …`` by default), reads a little, closes."""

    def __init__(self, banner: bytes = b"220 mail.example.test ESMTP ready\r\n") -> None:
        super().__init__()
        self.banner = banner

    async def serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(self.banner)
        await writer.drain()
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(reader.read(100), 5)


@dataclass
class Page:
    status: int
    body: bytes
    content_type: str = "text/html; charset=utf-8"


class HttpSite(_TcpServer):
    """A web site (HTTP/1.1 framed by h11): ``pages`` by path, 404 otherwise.

    Extra modes besides the common ones: ``error`` (every page answers 503).
    """

    def __init__(self, name: str, pages: dict[str, Page] | None = None) -> None:
        super().__init__()
        self.name = name
        self.pages = pages or {"/": Page(200, f"<h1>{name}</h1>".encode())}
        self.requests = 0

    def url(self, host: str, path: str = "/") -> str:
        return f"http://{host}:{self.port}{path}"

    async def serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        conn = h11.Connection(h11.SERVER)
        while True:
            event = conn.next_event()
            if event is h11.NEED_DATA:
                data = await asyncio.wait_for(reader.read(65536), 30)
                conn.receive_data(data)
                if not data:
                    return
                continue
            if isinstance(event, h11.Request):
                self.requests += 1
                await self._respond(conn, writer, event)
                if conn.our_state is h11.MUST_CLOSE or conn.their_state is h11.MUST_CLOSE:
                    return
                try:
                    conn.start_next_cycle()
                except h11.LocalProtocolError:
                    return
                continue
            if isinstance(event, h11.ConnectionClosed) or event is h11.PAUSED:
                return

    async def _respond(
        self, conn: h11.Connection, writer: asyncio.StreamWriter, req: h11.Request
    ) -> None:
        path = req.target.decode("ascii", "replace").split("?", 1)[0]
        page = self.pages.get(path) or Page(404, b"<h1>Not found</h1>")
        if self.mode == "error":
            page = Page(503, b"<h1>503 Service Unavailable</h1>")
        body = page.body if req.method != b"HEAD" else b""
        headers = [
            ("Content-Type", page.content_type),
            ("Content-Length", str(len(page.body))),
            ("Server", "warroom-sim"),
        ]
        out = conn.send(h11.Response(status_code=page.status, headers=headers)) or b""
        out += conn.send(h11.Data(data=body)) if body else b""
        out += conn.send(h11.EndOfMessage()) or b""
        writer.write(out)
        await writer.drain()


# -- access networks -----------------------------------------------------------------


class AccessNetwork:
    """One access provider's path to the world: a SOCKS5 proxy (no authentication).

    ``cut`` holds the destination ports this network cannot reach right now; a
    connection to one of them is answered "host unreachable" (SOCKS reply 4), what a
    customer of that provider sees when its route to the host is gone. Every other
    destination is reached on loopback.
    """

    def __init__(self, name: str) -> None:
        self.name = name
        self.cut: set[int] = set()
        self.port = 0
        self.tunnels = 0
        self._server: asyncio.Server | None = None

    @property
    def url(self) -> str:
        return f"socks5://{HOST}:{self.port}"

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._handle, HOST, 0)
        self.port = self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        if self._server:
            self._server.close()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            port = await self._greet(reader, writer)
            if port is None:
                return
            self.tunnels += 1
            if port in self.cut:
                writer.write(b"\x05\x04\x00\x01" + bytes(6))
                await writer.drain()
                return
            try:
                r2, w2 = await asyncio.open_connection(HOST, port)
            except OSError:
                writer.write(b"\x05\x05\x00\x01" + bytes(6))
                await writer.drain()
                return
            writer.write(b"\x05\x00\x00\x01" + bytes(6))
            await writer.drain()
            await asyncio.gather(pipe(reader, w2), pipe(r2, writer))
        except (ConnectionError, OSError, asyncio.IncompleteReadError, ValueError):
            pass
        except asyncio.CancelledError:
            pass  # shutting down (see _TcpServer._accept)
        finally:
            with contextlib.suppress(Exception):
                writer.close()

    @staticmethod
    async def _greet(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> int | None:
        """The SOCKS5 handshake (RFC 1928) up to the CONNECT request; its port."""
        version, n = await reader.readexactly(2)
        await reader.readexactly(n)
        if version != 5:
            return None
        writer.write(b"\x05\x00")
        await writer.drain()
        _, command, _, atyp = await reader.readexactly(4)
        if atyp == 1:
            await reader.readexactly(4)
        elif atyp == 4:
            await reader.readexactly(16)
        else:
            await reader.readexactly((await reader.readexactly(1))[0])
        (port,) = struct.unpack("!H", await reader.readexactly(2))
        if command != 1:  # only CONNECT
            writer.write(b"\x05\x07\x00\x01" + bytes(6))
            await writer.drain()
            return None
        return int(port)


async def pipe(r: asyncio.StreamReader, w: asyncio.StreamWriter) -> None:
    """Copy ``r`` to ``w`` until either side ends, then close ``w`` (half a tunnel)."""
    try:
        while data := await r.read(65536):
            w.write(data)
            await w.drain()
    except (ConnectionError, OSError):
        pass
    finally:
        with contextlib.suppress(Exception):
            w.close()
