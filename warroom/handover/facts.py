"""Measured facts for the brief and the report: the probe picture and measured downtime.

Both come from the probe engine's state changes (``warroom.store.probes.changes``:
debounced by fail_after/recover_after and kept forever, unlike raw samples). They are
read tolerantly: no probe tables, no rows or odd values simply mean "no probe data".
A (target, vantage) series is down from a change to ``down`` until its next change.
Per target we report the time it was down from any vantage, the time it was down
from every vantage that probed it, and which vantages saw it down.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from typing import TypedDict

from warroom.base import timeutil
from warroom.store.db import Store

log = logging.getLogger(__name__)
MAX_CHANGES = 1_000_000


@dataclass(frozen=True)
class Sample:
    """The current state of one (target, vantage) series: its latest state change."""

    target: str
    vantage: str
    status: str
    time: str
    error: str | None = None
    detail: str = ""


class _Change(TypedDict):
    """The part of a stored probe state change a report reads."""

    time: str
    target: str
    vantage: str
    new: str
    error: str | None
    detail: str


def _all_changes(store: Store) -> list[_Change]:
    """Every state change, oldest first; empty when there is no probe data."""
    try:
        from warroom.store import probes

        rows = probes.changes(store, limit=MAX_CHANGES)
    except Exception:  # tolerant by design: a report must not fail on probe data
        log.debug("no probe changes readable", exc_info=True)
        return []
    out: list[_Change] = []
    for r in rows:
        try:
            out.append(
                {
                    "time": str(r["time"]),
                    "target": str(r["target"]),
                    "vantage": str(r["vantage"]),
                    "new": str(r["new"]),
                    "error": r.get("error"),
                    "detail": str(r.get("detail") or ""),
                }
            )
        except (KeyError, TypeError, AttributeError):
            continue
    out.sort(key=lambda c: str(c["time"]))
    return out


@dataclass
class Picture:
    """The latest state per (target, vantage)."""

    samples: list[Sample]
    # Remote groups' evidence per target: "down from 2 of 2 probes in AS3303 (Swisscom)".
    remote: dict[str, list[str]] = field(default_factory=dict)

    @property
    def targets(self) -> list[str]:
        return sorted({s.target for s in self.samples})

    @property
    def vantages(self) -> list[str]:
        return sorted({s.vantage for s in self.samples})

    def status(self, target: str, vantage: str) -> Sample | None:
        for s in self.samples:
            if s.target == target and s.vantage == vantage:
                return s
        return None

    def down_via(self, target: str) -> list[str]:
        return sorted(s.vantage for s in self.samples if s.target == target and s.status == "down")

    def probed_via(self, target: str) -> list[str]:
        return sorted(s.vantage for s in self.samples if s.target == target)


def probe_picture(store: Store, *, at: str | None = None) -> Picture:
    latest: dict[tuple[str, str], _Change] = {}
    for c in _all_changes(store):
        if at is None or c["time"] <= at:
            latest[(c["target"], c["vantage"])] = c
    return Picture(
        [
            Sample(t, v, c["new"], c["time"], c["error"], c["detail"])
            for (t, v), c in sorted(latest.items())
        ],
        remote=remote_evidence(store, at=at),
    )


def remote_evidence(store: Store, *, at: str | None = None) -> dict[str, list[str]]:
    """Per target, what the remote probe groups last said (``probes.summary``); {} when
    there are none. Tolerant like the rest: a report never fails on probe data."""
    try:
        from warroom.probes.summary import stored_remote_figures

        return stored_remote_figures(store, at=timeutil.parse_utc(at) if at else None)
    except Exception:
        log.debug("no remote probe evidence readable", exc_info=True)
        return {}


@dataclass
class TargetDowntime:
    target: str
    vantages: list[str]
    down_vantages: list[str]
    down_any_s: float
    down_all_s: float
    first_down: str | None = None
    last_down_end: str | None = None

    @property
    def all_vantages_down(self) -> bool:
        return self.down_all_s > 0 and len(self.vantages) > 1


@dataclass
class Measurements:
    start: str
    end: str
    targets: list[TargetDowntime] = field(default_factory=list)
    remote: dict[str, list[str]] = field(default_factory=dict)  # see remote_evidence

    @property
    def has_data(self) -> bool:
        return bool(self.targets)


def _secs(a: str, b: str) -> float:
    return (timeutil.parse_utc(b) - timeutil.parse_utc(a)).total_seconds()


def measure_downtime(store: Store, start: str, end: str) -> Measurements:
    """Measured downtime per target between ``start`` and ``end`` (stored UTC strings)."""
    m = Measurements(start, end, remote=remote_evidence(store, at=end))
    series: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for c in _all_changes(store):
        if c["time"] <= end:
            series.setdefault((c["target"], c["vantage"]), []).append((c["time"], c["new"]))
    by_target: dict[str, dict[str, list[tuple[str, str]]]] = {}
    for (target, vantage), states in series.items():
        intervals: list[tuple[str, str]] = []
        for i, (t, state) in enumerate(states):
            if state != "down":
                continue
            nxt = states[i + 1][0] if i + 1 < len(states) else end
            a, b = max(t, start), min(nxt, end)
            if a < b:
                intervals.append((a, b))
        by_target.setdefault(target, {})[vantage] = intervals
    for target, per_v in sorted(by_target.items()):
        events: list[tuple[str, int]] = []
        for ivs in per_v.values():
            for a, b in ivs:
                events += [(a, 1), (b, -1)]
        events.sort(key=lambda x: (x[0], x[1]))
        n_all = len(per_v)
        active, any_s, all_s, prev = 0, 0.0, 0.0, None
        for t, delta in events:
            if prev is not None and active > 0:
                span = _secs(prev, t)
                any_s += span
                if active == n_all:
                    all_s += span
            active += delta
            prev = t
        starts = [a for ivs in per_v.values() for a, _ in ivs]
        ends = [b for ivs in per_v.values() for _, b in ivs]
        m.targets.append(
            TargetDowntime(
                target=target,
                vantages=sorted(per_v),
                down_vantages=sorted(v for v, ivs in per_v.items() if ivs),
                down_any_s=any_s,
                down_all_s=all_s,
                first_down=min(starts) if starts else None,
                last_down_end=max(ends) if ends else None,
            )
        )
    return m


# -- wording the measurements contradict -----------------------------------------

DOWNPLAYING = [
    r"only (?:some|a few|individual|certain|single|isolated)\b(?:\s+[\w-]+){0,2}",
    r"(?:some|a few|individual|certain|isolated) (?:access |internet |network )?"
    r"(?:providers?|isps?|networks?|users|customers)",
    r"(?:partial|partially|intermittent(?:ly)?|sporadic(?:ally)?|limited) "
    r"(?:outage|disruption|unreachab\w*|availability|impact|reachab\w*)",
    r"at times (?:made )?(?:harder|difficult|slow)",
    r"made (?:harder|more difficult)",
    r"\b(?:minor|slight) (?:disruption|issue|impact|problem)s?",
    r"nur (?:über |bei |für )?(?:einzelne|wenige|manche|vereinzelte|einige)\b(?:\s+[\w-]+)?",
    r"(?:einzelne|vereinzelte|wenige|manche) (?:zugangs|internet)?(?:provider|anbieter|netze)",
    r"zeitweise (?:erschwert|eingeschränkt|beeinträchtigt)",
    r"teilweise (?:erreichbar|nicht erreichbar|eingeschränkt|gestört)",
]
_DOWNPLAYING = re.compile("|".join(f"(?:{p})" for p in DOWNPLAYING), re.I)


@dataclass(frozen=True)
class WordingFinding:
    phrase: str
    where: str
    contradiction: str


def wording_findings(texts: list[tuple[str, str]], m: Measurements) -> list[WordingFinding]:
    """Phrases that play the outage down while every vantage point saw a target down.

    ``texts`` are (where, text) pairs, e.g. ("summary", ...), ("comms 10:42", ...).
    """
    total = [t for t in m.targets if t.all_vantages_down]
    if not total:
        return []
    worst = max(total, key=lambda t: t.down_all_s)
    contradiction = (
        f"probes saw {worst.target} down from all {len(worst.vantages)} vantage points "
        f"({', '.join(worst.vantages)}) for {timeutil.fmt_duration(worst.down_all_s)}"
    )
    if len(total) > 1:
        contradiction += f"; {len(total)} targets were down from every vantage point"
    down_remote = [f for f in m.remote.get(worst.target, []) if f.startswith("down from")]
    if down_remote:
        contradiction += "; " + "; ".join(down_remote)
    out = []
    for where, text in texts:
        for match in _DOWNPLAYING.finditer(text or ""):
            out.append(WordingFinding(match.group(0).strip(), where, contradiction))
    return out
