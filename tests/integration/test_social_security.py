"""Hostile feeds: no code runs, nothing remote loads, memory stays bounded, the source
says what is wrong and the other sources carry on."""

from __future__ import annotations

import asyncio
import re
import time
import tracemalloc
from typing import Any

import pytest
from social_support import bsky_feed, feed, poll, sim_fixture  # noqa: F401

from warroom.sim.rss import Item, bad_encoding, entity_bomb, hostile_items, huge, malformed, rss
from warroom.sim.social import SocialSim
from warroom.social.http import SourceError
from warroom.social.poller import FeedPoller
from warroom.social.sources import RssSource

DANGER = re.compile(
    r"<script|javascript:|data:|onerror|onclick|onmouseover|<img|<iframe|<style|@import", re.I
)


def test_hostile_markup_becomes_plain_text_and_safe_html(sim: SocialSim) -> None:
    sim.feeds.set("/h.xml", rss(hostile_items()))
    posts = poll(RssSource(feed("h", "rss", sim.feeds.url + "/h.xml")), {}).posts
    assert len(posts) == 2
    for p in posts:
        assert not DANGER.search(p.text), p.text
        assert "alert" not in p.text and "<" not in p.text
        assert not DANGER.search(p.html), p.html
        assert "tracker.example" not in p.html and "evil.example" not in p.html
        assert not DANGER.search(p.author)
    first = posts[0]
    assert first.url is None  # the javascript: link is no link at all
    assert first.text.startswith("Network down")
    assert 'href="https://provider.example/status"' in first.html
    assert posts[1].url == "https://provider.example/status/2"


def test_entity_bomb_is_refused_quickly(sim: SocialSim) -> None:
    sim.feeds.set("/bomb.xml", entity_bomb())
    t0 = time.monotonic()
    tracemalloc.start()
    try:
        with pytest.raises(SourceError, match="declares XML entities"):
            poll(RssSource(feed("b", "rss", sim.feeds.url + "/bomb.xml")), {})
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert time.monotonic() - t0 < 5
    assert peak < 20 * 1024 * 1024


def test_50_mb_body_is_cut_off_with_bounded_memory(sim: SocialSim) -> None:
    sim.feeds.set("/huge.xml", huge())  # built before measuring: the server's copy
    tracemalloc.start()
    try:
        with pytest.raises(SourceError, match="larger than 5 MB"):
            poll(RssSource(feed("x", "rss", sim.feeds.url + "/huge.xml")), {})
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 20 * 1024 * 1024, peak


def test_gzip_bomb_is_cut_off_while_decompressing(sim: SocialSim) -> None:
    # The declared length is small (compressed); the client counts what it unpacks.
    import gzip

    from warroom.sim.http import Response

    body = gzip.compress(b"<rss>" + b"\0" * (64 * 1024 * 1024), 9)
    assert len(body) < 1024 * 1024
    sim.feeds.set(
        "/gz.xml",
        Response(200, body, {"Content-Type": "application/rss+xml", "Content-Encoding": "gzip"}),
    )
    tracemalloc.start()
    try:
        with pytest.raises(SourceError, match="larger than 5 MB"):
            poll(RssSource(feed("x", "rss", sim.feeds.url + "/gz.xml")), {})
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 30 * 1024 * 1024, peak


def test_wrong_encoding_and_malformed_feeds_are_read_or_named(sim: SocialSim) -> None:
    sim.feeds.set("/enc.xml", bad_encoding())
    res = poll(RssSource(feed("e", "rss", sim.feeds.url + "/enc.xml")), {})
    assert len(res.posts) == 1 and "Netzwerk ausgefallen" in res.posts[0].text
    sim.feeds.set("/bozo.xml", malformed())
    res = poll(RssSource(feed("m", "rss", sim.feeds.url + "/bozo.xml")), {})
    assert res.posts[0].text.startswith("Still readable")
    assert res.note and "malformed feed" in res.note
    sim.feeds.set("/junk.xml", b"\x00\x01\x02 this is not xml at all \xff\xfe")
    with pytest.raises(SourceError, match="not a feed"):
        poll(RssSource(feed("j", "rss", sim.feeds.url + "/junk.xml")), {})


def test_hostile_sources_fail_alone(sim: SocialSim, store: Any) -> None:
    sim.feeds.set("/good.xml", rss([Item("Provider: all good", "https://p.example/g", "g1")]))
    sim.feeds.set("/bomb.xml", entity_bomb())
    sim.feeds.set("/huge.xml", huge())
    sim.feeds.set("/junk.xml", b"<html><body>Error 500</body></html>", "text/html")
    sim.mastodon.post("#examplehostdown is it down?")
    feeds = [
        feed("good", "rss", sim.feeds.url + "/good.xml"),
        feed("bomb", "rss", sim.feeds.url + "/bomb.xml"),
        feed("huge", "rss", sim.feeds.url + "/huge.xml"),
        feed("junk", "rss", sim.feeds.url + "/junk.xml"),
        feed("gone", "rss", sim.feeds.url + "/missing.xml"),
        feed("m", "mastodon", sim.mastodon.url, hashtag="examplehostdown"),
    ]
    poller = FeedPoller(feeds, store=store)
    new = asyncio.run(poller.poll_once())
    assert sorted(p.source for p in new) == ["good", "m"]
    errors = {n: s.error for n, s in poller.status.items()}
    assert errors["good"] is None and errors["m"] is None
    assert "entities" in (errors["bomb"] or "")
    assert "larger than 5 MB" in (errors["huge"] or "")
    assert "not a feed" in (errors["junk"] or "")
    assert errors["gone"] == "HTTP 404"


def test_secrets_stay_out_of_the_database_and_log(
    sim: SocialSim, store: Any, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    import logging

    from warroom.sim.social import BSKY_PASSWORD

    caplog.set_level(logging.DEBUG)
    sim.bluesky.add_post("example host down")
    sim.mastodon.tokens.add("masto-token-xyz")
    sim.mastodon.post("example host down too")
    monkeypatch.setenv("WARROOM_SECRET_MASTO", "masto-token-xyz")
    feeds = [
        bsky_feed(sim),
        feed("s", "mastodon", sim.mastodon.url, search="example", secret="masto"),
    ]
    poller = FeedPoller(feeds, store=store)
    new = asyncio.run(poller.poll_once())
    assert len(new) == 2
    store.checkpoint()
    blob = store.path.read_bytes()
    for secret in [BSKY_PASSWORD, "masto-token-xyz", *sim.bluesky.tokens()]:
        assert secret.encode() not in blob
        assert secret not in caplog.text


def test_a_huge_answer_from_the_bluesky_server_is_refused_too(sim: SocialSim, store: Any) -> None:
    sim.bluesky.add_post("example host down")
    sim.bluesky.fail_next(
        "GET",
        r"/xrpc/app\.bsky\.feed\.searchPosts",
        200,
        b"{" + b" " * (6 << 20) + b"}",
    )
    poller = FeedPoller([bsky_feed(sim)], store=store)
    asyncio.run(poller.poll_once())
    assert "larger than 5 MB" in (poller.status["bsky"].error or "")
    asyncio.run(poller.poll_once())  # the next poll is fine again
    assert poller.status["bsky"].error is None
