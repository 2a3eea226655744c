"""Remote vantages end to end: ``warroom probe`` output and exit codes, the stored
evidence a report quotes, the token kept out of every file, and an engine whose local
checks never wait on a slow probe network."""

from __future__ import annotations

import json
import re
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from warroom.config import workspace_file as wf
from warroom.main import main
from warroom.probes import ProbeEngine
from warroom.probes.remote import RemoteRunner
from warroom.probes.summary import stored_remote_figures
from warroom.sim.globalping import FakeGlobalping, SimProbe
from warroom.store import Store

TOKEN = "gp-token-Zq8-never-stored"


@pytest.fixture
def gp() -> Iterator[FakeGlobalping]:
    fake = FakeGlobalping(token=TOKEN, finish_after=0.2)
    swisscom = "Swisscom (Schweiz) AG"
    fake.add(
        "AS3303",
        SimProbe(3303, swisscom, "CH", "Zurich", outcome="down", error="connect ETIMEDOUT"),
        SimProbe(3303, swisscom, "CH", "Bern", outcome="down", error="connect ETIMEDOUT"),
    )
    fake.add(
        "AS6730",
        SimProbe(6730, "Sunrise GmbH", "CH", "Zurich"),
        SimProbe(6730, "Sunrise GmbH", "CH", "Basel"),
    )
    with fake:
        yield fake


def workspace(tmp_path: Path, gp: FakeGlobalping, locations: str = '["AS3303", "AS6730"]') -> Path:
    p = tmp_path / "ws.toml"
    p.write_text(
        f"""[probe]
fail_after = 1

[[vantage]]
name = "ch-isps"
globalping = "{gp.url}"
locations = {locations}
secret = "globalping"

[[target]]
name = "www"
url = "https://www.example.ch/"
vantages = ["ch-isps"]
"""
    )
    return p


def probe(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_probe_names_groups_with_counts_and_stores_the_evidence(
    gp: FakeGlobalping,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("WARROOM_SECRET_GLOBALPING", TOKEN)
    data = tmp_path / "data"
    ws = workspace(tmp_path, gp)
    code, out, err = probe(capsys, "--data-dir", str(data), "probe", str(ws), "--once")
    assert code == 2, err
    assert out.splitlines()[-1] == (
        "www: down via ch-isps AS3303 (2 of 2 probes); up via ch-isps AS6730 (2 of 2 probes)"
    )
    # our budget, then the API's own count (the two answers may cross: 246 or 248)
    assert re.fullmatch(
        r"remote: 196 of 200 tests left this hour; "
        r"ch-isps \(API\): 24[68] of 250 tests left this hour, 0 credits",
        out.splitlines()[-2],
    )
    code, out, _ = probe(capsys, "--data-dir", str(data), "probe", str(ws), "--once", "--json")
    recs = [json.loads(line) for line in out.splitlines()]
    assert len(recs) == 4 and all(r["vantage"] == "ch-isps" for r in recs)
    assert {r["group"] for r in recs} == {"AS3303", "AS6730"}
    assert recs[0]["remote"]["asn"] in (3303, 6730) and recs[0]["remote"]["probe"]
    # what the report, the brief and the composer quote, from the stored states
    with Store.open(data) as st:
        figures = stored_remote_figures(st)
    assert figures["www"] == [
        "down from 2 of 2 probes in AS3303 (Swisscom)",
        "up from 2 of 2 probes in AS6730 (Sunrise)",
    ]
    # the token reached the API and nothing else
    assert gp.seen("POST")[0].headers["authorization"] == f"Bearer {TOKEN}"
    for f in data.rglob("*"):
        if f.is_file():
            assert TOKEN.encode() not in f.read_bytes(), f


def test_unknown_location_is_an_error_at_the_files_line(
    gp: FakeGlobalping, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ws = workspace(tmp_path, gp, '["AS3303", "AS99999999"]')
    code, out, err = probe(capsys, "probe", str(ws), "--once", "--no-store")
    assert code == 3 and out == ""
    assert err == (
        f"error: {ws}:7: vantage 'ch-isps'.locations: Globalping has no probes for "
        "'AS99999999' (No suitable probes found.)\n"
    )


def test_budget_and_api_faults_are_warnings_not_outages(
    gp: FakeGlobalping, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ws = workspace(tmp_path, gp)
    ws.write_text(ws.read_text().replace("fail_after = 1", "remote_budget_per_hour = 2"))
    code, out, err = probe(capsys, "probe", str(ws), "--once", "--no-store")
    assert "warning: remote budget: 2 of 4 tests this round fit in 2 per hour" in err
    assert "secret 'globalping' is not set" in err
    gp.fault = "down"
    ws = workspace(tmp_path, gp)
    code, out, err = probe(capsys, "probe", str(ws), "--once", "--no-store")
    assert code == 0
    assert "warning: ch-isps: world: API unreachable since " in err
    assert out.splitlines()[-1].startswith(
        "www: unknown via ch-isps AS3303, ch-isps AS6730 (world: API unreachable since "
    )


def test_engine_local_checks_never_wait_on_a_slow_probe_network(
    gp: FakeGlobalping, tmp_path: Path
) -> None:
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    text = f"""[probe]
interval = "0.2s"
remote_interval = "1h"

[[vantage]]
name = "ch-isps"
globalping = "{gp.url}"
locations = ["AS3303"]

[[target]]
name = "smtp"
url = "tcp://127.0.0.1:{port}"
"""
    cfg, problems = wf.parse_text(text)
    assert cfg is not None, problems
    gp.fault = "slow"
    gp.slow_s = 4.0
    runner = RemoteRunner(cfg, get_secret=lambda _n: None, request_timeout=3.0)
    engine = ProbeEngine(cfg, remote=runner, route_check=lambda: (True, "test"))
    engine.start()
    try:
        deadline = time.monotonic() + 5
        while engine.rounds < 5 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert engine.rounds >= 5, "local rounds went on while the API hung"
        assert engine.remote_rounds == 0  # the remote round is still waiting on the API
        deadline = time.monotonic() + 8
        while engine.remote_rounds < 1 and time.monotonic() < deadline:
            time.sleep(0.05)
        note = engine.remote_notes.get("ch-isps")
        assert note is not None and note.startswith("world: API too slow since ")
        gp.fault = None
        engine.probe_world_now("smtp")  # "check from the world now"
        deadline = time.monotonic() + 5
        while engine.remote_rounds < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        snap = {s.vantage: s for s in engine.snapshot()}
        assert snap["ch-isps AS3303"].note is None and snap["ch-isps AS3303"].remote
        assert snap["ch-isps AS3303"].last is not None
    finally:
        engine.stop()
        listener.close()


def test_the_hourly_budget_holds_across_separate_runs(
    gp: FakeGlobalping, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ws = workspace(tmp_path, gp)
    ws.write_text(ws.read_text().replace("fail_after = 1", "remote_budget_per_hour = 4"))
    data = str(tmp_path / "data")
    _, _, err = probe(capsys, "--data-dir", data, "probe", str(ws), "--once")
    assert "remote budget" not in err and gp.consumed == 4
    _, _, err = probe(capsys, "--data-dir", data, "probe", str(ws), "--once")
    assert "warning: remote budget: 0 of 4 tests this round fit in 4 per hour" in err
    assert gp.consumed == 4  # the second run asked for nothing


def test_brief_and_report_quote_the_remote_figures(
    gp: FakeGlobalping,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("WARROOM_SECRET_GLOBALPING", TOKEN)
    data = str(tmp_path / "data")
    code, out, _ = probe(capsys, "--data-dir", data, "incident", "new", "Websites unreachable")
    inc = out.strip()
    probe(capsys, "--data-dir", data, "probe", str(workspace(tmp_path, gp)), "--once")
    evidence = "down from 2 of 2 probes in AS3303 (Swisscom)"
    for cmd in ("report", "handover"):
        code, out, err = probe(capsys, "--data-dir", data, cmd, inc)
        assert code == 0, err
        assert evidence in out, cmd
        assert "up from 2 of 2 probes in AS6730 (Sunrise)" in out
        assert TOKEN not in out
