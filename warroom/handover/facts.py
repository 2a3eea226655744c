"""Measured facts for the brief and the report: the probe picture and measured downtime.

Probe samples (table ``probe_samples``, written by the probe engine) are read
tolerantly: no table, no rows or odd values simply mean "no probe data". Downtime of
one (target, vantage) series is the time from each ``down`` sample to the next sample
of that series (or the end of the period). Per target we report the time it was down
from any vantage, the time it was down from every vantage that probed it, and which
vantages saw it down.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from warroom import timeutil
from warroom.store import handover as hq
from warroom.store.db import Store


@dataclass(frozen=True)
class Sample:
    target: str
    vantage: str
    status: str
    time: str
    error: str | None = None
    detail: str = ""
    latency_ms: float | None = None


@dataclass
class Picture:
    """The latest sample per (target, vantage)."""

    samples: list[Sample]

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
    rows = hq.latest_probe_samples(store, at_or_before=at)
    out = []
    for r in rows:
        try:
            out.append(
                Sample(
                    target=str(r["target"]),
                    vantage=str(r["vantage"]),
                    status=str(r["status"]),
                    time=str(r["time"]),
                    error=r["error"],
                    detail=str(r["detail"] or ""),
                    latency_ms=r["latency_ms"],
                )
            )
        except (KeyError, IndexError, TypeError):
            continue
    return Picture(out)


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

    @property
    def has_data(self) -> bool:
        return bool(self.targets)


def _secs(a: str, b: str) -> float:
    return (timeutil.parse_utc(b) - timeutil.parse_utc(a)).total_seconds()


def measure_downtime(store: Store, start: str, end: str) -> Measurements:
    """Measured downtime per target between ``start`` and ``end`` (stored UTC strings)."""
    m = Measurements(start, end)
    series: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for r in hq.probe_samples_between(store, start, end):
        try:
            series.setdefault((str(r["target"]), str(r["vantage"])), []).append(
                (str(r["time"]), str(r["status"]))
            )
        except (KeyError, IndexError, TypeError):
            continue
    by_target: dict[str, dict[str, list[tuple[str, str]]]] = {}
    for (target, vantage), samples in series.items():
        intervals = []
        for i, (t, status) in enumerate(samples):
            if status != "down":
                continue
            nxt = samples[i + 1][0] if i + 1 < len(samples) else end
            if intervals and intervals[-1][1] == t:
                intervals[-1] = (intervals[-1][0], nxt)
            else:
                intervals.append((t, nxt))
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
        down = sorted(v for v, ivs in per_v.items() if ivs)
        starts = [a for ivs in per_v.values() for a, _ in ivs]
        ends = [b for ivs in per_v.values() for _, b in ivs]
        m.targets.append(
            TargetDowntime(
                target=target,
                vantages=sorted(per_v),
                down_vantages=down,
                down_any_s=any_s,
                down_all_s=all_s,
                first_down=min(starts) if starts else None,
                last_down_end=max(ends) if ends else None,
            )
        )
    return m


# -- wording the measurements contradict -----------------------------------------

DOWNPLAYING = [
    r"only (?:some|a few|individual|certain|single|isolated)\b[^.\n]{0,60}",
    r"(?:some|a few|individual|certain|isolated) (?:access |internet |network )?"
    r"(?:providers?|isps?|networks?|users|customers)",
    r"(?:partial|partially|intermittent(?:ly)?|sporadic(?:ally)?|limited) "
    r"(?:outage|disruption|unreachab\w*|availability|impact|reachab\w*)",
    r"at times (?:made )?(?:harder|difficult|slow)",
    r"made (?:harder|more difficult)",
    r"\b(?:minor|slight) (?:disruption|issue|impact|problem)s?",
    r"nur (?:über |bei |für )?(?:einzelne|wenige|manche|vereinzelte|einige)\b[^.\n]{0,60}",
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
    out = []
    for where, text in texts:
        for match in _DOWNPLAYING.finditer(text or ""):
            out.append(WordingFinding(match.group(0).strip(), where, contradiction))
    return out
