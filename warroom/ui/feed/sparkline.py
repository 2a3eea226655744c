"""Posts per minute over the last hour as bars, with the current rate in words."""

from __future__ import annotations

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QPalette
from PySide6.QtWidgets import QSizePolicy, QWidget


class Sparkline(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.values: list[int] = []
        self.spike = False
        self.setMinimumSize(40, 22)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setAccessibleName("posts per minute, last hour")

    def sizeHint(self) -> QSize:
        return QSize(180, 26)

    def set_values(self, values: list[int], *, spike: bool = False) -> None:
        self.values, self.spike = list(values), spike
        peak = max(values, default=0)
        self.setToolTip(
            f"Posts per minute over the last {len(values)} minutes (by the posts' own time)\n"
            f"now: {values[-1] if values else 0}/min, peak: {peak}/min"
        )
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        p = QPainter(self)
        r = QRectF(self.rect()).adjusted(1, 2, -1, -2)
        pal = self.palette()
        p.setPen(pal.color(QPalette.ColorRole.Mid))
        p.drawLine(r.bottomLeft(), r.bottomRight())
        vals = self.values
        if not vals:
            return
        top = max(max(vals), 1)
        w = r.width() / len(vals)
        normal = pal.color(QPalette.ColorRole.Highlight)
        hot = QColor("#d32f2f")
        p.setPen(Qt.PenStyle.NoPen)
        for i, v in enumerate(vals):
            if not v:
                continue
            h = max(2.0, r.height() * (v / top) ** 0.5)  # sqrt: 1/min stays visible beside 30
            last = i >= len(vals) - 2
            p.setBrush(hot if self.spike and last else normal)
            p.drawRect(QRectF(r.left() + i * w, r.bottom() - h, max(1.0, w - 1), h))
