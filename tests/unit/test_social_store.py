"""The social cache: dedupe by (source, id), full-text search, read cursors, rates."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from warroom.domain.social import Post, SourceStatus
from warroom.store import social as q


def post(i: int, source: str = "m", text: str | None = None, minute: int = 42) -> Post:
    return Post(
        source=source,
        id=str(i),
        kind="mastodon",
        author=f"user{i % 3}",
        text=text or f"post number {i}",
        url=f"https://m.example/@u/{i}",
        time=f"2026-11-24T09:{minute:02d}:{i % 60:02d}.000Z",
        raw=f'{{"id": "{i}"}}',
    )


def test_ingest_stores_each_post_once(store: Any) -> None:
    first = q.ingest(store, [post(1), post(2), post(2)])
    assert [p.id for p in first] == ["1", "2"]
    assert all(p.seq > 0 for p in first)
    again = q.ingest(store, [post(2), post(3), replace(post(1), source="other")])
    assert sorted((p.source, p.id) for p in again) == [("m", "3"), ("other", "1")]
    assert q.counts(store) == {"m": 3, "other": 1}
    got = q.get(store, "m", "1")
    assert got is not None and got.raw == '{"id": "1"}' and got.url == "https://m.example/@u/1"


def test_status_goes_in_with_the_posts(store: Any) -> None:
    st = SourceStatus(
        "m",
        "mastodon",
        "https://m.example",
        last_ok="2026-11-24T09:42:00.000Z",
        state={"min_id": "7"},
    )
    q.ingest(store, [post(1)], st)
    got = q.statuses(store)["m"]
    assert got.state == {"min_id": "7"} and got.last_ok == st.last_ok and got.error is None


def test_full_text_search_folds_case_and_diacritics(store: Any) -> None:
    q.ingest(
        store,
        [
            post(1, text="Grosse Störung bei Example"),
            post(2, text="all fine"),
            post(3, text="panne générale"),
        ],
    )
    assert [p.id for p in q.search(store, "störung")] == ["1"]
    assert [p.id for p in q.search(store, "STORUNG")] == ["1"]
    assert [p.id for p in q.search(store, "gener")] == ["3"]  # prefix
    assert q.search(store, 'AND OR "') == []  # operators are words, not syntax errors


def test_cursors_give_unread_counts_and_only_move_forward(store: Any) -> None:
    added = q.ingest(store, [post(i) for i in range(5)] + [post(9, source="n")])
    assert q.unread(store, "pane") == {"m": 5, "n": 1}
    top = max(p.seq for p in added if p.source == "m")
    q.set_cursors(store, "pane", {"m": top})
    assert q.unread(store, "pane") == {"n": 1}
    q.set_cursors(store, "pane", {"m": 1})  # an older view must not un-read posts
    assert q.cursors(store, "pane")["m"] == top
    q.ingest(store, [post(7)])
    assert q.unread(store, "pane") == {"m": 1, "n": 1}


def test_posts_per_minute_by_their_own_time(store: Any) -> None:
    q.ingest(store, [post(i, minute=40 + i % 3) for i in range(9)])
    assert q.per_minute(store, "2026-11-24T09:41") == {"2026-11-24T09:41": 3, "2026-11-24T09:42": 3}
