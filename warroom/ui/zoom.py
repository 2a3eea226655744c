"""Zoom for a wall display: Ctrl+= / Ctrl+- / Ctrl+0 scale the window's font.

The factor is remembered in the settings and applied at the next start. Panes that
cache fonts or measured sizes listen for ``QEvent.FontChange`` / ``ApplicationFontChange``.
"""

from __future__ import annotations

from PySide6.QtCore import QSettings
from PySide6.QtGui import QAction, QFont, QKeySequence
from PySide6.QtWidgets import QApplication, QMenu, QWidget

from warroom.ui import settings

ZOOM_KEY = settings.WINDOW_ZOOM.key
STEPS = (0.8, 0.9, 1.0, 1.1, 1.25, 1.4, 1.6, 1.8, 2.0, 2.5, 3.0)
DEFAULT = 1.0


def _base_font(app: QApplication) -> QFont:
    """The font before any zoom (kept on the application object, set once)."""
    base = app.property("warroom-base-font")
    if isinstance(base, QFont):
        return base
    font = QFont(app.font())
    app.setProperty("warroom-base-font", font)
    return font


def saved_zoom(qs: QSettings) -> float:
    return min(STEPS[-1], max(STEPS[0], settings.WINDOW_ZOOM.get(qs)))


def apply_zoom(factor: float) -> None:
    """Scale the application font by ``factor`` of the unzoomed font."""
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        return
    base = _base_font(app)
    font = QFont(base)
    if base.pointSizeF() > 0:
        font.setPointSizeF(base.pointSizeF() * factor)
    else:
        font.setPixelSize(max(6, round(base.pixelSize() * factor)))
    app.setFont(font)
    # Widgets polished under a style sheet keep the font they were polished with:
    # re-applying the sheet makes every one of them take the new size.
    sheet = app.styleSheet()
    if sheet:
        app.setStyleSheet(sheet)


class Zoom:
    """The three zoom actions and the remembered factor of one window."""

    def __init__(self, window: QWidget, qs: QSettings) -> None:
        self.settings = qs
        self.factor = saved_zoom(qs)
        self.actions: dict[str, QAction] = {}
        for key, text, keys, fn in (
            ("zoom_in", "Zoom &in", ("Ctrl+=", "Ctrl++"), self.zoom_in),
            ("zoom_out", "Zoom &out", ("Ctrl+-",), self.zoom_out),
            ("zoom_reset", "&Actual size", ("Ctrl+0",), self.reset),
        ):
            act = QAction(text, window)
            act.setObjectName(f"action-{key}")
            act.setShortcuts([QKeySequence(k) for k in keys])
            act.triggered.connect(lambda _c=False, f=fn: f())
            window.addAction(act)
            self.actions[key] = act
        if self.factor != DEFAULT:
            apply_zoom(self.factor)

    def add_to(self, menu: QMenu) -> None:
        sub = menu.addMenu("&Zoom")
        sub.setObjectName("menu-zoom")
        sub.addActions(list(self.actions.values()))

    def set(self, factor: float) -> None:
        self.factor = min(STEPS[-1], max(STEPS[0], factor))
        apply_zoom(self.factor)
        settings.WINDOW_ZOOM.set(self.settings, float(self.factor))

    def zoom_in(self) -> None:
        self.set(next((s for s in STEPS if s > self.factor + 1e-6), STEPS[-1]))

    def zoom_out(self) -> None:
        self.set(next((s for s in reversed(STEPS) if s < self.factor - 1e-6), STEPS[0]))

    def reset(self) -> None:
        self.set(DEFAULT)


__all__ = ["ZOOM_KEY", "Zoom", "apply_zoom", "saved_zoom"]
