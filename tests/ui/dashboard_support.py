"""Shared bits of the dashboard tests: configs, results, state changes, a UiContext."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from warroom.config import workspace_file
from warroom.config.workspace_file import WorkspaceConfig
from warroom.domain.probes import ProbeResult, State, StateChange, Status
from warroom.probes.state import SeriesState

T0 = datetime(2026, 11, 24, 9, 42, 0, tzinfo=UTC)

BOARD = """\
[probe]
interval = "10s"
degraded_ms = 1000

[[vantage]]
name = "isp-a"
resolver = "127.0.0.1:5301"

[[vantage]]
name = "isp-b"
resolver = "127.0.0.1:5302"

[[target]]
name = "www"
url = "https://www.example.test/"
vantages = ["system", "isp-a", "isp-b"]

[[target]]
name = "mail"
url = "tcp://mail.example.test:25"
vantages = ["system", "isp-a"]

[[target]]
name = "api"
url = "https://api.example.test/health"
"""


def config(text: str = BOARD) -> WorkspaceConfig:
    cfg, problems = workspace_file.parse_text(text)
    assert not problems, problems
    assert cfg is not None
    return cfg


def result(
    target: str,
    vantage: str,
    status: Status = Status.UP,
    latency: float | None = 42.0,
    error: str | None = None,
    detail: str = "",
    *,
    at: datetime = T0,
    address: str | None = "192.0.2.10",
) -> ProbeResult:
    if status is Status.DOWN:
        latency = None
    return ProbeResult(at, target, vantage, "http", status, latency, error, detail, address)


def change(
    target: str,
    vantage: str,
    old: State,
    new: State,
    r: ProbeResult | None = None,
    *,
    at: datetime = T0,
    flapping: bool = False,
) -> StateChange:
    if r is None:
        status = {State.DOWN: Status.DOWN, State.DEGRADED: Status.DEGRADED}.get(new, Status.UP)
        err = "dns_servfail" if new is State.DOWN else None
        r = result(target, vantage, status, 42.0, err, at=at)
    return StateChange(at, target, vantage, old, new, r, flapping)


def later(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def make_ctx(store: object, tmp_path: Path, workspace: Path | None = None) -> object:
    from PySide6.QtCore import QSettings

    from warroom.ui.context import UiContext

    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    return UiContext(
        store=store,  # type: ignore[arg-type]
        data_dir=tmp_path,
        settings=settings,
        workspace_file=workspace,
    )


def state(
    target: str,
    vantage: str,
    st: State = State.UP,
    r: ProbeResult | None = None,
    *,
    since: datetime | None = T0,
    latencies: tuple[float | None, ...] | None = None,
    flapping: bool = False,
    offline: bool = False,
    check: str = "http",
) -> SeriesState:
    """A ``SeriesState`` as the engine sends it; the last result follows the state
    unless given."""
    if r is None and st is not State.PENDING:
        status = {State.DOWN: Status.DOWN, State.DEGRADED: Status.DEGRADED}.get(st, Status.UP)
        err = "dns_servfail" if st is State.DOWN else None
        r = result(target, vantage, status, 42.0, err, at=since or T0)
    if latencies is None:
        latencies = () if r is None else (None if r.status is Status.DOWN else r.latency_ms,)
    if st is State.PENDING:
        since = None
    return SeriesState(target, vantage, check, st, since, r, latencies, flapping, offline)


def update(states=(), changes=(), gate=None) -> object:  # type: ignore[no-untyped-def]
    """An engine ``Update``."""
    from warroom.probes.engine import Update

    return Update(tuple(states), tuple(changes), (), gate)
