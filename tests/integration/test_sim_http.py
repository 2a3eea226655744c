"""The one loopback base of the simulated services (warroom.sim.http.HttpFake): what
every fake gets from it, seen through a real HTTP client on 127.0.0.1."""

from __future__ import annotations

import re
import threading

import httpx
import pytest

from warroom.sim.globalping import FakeGlobalping
from warroom.sim.http import HttpFake, Request, Response
from warroom.sim.mastodon import FakeMastodon


class _Broken(HttpFake):
    def __init__(self) -> None:
        super().__init__()
        self.route("GET", r"/boom", self._boom)

    def _boom(self, req: Request, _m: re.Match[str]) -> Response:
        raise RuntimeError("the fake broke")


def test_a_fake_never_started_stops_at_once() -> None:
    fake = FakeMastodon()
    done = threading.Event()
    t = threading.Thread(target=lambda: (fake.stop(), done.set()), daemon=True)
    t.start()
    assert done.wait(5), "stop() of a fake that never served waited forever"


def test_whole_api_faults_serve_every_fake() -> None:
    with FakeMastodon() as m:
        m.fault = "garbage"
        r = httpx.get(f"{m.url}/api/v2/instance")
        assert r.status_code == 200 and r.headers["content-type"] == "text/html"
        m.fault = "down"
        with pytest.raises(httpx.TransportError):
            httpx.get(f"{m.url}/api/v2/instance")
        m.fault = None
        assert httpx.get(f"{m.url}/api/v2/instance").json()["domain"] == "mastodon.example"
        # every request was kept, in order, with its arrival time
        seen = m.seen("GET", "/api/v2/instance")
        assert len(seen) == 3 and seen[0].time <= seen[1].time <= seen[2].time


def test_a_broken_handler_and_an_unknown_path_answer_in_the_api_shape() -> None:
    with _Broken() as b:
        r = httpx.get(f"{b.url}/boom")
        assert r.status_code == 500 and "the fake broke" in r.json()["error"]
        assert httpx.get(f"{b.url}/nowhere").json() == {"error": "Record not found"}
        assert httpx.post(f"{b.url}/boom").status_code == 405
    with FakeGlobalping() as gp:  # Globalping's own error shape
        r = httpx.get(f"{gp.url}/v1/nowhere")
        assert r.status_code == 404 and r.json()["error"]["type"] == "not_found"
