"""Issue 10 item 4 end to end: a stalled TLS handshake must not hold ``warroom probe``
or leave a target pending in the engine while the other targets run on."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from helpers.servers import WWW, TestNet

from warroom.config import workspace_file as wf
from warroom.domain.probes import State
from warroom.probes import ProbeEngine


def workspace(net: TestNet, stall_port: int) -> str:
    return f"""
[probe]
interval = "0.5s"
timeout = "0.4s"
fail_after = 1
recover_after = 1
jitter = 0.0
[[vantage]]
name = "isp-a"
resolver = "{net.dns_a.address}"
[[target]]
name = "stalled"
url = "tls://{WWW}:{stall_port}"
vantages = ["isp-a"]
[[target]]
name = "www"
url = "http://{WWW}:{net.http.port}/ok"
vantages = ["isp-a"]
"""


def test_probe_once_ends_with_a_timeout(testnet: TestNet, tmp_path: Path) -> None:
    stall = testnet.stall_server()
    path = tmp_path / "ws.toml"
    path.write_text(workspace(testnet, stall.port), encoding="utf-8")
    t0 = time.monotonic()
    p = subprocess.run(
        [sys.executable, "-m", "warroom", "probe", str(path), "--once", "--no-store"],
        capture_output=True,
        text=True,
        timeout=30,  # it hung for more than 300 s before the fix
    )
    assert p.returncode == 2, (p.stdout, p.stderr)
    row = next(line for line in p.stdout.splitlines() if line.startswith("stalled "))
    assert "down" in row.split() and "timeout: no TLS handshake within 0.4s" in row, row
    assert time.monotonic() - t0 < 20


def test_engine_does_not_leave_the_stalled_target_pending(testnet: TestNet) -> None:
    stall = testnet.stall_server()
    cfg, problems = wf.parse_text(workspace(testnet, stall.port))
    assert cfg is not None and not problems, problems
    engine = ProbeEngine(cfg)
    engine.start()
    try:
        end = time.monotonic() + 10
        states: dict[str, State] = {}
        while time.monotonic() < end:
            states = {s.target: s.state for s in engine.snapshot()}
            if states == {"stalled": State.DOWN, "www": State.UP}:
                break
            time.sleep(0.05)
        assert states == {"stalled": State.DOWN, "www": State.UP}, states
        # It keeps being checked: rounds go on, each ending at its deadline.
        n = stall.accepted
        end = time.monotonic() + 5
        while stall.accepted < n + 2 and time.monotonic() < end:
            time.sleep(0.05)
        assert stall.accepted >= n + 2
    finally:
        engine.stop()
