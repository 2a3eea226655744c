"""The entry list as a lazy Qt model.

Only the ordered ids (``entry_keys``) are held for the whole incident; entries are
fetched a page at a time when a view asks for a row, and kept in a small LRU cache.
100,000 entries cost a list of ids, not 100,000 rows of text.

It reads through ``services.timeline.Timeline``, as the command line does, and owns
the change feed: ``has_outside_changes`` (one pragma) and ``pull_changes`` (the entries
created or revised since the last look, by rowid).

Signals:
    reloaded(): the id list was rebuilt (new filter, new incident, or a change).
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any, cast

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QBrush, QColor, QFont, QGuiApplication, QPalette

from warroom.base import timeutil
from warroom.domain.incidents import Entry
from warroom.services.timeline import EntryFilter, Timeline
from warroom.ui import icons
from warroom.ui.timeline import render

log = logging.getLogger(__name__)

# Columns, left to right.
COL_PIN = 0
COL_KIND = 1
COL_TIME = 2
COL_AUTHOR = 3
COL_TEXT = 4
COL_TAGS = 5
COLUMNS = ("", "Kind", "Time (local · UTC)", "Author", "Entry", "Tags")

# Custom roles.
EntryRole = Qt.ItemDataRole.UserRole + 1  # the Entry
EntryIdRole = Qt.ItemDataRole.UserRole + 2  # str
KindRole = Qt.ItemDataRole.UserRole + 3  # str
OccurredRole = Qt.ItemDataRole.UserRole + 4  # stored UTC string
PinnedRole = Qt.ItemDataRole.UserRole + 5  # bool
HiddenRole = Qt.ItemDataRole.UserRole + 6  # bool
ConflictRole = Qt.ItemDataRole.UserRole + 7  # bool
TagsRole = Qt.ItemDataRole.UserRole + 8  # list[str]
FullTextRole = Qt.ItemDataRole.UserRole + 9  # str, exactly as stored
IsLongRole = Qt.ItemDataRole.UserRole + 10  # bool: the row shows a shortened text
DayRole = Qt.ItemDataRole.UserRole + 11  # str: the day label when the row starts a day

# Kinds told apart by colour as well as by icon (a tint behind the icon; decisions tint
# the whole row). Chosen to read on light and dark palettes alike.
KIND_COLOURS = {
    "decision": "#8e44ad",
    "action": "#1e88e5",
    "comms": "#00897b",
    "observation": "#78909c",
    "note": "#a1887f",
    "status": "#546e7a",
    "probe": "#ef6c00",
    "social": "#c2185b",
    "handover": "#6d4c41",
}
PIN_COLOUR = "#f9a825"

PAGE = 100
CACHE_ROWS = 1500
FULL_RELOAD_AFTER = 2000  # changed entries beyond which re-reading the id list is cheaper

# (entry id, field, value) -> True when the write happened.
EditHook = Callable[[str, str, Any], bool]

_ROLE = Qt.ItemDataRole
_DISPLAY = int(_ROLE.DisplayRole.value)
_DECORATION = int(_ROLE.DecorationRole.value)
_EDIT = int(_ROLE.EditRole.value)
_TOOLTIP = int(_ROLE.ToolTipRole.value)
_FONT = int(_ROLE.FontRole.value)
_FOREGROUND = int(_ROLE.ForegroundRole.value)
_ALIGN = int(_ROLE.TextAlignmentRole.value)
_BACKGROUND = int(_ROLE.BackgroundRole.value)
_ACCESSIBLE = int(_ROLE.AccessibleTextRole.value)
_ALIGN_CENTER = int((Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop).value)
_ALIGN_LEFT = int((Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop).value)
_FLAGS = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren
_EDIT_FLAGS = _FLAGS | Qt.ItemFlag.ItemIsEditable
_NO_FLAGS = Qt.ItemFlag.NoItemFlags
CONFLICT_COLOUR = "#d63a3a"


def _maybe(ids: list[str]) -> list[str | None]:
    """A list of known ids where placeholders may appear (no copy: a cast)."""
    return cast("list[str | None]", ids)


def time_cell(stored: str, tz: tzinfo | None = None) -> str:
    """One line: local time, then UTC (``00:30:00 · 24 Nov 23:30 UTC`` when the UTC date
    differs). The date is the day separator's; a UTC workstation shows one time."""
    u = timeutil.parse_utc(stored)
    lt = u.astimezone(tz) if tz else u.astimezone()
    if lt.utcoffset() == timedelta(0) and (lt.tzname() or "UTC") in {"UTC", "Z", "GMT"}:
        return f"{lt:%H:%M:%S} UTC"
    utc = u.strftime("%H:%M UTC") if lt.date() == u.date() else u.strftime("%d %b %H:%M UTC")
    return f"{lt:%H:%M:%S} · {utc}"


def day_label(stored: str, tz: tzinfo | None = None) -> str:
    """``Wednesday 25 November 2026``: the local day an entry belongs to."""
    lt = (
        timeutil.parse_utc(stored).astimezone(tz) if tz else timeutil.parse_utc(stored).astimezone()
    )
    return f"{lt:%A %d %B %Y}"


def local_day(stored: str, tz: tzinfo | None = None) -> str:
    u = timeutil.parse_utc(stored)
    return (u.astimezone(tz) if tz else u.astimezone()).strftime("%Y-%m-%d")


def time_tooltip(e: Entry, tz: tzinfo | None = None) -> str:
    u = timeutil.parse_utc(e.occurred_at)
    lt = u.astimezone(tz) if tz else u.astimezone()
    off = lt.strftime("%z")
    lines = [
        f"Local: {lt:%A %Y-%m-%d %H:%M:%S}.{lt.microsecond // 1000:03d} "
        f"{lt.tzname() or ''} (UTC{off[:3]}:{off[3:]})",
        f"UTC:   {e.occurred_at}",
        f"Recorded: {e.recorded_at}",
    ]
    if e.revision > 1:
        lines.append(f"Revision {e.revision}, last edit {e.edited_at} by {e.edited_by}")
    return "\n".join(lines)


class TimelineModel(QAbstractTableModel):
    reloaded = Signal()

    def __init__(self, tl: Timeline, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.tl = tl
        self._dv = tl.data_version()
        self._marks: tuple[int, int] = (0, 0)
        self.flt: EntryFilter | None = None
        self.tz: tzinfo | None = None
        self.edit_hook: EditHook | None = None
        # Narrow docks: the author leads the text instead of a column of its own.
        self.compact = False
        self._ids: list[str | None] = []
        self._pending_full = False
        self._present: set[str] = set()
        self._cache: OrderedDict[str, Entry] = OrderedDict()
        self._cells: dict[str, tuple[str, tuple[str, ...]]] = {}
        self._fonts: dict[str, QFont] = {}
        self._tints: dict[str, QBrush] = {}
        self._days: dict[str, str] = {}  # stored time -> local day (for the day bands)
        self._days_tz: tzinfo | None = None
        self._fetches = 0

    # -- what is shown -------------------------------------------------------

    def set_filter(self, flt: EntryFilter | None, *, tail_first: bool = False) -> None:
        """Show the entries ``flt`` selects (None: nothing).

        ``tail_first``: read only the count and the newest page now, so the first screen
        (the newest entries) paints at once; the full id list follows on the next turn
        of the event loop, or as soon as a row outside that page is asked for.
        """
        self.beginResetModel()
        self.flt = flt
        self._marks = self.tl.change_marks()  # first: later commits are seen next time
        self._cache.clear()
        self._cells.clear()
        self._pending_full = False
        if flt is None:
            self._ids = []
        elif tail_first:
            n = self.tl.count_matching(flt)
            tail = list(reversed(self.tl.entries(flt, limit=PAGE, newest_first=True)))
            for e in tail:
                self._cache[e.id] = e
            self._ids = [None] * max(0, n - len(tail)) + [e.id for e in tail]
            self._pending_full = len(tail) < n
        else:
            self._ids = _maybe(self.tl.entry_keys(flt))
        self._present = {i for i in self._ids if i is not None}
        self.endResetModel()
        self.reloaded.emit()

    def complete_ids(self) -> None:
        """Replace the placeholder ids of a tail-first load with the real list.

        The view calls this once the first screen is painted; any question about a row
        outside the newest page calls it first, too.
        """
        if not self._pending_full or self.flt is None:
            return
        self._pending_full = False
        full = self.tl.entry_keys(self.flt)
        k = len(self._ids) - self._ids.count(None)  # the known newest page
        if len(full) == len(self._ids) and full[len(full) - k :] == self._ids[len(full) - k :]:
            self._ids = _maybe(full)  # same rows, all known now: nothing for a view to redo
        else:
            self.beginResetModel()
            self._ids = _maybe(full)
            self.endResetModel()
        self._present = set(full)

    def _ids_complete(self) -> list[str]:
        if self._pending_full:
            self.complete_ids()
        return self._ids  # type: ignore[return-value]

    def refresh(self) -> bool:
        """Re-read the id list and show the difference as row inserts/removals.

        Selection and scroll position survive because rows move only where they
        really changed. Returns True when the set or order of rows changed.
        """
        if self.flt is None:
            return False
        self._ids_complete()
        new = self.tl.entry_keys(self.flt)
        self._cache.clear()  # entries may have new revisions
        self._cells.clear()
        changed = self._apply(new)
        if self._ids and self.columnCount():
            self.dataChanged.emit(
                self.index(0, 0), self.index(len(self._ids) - 1, self.columnCount() - 1)
            )
        if changed:
            self.reloaded.emit()
        return changed

    # -- the change feed ------------------------------------------------------

    def has_outside_changes(self) -> bool:
        """Cheap (one pragma): has any process committed since the last pull?"""
        return self.tl.data_version() != self._dv

    def pull_changes(self) -> tuple[list[str], bool]:
        """Show entries created or revised since the last look (by us or any process).

        Found by rowid, so a change costs a few small queries, not a re-read of every id.
        Returns the changed ids and whether rows were inserted, removed or moved.
        """
        self._dv = self.tl.data_version()
        if self.flt is None:
            return [], False
        marks = self.tl.change_marks()  # first: later commits are seen next time
        ids = self.tl.changed_entry_ids(self.flt.incident, self._marks)
        self._marks = marks
        if not ids:
            return [], False
        if len(ids) > FULL_RELOAD_AFTER:
            return ids, self.refresh()
        return ids, self.update_entries(ids)

    def _apply(self, new: list[str]) -> bool:
        old = self._ids
        if old == new:
            return False
        if len(new) > len(old) and new[: len(old)] == old:
            # The usual case: entries added at the end.
            self.beginInsertRows(QModelIndex(), len(old), len(new) - 1)
            self._ids.extend(new[len(old) :])
            self._present.update(new[len(old) :])
            self.endInsertRows()
            return True
        new_set, old_set = set(new), self._present
        kept = [i for i in old if i in new_set]
        if kept != [i for i in new if i in old_set]:
            # Something moved (an edited time): rebuild; the view restores selection.
            self.beginResetModel()
            self._ids = _maybe(new)
            self._present = new_set
            self.endResetModel()
            return True
        # Removals, from the end so earlier row numbers stay valid.
        r = len(old) - 1
        while r >= 0:
            if old[r] in new_set:
                r -= 1
                continue
            last = r
            while r >= 0 and old[r] not in new_set:
                r -= 1
            self.beginRemoveRows(QModelIndex(), r + 1, last)
            del self._ids[r + 1 : last + 1]
            self.endRemoveRows()
        # Insertions, in runs, walking the new order.
        j = 0
        while j < len(new):
            if j < len(self._ids) and self._ids[j] == new[j]:
                j += 1
                continue
            first = j
            while j < len(new) and new[j] not in old_set:
                j += 1
            self.beginInsertRows(QModelIndex(), first, j - 1)
            self._ids[first:first] = new[first:j]
            self.endInsertRows()
        self._present = new_set
        return True

    def update_entries(self, ids: Sequence[str]) -> bool:
        """Show the current state of just these entries: insert, move, remove or repaint.

        O(changes x log rows) instead of re-reading 100,000 ids; returns True when rows
        were inserted or removed.
        """
        if self.flt is None or not ids:
            return False
        self._ids_complete()
        ids = list(dict.fromkeys(ids))
        fresh = self.tl.entries_by_ids(ids)
        match = self.tl.filter_ids(self.flt, ids)
        moved = False
        for eid in ids:
            self._cells.pop(eid, None)
            row = self.row_of(eid)
            e = fresh.get(eid)
            if e is None or eid not in match:
                self._cache.pop(eid, None)
                if row is not None:
                    self._remove_row(row)
                    moved = True
                continue
            self._cache[eid] = e
            self._cache.move_to_end(eid)
            key = (e.occurred_at, e.id)
            if row is not None:
                before = self._key_at(row - 1)
                after = self._key_at(row + 1)
                if (before is None or before <= key) and (after is None or key <= after):
                    ix0, ix1 = self.index(row, 0), self.index(row, len(COLUMNS) - 1)
                    self.dataChanged.emit(ix0, ix1)
                    continue
                self._remove_row(row)
            pos = self._insert_pos(key)
            self.beginInsertRows(QModelIndex(), pos, pos)
            self._ids.insert(pos, eid)
            self._present.add(eid)
            self.endInsertRows()
            moved = True
        while len(self._cache) > CACHE_ROWS:
            self._cache.popitem(last=False)
        if moved:
            self.reloaded.emit()
        return moved

    def _remove_row(self, row: int) -> None:
        self.beginRemoveRows(QModelIndex(), row, row)
        eid = self._ids.pop(row)
        self._present.discard(eid)
        self.endRemoveRows()

    def _key_at(self, row: int) -> tuple[str, str] | None:
        e = self.entry_at(row)
        return (e.occurred_at, e.id) if e is not None else None

    def _insert_pos(self, key: tuple[str, str]) -> int:
        """Where ``key`` goes in the (occurred_at, id) order; the end is checked first."""
        n = len(self._ids)
        last = self._key_at(n - 1)
        if last is None or last < key:
            return n
        lo, hi = 0, n - 1
        while lo < hi:
            mid = (lo + hi) // 2
            k = self._key_at(mid)
            if k is not None and k < key:
                lo = mid + 1
            else:
                hi = mid
        return lo

    # -- lookups -------------------------------------------------------------

    def ids(self) -> Sequence[str]:
        return self._ids_complete()

    def row_of(self, entry_id: str) -> int | None:
        # A C-speed scan (about a millisecond for 100,000 rows) beats keeping an index
        # of positions up to date through inserts.
        if entry_id not in self._present and not self._pending_full:
            return None
        ids = self._ids_complete()
        if entry_id not in self._present:
            return None
        return ids.index(entry_id)

    def entry_at(self, row: int) -> Entry | None:
        if not 0 <= row < len(self._ids):
            return None
        eid = self._ids[row]
        if eid is None:
            eid = self._ids_complete()[row]
        e = self._cache.get(eid)
        if e is not None:
            self._cache.move_to_end(eid)
            return e
        start = row - row % PAGE
        window = self._ids[start : start + PAGE]
        page = [i for i in window if i is not None and i not in self._cache]
        self._fetches += 1
        found = self.tl.entries_by_ids(page)
        for i in page:
            if i in found:
                self._cache[i] = found[i]
        while len(self._cache) > CACHE_ROWS:
            self._cache.popitem(last=False)
        return self._cache.get(eid)

    def entry(self, index: QModelIndex | QPersistentModelIndex) -> Entry | None:
        return self.entry_at(index.row()) if index.isValid() else None

    def cached_rows(self) -> int:
        """How many entries are held in memory now (for tests and the benchmark)."""
        return len(self._cache)

    # -- Qt model ------------------------------------------------------------

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._ids)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = _ROLE.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(COLUMNS):
            if role == _ROLE.DisplayRole:
                if section == COL_TIME:
                    zone = self.zone_name()
                    return "Time (UTC)" if zone in {"UTC", "GMT"} else f"Time ({zone} · UTC)"
                return COLUMNS[section]
            if role == _ROLE.ToolTipRole and section == COL_TIME:
                return "When it happened: local time of this workstation, and UTC"
        return None

    def zone_name(self) -> str:
        """``CET``: the abbreviation of the zone times are shown in, as of now."""
        now = datetime.now(UTC).astimezone(self.tz) if self.tz else datetime.now().astimezone()
        return now.tzname() or "local"

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return _NO_FLAGS
        if self.edit_hook is not None and index.column() in (COL_TEXT, COL_TIME):
            return _EDIT_FLAGS
        return _FLAGS

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = _DISPLAY) -> Any:
        # Called for every cell and role on every paint: ints and caches, no enum lookups.
        row = index.row()
        if not 0 <= row < len(self._ids) or not index.isValid():
            return None
        if role == EntryIdRole:
            return self._ids[row] or self._ids_complete()[row]
        if role == DayRole:
            return self.day_start(row)
        e = self.entry_at(row)
        if e is None:
            return None
        col = index.column()
        if role == _DISPLAY:
            cells = self._cells.get(e.id)
            if cells is None or cells[0] != e.current_rev:
                cells = (e.current_rev, tuple(self._display(e, c) for c in range(len(COLUMNS))))
                self._cells[e.id] = cells
                if len(self._cells) > CACHE_ROWS:
                    self._cells.clear()
            return cells[1][col]
        if role == _DECORATION:
            if col == COL_KIND:
                return icons.kind_icon(e.kind)
            if col == COL_PIN:
                if e.conflict:
                    return icons.icon("degraded")
                if e.pinned:
                    return icons.icon("pin")
                if e.hidden:
                    return icons.icon("hidden")
            return None
        if role == _FONT:
            if e.hidden:
                return self._font("hidden")
            if col == COL_TIME:
                return self._font("time")
            if e.kind == "decision" and col in (COL_TEXT, COL_AUTHOR):
                return self._font("bold")
            return None
        if role == _BACKGROUND:
            return self._background(e, col)
        if role == _FOREGROUND:
            if e.hidden:
                return self._brush("hidden")
            if e.conflict and col in (COL_PIN, COL_TIME):
                return self._brush("conflict")
            return None
        if role == _ALIGN:
            return _ALIGN_CENTER if col in (COL_PIN, COL_KIND) else _ALIGN_LEFT
        if role == _EDIT:
            if col == COL_TEXT:
                return e.text
            if col == COL_TIME:
                lt = timeutil.parse_utc(e.occurred_at).astimezone(self.tz)
                return lt.strftime("%Y-%m-%d %H:%M:%S.") + f"{lt.microsecond // 1000:03d}"
            return self._display(e, col)
        if role == _TOOLTIP:
            return self._tooltip(e, col)
        if role == _ACCESSIBLE:
            return self._display(e, col) or self._tooltip(e, col)
        return self._custom(e, role)

    def font_changed(self) -> None:
        """The application font changed (zoom): drop cached fonts and repaint."""
        self._fonts.clear()
        if self._ids:
            self.dataChanged.emit(
                self.index(0, 0), self.index(len(self._ids) - 1, len(COLUMNS) - 1)
            )

    def set_compact(self, on: bool) -> None:
        if on != self.compact:
            self.compact = on
            self._cells.clear()
            if self._ids:
                self.dataChanged.emit(
                    self.index(0, COL_TIME), self.index(len(self._ids) - 1, COL_TEXT)
                )

    def multiData(self, index: QModelIndex | QPersistentModelIndex, span: Any) -> None:
        """All roles of a cell in one call: the delegate asks about ten roles per cell per
        repaint, and one Python call instead of ten is most of the repaint cost."""
        data = self.data
        for rd in span:
            value = data(index, rd.role())
            if value is None:
                rd.clearData()
            else:
                rd.setData(value)

    def _font(self, which: str) -> QFont:
        f = self._fonts.get(which)
        if f is None:
            f = QFont(QGuiApplication.font())
            if which == "hidden":
                f.setStrikeOut(True)
            elif which == "bold":
                f.setBold(True)
            else:
                f.setFeature(QFont.Tag("tnum"), 1)
            self._fonts[which] = f
        return f

    def _background(self, e: Entry, col: int) -> QBrush | None:
        """A tint behind the kind icon; decisions tint the row; a pin sits on amber."""
        if col == COL_PIN and e.pinned and not e.conflict:
            return self._tint(PIN_COLOUR, 170)
        if col == COL_KIND:
            return self._tint(KIND_COLOURS.get(e.kind, "#9e9e9e"), 90)
        if e.kind == "decision" and not e.hidden:
            return self._tint(KIND_COLOURS["decision"], 36)
        return None

    def _tint(self, colour: str, alpha: int) -> QBrush:
        key = f"{colour}/{alpha}"
        b = self._tints.get(key)
        if b is None:
            c = QColor(colour)
            c.setAlpha(alpha)
            b = self._tints[key] = QBrush(c)
        return b

    def _day(self, e: Entry) -> str:
        """The entry's local day, cached: paint asks for it for every cell."""
        if self._days_tz is not self.tz:
            self._days.clear()
            self._days_tz = self.tz
        day = self._days.get(e.occurred_at)
        if day is None:
            if len(self._days) > CACHE_ROWS:
                self._days.clear()
            day = self._days[e.occurred_at] = local_day(e.occurred_at, self.tz)
        return day

    def day_start(self, row: int) -> str:
        """The day label when ``row`` is the first entry of a local day, else ``""``."""
        e = self.entry_at(row)
        if e is None:
            return ""
        prev = self.entry_at(row - 1) if row > 0 else None
        if prev is not None and self._day(prev) == self._day(e):
            return ""
        return day_label(e.occurred_at, self.tz)

    def _brush(self, which: str) -> QBrush:
        if which == "conflict":
            return QBrush(QColor(CONFLICT_COLOUR))
        return QBrush(
            QGuiApplication.palette().color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text)
        )

    def _custom(self, e: Entry, role: int) -> Any:
        if role == EntryRole:
            return e
        if role == KindRole:
            return e.kind
        if role == OccurredRole:
            return e.occurred_at
        if role == PinnedRole:
            return e.pinned
        if role == HiddenRole:
            return e.hidden
        if role == ConflictRole:
            return e.conflict
        if role == TagsRole:
            return list(e.tags)
        if role == FullTextRole:
            return e.text
        if role == IsLongRole:
            return render.is_long(e.text)
        return None

    def _display(self, e: Entry, col: int) -> str:
        if col == COL_TIME:
            return time_cell(e.occurred_at, self.tz)
        if col == COL_AUTHOR:
            if e.revision > 1 and e.edited_by and e.edited_by != e.author:
                return f"{e.author} (✎ {e.edited_by})"
            return e.author
        if col == COL_TEXT:
            # Narrow dock: the author leads the text (one line, as in a chat).
            return (
                f"{e.author} · {render.preview(e.text)}" if self.compact else render.preview(e.text)
            )
        if col == COL_TAGS:
            return " ".join(f"#{t}" for t in e.tags)
        if col == COL_KIND:
            return ""
        if col == COL_PIN:
            return ""
        return ""

    def _tooltip(self, e: Entry, col: int) -> str:
        notes = []
        if e.conflict:
            notes.append(
                "CONFLICT: two workstations edited this entry independently; "
                "open its history (Ctrl+Shift+H) to compare"
            )
        if e.hidden:
            notes.append(f"Hidden: {e.hidden_reason}")
        if col == COL_TIME:
            notes.insert(0, time_tooltip(e, self.tz))
        elif col == COL_KIND:
            notes.insert(0, e.kind)
        elif col == COL_PIN:
            if e.pinned:
                notes.insert(0, "Pinned")
        elif col == COL_TEXT and render.is_long(e.text):
            notes.insert(0, f"Shortened ({render.size_note(e.text)}): Space shows all")
        elif col == COL_AUTHOR and e.revision > 1:
            notes.insert(0, f"Written by {e.author}; revision {e.revision} by {e.edited_by}")
        return "\n".join(notes)

    def setData(
        self, index: QModelIndex | QPersistentModelIndex, value: Any, role: int = _ROLE.EditRole
    ) -> bool:
        if role != _ROLE.EditRole or not index.isValid() or self.edit_hook is None:
            return False
        e = self.entry(index)
        if e is None:
            return False
        if index.column() == COL_TEXT:
            if value == e.text:
                return False
            return self.edit_hook(e.id, "text", value)
        if index.column() == COL_TIME:
            return self.edit_hook(e.id, "occurred_at", str(value))
        return False
