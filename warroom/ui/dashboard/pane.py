"""The probe dashboard pane: is it down for everyone, or only via some access providers?

Owns the probe engine of the window (started from the workspace file in ``UiContext``),
the one bridge that brings its results to the UI thread, the matrix, the detail view,
the workspace file editor, the incident link and the tray notifications.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSplitter,
    QTableView,
    QTabWidget,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from warroom.config import workspace_file
from warroom.config.workspace_file import WorkspaceConfig, WorkspaceFileError
from warroom.domain.probes import State
from warroom.services.probe_link import LINK_MODE_LABELS, LinkMode, ProbeLink, parse_mode
from warroom.ui import settings
from warroom.ui.bridge import Batch, ProbeBridge
from warroom.ui.dashboard import notify
from warroom.ui.dashboard.charts import CellDelegate, SparklineDelegate
from warroom.ui.dashboard.detail import DetailView
from warroom.ui.dashboard.editor import WorkspaceEditor
from warroom.ui.dashboard.link_worker import LinkWorker
from warroom.ui.dashboard.model import (
    COL_STATE,
    COL_TARGET,
    FIRST_VANTAGE_COL,
    DashboardModel,
    DashboardProxy,
    SeriesRole,
    TargetRole,
    fmt_when,
)

log = logging.getLogger(__name__)

HEADLINE_ROWS = 5
EngineFactory = Callable[..., Any]


def default_engine(config: WorkspaceConfig, **kw: Any) -> Any:
    from warroom.probes import ProbeEngine

    return ProbeEngine(config, **kw)


class DashboardPane(QWidget):
    """Signals:
    config_applied(object): the ``WorkspaceConfig`` now being probed.
    """

    config_applied = Signal(object)

    def __init__(
        self,
        ctx: Any,
        *,
        engine_factory: EngineFactory | None = default_engine,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("dashboard-pane")
        self.ctx = ctx
        self.engine_factory = engine_factory
        self.engine: Any = None
        self.config: WorkspaceConfig | None = None
        self.bridge = ProbeBridge(self)
        self.model = DashboardModel(self)
        self.proxy = DashboardProxy(self)
        self.proxy.setSourceModel(self.model)
        self.notifier = notify.TrayNotifier(self)
        self.notifier.enabled = settings.DASHBOARD_NOTIFY.get(ctx.settings)
        self.link: ProbeLink | None = None
        self.link_worker: LinkWorker | None = None
        if ctx.store is not None:
            from warroom.services.timeline import Timeline

            self.link = ProbeLink(
                Timeline(ctx.store),
                parse_mode(settings.DASHBOARD_LINK.get(ctx.settings)),
            )
            self.link_worker = LinkWorker(self.link, self)
            self.link_worker.done.connect(self._link_done)
            self.link_worker.failed.connect(self._link_failed)
        self.link_errors = 0
        self._build()
        self.bridge.batch.connect(self.on_batch)
        # The window's status bar says it too, for when the pane is hidden or tabbed away.
        self.status_label = QLabel("")
        self.status_label.setObjectName("probe-status")
        if getattr(ctx, "status_bar", None) is not None:
            # addPermanentWidget, not ctx.add_status_widget: its insert at index 0 warns
            # (and so fails tests) when the bar already holds ordinary widgets.
            ctx.status_bar.addPermanentWidget(self.status_label)
        self._tick = QTimer(self)
        self._tick.setInterval(5000)  # "4m 10s ago" keeps moving without model signals
        self._tick.timeout.connect(self._refresh_times)
        self._tick.start()
        save = getattr(ctx, "actions", {}).get("save")
        if save is not None:  # File ▸ Save workspace file (Ctrl+S) is the editor's Save
            save.setEnabled(True)
            tip = "Save the workspace file (the text in the dashboard's Workspace file tab)"
            save.setStatusTip(tip)
            save.setToolTip(tip)
            save.triggered.connect(self._save_action)
        if hasattr(ctx, "workspace_file_changed"):
            ctx.workspace_file_changed.connect(self._workspace_file_changed)
        if hasattr(ctx, "on_close"):
            ctx.on_close(self.stop)
        self.destroyed.connect(lambda *_: None)
        if getattr(ctx, "workspace_file", None):
            self.load_file(ctx.workspace_file)
        self._update_empty()

    # -- widgets ---------------------------------------------------------------

    def _build(self) -> None:
        self.gate_banner = QLabel("")
        self.gate_banner.setObjectName("gate-banner")
        self.gate_banner.setWordWrap(True)
        self.gate_banner.setStyleSheet(
            "QLabel { background: #b71c1c; color: white; font-weight: bold; padding: 8px; }"
        )
        f = self.gate_banner.font()
        f.setPointSizeF(f.pointSizeF() * 1.2)
        self.gate_banner.setFont(f)
        self.gate_banner.hide()
        self.file_problem = QLabel("")
        self.file_problem.setObjectName("file-problem")
        self.file_problem.setWordWrap(True)
        self.file_problem.setStyleSheet(
            "QLabel { background: #fff3cd; color: #5c3b00; padding: 4px; }"
        )
        self.file_problem.hide()

        self.filter = QLineEdit()
        self.filter.setObjectName("dashboard-filter")
        self.filter.setPlaceholderText("Filter: www, down, isp-b, dns_servfail …")
        self.filter.setClearButtonEnabled(True)
        self.filter.textChanged.connect(self._filter_changed)
        self.probe_all_btn = QPushButton("Probe all now")
        self.probe_all_btn.clicked.connect(lambda: self.probe_now(None))
        self.probe_one_btn = QPushButton("Probe selected")
        self.probe_one_btn.setToolTip("Check the selected target now, from every vantage")
        self.probe_one_btn.clicked.connect(self._probe_selected)
        self.link_box = QComboBox()
        self.link_box.setObjectName("incident-link")
        self.link_box.setToolTip(
            "Which probe state changes are written to the active incident's timeline"
        )
        for mode, label in LINK_MODE_LABELS.items():
            self.link_box.addItem(f"Timeline: {label}", mode.value)
        self.link_box.setCurrentIndex(
            self.link_box.findData(self.link.mode.value if self.link else LinkMode.OFF.value)
        )
        self.link_box.setEnabled(self.link is not None)
        self.link_box.currentIndexChanged.connect(self._link_mode_changed)
        self.notify_box = QCheckBox("Notify")
        self.notify_box.setToolTip("A desktop notification when a target goes down or recovers")
        self.notify_box.setChecked(self.notifier.enabled)
        self.notify_box.toggled.connect(self._notify_toggled)
        self.headline = QLabel("")
        self.headline.setObjectName("dashboard-headline")
        self.headline.setWordWrap(True)
        self.headline.setTextFormat(Qt.TextFormat.PlainText)
        self.headline.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        hf = self.headline.font()
        hf.setPointSizeF(hf.pointSizeF() * 1.1)
        hf.setBold(True)
        self.headline.setFont(hf)
        self.headline.hide()
        self.counts = QLabel("")
        self.counts.setObjectName("dashboard-counts")
        # Narrow docks must stay possible: the filter and counts shrink, the toolbar
        # folds its rest behind its extension button.
        self.filter.setMinimumWidth(60)
        self.counts.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.link_box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        bar = QHBoxLayout()
        bar.addWidget(self.filter, 3)
        bar.addWidget(self.counts, 2)
        tools = QToolBar()
        tools.setObjectName("dashboard-tools")
        for w in (self.probe_all_btn, self.probe_one_btn, self.link_box, self.notify_box):
            tools.addWidget(w)

        self.table = QTableView()
        self.table.setObjectName("dashboard-table")
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(COL_STATE, Qt.SortOrder.AscendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setAlternatingRowColors(False)
        self.table.setWordWrap(False)
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.table.verticalHeader().hide()
        fm = self.table.fontMetrics()
        self.table.verticalHeader().setDefaultSectionSize(fm.height() + 10)
        self.table.setItemDelegate(CellDelegate(self.table))
        self.sparkline = SparklineDelegate(self.table)
        self._trend_col = -1
        hdr = self.table.horizontalHeader()
        hdr.setStretchLastSection(True)
        hdr.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.selectionModel().currentChanged.connect(self._current_changed)
        self.empty = QLabel(
            "No workspace file yet: open one (File ▸ Open workspace file…) or write one in "
            "the Workspace file tab, then Apply."
        )
        self.empty.setObjectName("dashboard-empty")
        self.empty.setWordWrap(True)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)

        self.detail = DetailView()
        self.detail.store = self.ctx.store
        self.editor = WorkspaceEditor()
        self.editor.applied.connect(self._editor_applied)
        self.editor.saved.connect(self._editor_saved)

        status = QWidget()
        sl = QVBoxLayout(status)
        sl.setContentsMargins(0, 0, 0, 0)
        split = QSplitter(Qt.Orientation.Vertical)
        top = QWidget()
        tl = QVBoxLayout(top)
        tl.setContentsMargins(0, 0, 0, 0)
        tl.addWidget(self.empty)
        tl.addWidget(self.table, 1)
        split.addWidget(top)
        detail_scroll = QScrollArea()
        detail_scroll.setWidgetResizable(True)
        detail_scroll.setFrameShape(QFrame.Shape.NoFrame)
        detail_scroll.setWidget(self.detail)
        split.addWidget(detail_scroll)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        sl.addLayout(bar)
        sl.addWidget(tools)
        sl.addWidget(self.headline)
        sl.addWidget(split, 1)
        self.tabs = QTabWidget()
        self.tabs.addTab(status, "Status")
        self.tabs.addTab(self.editor, "Workspace file")
        lay = QVBoxLayout(self)
        lay.setContentsMargins(2, 2, 2, 2)
        lay.addWidget(self.gate_banner)
        lay.addWidget(self.file_problem)
        lay.addWidget(self.tabs, 1)

    def _size_columns(self) -> None:
        f = self.table.font()
        f.setBold(True)
        fm = QFontMetrics(f)
        icon = 28
        hdr = self.table.horizontalHeader()
        names = [r.target for r in self.model.rows()] or ["Target"]
        longest = max(names[:2000], key=len)
        hdr.resizeSection(
            COL_TARGET,
            min(260, max(fm.horizontalAdvance(longest), fm.horizontalAdvance("Target")) + 24),
        )
        hdr.resizeSection(COL_STATE, fm.horizontalAdvance("DEGRADED 10 of 10") + icon + 16)
        hdr.resizeSection(self.model.since_column, fm.horizontalAdvance("23h 59m ago") + 16)
        hdr.resizeSection(self.model.trend_column, 100)
        # The trend column moves with the number of vantages: its delegate moves with it.
        if self._trend_col != self.model.trend_column:
            if self._trend_col >= 0:
                self.table.setItemDelegateForColumn(self._trend_col, None)  # type: ignore[arg-type]
            self._trend_col = self.model.trend_column
            self.table.setItemDelegateForColumn(self._trend_col, self.sparkline)
        cell = fm.horizontalAdvance("DOWN dns_servfail") + icon + 16
        for i, v in enumerate(self.model.vantages):
            hdr.resizeSection(FIRST_VANTAGE_COL + i, max(cell, fm.horizontalAdvance(v) + 24))

    def _update_empty(self) -> None:
        has = self.model.rowCount() > 0
        self.empty.setVisible(not has)
        self.table.setVisible(has or self.config is not None)
        self.probe_all_btn.setEnabled(self.engine is not None)
        self.probe_one_btn.setEnabled(self.engine is not None)

    # -- workspace file and engine ---------------------------------------------

    def _workspace_file_changed(self, path: Path | None) -> None:
        if path is not None and (self.editor.path is None or Path(path) != self.editor.path):
            self.load_file(Path(path))

    def load_file(self, path: Path) -> bool:
        """Open ``path`` in the editor and probe it. A bad file keeps the old config
        running and says what and where."""
        self.editor.open_file(Path(path))
        try:
            cfg = workspace_file.load(path)
        except WorkspaceFileError as exc:
            self.file_problem.setText(
                f"Workspace file not used: {exc}. Fix it in the Workspace file tab."
            )
            self.file_problem.show()
            if exc.line:
                self.editor.go_to_line(exc.line)
            return False
        self.apply_config(cfg)
        return True

    def apply_config(self, config: WorkspaceConfig) -> None:
        """Probe ``config`` from now on (start the engine, or reconfigure it)."""
        self.file_problem.hide()
        self.config = config
        if self.engine is None and self.engine_factory is not None:
            self.engine = self.engine_factory(
                config,
                on_results=self.bridge.on_results,
                on_changes=self.bridge.on_changes,
                on_gate=self.bridge.on_gate,
                store=self.ctx.store,
            )
            self.engine.start()
        elif self.engine is not None:
            self.engine.update_config(config)
        snap = self.engine.snapshot() if self.engine is not None else []
        self.model.set_config(config, snap)
        self.detail.threshold_ms = config.probe.degraded_ms
        self._size_columns()
        self.proxy.sort(
            self.table.horizontalHeader().sortIndicatorSection(),
            self.table.horizontalHeader().sortIndicatorOrder(),
        )
        self._update_counts()
        self._update_empty()
        if self.engine is not None:
            self.show_gate(self.engine.gate())
        self.config_applied.emit(config)

    def _editor_applied(self, config: WorkspaceConfig) -> None:
        self.apply_config(replace(config, path=self.editor.path))

    def _editor_saved(self, path: Path) -> None:
        if hasattr(self.ctx, "set_workspace_file") and self.ctx.workspace_file != path:
            self.ctx.set_workspace_file(path)

    def _save_action(self) -> None:
        self.tabs.setCurrentWidget(self.editor)
        self.editor.save()

    def probe_now(self, target: str | None = None) -> None:
        if self.engine is not None:
            self.engine.probe_now(target)
            self._message(f"Probing {target or 'every target'} now…")

    def _probe_selected(self) -> None:
        idx = self.table.currentIndex()
        if idx.isValid():
            self.probe_now(idx.data(TargetRole))

    def stop(self) -> None:
        """Stop the engine (window closing); flushes what it still had."""
        engine, self.engine = self.engine, None
        if engine is not None:
            engine.stop()
            self.bridge.flush()  # the engine's last batch, so its changes are logged too
        self._tick.stop()
        worker, self.link_worker = self.link_worker, None
        if worker is not None:
            worker.stop()  # before the window closes the store

    # -- batches from the engine (UI thread) ---------------------------------------

    def on_batch(self, b: Batch) -> None:
        before = {c.target: self._down_vantages(c.target) for c in b.changes}
        if b.results or b.changes:
            self.model.apply_batch(b.results, b.changes)
        if b.changes:
            notices = notify.decide(b.changes, lambda t: before.get(t, set()), self._down_vantages)
            if notices:
                self.notifier.notify(notices)
            self._link(b)
        if b.gate is not None:
            self.show_gate(b.gate)
        if b.results or b.changes:
            self._update_counts()
            s = self.detail.series
            if s is not None:
                cur = self.model.series(s.target, s.vantage)
                if cur is not None and cur is not s:
                    self.detail.refresh_live(cur)

    def _link(self, b: Batch) -> None:
        incident = getattr(self.ctx, "active_incident", None)
        if self.link is None or self.link_worker is None or incident is None:
            return
        if self.link.mode is LinkMode.OFF:
            return
        targets = {c.target for c in b.changes}
        summaries = {t: self._summary_of(t) for t in targets}
        self.link_worker.submit(incident, b.changes, summaries, self.link.mode)

    @Slot(object)
    def _link_done(self, res: Any) -> None:
        if res.affected_added:
            self._message(f"Affected services now include {', '.join(res.affected_added)}")

    @Slot(str)
    def _link_failed(self, text: str) -> None:
        self.link_errors += 1
        self._message(text)

    def _down_vantages(self, target: str) -> set[str]:
        try:
            row = self.model.row_data(self.model.row_of(target))
        except KeyError:
            return set()
        return {v for v, s in row.vantages.items() if s.state is State.DOWN}

    def _summary_of(self, target: str) -> str:
        try:
            return self.model.row_data(self.model.row_of(target)).summary
        except KeyError:
            return ""

    def show_gate(self, gate: Any) -> None:
        """The self-connectivity gate: a loud banner while this workstation is offline."""
        if gate is None or gate.online is not False:
            self.gate_banner.hide()
            return
        since = f" since {fmt_when(gate.since)}" if gate.since else ""
        self.gate_banner.setText(
            f"THIS WORKSTATION IS OFFLINE{since}: {gate.reason}. "
            "Failures are set aside: targets are not marked down until the workstation "
            "is back online."
        )
        self.gate_banner.show()

    def _update_counts(self) -> None:
        c = self.model.counts()
        parts = [
            f"{c[k]} {k}" for k in ("down", "degraded", "offline", "pending", "up") if c.get(k)
        ]
        text = " · ".join(parts) if parts else "no targets"
        shown, total = self.proxy.rowCount(), self.model.rowCount()
        self.counts.setText(text if shown == total else f"{text} (showing {shown} of {total})")
        self.status_label.setText(f"Probes: {text}" if parts else "")
        down = bool(c.get("down"))
        self.status_label.setStyleSheet(
            "QLabel { background: #c62828; color: white; font-weight: bold; padding: 0 6px; }"
            if down
            else ""
        )
        self.counts.setToolTip("Targets by their worst vantage")
        # The sentences of the worst targets, where nobody has to scroll or widen a column.
        bad = sorted(
            (r for r in self.model.rows() if r.worst in ("down", "degraded", "offline")),
            key=lambda r: r.sort_key,
        )
        lines = [r.summary for r in bad[:HEADLINE_ROWS]]
        if len(bad) > HEADLINE_ROWS:
            lines.append(f"… and {len(bad) - HEADLINE_ROWS} more targets down or degraded")
        self.headline.setText("\n".join(lines))
        self.headline.setVisible(bool(lines))

    def _filter_changed(self, text: str) -> None:
        self.proxy.set_filter_words(text)
        self._update_counts()

    def _refresh_times(self) -> None:
        self.table.viewport().update()
        if self.detail.series is not None and self.detail.isVisible():
            self.detail.load_history()  # new samples reach the store about once a second

    # -- selection and detail -------------------------------------------------------

    def _current_changed(self, cur: QModelIndex | QPersistentModelIndex, _prev: Any) -> None:
        if not cur.isValid():
            self.detail.show_series(None)
            return
        s = cur.data(SeriesRole)
        if s is None:  # not a vantage cell: show the worst vantage of the row
            row = self.model.row_data(self.proxy.mapToSource(self.proxy.index(cur.row(), 0)).row())
            states = sorted(
                row.vantages.values(),
                key=lambda x: {"down": 0, "degraded": 1}.get(x.state.value, 2),
            )
            s = states[0] if states else None
        self.detail.show_series(s)

    def select_cell(self, target: str, vantage: str) -> None:
        src = self.model.index(self.model.row_of(target), self.model.vantage_column(vantage))
        self.table.setCurrentIndex(self.proxy.mapFromSource(src))

    # -- settings ----------------------------------------------------------------------

    def _link_mode_changed(self) -> None:
        mode = parse_mode(self.link_box.currentData())
        if self.link is not None:
            self.link.mode = mode
        settings.DASHBOARD_LINK.set(self.ctx.settings, mode.value)

    def _notify_toggled(self, on: bool) -> None:
        self.notifier.enabled = on
        settings.DASHBOARD_NOTIFY.set(self.ctx.settings, on)

    def _message(self, text: str) -> None:
        if hasattr(self.ctx, "show_message"):
            self.ctx.show_message(text)
