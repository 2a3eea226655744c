"""State per (target, vantage): pending, up, degraded, down, with hysteresis and flapping.

Rules (``fail_after`` = F, ``recover_after`` = R; counts are of consecutive samples):

- pending: the first ``up`` sample makes it up at once; F ``down`` samples make it down;
  F samples that are degraded or worse make it degraded.
- up/degraded -> down after F consecutive ``down`` samples.
- up -> degraded after F consecutive samples that are degraded or worse.
- down -> up (or degraded, if the last sample was degraded) after R consecutive samples
  that are not down.
- degraded -> up after R consecutive ``up`` samples.

Flapping (Nagios-like, on sample statuses): over the last ``FLAP_WINDOW`` transitions
between samples, the share that changed status. Flapping starts at ``FLAP_HIGH`` and
ends below ``FLAP_LOW`` (hysteresis, so the flag itself does not flap).

``restore`` continues a series from the state stored before a restart.

A sample the self-connectivity gate set aside (``offline=True``) is shown but does not
move any counter: the workstation was offline, so it says nothing about the target.
"""

from __future__ import annotations

import itertools
from collections import deque
from dataclasses import dataclass
from datetime import datetime

from warroom.domain.probes import ProbeResult, State, StateChange, Status

FLAP_WINDOW = 20
FLAP_HIGH = 0.5
FLAP_LOW = 0.25
SPARK_POINTS = 60


@dataclass(frozen=True, slots=True)
class SeriesState:
    """What the dashboard shows for one (target, vantage) cell."""

    target: str
    vantage: str
    check: str
    state: State
    since: datetime | None
    last: ProbeResult | None
    latencies: tuple[float | None, ...]
    flapping: bool
    offline: bool
    # A remote group series (``ch-isps AS3303``): ``note`` says why it has no fresh
    # sample ("world: API unreachable since 10:42"); its state is then unknown, not down.
    remote: bool = False
    note: str | None = None


class SeriesTracker:
    """The state machine of one (target, vantage) series. Not thread-safe by itself."""

    def __init__(
        self, target: str, vantage: str, check: str, *, fail_after: int, recover_after: int
    ) -> None:
        self.target = target
        self.vantage = vantage
        self.check = check
        self.fail_after = fail_after
        self.recover_after = recover_after
        self.state = State.PENDING
        self.since: datetime | None = None
        self.last: ProbeResult | None = None
        self.n_down = self.n_notok = self.n_up = self.n_notdown = 0
        self.latencies: deque[float | None] = deque(maxlen=SPARK_POINTS)
        self._statuses: deque[Status] = deque(maxlen=FLAP_WINDOW + 1)
        self.flapping = False
        self.offline = False
        self.remote = False
        self.note: str | None = None

    def feed(self, result: ProbeResult, *, offline: bool = False) -> StateChange | None:
        """Take one sample; returns the change it caused, if any."""
        self.last = result
        self.offline = offline
        self.note = None
        self.latencies.append(result.latency_ms if result.status is not Status.DOWN else None)
        if offline:
            return None
        st = result.status
        self._count(st)
        self._flap(st)
        new = self._next(st)
        if new is self.state:
            return None
        old, self.state, self.since = self.state, new, result.time
        return StateChange(
            time=result.time,
            target=self.target,
            vantage=self.vantage,
            old=old,
            new=new,
            result=result,
            flapping=self.flapping,
        )

    def _count(self, st: Status) -> None:
        down, up = st is Status.DOWN, st is Status.UP
        self.n_down = self.n_down + 1 if down else 0
        self.n_notok = self.n_notok + 1 if not up else 0
        self.n_up = self.n_up + 1 if up else 0
        self.n_notdown = self.n_notdown + 1 if not down else 0

    def _flap(self, st: Status) -> None:
        self._statuses.append(st)
        s = list(self._statuses)
        changes = sum(1 for a, b in itertools.pairwise(s) if a is not b)
        share = changes / FLAP_WINDOW
        if not self.flapping and share >= FLAP_HIGH:
            self.flapping = True
        elif self.flapping and share < FLAP_LOW:
            self.flapping = False

    def _next(self, st: Status) -> State:
        f, r = self.fail_after, self.recover_after
        cur = self.state
        if self.n_down >= f:
            return State.DOWN
        if cur is State.DOWN:
            if self.n_notdown >= r:
                return State.UP if st is Status.UP else State.DEGRADED
            return State.DOWN
        if self.n_notok >= f:
            return State.DEGRADED
        if cur is State.PENDING:
            return State.UP if st is Status.UP else State.PENDING
        if cur is State.DEGRADED:
            return State.UP if self.n_up >= r else State.DEGRADED
        return cur

    def restore(
        self,
        state: State,
        since: datetime | None,
        last: ProbeResult | None,
        latencies: tuple[float | None, ...] = (),
    ) -> None:
        """Continue from a state remembered across a restart: the state holds until the
        samples say otherwise (the usual ``fail_after``/``recover_after`` counts), so an
        outage that outlived the restart is not a new change."""
        self.state = state
        self.since = since
        self.last = last
        self.latencies.clear()
        self.latencies.extend(latencies[-SPARK_POINTS:])

    def snapshot(self) -> SeriesState:
        return SeriesState(
            target=self.target,
            vantage=self.vantage,
            check=self.check,
            state=self.state,
            since=self.since,
            last=self.last,
            latencies=tuple(self.latencies),
            flapping=self.flapping,
            offline=self.offline,
            remote=self.remote,
            note=self.note,
        )
