"""Probe engine benchmarks: checks per second, CPU, the 3,000-series workload, storage,
and the same loopback work through prometheus-blackbox-exporter.

    .venv/bin/python bench/bench_probes.py [--quick] [--workload-seconds S] [--no-blackbox]

The loopback servers (tests/helpers/servers.py) run in a separate process so that the
CPU figures are the probing process's own (time.process_time). Every check opens a
fresh connection (keep-alive off), as the engine does. The engine and the exporter
then run the exporter's workload (300 http checks/s, literal address, nothing stored)
three times each, interleaved, and the ratio of their CPU per 1,000 checks is printed
(issue 8's goal: at most 0.5). Default run: about 5 minutes; --quick about 1.5.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import inspect
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))


# -- the server process ------------------------------------------------------------


def serve() -> None:
    """Child process: start loopback servers, print their ports, run until stdin closes."""
    from helpers.servers import WWW, BannerServer, DnsResponder, HttpServer, LoopThread

    loop = LoopThread()
    http = HttpServer()
    banner = BannerServer()
    records = {(WWW, "A"): ["127.0.0.1"]}
    resolvers = [DnsResponder("answer", records) for _ in range(3)]

    async def start() -> None:
        for s in (http, banner, *resolvers):
            await s.start()

    loop.run(start())
    print(
        json.dumps({"http": http.port, "tcp": banner.port, "dns": [r.port for r in resolvers]}),
        flush=True,
    )
    sys.stdin.read()


def start_servers() -> tuple[subprocess.Popen[str], dict[str, object]]:
    p = subprocess.Popen(
        [sys.executable, __file__, "--serve"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert p.stdout is not None
    ports = json.loads(p.stdout.readline())
    return p, ports


# -- our checks --------------------------------------------------------------------


def config(ports: dict[str, object], targets: str, *, interval: str = "10s", concurrency: int = 64):  # type: ignore[no-untyped-def]
    from warroom.config import workspace_file as wf

    dns = ports["dns"]
    assert isinstance(dns, list)
    vantages = "".join(
        f'[[vantage]]\nname = "isp-{i}"\nresolver = "127.0.0.1:{p}"\n' for i, p in enumerate(dns)
    )
    text = (
        f'[probe]\ninterval = "{interval}"\ntimeout = "5s"\nconcurrency = {concurrency}\n'
        f"degraded_ms = 5000\n{vantages}{targets}"
    )
    cfg, problems = wf.parse_text(text)
    assert not problems, problems
    return cfg


def micro(ports: dict[str, object], n: int) -> dict[str, tuple[float, float]]:
    """checks/s and CPU s per 1,000 checks, per kind, concurrency 50."""
    from warroom.probes.checks import CheckEnv, run_check

    dns_port = ports["dns"][0]  # type: ignore[index]
    kinds = {
        "http": (
            "[[target]]\n"
            'name = "h"\n'
            f'url = "http://127.0.0.1:{ports["http"]}/ok"\n'
            'expect_body = "Welcome"\n'
        ),
        "tcp": f'[[target]]\nname = "t"\nurl = "tcp://127.0.0.1:{ports["tcp"]}"\n',
        "dns": (
            "[[target]]\n"
            'name = "d"\n'
            'url = "dns://www.example.test"\n'
            f'server = "127.0.0.1:{dns_port}"\n'
            'expect_answer = ["127.0.0.1"]\n'
        ),
    }
    out = {}
    for kind, t in kinds.items():
        cfg = config(ports, t)
        pair = (cfg.targets[0], cfg.vantage("system"))

        async def go(pair: Any = pair) -> tuple[int, float, float]:
            target, system = pair
            env = CheckEnv()
            sem = asyncio.Semaphore(50)
            bad = 0

            async def one() -> None:
                nonlocal bad
                async with sem:
                    r = await run_check(target, system, env)
                    bad += r.error is not None

            await asyncio.gather(*(one() for _ in range(50)))  # warm-up
            bad = 0
            w0, c0 = time.perf_counter(), time.process_time()
            await asyncio.gather(*(one() for _ in range(n)))
            w, c = time.perf_counter() - w0, time.process_time() - c0
            await env.aclose()
            return bad, w, c

        with asyncio.Runner(loop_factory=_engine_loop()) as runner:  # the engine's loop
            bad, wall, cpu = runner.run(go())
        rate = n / wall
        per_k = cpu / n * 1000
        out[kind] = (rate, per_k)
        print(
            f"  {kind:5} {n} checks: {rate:7.0f} checks/s, {per_k:5.2f} CPU s per 1,000 checks"
            + (f"  ({bad} failed!)" if bad else "")
        )
    return out


def workload(ports: dict[str, object], seconds: float, n_targets: int = 1000) -> float:
    """1,000 http targets x 3 vantages (custom resolvers) every 10 s, with the store.
    Returns the CPU share of one core."""
    from warroom.probes import ProbeEngine
    from warroom.store import Store
    from warroom.store import probes as ps

    targets = "".join(
        f'[[target]]\nname = "t{i:04d}"\nurl = "http://www.example.test:{ports["http"]}/ok"\n'
        'expect_body = "Welcome"\nvantages = ["isp-0", "isp-1", "isp-2"]\n'
        for i in range(n_targets)
    )
    cfg = config(ports, targets, interval="10s", concurrency=64)
    tmp = Path(tempfile.mkdtemp(prefix="bench-probes-"))
    store = Store.open(tmp / "ws")
    errors: dict[str, int] = {}
    lat: list[float] = []

    def on_results(rs: Iterable[Any]) -> None:
        for r in rs:
            if r.error:
                errors[r.error] = errors.get(r.error, 0) + 1
            elif r.latency_ms is not None:
                lat.append(r.latency_ms)

    engine = make_engine(ProbeEngine, cfg, on_results, store=store)
    engine.start()
    warm = 12.0  # the first rounds are spread over 3 s; measure the steady state
    time.sleep(warm)
    c0, w0, k0 = time.process_time(), time.perf_counter(), engine.checks
    time.sleep(seconds)
    cpu, wall, k = time.process_time() - c0, time.perf_counter() - w0, engine.checks - k0
    engine.stop()
    rows = ps.row_counts(store)["probe_samples"]
    store.close()
    shutil.rmtree(tmp, ignore_errors=True)
    lat.sort()
    p50 = lat[len(lat) // 2] if lat else float("nan")
    p99 = lat[int(len(lat) * 0.99)] if lat else float("nan")
    print(
        f"  {n_targets} targets x 3 vantages every 10 s, "
        f"{seconds:.0f} s measured after {warm:.0f} s warm-up:"
    )
    print(
        f"    {k / wall:6.1f} checks/s (goal 300), CPU {cpu / wall * 100:5.1f} % of one core "
        f"(engine + DNS + HTTP + store writes; goal < 40 %), "
        f"{cpu / max(1, k) * 1000:.2f} CPU s per 1,000 checks"
    )
    print(
        f"    latency p50 {p50:.1f} ms, p99 {p99:.1f} ms; failures: {errors or 'none'}; "
        f"{rows} samples stored"
    )
    return cpu / wall


def same_workload(ports: dict[str, object], seconds: float, n_targets: int = 1000) -> float:
    """The exporter's workload through the engine: 300 http checks/s to literal
    127.0.0.1 (nothing to resolve), expect_body, nothing stored. CPU s per 1,000 checks."""
    from warroom.config import workspace_file as wf
    from warroom.probes import ProbeEngine

    vantages = "".join(f'[[vantage]]\nname = "plain-{i}"\n' for i in range(3))
    targets = "".join(
        f'[[target]]\nname = "t{i:04d}"\nurl = "http://127.0.0.1:{ports["http"]}/ok"\n'
        'expect_body = "Welcome"\nvantages = ["plain-0", "plain-1", "plain-2"]\n'
        for i in range(n_targets)
    )
    text = (
        '[probe]\ninterval = "10s"\ntimeout = "5s"\nconcurrency = 64\ndegraded_ms = 5000\n'
        f"{vantages}{targets}"
    )
    cfg, problems = wf.parse_text(text)
    assert cfg is not None and not problems, problems
    bad = 0

    def on_results(rs: Iterable[Any]) -> None:
        nonlocal bad
        bad += sum(r.error is not None for r in rs)

    engine = make_engine(ProbeEngine, cfg, on_results)
    engine.start()
    time.sleep(5.0)  # the first rounds are spread over 3 s
    c0, w0, k0, bad = time.process_time(), time.perf_counter(), engine.checks, 0
    time.sleep(seconds)
    cpu, wall, k = time.process_time() - c0, time.perf_counter() - w0, engine.checks - k0
    engine.stop()
    per_k = float(cpu / max(1, k) * 1000)
    print(
        f"  warroom engine: {k / wall:6.1f} http checks/s for {wall:.0f} s, CPU "
        f"{cpu / wall * 100:5.1f} % of one core, {per_k:.2f} CPU s per 1,000 checks "
        f"(loop: {loop_name()})" + (f"  ({bad} failed!)" if bad else "")
    )
    return per_k


def make_engine(
    engine_cls: Any, cfg: Any, on_results: Callable[[Iterable[Any]], None], **kw: Any
) -> Any:
    """The engine with a results callback, whichever shape its API has: ``on_update``
    (an Update with ``.results``) now, ``on_results`` in code from before it (so a
    before/after run can use this file on both)."""
    if "on_update" in inspect.signature(engine_cls).parameters:
        return engine_cls(cfg, on_update=lambda u: on_results(u.results), **kw)
    return engine_cls(cfg, on_results=on_results, **kw)


def _engine_loop() -> Callable[[], asyncio.AbstractEventLoop] | None:
    try:
        from warroom.probes.net import loop_factory
    except ImportError:
        return None
    return loop_factory()


def loop_name() -> str:
    try:
        from warroom.probes.net import loop_factory
    except ImportError:  # code from before the choice existed (a before/after run)
        return "asyncio"
    factory = loop_factory()
    return "asyncio" if factory is None else factory.__module__.split(".")[0]


# -- storage -----------------------------------------------------------------------


def storage(series: int, hours: float) -> None:
    """Measure bytes per raw sample and per roll-up row, then extrapolate honestly."""
    from warroom.domain.probes import ProbeResult, Status
    from warroom.store import Store
    from warroom.store import probes as ps

    tmp = Path(tempfile.mkdtemp(prefix="bench-probes-store-"))
    store = Store.open(tmp / "ws")
    t0 = datetime(2026, 11, 1, tzinfo=UTC)
    steps = int(hours * 360)
    w0 = time.perf_counter()
    batch: list[ProbeResult] = []
    for i in range(steps):
        t = t0 + timedelta(seconds=10 * i)
        for s in range(series):
            down = (i * 7 + s) % 97 == 0
            batch.append(
                ProbeResult(
                    time=t,
                    target=f"t{s // 3:04d}",
                    vantage=f"isp-{s % 3}",
                    check="http",
                    status=Status.DOWN if down else Status.UP,
                    latency_ms=None if down else 20 + (i * 13 + s * 7) % 180 + 0.123,
                    error="timeout" if down else None,
                    detail="no response within 5s" if down else "HTTP 200",
                    address=f"192.0.2.{s % 250}",
                    extra={"phase": "request"} if down else {},
                )
            )
        if len(batch) >= 3000:
            ps.write_batch(store, batch)
            batch = []
    ps.write_batch(store, batch)
    write_s = time.perf_counter() - w0
    n_raw = steps * series

    def table_bytes() -> dict[str, int]:
        rows = store.query(
            "SELECT name, sum(pgsize) FROM dbstat WHERE name LIKE 'probe%' GROUP BY name"
        )
        return {r[0]: int(r[1]) for r in rows}

    raw_b = table_bytes().get("probe_samples", 0)
    end = t0 + timedelta(hours=hours)
    # Roll everything older than 1 h into minutes, then measure the minute table.
    ret = ps.Retention(raw_s=3600, minute_s=10 * 86400, hour_s=400 * 86400)
    ps.compact(store, now=end, retention=ret)
    minute_rows = ps.row_counts(store)["probe_minute"]
    minute_b = table_bytes().get("probe_minute", 0)
    ret = ps.Retention(raw_s=0, minute_s=0, hour_s=400 * 86400)
    ps.compact(store, now=end + timedelta(hours=1), retention=ret)
    hour_rows = ps.row_counts(store)["probe_hour"]
    hour_b = table_bytes().get("probe_hour", 0)
    store.close()
    shutil.rmtree(tmp, ignore_errors=True)
    per_raw = raw_b / n_raw
    per_min = minute_b / max(1, minute_rows)
    per_hour = hour_b / max(1, hour_rows)
    print(
        f"  measured: {n_raw:,} raw samples ({series} series x {hours:g} h at 10 s, 1 % failures) "
        f"written in {write_s:.1f} s ({n_raw / write_s:,.0f} samples/s)"
    )
    print(
        f"    {per_raw:.1f} bytes per raw sample, {per_min:.1f} per minute roll-up row, "
        f"{per_hour:.1f} per hour roll-up row (SQLite pages incl. keys, from dbstat)"
    )
    r = ps.DEFAULT_RETENTION
    for n_series, label in (
        (1000, "1,000 targets x 1 vantage"),
        (3000, "1,000 targets x 3 vantages"),
    ):
        raw_rows = n_series * r.raw_s / 10
        min_rows = n_series * (r.minute_s - r.raw_s) / 60
        hour_rows_30 = n_series * (30 * 86400 - r.minute_s) / 3600
        total = raw_rows * per_raw + min_rows * per_min + hour_rows_30 * per_hour
        cap_rows = n_series * (r.hour_s - r.minute_s) / 3600
        cap = raw_rows * per_raw + min_rows * per_min + cap_rows * per_hour
        print(
            f"  extrapolated, {label} every 10 s, after 30 days: {total / 1e9:.2f} GB "
            f"(raw {raw_rows * per_raw / 1e9:.2f} + minutes {min_rows * per_min / 1e9:.2f} + "
            f"hours {hour_rows_30 * per_hour / 1e9:.2f}); the ceiling after {r.hour_s / 86400:.0f} "
            f"days: {cap / 1e9:.2f} GB"
        )
    print(
        f"    (retention: raw {r.raw_s / 3600:g} h, minutes {r.minute_s / 3600:g} h, hours "
        f"{r.hour_s / 86400:g} d; per-row sizes measured above, row counts computed, not a "
        "30-day run)"
    )


# -- prometheus-blackbox-exporter --------------------------------------------------


def blackbox_binary() -> str | None:
    for name in ("prometheus-blackbox-exporter", "blackbox_exporter"):
        path = shutil.which(name)
        if path:
            return path
    if shutil.which("apt-get") is None:
        return None
    print("  installing prometheus-blackbox-exporter with apt-get (benchmark only) ...")
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    cmd = [
        "apt-get",
        "install",
        "-y",
        "-q",
        "--no-install-recommends",
        "prometheus-blackbox-exporter",
    ]
    if os.geteuid() != 0:
        if shutil.which("sudo") is None:
            return None
        cmd = ["sudo", "-n", *cmd]
    try:
        subprocess.run(cmd, env=env, check=True, capture_output=True, timeout=300)
    except (subprocess.SubprocessError, OSError) as exc:
        print(f"  apt-get failed: {exc}")
        return None
    return shutil.which("prometheus-blackbox-exporter")


def proc_cpu(pid: int) -> float:
    with open(f"/proc/{pid}/stat") as fh:
        parts = fh.read().rsplit(")", 1)[1].split()
    return (int(parts[11]) + int(parts[12])) / os.sysconf("SC_CLK_TCK")


def blackbox(
    ports: dict[str, object],
    n: int,
    seconds: float,
    same: Callable[[], float] | None = None,
    rounds: int = 1,
) -> None:
    """The exporter on the same servers; with ``same``, the engine's run of the same
    workload is interleaved with the exporter's, ``rounds`` times each."""
    exe = blackbox_binary()
    if not exe:
        print("  SKIPPED: prometheus-blackbox-exporter is not installed and could not be installed")
        return
    tmp = Path(tempfile.mkdtemp(prefix="bench-blackbox-"))
    conf = tmp / "blackbox.yml"
    conf.write_text(
        "modules:\n"
        "  http_2xx:\n    prober: http\n    timeout: 5s\n"
        "    http:\n      fail_if_body_not_matches_regexp: [Welcome]\n"
        "      preferred_ip_protocol: ip4\n"
        "  tcp_connect:\n    prober: tcp\n    timeout: 5s\n"
        "  dns_a:\n    prober: dns\n    timeout: 5s\n"
        "    dns:\n      query_name: www.example.test\n      query_type: A\n"
        "      preferred_ip_protocol: ip4\n"
    )
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen(
        [exe, f"--config.file={conf}", f"--web.listen-address=127.0.0.1:{port}"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/-/healthy", timeout=0.5)
                break
            except OSError:
                time.sleep(0.05)
        version = subprocess.run([exe, "--version"], capture_output=True, text=True)
        print(f"  {(version.stdout or version.stderr).splitlines()[0]}")
        dns_port = ports["dns"][0]  # type: ignore[index]
        targets = {
            "http": ("http_2xx", f"http://127.0.0.1:{ports['http']}/ok"),
            "tcp": ("tcp_connect", f"127.0.0.1:{ports['tcp']}"),
            "dns": ("dns_a", f"127.0.0.1:{dns_port}"),
        }
        import httpx

        async def drive(
            module: str, target: str, count: int, rate: float | None
        ) -> tuple[int, float]:
            url = f"http://127.0.0.1:{port}/probe"
            bad = 0
            async with httpx.AsyncClient(limits=httpx.Limits(max_connections=50)) as client:
                sem = asyncio.Semaphore(50)

                async def one(i: int) -> None:
                    nonlocal bad
                    if rate:
                        await asyncio.sleep(i / rate)
                    async with sem:
                        r = await client.get(url, params={"module": module, "target": target})
                        if "probe_success 1" not in r.text:
                            bad += 1

                w0 = time.perf_counter()
                await asyncio.gather(*(one(i) for i in range(count)))
                return bad, time.perf_counter() - w0

        for kind, (module, target) in targets.items():
            asyncio.run(drive(module, target, 50, None))  # warm-up
            c0 = proc_cpu(proc.pid)
            bad, wall = asyncio.run(drive(module, target, n, None))
            cpu = proc_cpu(proc.pid) - c0
            print(
                f"  {kind:5} {n} checks: {n / wall:7.0f} checks/s, {cpu / n * 1000:5.2f} CPU s per "
                f"1,000 checks (exporter process only)" + (f"  ({bad} failed!)" if bad else "")
            )
        results = []
        for _ in range(rounds):
            if same is not None:
                results.append(("warroom", same()))
            count = int(300 * seconds)
            c0 = proc_cpu(proc.pid)
            bad, wall = asyncio.run(drive("http_2xx", targets["http"][1], count, 300.0))
            cpu = proc_cpu(proc.pid) - c0
            per_k = cpu / count * 1000
            results.append(("blackbox", per_k))
            print(
                f"  exporter: the same 300 http checks/s for {seconds:.0f} s: "
                f"CPU {cpu / wall * 100:.1f} % of one core, {per_k:.2f} CPU s per 1,000 checks "
                "(exporter process only)" + (f"  ({bad} failed!)" if bad else "")
            )
        if same is not None:
            ours = sorted(v for k, v in results if k == "warroom")
            theirs = sorted(v for k, v in results if k == "blackbox")
            ratio = ours[len(ours) // 2] / theirs[len(theirs) // 2]
            print(
                f"  same workload, interleaved x{rounds}: warroom "
                f"{', '.join(f'{v:.2f}' for v in ours)} vs exporter "
                f"{', '.join(f'{v:.2f}' for v in theirs)} CPU s per 1,000 checks; "
                f"ratio of medians {ratio:.2f} (goal <= 0.5)"
            )
    finally:
        proc.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(5)
        shutil.rmtree(tmp, ignore_errors=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--quick", action="store_true", help="smaller counts (a smoke run)")
    ap.add_argument("--workload-seconds", type=float, default=40.0)
    ap.add_argument("--no-blackbox", action="store_true")
    args = ap.parse_args()
    if args.serve:
        serve()
        return
    n = 500 if args.quick else 3000
    seconds = 10.0 if args.quick else args.workload_seconds
    print(f"bench_probes: {os.cpu_count()} CPUs, Python {sys.version.split()[0]}")
    proc, ports = start_servers()
    try:
        print(
            "checks per second on loopback, fresh connections, concurrency 50 (warroom, "
            f"loop: {loop_name()}):"
        )
        micro(ports, n)
        print("workload (warroom ProbeEngine):")
        workload(ports, seconds)
        print("storage:")
        storage(series=60 if args.quick else 300, hours=2 if args.quick else 4)
        if args.no_blackbox:
            print("prometheus-blackbox-exporter: skipped (--no-blackbox)")
        else:
            print("prometheus-blackbox-exporter, same loopback servers:")
            span = min(seconds, 20.0)
            blackbox(ports, n, span, lambda: same_workload(ports, span), 1 if args.quick else 3)
    finally:
        assert proc.stdin is not None
        proc.stdin.close()
        proc.wait(10)


if __name__ == "__main__":
    main()
