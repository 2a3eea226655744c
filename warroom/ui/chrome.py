"""The window's chrome: the ticking clocks, elided labels with an icon, and the
dock title bars. Small widgets that know nothing of panes or of the store."""

from __future__ import annotations

from datetime import UTC, datetime

from PySide6.QtCore import QSize, Qt, QTimer
from PySide6.QtGui import QFontDatabase, QIcon, QPainter, QPaintEvent
from PySide6.QtWidgets import QDockWidget, QHBoxLayout, QLabel, QToolButton, QWidget

from warroom.ui import icons


class ClockLabel(QLabel):
    """Local time and UTC side by side, ticking on the second."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("clock")
        font = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        font.setPointSizeF(self.font().pointSizeF())
        font.setBold(True)
        self.setFont(font)
        self.setContentsMargins(8, 0, 4, 0)
        self._timer = QTimer(self)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.timeout.connect(self._tick)
        self.refresh()
        self._tick()

    def _tick(self) -> None:
        now = datetime.now(UTC)
        self.refresh(now)
        # Re-aim at the next second boundary so the display never lags by ~1 s.
        self._timer.start(1000 - now.microsecond // 1000 + 5)

    def refresh(self, now: datetime | None = None) -> None:
        now_utc = (now or datetime.now(UTC)).astimezone(UTC)
        local = now_utc.astimezone()
        zone = local.tzname() or local.strftime("UTC%z")
        text = f"{local:%a %d %b %H:%M:%S} {zone}  │  "
        if local.date() != now_utc.date():
            text += f"{now_utc:%a %d %b }"
        text += f"{now_utc:%H:%M:%S} UTC"
        self.setText(text)
        offset = local.strftime("%z")
        self.setToolTip(
            f"Local: {local:%A %Y-%m-%d %H:%M:%S} {zone} (UTC{offset[:3]}:{offset[3:]})\n"
            f"UTC:   {now_utc:%Y-%m-%dT%H:%M:%S}Z"
        )


class ElidedLabel(QLabel):
    """A label that shortens its text in the middle ("/home/…/warroom") when narrow."""

    def paintEvent(self, event: QPaintEvent) -> None:
        p = QPainter(self)
        rect = self.contentsRect()
        text = self.fontMetrics().elidedText(
            self.text(), Qt.TextElideMode.ElideMiddle, rect.width()
        )
        p.setPen(self.palette().color(self.foregroundRole()))
        p.drawText(rect, int(Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft), text)
        p.end()


class IconLabel(QWidget):
    """An icon and a text, for the status bar."""

    def __init__(
        self, icon_name: str, parent: QWidget | None = None, *, elide: bool = False
    ) -> None:
        super().__init__(parent)
        lay = QHBoxLayout(self)
        lay.setContentsMargins(6, 1, 8, 1)
        lay.setSpacing(5)
        self.icon = QLabel()
        self.icon_name = icon_name
        self.icon_mode = QIcon.Mode.Normal
        self.label = ElidedLabel() if elide else QLabel()
        lay.addWidget(self.icon)
        if elide:
            lay.addWidget(self.label, 1)  # all the room there is, shortened beyond that
        else:
            lay.addWidget(self.label)
            lay.addStretch(1)
        self.set_icon(icon_name)

    def set_icon(self, name: str, mode: QIcon.Mode = QIcon.Mode.Normal) -> None:
        self.icon_name = name
        self.icon_mode = mode
        self.icon.setPixmap(icons.icon(name).pixmap(QSize(16, 16), self.devicePixelRatioF(), mode))

    def text(self) -> str:
        return self.label.text()


class DockTitle(QWidget):
    """A pane's title bar: icon, bold title, float and close buttons (big enough to hit)."""

    def __init__(self, dock: QDockWidget, icon_name: str) -> None:
        super().__init__(dock)
        self.setObjectName("dock-title")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.dock = dock
        self.icon_name = icon_name
        lay = QHBoxLayout(self)
        lay.setContentsMargins(8, 4, 4, 4)
        lay.setSpacing(6)
        self.icon = QLabel()
        self.text = QLabel(dock.windowTitle())
        self.text.setObjectName("dock-title-text")
        lay.addWidget(self.icon)
        lay.addWidget(self.text)
        lay.addStretch(1)
        self.float_button = self._button("float", "Float or dock this pane", self._toggle_float)
        self.close_button = self._button(
            "close", "Close this pane (View menu brings it back)", dock.close
        )
        lay.addWidget(self.float_button)
        lay.addWidget(self.close_button)
        self.refresh_icons()
        dock.windowTitleChanged.connect(self.text.setText)

    def _button(self, icon_name: str, tip: str, slot: object) -> QToolButton:
        b = QToolButton(self)
        b.setObjectName(f"dock-{icon_name}")
        b.setIcon(icons.icon(icon_name))
        b.setIconSize(QSize(14, 14))
        b.setToolTip(tip)
        b.setAutoRaise(True)
        b.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        b.clicked.connect(slot)
        return b

    def _toggle_float(self) -> None:
        self.dock.setFloating(not self.dock.isFloating())

    def refresh_icons(self) -> None:
        self.icon.setPixmap(
            icons.icon(self.icon_name).pixmap(QSize(18, 18), self.devicePixelRatioF())
        )
