"""What exports for people show, gathered once: the incident, its current entries in
timeline order, actions, history, evidence, and the clock (chosen zone plus UTC).

Hidden entries are left out unless asked for (they are always in the JSON bundle).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta, tzinfo
from pathlib import Path
from typing import Any

from warroom.base import timeutil
from warroom.base.errors import NotFound, UsageError
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
    incident: Incident
    entries: list[Entry]
    changes: list[IncidentChange]
    actions: list[ActionItem]
    evidence: list[q.EvidenceRecord]
    clock: Clock
    include_hidden: bool = False
    hidden_count: int = 0
    generated_at: str = ""
    generated_by: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def pinned(self) -> list[Entry]:
        return [e for e in self.entries if e.pinned]


def _entry(r: tuple[Any, ...]) -> Entry:
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
) -> ExportView:
    inc = q.get_incident(store, incident_id)
    if inc is None:
        raise NotFound(f"no incident {incident_id!r}")
    rows = hq.read_entry_rows(store, inc.id, include_hidden=include_hidden, tuples=True)
    clock = make_clock(tz)
    return ExportView(
        incident=inc,
        entries=_readable([_entry(r) for r in rows], clock),
        changes=q.incident_changes(store, inc.id),
        actions=q.action_items(store, inc.id),
        evidence=q.evidence(store, inc.id),
        clock=clock,
        include_hidden=include_hidden,
        hidden_count=hq.count_hidden(store, inc.id),
        generated_at=timeutil.now_str(),
        generated_by=generated_by,
    )


def _readable(entries: list[Entry], clock: Clock) -> list[Entry]:
    """Automatic entries reworded from their meta for people: the stored text of a
    field change holds raw values (``["dns", "www"]``, UTC ISO times); exports show
    them as the timeline does, in the export's zone."""
    from warroom.handover.wording import change_text

    for i, e in enumerate(entries):
        if e.kind == "status" and e.meta and "field" in e.meta:
            m = e.meta
            text = change_text(str(m["field"]), m.get("old"), m.get("new"), clock)
            entries[i] = replace(e, text=text)
        elif e.kind == "handover" and e.meta and e.meta.get("acknowledged_at"):
            m = e.meta
            text = (
                f"Handover: command passed from {m.get('from', '?')} to {m.get('to', '?')} "
                f"(acknowledged {clock.full(str(m['acknowledged_at']))})"
            )
            entries[i] = replace(e, text=text)
    return entries


def duration(start: str | None, end: str | None) -> str:
    if not start or not end:
        return ""
    secs = (timeutil.parse_utc(end) - timeutil.parse_utc(start)).total_seconds()
    return timeutil.fmt_duration(secs)
