"""The composer's core, shared by the window and ``warroom publish``: no Qt.

- ``measurements``: the workspace's latest probe states as the honesty check reads them.
- ``values_for``: template values from an incident (service, since, next update, URL).
- ``Cadence``: when the next update is due (SEV1 every 15 min, SEV2 30 min, ...;
  restarted by every publication) and how to say it ("next update due in 12 min").
- ``review``: a draft held against every rule at once (per-channel lengths, the honesty
  findings, approval), so both front ends show the same verdict.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, tzinfo
from typing import TYPE_CHECKING

from warroom.base import timeutil
from warroom.social import honesty, lengths, templates
from warroom.social.channels import ChannelSpec, CommsSettings
from warroom.social.honesty import Finding, VantageState

if TYPE_CHECKING:
    from warroom.domain.incidents import Incident
    from warroom.store.db import Store

log = logging.getLogger(__name__)


def measurements(
    store: Store, settings: CommsSettings | None = None, *, now: datetime | None = None
) -> list[VantageState]:
    """The latest stored probe state per (target, vantage), fresh ones only."""
    from warroom.store.comms import latest_probe_states

    max_age = (settings or CommsSettings()).measurement_max_age
    return [
        VantageState(r["target"], r["vantage"], r["status"], r["since"])
        for r in latest_probe_states(store, max_age_s=max_age, now=now)
    ]


def remote_lines(store: Store) -> Callable[[str], Sequence[str]] | None:
    """Extra figures per target from the remote vantage groups stored in the workspace
    ("down from 2 of 2 probes in AS3303 (Swisscom)"); only the ``down`` ones, since they
    are what contradicts a claim. None when this build has no remote vantages."""
    from warroom.probes import summary

    fn = getattr(summary, "stored_remote_figures", None)
    if fn is None:
        return None
    cache: dict[str, list[str]] | None = None

    def lines(target: str) -> Sequence[str]:
        nonlocal cache
        if cache is None:
            try:
                cache = dict(fn(store))
            except Exception:  # figures are a help; never block publishing on them
                log.warning("remote figures unavailable", exc_info=True)
                cache = {}
        return [x for x in cache.get(target, []) if str(x).startswith("down")]

    return lines


# -- cadence ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Cadence:
    """When the next public update is due for an incident.

    The due time is the incident's own ``next_update_due`` (set by every publication to
    now + the cadence of its severity, or by hand with ``warroom incident set
    --next-update``); before anything was published it counts from detection.
    """

    severity: str
    every_s: float
    due: datetime | None
    last: datetime | None = None  # the last publication, if any

    def remaining_s(self, now: datetime | None = None) -> float | None:
        if self.due is None:
            return None
        return (self.due - (now or timeutil.now())).total_seconds()

    def overdue(self, now: datetime | None = None) -> bool:
        left = self.remaining_s(now)
        return left is not None and left <= 0

    def text(self, now: datetime | None = None, tz: tzinfo | None = None) -> str:
        """``next update due in 12 min (11:15)`` or ``next update overdue by 3 min``."""
        left = self.remaining_s(now)
        if left is None or self.due is None:
            return "no update due"
        at = honesty.clock(self.due, tz, now)
        if left <= 0:
            return f"next update overdue by {_minutes(-left)} (was due {at})"
        return f"next update due in {_minutes(left)} ({at})"

    def short(self, now: datetime | None = None) -> str:
        """``update due in 12 min`` / ``update overdue by 3 min`` for a status bar."""
        left = self.remaining_s(now)
        if left is None:
            return ""
        if left <= 0:
            return f"update overdue by {_minutes(-left)}"
        return f"update due in {_minutes(left)}"


def _minutes(seconds: float) -> str:
    if seconds < 60:
        return f"{int(seconds)} s"
    m = int(seconds // 60)
    return f"{m} min" if m < 120 else f"{m // 60} h {m % 60:02d} min"


def cadence_for(store: Store, incident: Incident, settings: CommsSettings) -> Cadence:
    """The cadence of an incident (a domain Incident); none once it is resolved."""
    from warroom.store.comms import last_published_at

    every = settings.cadence_for(str(incident.severity))
    last = last_published_at(store, incident.id)
    due = None
    if str(incident.status) != "resolved":
        if incident.next_update_due:
            due = timeutil.parse_utc(incident.next_update_due)
        else:
            start = incident.detected_at or incident.created_at
            due = timeutil.parse_utc(start) + timedelta(seconds=every) if start else None
    return Cadence(str(incident.severity), every, due, last)


# -- template values --------------------------------------------------------------------


def values_for(
    incident: Incident, settings: CommsSettings, *, next_update: datetime | None = None
) -> templates.Values:
    since_raw = getattr(incident, "started_at", None) or getattr(incident, "detected_at", None)
    return templates.Values(
        service=settings.service or str(getattr(incident, "title", "")),
        since=timeutil.parse_utc(since_raw) if since_raw else None,
        next_update=next_update,
        status_url=settings.status_url,
        title=str(getattr(incident, "title", "")),
        severity=str(getattr(incident, "severity", "")),
        now=timeutil.now(),
    )


# -- review -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Review:
    """Everything the front ends show beside a draft before publishing."""

    counts: Mapping[str, lengths.Count]
    findings: Sequence[Finding]
    problems: Sequence[str] = field(default_factory=tuple)  # block publishing

    @property
    def needs_confirmation(self) -> bool:
        return bool(self.findings)

    @property
    def blocked(self) -> bool:
        return bool(self.problems)


def review(
    text: str,
    channels: Sequence[ChannelSpec],
    states: Sequence[VantageState],
    *,
    limits: Mapping[str, int | None] | None = None,
    tz: tzinfo | None = None,
    extra: Callable[[str], Sequence[str]] | None = None,
    affected: Sequence[str] = (),
) -> Review:
    counts = {
        c.name: lengths.count_for(c.kind, text, mastodon_limit=(limits or {}).get(c.name))
        for c in channels
    }
    problems = []
    if not text.strip():
        problems.append("the text is empty")
    for name, count in counts.items():
        if count.over:
            problems.append(f"too long for {name}: {count}")
    findings = honesty.check(text, states, tz=tz, extra=extra, affected=affected)
    return Review(counts, findings, tuple(problems))
