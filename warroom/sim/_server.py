"""A small threaded JSON-over-HTTP server on loopback that the fakes share."""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

# Faults a test can switch on: the API is down (the connection is dropped), slow (it
# waits ``slow_s`` before answering), or answers garbage (a 200 that is not JSON).
FAULTS = (None, "down", "slow", "garbage")


@dataclass
class Seen:
    """One request as the server saw it (for assertions on headers and poll rates)."""

    time: float
    method: str
    path: str
    headers: dict[str, str]
    body: Any


@dataclass
class Reply:
    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)


class JsonServer:
    """Subclasses implement ``handle(method, path, query, headers, body) -> Reply``."""

    def __init__(self) -> None:
        self.fault: str | None = None
        self.slow_s = 5.0
        self.latency_s = 0.0  # added to every answer: the API's own latency
        self.seen: list[Seen] = []
        self.lock = threading.RLock()
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        assert self._httpd is not None, "start() first"
        return f"http://127.0.0.1:{self._httpd.server_address[1]}"

    def start(self) -> JsonServer:
        owner = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:  # quiet
                return

            def _any(self) -> None:
                owner._serve(self)

            do_GET = do_POST = do_DELETE = _any

        class Server(ThreadingHTTPServer):
            request_queue_size = 256  # a round opens dozens of connections at once

        self._httpd = Server(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, name=type(self).__name__, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None

    def __enter__(self) -> JsonServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _serve(self, h: BaseHTTPRequestHandler) -> None:
        n = int(h.headers.get("Content-Length") or 0)
        raw = h.rfile.read(n) if n else b""
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = raw
        parts = urlsplit(h.path)
        headers = {k: v for k, v in h.headers.items()}
        with self.lock:
            self.seen.append(Seen(time.monotonic(), h.command, parts.path, headers, body))
            fault = self.fault
        if fault == "down":
            h.close_connection = True
            h.connection.close()
            return
        if fault == "slow":
            time.sleep(self.slow_s)
        if self.latency_s:
            time.sleep(self.latency_s)
        if fault == "garbage":
            self._send(h, Reply(200, b"<html>502 Bad Gateway</html>"))
            return
        try:
            with self.lock:
                reply = self.handle(h.command, parts.path, parts.query, headers, body)
        except Exception as exc:  # a fake that breaks says so, like a real server would
            reply = Reply(500, {"error": {"type": "api_error", "message": str(exc)}})
        self._send(h, reply)

    def _send(self, h: BaseHTTPRequestHandler, reply: Reply) -> None:
        if isinstance(reply.body, bytes):
            data, ctype = reply.body, "text/html"
        elif reply.body is None:
            data, ctype = b"", "application/json"
        else:
            data, ctype = json.dumps(reply.body).encode(), "application/json; charset=utf-8"
        try:
            h.send_response(reply.status)
            h.send_header("Content-Type", ctype)
            h.send_header("Content-Length", str(len(data)))
            for k, v in reply.headers.items():
                h.send_header(k, v)
            h.end_headers()
            h.wfile.write(data)
        except OSError:
            pass

    def handle(
        self, method: str, path: str, query: str, headers: dict[str, str], body: Any
    ) -> Reply:
        raise NotImplementedError

    def requests(self, method: str | None = None, prefix: str = "") -> list[Seen]:
        with self.lock:
            return [
                s
                for s in self.seen
                if (method is None or s.method == method) and s.path.startswith(prefix)
            ]
