"""What exports for people show, gathered once: the incident, its current entries in
timeline order, actions, history, evidence, and the clock (chosen zone plus UTC).

Hidden entries are left out unless asked for (they are always in the JSON bundle).
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, tzinfo
from functools import cached_property
from pathlib import Path
from typing import Final

from warroom.base import timeutil
from warroom.base.errors import NotFound, UsageError
from warroom.base.jsonval import as_object, get_opt_str, get_str
from warroom.domain.incidents import ActionItem, Entry, Incident, IncidentChange
from warroom.store import handover as hq
from warroom.store import timeline as q
from warroom.store.db import Store


class Clock:
    """Formats stored UTC strings in the export's zone, with UTC alongside.

    Caches per minute: 100,000 entries share a few thousand minutes, and zone math
    is the slow part.
    """

    def __init__(self, tz: tzinfo, name: str) -> None:
        self.tz = tz
        self.name = name
        self.is_utc = all(
            datetime(2026, m, 1, tzinfo=UTC).astimezone(tz).utcoffset() == timedelta(0)
            for m in (1, 7)
        )
        self._minute: dict[str, tuple[str, str, str]] = {}

    def _parts(self, utc: str) -> tuple[str, str, str]:
        key = utc[:16]
        hit = self._minute.get(key)
        if hit is None:
            t = timeutil.parse_utc(key + ":00Z").astimezone(self.tz)
            hit = (t.strftime("%Y-%m-%d"), t.strftime("%H:%M"), t.strftime("%Z") or self.name)
            self._minute[key] = hit
        return hit

    def day(self, utc: str) -> str:
        """The local calendar day, ``2026-11-24``."""
        return self._parts(utc)[0]

    def time(self, utc: str) -> str:
        """``10:42:05 CET`` (local clock time with zone abbreviation)."""
        _, hm, zone = self._parts(utc)
        return f"{hm}:{utc[17:19]} {zone}"

    def utc_time(self, utc: str) -> str:
        """``09:42:05Z``, with the date when the UTC day differs from the local one."""
        if self.day(utc) != utc[:10]:
            return f"{utc[:10]} {utc[11:19]}Z"
        return f"{utc[11:19]}Z"

    def stamp(self, utc: str) -> tuple[str, str, str]:
        """(``day``, ``time``, ``utc_time``) with one cache look-up (the HTML timeline
        asks for all three per entry)."""
        day, hm, zone = self._parts(utc)
        secs = utc[17:19]
        at = f"{utc[11:19]}Z" if day == utc[:10] else f"{utc[:10]} {utc[11:19]}Z"
        return day, f"{hm}:{secs} {zone}", at

    def full(self, utc: str | None) -> str:
        """``2026-11-24 10:42:05 CET (09:42:05Z)``; UTC only once when the zone is UTC."""
        if not utc:
            return "—"
        if self.is_utc:
            return f"{utc[:10]} {utc[11:19]} UTC"
        return f"{self.day(utc)} {self.time(utc)} ({utc[:10]} {utc[11:19]}Z)"


def local_zone_name() -> str:
    """The IANA name of the zone the timeline shows (the process's local zone).

    ``$TZ`` first, as the C library reads it (``:Europe/Berlin`` and a path into the
    zone database included), then the zone /etc/localtime points at, else UTC. A
    ``$TZ`` that is no IANA name (a POSIX rule such as ``CET-1CEST``) is passed over.
    """
    env = os.environ.get("TZ", "").strip().removeprefix(":")
    candidates = [env]
    if "zoneinfo/" in env:
        candidates.append(env.split("zoneinfo/", 1)[1])
    try:
        link = Path("/etc/localtime").resolve()
        if "zoneinfo" in link.parts:
            candidates.append("/".join(link.parts[link.parts.index("zoneinfo") + 1 :]))
    except OSError:
        pass
    for name in candidates:
        if name and not name.startswith("/"):
            try:
                timeutil.parse_zone(name)
            except UsageError:
                continue
            return name
    return "UTC"


def make_clock(tz_name: str | None) -> Clock:
    tz = timeutil.local_zone(tz_name)
    return Clock(tz, tz_name or str(getattr(tz, "key", "") or datetime.now(tz).strftime("%Z")))


@dataclass
class ExportView:
    """``rows`` are the current entries as read (texts of automatic entries already
    reworded): the Markdown and HTML timelines are written from them directly, which
    saves building 100,000 ``Entry`` objects; ``entries`` builds those on first use."""

    incident: Incident
    rows: list[hq.EntryRow]
    changes: list[IncidentChange]
    actions: list[ActionItem]
    evidence: list[q.EvidenceRecord]
    clock: Clock
    include_hidden: bool = False
    hidden_count: int = 0
    generated_at: str = ""
    generated_by: str = ""
    extra: dict[str, object] = field(default_factory=dict)

    @cached_property
    def entries(self) -> list[Entry]:
        return [row_entry(r) for r in self.rows]

    @property
    def pinned(self) -> list[Entry]:
        return [row_entry(r) for r in self.rows if r[ROW_PINNED]]


# Positions in ``hq.EntryRow`` that the exports read.
ROW_META: Final = 4
ROW_OCCURRED: Final = 5
ROW_KIND: Final = 6
ROW_TEXT: Final = 7
ROW_PINNED: Final = 9


def row_entry(r: hq.EntryRow) -> Entry:
    """``Entry.from_row`` for a plain tuple in ``read_entry_rows`` order, without the
    per-row overhead that matters at 100,000 rows."""
    (eid, inc, rec, author, meta, occ, kind, text, tags, pinned, external, hidden,
     reason, revision, current, edited_at, edited_by, conflict) = r  # fmt: skip
    return Entry(
        eid, inc, rec, author, occ, kind, text, tuple(tags.split(" ")) if tags else (),
        bool(pinned), bool(external), bool(hidden), reason, revision, current, edited_at,
        edited_by, bool(conflict), {} if meta in ("{}", "", None) else json.loads(meta),
    )  # fmt: skip


def load_view(
    store: Store,
    incident_id: str,
    *,
    tz: str | None = None,
    include_hidden: bool = False,
    generated_by: str = "",
    rows: Callable[[Store, str], list[hq.EntryRow]] | None = None,
) -> ExportView:
    """The incident as exports show it. ``rows``: how to read the entries, when not
    all of them are wanted (the brief's few); by default every current entry."""
    inc = q.get_incident(store, incident_id)
    if inc is None:
        raise NotFound(f"no incident {incident_id!r}")
    if rows is None:
        entry_rows = hq.read_entry_rows(store, inc.id, include_hidden=include_hidden)
    else:
        entry_rows = rows(store, inc.id)
    clock = make_clock(tz)
    return ExportView(
        incident=inc,
        rows=_readable(entry_rows, clock),
        changes=q.incident_changes(store, inc.id),
        actions=q.action_items(store, inc.id),
        evidence=q.evidence(store, inc.id),
        clock=clock,
        include_hidden=include_hidden,
        hidden_count=hq.count_hidden(store, inc.id),
        generated_at=timeutil.now_str(),
        generated_by=generated_by,
    )


def _readable(rows: list[hq.EntryRow], clock: Clock) -> list[hq.EntryRow]:
    """Automatic entries reworded from their meta for people: the stored text of a
    field change holds raw values (``["dns", "www"]``, UTC ISO times); exports show
    them as the timeline does, in the export's zone."""
    from warroom.handover.wording import change_text

    for i, r in enumerate(rows):
        kind, meta = r[ROW_KIND], r[ROW_META]
        if kind not in ("status", "handover") or meta in ("{}", ""):
            continue
        m = as_object(json.loads(meta))
        if kind == "status" and "field" in m:
            text = change_text(str(m["field"]), get_opt_str(m, "old"), get_opt_str(m, "new"), clock)
        elif kind == "handover" and m.get("acknowledged_at"):
            text = (
                f"Handover: command passed from {get_str(m, 'from', '?')} to "
                f"{get_str(m, 'to', '?')} (acknowledged {clock.full(str(m['acknowledged_at']))})"
            )
        else:
            continue
        rows[i] = (*r[:7], text, *r[8:])  # ROW_TEXT replaced
    return rows


def duration(start: str | None, end: str | None) -> str:
    if not start or not end:
        return ""
    secs = (timeutil.parse_utc(end) - timeutil.parse_utc(start)).total_seconds()
    return timeutil.fmt_duration(secs)
