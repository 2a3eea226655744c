"""A small scriptable HTTP server on loopback for the simulated services.

The fakes in ``warroom.sim`` (Mastodon, Bluesky, Statuspage) speak the real protocols
over real sockets so that the clients under test use their real HTTP stack. Each fake
is an ``HttpFake`` subclass that registers routes; a test scripts faults with
``fail_next`` (a status, headers, a body, or a delay longer than the client's timeout)
and reads what arrived in ``requests``.

Qt-free, standard library only, in-memory: nothing is written to disk.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


@dataclass
class Request:
    """One request as the fake saw it (headers with lower-case names)."""

    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body.decode("utf-8")) if self.body else None

    def form(self) -> dict[str, Any]:
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
    body: Any = None  # dict/list -> JSON; bytes/str as given
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


class HttpFake:
    """A threaded HTTP/1.1 server on 127.0.0.1 with routes and scripted faults."""

    def __init__(self, host: str = "127.0.0.1") -> None:
        self._routes: list[tuple[str, re.Pattern[str], Handler]] = []
        self._faults: list[_Fault] = []
        self.requests: list[Request] = []
        self.lock = threading.RLock()
        fake = self

        class _H(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _serve(self) -> None:
                fake._dispatch(self)

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _serve

            def log_message(self, format: str, *args: Any) -> None:  # quiet in tests
                return

        self._server = ThreadingHTTPServer((host, 0), _H)
        self._server.daemon_threads = True
        self._thread: threading.Thread | None = None

    # -- lifecycle -------------------------------------------------------------

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> HttpFake:
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=type(self).__name__,
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(5)

    def __enter__(self) -> HttpFake:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- routes and faults -----------------------------------------------------

    def route(self, method: str, pattern: str, handler: Handler) -> None:
        self._routes.append((method, re.compile(pattern + r"\Z"), handler))

    def fail_next(
        self,
        method: str,
        path_pattern: str,
        status: int = 500,
        body: Any = None,
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

    def seen(self, method: str, path: str) -> list[Request]:
        with self.lock:
            return [r for r in self.requests if r.method == method and r.path == path]

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
        fault = self._take_fault(req.method, req.path)
        if fault is not None and not fault.after:
            resp = fault.response
        else:
            resp = self._handle(req)
            if fault is not None:
                resp = fault.response
        if resp.delay:
            time.sleep(resp.delay)
        self._write(h, resp)

    def _handle(self, req: Request) -> Response:
        allowed = False
        for method, pattern, handler in self._routes:
            m = pattern.match(req.path)
            if m is None:
                continue
            allowed = True
            if method == req.method:
                with self.lock:
                    return handler(req, m)
        if allowed:
            return Response(405, {"error": "Method not allowed"})
        return Response(404, {"error": "Record not found"})

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
        except (BrokenPipeError, ConnectionResetError):  # the client gave up (timeout)
            pass


def bearer(req: Request, scheme: str = "Bearer") -> str | None:
    """The token of ``Authorization: <scheme> <token>``, else None."""
    auth = req.headers.get("authorization", "")
    prefix = scheme + " "
    return auth[len(prefix) :] if auth.startswith(prefix) else None
