"""Posts per minute, and when the volume spikes (it often comes before the probes turn red).

A spike: the current minute (or the last full one) holds at least ``MIN_SPIKE`` posts
and at least ``FACTOR`` times the usual rate, the median of the ``BASELINE`` minutes
before it (at least one post a minute, so a quiet hour does not make 3 posts a spike).
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from warroom.base import timeutil

WINDOW = 60  # minutes shown in the sparkline
BASELINE = 30
FACTOR = 3.0
MIN_SPIKE = 8


def minute_key(t: datetime) -> str:
    return timeutil.fmt(t)[:16]


@dataclass(frozen=True)
class Spike:
    minute: str  # "2026-11-24T09:42"
    count: int
    usual: float

    def describe(self) -> str:
        return f"{self.count} posts/min at {self.minute[11:]}Z (usually {self.usual:g})"


class Rates:
    """Per-minute counts of posts by their own time; the pane's sparkline and alarm."""

    def __init__(self, counts: dict[str, int] | None = None) -> None:
        self.counts: Counter[str] = Counter(counts or {})

    def add(self, times: Iterable[str]) -> None:
        self.counts.update(t[:16] for t in times)

    def series(self, now: datetime, minutes: int = WINDOW) -> list[int]:
        """Oldest first, the current minute last."""
        start = now.replace(second=0, microsecond=0) - timedelta(minutes=minutes - 1)
        return [
            self.counts.get(minute_key(start + timedelta(minutes=i)), 0) for i in range(minutes)
        ]

    def spike(self, now: datetime) -> Spike | None:
        s = self.series(now, BASELINE + 2)
        base = max(1.0, statistics.median(s[:BASELINE]))
        for idx in (len(s) - 1, len(s) - 2):  # this minute, or the last full one
            if s[idx] >= MIN_SPIKE and s[idx] >= FACTOR * base:
                minute = now.replace(second=0, microsecond=0) - timedelta(minutes=len(s) - 1 - idx)
                return Spike(minute_key(minute), s[idx], base)
        return None

    def prune(self, now: datetime, keep: int = WINDOW + BASELINE) -> None:
        cutoff = minute_key(now - timedelta(minutes=keep))
        for k in [k for k in self.counts if k < cutoff]:
            del self.counts[k]
