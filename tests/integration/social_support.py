"""Shared pieces of the social-feed tests: the simulated services and a feed factory."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest

from warroom.config.workspace_file import Feed
from warroom.sim.social import BSKY_PASSWORD, BSKY_SECRET, SocialSim
from warroom.social.http import Http


@pytest.fixture(name="sim")
def sim_fixture(testnet: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[SocialSim]:
    """Every simulated service on loopback (``testnet`` turns on the loopback guard)."""
    monkeypatch.setenv("WARROOM_SECRET_BSKY_OPS", BSKY_PASSWORD)
    s = SocialSim().start()
    try:
        yield s
    finally:
        s.stop()


def feed(name: str, kind: str, url: str, **kw: Any) -> Feed:
    return Feed(name=name, kind=kind, url=url, **kw)


def bsky_feed(sim: SocialSim, search: str = "example host", name: str = "bsky") -> Feed:
    from warroom.sim.social import BSKY_HANDLE

    return feed(
        name, "bluesky", sim.bluesky.url, handle=BSKY_HANDLE, search=search, secret=BSKY_SECRET
    )


def poll(source: Any, state: dict[str, Any], **kw: Any) -> Any:
    """One poll of ``source`` with a fresh client (as ``warroom feeds --once`` does)."""

    async def go() -> Any:
        async with Http.make_client() as client:
            return await source.poll(Http(client, **kw), state)

    return asyncio.run(go())
