"""``warroom probe FILE``: probe every target from every vantage, as rounds.

Exit codes (CONTRACT.md): 0 all up, 1 something degraded, 2 something down, 3 the file
is unusable. Human output is a table per round and one line per target in words
("www: down via isp-b, isp-lie; up via isp-a"); ``--json`` prints one CONTRACT probe
record per (target, vantage) per round, with ``round`` and ``state`` added.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from warroom.cli.common import Context, add_json_flag

if TYPE_CHECKING:
    from warroom.domain.probes import ProbeResult
    from warroom.domain.workspace import WorkspaceConfig
    from warroom.probes import RoundRunner
    from warroom.probes.state import SeriesState
    from warroom.store.db import Store

EXIT = {"up": 0, "pending": 0, "degraded": 1, "down": 2, "offline": 2}


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Adds ``probe``."""
    p = sub.add_parser(
        "probe",
        help="probe the targets of a workspace file from every vantage",
        description="Probe every [[target]] of FILE from each of its vantages. "
        "Exit 0 all up, 1 something degraded, 2 something down, 3 unusable file.",
    )
    p.add_argument("file", metavar="FILE", help="the workspace TOML file")
    once = p.add_mutually_exclusive_group()
    once.add_argument("--once", action="store_true", help="one round, then exit")
    once.add_argument("--rounds", type=int, metavar="N", help="N rounds, then exit")
    p.add_argument(
        "--every",
        metavar="DURATION",
        help="time between rounds (default: [probe] interval)",
    )
    p.add_argument("--target", action="append", metavar="NAME", help="only this target (repeat)")
    p.add_argument(
        "--no-store", action="store_true", help="do not keep the samples in the workspace"
    )
    add_json_flag(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace, ctx: Context) -> int:
    import asyncio
    from dataclasses import replace

    from warroom.base.errors import UsageError
    from warroom.base.timeutil import parse_duration
    from warroom.config import workspace_file

    config = workspace_file.load(args.file)
    if args.target:
        unknown = [n for n in args.target if n not in {t.name for t in config.targets}]
        if unknown:
            raise UsageError(f"--target: no target {unknown[0]!r} in {args.file}")
        config = replace(config, targets=tuple(t for t in config.targets if t.name in args.target))
    if not config.targets:
        raise workspace_file.WorkspaceFileError(
            [workspace_file.Problem(None, "target", "no [[target]] to probe")], args.file
        )
    rounds = 1 if args.once else args.rounds
    if rounds is not None and rounds < 1:
        raise UsageError("--rounds must be at least 1")
    try:
        every = parse_duration(args.every) if args.every else config.probe.interval
    except ValueError as exc:
        raise UsageError(f"--every: {exc}") from exc
    store = None
    if not args.no_store:
        from warroom.base.errors import StoreError

        try:
            store = ctx.store()
        except StoreError as exc:  # probing matters more than keeping the samples
            ctx.warn(f"{exc}; probing without storing the samples")
    return asyncio.run(_rounds(config, rounds, every, store, args, ctx))


async def _rounds(
    config: WorkspaceConfig,
    rounds: int | None,
    every: float,
    store: Store | None,
    args: argparse.Namespace,
    ctx: Context,
) -> int:
    import asyncio
    import time

    from warroom.probes import RoundRunner
    from warroom.probes.remote import RemoteRunner

    # The workspace keeps the remote budget's ledger, so separate runs share one hour.
    runner = RoundRunner(config, remote=RemoteRunner(config, store=store))
    code = 0
    n = 0
    try:
        while rounds is None or n < rounds:
            n += 1
            t0 = time.monotonic()
            results, changes = await runner.round()
            _refuse_unknown_locations(runner)
            snap = runner.snapshot()
            if store is not None:
                from warroom.base.errors import StoreError
                from warroom.store import probes as probe_store

                try:
                    probe_store.write_batch(store, results, changes)
                except StoreError as exc:
                    ctx.warn(f"{exc}; probing on without storing the samples")
                    store = None
            _print_round(n, rounds, results, snap, runner, args, ctx)
            code = _exit_code(snap)
            if rounds is not None and n >= rounds:
                break
            await asyncio.sleep(max(0.0, every - (time.monotonic() - t0)))
    finally:
        await runner.aclose()
    return code


def _refuse_unknown_locations(runner: RoundRunner) -> None:
    """A location the probe network does not know is an error in the file, at its line."""
    rnd = runner.last_remote
    if rnd is None or not rnd.unknown_problems:
        return
    from warroom.config.workspace_file import Problem, WorkspaceFileError

    source = rnd.unknown_problems[0][0] or "the workspace file"
    problems = [Problem(line, fld, msg) for _, line, fld, msg in rnd.unknown_problems]
    raise WorkspaceFileError(problems, source)


def _remote_quota(runner: RoundRunner) -> str:
    """``remote: 192 of 200 tests left this hour; ch-isps (API): 245 of 250 tests left
    this hour``: our own budget, then what each API says of its limits."""
    r = runner.remote
    parts = [f"remote: {r.budget.left()} of {r.budget.per_hour} tests left this hour"]
    parts += [f"{v} (API): {q}" for v, q in sorted(r.quota.items())]
    return "; ".join(parts)


def _exit_code(snap: list[SeriesState]) -> int:
    from warroom.probes import effective

    return max((EXIT.get(effective(s), 0) for s in snap), default=0)


def _fmt_latency(ms: float | None) -> str:
    if ms is None:
        return "-"
    return f"{ms:.0f} ms" if ms >= 100 else f"{ms:.1f} ms"


def _print_round(
    n: int,
    rounds: int | None,
    results: list[ProbeResult],
    snap: list[SeriesState],
    runner: RoundRunner,
    args: argparse.Namespace,
    ctx: Context,
) -> None:
    from warroom.probes import effective, target_summary

    gate = runner.gate
    if gate.online is False:
        ctx.warn(f"this workstation looks offline ({gate.reason}); such failures are set aside")
    remote = runner.last_remote
    if remote is not None:
        for w in remote.warnings:
            ctx.warn(w)
        for vantage, note in remote.vantage_notes.items():
            if note is not None:
                ctx.warn(f"{vantage}: {note}; its cells are unknown, not down")
    states = {(s.target, s.vantage): s for s in snap}
    if args.json:
        # Local samples, then one record per remote probe that answered (CONTRACT.md):
        # the group samples the table shows are ours, not the probes'.
        records = [r for r in results if "remote_vantage" not in r.extra]
        records += remote.results if remote is not None else []
        for r in records:
            rec = r.record()
            rec["round"] = n
            group = r.extra.get("group")
            key = f"{r.vantage} {group}" if isinstance(group, str) else r.vantage
            st = states.get((r.target, key))
            rec["state"] = effective(st) if st else None
            ctx.json_line(rec)
        return
    if rounds != 1:
        from warroom.base import timeutil

        of = f" of {rounds}" if rounds else ""
        ctx.out(f"round {n}{of} at {timeutil.now_str()}")
    rows = [("TARGET", "VANTAGE", "CHECK", "STATUS", "LATENCY", "ADDRESS", "DETAIL")]
    for r in results:
        detail = f"{r.error}: {r.detail}" if r.error else r.detail
        if r.extra.get("offline"):
            detail = "(offline, set aside) " + detail
        if "remote_vantage" in r.extra and r.extra.get("network"):
            detail = f"{detail} [{r.extra['network']}]"
        rows.append(
            (
                r.target,
                r.vantage,
                r.check,
                str(r.status),
                _fmt_latency(r.latency_ms),
                r.address or "-",
                detail,
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(6)]
    for row in rows:
        ctx.out("  ".join(c.ljust(w) for c, w in zip(row[:6], widths, strict=True)) + "  " + row[6])
    ctx.out()
    seen: list[str] = []
    for s in snap:
        if s.target not in seen:
            seen.append(s.target)
    if remote is not None:
        ctx.out(_remote_quota(runner))
    for name in seen:
        ctx.out(target_summary(name, snap))
    if rounds != 1:
        ctx.out()
