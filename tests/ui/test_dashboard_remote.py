"""Remote vantages on the dashboard, with the real engine and the loopback Globalping
fake: columns grouped by network and marked remote, probe counts in the cells, the API's
faults said in the cells, and "check from the world now" for one target."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from dashboard_support import make_ctx
from PySide6.QtCore import Qt

from warroom.config import workspace_file as wf
from warroom.probes import ProbeEngine
from warroom.probes.remote import RemoteRunner
from warroom.sim.globalping import FakeGlobalping, SimProbe
from warroom.ui.dashboard import DashboardPane
from warroom.ui.dashboard.model import LINE_BREAK

pytestmark = pytest.mark.qt_log_ignore("does not support propagateSizeHints")


@pytest.fixture
def gp() -> Iterator[FakeGlobalping]:
    fake = FakeGlobalping(finish_after=0.0)
    swisscom = "Swisscom (Schweiz) AG"
    fake.add(
        "AS3303",
        SimProbe(3303, swisscom, "CH", "Zurich", outcome="down", error="connect ECONNREFUSED"),
        SimProbe(3303, swisscom, "CH", "Bern", outcome="down", error="connect ECONNREFUSED"),
    )
    fake.add("AS6730", SimProbe(6730, "Sunrise GmbH", "CH", "Zurich"))
    with fake:
        yield fake


@pytest.fixture
def listener() -> Iterator[int]:
    sock = socket.create_server(("127.0.0.1", 0))
    yield sock.getsockname()[1]
    sock.close()


def test_remote_columns_counts_faults_and_check_from_the_world(
    qtbot, store, tmp_path: Path, gp: FakeGlobalping, listener: int
) -> None:
    text = f"""[probe]
interval = "1s"
remote_interval = "1h"

[[vantage]]
name = "ch-isps"
globalping = "{gp.url}"
locations = ["AS3303", "AS6730"]

[[target]]
name = "www"
url = "tcp://127.0.0.1:{listener}"
"""
    cfg, problems = wf.parse_text(text)
    assert cfg is not None, problems

    def factory(config, **kw):  # type: ignore[no-untyped-def]
        runner = RemoteRunner(config, get_secret=lambda _n: None, request_timeout=1.0)
        return ProbeEngine(config, remote=runner, route_check=lambda: (True, "test"), **kw)

    pane = DashboardPane(make_ctx(store, tmp_path), engine_factory=factory)
    qtbot.addWidget(pane)
    try:
        pane.apply_config(cfg)
        pane.resize(1280, 500)
        m = pane.model
        assert m.vantages == ["system", "ch-isps AS3303", "ch-isps AS6730"]
        assert pane.world_btn.isVisibleTo(pane) and pane.world_btn.isEnabled()

        def cell(series: str) -> str:  # as read, with a folded line read as a space
            text = str(m.index(m.row_of("www"), m.vantage_column(series)).data())
            return text.replace(LINE_BREAK, " ")

        qtbot.waitUntil(lambda: cell("ch-isps AS6730").startswith("UP"), timeout=8000)
        qtbot.waitUntil(lambda: cell("ch-isps AS3303").startswith("DOWN"), timeout=8000)
        assert cell("ch-isps AS3303").startswith("DOWN refused · 2/2")
        idx = m.index(m.row_of("www"), m.vantage_column("ch-isps AS3303"))
        tip = str(idx.data(Qt.ItemDataRole.ToolTipRole))
        assert "probes: Zurich (AS3303): down refused; Bern (AS3303): down refused" in tip
        col = m.vantage_column("ch-isps AS3303")

        assert m.headerData(col, Qt.Orientation.Horizontal) == ("AS3303 Swisscom\nremote · 1 h")
        tip = m.headerData(col, Qt.Orientation.Horizontal, Qt.ItemDataRole.ToolTipRole)
        assert "Globalping probes in AS3303" in tip and "every 1 h" in tip
        assert "vantage 'ch-isps'" in tip
        assert m.headerData(col, Qt.Orientation.Horizontal, Qt.ItemDataRole.FontRole).italic()
        assert "down via ch-isps AS3303 (2 of 2 probes)" in m.summaries()["www"]
        assert "up via system, ch-isps AS6730 (1 of 1 probe)" in m.summaries()["www"]

        pane.show()
        qtbot.waitExposed(pane)
        assert pane.grab().save(str(tmp_path / "remote-up.png"))  # for a look by eye

        # The API goes down: "check from the world now" says so in the cells, and the
        # target is not called down for it.
        gp.fault = "down"
        posts = len(gp.seen("POST"))
        pane.select_cell("www", "system")
        pane.world_btn.click()
        qtbot.waitUntil(
            lambda: cell("ch-isps AS6730").startswith("world: API unreachable since"),
            timeout=8000,
        )
        assert len(gp.seen("POST")) > posts  # asked at once, not after 1 h
        assert "down via" not in m.summaries()["www"]
        assert m.summaries()["www"].startswith("www: up via system; unknown via ch-isps AS3303")
        assert m.row_data(m.row_of("www")).worst == "up"  # an API fault is no outage
        assert pane.grab().save(str(tmp_path / "remote-api-down.png"))
    finally:
        pane.stop()
