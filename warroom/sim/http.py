"""The one scriptable HTTP server on loopback that every simulated service is built on.

The fakes in ``warroom.sim`` (Mastodon, Bluesky, RSS, Statuspage, Globalping, RIPE
Atlas) speak the real protocols over real sockets so that the clients under test use
their real HTTP stack. Each fake is an ``HttpFake`` subclass that registers routes, may
``gate`` every request (an API key, a throttle) and says errors in its API's own shape
(``error``). A test scripts faults two ways:

- ``fail_next``: the next matching requests get a status, headers, a body or a delay
  longer than the client's timeout (optionally after the real handler ran);
- ``fault``: the whole API is ``down`` (the connection is dropped), ``slow`` (it waits
  ``slow_s`` first) or answers ``garbage`` (a 200 that is not JSON) until set back to
  None; ``latency_s`` is added to every answer (the API's own latency).

What arrived is in ``requests`` (with its monotonic arrival ``time``, for poll-rate
assertions); ``seen()`` filters it. Qt-free, standard library only, in memory.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Self
from urllib.parse import parse_qs, urlsplit

# The whole-API faults a test can switch on (see the module docstring).
FAULTS = (None, "down", "slow", "garbage")


@dataclass
class Request:
    """One request as the fake saw it (headers with lower-case names)."""

    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes
    time: float = field(default_factory=time.monotonic)  # when it arrived

    def json(self) -> object:
        """The body decoded (None when empty); ValueError when it is not JSON."""
        return json.loads(self.body.decode("utf-8")) if self.body else None

    def json_or_none(self) -> object:
        """The body decoded, or None when it is empty or not JSON at all."""
        try:
            return self.json()
        except ValueError:
            return None

    def form(self) -> dict[str, object]:
        """The body as JSON, or as a form (``status=...&visibility=...``)."""
        ctype = self.headers.get("content-type", "")
        if "json" in ctype:
            data = self.json()
            return data if isinstance(data, dict) else {}
        return {k: v[-1] for k, v in parse_qs(self.body.decode("utf-8")).items()}

    def arg(self, name: str) -> str | None:
        vals = self.query.get(name)
        return vals[-1] if vals else None


@dataclass
class Response:
    status: int = 200
    # bytes and str are sent as they are; anything else (None: no body) as JSON.
    body: object = None
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds before answering (a timeout for the client)


Handler = Callable[[Request, "re.Match[str]"], Response]


@dataclass
class _Fault:
    method: str
    pattern: re.Pattern[str]
    response: Response
    times: int
    after: bool  # run the real handler first (the write happens, the answer is lost)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256  # a remote round opens dozens of connections at once


class HttpFake:
    """A threaded HTTP/1.1 server on 127.0.0.1 with routes and scripted faults."""

    def __init__(self, host: str = "127.0.0.1") -> None:
        self._routes: list[tuple[str, re.Pattern[str], Handler]] = []
        self._faults: list[_Fault] = []
        self.requests: list[Request] = []
        self.lock = threading.RLock()
        self.fault: str | None = None  # one of FAULTS
        self.slow_s = 5.0
        self.latency_s = 0.0
        fake = self

        class _H(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _serve(self) -> None:
                fake._dispatch(self)

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _serve

            def log_message(self, format: str, *args: object) -> None:  # quiet in tests
                return

        self._server = _Server((host, 0), _H)
        self._thread: threading.Thread | None = None

    # -- lifecycle -------------------------------------------------------------

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> Self:
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=type(self).__name__,
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._thread is not None:  # shutdown() waits for a loop that must be running
            self._server.shutdown()
            self._thread.join(5)
            self._thread = None
        self._server.server_close()

    def __enter__(self) -> HttpFake:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- what a subclass says --------------------------------------------------

    def route(self, method: str, pattern: str, handler: Handler) -> None:
        self._routes.append((method, re.compile(pattern + r"\Z"), handler))

    def gate(self, req: Request) -> Response | None:
        """An answer for every request before routing (a refused key); None lets it in."""
        return None

    def error(self, status: int, message: str) -> Response:
        """An error in the API's own shape (404, 405 and a handler that broke)."""
        return Response(status, {"error": message})

    # -- scripting -------------------------------------------------------------

    def fail_next(
        self,
        method: str,
        path_pattern: str,
        status: int = 500,
        body: object = None,
        headers: dict[str, str] | None = None,
        *,
        delay: float = 0.0,
        times: int = 1,
        after: bool = False,
    ) -> None:
        """Answer the next ``times`` matching requests with this instead.

        With ``after=True`` the real handler runs first and only its answer is replaced:
        the server did the work but the client never learns it (the case a retry must
        not turn into a second post).
        """
        resp = Response(status, body, dict(headers or {}), delay)
        with self.lock:
            self._faults.append(
                _Fault(method, re.compile(path_pattern + r"\Z"), resp, times, after)
            )

    def seen(
        self, method: str | None = None, path: str | None = None, *, prefix: str = ""
    ) -> list[Request]:
        """The requests so far with this method (None: any), this exact ``path`` (None:
        any) and a path starting with ``prefix``."""
        with self.lock:
            return [
                r
                for r in self.requests
                if (method is None or r.method == method)
                and (path is None or r.path == path)
                and r.path.startswith(prefix)
            ]

    # -- serving ---------------------------------------------------------------

    def _take_fault(self, method: str, path: str) -> _Fault | None:
        with self.lock:
            for f in self._faults:
                if f.method == method and f.pattern.match(path):
                    f.times -= 1
                    if f.times <= 0:
                        self._faults.remove(f)
                    return f
        return None

    def _dispatch(self, h: BaseHTTPRequestHandler) -> None:
        parts = urlsplit(h.path)
        length = int(h.headers.get("Content-Length") or 0)
        body = h.rfile.read(length) if length else b""
        req = Request(
            method=h.command,
            path=parts.path,
            query=parse_qs(parts.query),
            headers={k.lower(): v for k, v in h.headers.items()},
            body=body,
        )
        with self.lock:
            self.requests.append(req)
            mode = self.fault
        if mode == "down":
            h.close_connection = True
            h.connection.close()
            return
        if mode == "slow":
            time.sleep(self.slow_s)
        if self.latency_s:
            time.sleep(self.latency_s)
        if mode == "garbage":
            page = Response(200, b"<html>502 Bad Gateway</html>", {"Content-Type": "text/html"})
            self._write(h, page)
            return
        fault = self._take_fault(req.method, req.path)
        if fault is not None and not fault.after:
            resp = fault.response
        else:
            resp = self._answer(req)
            if fault is not None:
                resp = fault.response
        if resp.delay:
            time.sleep(resp.delay)
        self._write(h, resp)

    def _answer(self, req: Request) -> Response:
        try:
            with self.lock:
                return self.gate(req) or self._route(req)
        except Exception as exc:  # a fake that breaks says so, as a real server would
            return self.error(500, f"{type(exc).__name__}: {exc}")

    def _route(self, req: Request) -> Response:
        allowed = False
        for method, pattern, handler in self._routes:
            m = pattern.match(req.path)
            if m is None:
                continue
            allowed = True
            if method == req.method:
                return handler(req, m)
        if allowed:
            return self.error(405, "Method not allowed")
        return self.error(404, "Record not found")

    @staticmethod
    def _write(h: BaseHTTPRequestHandler, resp: Response) -> None:
        if isinstance(resp.body, bytes):
            data, ctype = resp.body, "application/octet-stream"
        elif isinstance(resp.body, str):
            data, ctype = resp.body.encode("utf-8"), "text/plain; charset=utf-8"
        elif resp.body is None:
            data, ctype = b"", "application/json"
        else:
            data, ctype = json.dumps(resp.body).encode("utf-8"), "application/json"
        try:
            h.send_response(resp.status)
            headers = {"Content-Type": ctype, **resp.headers}
            for k, v in headers.items():
                h.send_header(k, v)
            h.send_header("Content-Length", str(len(data)))
            h.end_headers()
            if h.command != "HEAD":
                h.wfile.write(data)
        except OSError:  # the client gave up (timeout, reset)
            pass


def bearer(req: Request, scheme: str = "Bearer") -> str | None:
    """The token of ``Authorization: <scheme> <token>``, else None."""
    auth = req.headers.get("authorization", "")
    prefix = scheme + " "
    return auth[len(prefix) :] if auth.startswith(prefix) else None
