"""The probe matrix model: Qt's model contract, colour and text, worst first, filter, words."""

from __future__ import annotations

import pytest
from dashboard_support import T0, config, later, result, state
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


@pytest.fixture(autouse=True)
def frozen_now(monkeypatch: pytest.MonkeyPatch) -> None:
    """Four minutes after the samples: cells that are down say ``· 4m``."""
    from warroom.base import timeutil

    monkeypatch.setattr(timeutil, "now", lambda: later(4 * 60 + 5))


@pytest.fixture
def model(qapp: object) -> DashboardModel:
    m = DashboardModel()
    m.set_config(config())
    return m


def cell(m: DashboardModel, target: str, vantage: str, role: int = D) -> object:
    return m.index(m.row_of(target), m.vantage_column(vantage)).data(role)


def seed_outage(m: DashboardModel) -> None:
    """www up via system and isp-a, down via isp-b; mail slow; api up everywhere."""
    down = result("www", "isp-b", Status.DOWN, error="dns_servfail", detail="SERVFAIL via isp-b")
    slow = result("mail", "system", Status.DEGRADED, latency=1320, error="too_slow")
    m.apply_states(
        [
            state("www", "system", r=result("www", "system", latency=42)),
            state("www", "isp-a", r=result("www", "isp-a", latency=38)),
            state("www", "isp-b", State.DOWN, down),
            state("mail", "system", State.DEGRADED, slow),
            state("mail", "isp-a", r=result("mail", "isp-a", latency=20)),
            *(state("api", v, r=result("api", v, latency=15))
              for v in ("system", "isp-a", "isp-b")),
        ]
    )  # fmt: skip


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
        ("www", "isp-b"): ("DOWN dns_servfail · 4m", "down"),
        ("mail", "system"): ("DEGRADED 1.3 s · 4m", "degraded"),
    }
    for (t, v), (text, word) in expect.items():
        assert cell(model, t, v) == text
        assert cell(model, t, v, StateRole) == word
        bg = cell(model, t, v, Qt.ItemDataRole.BackgroundRole)
        fg = cell(model, t, v, Qt.ItemDataRole.ForegroundRole)
        assert isinstance(bg, QBrush) and bg.color().name() == STATE_COLOURS[word][0]
        assert isinstance(fg, QBrush) and fg.color().name() == STATE_COLOURS[word][1]
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


def test_worst_first_and_recovery_goes_back_to_file_order(qapp: object) -> None:
    text = "".join(
        f'[[target]]\nname = "{n}"\nurl = "https://{n}.example.test/"\nvantages = ["system"]\n'
        for n in ("www", "mail", "api", "blog", "shop")
    )
    model = DashboardModel()
    model.set_config(config(text))
    proxy = DashboardProxy()
    proxy.setSourceModel(model)
    proxy.setDynamicSortFilter(True)
    proxy.sort(COL_STATE, Qt.SortOrder.AscendingOrder)

    def order() -> list[str]:
        return [proxy.index(r, COL_TARGET).data() for r in range(proxy.rowCount())]

    names = ["www", "mail", "api", "blog", "shop"]
    assert order() == names  # all pending: the workspace file's order
    model.apply_states([state(n, "system") for n in names])
    assert order() == names
    model.apply_states([state("mail", "system", State.DOWN, since=later(30))])
    assert order() == ["mail", "www", "api", "blog", "shop"]
    model.apply_states([state("api", "system", State.DEGRADED, since=later(31))])
    assert order() == ["mail", "api", "www", "blog", "shop"]
    # Recovery: each goes back to its place among the up rows, not to their end.
    model.apply_states([state("mail", "system", since=later(40))])
    assert order() == ["api", "www", "mail", "blog", "shop"]
    model.apply_states([state("api", "system", since=later(41))])
    assert order() == names


def test_worst_first_and_more_bad_vantages_first(model) -> None:
    proxy = DashboardProxy()
    proxy.setSourceModel(model)
    proxy.sort(COL_STATE, Qt.SortOrder.AscendingOrder)

    def order() -> list[str]:
        return [proxy.index(r, COL_TARGET).data() for r in range(proxy.rowCount())]

    assert order() == ["www", "mail", "api"]  # all pending: config order
    seed_outage(model)
    assert order() == ["www", "mail", "api"]  # down, degraded, up
    # api goes down via two vantages: worse than www (one vantage down).
    model.apply_states(
        [
            state("api", "isp-a", State.DOWN, since=later(30)),
            state("api", "isp-b", State.DOWN, since=later(30)),
        ]
    )
    assert order() == ["api", "www", "mail"]
    # www recovers: it sinks below the degraded mail.
    model.apply_states([state("www", "isp-b", since=later(40))])
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
    model.apply_states([state("api", "isp-a"), state("www", "isp-a")])
    assert sorted(seen) == [(0, 0), (2, 2)]
    seen.clear()
    model.apply_states([state("nope", "isp-a"), state("mail", "isp-b")])  # unknown: ignored
    assert seen == []


def test_states_are_stored_as_they_come(model) -> None:
    s = state("www", "isp-a", State.DOWN, since=later(71), latencies=(1.0, 2.0, None))
    model.apply_states([s])
    assert model.series("www", "isp-a") is s  # the engine's object, not a copy
    assert cell(model, "www", "isp-a").startswith("DOWN dns_servfail · ")
    assert model.index(model.row_of("www"), FIRST_VANTAGE_COL).data() == "PENDING"  # system
    assert model.states_of("www")[1] is s


def test_cells_say_since_when(model) -> None:
    model.apply_states(
        [
            state("www", "isp-b", State.DOWN, result("www", "isp-b", Status.DOWN, error="refused")),
            state("www", "isp-a", State.UP, since=T0),
        ]
    )
    assert cell(model, "www", "isp-b") == "DOWN refused · 4m"
    assert cell(model, "www", "isp-a") == "UP 42 ms"  # up: the age is in the tooltip


def test_a_provider_unreachable_from_one_network_is_a_finding_not_a_broken_vantage(
    qapp: object,
) -> None:
    """The seed outage: every target (all at one host) fails via isp-b only, and isp-b's
    proxy says why. That is the answer, not a vantage to set aside."""
    text = '[[vantage]]\nname = "isp-b"\nproxy = "socks5://127.0.0.1:1080"\n' + "".join(
        f'[[target]]\nname = "{n}"\nurl = "https://{n}.example.test/"\n'
        for n in ("www", "mail", "api")
    )
    model = DashboardModel()
    model.set_config(config(text))
    model.apply_states([state(n, "system") for n in ("www", "mail", "api")])
    cut = [
        state(
            n,
            "isp-b",
            State.DOWN,
            result(
                n, "isp-b", Status.DOWN, error="unreachable", detail="via proxy: host unreachable"
            ),
        )
        for n in ("www", "mail", "api")
    ]
    model.apply_states(cut)
    assert model.broken == frozenset()
    assert cell(model, "www", "isp-b", StateRole) == "down"
    assert model.summaries()["api"] == "api: down via isp-b; up via system"


def test_a_vantage_failing_for_every_target_is_not_an_outage(qapp: object) -> None:
    text = '[[vantage]]\nname = "isp-b"\nresolver = "127.0.0.1:5302"\n' + "".join(
        f'[[target]]\nname = "{n}"\nurl = "https://{n}.example.test/"\n'
        for n in ("www", "mail", "api")
    )
    model = DashboardModel()
    model.set_config(config(text))
    model.apply_states([state(n, "system") for n in ("www", "mail", "api")])
    model.apply_states([state(n, "isp-b", State.DOWN) for n in ("www", "mail")])
    assert model.broken == frozenset()  # two targets down via isp-b: maybe an outage
    assert cell(model, "www", "isp-b", StateRole) == "down"
    # isp-b fails for all three, which system still reaches: isp-b is broken.
    model.apply_states([state("api", "isp-b", State.DOWN, since=later(5))])
    assert model.broken == {"isp-b"}
    assert cell(model, "www", "isp-b") == "VANTAGE?"
    assert cell(model, "www", "isp-b", StateRole) == "vantage"
    assert model.row_data(model.row_of("www")).worst == "up"  # not painted as an outage
    assert model.summaries()["api"] == "api: up via system; unknown (vantage broken) via isp-b"
    tip = cell(model, "api", "isp-b", Qt.ItemDataRole.ToolTipRole)
    assert "isp-b fails for every target: the vantage itself may be broken" in tip
    # It comes back for one target: it is not broken any more, and www is down via it.
    model.apply_states([state("api", "isp-b", since=later(9))])
    assert model.broken == frozenset()
    assert cell(model, "www", "isp-b", StateRole) == "down"
    # Everything down everywhere is an outage, not a broken vantage.
    model.apply_states(
        [state(n, v, State.DOWN) for n in ("www", "mail", "api") for v in ("system", "isp-b")]
    )
    assert model.broken == frozenset()
    assert model.row_data(model.row_of("www")).worst == "down"


def _norm(v: object) -> object:
    """QIcon has no ``==``: the same icon is the same cache key."""
    from PySide6.QtGui import QIcon

    return ("icon", v.cacheKey()) if isinstance(v, QIcon) else v


def _paint_answers(m: DashboardModel) -> list[tuple[int, int, int, object, object]]:
    """(row, column, role, through multiData, through data) for every cell and every role
    a view's paint asks for; multiData answers a paint from ``paint_values``."""
    from PySide6.QtCore import QModelRoleData

    from warroom.ui.dashboard.model import PAINT_ROLES

    out = []
    for r in range(m.rowCount()):
        for c in range(m.columnCount()):
            index = m.index(r, c)
            span = [QModelRoleData(int(role)) for role in PAINT_ROLES]
            m.multiData(index, span)
            for role, rd in zip(PAINT_ROLES, span, strict=True):
                out.append((r, c, int(role), _norm(rd.data()), _norm(index.data(role))))
    return out


def test_paint_answers_as_data_does_for_every_cell(qapp: object) -> None:
    """The paint fast path must never show what ``data`` would not: every cell, every
    paint role, one line and folded, with a vantage broken and a target not probed
    via a vantage."""
    text = '[[vantage]]\nname = "isp-b"\nresolver = "127.0.0.1:5302"\n' + "".join(
        f'[[target]]\nname = "{n}"\nurl = "https://{n}.example.test/"\n'
        for n in ("www", "mail", "api")
    )
    broken = DashboardModel()
    broken.set_config(config(text))
    broken.apply_states([state(n, "system") for n in ("www", "mail", "api")])
    broken.apply_states([state(n, "isp-b", State.DOWN) for n in ("www", "mail", "api")])
    assert broken.broken == {"isp-b"}
    outage = DashboardModel()
    outage.set_config(config())
    seed_outage(outage)
    checked = 0
    for m in (outage, broken):
        for folded in (False, True):
            m.set_folded(folded)
            answers = _paint_answers(m)
            differ = [a for a in answers if a[3] != a[4]]
            assert not differ, differ[:5]
            checked += sum(1 for a in answers if a[4] is not None)
    assert checked > 100  # the comparison saw real texts, brushes, icons and fonts
