"""Remote vantages on the dashboard: which columns, in which order, and what they say.

A remote vantage adds one column per location (``ch-isps AS3303``). Columns of the same
network sit together, whichever probe network asked (Globalping's AS3303 next to RIPE
Atlas's AS3303), after the local vantages. Their headers name the network once it is
known ("AS3303 Swisscom") and say that they are remote and slower ("remote · 5 min").
Qt-free: the model asks these functions and keeps the answers.
"""

from __future__ import annotations

from dataclasses import dataclass

from warroom.domain.workspace import WorkspaceConfig
from warroom.probes.remote.groups import series_name, short_network
from warroom.probes.remote.runner import KIND_LABEL
from warroom.probes.state import SeriesState


@dataclass(frozen=True, slots=True)
class RemoteColumn:
    series: str  # "ch-isps AS3303": the column's vantage key
    vantage: str  # "ch-isps"
    group: str  # "AS3303"
    kind: str  # "Globalping", "RIPE Atlas"
    interval_s: float


def remote_columns(config: WorkspaceConfig) -> list[RemoteColumn]:
    """Every remote group some target is probed from, grouped by network."""
    used = {v.name for t in config.targets for v in config.remote_vantages_of(t)}
    cols = []
    for v in config.remote_vantages():
        if v.remote is None or v.name not in used:
            continue
        for g in v.remote.locations:
            cols.append(
                RemoteColumn(
                    series_name(v.name, g),
                    v.name,
                    g,
                    KIND_LABEL.get(v.remote.kind, v.remote.kind),
                    v.remote.interval or config.probe.remote_interval,
                )
            )
    order = {g: i for i, g in enumerate(dict.fromkeys(c.group for c in cols))}
    return sorted(cols, key=lambda c: order[c.group])  # stable: file order within a group


def every(seconds: float) -> str:
    """``5 min``, ``30 s``, ``1 h``: how often, in a header."""
    s = int(seconds)
    if s % 3600 == 0:
        return f"{s // 3600} h"
    if s % 60 == 0:
        return f"{s // 60} min"
    return f"{s} s"


def header(col: RemoteColumn, network: str | None) -> str:
    """Two short lines, so every column stays in view: ``AS3303 Swisscom`` / ``remote ·
    5 min`` (the vantage's name and the probe network are in the tooltip)."""
    net = short_network(network)
    first = f"{col.group} {net}" if net and net != col.group else col.group
    return f"{first}\nremote · {every(col.interval_s)}"


def header_tooltip(col: RemoteColumn, network: str | None, local_interval_s: float) -> str:
    where = f" ({network})" if network else ""
    return (
        f"Remote: {col.kind} probes in {col.group}{where}, asked through the vantage "
        f"{col.vantage!r}. Checked every {every(col.interval_s)} (local vantages every "
        f"{every(local_interval_s)}): metered by [probe] remote_budget_per_hour."
    )


def probes_text(s: SeriesState) -> str:
    """`` · 2/2`` after a remote cell's state: how many of its probes agree."""
    p = s.last.extra.get("probes") if s.last is not None else None
    if isinstance(p, dict) and isinstance(p.get("agree"), int) and p.get("total"):
        return f" · {p['agree']}/{p['total']}"
    return ""


def world_tip(remote: bool) -> str:
    """The tooltip of "Check from the world"; without remote vantages, how to get one."""
    tip = (
        "Ask the remote vantages (probes in other networks) about the selected target now, "
        "instead of waiting for their slower rhythm; metered by the hourly budget"
    )
    if remote:
        return tip
    return tip + (
        ". No remote vantage yet: add one with globalping = URL or ripe_atlas = URL in "
        "the workspace file (docs/probes.md)"
    )
