"""A pane that is not built yet says what it will hold, so nobody mistakes it for broken."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import QLabel, QSizePolicy, QVBoxLayout, QWidget

from warroom.ui import icons


class PlaceholderPane(QWidget):
    def __init__(
        self, title: str, icon_name: str, what: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName(f"placeholder-{icon_name}")
        lay = QVBoxLayout(self)
        lay.setContentsMargins(24, 24, 24, 24)
        lay.addStretch(1)
        pic = QLabel()
        pic.setPixmap(icons.icon(icon_name).pixmap(QSize(48, 48), self.devicePixelRatioF()))
        pic.setAlignment(Qt.AlignmentFlag.AlignCenter)
        head = QLabel(title)
        head.setAlignment(Qt.AlignmentFlag.AlignCenter)
        f = head.font()
        f.setPointSizeF(f.pointSizeF() * 1.3)
        f.setBold(True)
        head.setFont(f)
        body = QLabel(what)
        body.setObjectName("placeholder-text")
        body.setWordWrap(True)
        body.setAlignment(Qt.AlignmentFlag.AlignCenter)
        body.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        note = QLabel("Not built yet: this pane is a placeholder.")
        note.setAlignment(Qt.AlignmentFlag.AlignCenter)
        note.setEnabled(False)
        for w in (pic, head, body, note):
            # Narrow docks must stay possible: let the texts wrap or clip, not push.
            w.setMinimumWidth(40)
            w.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
            lay.addWidget(w)
        head.setWordWrap(True)
        note.setWordWrap(True)
        lay.addStretch(2)
        self.text = what
