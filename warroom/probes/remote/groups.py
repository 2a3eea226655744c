"""Remote probes in groups: one series per (target, vantage, location).

Each remote probe that answers gives its own CONTRACT record (``remote`` and ``group``).
For the state machine and the dashboard the probes of one location are one series,
named ``"<vantage> <group>"`` (``ch-isps AS3303``; vantage names hold no spaces, so it
cannot collide with a local vantage). Its sample per round is the majority of the
probes that answered (a tie counts as the worse status), with how many agreed.
"""

from __future__ import annotations

import re
import statistics
from collections import Counter
from collections.abc import Iterable, Sequence

from warroom.base.jsonval import as_object
from warroom.domain.probes import ProbeResult, Status

_WORSE = {Status.UP: 0, Status.DEGRADED: 1, Status.DOWN: 2}


def series_name(vantage: str, group: str) -> str:
    return f"{vantage} {group}"


def group_of(r: ProbeResult) -> str | None:
    g = r.extra.get("group")
    return g if isinstance(g, str) else None


def short_network(name: str | None) -> str | None:
    """``Swisscom (Schweiz) AG`` -> ``Swisscom``: what a reader recognises."""
    if not name:
        return None
    s = re.sub(r"\s*\([^)]*\)", "", name).strip()
    s = re.sub(
        r"[,\s]+(AG|GmbH|SA|S\.A\.|Ltd\.?|Limited|Inc\.?|LLC|B\.V\.|SE|S\.p\.A\.|Sagl|SARL)$",
        "",
        s,
        flags=re.I,
    )
    return s.strip() or name


def aggregate(target: str, vantage: str, group: str, probes: Sequence[ProbeResult]) -> ProbeResult:
    """The one sample of a group for this round (``probes`` answered, at least one)."""
    counts = Counter(r.status for r in probes)
    top = max(counts.values())
    status = max((s for s, n in counts.items() if n == top), key=lambda s: _WORSE[s])
    agree = [r for r in probes if r.status is status]
    lat = [r.latency_ms for r in agree if r.latency_ms is not None]
    remotes = [as_object(r.extra.get("remote")) for r in probes]
    nets = Counter(m.get("network") for m in remotes)
    asns = Counter(m.get("asn") for m in remotes)
    network = nets.most_common(1)[0][0] if nets else None
    asn = asns.most_common(1)[0][0] if asns else None
    first = agree[0]
    extra: dict[str, object] = {
        "group": group,
        "remote_vantage": vantage,
        "probes": {"agree": len(agree), "total": len(probes)},
        "asn": asn,
        "network": network,
        # Each probe in a few words, for a tooltip: "Zurich (AS3303): down refused".
        "members": [_member(r) for r in probes],
    }
    detail = first.detail
    if len(probes) > 1:
        detail = f"{len(agree)} of {len(probes)} probes: {detail}"
    return ProbeResult(
        time=max(r.time for r in probes),
        target=target,
        vantage=series_name(vantage, group),
        check=first.check,
        status=status,
        latency_ms=statistics.median(lat) if lat else None,
        error=first.error if status is not Status.UP else None,
        detail=detail,
        address=first.address,
        extra=extra,
    )


def _member(r: ProbeResult) -> str:
    remote = as_object(r.extra.get("remote"))
    where = remote.get("city") or remote.get("country") or remote.get("probe") or "probe"
    asn = remote.get("asn")
    said = f"{r.status} {r.error}" if r.error else str(r.status)
    if r.latency_ms is not None and r.error is None:
        said += f" {r.latency_ms:.0f} ms"
    return f"{where} (AS{asn}): {said}" if asn else f"{where}: {said}"


def aggregate_all(results: Iterable[ProbeResult]) -> list[ProbeResult]:
    """One group sample per (target, vantage, group) present in ``results``."""
    by: dict[tuple[str, str, str], list[ProbeResult]] = {}
    for r in results:
        g = group_of(r)
        if g is not None:
            by.setdefault((r.target, r.vantage, g), []).append(r)
    return [aggregate(t, v, g, rs) for (t, v, g), rs in by.items()]


def figure(
    status: str, agree: int | None, total: int | None, group: str, network: str | None
) -> str:
    """``down from 2 of 2 probes in AS3303 (Swisscom)``: the evidence in one phrase."""
    plural = "probe" if total == 1 else "probes"
    n = f"{agree} of {total} {plural}" if agree is not None and total else "probes"
    net = short_network(network)
    where = f"{group} ({net})" if net and net != group else group
    return f"{status} from {n} in {where}"
