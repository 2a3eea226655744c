"""The post-incident report editor: the draft's Markdown on the left, the page on the
right, the wording check underneath; export as Markdown or HTML.

The edited text is kept in the workspace (meta ``report_draft:<incident>``), so
closing the window loses nothing.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer, Signal
from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from warroom.base.errors import WarroomError
from warroom.handover import files
from warroom.ui.handover.dialogs import browser

if TYPE_CHECKING:
    from warroom.store import Store

log = logging.getLogger(__name__)
DRAFT_KEY = "report_draft:"


class ReportEditor(QDialog):
    """Signals:
    exported(str): a file was written.
    """

    exported = Signal(str)

    def __init__(
        self, store: Store, incident_id: str, author: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        from warroom.handover.report import build_report

        self.setObjectName("handover-report")
        self.store, self.incident_id, self.author = store, incident_id, author
        self.draft = build_report(store, incident_id, author=author)
        self.setWindowTitle(f"Post-incident report: {self.draft.view.incident.title}")
        self.editor = QPlainTextEdit()
        self.editor.setObjectName("report-markdown")
        mono = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        mono.setStyleHint(QFont.StyleHint.Monospace)
        self.editor.setFont(mono)
        saved = store.meta_get(DRAFT_KEY + incident_id)
        self.editor.setPlainText(saved or self.draft.markdown)
        self.preview = browser()
        self.preview.setObjectName("report-preview")
        split = QSplitter()
        split.addWidget(self.editor)
        split.addWidget(self.preview)
        split.setSizes([500, 500])
        self.check = QLabel()
        self.check.setObjectName("report-wording")
        self.check.setWordWrap(True)
        self.status = QLabel()
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        regen = QPushButton("New draft from the record")
        regen.setToolTip("Replace the text with a fresh draft (the current text is lost)")
        regen.clicked.connect(self.regenerate)
        md = QPushButton("Export Markdown…")
        md.clicked.connect(lambda: self.export_as("md"))
        html = QPushButton("Export HTML…")
        html.clicked.connect(lambda: self.export_as("html"))
        for b in (regen, md, html):
            buttons.addButton(b, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addWidget(split, 1)
        lay.addWidget(self.check)
        lay.addWidget(self.status)
        lay.addWidget(buttons)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(400)
        self._timer.timeout.connect(self.update_preview)
        self.editor.textChanged.connect(self._timer.start)
        self.finished.connect(self._closing)
        self.resize(1100, 760)
        self.update_preview()

    def text(self) -> str:
        return self.editor.toPlainText()

    def update_preview(self) -> None:
        """Render the edited Markdown, re-run the wording check, keep the text."""
        from warroom.handover.report import check_text, report_html

        text = self.text()
        bar = self.preview.verticalScrollBar()
        pos = bar.value()
        self.preview.setHtml(report_html(text, self.draft.title))
        bar.setValue(pos)
        findings = check_text(self.store, self.incident_id, text)
        if findings:
            lines = [f"“{f.phrase}”: {f.contradiction}" for f in findings[:4]]
            self.check.setText("⚠ Wording the measurements contradict:\n" + "\n".join(lines))
            self.check.setStyleSheet("color: palette(text); background: #ffebe9; padding: 4px;")
        else:
            self.check.setText("Wording check: nothing the measurements contradict.")
            self.check.setStyleSheet("")
        self.save_draft()

    def save_draft(self) -> None:
        """Keep the edited text in the workspace."""
        try:
            self.store.meta_set(DRAFT_KEY + self.incident_id, self.text())
        except WarroomError as exc:
            self.status.setText(f"draft not saved: {exc}")

    def _closing(self, _result: int) -> None:
        # Never render after closing, but never lose the last keystrokes either.
        self._timer.stop()
        self.save_draft()

    def regenerate(self) -> None:
        from warroom.handover.report import build_report

        self.draft = build_report(self.store, self.incident_id, author=self.author)
        self.editor.setPlainText(self.draft.markdown)
        self.update_preview()

    def export_as(self, fmt: str, target: str | None = None) -> str | None:
        from warroom.handover.report import report_html

        if target is None:
            filt = "Markdown (*.md)" if fmt == "md" else "HTML (*.html)"
            suggested = str(Path.home() / f"report-{self.incident_id[:10].lower()}.{fmt}")
            target, _ = QFileDialog.getSaveFileName(self, "Export report", suggested, filt)
            if not target:
                return None
        text = self.text()
        out = text if fmt == "md" else report_html(text, self.draft.title)
        try:
            files.write_text(Path(target), out)
        except WarroomError as exc:
            self.status.setText(str(exc))
            return None
        self.status.setText(f"Exported to {target}")
        self.exported.emit(target)
        return target
