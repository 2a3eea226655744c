"""What every pane receives: the workspace, the settings, the active incident, the
status bar and a way to run periodic work. Panes talk to each other only through this.

Signals:
    active_incident_changed(object): the new active incident id, or None.
    workspace_file_changed(object): the workspace TOML file (``Path``) or None.
    closing(): the window is about to close; stop work, flush state.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QSettings, Qt, QTimer, Signal
from PySide6.QtWidgets import QStatusBar, QWidget

if TYPE_CHECKING:
    from PySide6.QtGui import QAction

    from warroom.probes.state import SeriesState
    from warroom.store import Store

log = logging.getLogger(__name__)


class UiContext(QObject):
    """Shared state of one main window (one workspace)."""

    active_incident_changed = Signal(object)
    workspace_file_changed = Signal(object)
    closing = Signal()

    def __init__(
        self,
        *,
        store: Store | None,
        data_dir: Path,
        settings: QSettings,
        workspace_file: Path | None = None,
        log_path: Path | None = None,
        demo: bool = False,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.store = store
        self.data_dir = Path(data_dir)
        self.settings = settings
        self.workspace_file = Path(workspace_file) if workspace_file else None
        self.log_path = log_path
        self.demo = demo
        self.active_incident: str | None = None
        self.active_incident_title: str | None = None
        # Set by the main window: its status bar and its menu actions by stable id
        # ("open", "save", "find", "undo", "redo", "preferences", "export", "import",
        # "handover", "quit", "about", "help", "reset_layout", "fullscreen").
        self.status_bar: QStatusBar | None = None
        self.actions: dict[str, QAction] = {}
        # Set by the dashboard: what the probes know now, as the engine sent it (for
        # other panes and the demo's checks); None until a dashboard exists.
        self.probe_states: Callable[[], list[SeriesState]] | None = None
        self._timers: list[QTimer] = []
        self._on_close: list[Callable[[], object]] = []

    # -- the active incident ---------------------------------------------

    def set_active_incident(self, incident_id: str | None, title: str | None = None) -> None:
        """Make ``incident_id`` the one the window works on; None clears it."""
        changed = incident_id != self.active_incident or title != self.active_incident_title
        self.active_incident = incident_id
        self.active_incident_title = (title or incident_id) if incident_id else None
        if changed:
            log.info("active incident: %s", incident_id or "none")
            self.active_incident_changed.emit(incident_id)

    def set_workspace_file(self, path: Path | None) -> None:
        self.workspace_file = Path(path) if path else None
        self.workspace_file_changed.emit(self.workspace_file)

    # -- the status bar --------------------------------------------------

    def show_message(self, text: str, timeout_ms: int = 5000) -> None:
        """A transient message on the left of the status bar."""
        bar = self.status_bar
        if bar is None:
            return
        if bar.isVisible():
            bar.showMessage(text, timeout_ms)
        else:
            # Before the window is shown the bar cannot hide its normal widgets for the
            # message, and the two would overlap: show it once the window is up.
            QTimer.singleShot(0, lambda: bar.showMessage(text, timeout_ms))

    def add_status_widget(
        self, widget: QWidget, *, permanent: bool = True, stretch: int = 0
    ) -> None:
        """Add a pane's own indicator (e.g. "probes: 3 down") to the status bar."""
        if self.status_bar is None:
            raise RuntimeError("the status bar is not built yet")
        if permanent:
            # insertPermanentWidget(0, ...) warns once ordinary widgets exist: append.
            self.status_bar.addPermanentWidget(widget, stretch)
        else:
            self.status_bar.addWidget(widget, stretch)

    # -- periodic work and shutdown --------------------------------------

    def every(self, seconds: float, callback: Callable[[], object], *, name: str = "") -> QTimer:
        """Call ``callback`` on the UI thread every ``seconds`` until the window closes.

        Keep it short (no network or disk waits): start real work in a worker. A
        callback that raises is stopped after the first failure (and reported once).
        """
        timer = QTimer(self)
        timer.setObjectName(name or getattr(callback, "__name__", "task"))
        timer.setInterval(max(1, int(seconds * 1000)))
        timer.setTimerType(Qt.TimerType.PreciseTimer if seconds < 2 else Qt.TimerType.CoarseTimer)

        def tick() -> None:
            try:
                callback()
            except BaseException:
                timer.stop()
                log.error("periodic task %r failed; stopped", timer.objectName())
                raise

        timer.timeout.connect(tick)
        timer.start()
        self._timers.append(timer)
        return timer

    def on_close(self, callback: Callable[[], object]) -> None:
        """Run ``callback`` when the window closes (before the store is closed)."""
        self._on_close.append(callback)

    def shutdown(self) -> None:
        """Stop timers and run close callbacks, newest first. Called once by the window."""
        for t in self._timers:
            t.stop()
        self.closing.emit()
        while self._on_close:
            cb = self._on_close.pop()
            try:
                cb()
            except Exception:
                log.exception("close callback %r failed", cb)
