"""The incident header and the small dialogs of the timeline pane.

Every dialog takes an ``apply`` callback that does the write and raises a
``WarroomError`` when the store refuses; the dialog then shows the reason inline and
stays open with everything typed still there.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence
from datetime import tzinfo
from typing import Any

from PySide6.QtCore import QEvent, Qt, QTimer, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from warroom.base import humanize, timeutil
from warroom.base.errors import WarroomError
from warroom.domain import incidents as d
from warroom.domain.incidents import Incident, Revision, describe_change
from warroom.services.timeline import Result
from warroom.ui.timeline.capture import ERROR_COLOUR, WARN_COLOUR

# What ``Timeline.set_incident`` gives back: the changed fields, and warnings to show.
Applied = Result[list[str]]

SEVERITY_COLOURS = {"SEV1": "#d63a3a", "SEV2": "#d9730d", "SEV3": "#b38f00", "SEV4": "#5b7fa6"}
STATUS_COLOURS = {
    "investigating": "#d63a3a",
    "identified": "#d9730d",
    "monitoring": "#2f7ed8",
    "resolved": "#1a9e55",
}


def local_and_utc(stored: str | None, tz: tzinfo | None = None) -> str:
    """``Tue 24 Nov 10:42:05 CET (09:42:05 UTC)``."""
    return humanize.when(stored, tz, seconds=True, empty="—")


def local_input(stored: str | None, tz: tzinfo | None = None) -> str:
    """A stored time as the user would type it back (local, with milliseconds)."""
    if not stored:
        return ""
    lt = (
        timeutil.parse_utc(stored).astimezone(tz) if tz else timeutil.parse_utc(stored).astimezone()
    )
    return lt.strftime("%Y-%m-%d %H:%M:%S.") + f"{lt.microsecond // 1000:03d}"


def _badge(text: str, colour: str) -> str:
    return (
        f'<span style="background:{colour}; color:#ffffff; font-weight:700;">'
        f"&nbsp;{html.escape(text)}&nbsp;</span>"
    )


class _ErrorLabel(QLabel):
    def __init__(self) -> None:
        super().__init__()
        self.setWordWrap(True)
        self.setObjectName("dialog-message")
        self.hide()

    def error(self, text: str) -> None:
        self.setStyleSheet(f"color: {ERROR_COLOUR}; font-weight: 600;")
        self.setText(f"✖ {text}")
        self.show()

    def warn(self, text: str) -> None:
        self.setStyleSheet(f"color: {WARN_COLOUR}; font-weight: 600;")
        self.setText(f"⚠ {text}")
        self.show()

    def clear_it(self) -> None:
        self.clear()
        self.hide()


class _ApplyDialog(QDialog):
    """OK runs ``self._apply``; a refusal keeps the dialog open with the reason."""

    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.message = _ErrorLabel()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self._ok)
        self.buttons.rejected.connect(self.reject)
        self.result_warnings: list[str] = []

    def _finish_layout(self, lay: QVBoxLayout | QFormLayout) -> None:
        if isinstance(lay, QFormLayout):
            lay.addRow(self.message)
            lay.addRow(self.buttons)
        else:
            lay.addWidget(self.message)
            lay.addWidget(self.buttons)

    def _run(self) -> list[str]:
        raise NotImplementedError

    def _ok(self) -> None:
        try:
            self.result_warnings = list(self._run() or [])
        except WarroomError as exc:
            self.message.error(str(exc))
            return
        self.accept()


# -- incidents ------------------------------------------------------------------


class IncidentHeader(QWidget):
    """Picker, title, severity, status, elapsed time (ticking) and roles.

    Signals:
        incident_chosen(str): an incident was picked.
        new_requested(), edit_requested(), milestones_requested(): buttons.
    """

    incident_chosen = Signal(str)
    new_requested = Signal()
    edit_requested = Signal()
    milestones_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("timeline-header")
        self.incident: Incident | None = None
        self.tz: tzinfo | None = None
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(2)
        top = QHBoxLayout()
        self.picker = QComboBox()
        self.picker.setObjectName("timeline-incident-picker")
        self.picker.setToolTip("The incident this pane shows (Ctrl+Shift+K)")
        self.picker.setMinimumContentsLength(24)
        self.picker.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.picker.activated.connect(self._picked)
        top.addWidget(self.picker, 1)
        for text, tip, sig in (
            ("New…", "New incident (Ctrl+Shift+N)", self.new_requested),
            (
                "Status && roles…",
                "Status, severity, commander, summary… (Ctrl+Shift+E)",
                self.edit_requested,
            ),
            ("Milestones…", "Started, detected, mitigated, resolved", self.milestones_requested),
        ):
            b = QPushButton(text)
            b.setToolTip(tip)
            b.setObjectName("timeline-" + text.split()[0].lower().strip("…"))
            b.clicked.connect(sig.emit)
            top.addWidget(b)
        lay.addLayout(top)
        self.title = QLabel()
        self.title.setObjectName("timeline-title")
        self.title.setTextFormat(Qt.TextFormat.RichText)
        self.title.setWordWrap(True)
        self._size_title()
        lay.addWidget(self.title)
        self.details = QLabel()
        self.details.setObjectName("timeline-details")
        self.details.setWordWrap(True)
        self.details.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        lay.addWidget(self.details)
        self._timer = QTimer(self)
        self._timer.setInterval(1000)
        self._timer.timeout.connect(self._tick)

    def _size_title(self) -> None:
        f = QFont(self.font())
        f.setPointSizeF(self.font().pointSizeF() * 1.25)
        self.title.setFont(f)

    def changeEvent(self, e: QEvent) -> None:
        super().changeEvent(e)
        if e.type() == QEvent.Type.FontChange:
            self._size_title()  # zoom: the title stays a step larger than the rest

    def set_incidents(self, incidents: Sequence[Incident], current: str | None) -> None:
        self.picker.blockSignals(True)
        self.picker.clear()
        for inc in incidents:
            mark = "✓ " if inc.status == d.IncidentStatus.RESOLVED else ""
            self.picker.addItem(f"{mark}{inc.severity} · {inc.title} ({inc.status})", inc.id)
            self.picker.setItemData(self.picker.count() - 1, inc.id, Qt.ItemDataRole.ToolTipRole)
        if not incidents:
            self.picker.addItem("No incident yet: New… starts one", None)
        i = self.picker.findData(current) if current else -1
        self.picker.setCurrentIndex(max(0, i))
        self.picker.blockSignals(False)

    def _picked(self, i: int) -> None:
        iid = self.picker.itemData(i)
        if iid:
            self.incident_chosen.emit(str(iid))

    def set_incident(self, inc: Incident | None) -> None:
        self.incident = inc
        if inc is None:
            self.title.setText("<i>No incident selected</i>")
            self.details.clear()
            self._timer.stop()
            return
        self.title.setText(
            f"{_badge(inc.severity, SEVERITY_COLOURS.get(inc.severity, '#777'))} "
            f"{_badge(inc.status, STATUS_COLOURS.get(inc.status, '#777'))} "
            f"<b>{html.escape(inc.title)}</b>"
        )
        self._tick()
        self._timer.start()

    def elapsed_text(self) -> str:
        inc = self.incident
        if inc is None:
            return ""
        start = timeutil.parse_utc(inc.start)
        end = timeutil.parse_utc(inc.resolved_at) if inc.resolved_at else timeutil.now()
        what = "lasted" if inc.resolved_at else "elapsed"
        since = "started" if inc.started_at else ("detected" if inc.detected_at else "opened")
        return (
            f"{what} {timeutil.fmt_duration((end - start).total_seconds())} since {since} "
            f"{local_and_utc(inc.start, self.tz)}"
        )

    def _tick(self) -> None:
        inc = self.incident
        if inc is None:
            return
        roles = [
            ("IC", inc.commander),
            ("comms", inc.comms_lead),
            ("next IC", inc.next_commander),
        ]
        el = self.elapsed_text()
        parts = [el[:1].upper() + el[1:]]
        r = " · ".join(f"{k}: {v}" for k, v in roles if v)
        if r:
            parts.append(r)
        if inc.summary:
            s = inc.summary if len(inc.summary) < 160 else inc.summary[:160] + "…"
            parts.append(f"Summary: {s}")
        text = "\n".join(parts)
        if self.details.text() != text:
            self.details.setText(text)


class NewIncidentDialog(_ApplyDialog):
    """``create(title, severity=, status=, commander=, affected_services=, known=)`` makes
    it; errors show inline. It starts from what is known: the commander is you, and what
    the probes say now (``known``) is carried in unless unticked."""

    def __init__(
        self,
        create: Callable[..., Incident],
        parent: QWidget | None = None,
        *,
        commander: str = "",
        affected: Sequence[str] = (),
        known: str = "",
    ) -> None:
        super().__init__("New incident", parent)
        self._create = create
        self._known = known
        form = QFormLayout(self)
        self.title = QLineEdit()
        self.title.setObjectName("new-incident-title")
        self.title.setPlaceholderText("e.g. Mail and web down for ISP-B customers")
        self.severity = QComboBox()
        self.severity.addItems([s.value for s in d.Severity])
        self.severity.setCurrentText("SEV2")
        self.status = QComboBox()
        self.status.addItems([s.value for s in d.IncidentStatus])
        self.commander = QLineEdit(commander)
        self.commander.setObjectName("new-incident-commander")
        self.affected = QLineEdit(", ".join(affected))
        self.affected.setObjectName("new-incident-affected")
        self.affected.setPlaceholderText("comma separated: www, mail, dns")
        form.addRow("&Title", self.title)
        form.addRow("&Severity", self.severity)
        form.addRow("S&tatus", self.status)
        form.addRow("&Commander", self.commander)
        form.addRow("&Affected services", self.affected)
        self.carry = QCheckBox("Log what the probes say now as the first entry")
        self.carry.setObjectName("new-incident-carry")
        if known:
            self.carry.setChecked(True)
            self.carry.setToolTip(known)
            shown = QLabel(known)
            shown.setObjectName("new-incident-known")
            shown.setWordWrap(True)
            form.addRow("", self.carry)
            form.addRow("", shown)
        self._finish_layout(form)
        self.title.setFocus()
        self.resize(520, self.sizeHint().height())

    def _run(self) -> list[str]:
        affected = [s.strip() for s in self.affected.text().split(",") if s.strip()]
        self.created = self._create(
            self.title.text(),
            severity=self.severity.currentText(),
            status=self.status.currentText(),
            commander=self.commander.text().strip(),
            affected_services=affected,
            known=self._known if self.carry.isChecked() else "",
        )
        return []


EDIT_FIELDS = (
    ("status", "S&tatus"),
    ("severity", "&Severity"),
    ("commander", "&Commander"),
    ("comms_lead", "C&omms lead"),
    ("next_commander", "&Next commander"),
    ("affected_services", "&Affected services"),
    ("summary", "Su&mmary"),
    ("impact", "&Impact"),
)


class IncidentDialog(_ApplyDialog):
    """Status, severity and roles. Each change becomes a ``status`` entry."""

    def __init__(
        self, inc: Incident, apply: Callable[..., Applied], parent: QWidget | None = None
    ) -> None:
        super().__init__(f"Status and roles — {inc.title}", parent)
        self._apply = apply
        self.inc = inc
        form = QFormLayout(self)
        self.fields: dict[str, QWidget] = {}
        for name, label in EDIT_FIELDS:
            w: QWidget
            if name == "status":
                cb = QComboBox()
                cb.addItems([s.value for s in d.IncidentStatus])
                cb.setCurrentText(inc.status)
                w = cb
            elif name == "severity":
                cb = QComboBox()
                cb.addItems([s.value for s in d.Severity])
                cb.setCurrentText(inc.severity)
                w = cb
            elif name in ("summary", "impact"):
                pe = QPlainTextEdit(getattr(inc, name))
                pe.setTabChangesFocus(True)
                pe.setFixedHeight(pe.fontMetrics().lineSpacing() * 4 + 12)
                w = pe
            elif name == "affected_services":
                w = QLineEdit(", ".join(inc.affected_services))
                w.setPlaceholderText("comma separated: www, mail, dns")
            else:
                w = QLineEdit(str(getattr(inc, name) or ""))
            w.setObjectName(f"incident-{name}")
            self.fields[name] = w
            form.addRow(label, w)
        self._finish_layout(form)
        self.resize(520, self.sizeHint().height())

    def values(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name, w in self.fields.items():
            if isinstance(w, QComboBox):
                out[name] = w.currentText()
            elif isinstance(w, QPlainTextEdit):
                out[name] = w.toPlainText()
            elif isinstance(w, QLineEdit):
                out[name] = w.text().strip()
        if out.get("affected_services") is not None:
            out["affected_services"] = [
                s.strip() for s in str(out["affected_services"]).split(",") if s.strip()
            ]
        return out

    def _run(self) -> list[str]:
        res = self._apply(**self.values())
        return list(res.warnings)


class MilestonesDialog(_ApplyDialog):
    """The four milestones, in order; out of order is refused unless confirmed."""

    def __init__(
        self,
        inc: Incident,
        apply: Callable[..., Applied],
        tz: tzinfo | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(f"Milestones — {inc.title}", parent)
        self._apply = apply
        self.tz = tz
        form = QFormLayout(self)
        note = QLabel(
            "Local time of this workstation (YYYY-MM-DD HH:MM[:SS], HH:MM, -5m) or ISO-8601 "
            "with a zone. Empty clears. They must follow each other: started ≤ detected ≤ "
            "mitigated ≤ resolved."
        )
        note.setWordWrap(True)
        form.addRow(note)
        self.edits: dict[str, QLineEdit] = {}
        self.utc_labels: dict[str, QLabel] = {}
        for name in d.MILESTONES:
            e = QLineEdit(local_input(getattr(inc, name), tz))
            e.setObjectName(f"milestone-{name}")
            e.textChanged.connect(self._check)
            u = QLabel()
            u.setMinimumWidth(140)
            row = QHBoxLayout()
            row.addWidget(e, 1)
            row.addWidget(u)
            self.edits[name] = e
            self.utc_labels[name] = u
            form.addRow(d.MILESTONE_LABELS[name].capitalize(), row)
        self.force = QCheckBox("Save even though they are out of order")
        self.force.setObjectName("milestone-force")
        self.force.hide()
        form.addRow(self.force)
        self._finish_layout(form)
        self.setMinimumWidth(640)
        self._check()

    def parsed(self) -> tuple[dict[str, str | None], list[str]]:
        now = timeutil.now()
        out: dict[str, str | None] = {}
        errors = []
        for name, e in self.edits.items():
            t = e.text().strip()
            if not t:
                out[name] = None
                self.utc_labels[name].setText("")
                continue
            try:
                v = timeutil.fmt(timeutil.parse_user_time(t, ref=now, tz=self.tz))
            except WarroomError as exc:
                errors.append(f"{d.MILESTONE_LABELS[name]}: {exc}")
                self.utc_labels[name].setText("?")
                continue
            out[name] = v
            self.utc_labels[name].setText(v[11:19] + " UTC")
        return out, errors

    def _check(self) -> None:
        values, errors = self.parsed()
        problems = d.check_milestones(values)
        self.force.setVisible(bool(problems))
        if errors:
            self.message.error("; ".join(errors))
        elif problems:
            self.message.warn("Out of order: " + "; ".join(problems))
        else:
            self.message.clear_it()
        self.adjustSize()  # the message wraps over several lines: never clip it

    def _run(self) -> list[str]:
        values, errors = self.parsed()
        if errors:
            raise WarroomError("; ".join(errors))
        res = self._apply(force=self.force.isChecked(), **{k: v or "" for k, v in values.items()})
        return list(res.warnings)


# -- entries -------------------------------------------------------------------------


class HideDialog(_ApplyDialog):
    """Hiding needs a reason; the entry stays in the record."""

    def __init__(
        self, preview: str, apply: Callable[[str], object], parent: QWidget | None = None
    ) -> None:
        super().__init__("Hide entry", parent)
        self._apply = apply
        lay = QVBoxLayout(self)
        what = QLabel(
            "The entry stays in the record and in its history; it is only left out of the "
            f"timeline view.\n\n“{preview[:200]}”"
        )
        what.setWordWrap(True)
        lay.addWidget(what)
        self.reason = QLineEdit()
        self.reason.setObjectName("hide-reason")
        self.reason.setPlaceholderText("Why? e.g. duplicate, wrong incident, typo")
        label = QLabel("&Reason (required):")
        label.setBuddy(self.reason)
        lay.addWidget(label)
        lay.addWidget(self.reason)
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText("Hide")
        ok.setEnabled(False)
        self.reason.textChanged.connect(lambda t: ok.setEnabled(bool(t.strip())))
        self._finish_layout(lay)
        self.resize(460, self.sizeHint().height())

    def _run(self) -> list[str]:
        self._apply(self.reason.text().strip())
        return []


class InsertDialog(_ApplyDialog):
    """A late entry between two others: the neighbour's time is the default."""

    def __init__(
        self,
        default_time: str,
        apply: Callable[[str, str, str], object],
        tz: tzinfo | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__("Insert entry", parent)
        self._apply = apply
        form = QFormLayout(self)
        self.time = QLineEdit(local_input(default_time, tz))
        self.time.setObjectName("insert-time")
        self.time.setToolTip("Local time; the default is the selected entry's time")
        self.utc = QLabel()
        self.time.textChanged.connect(self._show_utc)
        self.tz = tz
        self.kind = QComboBox()
        self.kind.addItems([k.value for k in d.MANUAL_KINDS])
        self.text = QPlainTextEdit()
        self.text.setObjectName("insert-text")
        self.text.setTabChangesFocus(True)
        form.addRow("&When (local)", self.time)
        form.addRow("", self.utc)
        form.addRow("&Kind", self.kind)
        form.addRow("&Text", self.text)
        self._finish_layout(form)
        self._show_utc()
        self.text.setFocus()
        self.resize(520, 300)

    def _show_utc(self) -> None:
        try:
            t = timeutil.parse_user_time(self.time.text(), tz=self.tz)
            self.utc.setText(humanize.when(t, self.tz, seconds=True))
        except WarroomError as exc:
            self.utc.setText(str(exc))

    def _run(self) -> list[str]:
        res = self._apply(self.time.text(), self.kind.currentText(), self.text.toPlainText())
        return list(getattr(res, "warnings", []) or [])


class HistoryDialog(QDialog):
    """Every revision of one entry: who, when, what changed, and the text then."""

    def __init__(
        self, revisions: Sequence[Revision], tz: tzinfo | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"History of entry {revisions[0].entry if revisions else ''}")
        self.revisions = list(revisions)
        self.tz = tz
        lay = QVBoxLayout(self)
        self.table = QTableWidget(len(revisions), 5)
        self.table.setObjectName("history-table")
        self.table.setHorizontalHeaderLabels(
            ["#", "Recorded (local · UTC)", "By", "Changed", "Note"]
        )
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        by_id = {r.id: r for r in revisions}
        for i, r in enumerate(revisions):
            parent_rev = by_id.get(r.parent or "")
            changed = describe_change(parent_rev, r) if parent_rev else "created"
            if r.parent and parent_rev is None:
                changed = "?"
            cells = [str(i + 1), local_and_utc(r.recorded_at, tz), r.author, changed or "—", r.note]
            for c, v in enumerate(cells):
                self.table.setItem(i, c, QTableWidgetItem(v))
        forks = len(revisions) - len({r.parent for r in revisions})
        self.table.resizeColumnsToContents()
        self.table.horizontalHeader().setStretchLastSection(True)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.table)
        self.view = QPlainTextEdit()
        self.view.setReadOnly(True)
        self.view.setObjectName("history-text")
        split.addWidget(self.view)
        lay.addWidget(split)
        if forks > 0:
            warn = QLabel(
                "⚠ Conflict: this entry was edited on two workstations from the same revision; "
                "the newest edit is shown in the timeline. Edit it to settle the text."
            )
            warn.setWordWrap(True)
            warn.setStyleSheet(f"color: {ERROR_COLOUR}; font-weight: 600;")
            lay.addWidget(warn)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        lay.addWidget(close)
        self.table.currentCellChanged.connect(lambda row, *_: self._show(row))
        if revisions:
            self.table.selectRow(len(revisions) - 1)
        self.resize(760, 480)

    def _show(self, row: int) -> None:
        if not 0 <= row < len(self.revisions):
            return
        r = self.revisions[row]
        hidden = f"yes ({r.hidden_reason})" if r.hidden and r.hidden_reason else "no"
        if r.hidden and not r.hidden_reason:
            hidden = "yes"
        head = [
            f"Time: {local_and_utc(r.occurred_at, self.tz)} · Kind: {r.kind}",
            f"Tags: {humanize.listing(r.tags, empty='none')} · "
            f"Pinned: {humanize.yes_no(r.pinned)} · Hidden: {hidden}",
        ]
        self.view.setPlainText("\n".join(head) + "\n\n" + r.text)


class FullTextDialog(QDialog):
    """A long entry in full (plain text, selectable, fast even for megabytes)."""

    def __init__(self, title: str, text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        lay = QVBoxLayout(self)
        self.view = QPlainTextEdit()
        self.view.setObjectName("full-text")
        self.view.setReadOnly(True)
        self.view.setPlainText(text)
        f = QFont(self.view.font())
        f.setStyleHint(QFont.StyleHint.Monospace)
        f.setFamily("monospace")
        self.view.setFont(f)
        lay.addWidget(self.view)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        lay.addWidget(close)
        self.resize(800, 560)
