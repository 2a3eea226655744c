"""The capture line: type, press Enter, and the entry is in the record.

It keeps focus after Enter so a commander can log line after line without the mouse;
a refused line stays in the box with the reason next to it, so no word is lost.

Signals (CaptureBar):
    submitted(str): the text, when Enter was pressed on a non-empty line.
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QFocusEvent, QKeyEvent, QTextOption
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

PLACEHOLDER = "What happened? Enter logs it (Ctrl+L) · /decision · TODO: · #tag · -5m"
HELP = (
    "Type what happened and press Enter: it is logged with the current time.\n"
    "Prefixes: /decision /action /comms /obs /note set the kind; TODO: also makes an "
    "action item; #tag tags it.\n"
    "A leading 10:42 (local time today) or -5m / -2h backdates it.\n"
    "Shift+Enter starts a new line. The line keeps focus, so type the next one at once."
)
WARN_COLOUR = "#b86e00"
ERROR_COLOUR = "#d63a3a"
MAX_LINES = 6


class CaptureEdit(QPlainTextEdit):
    """One line that grows to a few: Enter submits, Shift+Enter adds a line break.

    A plain-text editor rather than a QLineEdit, so a pasted log keeps its line breaks
    exactly.

    Signals:
        submitted(): Enter was pressed.
    """

    submitted = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("timeline-capture")
        self.setPlaceholderText(PLACEHOLDER)
        self.setToolTip(HELP)
        self.setTabChangesFocus(True)
        self.setWordWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.document().setDocumentMargin(3)
        self.textChanged.connect(self._fit)
        self.setAccessibleName("Capture line")
        self._fit()

    def _fit(self) -> None:
        lines = max(1, min(MAX_LINES, int(self.document().size().height())))
        fm = self.fontMetrics()
        h = (
            fm.lineSpacing() * lines
            + 2 * int(self.document().documentMargin())
            + 2 * self.frameWidth()
        )
        self.setFixedHeight(h + 4)

    def sizeHint(self) -> QSize:
        return QSize(400, self.height())

    def keyPressEvent(self, e: QKeyEvent) -> None:
        if e.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            mods = e.modifiers()
            if mods & Qt.KeyboardModifier.ShiftModifier:
                self.insertPlainText("\n")
                return
            if not mods & (Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier):
                self.submitted.emit()
                return
        super().keyPressEvent(e)

    def text(self) -> str:
        return self.toPlainText()

    def setText(self, text: str) -> None:
        self.setPlainText(text)


class CaptureBar(QFrame):
    """Capture line, inline message, and who is writing.

    Signals:
        submitted(str): the typed text, when Enter is pressed on a non-empty line.
        author_chosen(str): the name typed in the "who are you" prompt.
    """

    submitted = Signal(str)
    author_chosen = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("timeline-capture-bar")
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 4, 0, 0)
        lay.setSpacing(3)

        # First run: who is writing. Shown once; the name goes on every entry.
        self.author_box = QWidget()
        ab = QHBoxLayout(self.author_box)
        ab.setContentsMargins(0, 0, 0, 0)
        ab.addWidget(QLabel("Your name, shown on every entry you write:"))
        self.author_edit = QLineEdit()
        self.author_edit.setObjectName("timeline-author-edit")
        self.author_edit.setPlaceholderText("e.g. Alice Keller (IC)")
        self.author_edit.returnPressed.connect(self._choose_author)
        ab.addWidget(self.author_edit, 1)
        ok = QPushButton("Save name")
        ok.clicked.connect(self._choose_author)
        ab.addWidget(ok)
        self.author_box.hide()
        lay.addWidget(self.author_box)

        row = QHBoxLayout()
        row.setSpacing(4)
        self.author_button = QToolButton()
        self.author_button.setObjectName("timeline-author")
        self.author_button.setAutoRaise(True)
        self.author_button.setToolTip("Who is writing: click to change your name")
        self.author_button.clicked.connect(lambda: self.ask_author(self.author_button.text()))
        row.addWidget(self.author_button, 0, Qt.AlignmentFlag.AlignTop)
        self.edit = CaptureEdit()
        self.edit.submitted.connect(self._submit)
        row.addWidget(self.edit, 1)
        lay.addLayout(row)

        self.message = QLabel()
        self.message.setObjectName("timeline-capture-message")
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message.hide()
        lay.addWidget(self.message)

    # -- author -------------------------------------------------------------

    def set_author(self, name: str) -> None:
        self.author_button.setText(name)

    def ask_author(self, suggestion: str = "") -> None:
        self.author_edit.setText(suggestion)
        self.author_box.show()
        self.author_edit.setFocus()
        self.author_edit.selectAll()

    def _choose_author(self) -> None:
        name = self.author_edit.text().strip()
        if not name:
            self.show_error("Type your name first: it is shown on every entry you write")
            return
        self.author_chosen.emit(name)

    def author_saved(self, name: str) -> None:
        self.set_author(name)
        self.author_box.hide()
        self.clear_message()
        self.edit.setFocus()

    # -- capture -------------------------------------------------------------

    def _submit(self) -> None:
        text = self.edit.text()
        if not text.strip():
            self.show_warning("Nothing to log: type what happened first")
            return
        self.submitted.emit(text)

    def accepted(self, warnings: list[str]) -> None:
        """The pane committed the line: clear it, keep focus, show any warnings."""
        self.edit.clear()
        if warnings:
            self.show_warning("Logged, but: " + "; ".join(warnings))
        else:
            self.clear_message()
        self.edit.setFocus()

    def refused(self, error: str) -> None:
        """The line was not logged: keep every character and say why."""
        self.show_error(f"Not logged: {error}")
        self.edit.setFocus()

    def show_warning(self, text: str) -> None:
        self._show(text, WARN_COLOUR, "⚠")

    def show_error(self, text: str) -> None:
        self._show(text, ERROR_COLOUR, "✖")

    def show_info(self, text: str) -> None:
        self._show(text, "", "")

    def _show(self, text: str, colour: str, mark: str) -> None:
        self.message.setText(f"{mark} {text}".strip())
        self.message.setStyleSheet(f"color: {colour}; font-weight: 600;" if colour else "")
        self.message.show()

    def clear_message(self) -> None:
        self.message.clear()
        self.message.hide()

    def message_text(self) -> str:
        return self.message.text() if self.message.isVisible() or self.message.text() else ""

    def focusInEvent(self, e: QFocusEvent) -> None:
        self.edit.setFocus()
        super().focusInEvent(e)
