"""What a dashboard cell says, in words and colours, without Qt.

The model, the detail panel, the charts and the pane all word a series the same
way (``UP 42 ms``, ``DOWN dns_servfail · 4m``, the tooltip's lines); keeping that
here keeps the model about rows and roles, and lets tests read the words directly.
"""

from __future__ import annotations

from datetime import UTC, datetime

from warroom.base import timeutil
from warroom.domain.probes import ProbeResult, State, Status
from warroom.probes.state import SeriesState
from warroom.probes.summary import BAD, NO_BROKEN, broken_text, effective, short_age
from warroom.ui.dashboard.remote import probes_text

# Colour pairs (background, text) chosen to read in light and dark themes alike; the
# text and icon say the same thing, colour only makes it faster.
STATE_COLOURS: dict[str, tuple[str, str]] = {
    "down": ("#c62828", "#ffffff"),
    "degraded": ("#f9a825", "#000000"),
    "up": ("#d7efd9", "#14532d"),
    "pending": ("#e3e3e3", "#333333"),
    "offline": ("#cfd8dc", "#263238"),
    "vantage": ("#cfd8dc", "#263238"),
    "unknown": ("#cfd8dc", "#263238"),  # a remote group whose API failed: no news
}
STATE_ICONS = {"down": "down", "degraded": "degraded", "up": "up"}


def fmt_latency(ms: float | None) -> str:
    """``42 ms`` / ``1.3 s``; empty when there is none."""
    if ms is None:
        return ""
    if ms < 1000:
        return f"{ms:.0f} ms"
    return f"{ms / 1000:.1f} s"


def cell_text(s: SeriesState, word: str | None = None) -> str:
    """``UP 42 ms``, ``DEGRADED 1.3 s``, ``DOWN dns_servfail``, ``PENDING``: what the
    cell says apart from since when (``cell_age``, added when shown)."""
    word = effective(s) if word is None else word
    last = s.last
    if word == "offline":
        return "OFFLINE?"
    if word == "vantage":
        return "VANTAGE?"
    if word == "unknown" and s.note:
        return s.note  # "world: API unreachable since 10:42"
    if last is None:
        if s.state is not State.PENDING:  # restored after a restart, no sample yet
            return s.state.value.upper()
        return "PENDING"
    if word in ("up", "degraded"):
        text = f"{word.upper()} {fmt_latency(last.latency_ms)}".rstrip()
        if last.status is Status.DOWN:  # still up by hysteresis, but this sample failed
            text += f" (last: {last.error or 'down'})"
    elif word == "down":
        text = f"DOWN {last.error or ''}".rstrip()
    else:
        text = word.upper()
    if s.remote:
        text += probes_text(s)  # " · 2/2": how many of the group's probes agree
    if s.flapping:
        text += " · flapping"
    return text


def failing(s: SeriesState) -> bool:
    """Down (or a pending series whose sample failed), as ``broken_vantages`` counts."""
    if s.offline:
        return False
    if s.state is State.DOWN:
        return True
    return s.state is State.PENDING and s.last is not None and s.last.status is Status.DOWN


def cell_age(s: SeriesState, word: str, now: datetime) -> str:
    """`` · 4m`` for a down or degraded cell: since when, at a glance."""
    if word in BAD and s.since is not None:
        return f" · {short_age((now - s.since).total_seconds())}"
    return ""


def fmt_when(t: datetime) -> str:
    """Local time and UTC side by side: ``10:42:05 CET (09:42:05Z)``."""
    local = t.astimezone()
    utc = t.astimezone(UTC)
    if local.utcoffset() == utc.utcoffset():  # the workstation runs on UTC: say it once
        return f"{utc:%H:%M:%S}Z"
    return f"{local:%H:%M:%S} {local:%Z} ({utc:%H:%M:%S}Z)"


def result_facts(r: ProbeResult) -> list[tuple[str, str]]:
    """What one check found, as (label, value) lines: the tooltip and the detail panel
    say the same facts in the same order."""
    facts = [("Last check", f"{fmt_when(r.time)}, {r.status}")]
    if r.latency_ms is not None:
        facts.append(("Latency", fmt_latency(r.latency_ms)))
    if r.error:
        facts.append(("Error", r.error))
    if r.detail:
        facts.append(("Detail", r.detail))
    if r.address:
        facts.append(("Address", r.address))
    return facts


def cell_tooltip(s: SeriesState, broken: frozenset[str] = NO_BROKEN) -> str:
    word = effective(s, broken)
    lines = [f"{s.target} via {s.vantage} ({s.check}): {word.upper()}"]
    if word == "vantage":
        lines[0] = f"{s.target} via {s.vantage} ({s.check}): no verdict"
        lines.append(broken_text(s.vantage) + ", so this failure says little about the target")
    if s.since is not None:
        ago = timeutil.fmt_duration(max(0.0, (timeutil.now() - s.since).total_seconds()))
        lines.append(f"since {fmt_when(s.since)}, {ago}")
    if s.last is not None:
        lines += [f"{label.lower()}: {value}" for label, value in result_facts(s.last)]
    if s.remote:
        if s.note:
            lines.append(s.note + ": the remote probes could not be asked; not an outage")
        members = s.last.extra.get("members") if s.last is not None else None
        if isinstance(members, list) and members:
            lines.append("probes: " + "; ".join(str(m) for m in members))
        lines.append("remote: probes in another network, on a slower rhythm")
    if s.flapping:
        lines.append("flapping: the state changes often; read the trend, not the colour")
    if s.offline:
        lines.append("this workstation was offline: the last failure says nothing about the target")
    return "\n".join(lines)
