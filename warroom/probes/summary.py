"""The words a commander reads: ``www: down via isp-b, isp-lie for 4 min; up via isp-a``.

Shared by the command line, the dashboard and the new-incident dialog, so all say
exactly the same thing. Everything here works on ``SeriesState`` (the engine's state)
and is Qt-free.

Remote groups are named with their probe counts: ``down via isp-b, ch-isps AS3303 (2 of
2 probes)``; a group whose API failed says ``unknown`` with the reason, never ``down``.
``remote_figures`` / ``stored_remote_figures`` give the evidence in the words a report
quotes ("down from 2 of 2 probes in AS3303 (Swisscom)"), from live states or from the
stored state changes: for the handover brief, the report and the composer.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from warroom.domain.probes import State, Status
from warroom.probes.remote.groups import figure
from warroom.probes.state import SeriesState

if TYPE_CHECKING:
    from warroom.store import Store

# Worst first: the order of the groups in a summary and of rows on a dashboard. A series
# seen through a vantage that fails for every target says nothing about its target:
# it ranks last, never as an outage.
# A remote group whose API failed is ``unknown``: like a broken vantage, it says nothing
# about the target, so it ranks last and never makes a target look worse.
SEVERITY = {
    "down": 0,
    "degraded": 1,
    "offline": 2,
    "pending": 3,
    "up": 4,
    "vantage": 5,
    "unknown": 5,
}
BAD = ("down", "degraded")
NO_BROKEN: frozenset[str] = frozenset()
BROKEN_MIN_TARGETS = 3  # fewer failing targets than this are not enough to blame a vantage


def effective(s: SeriesState, broken: Collection[str] = NO_BROKEN) -> str:
    """The state, except: a gated series says ``offline``; a series via a ``broken``
    vantage that is down says ``vantage``; a pending one with a sample says what its
    last sample said (so a single round still reads naturally)."""
    if s.offline:
        return "offline"
    if s.note is not None:
        return "unknown"
    pending_sample = s.state is State.PENDING and s.last is not None
    word = str(s.last.status) if pending_sample and s.last is not None else str(s.state)
    if word == "down" and s.vantage in broken:
        return "vantage"
    return word


def short_age(seconds: float) -> str:
    """``45s``, ``4m``, ``2h 05m``, ``3d 4h``: for a table cell."""
    s = int(max(0.0, seconds))
    if s < 60:
        return f"{s}s"
    if s < 3600:
        return f"{s // 60}m"
    if s < 86400:
        return f"{s // 3600}h {s % 3600 // 60:02d}m"
    return f"{s // 86400}d {s % 86400 // 3600}h"


def long_age(seconds: float) -> str:
    """``45 s``, ``4 min``, ``2 h 5 min``, ``3 d 4 h``: for a sentence."""
    s = int(max(0.0, seconds))
    if s < 60:
        return f"{s} s"
    if s < 3600:
        return f"{s // 60} min"
    if s < 86400:
        h, m = divmod(s // 60, 60)
        return f"{h} h {m} min" if m else f"{h} h"
    d, h = divmod(s // 3600, 24)
    return f"{d} d {h} h" if h else f"{d} d"


_LABEL = {
    "offline": "unknown (workstation offline)",
    "vantage": "unknown (vantage broken)",
}


def _probes(s: SeriesState) -> tuple[int, int] | None:
    p = s.last.extra.get("probes") if s.last is not None else None
    if isinstance(p, dict) and isinstance(p.get("agree"), int) and isinstance(p.get("total"), int):
        return p["agree"], p["total"]
    return None


def _name(s: SeriesState, word: str) -> str:
    """A local vantage by name; a remote group with how many of its probes say so."""
    counts = _probes(s) if s.remote and word not in ("unknown", "vantage") else None
    if counts is None:
        return s.vantage
    return f"{s.vantage} ({counts[0]} of {counts[1]} probe{'s' if counts[1] != 1 else ''})"


def target_summary(
    target: str,
    series: Iterable[SeriesState],
    *,
    now: datetime | None = None,
    broken: Collection[str] = NO_BROKEN,
) -> str:
    """``www: down via isp-b, isp-lie; up via isp-a`` (groups worst first, vantages in
    the given order). With ``now``, a down or degraded group says for how long, from
    the first of its vantages to fall: ``down via isp-b, isp-lie for 4 min``."""
    groups: dict[str, list[SeriesState]] = {}
    for s in series:
        if s.target == target:
            groups.setdefault(effective(s, broken), []).append(s)
    if not groups:
        return f"{target}: no vantages"
    parts = []
    for word in sorted(groups, key=lambda w: SEVERITY.get(w, 9)):
        group = groups[word]
        part = f"{_LABEL.get(word, word)} via {', '.join(_name(s, word) for s in group)}"
        sinces = [s.since for s in group if s.since is not None]
        if now is not None and word in BAD and sinces:
            part += f" for {long_age((now - min(sinces)).total_seconds())}"
        notes = list(dict.fromkeys(s.note for s in group if word == "unknown" and s.note))
        if notes:
            part += f" ({'; '.join(notes)})"
        parts.append(part)
    return f"{target}: " + "; ".join(parts)


def worst(series: Iterable[SeriesState], broken: Collection[str] = NO_BROKEN) -> str:
    """The worst effective state among the series ('up' when there are none)."""
    words = [effective(s, broken) for s in series]
    return min(words, key=lambda w: SEVERITY.get(w, 9)) if words else "up"


# Failures that only a working vantage can report: something beyond its own resolver,
# proxy and link answered (a server, or the proxy saying what it found on the way).
ANSWERED_ERRORS = frozenset(
    {
        "http_status",
        "body_mismatch",
        "banner_mismatch",
        "redirect_loop",
        "tls_expired",
        "tls_untrusted",
        "tls_hostname",
        "cert_expiring",
        "dns_nxdomain",
        "dns_mismatch",
    }
)


def answered_beyond(s: SeriesState) -> bool:
    """Did this failure come from beyond the vantage's own path? Then the vantage works
    and the finding is about the targets, as seen from its network ("the host is
    unreachable from isp-b": the seed outage), however many targets it concerns."""
    r = s.last
    if r is None or r.error is None:
        return False
    return r.error in ANSWERED_ERRORS or r.detail.startswith("via proxy:")


def broken_vantages(series: Iterable[SeriesState]) -> list[str]:
    """Vantages that fail for every target they probe (at least three) while another
    vantage still reaches each of those targets: the vantage's own resolver, proxy or
    link is the likely culprit, not the targets. A network-wide outage, where every
    vantage fails, breaks no vantage: it is an outage. Nor does a vantage whose failures
    were answered from beyond it (``answered_beyond``): a proxy that reports the host
    unreachable is a working path to a finding."""
    states = series if isinstance(series, list) else list(series)
    # First a cheap pass (this runs on every dashboard update): which vantages have
    # only failing series?
    n: dict[str, int] = {}
    ok: dict[str, bool] = {}
    down, pending, status_down = State.DOWN, State.PENDING, Status.DOWN
    for s in states:
        if s.remote:  # many independent probes: a whole network down is a finding
            continue
        v = s.vantage
        n[v] = n.get(v, 0) + 1
        if ok.get(v, True):
            st = s.state
            is_down = not s.offline and (
                st is down
                or (st is pending and s.last is not None and s.last.status is status_down)
            )
            ok[v] = is_down and not answered_beyond(s)
    suspects = {v for v, c in n.items() if c >= BROKEN_MIN_TARGETS and ok.get(v, False)}
    if not suspects:
        return []
    by_vantage: dict[str, list[SeriesState]] = {}
    by_target: dict[str, list[SeriesState]] = {}
    for s in states:
        if s.vantage in suspects:
            by_vantage.setdefault(s.vantage, []).append(s)
        by_target.setdefault(s.target, []).append(s)
    out = []
    for v, group in by_vantage.items():
        if all(
            any(o.vantage != v and effective(o) in ("up", "degraded") for o in by_target[s.target])
            for s in group
        ):
            out.append(v)
    return out


def broken_text(vantage: str) -> str:
    return f"{vantage} fails for every target: the vantage itself may be broken"


@dataclass(frozen=True, slots=True)
class KnownNow:
    """What the probes know right now, for a new incident to start from."""

    affected: tuple[str, ...]  # targets down (or degraded) via some working vantage
    text: str  # one line: "Down now: www: down via isp-b for 4 min; up via isp-a. ..."

    def __bool__(self) -> bool:
        return bool(self.affected)


def known_now(series: Iterable[SeriesState], now: datetime, *, degraded: bool = True) -> KnownNow:
    """The targets that are down now (and degraded ones, unless ``degraded=False``),
    worst first, with one line saying how each looks: what a new incident's affected
    services and first entry should say. Series via a broken vantage do not count.
    Empty (falsy) when everything is fine or nothing is probed."""
    states = list(series)
    broken = frozenset(broken_vantages(states))
    by_target: dict[str, list[SeriesState]] = {}
    for s in states:
        by_target.setdefault(s.target, []).append(s)
    wanted = ("down", "degraded") if degraded else ("down",)
    hit = [(worst(g, broken), t) for t, g in by_target.items()]
    hit = [(w, t) for w, t in hit if w in wanted]
    hit.sort(key=lambda x: SEVERITY[x[0]])  # stable: config order within a state
    if not hit:
        return KnownNow((), "")
    lines = [target_summary(t, by_target[t], now=now, broken=broken) for _, t in hit]
    text = "Probes now: " + ". ".join(lines)
    if broken:
        text += ". " + ". ".join(broken_text(v) for v in sorted(broken))
    return KnownNow(tuple(t for _, t in hit), text)


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


def stored_remote_figures(store: Store, *, at: datetime | None = None) -> dict[str, list[str]]:
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
