"""SVG icons, rendered at the exact size asked for, so they are crisp at any scale.

Monochrome icons are drawn with ``currentColor`` and tinted at paint time with the
palette's text colour (or its disabled colour), so they follow light/dark switches
without reloading. State icons (up/down/degraded/pending) keep their own colours.
"""

from __future__ import annotations

import functools
from pathlib import Path

from PySide6.QtCore import QByteArray, QRect, QRectF, QSize, Qt
from PySide6.QtGui import QGuiApplication, QIcon, QIconEngine, QPainter, QPalette, QPixmap
from PySide6.QtSvg import QSvgRenderer

from warroom.base.paths import resource_path

ICON_DIR = ("icons",)

# Entry kinds of the timeline (CONTRACT.md) -> icon names; panes use ``kind_icon``.
KIND_ICONS = {
    "observation": "observation",
    "action": "action",
    "decision": "decision",
    "comms": "comms",
    "note": "note",
    "status": "status",
    "probe": "probe",
    "social": "social",
    "handover": "handover",
}
STATE_ICONS = ("up", "down", "degraded", "pending")


def icon_path(name: str) -> Path:
    return resource_path(*ICON_DIR, f"{name}.svg")


@functools.cache
def svg_source(name: str) -> bytes:
    """The SVG text; a missing icon is a bug in the package, so it raises."""
    path = icon_path(name)
    try:
        return path.read_bytes()
    except OSError as exc:
        raise FileNotFoundError(f"icon {name!r} not found at {path}") from exc


def _tint_colour(mode: QIcon.Mode) -> str:
    pal = QGuiApplication.palette()
    group = (
        QPalette.ColorGroup.Disabled if mode == QIcon.Mode.Disabled else QPalette.ColorGroup.Active
    )
    role = (
        QPalette.ColorRole.HighlightedText
        if mode == QIcon.Mode.Selected
        else QPalette.ColorRole.WindowText
    )
    return str(pal.color(group, role).name())


class SvgIconEngine(QIconEngine):
    """Renders one SVG on demand at whatever device-pixel size a widget needs."""

    def __init__(self, name: str) -> None:
        super().__init__()
        self._name = name
        self._source = svg_source(name)
        self._tinted = b"currentColor" in self._source
        self._renderers: dict[str, QSvgRenderer] = {}
        self._cache: dict[tuple[int, int, int, str], QPixmap] = {}

    def _renderer(self, mode: QIcon.Mode) -> tuple[QSvgRenderer, str]:
        colour = _tint_colour(mode) if self._tinted else ""
        r = self._renderers.get(colour)
        if r is None:
            data = (
                self._source.replace(b"currentColor", colour.encode()) if colour else self._source
            )
            r = QSvgRenderer(QByteArray(data))
            r.setAspectRatioMode(Qt.AspectRatioMode.KeepAspectRatio)
            self._renderers[colour] = r
        return r, colour

    def paint(self, painter: QPainter, rect: QRect, mode: QIcon.Mode, state: QIcon.State) -> None:
        renderer, _ = self._renderer(mode)
        painter.save()
        if mode == QIcon.Mode.Disabled and not self._tinted:
            painter.setOpacity(0.4)
        renderer.render(painter, QRectF(rect))
        painter.restore()

    def pixmap(self, size: QSize, mode: QIcon.Mode, state: QIcon.State) -> QPixmap:
        return self.scaledPixmap(size, mode, state, 1.0)

    def scaledPixmap(
        self, size: QSize, mode: QIcon.Mode, state: QIcon.State, scale: float
    ) -> QPixmap:
        w = max(1, round(size.width() * scale))
        h = max(1, round(size.height() * scale))
        _, colour = self._renderer(mode)
        key = (w, h, int(mode.value), colour)
        pm = self._cache.get(key)
        if pm is None:
            pm = QPixmap(w, h)
            pm.fill(Qt.GlobalColor.transparent)
            p = QPainter(pm)
            p.setRenderHint(QPainter.RenderHint.Antialiasing)
            self.paint(p, QRect(0, 0, w, h), mode, state)
            p.end()
            if len(self._cache) > 64:
                self._cache.clear()
            self._cache[key] = pm
        out = QPixmap(pm)
        out.setDevicePixelRatio(scale)
        return out

    def actualSize(self, size: QSize, mode: QIcon.Mode, state: QIcon.State) -> QSize:
        return size

    def clone(self) -> QIconEngine:
        engine = SvgIconEngine(self._name)
        _KEEP.append(engine)  # PySide: keep the Python side of engines alive
        return engine

    def key(self) -> str:
        return "warroom-svg"

    def iconName(self) -> str:
        return self._name

    def isNull(self) -> bool:
        return False


_KEEP: list[SvgIconEngine] = []
_ICONS: dict[str, QIcon] = {}


def icon(name: str) -> QIcon:
    """The named icon from ``resources/icons/NAME.svg`` (cached per process)."""
    ic = _ICONS.get(name)
    if ic is None:
        engine = SvgIconEngine(name)
        _KEEP.append(engine)
        ic = QIcon(engine)
        _ICONS[name] = ic
    return ic


def kind_icon(kind: str) -> QIcon:
    """The icon of a timeline entry kind (a note for kinds we do not know yet)."""
    return icon(KIND_ICONS.get(kind, "note"))


def state_icon(state: str) -> QIcon:
    """up / down / degraded / pending (anything else: pending)."""
    return icon(state if state in STATE_ICONS else "pending")


def available() -> list[str]:
    return sorted(p.stem for p in resource_path(*ICON_DIR).glob("*.svg"))
