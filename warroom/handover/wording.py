"""Values as a person reads them in exports: lists, times, counts.

The record stores machine forms (a JSON list for the affected services, UTC ISO
times for milestones); exports for people show ``dns, www``, the time in the export's
zone with UTC alongside, and counts with the right plural. Lists and counts come from
``warroom.base.humanize`` (the words the GUI uses too); times use the export's own
clock, so every time in one file has the same form. Qt-free.
"""

from __future__ import annotations

from typing import Protocol

from warroom.base import humanize
from warroom.domain.incidents import FIELD_LABELS, MILESTONES

_TIME_FIELDS = frozenset({*MILESTONES, "next_update_due"})
_LONG_TEXT = frozenset({"summary", "impact", "objectives", "root_cause"})


class _Clock(Protocol):
    def full(self, utc: str | None) -> str: ...


def plural(count: int, one: str, many: str | None = None) -> str:
    """``1 entry``, ``2 entries``, ``0 entries``."""
    return humanize.count(count, one, many)


def field_value(field: str, value: str | None, clock: _Clock, *, limit: int = 0) -> str:
    """A tracked field's stored value as a person reads it (``—`` when empty)."""
    if value is None or value == "" or value == "[]":
        return "—"
    if field == "affected_services":
        return humanize.stored_list(value, empty="—")
    if field in _TIME_FIELDS:
        try:
            return clock.full(value)
        except ValueError:
            return value
    if limit and len(value) > limit:
        return value[:limit] + "…"
    return value


def change_text(field: str, old: str | None, new: str | None, clock: _Clock) -> str:
    """The words of an automatic field-change entry, with readable values."""
    label = FIELD_LABELS.get(field, field).capitalize()
    was, now = field_value(field, old, clock, limit=200), field_value(field, new, clock, limit=200)
    was = "(none)" if was == "—" else was
    now = "(none)" if now == "—" else now
    if field in _LONG_TEXT:
        return f"{label} changed from: {was}\n\nto: {now}"
    return f"{label} changed from {was} to {now}"


def hidden_note(hidden: int, *, included: bool) -> str:
    """``; 1 hidden entry left out`` or ``, 2 of them hidden`` (empty when none)."""
    if not hidden:
        return ""
    if included:
        return f", {hidden:,} of them hidden"
    return f"; {plural(hidden, 'hidden entry', 'hidden entries')} left out"
