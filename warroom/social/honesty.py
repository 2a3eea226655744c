"""The honesty check: a draft held against the measurements before it goes out.

In the seed outage the provider wrote that its services were "only unreachable via
individual access providers" while every network saw them down. This module finds
such claims in a draft and the figures that contradict them:

- a *partial* claim ("only", "some", "individual providers", "einzelne", "teilweise",
  "nur", "partially", ...) while some target is down from **every** vantage that has
  a current state;
- a *resolved* claim ("resolved", "fixed", "restored", "behoben", "wiederhergestellt",
  "résolu", ...) while some target is still down from **any** vantage.

A claim that is negated just before ("not only", "noch nicht behoben", "not yet
resolved") is not a claim. The figures read like
``www: down from 5 of 5 vantages since 10:42``. Qt-free: the window and the command
line call ``check`` with the states they have (the window's engine, or the workspace's
stored probe states for the command line).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo

import regex

PARTIAL_PHRASES = (
    # English
    "only",
    "some",
    "a few",
    "certain",
    "individual",
    "individual providers",
    "individual access providers",
    "isolated",
    "limited",
    "partial",
    "partially",
    "partly",
    "intermittent",
    "intermittently",
    "at times",
    "selected",
    "a small number",
    "a minority",
    # German
    "nur",
    "einzelne",
    "einzelnen",
    "einige",
    "manche",
    "teilweise",
    "vereinzelt",
    "zeitweise",
    "zeitweilig",
    "bestimmte",
    "bestimmten",
    # French
    "seulement",
    "uniquement",
    "certains",
    "certaines",
    "partiellement",
    "quelques",
)
RESOLVED_PHRASES = (
    "resolved",
    "fixed",
    "restored",
    "back online",
    "back up",
    "working normally",
    "fully operational",
    "operational again",
    "behoben",
    "gelöst",
    "wiederhergestellt",
    "wieder erreichbar",
    "wieder verfügbar",
    "funktioniert wieder",
    "résolu",
    "résolue",
    "rétabli",
    "rétablie",
)
NEGATIONS = frozenset({"not", "never", "no", "nicht", "nie", "kein", "keine", "pas", "jamais"})
_NEGATION_WINDOW = 3  # words before the claim that can negate it


def _pattern(phrases: Iterable[str]) -> regex.Pattern[str]:
    # Longest first so "individual access providers" wins over "individual".
    alts = sorted(phrases, key=len, reverse=True)
    body = "|".join(regex.escape(p).replace(r"\ ", r"\s+") for p in alts)
    return regex.compile(rf"(?<!\w)(?:{body})(?!\w)", regex.IGNORECASE)


_PARTIAL = _pattern(PARTIAL_PHRASES)
_RESOLVED = _pattern(RESOLVED_PHRASES)
_WORD = regex.compile(r"[\w']+")


@dataclass(frozen=True, slots=True)
class VantageState:
    """The current state of one (target, vantage) series, as the check needs it."""

    target: str
    vantage: str
    status: str  # up, degraded, down; anything else (pending, offline) is ignored
    since: datetime | None = None


@dataclass(frozen=True, slots=True)
class TargetFigures:
    """How one target looks from all vantages with a current state."""

    target: str
    down: tuple[str, ...]  # vantages that see it down
    total: int
    since: datetime | None  # earliest 'down since' among them

    @property
    def all_down(self) -> bool:
        return self.total > 0 and len(self.down) == self.total

    def line(self, tz: tzinfo | None = None, now: datetime | None = None) -> str:
        """``www: down from 5 of 5 vantages since 10:42`` (names when only some)."""
        text = f"{self.target}: down from {len(self.down)} of {self.total} vantages"
        if self.since is not None:
            text += " since " + clock(self.since, tz, now)
        if not self.all_down:
            text += f" ({', '.join(self.down)})"
        return text


@dataclass(frozen=True, slots=True)
class Claim:
    kind: str  # "partial" or "resolved"
    phrase: str  # as written in the draft
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Finding:
    """A claim and the measured figures that contradict it."""

    claim: Claim
    figures: tuple[str, ...]

    @property
    def message(self) -> str:
        what = (
            "suggests a partial outage"
            if self.claim.kind == "partial"
            else "says the problem is over"
        )
        return f'"{self.claim.phrase}" {what}, but ' + "; ".join(self.figures)


def clock(t: datetime, tz: tzinfo | None = None, now: datetime | None = None) -> str:
    """``10:42`` today (in ``tz``, default the workstation's zone), else ``29 Nov 10:42``."""
    local = t.astimezone(tz) if tz is not None else t.astimezone()
    ref = (now or datetime.now(local.tzinfo)).astimezone(local.tzinfo)
    if local.date() == ref.date():
        return local.strftime("%H:%M")
    return local.strftime("%d %b %H:%M").lstrip("0")


def _negated(text: str, start: int) -> bool:
    before = _WORD.findall(text[max(0, start - 40) : start].lower())
    window = before[-_NEGATION_WINDOW:]
    if window[-3:] == ["yet", "to", "be"]:  # "has yet to be resolved"
        return True
    return any(w in NEGATIONS or w.endswith("n't") for w in window)


def find_claims(text: str) -> list[Claim]:
    """Partial and resolved claims in a draft, in order of appearance."""
    claims = []
    for kind, pattern in (("partial", _PARTIAL), ("resolved", _RESOLVED)):
        for m in pattern.finditer(text):
            if not _negated(text, m.start()):
                claims.append(Claim(kind, m.group(0), m.start(), m.end()))
    claims.sort(key=lambda c: c.start)
    return claims


def figures(states: Iterable[VantageState]) -> list[TargetFigures]:
    """Per target (in first-seen order): which vantages see it down, of how many."""
    by_target: dict[str, list[VantageState]] = {}
    for s in states:
        if s.status in ("up", "degraded", "down"):
            by_target.setdefault(s.target, []).append(s)
    out = []
    for target, rows in by_target.items():
        down = [r for r in rows if r.status == "down"]
        sinces = [r.since for r in down if r.since is not None]
        out.append(
            TargetFigures(
                target=target,
                down=tuple(r.vantage for r in down),
                total=len(rows),
                since=min(sinces) if sinces else None,
            )
        )
    return out


def relevant_targets(text: str, measured: Sequence[str], affected: Iterable[str] = ()) -> set[str]:
    """The measured targets a draft speaks of: named in it, else the affected ones, else
    all (a draft that names nothing speaks of the whole service)."""
    lowered = text.casefold()
    named = {
        t
        for t in measured
        if regex.search(rf"(?<![\w-]){regex.escape(t.casefold())}(?![\w-])", lowered)
    }
    if named:
        return named
    hit = set(measured) & set(affected)
    return hit or set(measured)


def check(
    text: str,
    states: Iterable[VantageState],
    *,
    tz: tzinfo | None = None,
    now: datetime | None = None,
    extra: Callable[[str], Sequence[str]] | None = None,
    affected: Iterable[str] = (),
) -> list[Finding]:
    """Findings for the draft; empty when the measurements do not contradict it.

    Which targets the draft is about: those it names (``www``), else the incident's
    ``affected`` services that are measured, else every measured target.
    ``extra(target)`` may add lines for a contradicted target (e.g. the remote groups:
    "down from 2 of 2 probes in AS3303 (Swisscom)").
    """
    claims = find_claims(text)
    if not claims:
        return []
    figs = figures(states)
    about = relevant_targets(text, [f.target for f in figs], affected)
    figs = [f for f in figs if f.target in about]
    total_down = [f for f in figs if f.all_down]
    some_down = [f for f in figs if f.down]

    def lines(fs: list[TargetFigures]) -> tuple[str, ...]:
        out: list[str] = []
        for f in fs:
            out.append(f.line(tz, now))
            if extra is not None:
                out.extend(f"{f.target}: {x}" for x in extra(f.target))
        return tuple(out)

    findings = []
    for c in claims:
        contra = total_down if c.kind == "partial" else some_down
        if contra:
            findings.append(Finding(c, lines(contra)))
    return findings
