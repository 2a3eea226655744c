"""The probe matrix model: Qt's model contract, colour and text, worst first, filter, words."""

from __future__ import annotations

import pytest
from dashboard_support import T0, change, config, later, result
from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush

from warroom.domain.probes import State, Status
from warroom.probes import target_summary
from warroom.ui.dashboard.model import (
    COL_STATE,
    COL_TARGET,
    FIRST_VANTAGE_COL,
    STATE_COLOURS,
    DashboardModel,
    DashboardProxy,
    SeriesRole,
    StateRole,
    cell_text,
    fmt_latency,
)

D = Qt.ItemDataRole.DisplayRole


@pytest.fixture
def model(qapp: object) -> DashboardModel:
    m = DashboardModel()
    m.set_config(config())
    return m


def cell(m: DashboardModel, target: str, vantage: str, role: int = D) -> object:
    return m.index(m.row_of(target), m.vantage_column(vantage)).data(role)


def seed_outage(m: DashboardModel) -> None:
    """www up via system and isp-a, down via isp-b; mail slow; api up everywhere."""
    m.apply_results(
        [
            result("www", "system", latency=42),
            result("www", "isp-a", latency=38),
            result("www", "isp-b", Status.DOWN, error="dns_servfail", detail="SERVFAIL via isp-b"),
            result("mail", "system", Status.DEGRADED, latency=1320, error="too_slow"),
            result("mail", "isp-a", latency=20),
            *(result("api", v, latency=15) for v in ("system", "isp-a", "isp-b")),
        ]
    )  # fmt: skip
    m.apply_changes(
        [
            change("www", "system", State.PENDING, State.UP),
            change("www", "isp-a", State.PENDING, State.UP),
            change("www", "isp-b", State.PENDING, State.DOWN),
            change("mail", "system", State.PENDING, State.DEGRADED),
            change("mail", "isp-a", State.PENDING, State.UP),
            *(change("api", v, State.PENDING, State.UP) for v in ("system", "isp-a", "isp-b")),
        ]
    )


def test_qt_model_contract_holds_empty_full_and_after_updates(qtmodeltester, model) -> None:
    qtmodeltester.check(model)
    seed_outage(model)
    qtmodeltester.check(model)
    proxy = DashboardProxy()
    proxy.setSourceModel(model)
    proxy.sort(COL_STATE)
    proxy.set_filter_words("www")
    qtmodeltester.check(proxy)
    empty = DashboardModel()
    qtmodeltester.check(empty)


def test_columns_are_targets_by_used_vantages_in_config_order(model) -> None:
    headers = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
    assert headers == [
        "Target", "State", "system", "isp-a", "isp-b", "Last change", "Trend", "Summary",
    ]  # fmt: skip
    assert (model.since_column, model.trend_column, model.summary_column) == (5, 6, 7)
    assert [model.index(r, COL_TARGET).data() for r in range(model.rowCount())] == [
        "www",
        "mail",
        "api",
    ]
    # mail is not probed via isp-b: said so, not painted as a state.
    assert cell(model, "mail", "isp-b") == "—"
    assert cell(model, "mail", "isp-b", Qt.ItemDataRole.BackgroundRole) is None
    assert cell(model, "mail", "isp-b", SeriesRole) is None


def test_unused_vantage_gets_no_column(qapp: object) -> None:
    m = DashboardModel()
    text = (
        '[[vantage]]\nname = "isp-x"\nresolver = "127.0.0.1:53"\n\n'
        '[[target]]\nname = "w"\nurl = "http://127.0.0.1/"\nvantages = ["system"]\n'
    )
    m.set_config(config(text))
    assert m.vantages == ["system"]


def test_cells_show_text_and_colour_never_colour_alone(model) -> None:
    # Before any sample: PENDING, grey, with words.
    assert cell(model, "www", "isp-b") == "PENDING"
    seed_outage(model)
    expect = {
        ("www", "system"): ("UP 42 ms", "up"),
        ("www", "isp-b"): ("DOWN dns_servfail", "down"),
        ("mail", "system"): ("DEGRADED 1.3 s", "degraded"),
    }
    for (t, v), (text, state) in expect.items():
        assert cell(model, t, v) == text
        assert cell(model, t, v, StateRole) == state
        bg = cell(model, t, v, Qt.ItemDataRole.BackgroundRole)
        fg = cell(model, t, v, Qt.ItemDataRole.ForegroundRole)
        assert isinstance(bg, QBrush) and bg.color().name() == STATE_COLOURS[state][0]
        assert isinstance(fg, QBrush) and fg.color().name() == STATE_COLOURS[state][1]
        assert cell(model, t, v, Qt.ItemDataRole.DecorationRole) is not None  # a shape, too
    tip = cell(model, "www", "isp-b", Qt.ItemDataRole.ToolTipRole)
    assert "SERVFAIL via isp-b" in tip and "since" in tip
    row = model.row_of("www")
    assert model.index(row, COL_STATE).data() == "DOWN 1 of 3"


def test_cell_text_vocabulary() -> None:
    from warroom.probes.state import SeriesState

    def s(state: State, r: object = None, **kw: object) -> SeriesState:
        return SeriesState(
            "w", "v", "http", state, T0, r, (), kw.get("flap", False), kw.get("off", False)
        )  # type: ignore[arg-type]

    assert cell_text(s(State.PENDING)) == "PENDING"
    assert cell_text(s(State.UP, result("w", "v", latency=42.4))) == "UP 42 ms"
    assert cell_text(s(State.DEGRADED, result("w", "v", Status.DEGRADED, 1349))) == "DEGRADED 1.3 s"
    assert (
        cell_text(s(State.DOWN, result("w", "v", Status.DOWN, error="refused"))) == "DOWN refused"
    )
    # Up by hysteresis while the newest sample failed: both facts.
    assert (
        cell_text(s(State.UP, result("w", "v", Status.DOWN, error="timeout")))
        == "UP (last: timeout)"
    )
    assert cell_text(s(State.DOWN, result("w", "v", Status.DOWN, error="reset"), flap=True)) == (
        "DOWN reset · flapping"
    )
    assert (
        cell_text(s(State.UP, result("w", "v", Status.DOWN, error="unreachable"), off=True))
        == "OFFLINE?"
    )
    assert (
        fmt_latency(None) == ""
        and fmt_latency(999.4) == "999 ms"
        and fmt_latency(12500) == "12.5 s"
    )


def test_summary_line_in_words_matches_the_engine(model) -> None:
    seed_outage(model)
    s = model.summaries()
    assert s["www"] == "www: down via isp-b; up via system, isp-a"
    assert s["mail"] == "mail: degraded via system; up via isp-a"
    assert s["api"] == "api: up via system, isp-a, isp-b"
    row = model.row_data(model.row_of("www"))
    assert s["www"] == target_summary("www", row.vantages.values())
    assert model.index(model.row_of("www"), model.summary_column).data() == s["www"]


def test_worst_first_and_recovery_moves_down(model) -> None:
    proxy = DashboardProxy()
    proxy.setSourceModel(model)
    proxy.sort(COL_STATE, Qt.SortOrder.AscendingOrder)

    def order() -> list[str]:
        return [proxy.index(r, COL_TARGET).data() for r in range(proxy.rowCount())]

    assert order() == ["www", "mail", "api"]  # all pending: config order
    seed_outage(model)
    assert order() == ["www", "mail", "api"]  # down, degraded, up
    # api goes down via two vantages: worse than www (one vantage down).
    model.apply_changes(
        [
            change("api", "isp-a", State.UP, State.DOWN, at=later(30)),
            change("api", "isp-b", State.UP, State.DOWN, at=later(30)),
        ]
    )
    assert order() == ["api", "www", "mail"]
    # www recovers: it sinks below the degraded mail.
    model.apply_changes([change("www", "isp-b", State.DOWN, State.UP, at=later(40))])
    assert order() == ["api", "mail", "www"]


def test_filter_box_matches_every_word(model) -> None:
    seed_outage(model)
    proxy = DashboardProxy()
    proxy.setSourceModel(model)

    def shown(text: str) -> set[str]:
        proxy.set_filter_words(text)
        return {proxy.index(r, COL_TARGET).data() for r in range(proxy.rowCount())}

    assert shown("") == {"www", "mail", "api"}
    assert shown("WWW") == {"www"}
    assert shown("down isp-b") == {"www"}  # words from the summary, any order
    assert shown("servfail") == {"www"}  # error words of the cells
    assert shown("degraded") == {"mail"}
    assert shown("example.test/health") == {"api"}  # the URL
    assert shown("www nothing-like-this") == set()
    assert shown("a.b (") == set()  # regex characters are taken literally


def test_updates_signal_changed_rows_only(qtbot, model) -> None:
    seen: list[tuple[int, int]] = []
    model.dataChanged.connect(lambda a, b, *_: seen.append((a.row(), b.row())))
    model.apply_results([result("api", "isp-a", latency=7), result("www", "isp-a", latency=9)])
    assert sorted(seen) == [(0, 0), (2, 2)]
    seen.clear()
    model.apply_results([result("nope", "isp-a"), result("mail", "isp-b")])  # unknown: ignored
    assert seen == []


def test_results_keep_the_trend_and_changes_the_time(model) -> None:
    for k in range(70):
        model.apply_results([result("www", "isp-a", latency=float(k), at=later(k))])
    s = model.series("www", "isp-a")
    assert s is not None and len(s.latencies) == 60 and s.latencies[-1] == 69.0
    model.apply_results([result("www", "isp-a", Status.DOWN, error="reset", at=later(71))])
    s = model.series("www", "isp-a")
    assert s is not None and s.latencies[-1] is None
    model.apply_changes([change("www", "isp-a", State.PENDING, State.DOWN, at=later(71))])
    s = model.series("www", "isp-a")
    assert s is not None and s.state is State.DOWN and s.since == later(71)
    assert cell(model, "www", "isp-a") == "DOWN reset"  # the newer result stays the last one
    assert model.index(model.row_of("www"), FIRST_VANTAGE_COL).data() == "PENDING"  # system
