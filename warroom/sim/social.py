"""A small real HTTP/1.1 server on loopback for the simulated social services.

Each simulated service (``mastodon.FakeMastodon``, ``bluesky.FakeBluesky``,
``rss.FakeFeeds``, ``statuspage.FakeStatuspage``) is a ``Service``: an in-memory state
plus a route table. ``LoopbackServer(service).start()`` serves it over real sockets
(h11 framing, asyncio in a daemon thread) and gives its base URL, so clients under test
(and the demo) talk real HTTP. A later feature adds endpoints with ``service.route``::

    mastodon.route("POST", "/api/v1/statuses", handler)

Faults are scriptable: ``service.fail_next(503)`` answers the next request(s) with an
error, ``service.down = True`` refuses everything until cleared. Every request is kept
in ``service.requests`` for assertions. Qt-free.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import json
import re
import threading
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any, TypeVar
from urllib.parse import parse_qs, urlsplit

import h11

T = TypeVar("T")
MAX_REQUEST_BODY = 1 << 20


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]  # lower-case names; repeated headers joined with ", "
    body: bytes = b""
    params: dict[str, str] = field(default_factory=dict)  # from the route pattern

    def arg(self, name: str, default: str | None = None) -> str | None:
        vals = self.query.get(name)
        return vals[-1] if vals else default

    def json(self) -> Any:
        return json.loads(self.body or b"null")

    @property
    def bearer(self) -> str | None:
        auth = self.headers.get("authorization", "")
        return auth[7:].strip() if auth.lower().startswith("bearer ") else None


Body = bytes | Callable[[], AsyncIterator[bytes]]


@dataclass
class Response:
    status: int = 200
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: Body = b""
    length: int | None = None  # for a streamed body: the Content-Length to announce

    @classmethod
    def json(
        cls, obj: Any, status: int = 200, headers: list[tuple[str, str]] | None = None
    ) -> Response:
        data = json.dumps(obj, ensure_ascii=False).encode()
        return cls(
            status, [("Content-Type", "application/json; charset=utf-8"), *(headers or [])], data
        )

    @classmethod
    def text(cls, text: str, status: int = 200, content_type: str = "text/plain") -> Response:
        return cls(status, [("Content-Type", f"{content_type}; charset=utf-8")], text.encode())


Handler = Callable[[Request], Response | Awaitable[Response]]


@dataclass
class _Fault:
    response: Response
    path: str | None = None
    delay: float = 0.0
    after: bool = False


class Service:
    """In-memory state behind a route table. Subclasses add routes in ``__init__``."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.requests: list[Request] = []
        self.down = False
        self._routes: list[tuple[str, re.Pattern[str], Handler]] = []
        self._faults: list[_Fault] = []

    def route(self, method: str, pattern: str, handler: Handler) -> None:
        """``pattern`` like ``/api/v1/timelines/tag/{hashtag}``; later routes win."""
        rx = re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", re.escape(pattern))
        self._routes.insert(0, (method.upper(), re.compile(f"^{rx}$"), handler))

    def fail_next(
        self,
        status: int,
        *,
        headers: list[tuple[str, str]] | None = None,
        body: bytes = b"",
        count: int = 1,
        path: str | None = None,
        delay: float = 0.0,
        after: bool = False,
    ) -> None:
        """Answer the next ``count`` requests with this error instead.

        ``path``: only requests to this path (others pass). ``delay``: seconds before
        answering (longer than a client's timeout, the client sees none). ``after``: the
        real handler runs first and only its answer is replaced, i.e. the server did the
        work but the client never learns it (what a retry must not turn into a second post).
        """
        with self.lock:
            self._faults.extend(
                _Fault(Response(status, list(headers or []), body), path, delay, after)
                for _ in range(count)
            )

    def _take_fault(self, path: str) -> _Fault | None:
        for i, f in enumerate(self._faults):
            if f.path is None or f.path == path:
                return self._faults.pop(i)
        return None

    def hits(self, path_prefix: str = "") -> int:
        with self.lock:
            return sum(1 for r in self.requests if r.path.startswith(path_prefix))

    async def dispatch(self, req: Request) -> Response:
        with self.lock:
            self.requests.append(req)
            if self.down:
                return Response.text("service unavailable", 503)
            fault = self._take_fault(req.path)
        if fault is None:
            return await self._route(req)
        if fault.after:
            await self._route(req)  # the work happens; the answer is lost or replaced
        if fault.delay:
            await asyncio.sleep(fault.delay)
        return fault.response

    async def _route(self, req: Request) -> Response:
        for method, rx, fn in self._routes:
            m = rx.match(req.path)
            if m and method == req.method:
                req.params = m.groupdict()
                res = fn(req)
                if inspect.isawaitable(res):
                    res = await res
                return res
        return Response.json({"error": "Record not found"}, 404)


class LoopbackServer:
    """Serves one ``Service`` on 127.0.0.1 (or ::1) in its own thread."""

    def __init__(self, service: Service, host: str = "127.0.0.1") -> None:
        self.service = service
        self.host = host
        self.port = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._server: asyncio.Server | None = None

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    def start(self) -> LoopbackServer:
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self._loop.run_forever, name="sim-social", daemon=True
        )
        self._thread.start()
        self._call(self._start())
        return self

    def _call(self, coro: Coroutine[Any, Any, T], timeout: float = 10.0) -> T:
        assert self._loop is not None
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(timeout)

    async def _start(self) -> None:
        self._server = await asyncio.start_server(self._conn, self.host, 0)
        self.port = self._server.sockets[0].getsockname()[1]

    def stop(self) -> None:
        loop, thread = self._loop, self._thread
        if loop is None or thread is None:
            return

        async def _close() -> None:
            if self._server is not None:
                self._server.close()
            me = asyncio.current_task()
            tasks = [t for t in asyncio.all_tasks() if t is not me]
            for t in tasks:
                t.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

        with contextlib.suppress(Exception):
            self._call(_close(), timeout=5)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(5)
        if not thread.is_alive():
            loop.close()
        self._loop = self._thread = None

    def __enter__(self) -> LoopbackServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- one connection ------------------------------------------------------------

    async def _conn(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        conn = h11.Connection(h11.SERVER)
        try:
            while True:
                req = await self._read_request(conn, reader)
                if req is None:
                    return
                res = await self.service.dispatch(req)
                await self._send(conn, writer, res)
                if conn.our_state is h11.MUST_CLOSE or conn.their_state is h11.MUST_CLOSE:
                    return
                try:
                    conn.start_next_cycle()
                except h11.LocalProtocolError:
                    return
        except (ConnectionError, h11.ProtocolError, asyncio.IncompleteReadError):
            return
        finally:
            with contextlib.suppress(Exception):
                writer.close()
                await writer.wait_closed()

    async def _read_request(
        self, conn: h11.Connection, reader: asyncio.StreamReader
    ) -> Request | None:
        head: h11.Request | None = None
        body = bytearray()
        while True:
            ev = conn.next_event()
            if ev is h11.NEED_DATA:
                data = await reader.read(65536)
                conn.receive_data(data)
                if not data and conn.their_state is not h11.DONE:
                    return None
                continue
            if isinstance(ev, h11.Request):
                head = ev
            elif isinstance(ev, h11.Data):
                body += ev.data
                if len(body) > MAX_REQUEST_BODY:
                    return None
            elif isinstance(ev, h11.EndOfMessage):
                break
            elif isinstance(ev, h11.ConnectionClosed) or ev is h11.PAUSED:
                return None
        assert head is not None
        target = head.target.decode("latin-1")
        parts = urlsplit(target)
        headers: dict[str, str] = {}
        for k, v in head.headers:
            name = k.decode("latin-1").lower()
            val = v.decode("latin-1")
            headers[name] = f"{headers[name]}, {val}" if name in headers else val
        return Request(
            head.method.decode("ascii").upper(),
            parts.path,
            parse_qs(parts.query, keep_blank_values=True),
            headers,
            bytes(body),
        )

    async def _send(
        self, conn: h11.Connection, writer: asyncio.StreamWriter, res: Response
    ) -> None:
        headers = [(k, v) for k, v in res.headers if k.lower() != "content-length"]
        streamed = callable(res.body)
        if streamed:
            if res.length is not None:
                headers.append(("Content-Length", str(res.length)))
            else:
                headers.append(("Transfer-Encoding", "chunked"))
        else:
            assert isinstance(res.body, bytes)
            headers.append(("Content-Length", str(len(res.body))))
        headers.append(("Server", "warroom-sim"))
        writer.write(conn.send(h11.Response(status_code=res.status, headers=headers)) or b"")
        if streamed:
            assert callable(res.body)
            async for chunk in res.body():
                writer.write(conn.send(h11.Data(data=chunk)) or b"")
                await writer.drain()
        elif res.body:
            assert isinstance(res.body, bytes)
            writer.write(conn.send(h11.Data(data=res.body)) or b"")
        writer.write(conn.send(h11.EndOfMessage()) or b"")
        await writer.drain()


def serve(service: Service, host: str = "127.0.0.1") -> LoopbackServer:
    """Start ``service`` on loopback; ``.url`` is its base URL, ``.stop()`` ends it."""
    return LoopbackServer(service, host).start()
