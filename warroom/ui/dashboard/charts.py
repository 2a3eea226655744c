"""Small QPainter charts: the sparkline per row and the latency chart of the detail view.

QPainter rather than pyqtgraph: two simple line charts do not justify a dependency that
pulls in numpy and a second event-handling model, and painting 60 points is cheap.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPainterPath, QPalette, QPen, QPixmap
from PySide6.QtWidgets import (
    QSizePolicy,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QWidget,
)

from warroom.ui.dashboard.cells import fmt_latency
from warroom.ui.dashboard.model import LatenciesRole

FAIL_COLOUR = QColor("#c62828")
# Distinct, not colour-only meaning: the tooltip and the cells name each vantage.
_SELECTED = QStyle.StateFlag.State_Selected.value
CHART_PAD = 2  # room around a cached sparkline for its pens' width
LINE_COLOURS = [QColor(c) for c in ("#1565c0", "#6a1b9a", "#00838f", "#ef6c00", "#4e342e")]


class CellDelegate(QStyledItemDelegate):
    """Keeps a cell's state colour when selected and marks the selection with a frame:
    a selected DOWN cell must still look down."""

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        # Plain int test: a Python enum "&" per painted cell was a tenth of a repaint.
        selected = option.state.value & _SELECTED
        if selected and index.data(Qt.ItemDataRole.BackgroundRole) is not None:
            opt = QStyleOptionViewItem(option)
            opt.state &= ~QStyle.StateFlag.State_Selected
            super().paint(painter, opt, index)
            painter.save()
            pen = QPen(option.palette.color(QPalette.ColorRole.Highlight), 3)
            painter.setPen(pen)
            painter.drawRect(QRectF(option.rect).adjusted(1.5, 1.5, -1.5, -1.5))
            painter.restore()
            return
        super().paint(painter, option, index)


class SparklineDelegate(QStyledItemDelegate):
    """Recent latencies of a row, one thin line per vantage; failed checks as red ticks
    along the bottom. Scaled per row (the trend matters here, the numbers are in the cells).

    Each chart is drawn once into a pixmap kept per (size, latencies): a repaint of the
    board copies the pixmaps of the rows that did not change (antialiased paths were a
    third of a repaint)."""

    CACHE_MAX = 4096  # charts kept; more rows than any screen shows

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._cache: dict[tuple[Any, ...], QPixmap] = {}

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        style = option.widget.style() if option.widget else None
        if style is not None:
            style.drawPrimitive(
                QStyle.PrimitiveElement.PE_PanelItemViewItem, option, painter, option.widget
            )
        series: dict[str, Sequence[float | None]] = index.data(LatenciesRole) or {}
        rect = QRectF(option.rect).adjusted(4, 4, -4, -4)
        if rect.width() < 10 or rect.height() < 6 or not any(series.values()):
            return  # nothing to draw (no samples yet)
        dpr = painter.device().devicePixelRatioF() if painter.device() is not None else 1.0
        key = (rect.width(), rect.height(), dpr, tuple(series.values()))
        pm = self._cache.get(key)
        if pm is None:
            if len(self._cache) >= self.CACHE_MAX:
                self._cache.clear()
            pm = self._cache[key] = chart_pixmap(rect.width(), rect.height(), dpr, series)
        painter.drawPixmap(rect.topLeft() - QPointF(CHART_PAD, CHART_PAD), pm)

    def sizeHint(
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> QSize:
        return QSize(90, 20)


def chart_pixmap(
    width: float, height: float, dpr: float, series: dict[str, Sequence[float | None]]
) -> QPixmap:
    """The sparkline of one row for a ``width`` x ``height`` area, on a transparent
    pixmap ``CHART_PAD`` larger on each side (pens at the edges are not cut)."""
    full_w, full_h = width + 2 * CHART_PAD, height + 2 * CHART_PAD
    pm = QPixmap(max(1, round(full_w * dpr)), max(1, round(full_h * dpr)))
    pm.setDevicePixelRatio(dpr)
    pm.fill(Qt.GlobalColor.transparent)
    values = [v for s in series.values() for v in s if v is not None]
    top = max(max(values) if values else 1.0, 1.0)
    painter = QPainter(pm)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.translate(CHART_PAD, CHART_PAD)
    base = height
    usable = height - 3  # room for the failure ticks
    for i, lats in enumerate(series.values()):
        n = len(lats)
        if n == 0:
            continue
        step = width / max(1, n - 1) if n > 1 else 0.0
        path = QPainterPath()
        pen_down = False
        fails = []
        for k, v in enumerate(lats):
            x = k * step
            if v is None:
                fails.append(x)
                pen_down = False
                continue
            y = base - 3 - usable * (v / top)
            if pen_down:
                path.lineTo(x, y)
            else:
                path.moveTo(x, y)
                pen_down = True
        painter.setPen(QPen(LINE_COLOURS[i % len(LINE_COLOURS)], 1.4))
        painter.drawPath(path)
        if fails:
            painter.setPen(QPen(FAIL_COLOUR, 2))
            for x in fails:
                painter.drawLine(QPointF(x, base), QPointF(x, base - 3))
    painter.end()
    return pm


@dataclass(frozen=True)
class Point:
    time: datetime | None
    latency_ms: float | None  # None: the check failed
    status: str = "up"


class LatencyChart(QWidget):
    """Latency over time of one (target, vantage): a line, failures as red bars, the
    degraded threshold dashed; times on the axis in local time (UTC in the tooltip)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.points: list[Point] = []
        self.threshold_ms: float | None = None
        self.caption = ""
        self.setMinimumHeight(120)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def set_points(
        self, points: list[Point], threshold_ms: float | None = None, caption: str = ""
    ) -> None:
        self.points = points
        self.threshold_ms = threshold_ms
        self.caption = caption
        ok = [p.latency_ms for p in points if p.latency_ms is not None]
        fails = sum(1 for p in points if p.latency_ms is None)
        if ok:
            self.setToolTip(
                f"{len(points)} checks: {fmt_latency(min(ok))} – {fmt_latency(max(ok))}, "
                f"{fails} failed"
            )
        else:
            self.setToolTip(f"{len(points)} checks, {fails} failed")
        self.update()

    def paintEvent(self, event: object) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        pal = self.palette()
        text = pal.color(QPalette.ColorRole.WindowText)
        grid = QColor(text)
        grid.setAlpha(50)
        p.fillRect(self.rect(), pal.color(QPalette.ColorRole.Base))
        fm = p.fontMetrics()
        left = fm.horizontalAdvance("9999 ms") + 10
        top_y = 2 * fm.height() + 2
        area = QRectF(
            left, top_y, self.width() - left - 12, self.height() - top_y - fm.height() - 8
        )
        p.setPen(text)
        p.drawText(
            QRectF(4, 2, self.width() - 8, fm.height()), Qt.AlignmentFlag.AlignLeft, self.caption
        )
        if not self.points or area.width() < 20 or area.height() < 20:
            p.drawText(area, Qt.AlignmentFlag.AlignCenter, "no samples yet")
            p.end()
            return
        ok = [pt.latency_ms for pt in self.points if pt.latency_ms is not None]
        top = max([*ok, self.threshold_ms or 0.0, 1.0]) * 1.1
        # Axes and labels.
        p.setPen(QPen(grid, 1))
        for frac in (0.0, 0.5, 1.0):
            y = area.bottom() - area.height() * frac
            p.drawLine(QPointF(area.left(), y), QPointF(area.right(), y))
            p.setPen(text)
            p.drawText(
                QRectF(0, y - fm.height() / 2, left - 4, fm.height()),
                Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                fmt_latency(top * frac) or "0",
            )
            p.setPen(QPen(grid, 1))
        times = [pt.time for pt in self.points if pt.time is not None]
        t0 = min(times) if times else None
        t1 = max(times) if times else None
        span = (t1 - t0).total_seconds() if t0 and t1 and t1 > t0 else 0.0
        n = len(self.points)

        def x_of(k: int, pt: Point) -> float:
            if span and pt.time is not None and t0 is not None:
                return area.left() + area.width() * (pt.time - t0).total_seconds() / span
            return area.left() + (area.width() * k / max(1, n - 1) if n > 1 else area.width() / 2)

        if t0 is not None and t1 is not None:
            p.setPen(text)
            y = area.bottom() + 4
            lt0, lt1 = t0.astimezone(), t1.astimezone()
            p.drawText(
                QRectF(area.left(), y, 200, fm.height()),
                Qt.AlignmentFlag.AlignLeft,
                f"{lt0:%H:%M:%S}",
            )
            p.drawText(
                QRectF(area.right() - 200, y, 200, fm.height()),
                Qt.AlignmentFlag.AlignRight,
                f"{lt1:%H:%M:%S} {lt1:%Z}",
            )
        if self.threshold_ms:
            y = area.bottom() - area.height() * (self.threshold_ms / top)
            pen = QPen(QColor("#f9a825"), 1.2, Qt.PenStyle.DashLine)
            p.setPen(pen)
            p.drawLine(QPointF(area.left(), y), QPointF(area.right(), y))
        path = QPainterPath()
        down = False
        for k, pt in enumerate(self.points):
            x = x_of(k, pt)
            if pt.latency_ms is None:
                p.fillRect(QRectF(x - 1.5, area.top(), 3, area.height()), QColor(198, 40, 40, 90))
                down = False
                continue
            y = area.bottom() - area.height() * (pt.latency_ms / top)
            if down:
                path.lineTo(x, y)
            else:
                path.moveTo(x, y)
                down = True
        p.setPen(QPen(LINE_COLOURS[0], 1.8))
        p.drawPath(path)
        p.end()
