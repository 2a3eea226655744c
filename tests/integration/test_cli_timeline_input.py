"""The command line's input: standard input, clock times after midnight, help, search."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

from warroom.cli import build_parser

TIMELINE_COMMANDS = ("incident", "log", "entry", "timeline", "action")


def run(data_dir: Path, *args: str, **kw: object) -> subprocess.CompletedProcess:
    proc = subprocess.run(
        [sys.executable, "-m", "warroom", "--data-dir", str(data_dir), *args],
        capture_output=True,
        text=True,
        timeout=60,
        **kw,  # type: ignore[arg-type]
    )
    assert proc.returncode == 0, proc.stderr
    return proc


def test_log_text_from_standard_input(data_dir: Path) -> None:
    iid = run(data_dir, "incident", "new", "Mail delayed").stdout.strip()
    paste = "".join(f"line {i:06d} smtp 421 try again later ✉\n" for i in range(5000))
    assert len(paste.encode()) > 200_000
    eid = run(data_dir, "log", iid, "-", "--json", input=paste).stdout
    rec = json.loads(eid)
    assert rec["text"] == paste[:-1]  # the shell's final newline is not part of it
    shown = json.loads(run(data_dir, "entry", "show", rec["id"], "--json").stdout)
    assert len(shown["text"]) == len(paste) - 1


def test_clock_time_after_midnight_on_the_command_line(data_dir: Path) -> None:
    # A fixed clock (00:10 in Berlin) and zone, through the real command-line code.
    script = textwrap.dedent(
        """
        import sys
        from datetime import UTC, datetime
        from warroom.base import timeutil
        timeutil.now = lambda: datetime(2026, 11, 30, 23, 10, tzinfo=UTC)
        from warroom.main import main
        sys.exit(main(sys.argv[1:]))
        """
    )
    env = {**os.environ, "TZ": "Europe/Berlin"}

    def cli(*args: str) -> str:
        proc = subprocess.run(
            [sys.executable, "-c", script, "--data-dir", str(data_dir), *args],
            capture_output=True,
            text=True,
            timeout=60,
            env=env,
        )
        assert proc.returncode == 0, proc.stderr
        assert "future" not in proc.stderr, proc.stderr
        return proc.stdout

    iid = cli("incident", "new", "Night shift").strip()
    rec = json.loads(cli("log", iid, "resolver restarted", "--at", "23:55", "--json"))
    assert rec["occurred_at"] == "2026-11-30T22:55:00.000Z"


def test_help_of_every_timeline_command() -> None:
    parser = build_parser()
    missing: list[str] = []

    def walk(p: argparse.ArgumentParser, path: list[str]) -> None:
        for a in p._actions:
            if isinstance(a, argparse._SubParsersAction):
                helps = {c.dest: c.help for c in a._choices_actions}
                for name, sp in a.choices.items():
                    if not path and name not in TIMELINE_COMMANDS:
                        continue
                    if not helps.get(name):
                        missing.append(" ".join([*path, name]))
                    walk(sp, [*path, name])
            elif path and not a.help:
                missing.append(" ".join([*path, a.dest]))

    walk(parser, [])
    assert missing == []


def test_action_help_lists_its_subcommands(data_dir: Path) -> None:
    out = run(data_dir, "action", "--help").stdout
    for word in ("add", "list", "done"):
        assert f"    {word} " in out, out
    log_help = run(data_dir, "log", "--help").stdout
    assert "standard input" in log_help


def test_search_folds_like_the_window(data_dir: Path) -> None:
    iid = run(data_dir, "incident", "new", "Branch offline").stdout.strip()
    run(data_dir, "log", iid, "Außenstelle Nord unreachable")
    out = run(data_dir, "timeline", iid, "--search", "aussenstelle", "--json").stdout
    assert [json.loads(x)["text"] for x in out.splitlines()] == ["Außenstelle Nord unreachable"]


def test_incident_new_from_probes(data_dir: Path) -> None:
    from datetime import timedelta

    from warroom.base import timeutil
    from warroom.domain.probes import ProbeResult, State, StateChange, Status
    from warroom.store import Store
    from warroom.store import probes as stored

    store = Store.open(data_dir)
    t = timeutil.now() - timedelta(minutes=5)
    r = ProbeResult(t, "smtp", "isp-b", "tcp", Status.DOWN, error="refused")
    stored.write_batch(store, [], [StateChange(t, "smtp", "isp-b", State.UP, State.DOWN, r)])
    store.close()
    iid = run(data_dir, "incident", "new", "Mail down", "--from-probes").stdout.strip()
    inc = json.loads(run(data_dir, "incident", "show", iid, "--json").stdout)
    assert inc["affected_services"] == ["smtp"]
    entries = [json.loads(x) for x in run(data_dir, "timeline", iid, "--json").stdout.splitlines()]
    probe = [e for e in entries if e["kind"] == "probe"]
    assert len(probe) == 1 and probe[0]["author"] == "probe"
    assert probe[0]["text"].startswith("Probes now: smtp: down via isp-b for 5m")
