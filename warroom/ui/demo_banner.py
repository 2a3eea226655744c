"""The demo's guided first run: one unobtrusive line that says what is simulated, what
is happening now, and what to try (a menu whose items do it). Thin: the story itself
lives in ``warroom.demo``.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QAction, QResizeEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QMenu,
    QSizePolicy,
    QToolBar,
    QToolButton,
    QWidget,
)

from warroom.demo.script import Act
from warroom.demo.session import DemoSession
from warroom.ui.context import UiContext

SIMULATED = "Simulated on this machine; nothing leaves it."


class _ActRelay(QObject):
    """Carries act changes from the world's thread to the UI thread (queued)."""

    changed = Signal(object)


class _OneLine(QLabel):
    """Plain text on one line, shortened with … when narrow (whole in the tooltip), so
    the bar is one line high and never widens the window."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._full = ""
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self.setMinimumWidth(100)

    def set_full_text(self, text: str) -> None:
        self._full = text
        self.setToolTip(text)
        self._fit()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit()

    def _fit(self) -> None:
        width = max(0, self.contentsRect().width())
        self.setText(self.fontMetrics().elidedText(self._full, Qt.TextElideMode.ElideRight, width))


class DemoBanner(QToolBar):
    """Follows the session's acts; ``tries`` are (label, callback) pairs for the menu."""

    def __init__(
        self,
        session: DemoSession,
        tries: list[tuple[str, Callable[[], object]]],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__("Demo", parent)
        self.setObjectName("demo-banner")
        self.setMovable(False)
        self.setFloatable(False)
        box = QWidget(self)
        box.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        row = QHBoxLayout(box)
        row.setContentsMargins(6, 0, 6, 0)
        self.badge = QLabel("SIMULATED", box)
        self.badge.setObjectName("demo-badge")
        self.badge.setToolTip(SIMULATED)
        self.badge.setStyleSheet(
            "font-weight: bold; padding: 1px 6px; border: 1px solid palette(mid);"
        )
        self.now = _OneLine(box)
        self.now.setObjectName("demo-now")
        row.addWidget(self.badge)
        row.addWidget(self.now, 1)
        self.try_button = QToolButton(box)
        self.try_button.setObjectName("demo-try")
        self.try_button.setText("What to try")
        self.try_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        menu = QMenu(self.try_button)
        for label, callback in tries:
            action = QAction(label, menu)
            action.triggered.connect(lambda _=False, cb=callback: cb())
            menu.addAction(action)
        self.try_button.setMenu(menu)
        self.try_button.setEnabled(bool(tries))
        row.addWidget(self.try_button)
        hide = QToolButton(box)
        hide.setText("Hide")
        hide.setToolTip("Hide this bar (the demo goes on)")
        hide.clicked.connect(self.hide)
        row.addWidget(hide)
        self.addWidget(box)
        self._relay = _ActRelay(self)
        self._relay.changed.connect(self.show_act)
        self.show_act(session.world.act)
        session.world.on_act(self._relay.changed.emit)

    def show_act(self, act: Act) -> None:
        self.now.set_full_text(f"{SIMULATED}  Now: {act.caption}")


def tries(
    ctx: UiContext, window: QMainWindow | None = None
) -> list[tuple[str, Callable[[], object]]]:
    """The guided first run's suggestions, each done by the window's own action (looked up
    when chosen: the panes that own them are built after the banner)."""

    def trigger(key: str, hint: str) -> Callable[[], object]:
        def run() -> None:
            action = ctx.actions.get(key)
            if action is not None and action.isEnabled():
                action.trigger()
            ctx.show_message(hint, 15000)

        return run

    def show_feed() -> None:
        dock = getattr(window, "docks", {}).get("feed")
        if dock is not None:
            dock.show()
            dock.raise_()  # a tab behind the timeline at 1280 px: bring it to the front
        ctx.show_message("Choose a post in the Social feed, then Pin to timeline.", 15000)

    return [
        (
            "Log a decision",
            trigger(
                "timeline_focus_capture",
                "Type /decision and what was decided, then Enter: it is logged at once.",
            ),
        ),
        ("Pin a customer post to the timeline", show_feed),
        (
            "Publish a status update",
            trigger(
                "compose",
                "Write the update; the honesty check compares it with what the probes see.",
            ),
        ),
        (
            "Hand over to the next shift",
            trigger("handover", "The brief for the next shift: read it, then hand over."),
        ),
    ]


def install(
    window: QMainWindow,
    session: DemoSession,
    tries: list[tuple[str, Callable[[], object]]] | None = None,
) -> DemoBanner:
    banner = DemoBanner(session, tries or [], window)
    window.addToolBar(Qt.ToolBarArea.TopToolBarArea, banner)
    return banner
