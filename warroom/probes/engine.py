"""The probe engine: an asyncio scheduler in its own thread, Qt-free.

Public API (the dashboard's bridge re-emits the callbacks as queued Qt signals)::

    engine = ProbeEngine(config, on_update=..., store=store)
    engine.start()                 # returns at once; checks begin within a few seconds
    engine.probe_now("www")        # or probe_now() for every target
    engine.update_config(config)   # states of unchanged (target, vantage) pairs survive
    engine.snapshot()              # list[SeriesState], config order; any thread
    engine.gate()                  # GateStatus
    engine.stop()                  # cancels checks, flushes callbacks and store, joins

``on_update`` runs on the engine thread, at most once per ``flush_interval`` (0.2 s) and
only with something new: one ``Update`` with the states that changed (the engine owns
them; readers store them as they come, never rebuild them from samples), the state
changes, the raw samples and the gate when it flipped. This is the only batching on the
way to the screen. It must return quickly and never touch widgets.

With a store, the engine starts from the states it stored (state and since-when of each
series, its newest samples), so a restart logs nothing until something really changes.

Scheduling: every target has its own interval; its vantages are checked together (one
"round" of that target, so vantages compare the same moment). The next round is due
``interval`` after the previous one *started*, moved by up to ``jitter`` x interval, but
never before the previous round finished: a target slower than its interval runs back to
back, never twice at once (no pile-up). ``concurrency`` bounds checks in flight.

``RoundRunner`` is the same machinery without a clock, for the command line: every
(target, vantage) once per call.
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import logging
import random
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from warroom.domain.probes import ProbeResult, State, StateChange
from warroom.domain.workspace import Target, Vantage, WorkspaceConfig
from warroom.probes import gate as gate_mod
from warroom.probes.checks import CheckEnv, run_check
from warroom.probes.gate import GateStatus, LocalCheck, gateable
from warroom.probes.net import loop_factory
from warroom.probes.remote import RemoteRound, RemoteRunner, aggregate_all, series_name
from warroom.probes.state import SeriesState, SeriesTracker

if TYPE_CHECKING:
    from warroom.store import Store
    from warroom.store.probes import Restored

log = logging.getLogger(__name__)

RouteCheck = Callable[[], tuple[bool, str]]

GATE_STALE_S = 2.0  # a failure re-checks the gate when its last decision is older

Key = tuple[str, str]  # (target, vantage)


@dataclass(frozen=True, slots=True)
class Update:
    """What the engine learnt since its previous update.

    ``states``: the newest state of every series that took a sample or was restored,
    plus every series of a target that changed state (so a reader can say what the
    whole target looks like now without asking anyone else); config order.
    ``changes``: the state changes, oldest first. ``results``: the raw samples, oldest
    first (for tests and tools; the dashboard needs only ``states``). ``gate``: the
    newest ``GateStatus`` when it flipped, else None.
    """

    states: tuple[SeriesState, ...] = ()
    changes: tuple[StateChange, ...] = ()
    results: tuple[ProbeResult, ...] = ()
    gate: GateStatus | None = None

    def __bool__(self) -> bool:
        return bool(self.states or self.changes or self.gate is not None)


UpdateCallback = Callable[[Update], None]


class Board:
    """The trackers of one config, keyed by (target, vantage). Thread-safe."""

    def __init__(self, config: WorkspaceConfig) -> None:
        self._lock = threading.Lock()
        self._trackers: dict[Key, SeriesTracker] = {}
        self._order: list[Key] = []
        self._rank: dict[Key, int] = {}
        self._of_target: dict[str, list[Key]] = {}
        self.config = config
        self.reconfigure(config)

    def reconfigure(self, config: WorkspaceConfig) -> None:
        with self._lock:
            old = self._trackers
            new: dict[tuple[str, str], SeriesTracker] = {}
            order = []
            for t in config.targets:
                for v in config.vantages_of(t):
                    key = (t.name, v.name)
                    tr = old.get(key)
                    if tr is None or tr.check != t.check:
                        tr = SeriesTracker(
                            t.name,
                            v.name,
                            t.check,
                            fail_after=t.settings.fail_after,
                            recover_after=t.settings.recover_after,
                        )
                    else:
                        tr.fail_after = t.settings.fail_after
                        tr.recover_after = t.settings.recover_after
                    new[key] = tr
                    order.append(key)
                for key in remote_series(config, t):
                    tr = old.get(key)
                    if tr is None or tr.check != t.check:
                        tr = SeriesTracker(
                            *key,
                            t.check,
                            fail_after=t.settings.fail_after,
                            recover_after=t.settings.recover_after,
                        )
                        tr.remote = True
                    new[key] = tr
                    order.append(key)
            self._trackers, self._order, self.config = new, order, config
            self._rank = {k: i for i, k in enumerate(order)}
            self._of_target = {}
            for k in order:
                self._of_target.setdefault(k[0], []).append(k)

    def restore(self, saved: dict[Key, Restored]) -> list[Key]:
        """Seed series that have no verdict yet from what the store remembers; returns
        the keys restored. A series whose check changed meanwhile starts afresh."""
        done = []
        with self._lock:
            for key, tr in self._trackers.items():
                got = saved.get(key)
                if got is None or tr.state is not State.PENDING or tr.last is not None:
                    continue
                if got.check != tr.check:
                    continue
                tr.restore(got.state, got.since, got.last, got.latencies)
                done.append(key)
        return done

    def apply(
        self, results: Iterable[ProbeResult], *, offline: bool, is_local: LocalCheck | None = None
    ) -> tuple[list[ProbeResult], list[StateChange]]:
        """Feed samples; while ``offline``, gateable failures are marked and set aside."""
        out: list[ProbeResult] = []
        changes: list[StateChange] = []
        with self._lock:
            for r in results:
                tr = self._trackers.get((r.target, r.vantage))
                if tr is None:
                    continue  # removed by a config change while in flight
                off = offline and "remote_vantage" not in r.extra and gateable(r, is_local)
                if off:
                    r = replace(r, extra={**r.extra, "offline": True})
                ch = tr.feed(r, offline=off)
                out.append(r)
                if ch is not None:
                    changes.append(ch)
        return out, changes

    def apply_remote(self, rnd: RemoteRound) -> tuple[list[ProbeResult], list[StateChange]]:
        """Feed a remote round: one sample per group (the probes' majority); a group
        without an answer keeps its state and carries the round's note instead."""
        groups = aggregate_all(rnd.results)
        results, changes = self.apply(groups, offline=False)
        with self._lock:
            for key, note in rnd.notes.items():
                tr = self._trackers.get(key)
                if tr is not None and note is not None:
                    tr.note = note
        return results, changes

    def snapshot(self) -> list[SeriesState]:
        with self._lock:
            return [self._trackers[k].snapshot() for k in self._order]

    def states_of(self, keys: Iterable[Key], targets: Iterable[str] = ()) -> list[SeriesState]:
        """Snapshots of ``keys`` and of every series of ``targets``, in config order."""
        with self._lock:
            want = {k for k in keys if k in self._trackers}
            for t in targets:
                want.update(self._of_target.get(t, ()))
            rank = self._rank
            return [self._trackers[k].snapshot() for k in sorted(want, key=rank.__getitem__)]


def remote_in_use(config: WorkspaceConfig) -> tuple[Vantage, ...]:
    """The remote vantages at least one target is probed from, in file order."""
    names = {v.name for t in config.targets for v in config.remote_vantages_of(t)}
    return tuple(v for v in config.remote_vantages() if v.name in names)


def remote_series(config: WorkspaceConfig, t: Target) -> list[tuple[str, str]]:
    """(target, "<vantage> <location>") of every remote group series of a target."""
    out = []
    for v in config.remote_vantages_of(t):
        assert v.remote is not None
        out += [(t.name, series_name(v.name, g)) for g in v.remote.locations]
    return out


class ProbeEngine:
    """Probes the config's targets from its vantages until stopped. See module doc."""

    def __init__(
        self,
        config: WorkspaceConfig,
        *,
        on_update: UpdateCallback | None = None,
        store: Store | None = None,
        flush_interval: float = 0.2,
        store_interval: float = 1.0,
        gate_interval: float = 10.0,
        route_check: RouteCheck | None = None,
        is_local: LocalCheck | None = None,
        compact_interval: float = 600.0,
        remote: RemoteRunner | None = None,
    ) -> None:
        """``route_check`` (default ``gate.has_route``) and ``is_local`` (default
        ``gate.is_local_address``) are the gate's view of this machine; tests inject both
        so that nothing depends on the real route table or leaves loopback."""
        self._board = Board(config)
        self._on_update = on_update
        self._store = store
        self._flush_interval = flush_interval
        self._store_interval = store_interval
        self._gate_interval = gate_interval
        self._route_check = route_check
        self._is_local = is_local
        self._compact_interval = compact_interval
        self._gate = GateStatus(None, None, "not checked yet")
        self._gate_checked = 0.0
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._ready = threading.Event()
        self._lock = threading.Lock()
        self._results: list[ProbeResult] = []
        self._changes: list[StateChange] = []
        self._dirty: dict[Key, None] = {}  # series with news since the last update
        self._store_results: list[ProbeResult] = []
        self._store_changes: list[StateChange] = []
        self._gate_dirty = False
        self.rounds = 0  # finished target rounds, for tests and benchmarks
        self.checks = 0
        # Remote vantages: their own runner and rhythm (see _remote_loop).
        self._remote_injected = remote
        self.remote_rounds = 0
        self.remote_notes: dict[str, str | None] = {}  # vantage -> note (None: fine)
        self.remote_warnings: list[str] = []  # of the last remote round (budget, secrets)

    # -- public, any thread ----------------------------------------------------

    @property
    def config(self) -> WorkspaceConfig:
        return self._board.config

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        if self.running:
            return
        self._ready.clear()
        self._thread = threading.Thread(target=self._run, name="warroom-probes", daemon=True)
        self._thread.start()
        self._ready.wait(10)

    def stop(self, timeout: float = 10.0) -> None:
        loop, thread = self._loop, self._thread
        if loop is None or thread is None:
            return
        with contextlib.suppress(RuntimeError):  # loop already closed
            loop.call_soon_threadsafe(self._stop_event.set)
        thread.join(timeout)
        if thread.is_alive():
            log.warning("probe engine did not stop within %.1fs", timeout)
        self._thread = None

    def probe_now(self, target: str | None = None) -> None:
        """Check one target (or all) now, from every vantage; a running round is not
        doubled, it is followed at once by another."""
        self._call(self._probe_now, target)

    def probe_world_now(self, target: str | None = None) -> None:
        """ "Check from the world now": one remote round for a target (or all) at once,
        metered like every other remote round."""
        self._call(self._remote_now, target)

    def update_config(self, config: WorkspaceConfig) -> None:
        self._board.reconfigure(config)
        self._call(self._reschedule_all)
        self._call(self._remote_reconfigure, config)

    def snapshot(self) -> list[SeriesState]:
        return self._board.snapshot()

    def gate(self) -> GateStatus:
        return self._gate

    # -- engine thread ---------------------------------------------------------

    def _call(self, fn: Callable[..., None], *args: object) -> None:
        loop = self._loop
        if loop is not None and self.running:
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(fn, *args)

    def _run(self) -> None:
        try:
            with asyncio.Runner(loop_factory=loop_factory()) as runner:  # uvloop if there
                runner.run(self._main())
        except Exception:
            log.exception("probe engine crashed")
        finally:
            self._loop = None
            self._ready.set()

    async def _main(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._stop_event = asyncio.Event()
        self._wake = asyncio.Event()
        self._env = CheckEnv()
        self._sem = asyncio.Semaphore(self.config.probe.concurrency)
        self._sem_size = self.config.probe.concurrency
        self._heap: list[tuple[float, int, str]] = []
        self._gen: dict[str, int] = {}
        self._running: set[str] = set()
        self._again: set[str] = set()
        self._tasks: set[asyncio.Task[None]] = set()
        self._io = ThreadPoolExecutor(max_workers=1, thread_name_prefix="warroom-probe-store")
        self._ready.set()
        if self._store is not None:
            # Before the first round: a series must know its state before a sample can
            # change it, or every restart would log an ongoing outage again.
            await self._loop.run_in_executor(self._io, self._restore)
        self._reschedule_all(initial=True)
        bg = [
            asyncio.create_task(self._scheduler()),
            asyncio.create_task(self._flusher()),
            asyncio.create_task(self._gate_loop()),
        ]
        if self._store is not None:
            bg.append(asyncio.create_task(self._storer()))
        self._remote = self._remote_injected or RemoteRunner(self.config, store=self._store)
        self._remote_busy: set[str] = set()
        bg.append(asyncio.create_task(self._remote_loop()))
        try:
            await self._stop_event.wait()
        finally:
            for t in [*bg, *self._tasks]:
                t.cancel()
            await asyncio.gather(*bg, *self._tasks, return_exceptions=True)
            self._flush()
            if self._store is not None:
                await self._loop.run_in_executor(self._io, self._write_store)
            self._io.shutdown(wait=True)
            await self._env.aclose()
            await self._remote.aclose()

    def _push(self, name: str, due: float) -> None:
        gen = self._gen.get(name, 0) + 1
        self._gen[name] = gen
        heapq.heappush(self._heap, (due, gen, name))
        self._wake.set()

    def _reschedule_all(self, initial: bool = False) -> None:
        now = time.monotonic()
        names = {t.name for t in self.config.targets}
        for gone in set(self._gen) - names:
            del self._gen[gone]
        if self.config.probe.concurrency != self._sem_size:
            self._sem = asyncio.Semaphore(self.config.probe.concurrency)
            self._sem_size = self.config.probe.concurrency
        for t in self.config.targets:
            if t.name in self._gen and not initial:
                continue  # keeps its rhythm; a new interval applies from its next round
            if t.name in self._running:
                continue
            # Spread the first rounds so a big board does not start in one burst, while a
            # small one shows its first results at once (10 ms per target, <= 3 s).
            spread = min(t.settings.interval, 0.01 * len(self.config.targets), 3.0)
            self._push(t.name, now + random.uniform(0, spread))

    def _probe_now(self, target: str | None) -> None:
        now = time.monotonic()
        for t in self.config.targets:
            if target is not None and t.name != target:
                continue
            if t.name in self._running:
                self._again.add(t.name)
            else:
                self._push(t.name, now)

    async def _scheduler(self) -> None:
        while True:
            now = time.monotonic()
            while self._heap and self._heap[0][0] <= now:
                _, gen, name = heapq.heappop(self._heap)
                if self._gen.get(name) != gen or name in self._running:
                    continue
                try:
                    target = self.config.target(name)
                except KeyError:
                    continue
                self._running.add(name)
                task = asyncio.create_task(self._round(target))
                self._tasks.add(task)
                task.add_done_callback(self._tasks.discard)
            self._wake.clear()
            delay = (self._heap[0][0] - now) if self._heap else 1.0
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(max(0.0, min(delay, 1.0))):
                    await self._wake.wait()

    async def _one(self, target: Target, vantage: Vantage) -> ProbeResult:
        async with self._sem:
            return await run_check(target, vantage, self._env)

    async def _round(self, target: Target) -> None:
        started = time.monotonic()
        try:
            vantages = self.config.vantages_of(target)
            results = list(await asyncio.gather(*(self._one(target, v) for v in vantages)))
            self.checks += len(results)
            if any(gateable(r, self._is_local) for r in results) and (
                time.monotonic() - self._gate_checked > GATE_STALE_S
            ):
                await self._check_gate()
            self._accept(results)
            self.rounds += 1
        except KeyError:
            pass  # a vantage vanished in a config change; the next round uses the new one
        finally:
            self._running.discard(target.name)
            if target.name in self._gen:
                try:
                    cur = self.config.target(target.name)
                except KeyError:
                    cur = target
                iv = cur.settings.interval
                j = iv * self.config.probe.jitter
                due = started + iv + random.uniform(-j, j)
                now = time.monotonic()
                if target.name in self._again:
                    self._again.discard(target.name)
                    due = now
                self._push(target.name, max(due, now))

    def _restore(self) -> None:
        from warroom.store import probes as probe_store

        assert self._store is not None
        try:
            saved = probe_store.last_states(self._store)
        except Exception:  # an unreadable history must never stop probing
            log.exception("could not reload the probe states; starting afresh")
            return
        keys = self._board.restore(saved)
        if keys:
            log.info("probe states reloaded for %d series", len(keys))
            with self._lock:
                self._dirty.update(dict.fromkeys(keys))

    def _accept(self, results: list[ProbeResult]) -> None:
        results, changes = self._board.apply(
            results, offline=self._gate.online is False, is_local=self._is_local
        )
        with self._lock:
            self._results.extend(results)
            self._changes.extend(changes)
            for r in results:
                self._dirty[(r.target, r.vantage)] = None
            if self._store is not None:
                self._store_results.extend(results)
                self._store_changes.extend(changes)

    # -- remote vantages: a separate, slower rhythm ----------------------------

    def _remote_reconfigure(self, config: WorkspaceConfig) -> None:
        self._remote.reconfigure(config)

    def _remote_now(self, target: str | None) -> None:
        self._spawn_remote([target] if target else None, None)

    def _spawn_remote(self, targets: list[str] | None, vantages: list[str] | None) -> None:
        task = asyncio.create_task(self._remote_round(targets, vantages))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _remote_loop(self) -> None:
        """Each remote vantage every ``remote_interval`` (or its own ``interval``), never
        two rounds of one vantage at once. Local checks never wait on any of it: the
        rounds are tasks of their own and share nothing with the local semaphore."""
        due: dict[str, float] = {}
        seen: WorkspaceConfig | None = None
        used: tuple[Vantage, ...] = ()
        while True:
            now = time.monotonic()
            if seen is not self.config:  # which remote vantages some target uses
                seen = self.config
                used = remote_in_use(seen)
            for v in used:
                if v.name in self._remote_busy:
                    continue
                if due.setdefault(v.name, now) <= now:
                    due[v.name] = now + self._remote.interval_of(v)
                    self._remote_busy.add(v.name)
                    self._spawn_remote(None, [v.name])
            await asyncio.sleep(0.25)

    async def _remote_round(self, targets: list[str] | None, vantages: list[str] | None) -> None:
        try:
            rnd = await self._remote.round(targets, vantages)
        except Exception:  # a broken remote round must never stop the local probing
            log.exception("remote round failed")
            return
        finally:
            for name in vantages or ():
                self._remote_busy.discard(name)
        results, changes = self._board.apply_remote(rnd)
        self.remote_notes.update(rnd.vantage_notes)
        self.remote_warnings = rnd.warnings + rnd.unknown_locations
        for w in self.remote_warnings:
            log.warning("%s", w)
        self.remote_rounds += 1
        with self._lock:
            self._results.extend(results)
            self._changes.extend(changes)
            # Every group this round was about: a note ("world: API unreachable since
            # 10:42") is news for its cells as much as a sample is.
            self._dirty.update(dict.fromkeys(rnd.notes))
            for r in results:
                self._dirty[(r.target, r.vantage)] = None
            if self._store is not None:
                self._store_results.extend(results)
                self._store_changes.extend(changes)

    async def _check_gate(self) -> None:
        try:
            online, reason = await gate_mod.evaluate(
                self.config.probe, self._env, self._route_check
            )
        except Exception:  # a broken gate must never stop probing
            log.exception("self-connectivity gate failed")
            return
        self._gate_checked = time.monotonic()
        new = gate_mod.status(online, reason, self._gate)
        if new.online != self._gate.online:
            log.info("self-connectivity gate: %s (%s)", "online" if online else "OFFLINE", reason)
            self._gate_dirty = True
        self._gate = new

    async def _gate_loop(self) -> None:
        while True:
            await self._check_gate()
            await asyncio.sleep(self._gate_interval)

    async def _flusher(self) -> None:
        while True:
            await asyncio.sleep(self._flush_interval)
            self._flush()

    def _flush(self) -> None:
        with self._lock:
            results, self._results = self._results, []
            changes, self._changes = self._changes, []
            dirty, self._dirty = self._dirty, {}
        gate_changed, self._gate_dirty = self._gate_dirty, False
        if self._on_update is None or not (dirty or changes or gate_changed):
            return
        states = self._board.states_of(dirty, {c.target for c in changes})
        update = Update(
            tuple(states), tuple(changes), tuple(results), self._gate if gate_changed else None
        )
        try:
            self._on_update(update)
        except Exception:
            log.exception("probe engine callback failed")

    async def _storer(self) -> None:
        assert self._loop is not None
        last_compact = time.monotonic()
        while True:
            await asyncio.sleep(self._store_interval)
            await self._loop.run_in_executor(self._io, self._write_store)
            if time.monotonic() - last_compact > self._compact_interval:
                last_compact = time.monotonic()
                await self._loop.run_in_executor(self._io, self._compact)

    def _write_store(self) -> None:
        from warroom.store import probes as probe_store

        with self._lock:
            results, self._store_results = self._store_results, []
            changes, self._store_changes = self._store_changes, []
        if self._store is None or not (results or changes):
            return
        try:
            probe_store.write_batch(self._store, results, changes)
        except Exception:
            log.exception("could not store %d probe samples", len(results))

    def _compact(self) -> None:
        from warroom.store import probes as probe_store

        if self._store is None:
            return
        try:
            probe_store.compact(self._store)
        except Exception:
            log.exception("probe roll-up failed")


class RoundRunner:
    """Every (target, vantage) once per ``round()``, states kept between rounds (CLI).

    Remote vantages join a round when their own interval has passed since their last
    round (the first round always); ``last_remote`` keeps that round's per-probe records,
    notes and warnings for the caller to print."""

    def __init__(
        self,
        config: WorkspaceConfig,
        route_check: RouteCheck | None = None,
        is_local: LocalCheck | None = None,
        remote: RemoteRunner | None = None,
    ):
        self.board = Board(config)
        self.config = config
        self.env = CheckEnv()
        self.route_check = route_check
        self.is_local = is_local
        self.gate = GateStatus(None, None, "not checked yet")
        self.remote = remote or RemoteRunner(config)
        self.last_remote: RemoteRound | None = None
        self._remote_due: dict[str, float] = {}

    def _due_remote(self) -> list[str]:
        now = time.monotonic()
        due = []
        for v in remote_in_use(self.config):
            if self._remote_due.get(v.name, 0.0) <= now:
                self._remote_due[v.name] = now + self.remote.interval_of(v)
                due.append(v.name)
        return due

    async def round(self) -> tuple[list[ProbeResult], list[StateChange]]:
        sem = asyncio.Semaphore(self.config.probe.concurrency)

        async def one(t: Target, v: Vantage) -> ProbeResult:
            async with sem:
                return await run_check(t, v, self.env)

        due = self._due_remote()
        remote_task = asyncio.create_task(self.remote.round(vantages=due)) if due else None
        pairs = [(t, v) for t in self.config.targets for v in self.config.vantages_of(t)]
        try:
            results = list(await asyncio.gather(*(one(t, v) for t, v in pairs)))
            offline = False
            if any(gateable(r, self.is_local) for r in results):
                online, reason = await gate_mod.evaluate(
                    self.config.probe, self.env, self.route_check
                )
                self.gate = gate_mod.status(online, reason, self.gate)
                offline = not online
            out, changes = self.board.apply(results, offline=offline, is_local=self.is_local)
        except BaseException:
            if remote_task is not None:
                remote_task.cancel()
            raise
        self.last_remote = None
        if remote_task is not None:
            self.last_remote = await remote_task
            more, more_changes = self.board.apply_remote(self.last_remote)
            out += more
            changes += more_changes
        return out, changes

    def snapshot(self) -> list[SeriesState]:
        return self.board.snapshot()

    async def aclose(self) -> None:
        await self.env.aclose()
        await self.remote.aclose()
