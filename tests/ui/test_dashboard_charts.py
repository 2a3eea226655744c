"""The sparkline column: charts drawn once per row's latencies, redrawn when they change."""

from __future__ import annotations

from dashboard_support import BOARD, config, state
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QTableView

from warroom.domain.probes import State
from warroom.ui.dashboard.charts import SparklineDelegate
from warroom.ui.dashboard.model import DashboardModel


def _trend_image(view: QTableView, col: int) -> list[QImage]:
    img = view.viewport().grab().toImage()
    return [img.copy(view.visualRect(view.model().index(r, col))) for r in range(3)]


def test_sparkline_pixmaps_are_reused_and_follow_new_latencies(qtbot) -> None:
    m = DashboardModel()
    m.set_config(config())
    lat_www = (40.0, 80.0, None, 120.0, 60.0)
    m.apply_states(
        [state("www", "system", latencies=lat_www), state("mail", "system", latencies=(5.0, 9.0))]
    )
    view = QTableView()
    qtbot.addWidget(view)
    view.setModel(m)
    col = m.trend_column
    spark = SparklineDelegate(view)
    view.setItemDelegateForColumn(col, spark)
    view.setColumnWidth(col, 120)
    view.resize(900, 200)
    view.show()
    qtbot.waitExposed(view)

    first = _trend_image(view, col)
    charts = dict(spark._cache)
    assert len(charts) == 2  # www and mail have latencies; api has none
    again = _trend_image(view, col)
    assert again == first
    assert all(spark._cache[k] is v for k, v in charts.items())  # drawn once, reused

    m.apply_states([state("www", "system", latencies=(*lat_www, 900.0))])
    changed = _trend_image(view, col)
    www, mail = m.row_of("www"), m.row_of("mail")
    assert changed[www] != first[www]  # the new sample shows, not the stale chart
    assert changed[mail] == first[mail]
    spark._cache.clear()  # a chart from the cache looks like one drawn afresh
    assert _trend_image(view, col) == changed
    m.apply_states([state("www", "system", State.DOWN, latencies=(*lat_www, None))])
    assert _trend_image(view, col)[www] != changed[www]


def test_frozen_overlay_shows_only_the_target_column_after_resets_and_sorts(qtbot) -> None:
    """The overlay skips the repeated "layout changed" of the sort proxy; a model reset
    (a new workspace file) must still leave it showing the target column only."""
    from warroom.ui.dashboard.model import DashboardProxy
    from warroom.ui.dashboard.table import MatrixView

    m = DashboardModel()
    m.set_config(config())
    proxy = DashboardProxy()
    proxy.setSourceModel(m)
    view = MatrixView()
    qtbot.addWidget(view)
    view.setModel(proxy)
    view.setSortingEnabled(True)
    view.sortByColumn(1, Qt.SortOrder.AscendingOrder)  # the state column: worst first
    view.resize(900, 300)
    view.show()
    qtbot.waitExposed(view)

    def overlay_columns() -> list[int]:
        return [c for c in range(proxy.columnCount()) if not view.frozen.isColumnHidden(c)]

    assert overlay_columns() == [0]
    assert proxy.index(0, 0).data() == "www"
    m.apply_states([state("api", "system", State.DOWN)])  # a row moves: layoutChanged
    assert proxy.index(0, 0).data() == "api"
    assert overlay_columns() == [0]
    m.set_config(config())  # same columns, new rows: a reset
    assert overlay_columns() == [0]
    wider = BOARD + '[[vantage]]\nname = "isp-c"\nresolver = "127.0.0.1:5303"\n'
    wider += '[[target]]\nname = "cdn"\nurl = "https://cdn.example.test/"\n'
    m.set_config(config(wider))  # one more vantage column
    assert proxy.columnCount() == 9
    assert overlay_columns() == [0]
    view.setColumnWidth(0, 150)
    assert view.frozen.columnWidth(0) == 150
