"""Highlights, mutes, the posts-per-minute series and the spike alarm; pinning a post."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from warroom.domain.social import Post
from warroom.social.filters import Filters, brand_terms
from warroom.social.rates import Rates


def p(text: str, author: str = "anna", t: str = "2026-11-24T09:42:10.000Z", **kw: Any) -> Post:
    return Post(
        source="m", id=text[:20], kind="mastodon", author=author, text=text, url=None, time=t, **kw
    )


def test_keywords_are_whole_words_case_insensitive() -> None:
    f = Filters(brand=("example host",))
    text = "Is Example Host DOWN? download works, Störung seit 10:42, grosse panne"
    words = [text[a:b] for a, b in f.spans(text)]
    assert words == ["Example Host", "DOWN", "Störung", "panne"]
    assert not f.highlighted(p("all good, download finished"))


def test_muted_words_and_authors() -> None:
    f = Filters(muted_words=("crypto",), muted_authors=("@spam",))
    assert f.muted(p("buy CRYPTO now"))
    assert f.muted(p("hello", author="SPAM"))
    assert not f.muted(p("cryptography is fine"))
    again = Filters.from_json(f.to_json(), brand=["x"])
    assert (
        again.muted_words == ("crypto",)
        and again.muted_authors == ("@spam",)
        and again.brand == ("x",)
    )
    assert Filters.from_json("not json").keywords == Filters().keywords


def test_brand_terms_from_the_feeds() -> None:
    class F:
        def __init__(self, search: str | None, hashtag: str | None) -> None:
            self.search, self.hashtag = search, hashtag

    assert brand_terms(
        [F("example host", None), F(None, "examplehostdown"), F("Example  Host", None)]
    ) == (
        "example host",
        "#examplehostdown",
    )


def test_sparkline_series_and_spike() -> None:
    now = datetime(2026, 11, 24, 9, 42, 30, tzinfo=UTC)
    r = Rates()
    for minute in range(10, 42):  # a steady 2 a minute
        r.add([f"2026-11-24T09:{minute:02d}:00.000Z"] * 2)
    assert r.spike(now) is None
    r.add(["2026-11-24T09:42:05.000Z"] * 7)
    assert r.spike(now) is None  # 7 < MIN_SPIKE
    r.add(["2026-11-24T09:42:06.000Z"] * 3)
    s = r.spike(now)
    assert s is not None and s.count == 10 and s.usual == 2 and s.minute == "2026-11-24T09:42"
    series = r.series(now, 5)
    assert series == [2, 2, 2, 2, 10]
    r.prune(now, keep=3)
    assert min(r.counts) >= "2026-11-24T09:39"


def test_pin_makes_a_social_entry_at_the_posts_time_with_evidence(store: Any) -> None:
    from warroom.services.timeline import Timeline
    from warroom.social.pin import pin
    from warroom.store import timeline as tq

    tl = Timeline(store, author="nina")
    inc = tl.new_incident("www down", severity="SEV1")
    post = p(
        "example host down for me",
        author="anna",
        t="2026-11-24T09:42:10.000Z",
        author_name="Anna",
        raw='{"id": "1", "content": "<p>example host down for me</p>"}',
    )
    eid = pin(tl, inc.id, post)
    e = tl.entry(eid)
    assert e.kind == "social" and e.author == "feed"
    assert e.occurred_at == "2026-11-24T09:42:10.000Z"
    assert "@anna (Anna) on m, Mastodon" in e.text and "example host down for me" in e.text
    ev = [x for x in tq.evidence(store, inc.id) if x["kind"] == "social"]
    assert len(ev) == 1 and ev[0]["entry"] == eid
    assert ev[0]["data"]["original"] == {"id": "1", "content": "<p>example host down for me</p>"}
    assert ev[0]["data"]["author"] == "anna" and ev[0]["data"]["source"] == "m"
    assert pin(tl, inc.id, post) == eid  # twice: still one entry
    assert len([x for x in tq.evidence(store, inc.id) if x["kind"] == "social"]) == 1
