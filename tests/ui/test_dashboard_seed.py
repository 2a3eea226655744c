"""THE SEED TEST in the GUI: the real engine against real loopback servers.

``www`` is up via resolver A, SERVFAIL via resolver B and given a wrong address by the
lying resolver. The dashboard must say exactly that, in the same words as the command
line, and the active incident must get the evidence.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from dashboard_support import make_ctx

from warroom.probes import ProbeEngine, target_summary
from warroom.services.timeline import Timeline
from warroom.store import timeline as tq
from warroom.ui.dashboard import DashboardPane
from warroom.ui.dashboard.cells import STATE_COLOURS
from warroom.ui.dashboard.model import COL_TARGET

pytestmark = pytest.mark.qt_log_ignore("does not support propagateSizeHints")


def online_engine(config: Any, **kw: Any) -> ProbeEngine:
    # The test machine has no internet: the gate must not depend on a public route.
    return ProbeEngine(config, route_check=lambda: (True, "test: loopback only"), **kw)


def test_seed_outage_reads_exactly_right(qtbot, store, seed_scenario, tmp_path: Path) -> None:
    tl = Timeline(store)
    inc = tl.new_incident("Hosting network outage", severity="SEV1").id
    ctx = make_ctx(store, tmp_path, workspace=seed_scenario.path)
    ctx.set_active_incident(inc, "Hosting network outage")
    pane = DashboardPane(ctx, engine_factory=online_engine)
    qtbot.addWidget(pane)
    try:
        m = pane.model
        assert m.vantages == ["isp-a", "isp-b", "isp-lie"]
        pane.probe_now()
        qtbot.waitUntil(lambda: m.summaries().get("www") == seed_scenario.summary, timeout=15_000)

        row = m.row_of("www")

        def cell(v: str, role: Any = None) -> Any:
            idx = m.index(row, m.vantage_column(v))
            return idx.data() if role is None else idx.data(role)

        assert cell("isp-a").startswith("UP ") and cell("isp-a").endswith(" ms")
        assert cell("isp-b").startswith("DOWN dns_servfail · ")  # and since when
        # The liar sends us to 127.0.0.2, where nothing listens.
        assert cell("isp-lie").startswith("DOWN refused · ")
        from PySide6.QtCore import Qt

        assert (
            cell("isp-b", Qt.ItemDataRole.BackgroundRole).color().name() == STATE_COLOURS["down"][0]
        )
        assert (
            cell("isp-a", Qt.ItemDataRole.BackgroundRole).color().name() == STATE_COLOURS["up"][0]
        )
        # The headline is the summary with since when: "... isp-lie for 3 s; up via isp-a".
        head, _, tail = seed_scenario.summary.partition("; ")
        assert pane.headline.text().startswith(head + " for ")
        assert pane.headline.text().endswith("; " + tail)
        assert pane.proxy.index(0, COL_TARGET).data() == "www"
        # The same words as the engine (and so the command line).
        assert target_summary("www", pane.engine.snapshot()) == seed_scenario.summary
        # The incident heard it, with evidence, and www is an affected service.
        assert pane.link_worker is not None and pane.link_worker.wait_idle()
        probes = [e for e in tl.entries(tl.filter(inc)) if e.kind == "probe"]
        assert probes and probes[0].text.startswith("www DOWN via isp-b (dns_servfail")
        assert "isp-lie" in probes[0].text
        assert tl.incident(inc).affected_services == ("www",)
        sources = {e["source"] for e in tq.evidence(store, inc)}
        assert sources == {"www/isp-b", "www/isp-lie"}
        # The detail of the SERVFAIL cell names the resolver's answer in full.
        pane.select_cell("www", "isp-b")
        assert "SERVFAIL" in pane.detail.facts.text()
        qtbot.waitUntil(lambda: pane.detail.results.rowCount() >= 1, timeout=5000)
    finally:
        pane.stop()
    assert pane.engine is None
