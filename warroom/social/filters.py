"""What the commander wants to see: highlighted keywords, muted words and authors.

Kept per workspace (the brand belongs to the workspace) in the store's ``meta`` table
as JSON. Matching is whole words, case-insensitive, so "down" marks "is it down?" but
not "download".
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

from warroom.domain.social import Post

if TYPE_CHECKING:
    from warroom.domain.workspace import Feed
    from warroom.store.db import Store

META_KEY = "social.filters"
DEFAULT_KEYWORDS = ("down", "offline", "outage", "unreachable", "Störung", "Ausfall", "panne")


def _words(items: Iterable[str]) -> tuple[str, ...]:
    seen: dict[str, str] = {}
    for w in items:
        w = " ".join(str(w).split())
        if w and w.casefold() not in seen:
            seen[w.casefold()] = w
    return tuple(seen.values())


def _pattern(words: tuple[str, ...]) -> re.Pattern[str] | None:
    if not words:
        return None
    alts = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?:{alts})(?!\w)", re.IGNORECASE)


@dataclass(frozen=True)
class Filters:
    keywords: tuple[str, ...] = DEFAULT_KEYWORDS
    brand: tuple[str, ...] = ()  # the workspace's own names (from its feeds' searches)
    muted_words: tuple[str, ...] = ()
    muted_authors: tuple[str, ...] = ()  # handles, without the leading @

    @cached_property
    def _highlight(self) -> re.Pattern[str] | None:
        return _pattern(_words((*self.brand, *self.keywords)))

    @cached_property
    def _mute(self) -> re.Pattern[str] | None:
        return _pattern(_words(self.muted_words))

    @cached_property
    def _authors(self) -> frozenset[str]:
        return frozenset(a.lstrip("@").casefold() for a in self.muted_authors if a.strip())

    def spans(self, text: str) -> list[tuple[int, int]]:
        """Where the highlighted words are in ``text``: (start, end) pairs."""
        rx = self._highlight
        return [m.span() for m in rx.finditer(text)] if rx else []

    def highlighted(self, post: Post) -> bool:
        rx = self._highlight
        return bool(rx and rx.search(post.text))

    def muted(self, post: Post) -> bool:
        if post.author.lstrip("@").casefold() in self._authors:
            return True
        rx = self._mute
        return bool(rx and rx.search(post.text))

    def to_json(self) -> str:
        return json.dumps(
            {
                "keywords": list(self.keywords),
                "muted_words": list(self.muted_words),
                "muted_authors": list(self.muted_authors),
            },
            ensure_ascii=False,
        )

    @classmethod
    def from_json(cls, text: str | None, *, brand: Iterable[str] = ()) -> Filters:
        try:
            data = json.loads(text) if text else {}
        except ValueError:
            data = {}
        if not isinstance(data, dict):
            data = {}

        def lst(key: str, default: tuple[str, ...] = ()) -> tuple[str, ...]:
            v = data.get(key)
            return _words(x for x in v if isinstance(x, str)) if isinstance(v, list) else default

        return cls(
            keywords=lst("keywords", DEFAULT_KEYWORDS),
            brand=_words(brand),
            muted_words=lst("muted_words"),
            muted_authors=lst("muted_authors"),
        )


def brand_terms(feeds: Iterable[Feed]) -> tuple[str, ...]:
    """The words a workspace watches for: its feeds' searches and hashtags."""
    out: list[str] = []
    for f in feeds:
        if getattr(f, "search", None):
            out.append(str(f.search))
        if getattr(f, "hashtag", None):
            out.append("#" + str(f.hashtag).lstrip("#"))
    return _words(out)


def load(store: Store, feeds: Iterable[Feed] = ()) -> Filters:
    return Filters.from_json(store.meta_get(META_KEY), brand=brand_terms(feeds))


def save(store: Store, filters: Filters) -> None:
    store.meta_set(META_KEY, filters.to_json())
