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
from typing import TYPE_CHECKING, Any

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
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from warroom.base import timeutil
from warroom.config import workspace_file
from warroom.config.workspace_file import WorkspaceConfig, WorkspaceFileError
from warroom.probes.summary import broken_text, effective, target_summary
from warroom.services.probe_link import (
    LINK_MODE_LABELS,
    PROBE_AUTHOR,
    LinkMode,
    ProbeLink,
    parse_mode,
)
from warroom.ui import settings
from warroom.ui.bridge import Batch, ProbeBridge
from warroom.ui.dashboard import notify
from warroom.ui.dashboard.cells import fmt_when
from warroom.ui.dashboard.charts import SparklineDelegate
from warroom.ui.dashboard.detail import DetailView
from warroom.ui.dashboard.editor import WorkspaceEditor
from warroom.ui.dashboard.link_worker import LinkWorker
from warroom.ui.dashboard.model import (
    COL_STATE,
    COL_TARGET,
    DashboardModel,
    DashboardProxy,
    SeriesRole,
    TargetRole,
)
from warroom.ui.dashboard.remote import world_tip
from warroom.ui.dashboard.table import MatrixView, cell_widths

if TYPE_CHECKING:
    from PySide6.QtCore import QEvent, QObject

    from warroom.probes import ProbeEngine
    from warroom.probes.gate import GateStatus
    from warroom.probes.state import SeriesState
    from warroom.services.probe_link import LinkResult
    from warroom.ui.context import UiContext
    from warroom.ui.dashboard.model import Row

log = logging.getLogger(__name__)

# The workspace file probed in this workspace, remembered in the workspace's own store
# (not in the per-user settings: each workspace has its own file) and reopened at start.
WORKSPACE_FILE_KEY = "dashboard.workspace_file"
PROBLEM_RED = "QLabel { background: #b71c1c; color: white; font-weight: bold; padding: 6px; }"
PROBLEM_YELLOW = "QLabel { background: #fff3cd; color: #5c3b00; padding: 4px; }"
HEADLINE_ROWS = 5
STATUS_RED = "QLabel { background: #c62828; color: white; font-weight: bold; padding: 0 6px; }"
EngineFactory = Callable[..., "ProbeEngine"]


def default_engine(
    config: WorkspaceConfig, **kw: Any
) -> ProbeEngine:  # Any: the engine's own options
    from warroom.probes import ProbeEngine

    return ProbeEngine(config, **kw)


class DashboardPane(QWidget):
    """Signals:
    config_applied(object): the ``WorkspaceConfig`` now being probed.
    wants_width(int): the width that shows every vantage column (the window may grant
        it from the neighbouring panes; it never widens itself for it).
    """

    config_applied = Signal(object)
    wants_width = Signal(int)

    def __init__(
        self,
        ctx: UiContext,
        *,
        engine_factory: EngineFactory | None = default_engine,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("dashboard-pane")
        self.ctx = ctx
        self.engine_factory = engine_factory
        self.engine: ProbeEngine | None = None
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
                Timeline(ctx.store, author=PROBE_AUTHOR),
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
        bar = getattr(ctx, "status_bar", None)
        if bar is not None:
            # addPermanentWidget, not ctx.add_status_widget: its insert at index 0 warns
            # (and so fails tests) when the bar already holds ordinary widgets.
            bar.addPermanentWidget(self.status_label)
        self._resize_soon = QTimer(self)
        self._resize_soon.setSingleShot(True)
        self._resize_soon.setInterval(1000)
        self._resize_soon.timeout.connect(self._size_columns)
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
        # What the probes know now, for other panes (the new-incident dialog):
        # ``summary.known_now(ctx.probe_states(), now)``. The engine's states as sent.
        ctx.probe_states = self.model.states
        if ctx.workspace_file is not None:
            self.load_file(ctx.workspace_file)
        else:
            remembered = self._remembered_file()
            if remembered is not None:
                log.info("reopening the workspace file of this workspace: %s", remembered)
                if hasattr(ctx, "set_workspace_file"):
                    # The window shows it; our own slot (_workspace_file_changed) loads it.
                    ctx.set_workspace_file(remembered)
                else:
                    self.load_file(remembered)
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
        self.file_problem.setStyleSheet(PROBLEM_YELLOW)
        self.file_problem.hide()
        self.vantage_banner = QLabel("")
        self.vantage_banner.setObjectName("vantage-banner")
        self.vantage_banner.setWordWrap(True)
        self.vantage_banner.setToolTip(
            "Its failures are shown as VANTAGE? (grey), not as an outage of the targets"
        )
        self.vantage_banner.setStyleSheet(
            "QLabel { background: #fff3cd; color: #5c3b00; font-weight: bold; padding: 4px; }"
        )
        self.vantage_banner.hide()

        self.filter = QLineEdit()
        self.filter.setObjectName("dashboard-filter")
        self.filter.setPlaceholderText("Filter: www, down, isp-b, dns_servfail …")
        self.filter.setClearButtonEnabled(True)
        self.filter.textChanged.connect(self._filter_changed)
        self.probe_all_btn = QPushButton("Probe all")
        self.probe_all_btn.setToolTip("Check every target now, from every vantage")
        self.probe_all_btn.clicked.connect(lambda: self.probe_now(None))
        self.probe_one_btn = QPushButton("Probe selected")
        self.probe_one_btn.setToolTip("Check the selected target now, from every vantage")
        self.probe_one_btn.clicked.connect(self._probe_selected)
        self.world_btn = QPushButton("Check from the world")
        self.world_btn.setObjectName("check-world")
        self.world_btn.setToolTip(world_tip(False))
        self.world_btn.clicked.connect(self._world_selected)
        self.link_box = QComboBox()
        self.link_box.setObjectName("incident-link")
        self.link_box.setToolTip(
            "Which probe state changes are written to the active incident's timeline"
        )
        for mode, label in LINK_MODE_LABELS.items():
            self.link_box.addItem(f"Timeline: {label}", mode.value)
            self.link_box.setItemData(
                self.link_box.count() - 1,
                f"Write to the incident timeline: {label}",
                Qt.ItemDataRole.ToolTipRole,
            )
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
        # Narrow docks must stay possible without hiding a control behind an overflow
        # menu: the filter and counts shrink, the combo box shortens its text (the full
        # text is in its list and tooltip), and the controls take a row of their own.
        self.filter.setMinimumWidth(60)
        self.counts.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.link_box.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.link_box.setMinimumContentsLength(8)
        widest = max(
            self.link_box.itemText(i) for i in range(self.link_box.count())
        )  # no wider than its longest choice, no narrower than 8 characters
        self.link_box.setMaximumWidth(self.link_box.fontMetrics().horizontalAdvance(widest) + 48)
        bar = QHBoxLayout()
        bar.addWidget(self.filter, 3)
        bar.addWidget(self.counts, 2)
        tools = QHBoxLayout()
        tools.setObjectName("dashboard-tools")
        for w in (self.probe_all_btn, self.probe_one_btn, self.world_btn, self.notify_box):
            tools.addWidget(w)
        tools.addWidget(self.link_box, 1)
        tools.addStretch(0)

        self.table = MatrixView()
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
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.sparkline = SparklineDelegate(self.table)
        self._trend_col = -1
        self._folded = False
        self._preferred = 0
        hdr = self.table.horizontalHeader()
        hdr.setStretchLastSection(True)
        hdr.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.selectionModel().currentChanged.connect(self._current_changed)
        self.table.installEventFilter(self)
        self._set_row_height(folded=False)
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
        self.split = split = QSplitter(Qt.Orientation.Vertical)
        split.setChildrenCollapsible(False)
        top = QWidget()
        tl = QVBoxLayout(top)
        tl.setContentsMargins(0, 0, 0, 0)
        tl.addWidget(self.empty)
        tl.addWidget(self.table, 1)
        split.addWidget(top)
        # The detail takes room only while a cell is chosen (Esc or "Close" hides it).
        self.detail_box = QWidget()
        self.detail_box.setObjectName("dashboard-detail")
        dl = QVBoxLayout(self.detail_box)
        dl.setContentsMargins(0, 0, 0, 0)
        dl.setSpacing(0)
        self.detail_close = QPushButton("Close detail")
        self.detail_close.setToolTip("Hide the detail of the chosen cell (Esc in the table)")
        self.detail_close.clicked.connect(self.close_detail)
        head = QHBoxLayout()
        head.addStretch(1)
        head.addWidget(self.detail_close)
        dl.addLayout(head)
        detail_scroll = QScrollArea()
        detail_scroll.setWidgetResizable(True)
        detail_scroll.setFrameShape(QFrame.Shape.NoFrame)
        detail_scroll.setWidget(self.detail)
        dl.addWidget(detail_scroll, 1)
        split.addWidget(self.detail_box)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        self.detail_box.hide()
        sl.addLayout(bar)
        sl.addLayout(tools)
        sl.addWidget(self.headline)
        sl.addWidget(split, 1)
        self.tabs = QTabWidget()
        self.tabs.addTab(status, "Status")
        self.tabs.addTab(self.editor, "Workspace file")
        lay = QVBoxLayout(self)
        lay.setContentsMargins(2, 2, 2, 2)
        lay.addWidget(self.gate_banner)
        lay.addWidget(self.file_problem)
        lay.addWidget(self.vantage_banner)
        lay.addWidget(self.tabs, 1)

    def _size_columns(self) -> None:
        """Widths from what the cells say now. Every vantage column must be in view:
        when one line per cell does not fit the pane, cells fold onto two lines
        (``DOWN · 4m`` over ``refused``) and the columns narrow to that."""
        f = self.table.font()
        f.setBold(True)  # down cells and the state column are bold
        fm = QFontMetrics(f)
        fm_plain = QFontMetrics(self.table.font())
        hdr = self.table.horizontalHeader()
        rows = self.model.rows()
        names = [r.target for r in rows] or ["Target"]
        longest = max(names[:2000], key=len)
        target_w = min(200, max(fm.horizontalAdvance(longest), fm.horizontalAdvance("Target")) + 20)
        cols = [COL_STATE] + [self.model.vantage_column(v) for v in self.model.vantages]
        one, two = cell_widths(self.model, cols, fm, fm_plain)
        avail = self.table.viewport().width() or self.table.width()
        fold = target_w + sum(one.values()) > avail
        widths = two if fold else one
        hdr.resizeSection(COL_TARGET, target_w)
        for c in cols:
            # Grow at once (nothing clipped); shrink only by a real margin, or columns
            # would twitch, and every width change repaints the whole board.
            cur = hdr.sectionSize(c)
            if widths[c] > cur or cur - widths[c] > 16 or fold != self._folded:
                hdr.resizeSection(c, widths[c])
        if target_w + sum(hdr.sectionSize(c) for c in cols) > avail:
            for c in cols:  # the slack would push a vantage out of view: no slack
                hdr.resizeSection(c, widths[c])
        if fold != self._folded:
            self._folded = fold
            self._set_row_height(folded=fold)
        self.model.set_folded(fold)
        pref = target_w + sum(two.values()) + self.table.frameWidth() * 2 + 24
        if pref != self._preferred:
            self._preferred = pref
            self.wants_width.emit(pref)
        hdr.resizeSection(self.model.since_column, fm.horizontalAdvance("23h 59m ago") + 16)
        hdr.resizeSection(self.model.trend_column, 100)
        # The trend column moves with the number of vantages: its delegate moves with it.
        if self._trend_col != self.model.trend_column:
            if self._trend_col >= 0:
                self.table.setItemDelegateForColumn(self._trend_col, None)  # type: ignore[arg-type]
            self._trend_col = self.model.trend_column
            self.table.setItemDelegateForColumn(self._trend_col, self.sparkline)
        self.table.refresh_frozen()

    def preferred_width(self) -> int:
        """The width that shows the target, state and every vantage column (folded
        cells); 0 before there is a board."""
        return self._preferred

    def _set_row_height(self, *, folded: bool) -> None:
        fm = self.table.fontMetrics()
        h = fm.lineSpacing() * (2 if folded else 1) + 10
        self.table.verticalHeader().setDefaultSectionSize(h)
        self.table.verticalHeader().setMinimumSectionSize(h)
        self.table.refresh_frozen()

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        from PySide6.QtCore import QEvent
        from PySide6.QtGui import QKeyEvent

        if obj is self.table:
            if event.type() == QEvent.Type.Resize and self.config is not None:
                QTimer.singleShot(0, self._size_columns)
            elif (
                isinstance(event, QKeyEvent)
                and event.type() == QEvent.Type.KeyPress
                and event.key() == Qt.Key.Key_Escape
                and not self.detail_box.isHidden()
            ):
                self.close_detail()
                return True
        return super().eventFilter(obj, event)

    def close_detail(self) -> None:
        self.table.setCurrentIndex(QModelIndex())
        self.table.clearSelection()
        self.detail.show_series(None)
        self.detail_box.hide()

    def _update_empty(self) -> None:
        if self.config is None and self.file_problem.isHidden():
            self.status_label.setText("Probes: off (no workspace file)")
            self.status_label.setToolTip("Open one with File ▸ Open workspace file…")
        has = self.model.rowCount() > 0
        self.empty.setVisible(not has)
        self.table.setVisible(has or self.config is not None)
        self.probe_all_btn.setEnabled(self.engine is not None)
        self.probe_one_btn.setEnabled(self.engine is not None)
        # Always there (a control that comes and goes moves the others).
        remote = self.config is not None and bool(self.config.remote_vantages())
        self.world_btn.setEnabled(self.engine is not None and remote)
        self.world_btn.setToolTip(world_tip(remote))

    # -- workspace file and engine ---------------------------------------------

    def _workspace_file_changed(self, path: Path | None) -> None:
        if path is not None and (self.editor.path is None or Path(path) != self.editor.path):
            self.load_file(Path(path))
            self._update_empty()

    def _remembered_file(self) -> Path | None:
        store = self.ctx.store
        if store is None:
            return None
        try:
            value = store.meta_get(WORKSPACE_FILE_KEY)
        except Exception:
            log.exception("could not read the remembered workspace file")
            return None
        return Path(value) if value else None

    def _remember_file(self, path: Path) -> None:
        store = self.ctx.store
        if store is None or self._remembered_file() == Path(path):
            return
        try:
            store.meta_set(WORKSPACE_FILE_KEY, str(Path(path).absolute()))
        except Exception:
            log.exception("could not remember the workspace file")

    def load_file(self, path: Path) -> bool:
        """Open ``path`` in the editor and probe it. A bad file keeps the old config
        running and says what and where; with nothing running, it says so in red (here
        and in the status bar): probing never stops silently."""
        path = Path(path)
        if not path.is_file():
            self._file_trouble(
                f"Workspace file {path} is gone: nothing is being probed. Open it again "
                "where it moved (File ▸ Open workspace file…) or write one in the "
                "Workspace file tab, then Apply."
            )
            return False
        self.editor.open_file(path)
        try:
            cfg = workspace_file.load(path)
        except WorkspaceFileError as exc:
            if self.config is None:
                what = "nothing is being probed"
            else:
                what = "still probing the previous configuration"
            self._file_trouble(
                f"Workspace file not used: {exc}. {what[0].upper()}{what[1:]}. "
                "Fix it in the Workspace file tab.",
                red=self.config is None,
            )
            if exc.line:
                self.editor.go_to_line(exc.line)
            return False
        self.apply_config(cfg)
        self._remember_file(path)
        return True

    def _file_trouble(self, text: str, *, red: bool = True) -> None:
        self.file_problem.setText(text)
        self.file_problem.setStyleSheet(PROBLEM_RED if red else PROBLEM_YELLOW)
        self.file_problem.show()
        if red and self.config is None:
            self.status_label.setText("Probes: OFF (workspace file problem)")
            self.status_label.setToolTip(text)
            self.status_label.setStyleSheet(STATUS_RED)
            self.status_label.show()

    def apply_config(self, config: WorkspaceConfig) -> None:
        """Probe ``config`` from now on (start the engine, or reconfigure it)."""
        self.file_problem.hide()
        self.config = config
        if self.engine is None and self.engine_factory is not None:
            self.engine = self.engine_factory(
                config,
                on_update=self.bridge.on_update,
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

    def _world_selected(self) -> None:
        """ "Check from the world now": one remote round for the selected target."""
        idx = self.table.currentIndex()
        if not idx.isValid() or self.engine is None:
            self._message("Select a target first, then check it from the world.")
            return
        self.engine.probe_world_now(idx.data(TargetRole))
        self._message(f"Asking the remote probes about {idx.data(TargetRole)} now…")

    def stop(self) -> None:
        """Stop the engine (window closing); flushes what it still had."""
        engine, self.engine = self.engine, None
        if engine is not None:
            engine.stop()
            self.bridge.flush()  # the engine's last batch, so its changes are logged too
        self._tick.stop()
        self._resize_soon.stop()
        worker, self.link_worker = self.link_worker, None
        if worker is not None:
            worker.stop()  # before the window closes the store

    # -- batches from the engine (UI thread) ---------------------------------------

    def on_batch(self, b: Batch) -> None:
        if b.states:
            self.model.apply_states(b.states)
        if b.changes:
            # Notices and the link read the engine's states as the batch carries them
            # (every series of a target that changed comes with it), not the table.
            by_target: dict[str, list[SeriesState]] = {}
            for s in b.states:
                by_target.setdefault(s.target, []).append(s)
            broken = self.model.broken

            def down_now(target: str) -> set[str]:
                return {
                    s.vantage for s in by_target.get(target, ()) if effective(s, broken) == "down"
                }

            notices = notify.decide(b.changes, down_now)
            if notices:
                self.notifier.notify(notices)
            self._link(b, by_target, broken)
        if b.gate is not None:
            self.show_gate(b.gate)
        if b.states:
            self._update_counts()
            if not self._resize_soon.isActive():  # texts grew or shrank: refit, at most 1/s
                self._resize_soon.start()
            shown = self.detail.series
            if shown is not None:
                cur = self.model.series(shown.target, shown.vantage)
                if cur is not None and cur is not shown:
                    self.detail.refresh_live(cur)

    def _link(
        self, b: Batch, by_target: dict[str, list[SeriesState]], broken: frozenset[str]
    ) -> None:
        incident = getattr(self.ctx, "active_incident", None)
        if self.link is None or self.link_worker is None or incident is None:
            return
        if self.link.mode is LinkMode.OFF:
            return
        summaries = {
            t: target_summary(t, by_target.get(t, ()), broken=broken)
            for t in {c.target for c in b.changes}
        }
        self.link_worker.submit(incident, b.changes, summaries, self.link.mode)

    @Slot(object)
    def _link_done(self, res: LinkResult) -> None:
        if res.affected_added:
            self._message(f"Affected services now include {', '.join(res.affected_added)}")

    @Slot(str)
    def _link_failed(self, text: str) -> None:
        self.link_errors += 1
        self._message(text)

    def show_gate(self, gate: GateStatus | None) -> None:
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
        self.status_label.setText(f"Probes: {text}" if parts else "Probes: no targets")
        self.status_label.setToolTip("Targets by their worst vantage (the dashboard has more)")
        down = bool(c.get("down"))
        self.status_label.setStyleSheet(STATUS_RED if down else "")
        self.counts.setToolTip("Targets by their worst vantage")
        # The sentences of the worst targets, where nobody has to scroll or widen a column.
        bad = sorted(
            (r for r in self.model.rows() if r.worst in ("down", "degraded", "offline")),
            key=lambda r: r.sort_key,
        )
        self._update_headline(bad)

    def _update_headline(self, bad: list[Row] | None = None) -> None:
        """The sentences of the worst targets, with since when ("for 4 min"), and a
        vantage that fails for every target named as such."""
        if bad is None:
            bad = sorted(
                (r for r in self.model.rows() if r.worst in ("down", "degraded", "offline")),
                key=lambda r: r.sort_key,
            )
        now = timeutil.now()
        broken = self.model.broken
        lines = [
            target_summary(r.target, r.vantages.values(), now=now, broken=broken)
            for r in bad[:HEADLINE_ROWS]
        ]
        if len(bad) > HEADLINE_ROWS:
            lines.append(f"… and {len(bad) - HEADLINE_ROWS} more targets down or degraded")
        text = "\n".join(lines)
        if text != self.headline.text():
            self.headline.setText(text)
        self.headline.setVisible(bool(lines))
        vtext = "\n".join(broken_text(v) for v in sorted(broken))
        if vtext != self.vantage_banner.text():
            self.vantage_banner.setText(vtext)
        self.vantage_banner.setVisible(bool(broken))

    def _filter_changed(self, text: str) -> None:
        self.proxy.set_filter_words(text)
        self._update_counts()

    def _refresh_times(self) -> None:
        self.model.tick()
        self.table.viewport().update()
        if self.config is not None:
            self._size_columns()  # "· 59m" becomes "· 1h 00m"
        if self.headline.isVisible():
            self._update_headline()
        if self.detail.series is not None and self.detail.isVisible():
            self.detail.load_history()  # new samples reach the store about once a second

    # -- selection and detail -------------------------------------------------------

    def _current_changed(
        self, cur: QModelIndex | QPersistentModelIndex, _prev: QModelIndex | QPersistentModelIndex
    ) -> None:
        if not cur.isValid():
            self.detail.show_series(None)
            self.detail_box.hide()
            return
        if self.detail_box.isHidden():
            self.detail_box.show()
            total = max(1, self.split.height())
            self.split.setSizes([total * 3 // 5, total - total * 3 // 5])
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
