"""The detail of one cell: latency chart, recent results with their full error, uptime.

Reads the store on the UI thread only when a cell is chosen (indexed queries over one
series, a few milliseconds); the live cell state comes from the model.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from warroom.base import timeutil
from warroom.probes.state import SeriesState
from warroom.probes.summary import effective
from warroom.ui.dashboard.cells import (
    STATE_COLOURS,
    cell_text,
    fmt_latency,
    fmt_when,
    result_facts,
)
from warroom.ui.dashboard.charts import LatencyChart, Point

if TYPE_CHECKING:
    from warroom.store import Store

log = logging.getLogger(__name__)

RECENT_LIMIT = 360  # one hour at a 10 s interval

COL_R_TIME = 0
COL_R_STATUS = 1
COL_R_LATENCY = 2
COL_R_ERROR = 3
COL_R_DETAIL = 4
COL_R_ADDRESS = 5
RESULT_HEADERS = ("Time (local / UTC)", "Status", "Latency", "Error", "Detail", "Address")
RecordRole = Qt.ItemDataRole.UserRole + 1


class ResultsModel(QAbstractTableModel):
    """Recent results of one series (CONTRACT probe records), newest first."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._records: list[dict[str, Any]] = []
        self._brushes = {
            k: (QBrush(QColor(b)), QBrush(QColor(f))) for k, (b, f) in STATE_COLOURS.items()
        }

    def set_records(self, records: list[dict[str, Any]]) -> None:
        self.beginResetModel()
        self._records = list(records)
        self.endResetModel()

    def records(self) -> list[dict[str, Any]]:
        return list(self._records)

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._records)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(RESULT_HEADERS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return RESULT_HEADERS[section]
        return None

    def data(
        self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if not index.isValid() or index.row() >= len(self._records):
            return None
        rec = self._records[index.row()]
        c = index.column()
        if role == RecordRole:
            return rec
        status = str(rec.get("status") or "")
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            if c == COL_R_TIME:
                try:
                    return fmt_when(timeutil.parse_utc(rec["time"]))
                except (KeyError, ValueError):
                    return str(rec.get("time", ""))
            if c == COL_R_STATUS:
                return status.upper()
            if c == COL_R_LATENCY:
                return fmt_latency(rec.get("latency_ms"))
            if c == COL_R_ERROR:
                return rec.get("error") or ""
            if c == COL_R_DETAIL:
                return rec.get("detail") or ""
            if c == COL_R_ADDRESS:
                return rec.get("address") or ""
        if c == COL_R_STATUS and status in self._brushes:
            if role == Qt.ItemDataRole.BackgroundRole:
                return self._brushes[status][0]
            if role == Qt.ItemDataRole.ForegroundRole:
                return self._brushes[status][1]
        return None


class DetailView(QWidget):
    """What one vantage sees of one target, in full."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store: Store | None = None
        self.series: SeriesState | None = None
        self.threshold_ms: float | None = None
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        self.title = QLabel("Choose a cell to see its detail.")
        f = self.title.font()
        f.setBold(True)
        f.setPointSizeF(f.pointSizeF() * 1.15)
        self.title.setFont(f)
        self.title.setWordWrap(True)
        self.title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.facts = QLabel("")
        self.facts.setWordWrap(True)
        self.facts.setTextFormat(Qt.TextFormat.PlainText)
        self.facts.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.uptime = QLabel("")
        self.uptime.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.chart = LatencyChart()
        self.results = ResultsModel(self)
        self.table = QTableView()
        self.table.setModel(self.results)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setWordWrap(True)
        self.table.verticalHeader().hide()
        hdr = self.table.horizontalHeader()
        hdr.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        hdr.setSectionResizeMode(COL_R_DETAIL, QHeaderView.ResizeMode.Stretch)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.chart)
        split.addWidget(self.table)
        split.setStretchFactor(0, 1)
        split.setStretchFactor(1, 1)
        for w in (self.title, self.facts, self.uptime):
            lay.addWidget(w)
        lay.addWidget(split, 1)

    def show_series(self, s: SeriesState | None) -> None:
        """Show ``s`` (None clears); queries the store for history and uptime."""
        self.series = s
        if s is None:
            self.title.setText("Choose a cell to see its detail.")
            self.facts.setText("")
            self.uptime.setText("")
            self.chart.set_points([])
            self.results.set_records([])
            return
        self.refresh_live(s)
        self.load_history()

    def refresh_live(self, s: SeriesState) -> None:
        """The parts that come from the live cell (cheap: called on every batch)."""
        self.series = s
        word = effective(s)
        since = ""
        if s.since is not None:
            ago = timeutil.fmt_duration(max(0.0, (timeutil.now() - s.since).total_seconds()))
            since = f" since {fmt_when(s.since)} ({ago})"
        self.title.setText(f"{s.target} via {s.vantage}: {cell_text(s)}{since}")
        bg, fg = STATE_COLOURS.get(word, STATE_COLOURS["pending"])
        self.title.setStyleSheet(f"QLabel {{ background: {bg}; color: {fg}; padding: 4px; }}")
        r = s.last
        lines = [f"Check: {s.check}"]
        if r is not None:
            lines += [f"{label}: {value}" for label, value in result_facts(r)]
        if s.flapping:
            lines.append("Flapping: the state changes often.")
        if s.offline:
            lines.append(
                "The workstation was offline at the last check: it says nothing about the target."
            )
        self.facts.setText("\n".join(lines))

    def load_history(self) -> None:
        s = self.series
        if s is None:
            return
        records: list[dict[str, Any]] = []
        up1 = up24 = None
        if self.store is not None:
            from warroom.store import probes as ps

            try:
                records = ps.recent_samples(self.store, s.target, s.vantage, RECENT_LIMIT)
                up1 = ps.uptime(self.store, s.target, s.vantage, 3600)
                up24 = ps.uptime(self.store, s.target, s.vantage, 86400)
            except Exception:  # a history problem must not break the live view
                log.exception("probe history for %s/%s", s.target, s.vantage)
        if not records and s.last is not None:
            records = [s.last.record()]
        if records != self.results.records():  # keep the reader's place when nothing is new
            self.results.set_records(records)
        self.uptime.setText(f"Uptime: last hour {_pct(up1)} · last 24 h {_pct(up24)}")
        points = []
        for rec in reversed(records):  # oldest first
            try:
                t = timeutil.parse_utc(rec["time"])
            except (KeyError, ValueError):
                t = None
            lat = rec.get("latency_ms") if rec.get("status") != "down" else None
            points.append(Point(t, lat, str(rec.get("status"))))
        span = ""
        if len(points) > 1 and points[0].time and points[-1].time:
            span = timeutil.fmt_duration((points[-1].time - points[0].time) / timedelta(seconds=1))
        n = len(points)
        caption = f"Latency, last {n} check{'' if n == 1 else 's'}" + (
            f" over {span}" if span else ""
        )
        self.chart.set_points(points, self.threshold_ms, caption)


def _pct(x: float | None) -> str:
    if x is None:
        return "no data"
    return f"{x * 100:.1f} %" if x < 1 else "100 %"
