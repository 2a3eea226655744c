"""The words a commander reads: ``www: down via isp-b, isp-lie; up via isp-a``.

Shared by the command line and the dashboard so both say exactly the same thing.
"""

from __future__ import annotations

from collections.abc import Iterable

from warroom.domain.probes import State
from warroom.probes.state import SeriesState

# Worst first: the order of the groups in a summary and of rows on a dashboard.
SEVERITY = {"down": 0, "degraded": 1, "offline": 2, "pending": 3, "up": 4}


def effective(s: SeriesState) -> str:
    """The state, except: a gated series says ``offline``; a pending one with a sample
    says what its last sample said (so a single round still reads naturally)."""
    if s.offline:
        return "offline"
    if s.state is State.PENDING and s.last is not None:
        return str(s.last.status)
    return str(s.state)


def target_summary(target: str, series: Iterable[SeriesState]) -> str:
    """``www: down via isp-b, isp-lie; up via isp-a`` (groups worst first, vantages in
    the given order)."""
    groups: dict[str, list[str]] = {}
    for s in series:
        if s.target == target:
            groups.setdefault(effective(s), []).append(s.vantage)
    if not groups:
        return f"{target}: no vantages"
    parts = []
    for word in sorted(groups, key=lambda w: SEVERITY.get(w, 9)):
        label = "unknown (workstation offline)" if word == "offline" else word
        parts.append(f"{label} via {', '.join(groups[word])}")
    return f"{target}: " + "; ".join(parts)


def worst(series: Iterable[SeriesState]) -> str:
    """The worst effective state among the series ('up' when there are none)."""
    words = [effective(s) for s in series]
    return min(words, key=lambda w: SEVERITY.get(w, 9)) if words else "up"
