"""The timeline pane: header, filters, the entry list, and the capture line.

Keyboard first (see docs/timeline.md). Everything is read and written through
``services.timeline.Timeline``, as the command line does. Entries written by another
process (the command line, an import) appear within a poll interval: the model asks
for the data version every ``POLL_MS`` and pulls only what changed (``model.py``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import tzinfo
from typing import Any

import shiboken6
from PySide6.QtCore import QEvent, QModelIndex, QPoint, Qt, QTimer
from PySide6.QtGui import QAction, QCloseEvent, QResizeEvent, QUndoStack
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHeaderView,
    QLabel,
    QLineEdit,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from warroom.base import timeutil
from warroom.base.errors import WarroomError
from warroom.domain import incidents as d
from warroom.domain.incidents import Entry, Incident
from warroom.services.timeline import (
    EntryFilter,
    ProbesNow,
    Timeline,
    default_author,
)
from warroom.ui import settings
from warroom.ui.context import UiContext
from warroom.ui.timeline import dialogs, keys, render
from warroom.ui.timeline.actions import ActionsPanel
from warroom.ui.timeline.capture import CaptureBar
from warroom.ui.timeline.commands import EntryCommands
from warroom.ui.timeline.delegate import EntryDelegate, TextEditor
from warroom.ui.timeline.filters import FilterBar
from warroom.ui.timeline.keys import SHORTCUTS
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
)
from warroom.ui.timeline.view import TimelineView

log = logging.getLogger(__name__)

POLL_MS = 400
NARROW = 900  # px: below this the tags column folds away (the #tags are in the text)
VERY_NARROW = 600  # px: below this the author goes under the time


class TimelinePane(EntryCommands, QWidget):
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
        self._warned_entry: str | None = None  # the entry the capture line warns about
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
        self.tl = Timeline(store)
        self.tl.subscribe(self._on_write)
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

        self.model = TimelineModel(self.tl, self)
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
        self._size_columns()
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
        # The entries above, the incident's open action items below (a splitter).
        self.action_panel = ActionsPanel(self.tl)
        self.action_panel.set_error_sink(self._error)
        self.split = QSplitter(Qt.Orientation.Vertical)
        self.split.setObjectName("timeline-split")
        self.split.setChildrenCollapsible(True)
        self.split.addWidget(self.view)
        self.split.addWidget(self.action_panel)
        self.split.setStretchFactor(0, 4)
        self.split.setStretchFactor(1, 1)
        lay.addWidget(self.split, 1)

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

        self._poll = QTimer(self)
        self._poll.setInterval(poll_ms)
        self._poll.timeout.connect(self.poll)
        self._poll.start()

        ctx.active_incident_changed.connect(self._active_changed)
        ctx.on_close(self.shutdown)
        start = ctx.active_incident or self._default_incident()
        self.load_incident(start)
        if not self.tl.author_is_set():
            self.capture.ask_author(default_author(None))
        else:
            self.capture.edit.setFocus()
        self.setFocusProxy(self.capture.edit)

    # -- building --------------------------------------------------------------

    def _build_filters(self) -> QWidget:
        bar = FilterBar(self._tags, self._authors)
        bar.changed.connect(self.apply_filters)
        self.filters = bar
        # The filter widgets, by name (tests and shortcuts reach them here).
        self.search, self.kind_actions = bar.search, bar.kind_actions
        self.tag_combo, self.author_combo = bar.tag_combo, bar.author_combo
        self.pinned_box, self.hidden_box = bar.pinned_box, bar.hidden_box
        self.count_label = bar.count_label
        return bar

    def _build_actions(self) -> None:
        handlers: dict[str, Callable[[], object]] = {
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
            "focus_actions": self.focus_actions,
            "undo": self.undo,
            "redo": self.redo,
        }
        self.actions_by_id = keys.install(self, self.view, self.ctx.actions, handlers)
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
            if self._warned_entry is not None or self.capture.message_text().startswith("⚠"):
                # A warning about the other incident's entry means nothing here.
                self._warned_entry = None
                self.capture.clear_message()
        incidents = self.tl.incidents()
        self._listing = [(i.id, i.title, i.severity, i.status) for i in incidents]
        self.header.set_incidents(incidents, inc.id if inc else None)
        self.header.set_incident(inc)
        self.action_panel.model.tz = self.tz
        self.action_panel.load(inc.id if inc else None)
        self.apply_filters()
        self.select_last()
        if inc is not None:
            self.ctx.set_active_incident(inc.id, inc.title)
        else:
            self.ctx.set_active_incident(None)

    def new_incident(self) -> QDialog:
        assert self.tl is not None
        tl = self.tl

        def create(title: str, **kw: Any) -> Incident:  # Any: new_incident's options
            return tl.new_incident(title, **kw)

        # Start from what is known: you command it; the probes say what is down.
        known = self.known_now()
        dlg = dialogs.NewIncidentDialog(
            create, self, commander=tl.author, affected=known.affected, known=known.text
        )
        dlg.accepted.connect(lambda: self.load_incident(dlg.created.id))
        return self._open(dlg)

    def known_now(self) -> ProbesNow:
        """What the probes say now: the window's live view when it offers one
        (``ctx.known_now``), else the latest stored states."""
        live = getattr(self.ctx, "known_now", None)
        if callable(live):
            found = live()
            if found is not None:
                return ProbesNow(tuple(found.affected), str(found.text))
        try:
            assert self.tl is not None
            return self.tl.probes_now()
        except Exception:  # no probe tables in an old workspace: start from nothing
            log.exception("could not read the probe state")
            return ProbesNow((), "")

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
        return self.tl.tags(self.incident.id) if self.incident and self.tl else []

    def _authors(self) -> list[str]:
        return self.tl.authors(self.incident.id) if self.incident and self.tl else []

    def current_filter(self) -> EntryFilter | None:
        return self.filters.current(self.incident.id) if self.incident else None

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
        self.filters.set_values(
            search=search,
            kinds=kinds,
            tag=tag,
            author=author,
            pinned_only=pinned_only,
            include_hidden=include_hidden,
        )
        self.apply_filters()

    def apply_filters(self) -> None:
        self.filters.stop_pending()
        self.filters.update_kind_button()
        keep = self.selected_id()
        # A selection to keep needs its row now, so the whole id list is read at once
        # (one query; tail first would add a count query only to read the list anyway).
        # Without one, the newest page paints first and the rest follows.
        self.model.set_filter(self.current_filter(), tail_first=keep is None)
        self.view.after_next_paint(self.model.complete_ids)
        self.delegate.clear_cache()
        if keep and self.model.row_of(keep) is not None:
            self.select_entry(keep)
        else:
            self.view.scrollToBottom()
        self._update_count()

    def _update_count(self) -> None:
        self.filters.show_count(self.model.rowCount(), self.model.flt)

    # -- live updates -------------------------------------------------------------------

    def _on_write(self, what: str, _ident: str) -> None:
        if not self._refresh_pending:
            self._refresh_pending = True
            QTimer.singleShot(0, self._refresh_unless_editing)

    def poll(self) -> None:
        """Cheap: one pragma; looks for changed entries only when someone committed."""
        try:
            outside = self.model.has_outside_changes()
        except Exception:  # a closed store at shutdown
            self._poll.stop()
            return
        if outside:
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

        The model finds what changed (``TimelineModel.pull_changes``).
        """
        self._refresh_pending = False
        if self.tl is None:
            return
        self._refresh_incident()
        self.action_panel.reload()
        if self.incident is None or self.model.flt is None:
            return
        at_bottom = self._tail
        self._keep_sel = self.selected_id()
        self._keep_top = self._top_id()
        ids, changed = self.model.pull_changes()
        self._keep_sel = self._keep_top = None
        if self._warned_entry in ids:
            self._recheck_warning()
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

    def _size_columns(self) -> None:
        """Column widths from the font (again after a zoom)."""
        hdr = self.view.horizontalHeader()
        fm = self.view.fontMetrics()
        line = fm.lineSpacing()
        widths = {
            COL_PIN: line + 8,
            COL_KIND: line + 14,
            COL_TIME: fm.horizontalAdvance("23:59:59 · 30 Sep 23:59 UTC") + 12,
            COL_AUTHOR: fm.horizontalAdvance("Alexandra Keller") + 12,
            COL_TAGS: fm.horizontalAdvance("#resolver") + 12,
        }
        for col, w in widths.items():
            if col not in (COL_PIN, COL_KIND):
                hdr.setSectionResizeMode(col, QHeaderView.ResizeMode.Interactive)
            hdr.resizeSection(col, w)

    def changeEvent(self, e: QEvent) -> None:
        super().changeEvent(e)
        if e.type() == QEvent.Type.FontChange and self.tl is not None:
            # Zoom: fonts, documents, row heights and column widths follow the new size.
            self.model.font_changed()
            self.delegate.clear_cache()
            self.view.verticalHeader().setDefaultSectionSize(self.view.default_row_height())
            self._size_columns()
            self.view.forget_heights()

    def resizeEvent(self, e: QResizeEvent) -> None:
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

    def focus_actions(self) -> None:
        """Show the action items (if folded away) and put the focus on them."""
        sizes = self.split.sizes()
        if sizes[1] < self.fontMetrics().lineSpacing() * 4:
            total = sum(sizes)
            self.split.setSizes([total * 3 // 4, total - total * 3 // 4])
        self.action_panel.table.setFocus()
        if (
            not self.action_panel.table.currentIndex().isValid()
            and self.action_panel.model.rowCount()
        ):
            self.action_panel.table.setCurrentIndex(self.action_panel.model.index(0, 1))

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
        self.undo_stack.push(CaptureCommand(self.tl, e.id, self._error))
        future = any("in the future" in w for w in res.warnings)
        self._warned_entry = e.id if future else None
        self.refresh()
        if not self.select_entry(e.id) and self.model.rowCount():
            # Filtered out of the view: say so instead of leaving the user wondering.
            res.warnings.append("the entry is logged but hidden by the current filter")
        self.capture.accepted(res.warnings)
        return e.id

    def _recheck_warning(self) -> None:
        """The entry the capture line warned about changed: drop a warning that no
        longer holds (its time was corrected, or it was hidden)."""
        assert self.tl is not None
        eid, self._warned_entry = self._warned_entry, None
        if eid is None:
            return
        try:
            e = self.tl.entry(eid)
        except WarroomError:
            e = None
        if e is not None and not e.hidden:
            at = timeutil.parse_utc(e.occurred_at)
            if d.future_warning(at, timeutil.now()) is not None:
                self._warned_entry = eid
                return
        self.capture.clear_message()

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
        keys.entry_menu(self, pos)

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

    def closeEvent(self, e: QCloseEvent) -> None:
        self.shutdown()
        super().closeEvent(e)


__all__ = ["SHORTCUTS", "TimelinePane"]
