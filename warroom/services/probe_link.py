"""Probe state changes become the incident's story: timeline entries and evidence.

Qt-free, so the command line could do the same; the dashboard hands each batch of
``StateChange`` from the bridge to ``ProbeLink.handle`` on a worker thread (writes
never wait on the UI thread).

Modes (``LinkMode``): ``all`` (every change except the first verdict of a fresh
series: a probe starting up and finding the target up is not news), ``down``
(only a target going down and recovering from down; the default) and ``off``.

One entry per (target, new state) per batch, so a resolver outage that takes down
three vantages at once reads as one line (and more than ``MAX_ENTRIES_PER_BATCH``
targets at once, a mass outage, become one entry per state naming them all)::

    www DOWN via isp-b (dns_servfail: SERVFAIL from 127.0.0.1:5353), isp-lie (refused)

Entries (and the change of affected services) are written by the system author
``probe`` (``PROBE_AUTHOR``), never by a person.

Its ``meta`` holds ``source="probe"``, ``targets``, ``state``, ``changes`` (one dict
per vantage: vantage, old, new, check, error, detail, address, latency_ms, time,
flapping) and, for a one-target entry, ``target``, ``summary`` and, copied from the
first change for simple readers, ``vantage``, ``error``, ``detail`` and ``address``.
Each change is also an ``evidence`` row (kind ``probe``, source ``target/vantage``,
data = the CONTRACT probe record plus old/new), linked to the entry. A target that
goes down is added to the incident's affected services (never removed on recovery:
it was affected).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from warroom.base import ids, timeutil
from warroom.base.jsonval import JSONObject
from warroom.domain.probes import State, StateChange
from warroom.services.timeline import Timeline
from warroom.store import timeline as tq

log = logging.getLogger(__name__)


# Entries the link writes are the machine's, not the commander's or the OS user's: the
# record must show what a person wrote and what a probe wrote.
PROBE_AUTHOR = "probe"


class LinkMode(StrEnum):
    ALL = "all"
    DOWN = "down"  # only down and recovered
    OFF = "off"


# More (target, state) groups than this in one batch become one entry per state.
MAX_ENTRIES_PER_BATCH = 5

LINK_MODE_LABELS = {
    LinkMode.ALL: "all changes",
    LinkMode.DOWN: "only down and recovered",
    LinkMode.OFF: "off",
}


def parse_mode(text: str | None) -> LinkMode:
    try:
        return LinkMode(str(text or LinkMode.DOWN).strip().lower())
    except ValueError:
        return LinkMode.DOWN


def is_down(c: StateChange) -> bool:
    return c.new is State.DOWN and c.old is not State.DOWN


def is_recovery(c: StateChange) -> bool:
    return c.old is State.DOWN and c.new in (State.UP, State.DEGRADED)


def wanted(c: StateChange, mode: LinkMode) -> bool:
    """Does this change belong in the timeline in this mode?"""
    if mode is LinkMode.OFF:
        return False
    if mode is LinkMode.DOWN:
        return is_down(c) or is_recovery(c)
    # ALL: but not a fresh series' first "it is up" (startup noise, thousands of lines).
    return not (c.old is State.PENDING and c.new in (State.UP, State.PENDING))


def _why(c: StateChange) -> str:
    r = c.result
    if c.new is State.DOWN or (c.new is State.DEGRADED and r.error):
        bits = [b for b in (r.error, r.detail) if b]
        return ": ".join(bits)
    if r.latency_ms is not None:
        return f"{r.latency_ms:.0f} ms"
    return ""


def entry_text(target: str, new: State, changes: list[StateChange], summary: str = "") -> str:
    recovered = all(c.old is State.DOWN for c in changes) and new is not State.DOWN
    head = (
        f"{target} recovered ({new.value.upper()})"
        if recovered
        else f"{target} {new.value.upper()}"
    )
    parts = []
    for c in changes:
        bits = [b for b in (_why(c), "flapping" if c.flapping else "") if b]
        parts.append(f"{c.vantage} ({', '.join(bits)})" if bits else c.vantage)
    text = f"{head} via {', '.join(parts)}"
    if summary and summary != text:
        text += f". Now: {summary}"
    return text


def mass_text(new: State, targets: Mapping[str, list[StateChange]]) -> str:
    """``14 targets DOWN: www (isp-b, isp-lie), shop (system), …``."""
    recovered = new is not State.DOWN and all(
        c.old is State.DOWN for g in targets.values() for c in g
    )
    head = f"{len(targets)} targets " + (
        f"recovered ({new.value.upper()})" if recovered else new.value.upper()
    )
    parts = [f"{t} ({', '.join(c.vantage for c in g)})" for t, g in targets.items()]
    return f"{head}: {', '.join(parts)}"


def _evidence_of(c: StateChange) -> JSONObject:
    r = c.result
    return {
        "vantage": c.vantage,
        "old": c.old.value,
        "new": c.new.value,
        "check": r.check,
        "error": r.error,
        "detail": r.detail,
        "address": r.address,
        "latency_ms": None if r.latency_ms is None else round(r.latency_ms, 3),
        "time": timeutil.fmt(c.time),
        "flapping": c.flapping,
    }


@dataclass
class LinkResult:
    entries: list[str] = field(default_factory=list)  # new entry ids
    affected_added: list[str] = field(default_factory=list)


class ProbeLink:
    """Writes probe state changes into the active incident.

    ``summaries`` (optional) gives the current summary sentence of a target, so an
    entry also says how the whole target looks now. Thread-safe as far as the store is:
    the dashboard calls it from one worker thread, never the UI thread.
    """

    def __init__(
        self,
        timeline: Timeline,
        mode: LinkMode | str = LinkMode.DOWN,
        *,
        summaries: Callable[[str], str] | None = None,
    ) -> None:
        # Written as ``probe`` (entries, evidence, the affected-services change), even
        # when handed the commander's Timeline. (Other views notice these writes as they
        # notice any other writer's: through the store.)
        if timeline.author != PROBE_AUTHOR:
            timeline = Timeline(timeline.store, author=PROBE_AUTHOR)
        self.timeline = timeline
        self.mode = parse_mode(mode)
        self.summaries = summaries

    def handle(
        self,
        incident: str | None,
        changes: Iterable[StateChange],
        *,
        summaries: Mapping[str, str] | None = None,
        mode: LinkMode | None = None,
    ) -> LinkResult:
        """Log ``changes`` in ``incident``; ``summaries``/``mode`` override the
        instance's for this call (a worker gets them as they were when queued)."""
        out = LinkResult()
        mode = self.mode if mode is None else mode
        if incident is None or mode is LinkMode.OFF:
            return out
        groups: dict[tuple[str, State], list[StateChange]] = {}
        for c in changes:
            if wanted(c, mode):
                groups.setdefault((c.target, c.new), []).append(c)
        if not groups:
            return out

        def summary_of(target: str) -> str:
            if summaries is not None:
                return summaries.get(target, "")
            return self.summaries(target) if self.summaries else ""

        entries: list[tuple[str, JSONObject, list[StateChange], list[str]]] = []
        if len(groups) <= MAX_ENTRIES_PER_BATCH:
            for (target, new), group in groups.items():
                summary = summary_of(target)
                first = group[0]
                meta: JSONObject = {
                    "source": "probe",
                    "target": target,
                    "targets": [target],
                    "state": new.value,
                    "changes": [_evidence_of(c) for c in group],
                    "vantage": first.vantage,
                    "error": first.result.error,
                    "detail": first.result.detail,
                    "address": first.result.address,
                }
                if summary:
                    meta["summary"] = summary
                entries.append((entry_text(target, new, group, summary), meta, group, [target]))
        else:
            # A mass outage: one entry per new state, naming every target, instead of a
            # flood of lines nobody can read (the evidence keeps every detail).
            by_state: dict[State, dict[str, list[StateChange]]] = {}
            for (target, new), group in groups.items():
                by_state.setdefault(new, {})[target] = group
            for new, per_target in by_state.items():
                group = [c for g in per_target.values() for c in g]
                meta = {
                    "source": "probe",
                    "targets": list(per_target),
                    "state": new.value,
                    "changes": [_evidence_of(c) for c in group],
                }
                entries.append((mass_text(new, per_target), meta, group, list(per_target)))

        went_down: list[str] = []
        for text, meta, group, names in entries:
            res = self.timeline.log(
                incident,
                text,
                kind="probe",
                author=PROBE_AUTHOR,
                at=min(c.time for c in group),
                meta=meta,
                tags=["probe", *names[:MAX_ENTRIES_PER_BATCH]],
            )
            entry = res.value
            out.entries.append(entry.id)
            with self.timeline.store.write() as conn:
                for c in group:
                    data = c.result.record()
                    data.update(old=c.old.value, new=c.new.value, flapping=c.flapping)
                    tq.insert_evidence(
                        conn,
                        {
                            "id": ids.new_id(),
                            "incident": entry.incident,
                            "entry": entry.id,
                            "kind": "probe",
                            "captured_at": timeutil.fmt(c.time),
                            "source": f"{c.target}/{c.vantage}",
                            "data": data,
                        },
                    )
            if meta["state"] == State.DOWN.value:
                went_down.extend(names)
        if went_down:
            inc = self.timeline.incident(incident)
            have = list(inc.affected_services)
            add = [t for t in dict.fromkeys(went_down) if t not in have]
            if add:
                self.timeline.set_incident(incident, affected_services=[*have, *add])
                out.affected_added = add
        return out
