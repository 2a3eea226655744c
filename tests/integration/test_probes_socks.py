"""HTTP checks through a SOCKS5 access network whose path to the host is cut.

The failure must read as the network's ("via proxy: host unreachable") and leave no
socket behind: a check that fails every few seconds for hours must not leak one each
time (httpcore 1.0.9 did, which is why SOCKS5 no longer goes through httpx).
"""

from __future__ import annotations

import asyncio
import gc
import warnings
from collections.abc import Iterator

import pytest

from warroom.config.workspace_file import parse_text
from warroom.probes.checks import CheckEnv, run_check
from warroom.sim.net import AccessNetwork, HttpSite, Page, SimLoop


@pytest.fixture
def net() -> Iterator[tuple[SimLoop, AccessNetwork, HttpSite]]:
    loop = SimLoop()
    isp = AccessNetwork("isp-b")
    site = HttpSite("www", {"/": Page(200, b"Welcome")})
    loop.run(isp.start())
    loop.run(site.start())
    yield loop, isp, site
    loop.run(isp.stop())
    loop.run(site.stop())
    loop.stop()


def check_once(text: str) -> object:
    config = parse_text(text, source="t.toml")[0]
    target = config.targets[0]
    vantage = config.vantages_of(target)[0]

    async def go() -> object:
        env = CheckEnv()
        try:
            return await run_check(target, vantage, env)
        finally:
            await env.aclose()
            await asyncio.sleep(0.05)  # closed transports let go on the loop's next turns

    return asyncio.run(go())


def workspace(isp: AccessNetwork, site: HttpSite) -> str:
    return f"""
[[vantage]]
name = "isp-b"
proxy = "{isp.url}"

[[target]]
name = "www"
url = "http://127.0.0.1:{site.port}/"
expect_body = "Welcome"
vantages = ["isp-b"]
"""


def test_a_cut_path_is_unreachable_and_leaks_no_socket(net: tuple) -> None:  # type: ignore[type-arg]
    loop, isp, site = net
    text = workspace(isp, site)
    ok = check_once(text)
    assert ok.status == "up", ok  # type: ignore[attr-defined]
    loop.call(lambda: isp.cut.add(site.port))
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always", ResourceWarning)
        for _ in range(5):
            r = check_once(text)
            assert r.status == "down" and r.error == "unreachable", r  # type: ignore[attr-defined]
            assert r.detail == "via proxy: host unreachable"  # type: ignore[attr-defined]
        gc.collect()
    leaks = [w for w in seen if issubclass(w.category, ResourceWarning)]
    assert not leaks, [str(w.message) for w in leaks]
