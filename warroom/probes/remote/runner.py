"""One remote round: every (remote vantage, target, location) measured once, metered.

``RemoteRunner.round()`` plans one measurement per (vantage, target, location), keeps
inside ``[probe] remote_budget_per_hour`` (what does not fit is skipped and said in
``warnings``), runs the measurements concurrently and returns the probes' records plus a
note per group series: ``None`` when probes answered, else why not ("world: API
unreachable since 10:42"). An API fault is a note on the vantage, never a target's
outage; an unknown location is reported with the file and line where it is written.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

import httpx

from warroom.base import timeutil
from warroom.base.jsonval import get_int
from warroom.domain.probes import ProbeResult
from warroom.domain.workspace import Target, Vantage, WorkspaceConfig
from warroom.probes.remote import api, globalping, ripe_atlas
from warroom.probes.remote.api import ApiError, Budget
from warroom.probes.remote.groups import series_name
from warroom.probes.remote.shapes import GpLocation

if TYPE_CHECKING:
    from warroom.store import Store

log = logging.getLogger(__name__)

SecretGetter = Callable[[str], "str | None"]
KIND_LABEL = {"globalping": "Globalping", "ripe_atlas": "RIPE Atlas"}
_WORDS = {
    api.UNREACHABLE: "API unreachable",
    api.SLOW: "API too slow",
    api.GARBAGE: "API answers garbage",
    api.UNAUTHORIZED: "token refused",
    api.RATE_LIMITED: "rate limited",
    api.NO_CREDITS: "out of credits",
}


def _default_secret(name: str) -> str | None:
    from warroom.system import secrets

    try:
        return secrets.get(name)
    except Exception as exc:  # a locked keyring: the vantage says so, probing goes on
        log.warning("secret %r unavailable: %s", name, type(exc).__name__)
        return None


@dataclass
class RemoteRound:
    results: list[ProbeResult] = field(default_factory=list)  # one per probe that answered
    notes: dict[tuple[str, str], str | None] = field(default_factory=dict)  # (target, series)
    vantage_notes: dict[str, str | None] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    unknown_locations: list[str] = field(default_factory=list)  # file:line: ... lines
    # The same as (file, line, field, message): the CLI makes it a workspace-file error.
    unknown_problems: list[tuple[str | None, int | None, str, str]] = field(default_factory=list)
    measurements: int = 0
    tests: int = 0


@dataclass(frozen=True, slots=True)
class _Job:
    vantage: Vantage
    target: Target
    group: str
    probes: int


class RemoteRunner:
    """Remote rounds for one config. Lives on one event loop (the engine's or the CLI's)."""

    def __init__(
        self,
        config: WorkspaceConfig,
        *,
        get_secret: SecretGetter | None = None,
        poll_interval: float = globalping.POLL_S,
        deadline_s: float | None = None,
        request_timeout: float = 10.0,
        budget: Budget | None = None,
        store: Store | None = None,
    ) -> None:
        """``store``: the workspace, whose ledger makes the hourly budget hold across
        processes (the GUI and each ``warroom probe`` run); None keeps it in memory."""
        self.config = config
        self._get_secret = get_secret or _default_secret
        self.poll_interval = poll_interval
        self.deadline_s = deadline_s
        self.request_timeout = request_timeout
        self.budget = budget or Budget(config.probe.remote_budget_per_hour)
        self.store = store
        self._http: httpx.AsyncClient | None = None
        self._reuse: dict[tuple[str, str], str] = {}  # (vantage, group) -> measurement id
        self._failing: dict[str, tuple[datetime, str]] = {}  # vantage -> (since, words)
        # vantage -> monotonic time before which a rate-limited API is not asked again
        self._blocked: dict[str, float] = {}
        self.quota: dict[str, str] = {}  # vantage -> "180 of 250 tests left this hour"
        self.polls = 0
        self.poll_log: list[tuple[str, float]] = []  # every poll sent: (measurement, time)

    def reconfigure(self, config: WorkspaceConfig) -> None:
        self.config = config
        self.budget.per_hour = config.probe.remote_budget_per_hour

    def has_work(self) -> bool:
        return any(self.config.remote_vantages_of(t) for t in self.config.targets)

    def interval_of(self, v: Vantage) -> float:
        assert v.remote is not None
        return v.remote.interval or self.config.probe.remote_interval

    async def aclose(self) -> None:
        if self._http is not None:
            await self._http.aclose()
            self._http = None

    def _client(self) -> httpx.AsyncClient:
        if self._http is None:
            # trust_env off: a proxy variable must not route the token elsewhere.
            self._http = httpx.AsyncClient(trust_env=False, follow_redirects=False)
        return self._http

    def plan(
        self, targets: list[str] | None = None, vantages: list[str] | None = None
    ) -> list[_Job]:
        jobs = []
        for t in self.config.targets:
            if targets is not None and t.name not in targets:
                continue
            for v in self.config.remote_vantages_of(t):
                if vantages is not None and v.name not in vantages:
                    continue
                assert v.remote is not None
                for g in v.remote.locations:
                    jobs.append(_Job(v, t, g, v.remote.probes))
        return jobs

    async def round(
        self, targets: list[str] | None = None, vantages: list[str] | None = None
    ) -> RemoteRound:
        out = RemoteRound()
        jobs = self.plan(targets, vantages)
        now = time.monotonic()
        waiting = {n for n, until in self._blocked.items() if until > now}
        for name in sorted({j.vantage.name for j in jobs} & waiting):
            # The API said when it takes requests again (X-RateLimit-Reset): until then
            # asking would only spend our budget on more 429s.
            left = timeutil.fmt_duration(self._blocked[name] - now)
            out.warnings.append(f"{name}: {self._failing[name][1]}; not asked again for {left}")
            out.vantage_notes[name] = self._note(name)
        for j in jobs:
            if j.vantage.name in waiting:
                out.notes[(j.target.name, series_name(j.vantage.name, j.group))] = self._note(
                    j.vantage.name
                )
        jobs = [j for j in jobs if j.vantage.name not in waiting]
        if not jobs:
            return out
        await self._ledger(load=True)
        fit: list[_Job] = []
        skipped: list[_Job] = []
        for j in jobs:
            (fit if self.budget.take(j.probes) else skipped).append(j)
        if skipped:
            need = sum(j.probes for j in jobs)
            names = ", ".join(
                f"{j.target.name} from {series_name(j.vantage.name, j.group)}" for j in skipped[:5]
            )
            more = f" and {len(skipped) - 5} more" if len(skipped) > 5 else ""
            out.warnings.append(
                f"remote budget: {need - sum(j.probes for j in skipped)} of {need} tests this "
                f"round fit in {self.budget.per_hour} per hour; skipped {names}{more}"
            )
        await self._ledger()  # spent before asking: a crash mid-round still counts
        by_vantage: dict[str, list[_Job]] = {}
        for j in fit:
            by_vantage.setdefault(j.vantage.name, []).append(j)
        await asyncio.gather(*(self._vantage(js, out) for js in by_vantage.values()))
        await self._ledger()  # what was given back
        for name in by_vantage:
            fail = self._failing.get(name)
            out.vantage_notes[name] = (
                None if fail is None else f"world: {fail[1]} since {_hm(fail[0])}"
            )
        return out

    async def _vantage(self, jobs: list[_Job], out: RemoteRound) -> None:
        v = jobs[0].vantage
        spec = v.remote
        assert spec is not None
        label = KIND_LABEL.get(spec.kind, spec.kind)
        # The keyring may block (D-Bus): never on the event loop the local checks share.
        secret = await asyncio.to_thread(self._get_secret, spec.secret) if spec.secret else None
        if spec.secret and not secret:
            if spec.kind == "ripe_atlas":
                self._fail(v.name, f"no API key (secret {spec.secret!r} is not set)")
                for j in jobs:
                    self.budget.give_back(j.probes)
                    out.notes[(j.target.name, series_name(v.name, j.group))] = self._note(v.name)
                return
            out.warnings.append(
                f"{v.name}: secret {spec.secret!r} is not set; asking {label} without a token"
            )
        deadline = time.monotonic() + (
            self.deadline_s
            if self.deadline_s is not None
            else (30.0 if spec.kind == "globalping" else 120.0)
        )
        client: globalping.GlobalpingClient | ripe_atlas.AtlasClient
        if spec.kind == "globalping":
            client = globalping.GlobalpingClient(
                spec.url,
                self._client(),
                token=secret,
                poll_interval=self.poll_interval,
                request_timeout=self.request_timeout,
            )
        else:
            client = ripe_atlas.AtlasClient(
                spec.url,
                self._client(),
                key=secret or "",
                poll_interval=self.poll_interval,
                request_timeout=self.request_timeout,
            )
        stop = asyncio.Event()  # a rate limit or a refused token ends this vantage's round
        errors: list[ApiError] = []
        failed: set[tuple[str, str]] = set()

        async def one(j: _Job) -> None:
            key = (j.target.name, series_name(v.name, j.group))
            if stop.is_set():
                self.budget.give_back(j.probes)
                return
            try:
                if isinstance(client, globalping.GlobalpingClient):
                    recs, note = await self._globalping(client, j, deadline)
                else:
                    recs, note = await self._atlas(client, j, deadline)
                out.results.extend(recs)
                out.notes[key] = note
                out.measurements += 1
                out.tests += j.probes
            except ApiError as exc:
                self.budget.give_back(j.probes)
                if exc.kind == api.UNKNOWN_LOCATION:
                    where = spec.where()
                    fld = f"vantage {v.name!r}.{spec.by}"
                    msg = f"{label} has no probes for {j.group!r} ({exc.message})"
                    if (spec.source, spec.line, fld, msg) not in out.unknown_problems:
                        out.unknown_problems.append((spec.source, spec.line, fld, msg))
                        out.unknown_locations.append(f"{where}: {fld}: {msg}")
                    out.notes[key] = f"world: unknown location {j.group!r} ({where})"
                    return
                errors.append(exc)
                failed.add(key)
                if exc.kind in (api.RATE_LIMITED, api.NO_CREDITS, api.UNAUTHORIZED):
                    stop.set()

        await asyncio.gather(*(one(j) for j in jobs))
        self.polls += client.polls
        self.poll_log += client.poll_log
        if errors:
            self._fail(v.name, _words(errors[0]))
            if errors[0].kind in (api.RATE_LIMITED, api.NO_CREDITS):
                wait = errors[0].retry_after or 60.0
                self._blocked[v.name] = time.monotonic() + wait
        elif out.measurements:
            self._failing.pop(v.name, None)  # the API answered again
        note = self._note(v.name)
        for j in jobs:
            key = (j.target.name, series_name(v.name, j.group))
            if key not in out.notes or key in failed:
                out.notes[key] = note
        q = client.quota.words()
        if q:
            self.quota[v.name] = q

    async def _ledger(self, *, load: bool = False) -> None:
        """Save what this process spent; with ``load``, first read what all spent."""
        store = self.store
        if store is None:
            return
        from warroom.store import probes as probe_store

        def sync() -> None:
            probe_store.add_remote_spend(store, self.budget.unsaved)
            self.budget.saved()
            if load:
                since = timeutil.now() - timedelta(seconds=Budget.WINDOW_S)
                self.budget.load(probe_store.remote_spend(store, since))

        try:
            await asyncio.to_thread(sync)
        except Exception:  # the workspace is busy or broken: meter in memory meanwhile
            log.warning("remote budget ledger unavailable; metering in memory", exc_info=True)

    def _fail(self, vantage: str, words: str) -> None:
        prev = self._failing.get(vantage)
        since = prev[0] if prev is not None else timeutil.now()
        self._failing[vantage] = (since, words)
        if prev is None or prev[1] != words:
            log.warning("remote vantage %s: %s", vantage, words)  # names, never secrets

    def _note(self, vantage: str) -> str | None:
        fail = self._failing.get(vantage)
        return None if fail is None else f"world: {fail[1]} since {_hm(fail[0])}"

    async def _globalping(
        self, client: globalping.GlobalpingClient, j: _Job, deadline: float
    ) -> tuple[list[ProbeResult], str | None]:
        ask = globalping.ask_for(j.target)
        rkey = (j.vantage.name, j.group)
        fresh: list[GpLocation] = [{"magic": j.group, "limit": j.probes}]
        reuse = self._reuse.get(rkey)
        try:
            mid, count = await client.create(ask.kind, ask.target, reuse or fresh, ask.options)
        except ApiError as exc:
            if reuse is None or exc.kind not in (api.UNKNOWN_LOCATION, api.API_ERROR):
                raise
            self._reuse.pop(rkey, None)  # the old measurement expired: ask afresh
            mid, count = await client.create(ask.kind, ask.target, fresh, ask.options)
        if 0 < count < j.probes:
            self.budget.give_back(j.probes - count)  # fewer probes there than asked
        data = await client.wait(mid, deadline)
        recs, pending = globalping.to_results(j.target, j.vantage.name, j.group, ask, data)
        if recs:
            self._reuse[rkey] = mid
        return recs, _group_note(recs, pending)

    async def _atlas(
        self, client: ripe_atlas.AtlasClient, j: _Job, deadline: float
    ) -> tuple[list[ProbeResult], str | None]:
        ask = ripe_atlas.ask_for(j.target)
        if client.quota.credits is None:
            with contextlib.suppress(ApiError):
                await client.credits()
        mid = await client.create(ask, j.group, j.probes, f"warroom {j.target.name}")
        results, want, _done = await client.wait(mid, deadline)
        ids = [pid for r in results if (pid := get_int(r, "prb_id")) is not None]
        meta = await client.probes(ids) if ids else {}
        recs = ripe_atlas.to_results(j.target, j.vantage.name, j.group, ask, results, meta)
        return recs, _group_note(recs, max(0, want - len(recs)))


def _group_note(recs: list[ProbeResult], pending: int) -> str | None:
    if recs:
        return None
    if pending:
        return f"world: no probe finished in time ({pending} still measuring)"
    return "world: no probe answered (all offline)"


def _words(exc: ApiError) -> str:
    words = _WORDS.get(exc.kind, exc.message)
    if exc.kind == api.RATE_LIMITED and exc.retry_after:
        words += f" (resets in {timeutil.fmt_duration(exc.retry_after)})"
    return words


def _hm(t: datetime) -> str:
    return t.astimezone().strftime("%H:%M")
