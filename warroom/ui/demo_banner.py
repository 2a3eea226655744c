"""The demo's guided first run: one unobtrusive bar that says what is simulated, what
is happening now and what to try. Thin: the story itself lives in ``warroom.demo``.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QMainWindow, QToolBar, QToolButton, QWidget

from warroom.demo.script import Act
from warroom.demo.session import DemoSession

TRY = (
    "Try: pin a customer post to the timeline · log a decision (/decision …) · "
    "publish an update · File ▸ Hand over…"
)


class _ActRelay(QObject):
    """Carries act changes from the world's thread to the UI thread (queued)."""

    changed = Signal(object)


class DemoBanner(QToolBar):
    """Signals: none; it follows the session's acts."""

    def __init__(self, session: DemoSession, parent: QWidget | None = None) -> None:
        super().__init__("Demo", parent)
        self.setObjectName("demo-banner")
        self.setMovable(False)
        self.setFloatable(False)
        box = QWidget(self)
        row = QHBoxLayout(box)
        row.setContentsMargins(8, 2, 8, 2)
        self.badge = QLabel("SIMULATED", box)
        self.badge.setObjectName("demo-badge")
        self.badge.setStyleSheet(
            "font-weight: bold; padding: 1px 6px; border: 1px solid palette(mid);"
        )
        self.now = QLabel(box)
        self.now.setObjectName("demo-now")
        self.now.setWordWrap(True)
        self.hint = QLabel(TRY, box)
        self.hint.setObjectName("demo-try")
        self.hint.setWordWrap(True)
        self.hint.setEnabled(False)
        row.addWidget(self.badge, 0, Qt.AlignmentFlag.AlignTop)
        row.addWidget(self.now, 3)
        row.addWidget(self.hint, 2)
        close = QToolButton(box)
        close.setText("Hide")
        close.setToolTip("Hide this bar (the demo goes on)")
        close.clicked.connect(self.hide)
        row.addWidget(close, 0, Qt.AlignmentFlag.AlignTop)
        self.addWidget(box)
        self._relay = _ActRelay(self)
        self._relay.changed.connect(self._show_act)
        self._show_act(session.world.act)
        session.world.on_act(self._relay.changed.emit)

    def _show_act(self, act: Act) -> None:
        self.now.setText(
            "Everything here is simulated on this machine; nothing leaves it. "
            f"<b>Now:</b> {act.caption}"
        )


def install(window: QMainWindow, session: DemoSession) -> DemoBanner:
    banner = DemoBanner(session, window)
    window.addToolBar(Qt.ToolBarArea.TopToolBarArea, banner)
    return banner
