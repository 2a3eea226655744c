"""Publishing to the loopback fakes: results, errors, retries that never post twice."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from warroom.base.errors import ValidationError
from warroom.services.timeline import Timeline
from warroom.sim.bluesky import FakeBluesky
from warroom.sim.mastodon import FakeMastodon
from warroom.sim.statuspage import FakeStatuspage
from warroom.social.channels import ChannelSpec, CommsSettings
from warroom.social.honesty import VantageState
from warroom.social.publish import Draft, Publisher
from warroom.store import Store
from warroom.store import comms as db
from warroom.store.timeline import EntryFilter

TOKEN = "masto-token-0123456789"
APP_PASSWORD = "abcd-efgh-ijkl-mnop"
API_KEY = "sp-key-9876543210"
HANDLE = "ops.example.test"
CREATE = "/xrpc/com.atproto.repo.createRecord"


@dataclass
class World:
    masto: FakeMastodon
    bsky: FakeBluesky
    sp: FakeStatuspage
    channels: list[ChannelSpec]
    store: Store
    timeline: Timeline
    incident: str


@pytest.fixture
def world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[World]:
    monkeypatch.setenv("WARROOM_SECRET_MASTODON_OPS", TOKEN)
    monkeypatch.setenv("WARROOM_SECRET_BSKY_OPS", APP_PASSWORD)
    monkeypatch.setenv("WARROOM_SECRET_STATUSPAGE", API_KEY)
    masto, bsky, sp = FakeMastodon(max_characters=500), FakeBluesky(), FakeStatuspage()
    masto.add_token(TOKEN, "ops")
    bsky.add_account(HANDLE, APP_PASSWORD)
    sp.add_api_key(API_KEY)
    www = sp.set_component("Website")
    store = Store.open(tmp_path / "ws")
    with masto, bsky, sp:
        channels = [
            ChannelSpec("mastodon-ops", "mastodon", masto.url, secret="mastodon-ops"),
            ChannelSpec("bsky-ops", "bluesky", bsky.url, handle=HANDLE, secret="bsky-ops"),
            ChannelSpec(
                "status",
                "statuspage",
                sp.url,
                secret="statuspage",
                page_id=sp.page["id"],
                components=(("www", www["id"]),),
            ),
        ]
        tl = Timeline(store, author="alice")
        inc = tl.new_incident("Websites unreachable", severity="SEV1").id
        try:
            yield World(masto, bsky, sp, channels, store, tl, inc)
        finally:
            store.close()


class Sleeps:
    """An injected sleep: records how long the publisher wanted to wait, waits briefly."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    async def __call__(self, s: float) -> None:
        self.waits.append(s)
        await asyncio.sleep(0.01)


def publisher(w: World, **kw: object) -> Publisher:
    kw.setdefault("sleep", Sleeps())
    return Publisher(w.store, w.channels, timeline=w.timeline, timeout=0.5, **kw)  # type: ignore[arg-type]


def publish(p: Publisher, draft: Draft, names: list[str], **kw: object) -> list:  # type: ignore[type-arg]
    async def go() -> list:  # type: ignore[type-arg]
        try:
            return await p.publish(draft, names, **kw)  # type: ignore[arg-type]
        finally:
            await p.aclose()

    return asyncio.run(go())


def draft(w: World, text: str = "We are investigating an outage of www.", **kw: str) -> Draft:
    return Draft(text=text, author="alice", stage="investigating", incident=w.incident, **kw)


def comms_entries(w: World) -> list:  # type: ignore[type-arg]
    return w.timeline.entries(EntryFilter(incident=w.incident, kinds=("comms",)))


# -- Mastodon ---------------------------------------------------------------------------


def test_mastodon_publish_records_the_url_as_a_comms_entry(world: World) -> None:
    [res] = publish(publisher(world), draft(world), ["mastodon-ops"])
    assert res.ok and res.url.startswith("https://mastodon.example/@ops/")
    assert world.masto.published("ops") == ["We are investigating an outage of www."]
    [req] = [r for r in world.masto.requests if r.path == "/api/v1/statuses"]
    assert req.headers["idempotency-key"] == f"warroom-{res.publication}"
    [entry] = comms_entries(world)
    assert entry.author == "alice"
    assert "mastodon-ops (Mastodon)" in entry.text and res.url in entry.text
    assert entry.meta["comms"]["url"] == res.url


def test_lost_answer_is_retried_with_the_same_key_and_posts_once(world: World) -> None:
    world.masto.fail_next("POST", "/api/v1/statuses", 504, delay=0.8, after=True)
    [res] = publish(publisher(world), draft(world), ["mastodon-ops"])
    assert res.ok and res.attempts == 2
    assert len(world.masto.published("ops")) == 1
    keys = {r.headers["idempotency-key"] for r in world.masto.requests if r.method == "POST"}
    assert len(keys) == 1


def test_422_is_final_and_says_why(world: World) -> None:
    world.masto.fail_next(
        "POST", "/api/v1/statuses", 422, {"error": "Validation failed: Text is spam"}
    )
    [res] = publish(publisher(world), draft(world), ["mastodon-ops"])
    assert not res.ok and res.attempts == 1
    assert "HTTP 422" in res.error and "Text is spam" in res.error
    [entry] = comms_entries(world)
    assert "failed" in entry.text and "Text is spam" in entry.text


def test_429_waits_what_the_server_asks(world: World) -> None:
    world.masto.fail_next("POST", "/api/v1/statuses", 429, headers={"Retry-After": "2"})
    sleeps = Sleeps()
    [res] = publish(publisher(world, sleep=sleeps), draft(world), ["mastodon-ops"])
    assert res.ok and sleeps.waits == [2.0]


def test_429_with_a_long_wait_gives_up_without_posting(world: World) -> None:
    reset = datetime.fromtimestamp(time.time() + 3600, UTC).isoformat()
    world.masto.fail_next(
        "POST", "/api/v1/statuses", 429, headers={"X-RateLimit-Reset": reset}, times=3
    )
    [res] = publish(publisher(world), draft(world), ["mastodon-ops"])
    assert not res.ok and "rate limited" in res.error and "not waiting" in res.error
    assert world.masto.published("ops") == []


def test_5xx_retried_then_a_later_run_reuses_the_key(world: World) -> None:
    world.masto.fail_next("POST", "/api/v1/statuses", 503, times=3)
    [res] = publish(publisher(world), draft(world), ["mastodon-ops"])
    assert not res.ok and res.attempts == 3 and "HTTP 503" in res.error
    [again] = publish(publisher(world), draft(world), ["mastodon-ops"])  # a later run
    assert again.ok and again.publication == res.publication and again.attempts == 4
    keys = {r.headers["idempotency-key"] for r in world.masto.requests if r.method == "POST"}
    assert keys == {f"warroom-{res.publication}"}


def test_published_text_is_not_posted_again(world: World) -> None:
    [first] = publish(publisher(world), draft(world), ["mastodon-ops"])
    before = len(world.masto.requests)
    [second] = publish(publisher(world), draft(world), ["mastodon-ops"])
    assert second.already and second.url == first.url
    assert len(world.masto.requests) == before
    [third] = publish(publisher(world), draft(world), ["mastodon-ops"], again=True)
    assert third.ok and not third.already and third.url != first.url


def test_over_the_server_limit_is_refused_before_sending(world: World) -> None:
    world.masto.max_characters = 50
    [res] = publish(publisher(world), draft(world, "x" * 60), ["mastodon-ops"])
    assert not res.ok and "60/50 characters" in res.error
    assert not [r for r in world.masto.requests if r.path == "/api/v1/statuses"]


def test_timeouts_end_in_a_clear_error(world: World) -> None:
    world.masto.fail_next("POST", "/api/v1/statuses", 200, delay=0.8, times=3)
    [res] = publish(publisher(world, max_attempts=2), draft(world), ["mastodon-ops"])
    assert not res.ok and "timed out" in res.error


def test_missing_secret_names_it_and_sends_nothing(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("WARROOM_SECRET_MASTODON_OPS")
    [res] = publish(publisher(world), draft(world), ["mastodon-ops"])
    assert not res.ok and "warroom secret set mastodon-ops" in res.error
    assert not [r for r in world.masto.requests if r.method == "POST"]


# -- Bluesky ----------------------------------------------------------------------------


def test_bluesky_post_with_link_facets_and_one_login(world: World) -> None:
    text = "Störung bei www 🇨🇭: https://status.example.test/i/1 #outage"
    p = publisher(world)

    async def go() -> list:  # type: ignore[type-arg]
        a = await p.publish(draft(world, text), ["bsky-ops"])
        b = await p.publish(draft(world, "Second update"), ["bsky-ops"])
        await p.aclose()
        return [*a, *b]

    first, second = asyncio.run(go())
    assert first.ok and second.ok
    records = world.bsky.records(HANDLE)
    assert len(records) == 2
    rkey = first.url.rsplit("/", 1)[1]
    assert first.url == f"https://bsky.app/profile/{HANDLE}/post/{rkey}"
    rec = records[rkey]
    link = rec["facets"][0]
    raw = text.encode()
    assert (
        raw[link["index"]["byteStart"] : link["index"]["byteEnd"]]
        == b"https://status.example.test/i/1"
    )
    assert world.bsky.sessions_created == 1


def test_bluesky_lost_answer_is_found_not_posted_twice(world: World) -> None:
    world.bsky.fail_next("POST", CREATE, 502, delay=0.8, after=True)
    [res] = publish(publisher(world), draft(world), ["bsky-ops"])
    assert res.ok
    assert len(world.bsky.records(HANDLE)) == 1
    assert world.bsky.seen("GET", "/xrpc/com.atproto.repo.getRecord")


def test_bluesky_retry_in_a_later_run_finds_the_post(world: World) -> None:
    world.bsky.fail_next("POST", CREATE, 500, after=True, times=3)
    world.bsky.fail_next("GET", "/xrpc/com.atproto.repo.getRecord", 500, times=3)
    [res] = publish(publisher(world), draft(world), ["bsky-ops"])
    assert not res.ok  # the post exists, but we could not learn it
    [again] = publish(publisher(world), draft(world), ["bsky-ops"])
    assert again.ok and again.publication == res.publication
    assert len(world.bsky.records(HANDLE)) == 1


def test_bluesky_too_long_in_graphemes_is_refused(world: World) -> None:
    [res] = publish(publisher(world), draft(world, "é" * 301), ["bsky-ops"])
    assert not res.ok and "301/300 graphemes" in res.error
    assert world.bsky.records(HANDLE) == {}


# -- Statuspage -------------------------------------------------------------------------

DOWN = [VantageState("www", v, "down", datetime(2026, 11, 24, 9, 42, tzinfo=UTC)) for v in "ab"]


def test_statuspage_creates_then_updates_one_incident(world: World) -> None:
    [a] = publish(publisher(world), draft(world), ["status"], states=DOWN)
    assert a.ok and a.url.startswith("https://stspg.io/")
    [inc] = world.sp.incidents
    assert inc["name"] == "Websites unreachable" and inc["status"] == "investigating"
    assert world.sp.components["Website"]["status"] == "major_outage"
    auth = {r.headers["authorization"] for r in world.sp.requests if r.path.startswith("/v1/")}
    assert auth == {f"OAuth {API_KEY}"}
    resolved = replace(draft(world, "All good again."), stage="resolved")
    [b] = publish(publisher(world), resolved, ["status"], states=DOWN[:0])
    assert b.ok
    assert len(world.sp.incidents) == 1
    assert [u["status"] for u in world.sp.incidents[0]["incident_updates"]] == [
        "resolved",
        "investigating",
    ]
    assert world.sp.components["Website"]["status"] == "operational"


def test_statuspage_lost_create_is_adopted_not_duplicated(world: World) -> None:
    world.sp.fail_next("POST", f"/v1/pages/{world.sp.page['id']}/incidents", 504, after=True)
    [res] = publish(publisher(world), draft(world), ["status"], states=DOWN)
    assert res.ok and res.attempts == 2
    assert len(world.sp.incidents) == 1


def test_statuspage_needs_an_incident(world: World) -> None:
    d = replace(draft(world), incident=None)
    [res] = publish(publisher(world), d, ["status"])
    assert not res.ok and "needs an incident" in res.error


# -- rules and secrets ------------------------------------------------------------------


def test_approval_needs_a_second_person(world: World) -> None:
    p = publisher(world, settings=CommsSettings(approval=True))
    with pytest.raises(ValidationError, match="requires approval"):
        publish(p, draft(world), ["mastodon-ops"])
    with pytest.raises(ValidationError, match="second person"):
        publish(p, draft(world, approver="Alice"), ["mastodon-ops"])
    [res] = publish(
        publisher(world, settings=CommsSettings(approval=True)),
        draft(world, approver="bob"),
        ["mastodon-ops"],
    )
    assert res.ok
    assert "approved by bob" in comms_entries(world)[0].text
    assert world.masto.published("ops")


def test_all_channels_at_once_and_no_secret_anywhere(
    world: World, caplog: pytest.LogCaptureFixture, tmp_path: Path
) -> None:
    caplog.set_level(logging.DEBUG)
    results = publish(
        publisher(world), draft(world), ["mastodon-ops", "bsky-ops", "status"], states=DOWN
    )
    assert [r.ok for r in results] == [True, True, True]
    assert len(comms_entries(world)) == 3
    world.store.checkpoint()
    blob = (tmp_path / "ws" / "warroom.sqlite").read_bytes() + caplog.text.encode()
    for secret in (TOKEN, APP_PASSWORD, API_KEY, *world.bsky.tokens()):
        assert secret.encode() not in blob


def test_publications_are_kept_per_channel(world: World) -> None:
    publish(publisher(world), draft(world), ["mastodon-ops", "bsky-ops"])
    pubs = db.published(world.store, world.incident)
    assert sorted(p.channel for p in pubs) == ["bsky-ops", "mastodon-ops"]
    assert db.last_published_at(world.store, world.incident) is not None


def test_a_try_cut_short_by_a_crash_is_looked_up_not_repeated(world: World) -> None:
    """The process died after sending: the publication says 'sending', the server has it."""
    d = draft(world)
    pub = db.create(
        world.store,
        channel="status",
        kind="statuspage",
        incident=d.incident,
        text=d.text,
        author="alice",
        stage="investigating",
    )
    db.mark_sending(world.store, pub.id)
    world.sp.open_incident("Websites unreachable", d.text)  # what the lost request did
    [res] = publish(publisher(world), d, ["status"], states=DOWN)
    assert res.ok and res.publication == pub.id
    assert len(world.sp.incidents) == 1
    assert not [r for r in world.sp.requests if r.method == "POST"]
