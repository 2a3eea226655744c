"""The composer dialog: draft, template, per-channel counters, the honesty check beside
the text, the approver's name, publish with per-channel results, the next-update clock.

Thin: the rules live in ``warroom.social.compose`` (lengths, findings, cadence) and the
work in ``warroom.social.publish`` (run on the window's publishing loop). Nothing here
writes SQL or talks to the network itself.

Signals:
    published(object): the list of ``ChannelResult`` of one publication.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QColor, QHideEvent, QShowEvent, QTextCharFormat, QTextCursor
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)

from warroom.base.errors import WarroomError
from warroom.social import compose, templates
from warroom.social.channels import ChannelSpec, CommsSettings
from warroom.social.honesty import VantageState, figures
from warroom.social.publish import ChannelResult, Draft, Publisher, check_approval
from warroom.ui.tasks import run_task

if TYPE_CHECKING:
    from warroom.store import Store

log = logging.getLogger(__name__)

STAGE_LABELS = {
    "investigating": "Investigating",
    "identified": "Identified",
    "monitoring": "Monitoring",
    "resolved": "Resolved",
}
REVIEW_MS = 250  # re-check the draft this long after the last keystroke
REFRESH_MS = 10_000  # measurements and the clock


class ComposeDialog(QDialog):
    published = Signal(object)

    def __init__(
        self,
        *,
        store: Store,
        incident_id: str,
        publisher: Publisher | None,
        settings: CommsSettings,
        submit: Callable[..., object] | None,
        author: str,
        states: Callable[[], Sequence[VantageState]] | None = None,
        no_channels_reason: str = "",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("compose-dialog")
        self.store, self.incident_id = store, incident_id
        self.publisher, self.settings, self._submit = publisher, settings, submit
        self.author = author
        self._states_fn = states or (lambda: compose.measurements(store, settings))
        self._states: list[VantageState] = []
        self._limits: dict[str, int | None] = {}
        self._last_template = ""
        self._busy = False
        self._reading = False
        self._outcome = ""  # the last publication's summary, shown while nothing blocks
        self.results: list[ChannelResult] = []
        from warroom.services.timeline import Timeline

        self._tl = Timeline(store, author=author)
        inc = self._tl.incident(incident_id)
        self._affected = tuple(inc.affected_services)
        self.setWindowTitle(f"Status update: {inc.title}")

        # -- the draft (left) ---------------------------------------------------------
        self.stage = QComboBox()
        for key, label in STAGE_LABELS.items():
            self.stage.addItem(label, key)
        self.stage.setCurrentIndex(max(0, list(STAGE_LABELS).index(str(inc.status))))
        self.language = QComboBox()
        self.language.setToolTip("Language of the built-in templates")
        for code, label in (("en", "English"), ("de", "Deutsch"), ("fr", "Français")):
            self.language.addItem(label, code)
        self.language.setCurrentIndex(max(0, self.language.findData(settings.language)))
        self.fill = QPushButton("Fill from template")
        self.fill.setToolTip("Replace the text with this stage's template, filled in")
        self.fill.clicked.connect(self.fill_template)
        top = QHBoxLayout()
        top.addWidget(QLabel("Stage"))
        top.addWidget(self.stage)
        top.addWidget(self.language)
        top.addWidget(self.fill)
        top.addStretch(1)
        self.cadence = QLabel()
        self.cadence.setObjectName("compose-cadence")
        top.addWidget(self.cadence)

        self.text = QPlainTextEdit()
        self.text.setObjectName("compose-text")
        self.text.setPlaceholderText("What customers need to know, in plain words…")
        self.text.textChanged.connect(self._schedule_review)

        self.channel_box = QGroupBox("Publish on")
        grid = QGridLayout(self.channel_box)
        self.checks: dict[str, QCheckBox] = {}
        self.counters: dict[str, QLabel] = {}
        specs = publisher.channels if publisher else []
        for row, spec in enumerate(specs):
            cb = QCheckBox(spec.label)
            cb.setChecked(True)
            cb.toggled.connect(self._schedule_review)
            counter = QLabel()
            counter.setObjectName(f"counter-{spec.name}")
            counter.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            grid.addWidget(cb, row, 0)
            grid.addWidget(counter, row, 1)
            self.checks[spec.name], self.counters[spec.name] = cb, counter
        if not specs:
            reason = no_channels_reason or "The workspace file has no [[channel]]."
            note = QLabel(reason + " See docs/comms.md to add Mastodon, Bluesky or Statuspage.")
            note.setWordWrap(True)
            grid.addWidget(note, 0, 0)

        self.approver = QLineEdit()
        self.approver.setObjectName("compose-approver")
        need = " (required in this workspace)" if settings.approval else " (optional)"
        self.approver.setPlaceholderText("Name of the second person who checked the text" + need)
        self.approver.textChanged.connect(self._schedule_review)
        approve_row = QHBoxLayout()
        approve_row.addWidget(QLabel("Approved by"))
        approve_row.addWidget(self.approver, 1)
        self.who = QLabel(f"Publishing as {author}")
        self.who.setEnabled(False)
        approve_row.addWidget(self.who)

        left = QWidget()
        ll = QVBoxLayout(left)
        ll.setContentsMargins(0, 0, 0, 0)
        ll.addLayout(top)
        ll.addWidget(self.text, 1)
        ll.addWidget(self.channel_box)
        ll.addLayout(approve_row)

        # -- the honesty check (right) -----------------------------------------------
        self.check_title = QLabel("<b>Honesty check</b>")
        self.findings = QLabel()
        self.findings.setObjectName("compose-findings")
        self.findings.setWordWrap(True)
        self.findings.setTextFormat(Qt.TextFormat.PlainText)
        self.findings.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.findings.setFrameShape(QFrame.Shape.StyledPanel)
        self.findings.setMinimumWidth(280)
        self.confirm = QCheckBox("I have read these figures and publish anyway")
        self.confirm.setObjectName("compose-confirm")
        self.confirm.toggled.connect(self._update_publish)
        self.measured = QLabel()
        self.measured.setObjectName("compose-measured")
        self.measured.setWordWrap(True)
        right = QWidget()
        rl = QVBoxLayout(right)
        rl.setContentsMargins(0, 0, 0, 0)
        rl.addWidget(self.check_title)
        rl.addWidget(self.findings, 1)
        rl.addWidget(self.confirm)
        rl.addWidget(QLabel("<b>Measured now</b>"))
        rl.addWidget(self.measured)

        split = QSplitter()
        split.addWidget(left)
        split.addWidget(right)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)

        # -- results and buttons -----------------------------------------------------
        self.result_list = QListWidget()
        self.result_list.setObjectName("compose-results")
        self.result_list.setMaximumHeight(90)
        self.result_list.setVisible(False)
        self.status = QLabel()
        self.status.setObjectName("compose-status")
        self.status.setWordWrap(True)
        self.publish_btn = QPushButton("Publish")
        self.publish_btn.setObjectName("compose-publish")
        self.publish_btn.setDefault(True)
        self.publish_btn.clicked.connect(self.publish)
        close = QPushButton("Close")
        close.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addWidget(self.status, 1)
        buttons.addWidget(close)
        buttons.addWidget(self.publish_btn)

        lay = QVBoxLayout(self)
        lay.addWidget(split, 1)
        lay.addWidget(self.result_list)
        lay.addLayout(buttons)

        self._review_timer = QTimer(self)
        self._review_timer.setSingleShot(True)
        self._review_timer.setInterval(REVIEW_MS)
        self._review_timer.timeout.connect(self.review)
        self._refresh_timer = QTimer(self)
        self._refresh_timer.setInterval(REFRESH_MS)
        self._refresh_timer.timeout.connect(self.refresh)  # runs while shown
        self.resize(1000, 620)
        self.refresh()
        self.fill_template()
        self.review()
        self._fetch_limits()

    # -- lifetime -------------------------------------------------------------------

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self._refresh_timer.isActive():
            self._refresh_timer.start()

    def hideEvent(self, event: QHideEvent) -> None:
        """A closed composer reads nothing (the workspace may be closing)."""
        self._refresh_timer.stop()
        self._review_timer.stop()
        super().hideEvent(event)

    # -- data -----------------------------------------------------------------------

    def selected(self) -> list[str]:
        return [name for name, cb in self.checks.items() if cb.isChecked()]

    def _specs(self) -> list[ChannelSpec]:
        chosen = set(self.selected())
        return [s for s in (self.publisher.channels if self.publisher else []) if s.name in chosen]

    def refresh(self) -> None:
        """The next-update clock now; the measurements read off the UI thread (a
        workspace with thousands of series takes a moment), then the draft re-checked."""
        inc = self._tl.incident(self.incident_id)
        cad = compose.cadence_for(self.store, inc, self.settings)
        text = cad.text()
        self.cadence.setText(text[:1].upper() + text[1:])
        overdue = cad.overdue()
        self.cadence.setProperty("overdue", overdue)
        self.cadence.setStyleSheet("color: #cf222e; font-weight: bold;" if overdue else "")
        if self._reading:
            return
        self._reading = True
        states_fn = self._states_fn
        run_task(
            self,
            lambda: list(states_fn()),
            self._got_states,
            self._states_failed,
            name="compose-measurements",
        )

    def _got_states(self, states: list[VantageState]) -> None:
        self._reading = False
        self._states = states
        self.review()

    def _states_failed(self, exc: BaseException) -> None:
        self._reading = False
        if not isinstance(exc, WarroomError):
            log.error("composer: reading the measurements failed", exc_info=exc)
        else:
            log.warning("composer: cannot read measurements: %s", exc)
        self._states = []
        self.review()

    def _fetch_limits(self) -> None:
        if self.publisher is None or self._submit is None:
            return
        pub = self.publisher

        async def limits() -> dict[str, int | None]:
            return {s.name: await pub.limit(s) for s in pub.channels}

        self._submit(limits(), self._got_limits, lambda exc: None)

    def _got_limits(self, limits: dict[str, int | None]) -> None:
        self._limits = dict(limits)
        self.review()

    # -- template -------------------------------------------------------------------

    def current_stage(self) -> str:
        return str(self.stage.currentData())

    def fill_template(self) -> None:
        inc = self._tl.incident(self.incident_id)
        cad = compose.cadence_for(self.store, inc, self.settings)
        from datetime import timedelta

        from warroom.base import timeutil

        nxt = timeutil.now() + timedelta(seconds=cad.every_s)
        values = compose.values_for(inc, self.settings, next_update=nxt)
        lang = str(self.language.currentData())
        tmpl = templates.template_for(self.current_stage(), self.settings.templates, lang)
        try:
            text = templates.render(tmpl, values)
        except WarroomError as exc:
            self.status.setText(str(exc))
            return
        current = self.text.toPlainText()
        if current.strip() and current != self._last_template:
            answer = QMessageBox.question(
                self, "Replace the text?", "Replace your text with the template?"
            )
            if answer != QMessageBox.StandardButton.Yes:
                return
        self._last_template = text
        self.text.setPlainText(text)

    # -- review ---------------------------------------------------------------------

    def _schedule_review(self) -> None:
        self._outcome = ""  # a new draft: the last publication's summary is history
        self._review_timer.start()

    def review(self) -> compose.Review:
        text = self.text.toPlainText()
        extra = compose.remote_lines(self.store)
        rev = compose.review(
            text,
            self._specs(),
            self._states,
            limits=self._limits,
            extra=extra,
            affected=self._affected,
        )
        for name, label in self.counters.items():
            count = rev.counts.get(name)
            if count is None:
                label.setText("not selected")
                label.setStyleSheet("color: palette(mid);")
                continue
            word = "  too long" if count.over else ""
            pending = (
                "" if name in self._limits or not self._is_mastodon(name) else " (server limit?)"
            )
            label.setText(f"{count}{pending}{word}")
            label.setStyleSheet("color: #cf222e; font-weight: bold;" if count.over else "")
        self._show_findings(rev)
        self._mark_claims(rev)
        self._review = rev
        self._update_publish()
        return rev

    def _is_mastodon(self, name: str) -> bool:
        return any(s.name == name and s.kind == "mastodon" for s in self._specs())

    def _show_findings(self, rev: compose.Review) -> None:
        figs = figures(self._states)
        if figs:
            lines = [
                f.line() if f.down else f"{f.target}: up from all {f.total} vantages" for f in figs
            ]
            self.measured.setText("\n".join(lines))
        else:
            minutes = int(self.settings.measurement_max_age // 60)
            self.measured.setText(f"No measurements in the last {minutes} min.")
        if rev.findings:
            parts = []
            for f in rev.findings:
                what = (
                    "suggests a partial outage"
                    if f.claim.kind == "partial"
                    else "says the problem is over"
                )
                parts.append(f"⚠ “{f.claim.phrase}” {what}, but:\n  " + "\n  ".join(f.figures))
            self.findings.setText("\n\n".join(parts))
            self.findings.setStyleSheet("background: #ffebe9; color: #82071e; padding: 6px;")
            self.confirm.setVisible(True)
        else:
            self.findings.setText(
                "✓ No claim in the text contradicts the measurements."
                if figs
                else "Nothing to check against: no recent measurements."
            )
            self.findings.setStyleSheet("padding: 6px;")
            self.confirm.setVisible(False)
            self.confirm.setChecked(False)

    def _mark_claims(self, rev: compose.Review) -> None:
        sels = []
        fmt = QTextCharFormat()
        fmt.setUnderlineStyle(QTextCharFormat.UnderlineStyle.WaveUnderline)
        fmt.setUnderlineColor(QColor("#cf222e"))
        fmt.setBackground(QColor("#ffebe9"))
        for f in rev.findings:
            sel = QTextEdit.ExtraSelection()
            cur = QTextCursor(self.text.document())
            cur.setPosition(f.claim.start)
            cur.setPosition(f.claim.end, QTextCursor.MoveMode.KeepAnchor)
            sel.cursor = cur
            sel.format = fmt
            sels.append(sel)
        self.text.setExtraSelections(sels)

    def _update_publish(self) -> None:
        rev = getattr(self, "_review", None)
        why = ""
        if self.publisher is None or not self.checks:
            why = "No channel to publish on."
        elif not self.selected():
            why = "Choose at least one channel."
        elif rev is not None and rev.problems:
            why = rev.problems[0][0].upper() + rev.problems[0][1:] + "."
        elif self.settings.approval and not self.approver.text().strip():
            why = "Enter the name of the second person who approved the text."
        elif rev is not None and rev.findings and not self.confirm.isChecked():
            why = "The measurements contradict the text: reword it, or confirm on the right."
        self.publish_btn.setEnabled(not why and not self._busy)
        if not self._busy:
            self.status.setText(why or self._outcome)

    # -- publishing -----------------------------------------------------------------

    def draft(self) -> Draft:
        return Draft(
            text=self.text.toPlainText().strip(),
            author=self.author,
            stage=self.current_stage(),
            incident=self.incident_id,
            approver=self.approver.text().strip(),
        )

    def publish(self) -> None:
        if self.publisher is None or self._submit is None or self._busy:
            return
        rev = self.review()
        if rev.problems or (rev.findings and not self.confirm.isChecked()):
            return
        d = self.draft()
        try:
            check_approval(d, self.settings)
        except WarroomError as exc:
            self.status.setText(str(exc))
            return
        self._busy = True
        self.publish_btn.setEnabled(False)
        self.status.setText("Publishing…")
        coro = self.publisher.publish(d, self.selected(), states=self._states)
        self._submit(coro, self._published, self._failed)

    def _published(self, results: list[ChannelResult]) -> None:
        self._busy = False
        self.results = list(results)
        self.result_list.clear()
        self.result_list.setVisible(True)
        for r in results:
            mark = "✓" if r.ok else "✗"
            item = QListWidgetItem(f"{mark} {r.line}")
            item.setForeground(QColor("#1a7f37" if r.ok else "#cf222e"))
            item.setToolTip(r.url or r.error or "")
            self.result_list.addItem(item)
        ok = sum(r.ok for r in results)
        self._outcome = f"Published on {ok} of {len(results)} channels."
        self.status.setText(self._outcome)
        self.refresh()
        self.published.emit(self.results)

    def _failed(self, exc: BaseException) -> None:
        self._busy = False
        msg = str(exc) if isinstance(exc, WarroomError) else f"Publishing failed: {exc!r}"
        if not isinstance(exc, WarroomError):
            log.error("publishing failed", exc_info=exc)
        self._update_publish()
        self.status.setText(msg)
