"""The words a commander reads: ``www: down via isp-b, isp-lie; up via isp-a``.

Shared by the command line and the dashboard so both say exactly the same thing.
Remote groups are named with their probe counts: ``down via isp-b, ch-isps AS3303 (2 of
2 probes)``; a group whose API failed says ``unknown`` with the reason, never ``down``.

``remote_figures`` / ``stored_remote_figures`` give the evidence in the words a report
quotes ("down from 2 of 2 probes in AS3303 (Swisscom)"), from live states or from the
stored state changes; Qt-free, for the handover brief, the report and the composer.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from warroom.domain.probes import State
from warroom.probes.remote.groups import figure
from warroom.probes.state import SeriesState

# Worst first: the order of the groups in a summary and of rows on a dashboard.
# A remote group whose API failed is ``unknown``: it says nothing about the target, so
# it ranks last and never makes a target look worse.
SEVERITY = {"down": 0, "degraded": 1, "offline": 2, "pending": 3, "up": 4, "unknown": 5}


def effective(s: SeriesState) -> str:
    """The state, except: a gated series says ``offline``; a pending one with a sample
    says what its last sample said (so a single round still reads naturally)."""
    if s.offline:
        return "offline"
    if s.note is not None:
        return "unknown"
    if s.state is State.PENDING and s.last is not None:
        return str(s.last.status)
    return str(s.state)


def target_summary(target: str, series: Iterable[SeriesState]) -> str:
    """``www: down via isp-b, isp-lie; up via isp-a`` (groups worst first, vantages in
    the given order)."""
    groups: dict[str, list[str]] = {}
    notes: dict[str, list[str]] = {}
    for s in series:
        if s.target == target:
            word = effective(s)
            groups.setdefault(word, []).append(_name(s, word))
            if word == "unknown" and s.note and s.note not in notes.setdefault(word, []):
                notes[word].append(s.note)
    if not groups:
        return f"{target}: no vantages"
    parts = []
    for word in sorted(groups, key=lambda w: SEVERITY.get(w, 9)):
        label = "unknown (workstation offline)" if word == "offline" else word
        why = f" ({'; '.join(notes[word])})" if notes.get(word) else ""
        parts.append(f"{label} via {', '.join(groups[word])}{why}")
    return f"{target}: " + "; ".join(parts)


def _probes(s: SeriesState) -> tuple[int, int] | None:
    p = s.last.extra.get("probes") if s.last is not None else None
    if isinstance(p, dict) and isinstance(p.get("agree"), int) and isinstance(p.get("total"), int):
        return p["agree"], p["total"]
    return None


def _name(s: SeriesState, word: str) -> str:
    """A local vantage by name; a remote group with how many of its probes say so."""
    counts = _probes(s) if s.remote and word != "unknown" else None
    if counts is None:
        return s.vantage
    return f"{s.vantage} ({counts[0]} of {counts[1]} probe{'s' if counts[1] != 1 else ''})"


def remote_figures(series: Iterable[SeriesState], target: str | None = None) -> list[str]:
    """``www: down from 2 of 2 probes in AS3303 (Swisscom)`` per remote group with a
    sample, worst first (``target`` given: without the ``www:`` prefix)."""
    rows = []
    for s in series:
        if not s.remote or s.last is None or (target is not None and s.target != target):
            continue
        word = effective(s)
        if word == "unknown":
            continue
        counts = _probes(s) or (None, None)
        group = str(s.last.extra.get("group") or s.vantage)
        net = s.last.extra.get("network")
        text = figure(word, counts[0], counts[1], group, net if isinstance(net, str) else None)
        rows.append((SEVERITY.get(word, 9), s.target, text))
    rows.sort(key=lambda r: (r[0], r[1]))
    return [text if target is not None else f"{t}: {text}" for _, t, text in rows]


def stored_remote_figures(store: Any, *, at: datetime | None = None) -> dict[str, list[str]]:
    """Per target, the stored evidence of its remote groups (their latest state change
    at ``at``): ``{"www": ["down from 2 of 2 probes in AS3303 (Swisscom)", ...]}``.
    Worst first; empty when there are no remote vantages or no probe tables."""
    from warroom.store import probes as probe_store

    try:
        rows = probe_store.latest_remote(store, at=at)
    except Exception:  # no probe tables yet (an empty workspace): no evidence
        return {}
    out: dict[str, list[tuple[int, str]]] = {}
    for r in rows:
        text = figure(
            str(r["new"]),
            r["probes_agree"],
            r["probes_total"],
            str(r["remote_group"]),
            r["remote_network"],
        )
        out.setdefault(str(r["target"]), []).append((SEVERITY.get(str(r["new"]), 9), text))
    return {t: [x for _, x in sorted(v)] for t, v in out.items()}


def worst(series: Iterable[SeriesState]) -> str:
    """The worst effective state among the series ('up' when there are none)."""
    words = [effective(s) for s in series]
    return min(words, key=lambda w: SEVERITY.get(w, 9)) if words else "up"
