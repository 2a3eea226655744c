"""The workspace file editor: TOML text, validated as you type, pointing at the line.

The text is kept as written (comments included); ``workspace_file.validate_text`` says
what is wrong and where. Apply hands the parsed config to the running engine; Save
writes the file atomically. Nothing is applied or saved while the text has problems,
and the text in the editor is never lost by a failed save.

Signals:
    applied(object): a valid ``WorkspaceConfig`` the user asked to apply.
    saved(object): the ``Path`` just written.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QColor, QFont, QFontDatabase, QTextCursor, QTextFormat
from PySide6.QtWidgets import (
    QFileDialog,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QSplitter,
    QTextEdit,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from warroom.base.errors import WarroomError
from warroom.config import workspace_file
from warroom.config.workspace_file import Problem

TEMPLATE = """\
# What this workspace watches (see the Workspace file section of the docs).
[probe]
interval = "30s"
timeout = "5s"
fail_after = 2
recover_after = 2
degraded_ms = 1000

# [[vantage]]
# name = "isp-a"
# resolver = "192.0.2.53:53"

# [[target]]
# name = "www"
# url = "https://www.example.ch/"
"""


class WorkspaceEditor(QWidget):
    applied = Signal(object)
    saved = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.path: Path | None = None
        self.problems: list[Problem] = []
        self._saved_text = ""
        self.edit = QPlainTextEdit()
        self.edit.setObjectName("workspace-text")
        mono = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        self.edit.setFont(mono)
        self.edit.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.edit.setTabChangesFocus(False)
        self.status = QLabel("")
        self.status.setWordWrap(True)
        self.status.setMinimumWidth(40)
        self.status.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.list = QListWidget()
        self.list.setObjectName("workspace-problems")
        self.list.itemActivated.connect(self._jump)
        self.list.itemClicked.connect(self._jump)
        self.open_btn = QPushButton("Open…")
        self.save_btn = QPushButton("Save")
        self.save_as_btn = QPushButton("Save as…")
        self.apply_btn = QPushButton("Apply to probes")
        self.apply_btn.setToolTip("Use this text now: new targets start, removed ones stop")
        self.open_btn.clicked.connect(self._ask_open)
        self.save_btn.clicked.connect(self.save)
        self.save_as_btn.clicked.connect(self._ask_save_as)
        self.apply_btn.clicked.connect(self.apply)
        buttons = QToolBar()  # folds behind its extension button in a narrow dock
        for b in (self.open_btn, self.save_btn, self.save_as_btn, self.apply_btn):
            buttons.addWidget(b)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.edit)
        split.addWidget(self.list)
        split.setStretchFactor(0, 4)
        split.setStretchFactor(1, 1)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addWidget(buttons)
        lay.addWidget(self.status)
        lay.addWidget(split, 1)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(300)
        self._timer.timeout.connect(self.validate)
        self.edit.textChanged.connect(self._timer.start)
        self.set_text(TEMPLATE, None)

    # -- text and file ----------------------------------------------------------

    def set_text(self, text: str, path: Path | None) -> None:
        self.path = path
        self.edit.setPlainText(text)
        self._saved_text = text
        self.validate()

    def text(self) -> str:
        return self.edit.toPlainText()

    @property
    def modified(self) -> bool:
        return self.text() != self._saved_text

    def open_file(self, path: Path) -> bool:
        try:
            text = Path(path).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            self._say(f"Cannot open {path}: {getattr(exc, 'strerror', None) or exc}", bad=True)
            return False
        self.set_text(text, Path(path))
        return True

    def _ask_open(self) -> None:
        start = str(self.path.parent if self.path else Path.home())
        name, _ = QFileDialog.getOpenFileName(
            self, "Open workspace file", start, "TOML (*.toml);;All files (*)"
        )
        if name:
            self.open_file(Path(name))

    def _ask_save_as(self) -> None:
        start = str(self.path or Path.home() / "workspace.toml")
        name, _ = QFileDialog.getSaveFileName(self, "Save workspace file", start, "TOML (*.toml)")
        if name:
            self.save_to(Path(name))

    def save(self) -> bool:
        if self.path is None:
            self._ask_save_as()
            return not self.modified
        return self.save_to(self.path)

    def save_to(self, path: Path) -> bool:
        if not self.validate():
            self._say(
                f"Not saved: fix {_count(self.problems)} first (the text stays here).", bad=True
            )
            return False
        try:
            workspace_file.save_text(self.text(), path)
        except WarroomError as exc:
            self._say(f"Not saved: {exc}", bad=True)
            return False
        self.path = Path(path)
        self._saved_text = self.text()
        self._say(f"Saved {path}.")
        self.saved.emit(self.path)
        return True

    # -- validation -------------------------------------------------------------

    def validate(self) -> bool:
        """Check the text now; mark the bad lines; True when it is usable."""
        self._timer.stop()
        base = self.path.parent if self.path else None
        self.problems = workspace_file.validate_text(self.text(), base_dir=base)
        self.list.clear()
        marks = []
        for p in self.problems:
            where = f"line {p.line}" if p.line else "file"
            label = f"{where}: {p.field}: {p.message}" if p.field else f"{where}: {p.message}"
            item = QListWidgetItem(label)
            item.setData(Qt.ItemDataRole.UserRole, p.line)
            self.list.addItem(item)
            if p.line:
                marks.append(self._mark(p.line))
        self.edit.setExtraSelections(marks)
        self.apply_btn.setEnabled(not self.problems)
        if self.problems:
            first = self.problems[0]
            what = f"{first.field}: {first.message}" if first.field else first.message
            self._say(
                f"{_count(self.problems)}; first at line {first.line or '?'}: {what}", bad=True
            )
        else:
            self._say("The file is valid.")
        return not self.problems

    def _mark(self, line: int) -> QTextEdit.ExtraSelection:
        sel = QTextEdit.ExtraSelection()
        sel.format.setBackground(QColor(198, 40, 40, 60))
        sel.format.setProperty(QTextFormat.Property.FullWidthSelection, True)
        block = self.edit.document().findBlockByNumber(line - 1)
        cur = QTextCursor(block)
        sel.cursor = cur
        return sel

    def _jump(self, item: QListWidgetItem) -> None:
        line = item.data(Qt.ItemDataRole.UserRole)
        if line:
            self.go_to_line(int(line))

    def go_to_line(self, line: int) -> None:
        block = self.edit.document().findBlockByNumber(line - 1)
        cur = QTextCursor(block)
        self.edit.setTextCursor(cur)
        self.edit.centerCursor()
        self.edit.setFocus()

    def current_line(self) -> int:
        return self.edit.textCursor().blockNumber() + 1

    def apply(self) -> bool:
        base = self.path.parent.absolute() if self.path else None
        cfg, problems = workspace_file.parse_text(
            self.text(), source=str(self.path or "<editor>"), base_dir=base
        )
        if problems or cfg is None:
            self.validate()
            return False
        self.applied.emit(cfg)
        self._say(f"Applied: {len(cfg.targets)} target(s), {len(cfg.all_vantages())} vantage(s).")
        return True

    def _say(self, text: str, *, bad: bool = False) -> None:
        self.status.setText(text)
        f = QFont(self.status.font())
        f.setBold(bad)
        self.status.setFont(f)
        self.status.setStyleSheet("color: #c62828;" if bad else "")


def _count(problems: list[Problem]) -> str:
    return "1 problem" if len(problems) == 1 else f"{len(problems)} problems"
