"""The engine thread against real loopback servers: states, probe-now, gate, store."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator

import pytest
from helpers.servers import WWW, TestNet

from warroom.config import workspace_file as wf
from warroom.domain.probes import ProbeResult, State, StateChange
from warroom.probes import GateStatus, ProbeEngine, SeriesState, target_summary
from warroom.probes.engine import Update


class Collect:
    """Update sink; remembers which thread called and the newest state per series."""

    def __init__(self) -> None:
        self.results: list[ProbeResult] = []
        self.changes: list[StateChange] = []
        self.gates: list[GateStatus] = []
        self.states: dict[tuple[str, str], SeriesState] = {}
        self.updates: list[Update] = []
        self.batches = 0
        self.threads: set[str] = set()
        self.lock = threading.Lock()

    def on_update(self, u: Update) -> None:
        with self.lock:
            self.updates.append(u)
            self.results.extend(u.results)
            self.changes.extend(u.changes)
            if u.gate is not None:
                self.gates.append(u.gate)
            for s in u.states:
                self.states[(s.target, s.vantage)] = s
            self.batches += 1
            self.threads.add(threading.current_thread().name)


def wait_for(cond: Callable[[], bool], timeout: float = 5.0) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if cond():
            return
        time.sleep(0.02)
    raise AssertionError("condition not met in time")


def cfg_text(
    net: TestNet, targets: str, *, interval: str = "0.3s", extra: str = ""
) -> wf.WorkspaceConfig:
    text = f"""
[probe]
interval = "{interval}"
timeout = "0.5s"
fail_after = 2
recover_after = 1
jitter = 0.0
{extra}
[[vantage]]
name = "isp-a"
resolver = "{net.dns_a.address}"
[[vantage]]
name = "isp-b"
resolver = "{net.dns_b.address}"
[[vantage]]
name = "isp-lie"
resolver = "{net.dns_lie.address}"
{targets}
"""
    cfg, problems = wf.parse_text(text)
    assert not problems, problems
    assert cfg is not None
    return cfg


WWW_T = (
    "[[target]]\n"
    'name = "www"\n'
    'url = "http://{www}:{port}/ok"\n'
    'vantages = ["isp-a", "isp-b", "isp-lie"]\n'
)


@pytest.fixture
def make_engine() -> Iterator[Callable[..., tuple[ProbeEngine, Collect]]]:
    engines: list[ProbeEngine] = []

    def make(cfg: wf.WorkspaceConfig, **kw: object) -> tuple[ProbeEngine, Collect]:
        c = Collect()
        e = ProbeEngine(
            cfg,
            on_update=c.on_update,
            flush_interval=0.05,
            **kw,  # type: ignore[arg-type]
        )
        engines.append(e)
        e.start()
        return e, c

    yield make
    for e in engines:
        e.stop()


def test_seed_outage_states_and_words(
    testnet: TestNet, make_engine: Callable[..., tuple[ProbeEngine, Collect]]
) -> None:
    cfg = cfg_text(testnet, WWW_T.format(www=WWW, port=testnet.http.port))
    engine, c = make_engine(cfg)
    assert [(s.target, s.vantage, s.state) for s in engine.snapshot()] == [
        ("www", "isp-a", State.PENDING),
        ("www", "isp-b", State.PENDING),
        ("www", "isp-lie", State.PENDING),
    ]
    wait_for(lambda: all(s.state is not State.PENDING for s in engine.snapshot()))
    wait_for(lambda: len(c.changes) >= 3)  # callbacks lag the snapshot by one flush
    snap = engine.snapshot()
    assert {s.vantage: s.state for s in snap} == {
        "isp-a": State.UP,
        "isp-b": State.DOWN,
        "isp-lie": State.DOWN,
    }
    assert target_summary("www", snap) == "www: down via isp-b, isp-lie; up via isp-a"
    by = {(ch.vantage, ch.old, ch.new) for ch in c.changes}
    assert by == {
        ("isp-a", State.PENDING, State.UP),
        ("isp-b", State.PENDING, State.DOWN),
        ("isp-lie", State.PENDING, State.DOWN),
    }
    errors = {ch.vantage: ch.result.error for ch in c.changes}
    assert errors == {"isp-a": None, "isp-b": "dns_servfail", "isp-lie": "refused"}
    assert c.threads == {"warroom-probes"}  # callbacks come from the engine thread
    isp_a = snap[0]
    assert isp_a.since is not None and isp_a.last is not None and isp_a.latencies


def test_a_resolver_failing_then_recovering(
    testnet: TestNet, make_engine: Callable[..., tuple[ProbeEngine, Collect]]
) -> None:
    dns = testnet.dns_server("answer")
    text = f'[[vantage]]\nname = "flaky"\nresolver = "{dns.address}"\n' + (
        "[[target]]\n"
        'name = "www"\n'
        f'url = "http://{WWW}:{testnet.http.port}/ok"\n'
        'vantages = ["flaky"]\n'
    )
    engine, c = make_engine(cfg_text(testnet, text, interval="0.1s"))
    wait_for(lambda: engine.snapshot()[0].state is State.UP)
    dns.mode = "servfail"
    wait_for(lambda: engine.snapshot()[0].state is State.DOWN)
    wait_for(lambda: any(ch.new is State.DOWN for ch in c.changes))
    down = [ch for ch in c.changes if ch.new is State.DOWN]
    assert down and down[0].old is State.UP and down[0].result.error == "dns_servfail"
    # fail_after = 2: at least two failed samples before the change
    fails = [r for r in c.results if r.error == "dns_servfail"]
    assert len(fails) >= 2 and fails[1].time <= down[0].time
    dns.mode = "answer"
    wait_for(lambda: engine.snapshot()[0].state is State.UP)
    wait_for(lambda: len(c.changes) >= 3)
    assert [ch.new for ch in c.changes] == [State.UP, State.DOWN, State.UP]


def test_probe_now_runs_at_once(
    testnet: TestNet, make_engine: Callable[..., tuple[ProbeEngine, Collect]]
) -> None:
    t = (
        "[[target]]\n"
        'name = "www"\n'
        f'url = "http://127.0.0.1:{testnet.http.port}/ok"\n'
        'vantages = ["system"]\n'
    )
    t += (
        "[[target]]\n"
        'name = "other"\n'
        f'url = "tcp://127.0.0.1:{testnet.banner.port}"\n'
        'vantages = ["system"]\n'
    )
    engine, c = make_engine(cfg_text(testnet, t, interval="1h"))
    wait_for(lambda: len(c.results) >= 2)  # the first round of each (spread over <= 3 s)
    n = len(c.results)
    engine.probe_now("www")
    wait_for(lambda: len(c.results) == n + 1)
    assert c.results[-1].target == "www"
    engine.probe_now()
    wait_for(lambda: len(c.results) == n + 3)
    time.sleep(0.2)
    assert len(c.results) == n + 3  # nothing more: the interval is an hour


def test_no_pile_up_when_checks_are_slower_than_the_interval(
    testnet: TestNet, make_engine: Callable[..., tuple[ProbeEngine, Collect]]
) -> None:
    slow = testnet.http_server(slow_s=0.3)
    t = (
        "[[target]]\n"
        'name = "slow"\n'
        f'url = "http://127.0.0.1:{slow.port}/slow"\n'
        'vantages = ["system"]\n'
        'timeout = "2s"\n'
    )
    engine, _ = make_engine(cfg_text(testnet, t, interval="0.05s"))
    # At most one round in flight, whatever the machine's speed: the server never holds
    # more than one request the engine has not finished (piling up, the 0.05 s interval
    # would start six requests per 0.3 s answer). Requests are read before finished
    # checks, so a late read of the second can only shrink the difference.
    ahead: list[int] = []

    def four_rounds() -> bool:
        started = len(slow.seen)
        ahead.append(started - engine.checks)
        return engine.checks >= 4

    wait_for(four_rounds, timeout=10)
    assert max(ahead) <= 1, ahead
    assert min(ahead) >= 0


def test_update_config_keeps_states_and_adds_and_drops(
    testnet: TestNet, make_engine: Callable[..., tuple[ProbeEngine, Collect]]
) -> None:
    www = WWW_T.format(www=WWW, port=testnet.http.port)
    engine, c = make_engine(cfg_text(testnet, www, interval="0.2s"))
    wait_for(lambda: engine.snapshot()[0].state is State.UP)
    since = engine.snapshot()[0].since
    smtp = (
        "[[target]]\n"
        'name = "smtp"\n'
        f'url = "tcp://{WWW}:{testnet.banner.port}"\n'
        'expect_banner = "220"\n'
        'vantages = ["isp-a"]\n'
    )
    engine.update_config(cfg_text(testnet, www + smtp, interval="0.2s"))
    assert [(s.target, s.vantage) for s in engine.snapshot()][-1] == ("smtp", "isp-a")
    assert engine.snapshot()[0].since == since  # www/isp-a kept its state
    wait_for(lambda: engine.snapshot()[-1].state is State.UP)
    engine.update_config(cfg_text(testnet, smtp, interval="0.2s"))
    assert [s.target for s in engine.snapshot()] == ["smtp"]
    time.sleep(0.5)
    n = len(c.results)
    time.sleep(0.5)
    assert all(r.target == "smtp" for r in c.results[n:])


def test_offline_gate_keeps_states_and_says_so(
    testnet: TestNet, make_engine: Callable[..., tuple[ProbeEngine, Collect]]
) -> None:
    route = {"ok": True}

    def route_check() -> tuple[bool, str]:
        return (True, "") if route["ok"] else (False, "no network route (test)")

    dns = testnet.dns_server("answer")
    t = (
        "[[vantage]]\n"
        'name = "p"\n'
        f'resolver = "{dns.address}"\n'
        "[[target]]\n"
        'name = "www"\n'
        f'url = "http://{WWW}:{testnet.http.port}/ok"\n'
        'vantages = ["p"]\n'
    )
    # Traffic stays on loopback, so the test resolver stands in for the outside world:
    # the gate is told that no address is this machine's (the real rule never sets
    # loopback failures aside, see test_probe_state).
    engine, c = make_engine(
        cfg_text(testnet, t, interval="0.1s"),
        route_check=route_check,
        is_local=lambda _addr: False,
        gate_interval=0.1,
    )
    wait_for(lambda: engine.snapshot()[0].state is State.UP)
    assert engine.gate().online is True
    route["ok"] = False
    # The "network" is gone: the resolver stays silent, so the check fails with
    # dns_timeout, a network-level error that only the gate may set aside.
    dns.mode = "silent"
    wait_for(lambda: engine.gate().online is False)
    wait_for(lambda: any(r.extra.get("offline") for r in c.results))
    time.sleep(0.5)
    snap = engine.snapshot()[0]
    assert snap.state is State.UP and snap.offline  # not painted red
    assert target_summary("www", [snap]) == "www: unknown (workstation offline) via p"
    assert any(g.online is False and "no network route" in g.reason for g in c.gates)
    route["ok"] = True
    wait_for(lambda: engine.gate().online is True)
    wait_for(lambda: engine.snapshot()[0].state is State.DOWN)  # now it counts
    assert engine.snapshot()[0].last.error == "dns_timeout"  # type: ignore[union-attr]


def test_reference_checks_decide_the_gate(
    testnet: TestNet, make_engine: Callable[..., tuple[ProbeEngine, Collect]]
) -> None:
    extra = f'reference = ["tcp://127.0.0.1:{testnet.closed.port}"]'
    t = (
        "[[target]]\n"
        'name = "x"\n'
        f'url = "tcp://127.0.0.1:{testnet.banner.port}"\n'
        'vantages = ["system"]\n'
    )
    engine, _ = make_engine(cfg_text(testnet, t, extra=extra), route_check=lambda: (True, ""))
    wait_for(lambda: engine.gate().online is False)
    assert "every reference check failed" in engine.gate().reason
    assert "refused" in engine.gate().reason


def test_results_are_stored_in_batches(
    testnet: TestNet, store: object, make_engine: Callable[..., tuple[ProbeEngine, Collect]]
) -> None:
    from warroom.store import probes as ps

    cfg = cfg_text(testnet, WWW_T.format(www=WWW, port=testnet.http.port), interval="0.1s")
    engine, c = make_engine(cfg, store=store, store_interval=0.1)
    wait_for(lambda: len(c.results) >= 9)
    engine.stop()  # flushes what is left
    counts = ps.row_counts(store)
    assert counts["probe_samples"] == len(c.results)
    assert counts["probe_changes"] == len(c.changes) == 3
    rec = ps.recent_samples(store, "www", "isp-b", limit=1)[0]
    assert (rec["status"], rec["error"]) == ("down", "dns_servfail")
    assert ps.uptime(store, "www", "isp-a", 3600) == 1.0
    assert ps.uptime(store, "www", "isp-b", 3600) == 0.0


def test_stop_is_clean_and_fast_with_checks_in_flight(
    testnet: TestNet, make_engine: Callable[..., tuple[ProbeEngine, Collect]]
) -> None:
    t = (
        "[[target]]\n"
        'name = "hang"\n'
        f'url = "http://127.0.0.1:{testnet.http.port}/noanswer"\n'
        'vantages = ["system"]\n'
        'timeout = "30s"\n'
    )
    engine, _ = make_engine(cfg_text(testnet, t, interval="0.1s"))
    engine.probe_now()
    time.sleep(0.3)
    t0 = time.monotonic()
    engine.stop()
    assert time.monotonic() - t0 < 2
    assert not engine.running
    assert not [th for th in threading.enumerate() if th.name == "warroom-probes"]


def test_callbacks_are_batched(
    testnet: TestNet, make_engine: Callable[..., tuple[ProbeEngine, Collect]]
) -> None:
    targets = "".join(
        (
            "[[target]]\n"
            f'name = "t{i}"\n'
            f'url = "tcp://127.0.0.1:{testnet.banner.port}"\n'
            'vantages = ["system"]\n'
        )
        for i in range(40)
    )
    _engine, c = make_engine(cfg_text(testnet, targets, interval="0.2s"))
    wait_for(lambda: len(c.results) >= 200, timeout=10)
    assert c.batches < len(c.results) / 4


def test_updates_carry_the_states_that_changed(
    testnet: TestNet, make_engine: Callable[..., tuple[ProbeEngine, Collect]]
) -> None:
    """The engine sends its own states: what a reader stores equals its snapshot, and an
    update with a change carries every series of that target."""
    cfg = cfg_text(testnet, WWW_T.format(www=WWW, port=testnet.http.port), interval="0.1s")
    engine, c = make_engine(cfg)
    wait_for(lambda: len(c.changes) >= 3)
    engine.stop()
    snap = {(s.target, s.vantage): s for s in engine.snapshot()}
    assert c.states == snap  # nothing rebuilt, nothing missing
    for u in c.updates:
        changed = {ch.target for ch in u.changes}
        have = {(s.target, s.vantage) for s in u.states}
        for t in changed:
            assert {k for k in snap if k[0] == t} <= have
        assert {(r.target, r.vantage) for r in u.results} <= have


def test_a_restart_continues_the_stored_states_and_logs_nothing_new(
    testnet: TestNet, store: object, make_engine: Callable[..., tuple[ProbeEngine, Collect]]
) -> None:
    from warroom.store import probes as ps

    cfg = cfg_text(testnet, WWW_T.format(www=WWW, port=testnet.http.port), interval="0.1s")
    first, c1 = make_engine(cfg, store=store, store_interval=0.1)
    wait_for(lambda: len(c1.changes) >= 3)
    first.stop()
    before = {(s.target, s.vantage): s for s in first.snapshot()}
    n_changes = ps.row_counts(store)["probe_changes"]
    assert n_changes == 3

    second, c2 = make_engine(cfg, store=store, store_interval=0.1)
    # The restored states come with the first update (maybe with the first samples).
    wait_for(lambda: len(c2.states) == 3)
    first_update = c2.updates[0]
    assert not first_update.changes
    restored = {(s.target, s.vantage): s for s in first_update.states}
    for key, s in before.items():
        assert (restored[key].state, restored[key].since) == (s.state, s.since), key
        assert restored[key].last is not None and restored[key].latencies
    assert restored[("www", "isp-b")].last.error == "dns_servfail"  # type: ignore[union-attr]
    # Several rounds later: the outage goes on, and nothing was logged again.
    wait_for(lambda: len(c2.results) >= 9)
    second.stop()
    assert c2.changes == []
    assert ps.row_counts(store)["probe_changes"] == n_changes
    now = {(s.target, s.vantage): s for s in second.snapshot()}
    assert now[("www", "isp-b")].state is State.DOWN
    assert now[("www", "isp-b")].since == before[("www", "isp-b")].since
