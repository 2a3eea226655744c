"""The timeline through the command line, as scripts and handover partners use it."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest


def run(
    data_dir: Path, *args: str, check: bool = True, **kw: object
) -> subprocess.CompletedProcess:
    proc = subprocess.run(
        [sys.executable, "-m", "warroom", "--data-dir", str(data_dir), *args],
        capture_output=True,
        text=True,
        timeout=60,
        **kw,  # type: ignore[arg-type]
    )
    if check and proc.returncode != 0:
        raise AssertionError(f"{args} failed ({proc.returncode}): {proc.stderr}")
    return proc


def lines(out: str) -> list[dict]:
    return [json.loads(x) for x in out.splitlines() if x.strip()]


def test_round_trip(data_dir: Path) -> None:
    iid = run(
        data_dir, "incident", "new", "Network outage", "--severity", "SEV1", "--commander", "Ada"
    ).stdout.strip()
    assert len(iid) == 26
    eid = run(
        data_dir,
        "log",
        iid,
        "www down via isp-b",
        "--kind",
        "observation",
        "--at",
        "-5m",
        "--author",
        "bob",
        "--tag",
        "dns",
        "--pin",
        "--external",
    ).stdout.strip()
    (rec,) = [r for r in lines(run(data_dir, "timeline", iid, "--json").stdout) if r["id"] == eid]
    assert rec["incident"] == iid
    assert rec["kind"] == "observation" and rec["author"] == "bob"
    assert rec["tags"] == ["dns"] and rec["pinned"] is True and rec["external"] is True
    assert rec["hidden"] is False and rec["revision"] == 1
    assert rec["occurred_at"].endswith("Z") and rec["recorded_at"] > rec["occurred_at"]

    run(data_dir, "entry", "edit", eid, "--text", "www down via isp-b and isp-c")
    run(data_dir, "entry", "hide", eid, "--reason", "duplicate")
    assert eid not in run(data_dir, "timeline", iid).stdout
    (rec,) = [
        r
        for r in lines(run(data_dir, "timeline", iid, "--json", "--include-hidden").stdout)
        if r["id"] == eid
    ]
    assert rec["revision"] == 3 and rec["hidden"] is True
    assert rec["text"] == "www down via isp-b and isp-c"
    shown = run(data_dir, "entry", "show", eid, "--json")
    assert [r["text"] for r in lines(shown.stdout)[0]["revisions"]] == [
        "www down via isp-b",
        "www down via isp-b and isp-c",
        "www down via isp-b and isp-c",
    ]


def test_set_logs_old_and_new(data_dir: Path) -> None:
    iid = run(data_dir, "incident", "new", "X").stdout.strip()
    run(
        data_dir,
        "incident",
        "set",
        iid,
        "--status",
        "identified",
        "--comms",
        "Zoe",
        "--summary",
        "BGP session flap",
    )
    recs = lines(run(data_dir, "timeline", iid, "--json", "--kind", "status").stdout)
    fields = {r["meta"].get("field"): r["meta"] for r in recs}
    assert fields["status"]["old"] == "investigating" and fields["status"]["new"] == "identified"
    assert fields["comms_lead"]["new"] == "Zoe"
    show = lines(run(data_dir, "incident", "show", iid, "--json").stdout)[0]
    assert show["status"] == "identified" and show["summary"] == "BGP session flap"
    listed = lines(run(data_dir, "incident", "list", "--json").stdout)
    assert [i["id"] for i in listed] == [iid]


def test_search_kind_pinned_filters(data_dir: Path) -> None:
    iid = run(data_dir, "incident", "new", "X").stdout.strip()
    run(data_dir, "log", iid, "resolver SERVFAIL", "--kind", "observation")
    run(data_dir, "log", iid, "fail over", "--kind", "decision", "--pin")
    assert [
        r["text"]
        for r in lines(run(data_dir, "timeline", iid, "--json", "--search", "servfail").stdout)
    ] == ["resolver SERVFAIL"]
    assert [
        r["text"]
        for r in lines(run(data_dir, "timeline", iid, "--json", "--kind", "decision").stdout)
    ] == ["fail over"]
    assert [
        r["text"] for r in lines(run(data_dir, "timeline", iid, "--json", "--pinned").stdout)
    ] == ["fail over"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("log", "{iid}", ""), "text is empty"),
        (("log", "{iid}", "x", "--at", "25:99"), "not a clock time"),
        (("log", "{iid}", "x", "--at", "when pigs fly"), "cannot read time"),
        (("log", "{iid}", "x", "--kind", "gossip"), "unknown kind"),
        (("log", "01NOTANINCIDENT", "x"), "no incident"),
        (("entry", "edit", "01NOTANENTRY", "--text", "y"), "no entry"),
        (("incident", "set", "{iid}", "--severity", "SEV9"), "unknown severity"),
    ],
)
def test_bad_input_is_one_clear_line(data_dir: Path, args: tuple[str, ...], message: str) -> None:
    iid = run(data_dir, "incident", "new", "X").stdout.strip()
    before = run(data_dir, "timeline", iid, "--json", "--include-hidden").stdout
    proc = run(data_dir, *[a.format(iid=iid) for a in args], check=False)
    assert proc.returncode != 0
    err = proc.stderr.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error: ") and message in err[0], proc.stderr
    assert run(data_dir, "timeline", iid, "--json", "--include-hidden").stdout == before


def test_future_time_warns_but_logs(data_dir: Path) -> None:
    iid = run(data_dir, "incident", "new", "X").stdout.strip()
    proc = run(data_dir, "log", iid, "planned", "--at", "+3h")
    assert "warning:" in proc.stderr and "future" in proc.stderr
    assert proc.stdout.strip()


def test_text_from_the_shell_round_trips(data_dir: Path) -> None:
    iid = run(data_dir, "incident", "new", "X").stdout.strip()
    text = "مرحبا 🔥 e\u0301 \x1b[31mred\x1b[0m\ttab"
    eid = run(data_dir, "log", iid, text).stdout.strip()
    (rec,) = [r for r in lines(run(data_dir, "timeline", iid, "--json").stdout) if r["id"] == eid]
    assert rec["text"] == text


def test_many_writers_at_once_all_succeed(data_dir: Path) -> None:
    iid = run(data_dir, "incident", "new", "X").stdout.strip()
    n = 16

    def one(i: int) -> subprocess.CompletedProcess:
        return run(data_dir, "log", iid, f"writer {i}", check=False)

    with ThreadPoolExecutor(max_workers=n) as pool:
        procs = list(pool.map(one, range(n)))
    failures = [p.stderr for p in procs if p.returncode != 0]
    assert failures == []
    ids = {p.stdout.strip() for p in procs}
    got = {r["id"] for r in lines(run(data_dir, "timeline", iid, "--json").stdout)}
    assert ids <= got and len(ids) == n


def test_killed_right_after_reporting_loses_nothing(data_dir: Path) -> None:
    iid = run(data_dir, "incident", "new", "X").stdout.strip()
    script = textwrap.dedent(
        f"""
        import sys
        from pathlib import Path
        from warroom.store import Store
        from warroom.services.timeline import Timeline
        tl = Timeline(Store.open(Path({str(data_dir)!r})), author="k")
        i = 0
        while True:
            e = tl.log({iid!r}, f"entry {{i}}").value
            sys.stdout.write(e.id + "\\n"); sys.stdout.flush()
            i += 1
        """
    )
    with subprocess.Popen(
        [sys.executable, "-c", script], stdout=subprocess.PIPE, text=True, env={**os.environ}
    ) as proc:
        assert proc.stdout is not None
        reported = [proc.stdout.readline().strip() for _ in range(25)]
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
    got = {r["id"] for r in lines(run(data_dir, "timeline", iid, "--json").stdout)}
    assert set(reported) <= got
