"""The feed sources against real loopback servers speaking the real protocols."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest
from social_support import bsky_feed, feed, poll, sim_fixture  # noqa: F401

from warroom.sim.rss import Item, atom, rss
from warroom.sim.social import SocialSim
from warroom.social.http import Http, SourceError
from warroom.social.poller import FeedPoller
from warroom.social.sources import MastodonSource, RssSource, StatuspageSource

# -- Mastodon ----------------------------------------------------------------------


def test_mastodon_hashtag_reads_every_post_once_across_pages(sim: SocialSim) -> None:
    m = sim.mastodon
    for i in range(45):
        m.post(f"#examplehostdown early {i}")
    src = MastodonSource(feed("m", "mastodon", m.url, hashtag="examplehostdown"), lambda _: None)
    first = poll(src, {})
    assert len(first.posts) == 40  # the newest page: where a new watch starts
    assert first.posts[-1].text == "#examplehostdown early 44"
    burst = [m.post(f"#examplehostdown burst {i}")["id"] for i in range(95)]
    m.post("unrelated #othertag")
    m.requests.clear()
    second = poll(src, first.state)
    ids = [p.id for p in second.posts]
    assert ids == burst  # every one, once, oldest first
    # It paged with min_id and followed the Link header (rel="prev") after the first page.
    paths = [r for r in m.requests if r.path.startswith("/api/v1/timelines/tag/")]
    assert len(paths) == 3
    assert paths[0].arg("min_id") == first.state["min_id"]
    assert all(r.arg("min_id") for r in paths)
    third = poll(src, second.state)
    assert third.posts == []
    assert third.state["min_id"] == burst[-1]


def test_mastodon_post_fields_are_plain_and_safe(sim: SocialSim) -> None:
    m = sim.mastodon
    m.post(
        "x",
        author="mallory",
        display_name="<b>Mal</b>",
        content_html='<p>Is <a href="https://example.test/">it</a> down?<script>alert(1)</script>'
        '<img src="https://tracker.example/p.gif" onerror="x()"></p>',
    )
    m.tokens.add("tok")
    src = MastodonSource(
        feed("m", "mastodon", m.url, search="x", secret="mtok"), {"mtok": "tok"}.get
    )
    res = poll(src, {})
    (p,) = res.posts
    assert p.text == "Is it down?"
    assert p.author == "mallory" and p.author_name == "Mal"
    assert p.url and p.url.startswith("https://mastodon.example/@mallory/")
    assert "script" not in p.html and "img" not in p.html and "onerror" not in p.html
    assert p.time.endswith("Z") and p.kind == "mastodon"


def test_mastodon_search_needs_a_token_and_sends_it(sim: SocialSim) -> None:
    m = sim.mastodon
    m.tokens.add("s3cret-token")
    m.post("example host is down for me")
    f = feed("s", "mastodon", m.url, search="example host", secret="mastodon-ops")
    with pytest.raises(SourceError, match="search needs a token"):
        poll(MastodonSource(f, lambda _: None), {})
    res = poll(MastodonSource(f, {"mastodon-ops": "s3cret-token"}.get), {})
    assert [p.text for p in res.posts] == ["example host is down for me"]
    assert m.requests[-1].headers["authorization"] == "Bearer s3cret-token"
    with pytest.raises(SourceError, match="HTTP 401"):
        poll(MastodonSource(f, {"mastodon-ops": "wrong"}.get), {})


def test_rate_limit_429_waits_for_the_reset(sim: SocialSim, store: Any) -> None:
    m = sim.mastodon
    m.post("#examplehostdown one")
    m.set_rate_limit(1, window_s=120)
    f = feed("m", "mastodon", m.url, hashtag="examplehostdown", interval=10.0)
    poller = FeedPoller([f], store=store)
    asyncio.run(poller.poll_once())
    st = poller.status["m"]
    assert st.error is None
    # The budget is used up (X-RateLimit-Remaining: 0): the next poll waits for the reset.
    assert poller._delays["m"] > 100
    asyncio.run(poller.poll_once())
    st = poller.status["m"]
    assert st.error is not None and "rate limited" in st.error
    assert st.stale_since is not None
    assert poller._delays["m"] > 100  # not the 10 s interval, not a quick retry


def test_retry_after_is_honoured(sim: SocialSim, store: Any) -> None:
    sim.feeds.set("/news.xml", rss([Item("a", "https://p.example/a", "a")]))
    sim.feeds.fail_next("GET", "/news.xml", 429, "slow down", {"Retry-After": "300"})
    f = feed("n", "rss", sim.feeds.url + "/news.xml", interval=10.0)
    poller = FeedPoller([f], store=store)
    asyncio.run(poller.poll_once())
    assert "rate limited" in (poller.status["n"].error or "")
    assert 300 <= poller._delays["n"] < 310


# -- RSS / Atom -----------------------------------------------------------------------


def test_rss_conditional_request_gets_304(sim: SocialSim) -> None:
    sim.feeds.set(
        "/news.xml", rss([Item("Maintenance", "https://p.example/1", "g1", "<p>tonight</p>")])
    )
    src = RssSource(feed("n", "rss", sim.feeds.url + "/news.xml"))
    first = poll(src, {})
    assert [p.text for p in first.posts] == ["Maintenance\ntonight"]
    assert first.state["etag"] and first.state["last_modified"]
    second = poll(src, first.state)
    assert second.not_modified and second.posts == []
    assert sim.feeds.requests[-1].headers["if-none-match"] == first.state["etag"]


def test_atom_entries_keep_their_own_time(sim: SocialSim) -> None:
    import datetime as dt

    at = dt.datetime(2026, 11, 24, 9, 42, tzinfo=dt.UTC)
    sim.feeds.set(
        "/status.atom",
        atom(
            [
                Item(
                    "Network outage",
                    "https://p.example/o",
                    "urn:o1",
                    "<p>Investigating</p>",
                    "NOC",
                    at,
                )
            ]
        ),
        "application/atom+xml",
    )
    (p,) = poll(RssSource(feed("a", "rss", sim.feeds.url + "/status.atom")), {}).posts
    assert p.time == "2026-11-24T09:42:00.000Z"
    assert p.author == "NOC" and p.id == "urn:o1" and p.url == "https://p.example/o"


# -- Statuspage -----------------------------------------------------------------------


def test_statuspage_changes_become_posts(sim: SocialSim) -> None:
    sp = sim.statuspage
    sp.set_component("API", "operational")
    sp.set_component("DNS", "major_outage")
    inc = sp.open_incident("DNS resolution failing", "We are <b>investigating</b>.")
    src = StatuspageSource(feed("c", "statuspage", sp.url))
    first = poll(src, {})
    texts = sorted(p.text for p in first.posts)
    assert texts == [
        "DNS resolution failing — Investigating: We are investigating.",
        "DNS: major outage",
    ]
    assert all(p.author == "Upstream Carrier" for p in first.posts)
    again = poll(src, first.state)
    assert {p.id for p in again.posts} <= {p.id for p in first.posts}  # the cache dedupes
    sp.set_component("API", "partial_outage")
    sp.update_incident(inc["id"], "resolved", "Fixed.")
    third = poll(src, again.state)
    new = {p.text for p in third.posts} - {p.text for p in first.posts}
    assert new == {"API: operational → partial outage", "DNS resolution failing — Resolved: Fixed."}


# -- Bluesky ------------------------------------------------------------------------


def test_bluesky_signs_in_once_refreshes_and_walks_the_cursor(sim: SocialSim, store: Any) -> None:
    b = sim.bluesky
    for i in range(150):
        b.add_post(f"example host down? {i}")
    f = bsky_feed(sim)
    got: list[Any] = []

    async def three_polls(poller: FeedPoller) -> None:
        async with Http.make_client() as client:
            http = Http(client)
            got.append(await poller._poll(http, f))
            for i in range(250):
                b.add_post(f"example host still down {i}")
            b.expire_access()  # the server now refuses the access token: refresh, no login
            got.append(await poller._poll(http, f))
            got.append(await poller._poll(http, f))

    poller = FeedPoller([f], store=store)
    asyncio.run(three_polls(poller))
    assert len(got[0]) == 100  # first poll: the newest page
    assert [p.text for p in got[1]] == [f"example host still down {i}" for i in range(250)]
    assert got[2] == []
    assert b.sessions_created == 1
    assert b.sessions_refreshed == 1
    p = got[1][0]
    assert p.kind == "bluesky" and p.id.startswith("at://")
    assert p.url and p.url.startswith("https://bsky.app/profile/carol.bsky.social/post/")


def test_bluesky_wrong_app_password_is_a_clear_error(
    sim: SocialSim, store: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WARROOM_SECRET_BSKY_OPS", "wrong-password")
    poller = FeedPoller([bsky_feed(sim)], store=store)
    asyncio.run(poller.poll_once())
    err = poller.status["bsky"].error or ""
    assert "createSession" in err and "bsky-ops" in err and "wrong-password" not in err


# -- the poller -------------------------------------------------------------------------


def test_a_failing_source_is_stale_and_the_others_carry_on(sim: SocialSim, store: Any) -> None:
    from warroom.store import social as q

    sim.feeds.set("/news.xml", rss([Item("Provider news", "https://p.example/1", "n1")]))
    sim.mastodon.post("#examplehostdown down?")
    feeds = [
        feed("m", "mastodon", sim.mastodon.url, hashtag="examplehostdown"),
        feed("n", "rss", sim.feeds.url + "/news.xml"),
    ]
    poller = FeedPoller(feeds, store=store)
    asyncio.run(poller.poll_once())
    assert poller.status["n"].last_ok is not None
    sim.mastodon.fail_next("GET", r"/api/v1/timelines/tag/.*", 503, "down")
    sim.mastodon.post("#examplehostdown still down")
    sim.feeds.set("/news.xml", rss([Item("More news", "https://p.example/2", "n2")]))
    new = asyncio.run(poller.poll_once())
    assert [p.text for p in new] == ["More news"]
    m = poller.status["m"]
    assert m.error == "HTTP 503" and m.stale_since is not None
    assert m.describe().startswith("stale since ")
    stored = q.statuses(store)["m"]  # offline, the pane reads this
    assert stored.error == "HTTP 503" and stored.last_ok is not None
    new = asyncio.run(poller.poll_once())
    assert [p.text for p in new] == ["#examplehostdown still down"]
    assert poller.status["m"].error is None and poller.status["m"].stale_since is None


def test_poller_thread_delivers_new_posts(sim: SocialSim, store: Any) -> None:
    import threading

    sim.mastodon.post("#examplehostdown first")
    got: list[str] = []
    arrived = threading.Event()

    def on_posts(posts: list[Any]) -> None:
        got.extend(p.text for p in posts)
        arrived.set()

    f = feed("m", "mastodon", sim.mastodon.url, hashtag="examplehostdown", interval=3600.0)
    poller = FeedPoller([f], store=store, on_posts=on_posts)
    poller.start()
    try:
        assert arrived.wait(10)
        arrived.clear()
        sim.mastodon.post("#examplehostdown second")
        poller.poll_now("m")
        assert arrived.wait(10)
    finally:
        poller.stop()
    assert got == ["#examplehostdown first", "#examplehostdown second"]
    deadline = time.monotonic() + 5
    while poller.running and time.monotonic() < deadline:
        time.sleep(0.01)
    assert not poller.running


def test_failures_back_off_and_a_success_resets(sim: SocialSim, store: Any) -> None:
    sim.feeds.set("/news.xml", rss([Item("a", "https://p.example/a", "a")]))
    sim.feeds.fail_next("GET", "/news.xml", 503, "busy", times=3)
    poller = FeedPoller([feed("n", "rss", sim.feeds.url + "/news.xml", interval=10.0)], store=store)
    delays = []
    for _ in range(4):
        asyncio.run(poller.poll_once())
        delays.append(poller._delays["n"])
    assert 10 <= delays[0] < 11.5 and 20 <= delays[1] < 22.5 and 40 <= delays[2] < 45
    assert delays[3] == 10.0 and poller.status["n"].error is None


def test_posts_that_cannot_be_stored_are_fetched_again(
    sim: SocialSim, data_dir: Any, caplog: pytest.LogCaptureFixture
) -> None:
    from warroom.store import Store

    store = Store.open(data_dir)
    sim.mastodon.post("#examplehostdown one")
    f = feed("m", "mastodon", sim.mastodon.url, hashtag="examplehostdown")
    poller = FeedPoller([f], store=store)
    asyncio.run(poller.poll_once())
    before = dict(poller.status["m"].state)
    sim.mastodon.post("#examplehostdown two")
    store.close()  # the database goes away under the poller
    new = asyncio.run(poller.poll_once())
    assert new == []
    st = poller.status["m"]
    assert st.state == before and (st.error or "").startswith("posts not stored")
    poller.store = Store.open(data_dir)
    try:
        new = asyncio.run(poller.poll_once())
        assert [p.text for p in new] == ["#examplehostdown two"]
    finally:
        poller.store.close()
