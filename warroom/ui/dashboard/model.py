"""The probe matrix: one row per target, one column per vantage.

A row reads left to right the way a commander asks: which service, how bad overall,
since when, the trend, then what each vantage point sees, then the sentence
("www: down via isp-b, isp-lie; up via isp-a"). Every state is colour AND text.

The engine owns each series' state and sends the ``SeriesState`` objects that changed;
the model stores them as they come (``apply_states``), never rebuilds them from
samples, and never asks the engine while painting. What a row says (worst state,
summary, sort key) is computed once per update with ``warroom.probes.summary``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QRegularExpression,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtGui import QBrush, QColor, QFont, QIcon

from warroom.base import timeutil
from warroom.domain.probes import State
from warroom.probes.state import SeriesState
from warroom.probes.summary import (
    BAD,
    BROKEN_MIN_TARGETS,
    NO_BROKEN,
    SEVERITY,
    broken_vantages,
    effective,
    target_summary,
    worst,
)
from warroom.ui.dashboard.cells import (
    STATE_COLOURS,
    STATE_ICONS,
    cell_age,
    cell_text,
    cell_tooltip,
    failing,
    fmt_latency,
    fmt_when,
)
from warroom.ui.dashboard.remote import (
    RemoteColumn,
    header,
    header_tooltip,
    remote_columns,
)

if TYPE_CHECKING:
    from PySide6.QtCore import QObject

    from warroom.domain.workspace import WorkspaceConfig

# Columns: the target and its worst state, then one column per vantage (the matrix,
# which must stay in view in a narrow dock), then the columns that follow the vantages:
# time since the last change, the trend and the summary sentence. Their numbers depend on
# how many vantages there are: ``since_column``, ``trend_column``, ``summary_column``.
COL_TARGET = 0
COL_STATE = 1
FIRST_VANTAGE_COL = 2
FIXED_HEADERS = ("Target", "State")
TAIL_HEADERS = ("Last change", "Trend", "Summary")
SINCE_OFFSET, TREND_OFFSET, SUMMARY_OFFSET = 0, 1, 2

# Custom roles.
StateRole = Qt.ItemDataRole.UserRole + 1  # effective state word of the cell / worst of the row
SeriesRole = Qt.ItemDataRole.UserRole + 2  # SeriesState of a vantage cell (None: not probed)
LatenciesRole = Qt.ItemDataRole.UserRole + 3  # {vantage: tuple[latency_ms | None]} of the row
TargetRole = Qt.ItemDataRole.UserRole + 4  # target name
VantageRole = Qt.ItemDataRole.UserRole + 5  # vantage name of a cell (None: not a vantage cell)
SummaryRole = Qt.ItemDataRole.UserRole + 6  # the summary sentence of the row
SortRole = Qt.ItemDataRole.UserRole + 7  # worst first in every column
FilterRole = Qt.ItemDataRole.UserRole + 8  # target, url, summary and errors, for the filter
LastResultRole = Qt.ItemDataRole.UserRole + 9  # ProbeResult of the cell, or None
CompactRole = Qt.ItemDataRole.UserRole + 10  # (line 1, line 2): the text folded for narrow
LINE_BREAK = "\u2028"  # Qt's line separator: a break even where words do not wrap

_ROLES = frozenset(
    {
        Qt.ItemDataRole.DisplayRole,
        Qt.ItemDataRole.DecorationRole,
        Qt.ItemDataRole.ToolTipRole,
        Qt.ItemDataRole.FontRole,
        Qt.ItemDataRole.TextAlignmentRole,
        Qt.ItemDataRole.BackgroundRole,
        Qt.ItemDataRole.ForegroundRole,
        Qt.ItemDataRole.AccessibleTextRole,
        StateRole,
        SeriesRole,
        LatenciesRole,
        TargetRole,
        VantageRole,
        SummaryRole,
        SortRole,
        FilterRole,
        LastResultRole,
        CompactRole,
    }
)

# The roles a view's paint asks for, as slots of ``DashboardModel.paint_values``.
PAINT_ROLES = (
    Qt.ItemDataRole.DisplayRole,
    Qt.ItemDataRole.DecorationRole,
    Qt.ItemDataRole.FontRole,
    Qt.ItemDataRole.TextAlignmentRole,
    Qt.ItemDataRole.BackgroundRole,
    Qt.ItemDataRole.ForegroundRole,
    Qt.ItemDataRole.CheckStateRole,
)
_PAINT_SLOT: dict[int, int] = {int(r): i for i, r in enumerate(PAINT_ROLES)}
_CENTER = int(Qt.AlignmentFlag.AlignCenter)
_RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)


@dataclass
class Row:
    target: str
    url: str
    vantages: dict[str, SeriesState]  # only the vantages this target is probed from
    order: int = 0  # position in the workspace file: ties keep it
    worst: str = "pending"
    summary: str = ""
    changed: datetime | None = None
    cells: dict[str, tuple[str, str]] = field(default_factory=dict)  # vantage: (word, text)
    sort_key: int = 0
    filter_text: str = ""
    state_label: str = "PENDING"

    def refresh(self, broken: frozenset[str] = NO_BROKEN) -> None:
        states = list(self.vantages.values())
        words = [effective(s, broken) for s in states]
        # What the cells say, computed once per update rather than once per paint.
        self.cells = {s.vantage: (w, cell_text(s, w)) for s, w in zip(states, words, strict=True)}
        self.worst = worst(states, broken) if states else "pending"
        self.summary = target_summary(self.target, states, broken=broken)
        times = [s.since for s in states if s.since is not None]
        self.changed = max(times) if times else None
        bad = sum(1 for w in words if w in BAD)
        n_worst = sum(1 for w in words if w == self.worst)
        label = {"offline": "OFFLINE?", "vantage": "UNKNOWN"}.get(self.worst, self.worst.upper())
        multi = self.worst in BAD and len(words) > 1
        self.state_label = f"{label} {n_worst} of {len(words)}" if multi else label
        # Worst state first, then more bad vantages first, then the workspace file's
        # order: a unique key, so a row that recovers goes back to its place among its
        # equals instead of to the end of them.
        sev = SEVERITY.get(self.worst, 9) * 1000 + (999 - min(bad, 999))
        self.sort_key = sev * 100_000 + min(self.order, 99_999)  # stays a 32-bit int
        errors = " ".join(s.last.error for s in states if s.last is not None and s.last.error)
        self.filter_text = f"{self.target} {self.url} {self.summary} {errors}"

    def state_text(self) -> str:
        return self.state_label


class DashboardModel(QAbstractTableModel):
    """Targets x vantages. Feed it ``apply_results`` / ``apply_changes`` (UI thread)."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[Row] = []
        self._index: dict[str, int] = {}
        self._vantages: list[str] = []
        self._vcol: dict[str, int] = {}
        self._bold = QFont()
        self._bold.setBold(True)
        self._brushes = {
            k: (QBrush(QColor(bg)), QBrush(QColor(fg))) for k, (bg, fg) in STATE_COLOURS.items()
        }
        self._icons: dict[str, Any] = {}
        self._broken: frozenset[str] = NO_BROKEN
        # Cells on two lines (the view is narrow): set by the pane, which sizes the rows.
        self.folded = False
        # "Now" for the cells' since-when, moved on by updates and the pane's clock tick
        # rather than read per cell per paint.
        self.now = timeutil.now()
        self._n_series: dict[str, int] = {}
        self._n_failing: dict[str, int] = {}
        self._remote: dict[str, RemoteColumn] = {}  # remote columns by series name
        self._networks: dict[str, str] = {}  # remote column: the network its probes named
        self._local_interval = 30.0
        self._italic = QFont()
        self._italic.setItalic(True)
        self._set_tail(0)

    # -- layout --------------------------------------------------------------------

    def set_series(
        self,
        series: Sequence[SeriesState],
        *,
        urls: dict[str, str] | None = None,
        vantages: Sequence[str] | None = None,
    ) -> None:
        """Rebuild rows and columns from a full snapshot (config order)."""
        self.beginResetModel()
        rows: dict[str, Row] = {}
        order: list[str] = list(vantages or [])
        for s in series:
            row = rows.get(s.target)
            if row is None:
                row = rows[s.target] = Row(
                    s.target, (urls or {}).get(s.target, ""), {}, order=len(rows)
                )
            row.vantages[s.vantage] = s
            if s.vantage not in order:
                order.append(s.vantage)
        self._rows = list(rows.values())
        self._broken = frozenset(broken_vantages(series))
        # Per vantage: series, and series failing now. Kept up to date per state, so
        # the board-wide "is a vantage broken?" pass runs only when one might be.
        self._n_series = {}
        self._n_failing = {}
        for s in series:
            self._n_series[s.vantage] = self._n_series.get(s.vantage, 0) + 1
            if failing(s):
                self._n_failing[s.vantage] = self._n_failing.get(s.vantage, 0) + 1
        for r in self._rows:
            r.refresh(self._broken)
        self._index = {r.target: i for i, r in enumerate(self._rows)}
        self._vantages = order
        self._vcol = {v: FIRST_VANTAGE_COL + i for i, v in enumerate(order)}
        self._set_tail(len(order))
        self.endResetModel()

    def _set_tail(self, n_vantages: int) -> None:
        first = FIRST_VANTAGE_COL + n_vantages
        self._since_col = first + SINCE_OFFSET
        self._trend_col = first + TREND_OFFSET
        self._summary_col = first + SUMMARY_OFFSET
        self._vend = first  # one past the last vantage column
        self._ncols = first + len(TAIL_HEADERS)

    def set_folded(self, folded: bool) -> None:
        """Cells on two lines (``DOWN · 4m`` over ``refused``) or on one."""
        if folded != self.folded:
            self.folded = folded
            if self._rows:
                self.dataChanged.emit(
                    self.index(0, 0), self.index(len(self._rows) - 1, self._ncols - 1)
                )

    def tick(self) -> None:
        """Move the cells' since-when on (the pane calls this every few seconds)."""
        self.now = timeutil.now()

    def set_config(self, config: WorkspaceConfig, snapshot: Sequence[SeriesState] = ()) -> None:
        """Rows for a ``WorkspaceConfig``; states from ``snapshot`` where it has them."""
        have = {(s.target, s.vantage): s for s in snapshot}
        series = []
        for t in config.targets:
            for v in config.vantages_of(t):
                series.append(
                    have.get((t.name, v.name))
                    or SeriesState(
                        t.name, v.name, t.check, State.PENDING, None, None, (), False, False
                    )
                )
        used = {s.vantage for s in series}
        # Remote groups after the local vantages, grouped by network (remote.py).
        cols = remote_columns(config)
        self._remote = {c.series: c for c in cols}
        for s in snapshot:
            self._learn_network(s)
        self._local_interval = config.probe.interval
        for t in config.targets:
            mine = {v.name for v in config.remote_vantages_of(t)}
            for c in cols:
                if c.vantage in mine:
                    series.append(
                        have.get((t.name, c.series))
                        or SeriesState(
                            t.name,
                            c.series,
                            t.check,
                            State.PENDING,
                            None,
                            None,
                            (),
                            False,
                            False,
                            remote=True,
                        )
                    )
        self.set_series(
            series,
            urls={t.name: t.url for t in config.targets},
            # Config order, and only vantages some target is probed from.
            vantages=[v.name for v in config.all_vantages() if v.name in used]
            + [c.series for c in cols],
        )

    @property
    def vantages(self) -> list[str]:
        return list(self._vantages)

    def vantage_column(self, vantage: str) -> int:
        return self._vcol[vantage]

    @property
    def summary_column(self) -> int:
        return self._summary_col

    @property
    def since_column(self) -> int:
        return self._since_col

    @property
    def trend_column(self) -> int:
        return self._trend_col

    def row_of(self, target: str) -> int:
        return self._index[target]

    def row_data(self, row: int) -> Row:
        return self._rows[row]

    def rows(self) -> list[Row]:
        return list(self._rows)

    def series(self, target: str, vantage: str) -> SeriesState | None:
        i = self._index.get(target)
        return None if i is None else self._rows[i].vantages.get(vantage)

    def summaries(self) -> dict[str, str]:
        return {r.target: r.summary for r in self._rows}

    def counts(self) -> dict[str, int]:
        """How many targets are worst-down, degraded, ... (for the status line)."""
        out: dict[str, int] = {}
        for r in self._rows:
            out[r.worst] = out.get(r.worst, 0) + 1
        return out

    @property
    def broken(self) -> frozenset[str]:
        """Vantages that fail for every target they probe (see ``broken_vantages``)."""
        return self._broken

    def states(self) -> list[SeriesState]:
        """Every series as the engine last sent it, in row order."""
        return [s for r in self._rows for s in r.vantages.values()]

    def states_of(self, target: str) -> list[SeriesState]:
        i = self._index.get(target)
        return [] if i is None else list(self._rows[i].vantages.values())

    # -- updates ---------------------------------------------------------------------

    def apply_states(self, states: Iterable[SeriesState]) -> None:
        """Store the engine's newest states as they come (unknown series are ignored:
        a config change crossed them in flight)."""
        touched: set[int] = set()
        rows, index = self._rows, self._index
        n_failing = self._n_failing
        for s in states:
            i = index.get(s.target)
            if i is None:
                continue
            vs = rows[i].vantages
            old = vs.get(s.vantage)
            if old is not None:
                vs[s.vantage] = s
                if s.remote and self._learn_network(s):
                    col = self._vcol[s.vantage]
                    self.headerDataChanged.emit(Qt.Orientation.Horizontal, col, col)
                touched.add(i)
                was, now = failing(old), failing(s)
                if was != now:
                    n_failing[s.vantage] = n_failing.get(s.vantage, 0) + (1 if now else -1)
        if not touched:
            return
        self.now = timeutil.now()
        n = self._n_series
        suspects = any(c >= BROKEN_MIN_TARGETS and n_failing.get(v, 0) == c for v, c in n.items())
        broken = (
            frozenset(broken_vantages(self.states())) if suspects or self._broken else NO_BROKEN
        )
        if broken != self._broken:
            # A vantage broke or healed: every row it appears in reads differently.
            self._broken = broken
            touched = set(range(len(rows)))
        self._changed(touched)

    def _changed(self, rows: set[int]) -> None:
        if not rows:
            return
        for i in rows:
            self._rows[i].refresh(self._broken)
        last_col = self._ncols - 1
        # One signal per run of adjacent rows: few signals for a burst, and the sort
        # proxy re-sorts only the rows that really changed.
        ordered = sorted(rows)
        start = prev = ordered[0]
        for i in ordered[1:]:
            if i != prev + 1:
                self.dataChanged.emit(self.index(start, 0), self.index(prev, last_col))
                start = i
            prev = i
        self.dataChanged.emit(self.index(start, 0), self.index(prev, last_col))

    # -- Qt model API ----------------------------------------------------------------

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else self._ncols

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            if section < FIRST_VANTAGE_COL:
                return FIXED_HEADERS[section]
            if section < self._vend:
                name = self._vantages[section - FIRST_VANTAGE_COL]
                col = self._remote.get(name)
                return name if col is None else header(col, self._network(name))
            if section < self._ncols:
                return TAIL_HEADERS[section - self._vend]
        if role == Qt.ItemDataRole.FontRole and FIRST_VANTAGE_COL <= section < self._vend:
            # Remote columns in italics: other networks, a slower rhythm.
            return (
                self._italic
                if self._vantages[section - FIRST_VANTAGE_COL] in self._remote
                else None
            )
        if role == Qt.ItemDataRole.ToolTipRole:
            if section == self._since_col:
                return "How long ago the last state change of this target happened"
            if section == self._trend_col:
                return "Recent latencies, one line per vantage; red ticks: failed checks"
            if FIRST_VANTAGE_COL <= section < self._vend:
                name = self._vantages[section - FIRST_VANTAGE_COL]
                col = self._remote.get(name)
                if col is not None:
                    return header_tooltip(col, self._network(name), self._local_interval)
                return f"What the vantage point {name!r} sees"
        return None

    def _network(self, series: str) -> str | None:
        """The network a remote column's probes said they are in (None: not yet known)."""
        return self._networks.get(series)

    def _learn_network(self, s: SeriesState) -> bool:
        """Keep the network a remote group's probes named; True when the header changes."""
        net = s.last.extra.get("network") if s.remote and s.last is not None else None
        if isinstance(net, str) and net and self._networks.get(s.vantage) != net:
            self._networks[s.vantage] = net
            return True
        return False

    def is_remote(self, vantage: str) -> bool:
        return vantage in self._remote

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def data(
        self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if not index.isValid():
            return None
        r, c = index.row(), index.column()
        if role not in _ROLES or r >= len(self._rows) or c >= self._ncols:
            return None
        row = self._rows[r]
        if role == TargetRole:
            return row.target
        if role == SummaryRole:
            return row.summary
        if role == FilterRole:
            return row.filter_text
        if role == LatenciesRole:
            return {v: s.latencies for v, s in row.vantages.items()}
        if FIRST_VANTAGE_COL <= c < self._vend:
            return self._vantage_data(row, self._vantages[c - FIRST_VANTAGE_COL], role)
        if role in (VantageRole, SeriesRole, LastResultRole):
            return None
        if role == StateRole:
            return row.worst
        if role == SortRole:
            return self._row_sort(row, c)
        if c == COL_TARGET:
            if role == Qt.ItemDataRole.DisplayRole:
                return row.target
            if role == Qt.ItemDataRole.ToolTipRole:
                return f"{row.target}\n{row.url}" if row.url else row.target
            if role == Qt.ItemDataRole.FontRole:
                return self._bold
            return None
        if c == COL_STATE:
            if role == CompactRole or (role == Qt.ItemDataRole.DisplayRole and self.folded):
                head, _, rest = row.state_text().partition(" ")
                if role == CompactRole:
                    return (head, rest)
                return f"{head}{LINE_BREAK}{rest}" if rest else head
            return self._state_data(row.worst, row.state_text(), role, bold=True)
        if c == self._since_col:
            if role == Qt.ItemDataRole.DisplayRole:
                return self._ago(row.changed)
            if role == Qt.ItemDataRole.ToolTipRole and row.changed is not None:
                return f"Last change at {fmt_when(row.changed)}"
            if role == Qt.ItemDataRole.TextAlignmentRole:
                return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            return None
        if c == self._trend_col:
            if role == Qt.ItemDataRole.ToolTipRole:
                return self._trend_tip(row)
            return None
        if c == self._summary_col and role in (
            Qt.ItemDataRole.DisplayRole,
            Qt.ItemDataRole.ToolTipRole,
        ):
            return row.summary
        return None

    def multiData(self, index: QModelIndex | QPersistentModelIndex, span: Any) -> None:
        """All roles of one cell in one call: the view asks about seven roles per cell per
        repaint. The roles a paint asks for come from ``paint_values`` (the cell worked
        out once, not once per role: that was over half of a repaint); any other role
        from ``data``. A test checks both give the same for every cell."""
        vals = self.paint_values(index.row(), index.column()) if index.isValid() else None
        data = self.data
        for rd in span:
            role = rd.role()
            slot = _PAINT_SLOT.get(role) if vals is not None else None
            value = data(index, role) if slot is None else vals[slot]  # type: ignore[index]
            if value is None:
                rd.clearData()
            else:
                rd.setData(value)

    def paint_values(self, r: int, c: int) -> tuple[Any, ...] | None:
        """(display, decoration, font, alignment, background, foreground, check state) of
        a target, state, vantage or since cell, as ``data`` answers them; None for the
        trend and summary columns (``data`` answers)."""
        if r >= len(self._rows) or c >= self._ncols:
            return None
        row = self._rows[r]
        if c >= self._vend:
            if c == self._since_col:
                return (self._ago(row.changed), None, None, _RIGHT, None, None, None)
            return None
        if c == COL_TARGET:
            return (row.target, None, self._bold, None, None, None, None)
        if c == COL_STATE:
            word, text = row.worst, row.state_label
            if self.folded:
                head, _, rest = text.partition(" ")
                text = f"{head}{LINE_BREAK}{rest}" if rest else head
            brushes = self._brushes.get(word)
            bg, fg = brushes if brushes is not None else (None, None)
            return (text, self._icon(word), self._bold, None, bg, fg, None)
        if c < FIRST_VANTAGE_COL:
            return None
        vantage = self._vantages[c - FIRST_VANTAGE_COL]
        s = row.vantages.get(vantage)
        if s is None:
            return ("—", None, None, _CENTER, None, None, None)
        word, text = row.cells[vantage]
        age = cell_age(s, word, self.now)
        if self.folded:
            head, _, rest = text.partition(" ")
            text = f"{head}{age}{LINE_BREAK}{rest}" if rest else head + age
        else:
            text += age
        brushes = self._brushes.get(word)
        bg, fg = brushes if brushes is not None else (None, None)
        font = self._bold if word == "down" else None
        return (text, self._icon(word), font, None, bg, fg, None)

    def _vantage_data(self, row: Row, vantage: str, role: int) -> Any:
        s = row.vantages.get(vantage)
        if role == VantageRole:
            return vantage
        if role == SeriesRole:
            return s
        if s is None:
            if role == Qt.ItemDataRole.DisplayRole:
                return "—"
            if role == Qt.ItemDataRole.ToolTipRole:
                return f"{row.target} is not probed via {vantage}"
            if role == SortRole:
                return 99
            if role == Qt.ItemDataRole.TextAlignmentRole:
                return int(Qt.AlignmentFlag.AlignCenter)
            return None
        word, text = row.cells[vantage]
        if role == LastResultRole:
            return s.last
        if role == StateRole:
            return word
        if role == SortRole:
            return SEVERITY.get(word, 9) * 100_000 + min(row.order, 99_999)
        if role == Qt.ItemDataRole.ToolTipRole:
            return cell_tooltip(s, self._broken)
        if role == Qt.ItemDataRole.DisplayRole and self.folded:
            head, _, rest = text.partition(" ")
            age = cell_age(s, word, self.now)
            return f"{head}{age}{LINE_BREAK}{rest}" if rest else head + age
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return text + cell_age(s, word, self.now)
        if role == CompactRole:
            head, _, rest = text.partition(" ")
            return (head + cell_age(s, word, self.now), rest)
        return self._state_data(word, text, role)

    def _state_data(self, word: str, text: str, role: int, *, bold: bool = False) -> Any:
        if role == Qt.ItemDataRole.DisplayRole:
            return text
        if role == Qt.ItemDataRole.BackgroundRole:
            return self._brushes[word][0] if word in self._brushes else None
        if role == Qt.ItemDataRole.ForegroundRole:
            return self._brushes[word][1] if word in self._brushes else None
        if role == Qt.ItemDataRole.FontRole and (bold or word == "down"):
            return self._bold
        if role == Qt.ItemDataRole.DecorationRole:
            return self._icon(word)
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return text
        return None

    def _icon(self, word: str) -> Any:
        # An icon holding one pixmap rendered once per state: an SVG icon per cell (or a
        # bare pixmap, which the delegate wraps in a new QIcon each time) was the biggest
        # cost of repainting a 3,000-cell board.
        pm = self._icons.get(word)
        if pm is None:
            from PySide6.QtCore import QSize
            from PySide6.QtGui import QGuiApplication

            from warroom.ui.icons import state_icon

            app = QGuiApplication.instance()
            dpr = app.devicePixelRatio() if isinstance(app, QGuiApplication) else 1.0
            icon = state_icon(STATE_ICONS.get(word, "pending"))
            pm = self._icons[word] = QIcon(icon.pixmap(QSize(16, 16), dpr))
        return pm

    def _row_sort(self, row: Row, c: int) -> Any:
        if c == COL_TARGET:
            return row.target.lower()
        if c == self._since_col:
            # Most recent change first when sorted ascending.
            return -row.changed.timestamp() if row.changed else 0.0
        if c == self.summary_column:
            return row.summary.lower()
        return row.sort_key

    @staticmethod
    def _ago(t: datetime | None) -> str:
        if t is None:
            return "—"
        secs = (timeutil.now() - t).total_seconds()
        return f"{timeutil.fmt_duration(max(0.0, secs))} ago"

    @staticmethod
    def _trend_tip(row: Row) -> str:
        lines = []
        for v, s in row.vantages.items():
            ok = [x for x in s.latencies if x is not None]
            failed = len(s.latencies) - len(ok)
            if ok:
                lines.append(
                    f"{v}: {fmt_latency(min(ok))} – {fmt_latency(max(ok))}, "
                    f"{failed} failed of {len(s.latencies)}"
                )
            else:
                lines.append(
                    f"{v}: {failed} failed of {len(s.latencies)}" if failed else f"{v}: no data"
                )
        return "\n".join(lines)


class DashboardProxy(QSortFilterProxyModel):
    """Worst first, and a filter box: every word must appear in the target's name, URL,
    summary or error words (case-insensitive)."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.setSortRole(SortRole)
        self.setFilterRole(FilterRole)
        self.setFilterKeyColumn(COL_TARGET)
        self.setDynamicSortFilter(True)
        self.setSortCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)

    def multiData(self, index: QModelIndex | QPersistentModelIndex, span: Any) -> None:
        # Qt's proxy would split this into one data() call per role; pass it on whole.
        src = self.sourceModel()
        if isinstance(src, DashboardModel):
            src.multiData(self.mapToSource(index), span)
        else:
            super().multiData(index, span)

    def set_filter_words(self, text: str) -> None:
        words = text.split()
        # All words, any order: one look-ahead per word (runs in C++, not per row in Python).
        pattern = "".join(f"(?=.*{re.escape(w)})" for w in words)
        rx = QRegularExpression(pattern, QRegularExpression.PatternOption.CaseInsensitiveOption)
        self.setFilterRegularExpression(rx)
