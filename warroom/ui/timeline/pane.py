"""The timeline pane: header, filters, the entry list, and the capture line.

Keyboard first (see docs/timeline.md). Entries written by another process (the
command line, an import) appear within a poll interval: ``store.data_version()`` is
read every ``POLL_MS`` and the id list is re-read only when it changed.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import tzinfo
from typing import Any

import shiboken6
from PySide6.QtCore import QModelIndex, QPoint, Qt, QTimer
from PySide6.QtGui import QAction, QKeySequence, QUndoStack
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from warroom.base import timeutil
from warroom.base.errors import WarroomError
from warroom.domain import incidents as d
from warroom.domain.incidents import Entry, Incident
from warroom.services.timeline import AUTHOR_KEY, Timeline, default_author
from warroom.store import timeline as q
from warroom.store.timeline import EntryFilter
from warroom.ui import icons, settings
from warroom.ui.context import UiContext
from warroom.ui.timeline import dialogs, render
from warroom.ui.timeline.capture import CaptureBar
from warroom.ui.timeline.delegate import EntryDelegate, TextEditor
from warroom.ui.timeline.model import (
    COL_AUTHOR,
    COL_KIND,
    COL_PIN,
    COL_TAGS,
    COL_TEXT,
    COL_TIME,
    TimelineModel,
)
from warroom.ui.timeline.undo import (
    CaptureCommand,
    EditCommand,
    HideCommand,
    PinCommand,
    UnhideCommand,
)
from warroom.ui.timeline.view import TimelineView

log = logging.getLogger(__name__)

POLL_MS = 400
NARROW = 720  # px: below this the tags column folds away
VERY_NARROW = 600  # px: below this the author goes under the time
FULL_RELOAD_AFTER = 2000  # changed entries beyond which re-reading the id list is cheaper

# (action id, text, shortcut, scope) -- scope "pane": anywhere in the pane; "list": the list.
SHORTCUTS: tuple[tuple[str, str, str, str], ...] = (
    ("focus_capture", "Focus the capture line", "Ctrl+L", "pane"),
    ("focus_search", "Search the timeline", "Ctrl+F", "pane"),
    ("prev_entry", "Previous entry", "Alt+Up", "pane"),
    ("next_entry", "Next entry", "Alt+Down", "pane"),
    ("last_entry", "Last entry", "Alt+End", "pane"),
    ("pin", "Pin / unpin the selected entry", "Ctrl+Shift+P", "pane"),
    ("edit_text", "Edit the selected entry's text", "F2", "pane"),
    ("edit_time", "Edit the selected entry's time", "Shift+F2", "pane"),
    ("hide", "Hide the selected entry (with a reason)", "Delete", "list"),
    ("history", "History of the selected entry", "Ctrl+Shift+H", "pane"),
    ("insert", "Insert an entry after the selected one", "Ctrl+Shift+I", "pane"),
    ("expand", "Show the full text of the selected entry", "Space", "list"),
    ("new_incident", "New incident", "Ctrl+Shift+N", "pane"),
    ("pick_incident", "Choose the incident", "Ctrl+Shift+K", "pane"),
    ("edit_incident", "Incident status and roles", "Ctrl+Shift+E", "pane"),
    ("undo", "Undo (appends: see docs)", "Ctrl+Z", "pane"),
    ("redo", "Redo", "Ctrl+Shift+Z", "pane"),
)


def _dedupe_future(warnings: list[str]) -> list[str]:
    """The core may warn twice about one future time (parsed, then logged): say it once."""
    out: list[str] = []
    for w in warnings:
        if "in the future" in w and any("in the future" in o for o in out):
            continue
        out.append(w)
    return out


class ChoiceCombo(QComboBox):
    """A filter choice whose items are re-read when it opens (tags, authors)."""

    def __init__(self, everything: str, loader: Callable[[], list[str]]) -> None:
        super().__init__()
        self._everything = everything
        self._loader = loader
        self.addItem(everything, "")
        self.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)

    def reload(self) -> None:
        cur = self.value()
        self.blockSignals(True)
        self.clear()
        self.addItem(self._everything, "")
        for v in self._loader():
            self.addItem(v, v)
        i = self.findData(cur)
        if i < 0 and cur:
            self.addItem(cur, cur)
            i = self.count() - 1
        self.setCurrentIndex(max(0, i))
        self.blockSignals(False)

    def showPopup(self) -> None:
        self.reload()
        super().showPopup()

    def value(self) -> str:
        return str(self.currentData() or "")

    def set_value(self, v: str) -> None:
        i = self.findData(v)
        if i < 0 and v:
            self.addItem(v, v)
            i = self.count() - 1
        self.setCurrentIndex(max(0, i))


class TimelinePane(QWidget):
    """The incident timeline of the active incident. ``TimelinePane(ctx)``."""

    view: TimelineView
    model: TimelineModel

    def __init__(
        self,
        ctx: UiContext,
        parent: QWidget | None = None,
        *,
        poll_ms: int = POLL_MS,
        tz: tzinfo | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("timeline-pane")
        self.ctx = ctx
        self.tz = tz
        self.incident: Incident | None = None
        self.undo_stack = QUndoStack(self)
        self.actions_by_id: dict[str, QAction] = {}
        self._dialogs: list[QDialog] = []
        self._refresh_pending = False
        self._marks: tuple[int, int] = (0, 0)
        self._listing: list[tuple[str, str, str, str]] = []
        self._keep_sel: str | None = None
        self._keep_top: str | None = None
        lay = QVBoxLayout(self)
        lay.setContentsMargins(6, 6, 6, 6)
        lay.setSpacing(4)
        store = ctx.store
        if store is None:
            lay.addWidget(QLabel("No workspace is open, so there is no timeline to show."))
            self.tl: Timeline | None = None
            return
        self.store = store
        self.tl = Timeline(store)
        self.tl.subscribe(self._on_write)
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(200)
        self._search_timer.timeout.connect(self.apply_filters)
        self._relayout = QTimer(self)
        self._relayout.setSingleShot(True)
        self._relayout.setInterval(0)
        self._relayout.timeout.connect(lambda: self.view.forget_heights())

        self.header = dialogs.IncidentHeader()
        self.header.tz = tz
        self.header.incident_chosen.connect(self._choose)
        self.header.new_requested.connect(self.new_incident)
        self.header.edit_requested.connect(self.edit_incident)
        self.header.milestones_requested.connect(self.edit_milestones)
        lay.addWidget(self.header)

        lay.addWidget(self._build_filters())

        self.model = TimelineModel(store, self)
        self.model.tz = tz
        self.model.edit_hook = self._edit_hook
        self.view = TimelineView()
        self.view.setObjectName("timeline-view")
        self.view.setModel(self.model)
        self.delegate = EntryDelegate(self.view)
        self.view.setItemDelegate(self.delegate)
        self.view.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.view.customContextMenuRequested.connect(self._context_menu)
        self.view.doubleClicked.connect(self._double_clicked)
        self.view.setAccessibleName("Timeline entries")
        hdr = self.view.horizontalHeader()
        hdr.setStretchLastSection(False)
        fm = self.view.fontMetrics()
        widths = {
            COL_PIN: 24,
            COL_KIND: 30,
            COL_TIME: fm.horizontalAdvance("Wed 30 Sep 23:59:59  ") + 8,
            COL_AUTHOR: fm.horizontalAdvance("Alice Keller") + 12,
            COL_TAGS: fm.horizontalAdvance("#resolver") + 12,
        }
        for col, w in widths.items():
            hdr.setSectionResizeMode(col, QHeaderView.ResizeMode.Interactive)
            hdr.resizeSection(col, w)
        hdr.setSectionResizeMode(COL_PIN, QHeaderView.ResizeMode.Fixed)
        hdr.setSectionResizeMode(COL_KIND, QHeaderView.ResizeMode.Fixed)
        hdr.setSectionResizeMode(COL_TEXT, QHeaderView.ResizeMode.Stretch)
        hdr.setMinimumSectionSize(20)
        hdr.sectionResized.connect(self._column_resized)
        self.model.modelReset.connect(self._after_reset)
        # Follow the tail (like a chat) while the newest entry is in view.
        self._tail = True
        sb = self.view.verticalScrollBar()
        sb.rangeChanged.connect(self._range_changed)
        sb.valueChanged.connect(self._scrolled)
        lay.addWidget(self.view, 1)

        self.capture = CaptureBar()
        self.capture.submitted.connect(self.capture_line)
        self.capture.author_chosen.connect(self.set_author)
        self.capture.set_author(self.tl.author)
        lay.addWidget(self.capture)
        # A line typed but not yet logged survives a crash or a closed window.
        self._draft = settings.TIMELINE_DRAFT.at(settings.workspace_key(ctx.data_dir))
        draft = self._draft.get(ctx.settings)
        if draft:
            self.capture.edit.setText(draft)
            self.capture.show_info("Restored the line you had not logged yet")
        self._draft_timer = QTimer(self)
        self._draft_timer.setSingleShot(True)
        self._draft_timer.setInterval(300)
        self._draft_timer.timeout.connect(self.save_draft)
        self.capture.edit.textChanged.connect(self._draft_timer.start)

        self._build_actions()
        self._wire_window_actions()

        self._dv = store.data_version()
        self._poll = QTimer(self)
        self._poll.setInterval(poll_ms)
        self._poll.timeout.connect(self.poll)
        self._poll.start()

        ctx.active_incident_changed.connect(self._active_changed)
        ctx.on_close(self.shutdown)
        start = ctx.active_incident or self._default_incident()
        self.load_incident(start)
        if store.meta_get(AUTHOR_KEY) is None:
            self.capture.ask_author(default_author(None))
        else:
            self.capture.edit.setFocus()
        self.setFocusProxy(self.capture.edit)

    # -- building --------------------------------------------------------------

    def _build_filters(self) -> QWidget:
        # Two rows: search on its own, choices below, so a narrow dock clips nothing.
        box = QWidget()
        rows = QVBoxLayout(box)
        rows.setContentsMargins(0, 0, 0, 0)
        rows.setSpacing(3)
        top = QHBoxLayout()
        row = QHBoxLayout()
        row.setSpacing(4)
        rows.addLayout(top)
        rows.addLayout(row)
        self.search = QLineEdit()
        self.search.setObjectName("timeline-search")
        self.search.setPlaceholderText("Search text, tags and authors (Ctrl+F)")
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(lambda _t: self._search_timer.start())
        self.search.returnPressed.connect(self.apply_filters)
        top.addWidget(self.search, 1)
        self.kind_button = QToolButton()
        self.kind_button.setObjectName("timeline-kinds")
        self.kind_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        menu = QMenu(self.kind_button)
        self.kind_actions: dict[str, QAction] = {}
        for k in d.Kind:
            a = menu.addAction(icons.kind_icon(k.value), k.value)
            a.setCheckable(True)
            a.toggled.connect(lambda _on: self.apply_filters())
            self.kind_actions[k.value] = a
        self.kind_button.setMenu(menu)
        self.kind_button.setToolTip("Show only some kinds of entry")
        row.addWidget(self.kind_button)
        self.tag_combo = ChoiceCombo("All tags", self._tags)
        self.tag_combo.setObjectName("timeline-tag")
        self.tag_combo.currentIndexChanged.connect(lambda _i: self.apply_filters())
        row.addWidget(self.tag_combo)
        self.author_combo = ChoiceCombo("All authors", self._authors)
        self.author_combo.setObjectName("timeline-author-filter")
        self.author_combo.currentIndexChanged.connect(lambda _i: self.apply_filters())
        row.addWidget(self.author_combo)
        # Toggle buttons rather than check boxes: their state reads on every palette.
        self.pinned_box = QToolButton()
        self.pinned_box.setText("Pinned only")
        self.pinned_box.setIcon(icons.icon("pin"))
        self.pinned_box.setCheckable(True)
        self.pinned_box.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.pinned_box.setObjectName("timeline-pinned")
        self.pinned_box.toggled.connect(lambda _on: self.apply_filters())
        row.addWidget(self.pinned_box)
        self.hidden_box = QToolButton()
        self.hidden_box.setText("Show hidden")
        self.hidden_box.setIcon(icons.icon("hidden"))
        self.hidden_box.setCheckable(True)
        self.hidden_box.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.hidden_box.setObjectName("timeline-show-hidden")
        self.hidden_box.setToolTip("Also list hidden entries, struck through, with their reason")
        self.hidden_box.toggled.connect(lambda _on: self.apply_filters())
        row.addWidget(self.hidden_box)
        row.addStretch(1)
        self.count_label = QLabel()
        self.count_label.setObjectName("timeline-count")
        top.addWidget(self.count_label)
        self._update_kind_button()
        return box

    def _build_actions(self) -> None:
        handlers: dict[str, Callable[[], Any]] = {
            "focus_capture": self.focus_capture,
            "focus_search": self.focus_search,
            "prev_entry": lambda: self.move_selection(-1),
            "next_entry": lambda: self.move_selection(1),
            "last_entry": self.select_last,
            "pin": self.toggle_pin,
            "edit_text": lambda: self.start_edit(COL_TEXT),
            "edit_time": lambda: self.start_edit(COL_TIME),
            "hide": self.hide_selected,
            "history": self.show_history,
            "insert": self.insert_after_selected,
            "expand": self.expand_selected,
            "new_incident": self.new_incident,
            "pick_incident": self.header.picker.setFocus,
            "edit_incident": self.edit_incident,
            "undo": self.undo,
            "redo": self.redo,
        }
        window = self.ctx.actions
        for key, text, keys, scope in SHORTCUTS:
            # The main window owns Find/Undo/Redo: we plug into its actions instead of
            # adding a second binding for the same keys (that would be ambiguous).
            shared = {"focus_search": "find", "undo": "undo", "redo": "redo"}.get(key)
            if shared and shared in window:
                continue
            act = QAction(text, self)
            act.setObjectName(f"timeline-{key}")
            seq = [QKeySequence(keys)]
            if key == "redo":
                seq.append(QKeySequence("Ctrl+Y"))
            act.setShortcuts(seq)
            act.triggered.connect(lambda _c=False, fn=handlers[key]: fn())
            if scope == "list":
                act.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
                self.view.addAction(act)
            else:
                act.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
                self.addAction(act)
            self.actions_by_id[key] = act
            # Listed in the window's Help ▸ Keyboard shortcuts.
            self.ctx.actions[f"timeline_{key}"] = act
        self.undo_stack.canUndoChanged.connect(self._undo_state)
        self.undo_stack.canRedoChanged.connect(self._undo_state)

    def _wire_window_actions(self) -> None:
        acts = self.ctx.actions
        if "find" in acts:
            acts["find"].setEnabled(True)
            acts["find"].triggered.connect(self.focus_search)
        for key, fn in (("undo", self.undo), ("redo", self.redo)):
            if key in acts:
                acts[key].triggered.connect(fn)
        self._undo_state()

    def _undo_state(self, *_a: object) -> None:
        for key, can, label in (
            ("undo", self.undo_stack.canUndo(), self.undo_stack.undoText()),
            ("redo", self.undo_stack.canRedo(), self.undo_stack.redoText()),
        ):
            act = self.ctx.actions.get(key) or self.actions_by_id.get(key)
            if act is not None:
                act.setEnabled(can)
                act.setStatusTip(f"{key.capitalize()} {label}" if can else "")

    # -- incidents ----------------------------------------------------------------

    def _default_incident(self) -> str | None:
        assert self.tl is not None
        try:
            return self.tl.resolve_incident_id("latest")
        except WarroomError:
            return None

    def _active_changed(self, iid: object) -> None:
        if iid != (self.incident.id if self.incident else None):
            self.load_incident(str(iid) if iid else None)

    def _choose(self, iid: str) -> None:
        self.load_incident(iid)

    def load_incident(self, iid: str | None) -> None:
        """Show ``iid`` (None: nothing) and make it the window's active incident."""
        assert self.tl is not None
        inc = None
        if iid:
            try:
                inc = self.tl.incident(iid)
            except WarroomError as exc:
                self.capture.show_error(str(exc))
        changed = (inc.id if inc else None) != (self.incident.id if self.incident else None)
        self.incident = inc
        if changed:
            self.undo_stack.clear()
        incidents = self.tl.incidents()
        self._listing = [(i.id, i.title, i.severity, i.status) for i in incidents]
        self.header.set_incidents(incidents, inc.id if inc else None)
        self.header.set_incident(inc)
        self.apply_filters()
        self.select_last()
        if inc is not None:
            self.ctx.set_active_incident(inc.id, inc.title)
        else:
            self.ctx.set_active_incident(None)

    def new_incident(self) -> QDialog:
        assert self.tl is not None
        tl = self.tl

        def create(title: str, **kw: Any) -> Incident:
            return tl.new_incident(title, **kw)

        dlg = dialogs.NewIncidentDialog(create, self)
        dlg.accepted.connect(lambda: self.load_incident(dlg.created.id))
        return self._open(dlg)

    def edit_incident(self) -> QDialog | None:
        if self.incident is None or self.tl is None:
            return None
        tl, iid = self.tl, self.incident.id
        dlg = dialogs.IncidentDialog(self.incident, lambda **kw: tl.set_incident(iid, **kw), self)
        dlg.accepted.connect(lambda: self._after_incident_dialog(dlg))
        return self._open(dlg)

    def edit_milestones(self) -> QDialog | None:
        if self.incident is None or self.tl is None:
            return None
        tl, iid = self.tl, self.incident.id
        dlg = dialogs.MilestonesDialog(
            self.incident, lambda **kw: tl.set_incident(iid, **kw), self.tz, self
        )
        dlg.accepted.connect(lambda: self._after_incident_dialog(dlg))
        return self._open(dlg)

    def _after_incident_dialog(self, dlg: dialogs._ApplyDialog) -> None:
        if dlg.result_warnings:
            self.capture.show_warning("; ".join(dlg.result_warnings))
        self.refresh()

    def _open(self, dlg: QDialog) -> QDialog:
        dlg.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self._dialogs.append(dlg)
        dlg.finished.connect(lambda _r: self._dialogs.remove(dlg) if dlg in self._dialogs else None)
        dlg.open()
        return dlg

    # -- filters ----------------------------------------------------------------------

    def _tags(self) -> list[str]:
        return q.tags(self.store, self.incident.id) if self.incident else []

    def _authors(self) -> list[str]:
        return q.authors(self.store, self.incident.id) if self.incident else []

    def _update_kind_button(self) -> None:
        on = [k for k, a in self.kind_actions.items() if a.isChecked()]
        self.kind_button.setText("All kinds" if not on else ", ".join(on))

    def current_filter(self) -> EntryFilter | None:
        if self.incident is None:
            return None
        return EntryFilter(
            incident=self.incident.id,
            search=self.search.text().strip(),
            kinds=tuple(k for k, a in self.kind_actions.items() if a.isChecked()),
            tag=self.tag_combo.value(),
            author=self.author_combo.value(),
            pinned_only=self.pinned_box.isChecked(),
            include_hidden=self.hidden_box.isChecked(),
        )

    def set_filters(
        self,
        *,
        search: str | None = None,
        kinds: tuple[str, ...] | list[str] | None = None,
        tag: str | None = None,
        author: str | None = None,
        pinned_only: bool | None = None,
        include_hidden: bool | None = None,
    ) -> None:
        """Set several filters at once (one reload)."""
        widgets: list[QWidget | QAction] = [
            self.search, self.tag_combo, self.author_combo, self.pinned_box, self.hidden_box,
            *self.kind_actions.values(),
        ]  # fmt: skip
        for w in widgets:
            w.blockSignals(True)
        try:
            if search is not None:
                self.search.setText(search)
            if kinds is not None:
                for k, a in self.kind_actions.items():
                    a.setChecked(k in kinds)
            if tag is not None:
                self.tag_combo.set_value(tag.lstrip("#").lower())
            if author is not None:
                self.author_combo.set_value(author)
            if pinned_only is not None:
                self.pinned_box.setChecked(pinned_only)
            if include_hidden is not None:
                self.hidden_box.setChecked(include_hidden)
        finally:
            for w in widgets:
                w.blockSignals(False)
        self.apply_filters()

    def apply_filters(self) -> None:
        self._search_timer.stop()
        self._update_kind_button()
        keep = self.selected_id()
        if self.tl is not None:
            self._marks = q.change_marks(self.store)
        self.model.set_filter(self.current_filter(), tail_first=True)
        self.view.after_next_paint(self.model.complete_ids)
        self.delegate.clear_cache()
        if keep and self.model.row_of(keep) is not None:
            self.select_entry(keep)
        else:
            self.view.scrollToBottom()
        self._update_count()

    def _update_count(self) -> None:
        n = self.model.rowCount()
        flt = self.model.flt
        filtered = flt is not None and (
            flt.search or flt.kinds or flt.tag or flt.author or flt.pinned_only
        )
        nouns = ("match", "matches") if filtered else ("entry", "entries")
        noun = nouns[0] if n == 1 else nouns[1]
        self.count_label.setText(f"{n:,} {noun}")

    # -- live updates -------------------------------------------------------------------

    def _on_write(self, what: str, _ident: str) -> None:
        if not self._refresh_pending:
            self._refresh_pending = True
            QTimer.singleShot(0, self._refresh_unless_editing)

    def poll(self) -> None:
        """Cheap: one pragma; looks for changed entries only when someone committed."""
        try:
            dv = self.store.data_version()
        except Exception:  # a closed store at shutdown
            self._poll.stop()
            return
        if dv != self._dv:
            self._refresh_unless_editing()

    def _refresh_unless_editing(self) -> None:
        self._refresh_pending = False
        if self.view.state() == QAbstractItemView.State.EditingState:
            # An inline editor is open: moving or removing its row would drop what is
            # being typed. The next poll looks again once it is closed.
            return
        self.refresh()

    def refresh(self) -> None:
        """Show what changed since the last look, keeping selection and scroll position.

        Entries created or revised since then (by us or by any other process) are found
        by rowid, so a change costs a few small queries, not a re-read of every id.
        """
        self._refresh_pending = False
        if self.tl is None:
            return
        self._dv = self.store.data_version()
        self._refresh_incident()
        if self.incident is None or self.model.flt is None:
            return
        marks = q.change_marks(self.store)  # first: later commits are seen next time
        ids = q.changed_entry_ids(self.store, self.incident.id, self._marks)
        self._marks = marks
        if not ids:
            return
        at_bottom = self._tail
        self._keep_sel = self.selected_id()
        self._keep_top = self._top_id()
        if len(ids) > FULL_RELOAD_AFTER:
            changed = self.model.refresh()
        else:
            changed = self.model.update_entries(ids)
        self._keep_sel = self._keep_top = None
        if changed:
            self._update_count()
            if at_bottom:
                self.view.scrollToBottom()

    def save_draft(self) -> None:
        """Keep the capture line's unlogged text in the settings (empty: forget it)."""
        self._draft_timer.stop()
        text = self.capture.edit.text()
        if text.strip():
            self._draft.set(self.ctx.settings, text)
        else:
            self._draft.remove(self.ctx.settings)
        self.ctx.settings.sync()

    def _refresh_incident(self) -> None:
        assert self.tl is not None
        incidents = self.tl.incidents()
        current = self.incident.id if self.incident else None
        inc = next((i for i in incidents if i.id == current), None)
        if inc != self.incident:
            self.incident = inc
            self.header.set_incident(inc)
        listing = [(i.id, i.title, i.severity, i.status) for i in incidents]
        if listing != self._listing:
            self._listing = listing
            self.header.set_incidents(incidents, current)

    def _top_id(self) -> str | None:
        ix = self.view.indexAt(QPoint(2, 2))
        return self.model.ids()[ix.row()] if ix.isValid() else None

    def _after_reset(self) -> None:
        keep, top = self._keep_sel, self._keep_top
        if keep:
            QTimer.singleShot(0, lambda: self._restore(keep, top))

    def _restore(self, keep: str, top: str | None) -> None:
        row = self.model.row_of(keep)
        if row is not None:
            self.view.setCurrentIndex(self.model.index(row, COL_TEXT))
        trow = self.model.row_of(top) if top else None
        if trow is not None:
            self.view.scrollTo(
                self.model.index(trow, 0), QAbstractItemView.ScrollHint.PositionAtTop
            )

    def resizeEvent(self, e: Any) -> None:
        super().resizeEvent(e)
        if self.tl is not None:
            # Narrow dock: tags are in the text as #tags anyway, and the author moves
            # under the time; the text needs the room.
            self.view.setColumnHidden(COL_TAGS, self.width() < NARROW)
            compact = self.width() < VERY_NARROW
            self.view.setColumnHidden(COL_AUTHOR, compact)
            self.model.set_compact(compact)

    def _range_changed(self, _lo: int, hi: int) -> None:
        if self._tail:
            self.view.verticalScrollBar().setValue(hi)

    def _scrolled(self, value: int) -> None:
        self._tail = value >= self.view.verticalScrollBar().maximum()

    def _column_resized(self, col: int, _old: int, _new: int) -> None:
        if col == COL_TEXT:
            self._relayout.start()

    # -- selection -------------------------------------------------------------------------

    def selected_id(self) -> str | None:
        ix = self.view.currentIndex()
        if not ix.isValid():
            return None
        return self.model.ids()[ix.row()]

    def selected_entry(self) -> Entry | None:
        return self.model.entry(self.view.currentIndex())

    def select_entry(self, entry_id: str) -> bool:
        row = self.model.row_of(entry_id)
        if row is None:
            return False
        ix = self.model.index(row, COL_TEXT)
        self.view.setCurrentIndex(ix)
        self.view.scrollTo(ix)
        return True

    def move_selection(self, step: int) -> None:
        n = self.model.rowCount()
        if not n:
            return
        cur = self.view.currentIndex()
        row = (n - 1 if step < 0 else 0) if not cur.isValid() else cur.row() + step
        row = max(0, min(n - 1, row))
        ix = self.model.index(row, COL_TEXT)
        self.view.setCurrentIndex(ix)
        self.view.scrollTo(ix)

    def select_last(self) -> None:
        n = self.model.rowCount()
        if n:
            ix = self.model.index(n - 1, COL_TEXT)
            self.view.setCurrentIndex(ix)
            self.view.scrollTo(ix, QAbstractItemView.ScrollHint.PositionAtBottom)
        self._tail = True

    def focus_capture(self) -> None:
        self.capture.edit.setFocus()

    def focus_search(self) -> None:
        self.search.setFocus()
        self.search.selectAll()

    # -- writing -----------------------------------------------------------------------

    def _error(self, text: str) -> None:
        self.capture.show_error(text)

    def set_author(self, name: str) -> None:
        assert self.tl is not None
        try:
            self.tl.set_author(name)
        except WarroomError as exc:
            self.capture.show_error(str(exc))
            return
        self.capture.author_saved(self.tl.author)

    def capture_line(self, text: str) -> str | None:
        """Log ``text`` as typed on the capture line; returns the new entry id."""
        if self.tl is None:
            return None
        if self.incident is None:
            self.capture.refused("there is no incident yet: start one with New… (Ctrl+Shift+N)")
            return None
        try:
            res = self.tl.capture(self.incident.id, text, tz=self.tz)
        except WarroomError as exc:
            self.capture.refused(str(exc))
            return None
        e: Entry = res.value
        res.warnings = _dedupe_future(res.warnings)
        self.undo_stack.push(CaptureCommand(self.tl, e.id, self._error))
        self.refresh()
        if not self.select_entry(e.id) and self.model.rowCount():
            # Filtered out of the view: say so instead of leaving the user wondering.
            res.warnings.append("the entry is logged but hidden by the current filter")
        self.capture.accepted(res.warnings)
        return e.id

    def _edit_hook(self, entry_id: str, field: str, value: Any) -> bool:
        return self.edit_entry(entry_id, **{field: value})

    def edit_entry(self, entry_id: str, **changes: Any) -> bool:
        """A new revision of ``entry_id`` (text, occurred_at, kind, tags), undoable."""
        assert self.tl is not None
        try:
            before_e = self.tl.entry(entry_id)
            res = self.tl.revise(entry_id, note="edit", **changes)
        except WarroomError as exc:
            self._error(f"Not saved: {exc}")
            return False
        after_e: Entry = res.value
        if "nothing changed" in res.warnings:
            return False
        keys = [k for k in changes if getattr(before_e, k) != getattr(after_e, k)]
        self.undo_stack.push(
            EditCommand(
                self.tl,
                entry_id,
                {k: getattr(before_e, k) for k in keys},
                {k: getattr(after_e, k) for k in keys},
                self._error,
            )
        )
        if res.warnings:
            self.capture.show_warning("Saved, but: " + "; ".join(res.warnings))
        self.refresh()
        self.select_entry(entry_id)
        return True

    def start_edit(self, column: int) -> None:
        ix = self.view.currentIndex()
        if ix.isValid():
            ix = self.model.index(ix.row(), column)
            self.view.setCurrentIndex(ix)
            self.view.edit(ix)

    def undo(self) -> None:
        """Undo the last write of this pane (by appending; see undo.py)."""
        self.undo_stack.undo()
        self.refresh()

    def redo(self) -> None:
        self.undo_stack.redo()
        self.refresh()

    def toggle_pin(self) -> None:
        e = self.selected_entry()
        if e is None or self.tl is None:
            return
        try:
            self.tl.pin(e.id, not e.pinned)
        except WarroomError as exc:
            self._error(str(exc))
            return
        self.undo_stack.push(PinCommand(self.tl, e.id, not e.pinned, self._error))
        self.refresh()

    def hide_selected(self, reason: str | None = None) -> QDialog | None:
        """Hide the selected entry; without ``reason`` a dialog asks for one."""
        e = self.selected_entry()
        if e is None or self.tl is None:
            return None
        tl = self.tl
        if e.hidden:
            self.unhide_selected()
            return None

        def apply(why: str) -> None:
            tl.hide(e.id, why)
            self.undo_stack.push(HideCommand(tl, e.id, why.strip(), self._error))
            self.refresh()

        if reason is not None:
            try:
                apply(reason)
            except WarroomError as exc:
                self._error(str(exc))
            return None
        return self._open(dialogs.HideDialog(e.text, apply, self))

    def unhide_selected(self) -> None:
        e = self.selected_entry()
        if e is None or self.tl is None or not e.hidden:
            return
        try:
            self.tl.unhide(e.id)
        except WarroomError as exc:
            self._error(str(exc))
            return
        self.undo_stack.push(UnhideCommand(self.tl, e.id, e.hidden_reason, self._error))
        self.refresh()

    def show_history(self) -> QDialog | None:
        e = self.selected_entry()
        if e is None or self.tl is None:
            return None
        return self._open(dialogs.HistoryDialog(self.tl.revisions(e.id), self.tz, self))

    def expand_selected(self) -> QDialog | None:
        e = self.selected_entry()
        if e is None:
            return None
        t = timeutil.parse_utc(e.occurred_at).astimezone(self.tz)
        title = f"{e.kind} at {t:%H:%M:%S} by {e.author} — {render.size_note(e.text)}"
        return self._open(dialogs.FullTextDialog(title, e.text, self))

    def insert_after_selected(self) -> QDialog | None:
        """A late entry; its default time is the selected entry's (it sorts after it)."""
        if self.incident is None or self.tl is None:
            return None
        e = self.selected_entry()
        default = e.occurred_at if e else timeutil.now_str()
        tl, iid = self.tl, self.incident.id

        def apply(when: str, kind: str, text: str) -> Any:
            at = timeutil.parse_user_time(when, tz=self.tz)
            res = tl.log(iid, text, kind=kind, at=at)
            self.undo_stack.push(CaptureCommand(tl, res.value.id, self._error))
            self.refresh()
            self.select_entry(res.value.id)
            return res

        return self._open(dialogs.InsertDialog(default, apply, self.tz, self))

    def change_kind(self, kind: str) -> None:
        e = self.selected_entry()
        if e is not None:
            self.edit_entry(e.id, kind=kind)

    # -- mouse -----------------------------------------------------------------------------

    def _double_clicked(self, ix: QModelIndex) -> None:
        e = self.model.entry(ix)
        if e is None:
            return
        if ix.column() == COL_TEXT and render.is_long(e.text):
            self.expand_selected()
        elif ix.column() in (COL_TEXT, COL_TIME):
            self.view.edit(ix)
        elif ix.column() == COL_PIN:
            self.toggle_pin()

    def _context_menu(self, pos: QPoint) -> None:
        ix = self.view.indexAt(pos)
        e = self.model.entry(ix)
        menu = QMenu(self)
        if e is not None:
            self.view.setCurrentIndex(ix)

            def add(text: str, fn: Callable[[], Any], key: str = "") -> None:
                a = menu.addAction(text)
                a.triggered.connect(lambda _c=False: fn())
                if key in self.actions_by_id:
                    a.setShortcut(self.actions_by_id[key].shortcut())

            add("Edit text", lambda: self.start_edit(COL_TEXT), "edit_text")
            add("Edit time", lambda: self.start_edit(COL_TIME), "edit_time")
            kinds = menu.addMenu("Change kind")
            for k in d.MANUAL_KINDS:
                a = kinds.addAction(k.value)
                a.setCheckable(True)
                a.setChecked(e.kind == k.value)
                a.triggered.connect(lambda _c=False, v=k.value: self.change_kind(v))
            add("Unpin" if e.pinned else "Pin", self.toggle_pin, "pin")
            add("Unhide" if e.hidden else "Hide…", self.hide_selected, "hide")
            add("History…", self.show_history, "history")
            add("Insert after…", self.insert_after_selected, "insert")
            if render.is_long(e.text):
                add("Show all text…", self.expand_selected, "expand")
        else:
            menu.addAction("Insert entry…").triggered.connect(self.insert_after_selected)
        menu.popup(self.view.viewport().mapToGlobal(pos))

    # -- shutdown -----------------------------------------------------------------------------

    def shutdown(self) -> None:
        """Stop polling before the store closes (safe to call twice, or after deletion)."""
        if self.tl is None or not shiboken6.isValid(self):
            return
        if self.view.state() == QAbstractItemView.State.EditingState:
            # The window closes with an inline edit open: keep what was typed.
            for ed in self.view.viewport().findChildren(QWidget):
                if isinstance(ed, TextEditor | QLineEdit) and ed.isVisible():
                    self.delegate.commitData.emit(ed)
        self.save_draft()
        self._poll.stop()
        self.tl.unsubscribe(self._on_write)
        for key, act in self.actions_by_id.items():
            if self.ctx.actions.get(f"timeline_{key}") is act:
                del self.ctx.actions[f"timeline_{key}"]
        for dlg in list(self._dialogs):
            dlg.close()

    def closeEvent(self, e: Any) -> None:
        self.shutdown()
        super().closeEvent(e)


__all__ = ["SHORTCUTS", "TimelinePane"]
