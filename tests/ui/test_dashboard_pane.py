"""The dashboard pane without the engine: batches in, words, colours, gate, link, notices."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest
from dashboard_support import BOARD, change, config, later, make_ctx, result, state, update

from warroom.domain.probes import State, Status
from warroom.probes import GateStatus
from warroom.services.timeline import Timeline
from warroom.store import probes as probe_store
from warroom.store import timeline as tq
from warroom.ui.bridge import Batch
from warroom.ui.dashboard import DashboardPane, notify
from warroom.ui.dashboard.model import COL_TARGET

pytestmark = pytest.mark.qt_log_ignore("does not support propagateSizeHints")


@pytest.fixture(autouse=True)
def frozen_now(monkeypatch: pytest.MonkeyPatch) -> None:
    """Four minutes after the samples."""
    from warroom.base import timeutil

    monkeypatch.setattr(timeutil, "now", lambda: later(4 * 60 + 5))


@pytest.fixture
def pane(qtbot, store, tmp_path: Path) -> DashboardPane:
    ctx = make_ctx(store, tmp_path)
    p = DashboardPane(ctx, engine_factory=None)
    qtbot.addWidget(p)
    p.apply_config(config())
    p.resize(1200, 700)
    yield p
    p.stop()


def feed(qtbot, pane: DashboardPane, states=(), changes=(), gate=None) -> None:
    """Deliver like the engine: from another thread, through the bridge. With changes,
    the engine sends every series of the changed targets; so do the tests."""

    if changes and not states:
        # What the engine would send: the changed series in their new state, and the
        # other series of those targets as they are.
        new = {(c.target, c.vantage): state(c.target, c.vantage, c.new, c.result, since=c.time)
               for c in changes}  # fmt: skip
        states = [
            new.get((s.target, s.vantage), s)
            for t in dict.fromkeys(c.target for c in changes)
            for s in pane.model.states_of(t)
        ]

    def engine() -> None:
        pane.bridge.on_update(update(states, changes, gate))

    before = pane.bridge.flushes
    t = threading.Thread(target=engine)
    t.start()
    t.join()
    qtbot.waitUntil(lambda: pane.bridge.flushes > before, timeout=2000)


def outage(qtbot, pane: DashboardPane) -> None:
    down = result(
        "www", "isp-b", Status.DOWN, error="dns_servfail", detail="SERVFAIL from 127.0.0.1:5302"
    )
    feed(
        qtbot,
        pane,
        [
            state("www", "system", r=result("www", "system", latency=42)),
            state("www", "isp-a", r=result("www", "isp-a", latency=38)),
            state("www", "isp-b", State.DOWN, down),
        ],
        [
            change("www", "system", State.PENDING, State.UP),
            change("www", "isp-a", State.PENDING, State.UP),
            change("www", "isp-b", State.UP, State.DOWN, down),
        ],
    )


def test_batches_from_the_engine_thread_update_cells_headline_and_counts(qtbot, pane) -> None:
    outage(qtbot, pane)
    m = pane.model
    assert m.index(m.row_of("www"), m.vantage_column("isp-b")).data() == "DOWN dns_servfail · 4m"
    assert m.index(m.row_of("www"), m.vantage_column("system")).data() == "UP 42 ms"
    assert pane.headline.text() == "www: down via isp-b for 4 min; up via system, isp-a"
    assert not pane.headline.isHidden()
    assert pane.counts.text() == "1 down · 2 pending"
    pane.filter.setText("down")
    assert pane.counts.text() == "1 down · 2 pending (showing 1 of 3)"
    pane.filter.clear()
    assert pane.proxy.index(0, COL_TARGET).data() == "www"  # worst first


def test_gate_banner_is_loud_when_offline_and_gone_when_back(qtbot, pane) -> None:
    assert pane.gate_banner.isHidden()
    feed(
        qtbot,
        pane,
        gate=GateStatus(False, later(0), "no network route (IPv4: Network is unreachable)"),
    )
    assert not pane.gate_banner.isHidden()
    text = pane.gate_banner.text()
    assert text.startswith("THIS WORKSTATION IS OFFLINE since ")
    assert "no network route" in text and "not marked down" in text
    feed(qtbot, pane, gate=GateStatus(True, later(60), "network route present"))
    assert pane.gate_banner.isHidden()


def test_state_changes_reach_the_active_incident(qtbot, pane, store) -> None:
    tl = Timeline(store)
    inc = tl.new_incident("Hosting network outage").id
    pane.ctx.set_active_incident(inc, "Hosting network outage")
    with qtbot.waitSignal(pane.link_worker.done, timeout=5000):  # written off the UI thread
        outage(qtbot, pane)
    probes = [e for e in tl.entries(tl.filter(inc)) if e.kind == "probe"]
    assert len(probes) == 1
    assert probes[0].text.startswith(
        "www DOWN via isp-b (dns_servfail: SERVFAIL from 127.0.0.1:5302)"
    )
    assert probes[0].text.endswith("Now: www: down via isp-b; up via system, isp-a")
    assert tl.incident(inc).affected_services == ("www",)
    assert [e["source"] for e in tq.evidence(store, inc)] == ["www/isp-b"]
    # The setting: off writes nothing, and it is remembered.
    pane.link_box.setCurrentIndex(pane.link_box.findData("off"))
    assert pane.ctx.settings.value("dashboard/incident_link") == "off"
    feed(qtbot, pane, changes=[change("www", "isp-b", State.DOWN, State.UP, at=later(60))])
    assert pane.link_worker.wait_idle()
    assert len([e for e in tl.entries(tl.filter(inc)) if e.kind == "probe"]) == 1
    # all changes: a degradation is news too.
    pane.link_box.setCurrentIndex(pane.link_box.findData("all"))
    feed(qtbot, pane, changes=[change("www", "system", State.UP, State.DEGRADED, at=later(90))])
    assert pane.link_worker.wait_idle()
    texts = [e.text for e in tl.entries(tl.filter(inc)) if e.kind == "probe"]
    assert texts[-1].startswith("www DEGRADED via system")


def test_no_active_incident_writes_nothing(qtbot, pane, store) -> None:
    tl = Timeline(store)
    inc = tl.new_incident("not active").id
    outage(qtbot, pane)
    assert pane.link_worker.wait_idle()
    assert [e for e in tl.entries(tl.filter(inc)) if e.kind == "probe"] == []


def test_notices_when_a_target_goes_down_and_recovers(qtbot, pane) -> None:
    outage(qtbot, pane)
    assert [n.title for n in pane.notifier.shown] == ["www is DOWN"]
    assert pane.notifier.shown[0].message == "www: down via isp-b (dns_servfail)"
    # A second vantage going down is the same outage: no new notice.
    feed(qtbot, pane, changes=[change("www", "isp-a", State.UP, State.DOWN, at=later(20))])
    assert len(pane.notifier.shown) == 1
    # One vantage back, one still down: not recovered yet.
    feed(qtbot, pane, changes=[change("www", "isp-b", State.DOWN, State.UP, at=later(30))])
    assert len(pane.notifier.shown) == 1
    feed(qtbot, pane, changes=[change("www", "isp-a", State.DOWN, State.UP, at=later(40))])
    assert [n.title for n in pane.notifier.shown] == ["www is DOWN", "www recovered"]
    assert not pane.notifier.available  # offscreen: no tray, and nothing broke
    pane.notify_box.setChecked(False)
    feed(qtbot, pane, changes=[change("mail", "system", State.UP, State.DOWN, at=later(50))])
    assert len(pane.notifier.shown) == 2


def test_notice_decision_logic_groups_bursts() -> None:
    none: set[str] = set()
    cs = [change(f"t{i}", "system", State.UP, State.DOWN) for i in range(5)]
    out = notify.decide(cs, lambda t: {"system"})
    assert len(out) == 1 and out[0].down
    assert out[0].title == "5 targets are DOWN"
    assert out[0].message == "t0, t1, t2, t3, t4"
    few = notify.decide(cs[:2], lambda t: {"system"})
    assert [n.title for n in few] == ["t0 is DOWN", "t1 is DOWN"]
    back = [change("t0", "system", State.DOWN, State.DEGRADED)]
    assert [n.title for n in notify.decide(back, lambda t: none)] == ["t0 recovered"]
    assert notify.decide([change("t0", "system", State.UP, State.DEGRADED)], lambda t: none) == []
    # Down via another vantage already (the engine says isp-a and isp-b are down now,
    # and only isp-b fell in this batch): no new notice; one of two back: not recovered.
    more = [change("t0", "isp-b", State.UP, State.DOWN)]
    assert notify.decide(more, lambda t: {"isp-a", "isp-b"}) == []
    half = [change("t0", "isp-b", State.DOWN, State.UP)]
    assert notify.decide(half, lambda t: {"isp-a"}) == []


def test_detail_view_shows_full_error_history_and_uptime(qtbot, pane, store) -> None:
    samples = [
        result("www", "isp-b", latency=30 + k, at=later(k * 10)) for k in range(9)
    ] + [
        result("www", "isp-b", Status.DOWN, error="dns_servfail",
               detail="www.example.test: SERVFAIL from 127.0.0.1:5302", at=later(90), address=None)
    ]  # fmt: skip
    probe_store.write_batch(store, samples, [])
    feed(
        qtbot,
        pane,
        [state("www", "isp-b", State.DOWN, samples[-1], since=later(90),
               latencies=tuple(r.latency_ms for r in samples))],
        [change("www", "isp-b", State.UP, State.DOWN, samples[-1], at=later(90))],
    )  # fmt: skip
    pane.select_cell("www", "isp-b")
    d = pane.detail
    assert d.title.text().startswith("www via isp-b: DOWN dns_servfail since ")
    assert "Detail: www.example.test: SERVFAIL from 127.0.0.1:5302" in d.facts.text()
    assert d.results.rowCount() == 10
    assert d.results.index(0, 3).data() == "dns_servfail"  # newest first
    assert d.results.index(0, 4).data() == "www.example.test: SERVFAIL from 127.0.0.1:5302"
    assert d.results.index(1, 2).data() == "38 ms"
    # The samples are from 2026-11-24; "now" is later, so the windows may be empty or not,
    # but the label always says both windows in words.
    assert d.uptime.text().startswith("Uptime: last hour ")
    assert "last 24 h" in d.uptime.text()
    assert len(d.chart.points) == 10 and d.chart.points[-1].latency_ms is None
    # Live updates refresh the title without re-querying.
    feed(qtbot, pane, changes=[change("www", "isp-b", State.DOWN, State.UP, at=later(100))])
    assert d.title.text().startswith("www via isp-b: UP")


def test_probe_now_reaches_the_engine(qtbot, store, tmp_path) -> None:
    calls: list[object] = []

    class Engine:  # records what the pane asks; the real engine is in the seed test
        def __init__(self, cfg, **kw):
            calls.append(("new", sorted(kw)))

        def start(self):
            calls.append("start")

        def snapshot(self):
            return []

        def gate(self):
            return GateStatus(None, None, "not checked yet")

        def probe_now(self, target=None):
            calls.append(("probe_now", target))

        def update_config(self, cfg):
            calls.append(("update", len(cfg.targets)))

        def stop(self):
            calls.append("stop")

    p = DashboardPane(make_ctx(store, tmp_path), engine_factory=Engine)
    qtbot.addWidget(p)
    p.apply_config(config())
    p.probe_all_btn.click()
    p.select_cell("www", "isp-a")
    p.probe_one_btn.click()
    p.apply_config(config(BOARD.split('[[target]]\nname = "api"')[0]))
    p.stop()
    assert calls == [
        ("new", ["on_update", "store"]),
        "start",
        ("probe_now", None),
        ("probe_now", "www"),
        ("update", 2),
        "stop",
    ]
    assert p.model.rowCount() == 2


def test_bad_workspace_file_keeps_the_old_config_and_says_where(qtbot, pane, tmp_path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('[[target]]\nname = "www"\nurl = "ftp://x/"\n', encoding="utf-8")
    assert not pane.load_file(bad)
    assert not pane.file_problem.isHidden()
    assert "bad.toml:3" in pane.file_problem.text()
    assert pane.model.rowCount() == 3  # still probing the previous config
    assert pane.editor.current_line() == 3
    good = tmp_path / "good.toml"
    good.write_text('[[target]]\nname = "www"\nurl = "http://127.0.0.1:9/"\n', encoding="utf-8")
    assert pane.load_file(good)
    assert pane.file_problem.isHidden()
    assert pane.model.rowCount() == 1


def test_render_has_no_clipped_state_text(qtbot, pane, tmp_path) -> None:
    outage(qtbot, pane)
    pane.show()
    qtbot.waitExposed(pane)
    from PySide6.QtWidgets import QStyleOptionViewItem

    from warroom.ui.dashboard.model import LINE_BREAK
    from warroom.ui.dashboard.table import ICON_ROOM

    t = pane.table
    m = pane.model
    pane._size_columns()
    for v in m.vantages:
        # What each cell says (folded onto two lines or not) fits its cell.
        for row in range(pane.proxy.rowCount()):
            idx = pane.proxy.index(row, m.vantage_column(v))
            opt = QStyleOptionViewItem()
            opt.initFrom(t)
            opt.rect = t.visualRect(idx)
            t.itemDelegate().initStyleOption(opt, idx)
            lines = opt.text.split(LINE_BREAK)
            widest = max(opt.fontMetrics.horizontalAdvance(x) for x in lines)
            assert widest + ICON_ROOM <= opt.rect.width(), opt.text
            assert len(lines) * opt.fontMetrics.lineSpacing() <= opt.rect.height(), opt.text
    img = tmp_path / "dash.png"
    assert pane.grab().save(str(img))
    assert img.stat().st_size > 1000
    assert json.dumps(m.summaries())  # plain strings


def test_a_mass_outage_does_not_block_the_ui_thread(qtbot, store, tmp_path) -> None:
    """400 targets down in one batch: the UI thread only queues; the worker writes one
    entry (a mass outage reads as one line) with all 400 pieces of evidence."""
    text = "".join(
        f'[[target]]\nname = "s{i:03d}"\nurl = "http://127.0.0.1:9/"\n\n' for i in range(400)
    )
    ctx = make_ctx(store, tmp_path)
    p = DashboardPane(ctx, engine_factory=None)
    qtbot.addWidget(p)
    p.apply_config(config(text))
    tl = Timeline(store)
    inc = tl.new_incident("everything is down").id
    ctx.set_active_incident(inc, "everything is down")
    changes = [change(f"s{i:03d}", "system", State.UP, State.DOWN) for i in range(400)]
    threads: list[str] = []
    handle = p.link.handle

    def spy(*a, **kw):
        threads.append(threading.current_thread().name)
        return handle(*a, **kw)

    p.link.handle = spy
    p.on_batch(Batch([state(c.target, c.vantage, State.DOWN) for c in changes], changes, None))
    assert p.link_worker.wait_idle(30)
    probes = [e for e in tl.entries(tl.filter(inc)) if e.kind == "probe"]
    assert len(probes) == 1 and probes[0].text.startswith("400 targets DOWN: s000 (system)")
    assert len(tq.evidence(store, inc)) == 400
    assert len(tl.incident(inc).affected_services) == 400
    assert p.counts.text() == "400 down"
    # Written by the link's worker, not the UI thread.
    assert len(threads) == 1 and threads[0].startswith("warroom-probe-link")
    p.stop()


def _pane(qtbot, store, tmp_path: Path, workspace: Path | None = None) -> DashboardPane:
    from PySide6.QtWidgets import QStatusBar

    ctx = make_ctx(store, tmp_path, workspace)
    ctx.status_bar = QStatusBar()  # type: ignore[attr-defined]
    p = DashboardPane(ctx, engine_factory=None)
    qtbot.addWidget(p)
    qtbot.addWidget(ctx.status_bar)  # type: ignore[attr-defined]
    return p


def test_the_workspace_file_is_remembered_per_workspace(qtbot, store, tmp_path) -> None:
    good = tmp_path / "probes.toml"
    good.write_text(BOARD, encoding="utf-8")
    first = _pane(qtbot, store, tmp_path, good)
    assert first.model.rowCount() == 3
    first.stop()
    # The next start, without --workspace-file: the same file, probing again.
    again = _pane(qtbot, store, tmp_path)
    assert again.ctx.workspace_file == good
    assert again.config is not None and again.model.rowCount() == 3
    assert again.file_problem.isHidden()
    assert again.status_label.text().startswith("Probes: ")
    again.stop()
    # Another workspace (another store) does not inherit it.
    from warroom.store import Store

    other = Store.open(tmp_path / "other")
    try:
        fresh = _pane(qtbot, other, tmp_path / "o")
        assert fresh.config is None and fresh.ctx.workspace_file is None
        assert fresh.status_label.text() == "Probes: off (no workspace file)"
        fresh.stop()
    finally:
        other.close()


@pytest.mark.parametrize("trouble", ["gone", "invalid"])
def test_a_remembered_file_that_is_gone_or_bad_is_said_loudly(
    qtbot, store, tmp_path, trouble
) -> None:
    good = tmp_path / "probes.toml"
    good.write_text(BOARD, encoding="utf-8")
    _pane(qtbot, store, tmp_path, good).stop()
    if trouble == "gone":
        good.unlink()
    else:
        good.write_text('[[target]]\nname = "www"\nurl = "ftp://x/"\n', encoding="utf-8")
    p = _pane(qtbot, store, tmp_path)
    assert p.config is None
    assert not p.file_problem.isHidden()
    text = p.file_problem.text()
    assert str(good) in text and "nothing is being probed" in text.lower()
    if trouble == "gone":
        assert "is gone" in text
    assert "#b71c1c" in p.file_problem.styleSheet()  # red, not a polite yellow
    assert p.status_label.text() == "Probes: OFF (workspace file problem)"
    assert "#c62828" in p.status_label.styleSheet()
    assert p.status_label.toolTip() == text
    p.stop()
