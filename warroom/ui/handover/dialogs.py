"""Export, import preview and hand-over dialogs. Thin: the work is in warroom.handover.

Nothing here writes SQL or renders documents; it gathers choices, shows previews,
and calls ``warroom.handover`` (exports and merges) off the UI thread where they can
take seconds.
"""

from __future__ import annotations

import json
import logging
import zoneinfo
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QCompleter,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTextBrowser,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from warroom.base import timeutil
from warroom.base.errors import WarroomError
from warroom.handover import service
from warroom.handover.view import local_zone_name
from warroom.ui import settings as S
from warroom.ui.tasks import run_task

if TYPE_CHECKING:
    from collections.abc import Sequence

    from PySide6.QtCore import QSettings, QUrl

    from warroom.handover.brief import Brief
    from warroom.handover.merge import MergeReport
    from warroom.handover.records import BundleDoc
    from warroom.services.timeline import Timeline
    from warroom.store import Store

log = logging.getLogger(__name__)

FORMAT_LABELS = {
    "json": "JSON bundle (lossless, for import)",
    "md": "Markdown",
    "html": "HTML (self-contained)",
    "pdf": "PDF",
    "csv": "CSV (entries)",
}
COMMON_ZONES = (
    "UTC",
    "Europe/Zurich",
    "Europe/Berlin",
    "Europe/London",
    "America/New_York",
    "America/Los_Angeles",
    "Asia/Tokyo",
)


class ZoneField(QWidget):
    """An editable zone choice with a hint under it while the text is not a zone.

    Typing "Europe" on the way to "Europe/Berlin" is normal: it only shows the hint
    (validation is ``timeutil.parse_zone``, the command line's check), never an error.

    Signals:
        changed(): the text is a valid zone again (or another valid zone).
    """

    changed = Signal()

    def __init__(self, default: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.combo = QComboBox()
        self.combo.setEditable(True)
        self.combo.addItems([default, *[z for z in COMMON_ZONES if z != default]])
        self.combo.setCurrentText(default)
        names = sorted(zoneinfo.available_timezones())
        completer = QCompleter(names, self.combo)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        self.combo.setCompleter(completer)
        self.hint = QLabel()
        self.hint.setObjectName("zone-hint")
        self.hint.setWordWrap(True)
        self.hint.hide()
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.combo)
        lay.addWidget(self.hint)
        self._valid = default
        self._ok = True
        self.combo.currentTextChanged.connect(self._typed)

    def _typed(self, text: str) -> None:
        try:
            timeutil.parse_zone(text)
        except WarroomError:
            self._ok = False
            shown = text.strip() if len(text.strip()) <= 24 else text.strip()[:24] + "…"
            self.hint.setText(
                f"⚠ “{shown}” is not a time zone (yet): e.g. Europe/Berlin or UTC"
                if text.strip()
                else "⚠ Type a time zone, e.g. Europe/Berlin or UTC"
            )
            self.hint.setVisible(self.isEnabled())
            return
        self._ok = True
        self.hint.hide()
        if text.strip() != self._valid:
            self._valid = text.strip()
            self.changed.emit()

    def changeEvent(self, event: QEvent) -> None:
        """A disabled field (the lossless bundle has no zone) shows no hint."""
        super().changeEvent(event)
        if event.type() == QEvent.Type.EnabledChange:
            self.hint.setVisible(self.isEnabled() and not self._ok)

    def is_valid(self) -> bool:
        return self._ok

    def zone(self) -> str:
        """The last valid zone typed or chosen."""
        return self._valid

    def setCurrentText(self, text: str) -> None:
        self.combo.setCurrentText(text)

    def currentText(self) -> str:
        return self.combo.currentText()


_SETTINGS = {
    "export_format": S.HANDOVER_EXPORT_FORMAT,
    "brief_format": S.HANDOVER_BRIEF_FORMAT,
    "zone": S.HANDOVER_ZONE,
    "folder": S.HANDOVER_FOLDER,
}


def _remembered(settings: QSettings | None, key: str, default: str) -> str:
    if settings is None:
        return default
    return _SETTINGS[key].get(settings) or default


def _remember(settings: QSettings | None, **values: str) -> None:
    if settings is None:
        return
    for key, value in values.items():
        _SETTINGS[key].set(settings, value)


def _default_zone(settings: QSettings | None) -> str:
    """The last zone used, else the zone the timeline shows."""
    zone = _remembered(settings, "zone", "")
    try:
        timeutil.parse_zone(zone)
    except WarroomError:
        return local_zone_name()
    return zone


def browser(parent: QWidget | None = None) -> QTextBrowser:
    """A read-only HTML view that never follows or fetches anything."""
    b = QTextBrowser(parent)
    b.setOpenLinks(False)
    b.setOpenExternalLinks(False)
    return b


def _pick_save(parent: QWidget, title: str, suggested: str, fmt: str) -> str:
    filters = {
        "json": "Warroom bundle (*.json)",
        "md": "Markdown (*.md)",
        "html": "HTML (*.html)",
        "pdf": "PDF (*.pdf)",
        "csv": "CSV (*.csv)",
    }
    name, _ = QFileDialog.getSaveFileName(parent, title, suggested, filters.get(fmt, ""))
    return name


# -- export ---------------------------------------------------------------------------


class ExportDialog(QDialog):
    """File ▸ Export: format, time zone, hidden entries, file; runs in the background.

    Signals:
        exported(str): the file written.
        failed(str): the one-line error.
    """

    exported = Signal(str)
    failed = Signal(str)

    def __init__(
        self,
        store: Store,
        incident_id: str,
        title: str,
        author: str,
        parent: QWidget | None = None,
        settings: QSettings | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("handover-export")
        self.setWindowTitle(f"Export incident: {title}")
        self.store, self.incident_id, self.author = store, incident_id, author
        self.settings = settings
        self.format = QComboBox()
        for key, label in FORMAT_LABELS.items():
            self.format.addItem(label, key)
        last = self.format.findData(_remembered(settings, "export_format", "json"))
        self.format.setCurrentIndex(max(last, 0))
        self.zone = ZoneField(_default_zone(settings))
        self.hidden = QCheckBox("Include hidden entries (marked as hidden)")
        self.note = QLabel()
        self.note.setWordWrap(True)
        self.note.setEnabled(False)
        self.path = QLineEdit()
        self.path.setPlaceholderText("Choose where to save…")
        browse = QPushButton("Browse…")
        browse.clicked.connect(self._browse)
        row = QHBoxLayout()
        row.addWidget(self.path, 1)
        row.addWidget(browse)
        form = QFormLayout()
        form.addRow("Format", self.format)
        form.addRow("Time zone", self.zone)
        form.addRow("", self.hidden)
        form.addRow("", self.note)
        form.addRow("File", row)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Cancel | QDialogButtonBox.StandardButton.Save
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setText("Export")
        self.buttons.accepted.connect(self.start)
        self.buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addLayout(form)
        lay.addWidget(self.status)
        lay.addWidget(self.buttons)
        self.format.currentIndexChanged.connect(self._format_changed)
        self.zone.combo.currentTextChanged.connect(self._zone_typed)
        self._format_changed()
        self.resize(520, 0)

    def _zone_typed(self) -> None:
        ok = self.zone.is_valid() or not self.zone.isEnabled()
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setEnabled(ok)

    def chosen_format(self) -> str:
        return str(self.format.currentData())

    def _format_changed(self) -> None:
        fmt = self.chosen_format()
        bundle = fmt == "json"
        self.hidden.setEnabled(not bundle)
        self.zone.setEnabled(not bundle)
        self.note.setText(
            "The bundle is lossless: it always holds hidden entries and every revision, "
            "with times in UTC."
            if bundle
            else "Times are shown in this zone, with UTC alongside. Pinned entries are "
            "always included and marked."
        )
        self._zone_typed()
        current = self.path.text().strip()
        suggested = service.default_name(self.incident_id, "incident", fmt)
        if not current:
            folder = Path(_remembered(self.settings, "folder", str(Path.home())))
            self.path.setText(str((folder if folder.is_dir() else Path.home()) / suggested))
        else:
            p = Path(current)
            stem = p.name.split(".")[0]
            self.path.setText(str(p.with_name(stem + service.SUFFIX[fmt])))

    def _browse(self) -> None:
        name = _pick_save(self, "Export to", self.path.text(), self.chosen_format())
        if name:
            self.path.setText(name)

    def start(self) -> None:
        """Export with the current choices (the Export button)."""
        target = self.path.text().strip()
        if not target:
            self.status.setText("Choose a file first.")
            return
        fmt = self.chosen_format()
        if fmt != "json" and not self.zone.is_valid():
            self.status.setText(self.zone.hint.text())
            return
        tz = self.zone.zone()
        self.buttons.setEnabled(False)
        self.status.setText("Exporting…")
        hidden, author = self.hidden.isChecked(), self.author

        def work() -> str:
            service.export_to_file(
                self.store,
                self.incident_id,
                fmt,
                Path(target),
                tz=tz,
                include_hidden=hidden,
                author=author,
            )
            return target

        if fmt == "pdf":  # Qt text layout: on the UI thread (1,000 entries < 1 s)
            try:
                self._done(work())
            except Exception as exc:
                self._failed(exc)
            return
        run_task(self, work, self._done, self._failed, name="export")

    def _done(self, target: str) -> None:
        self.buttons.setEnabled(True)
        _remember(
            self.settings,
            export_format=self.chosen_format(),
            zone=self.zone.zone(),
            folder=str(Path(target).parent),
        )
        self.status.setText(f"Exported to {target}")
        self.exported.emit(target)
        self.accept()

    def _failed(self, exc: BaseException) -> None:
        self.buttons.setEnabled(True)
        msg = str(exc) if isinstance(exc, WarroomError) else f"export failed: {exc}"
        if not isinstance(exc, WarroomError):
            log.error("export failed", exc_info=exc)
        self.status.setText(msg)
        self.failed.emit(msg)


# -- import -------------------------------------------------------------------------------


class ImportPreviewDialog(QDialog):
    """What a bundle would add, update and mark as conflicting; imports on request.

    Signals:
        ready(): the preview is shown (or the refusal).
        imported(object): the MergeReport of the real import.
    """

    ready = Signal()
    imported = Signal(object)

    def __init__(self, store: Store, path: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("handover-import")
        self.setWindowTitle(f"Import handover bundle: {Path(path).name}")
        self.store, self.path = store, Path(path)
        self.doc: BundleDoc | None = None
        self.report: MergeReport | None = None
        self.error: str | None = None
        self.importing = False
        self.summary = QLabel("Reading and checking the bundle…")
        self.summary.setWordWrap(True)
        self.summary.setTextFormat(Qt.TextFormat.PlainText)
        self.tree = QTreeWidget()
        self.tree.setHeaderLabels(["What", "Detail"])
        self.tree.setRootIsDecorated(True)
        self.tree.setColumnWidth(0, 260)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.import_button = self.buttons.addButton(
            "Import", QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.import_button.setEnabled(False)
        self.buttons.accepted.connect(self.commit)
        self.buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addWidget(self.summary)
        lay.addWidget(self.tree, 1)
        lay.addWidget(self.buttons)
        self.resize(720, 460)
        # The window keeps its closed dialogs; the parsed bundle (about 230 MB for
        # 100,000 entries) must not stay with this one.
        self.finished.connect(self._release)

    def _release(self) -> None:
        self.doc = None

    def load(self, *, background: bool = True) -> None:
        """Parse, verify and dry-run the merge (off the UI thread by default)."""
        from warroom.handover.bundle import read_bundle_file
        from warroom.handover.merge import merge_bundle

        def work() -> tuple[BundleDoc, MergeReport]:
            doc = read_bundle_file(self.path)
            return doc, merge_bundle(self.store, doc, dry_run=True, where=str(self.path))

        if not background:
            try:
                self._previewed(work())
            except Exception as exc:
                self._refused(exc)
            return
        run_task(self, work, self._previewed, self._refused, name="import-preview")

    def _refused(self, exc: BaseException) -> None:
        self.error = str(exc) if isinstance(exc, WarroomError) else f"cannot import: {exc}"
        if not isinstance(exc, WarroomError):
            log.error("import preview failed", exc_info=exc)
        self.summary.setText(
            f"This bundle cannot be imported. Nothing was changed.\n\n{self.error}"
        )
        self.import_button.setEnabled(False)
        self.ready.emit()

    def _previewed(self, result: tuple[BundleDoc, MergeReport]) -> None:
        self.doc, self.report = result
        rep = self.report
        self.summary.setText(
            "Checksum verified. Nothing has been changed yet.\n\n" + "\n".join(rep.lines())
        )
        self.tree.clear()
        by_id = {e["id"]: e for e in self.doc["entries"]}

        def text_of(eid: str) -> str:
            e = by_id.get(eid)
            if not e:
                return eid
            cur = max(e["revisions"], key=lambda r: (r["recorded_at"], r["id"]))
            return " ".join(cur["text"].split())[:160]

        shown = 500  # rows per group: the rest is counted, and not built (UI thread)

        def group(title: str, keys: list[str], detail: Callable[[str], str]) -> None:
            if not keys:
                return
            top = QTreeWidgetItem([f"{title} ({len(keys):,})", ""])
            top.setData(0, Qt.ItemDataRole.UserRole, title)
            for key in keys[:shown]:
                QTreeWidgetItem(top, [key, detail(key)])
            if len(keys) > shown:
                QTreeWidgetItem(top, [f"… and {len(keys) - shown:,} more", ""])
            self.tree.addTopLevelItem(top)

        values = rep.incident_values
        actions = {a["id"]: a["text"] for a in self.doc["action_items"]}
        group("Conflicting edits (both kept, newer current)", rep.conflicts, text_of)
        group(
            "Incident fields that change",
            list(values),
            lambda f: f"{values[f][0] or '—'} → {values[f][1] or '—'}",
        )
        group("Entries to add", rep.entries_added, text_of)
        group("Entries with new revisions", rep.entries_updated, text_of)
        group("Action items to add", rep.actions_added, actions.__getitem__)
        group("Action items to update", rep.actions_updated, actions.__getitem__)
        top = self.tree.topLevelItem(0)
        if top is not None:
            top.setExpanded(True)
        self.import_button.setEnabled(not rep.unchanged)
        if rep.unchanged:
            self.import_button.setText("Nothing to import")
        self.ready.emit()

    def commit(self, *, background: bool = True) -> None:
        """Import for real: one transaction, re-checked against the workspace as it is now.

        Off the UI thread like the preview: 100,000 entries take over a second, and the
        window must keep painting meanwhile. The dialog cannot be cancelled then (the
        transaction either lands whole or not at all)."""
        from warroom.handover.merge import merge_bundle

        if self.doc is None or not self.import_button.isEnabled():
            return
        doc = self.doc
        self.importing = True
        self.import_button.setEnabled(False)
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setEnabled(False)
        self.summary.setText(f"Importing {len(doc['entries']):,} entries…")

        def work() -> MergeReport:
            return merge_bundle(self.store, doc, where=str(self.path))

        if not background:
            try:
                self._done(work())
            except Exception as exc:
                self._import_failed(exc)
            return
        run_task(self, work, self._done, self._import_failed, name="import")

    def reject(self) -> None:
        if not self.importing:  # Escape and the close button wait for the import too
            super().reject()

    def _done(self, report: MergeReport) -> None:
        self.importing = False
        self.report = report
        self.imported.emit(report)
        self.accept()

    def _import_failed(self, exc: BaseException) -> None:
        self.importing = False
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setEnabled(True)
        self._refused(exc)


# -- hand over ---------------------------------------------------------------------------------


class HandoverDialog(QDialog):
    """Preview the brief, save it, and record the handover (from, to, acknowledged).

    Signals:
        handed_over(object): the ``handover`` entry that was logged.
    """

    handed_over = Signal(object)

    def __init__(
        self,
        timeline: Timeline,
        incident_id: str,
        parent: QWidget | None = None,
        settings: QSettings | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("handover-brief")
        self.tl, self.incident_id, self.settings = timeline, incident_id, settings
        inc = timeline.incident(incident_id)
        self.setWindowTitle(f"Hand over: {inc.title}")
        # Who hands over: the commander (command passes from them), else the user.
        self.from_ = QLineEdit(inc.commander or timeline.author)
        self.to = QLineEdit(inc.next_commander)
        self.to.setPlaceholderText("Who takes over command")
        self.zone = ZoneField(_default_zone(settings))
        self.format = QComboBox()
        for key in service.BRIEF_FORMATS:
            self.format.addItem(FORMAT_LABELS[key], key)
        fmt = _remembered(settings, "brief_format", "md")
        fmt = fmt if fmt in service.BRIEF_FORMATS else "md"
        self.format.setCurrentIndex(self.format.findData(fmt))
        folder = Path(_remembered(settings, "folder", str(Path.home())))
        folder = folder if folder.is_dir() else Path.home()
        self.path = QLineEdit(str(folder / service.default_name(incident_id, "brief", fmt)))
        self.ack = QCheckBox("The incoming commander has read the brief and takes over")
        form = QFormLayout()
        form.addRow("From", self.from_)
        form.addRow("To", self.to)
        form.addRow("Time zone", self.zone)
        form.addRow("Save brief as", self.format)
        row = QHBoxLayout()
        browse = QPushButton("Browse…")
        browse.clicked.connect(self._browse)
        row.addWidget(self.path, 1)
        row.addWidget(browse)
        form.addRow("File", row)
        self.preview = browser()
        self.preview.setObjectName("handover-preview")
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.go = self.buttons.addButton("Hand over", QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.accepted.connect(self.hand_over)
        self.buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addLayout(form)
        lay.addWidget(self.preview, 1)
        lay.addWidget(self.ack)
        lay.addWidget(self.status)
        lay.addWidget(self.buttons)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(300)
        self._timer.timeout.connect(self.refresh)
        self.finished.connect(lambda _r: self._timer.stop())
        for w in (self.to, self.from_):
            w.textChanged.connect(self._changed)
            w.textChanged.connect(self._timer.start)
        self.zone.changed.connect(self.refresh)
        self.zone.combo.currentTextChanged.connect(lambda _t: self._changed())
        self.format.currentIndexChanged.connect(self._format_changed)
        self.ack.toggled.connect(lambda _on: self._changed())
        self.resize(820, 760)
        self.refresh()
        self._changed()

    def brief(self) -> Brief:
        from warroom.handover.brief import build_brief

        tz = self.zone.zone()  # the last valid one: half-typed text never reaches here
        return build_brief(
            self.tl.store,
            self.incident_id,
            prepared_by=self.from_.text().strip(),
            prepared_for=self.to.text().strip(),
            tz=tz,
        )

    def refresh(self) -> None:
        from warroom.handover.brief import render_brief_html

        self.preview.setHtml(render_brief_html(self.brief(), qt=True))

    def _format_changed(self) -> None:
        fmt = str(self.format.currentData())
        p = Path(self.path.text().strip() or "brief")
        self.path.setText(str(p.with_name(p.name.split(".")[0] + service.SUFFIX[fmt])))

    def _browse(self) -> None:
        name = _pick_save(self, "Save brief as", self.path.text(), str(self.format.currentData()))
        if name:
            self.path.setText(name)

    def _changed(self) -> None:
        ok = bool(self.to.text().strip() and self.from_.text().strip() and self.ack.isChecked())
        self.go.setEnabled(ok and self.zone.is_valid())
        if not self.zone.is_valid():
            self.status.setText("Choose a time zone (see the hint above).")
        elif not self.to.text().strip():
            self.status.setText("Name who takes over.")
        elif not self.ack.isChecked():
            self.status.setText("Tick the box once the incoming commander has acknowledged.")
        else:
            self.status.setText("")

    def hand_over(self) -> None:
        """Save the brief (if a file is given) and log the handover entry."""
        target = self.path.text().strip()
        b = self.brief()
        try:
            if target:
                service.write_brief(b, str(self.format.currentData()), Path(target))
            entry = service.record_handover(
                self.tl,
                self.incident_id,
                to=self.to.text(),
                from_=self.from_.text(),
                brief_file=target or None,
            )
        except WarroomError as exc:
            self.status.setText(str(exc))
            return
        _remember(self.settings, brief_format=str(self.format.currentData()), zone=self.zone.zone())
        if target:
            _remember(self.settings, folder=str(Path(target).parent))
        self.handed_over.emit(entry)
        self.accept()


def bundle_paths(urls: Sequence[QUrl]) -> list[Path]:
    """Local files among dropped URLs that look like bundles (.json)."""
    out = []
    for u in urls:
        if u.isLocalFile():
            p = Path(u.toLocalFile())
            if p.suffix.lower() == ".json":
                out.append(p)
    return out


def looks_like_bundle(path: Path) -> bool:
    """A cheap sniff (first 4 KB) so that any .json is not offered as a bundle."""
    try:
        with path.open("rb") as fh:
            head = fh.read(4096)
    except OSError:
        return False
    return b'"warroom-bundle"' in head or json.dumps("warroom-bundle").encode() in head
