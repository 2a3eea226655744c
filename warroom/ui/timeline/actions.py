"""The incident's action items in the window: what is open, who owns it, when it is due.

A small table under the timeline, editable from the keyboard: Space ticks an item done,
F2 edits the cell (text, owner, due), Enter in the line below adds one. Writes go through
``services.timeline.Timeline`` like everything else; a ``TODO:`` entry shows up here too.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import tzinfo
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtGui import QBrush, QColor, QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from warroom.base import humanize, timeutil
from warroom.base.errors import WarroomError
from warroom.domain.incidents import ActionItem
from warroom.services.timeline import Timeline

COL_DONE = 0
COL_TEXT = 1
COL_OWNER = 2
COL_DUE = 3
COLUMNS = ("Done", "Action", "Owner", "Due")
OVERDUE_COLOUR = "#c62828"

_ROLE = Qt.ItemDataRole


class ActionsModel(QAbstractTableModel):
    """The action items of one incident (open ones, or all), in creation order."""

    def __init__(self, tl: Timeline, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.tl = tl
        self.tz: tzinfo | None = None
        self.incident: str | None = None
        self.show_done = False
        self.items: list[ActionItem] = []
        self.on_error: Callable[[str], object] | None = None  # where a refused edit is reported

    def load(self, incident: str | None) -> None:
        self.beginResetModel()
        self.incident = incident
        self.items = self.tl.actions(incident, open_only=not self.show_done) if incident else []
        self.endResetModel()

    def reload(self) -> None:
        """Re-read, keeping rows in place when nothing was added or removed."""
        if self.incident is None:
            return
        new = self.tl.actions(self.incident, open_only=not self.show_done)
        if [a.id for a in new] == [a.id for a in self.items]:
            if new != self.items:
                self.items = new
                self.dataChanged.emit(self.index(0, 0), self.index(len(new) - 1, len(COLUMNS) - 1))
            return
        self.load(self.incident)

    def open_count(self) -> int:
        return sum(1 for a in self.items if not a.done)

    def overdue_count(self) -> int:
        now = timeutil.now_str()
        return sum(1 for a in self.items if not a.done and a.due and a.due < now)

    # -- Qt model ----------------------------------------------------------------

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.items)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == _ROLE.DisplayRole:
            return COLUMNS[section]
        return None

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        base = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if index.column() == COL_DONE:
            return base | Qt.ItemFlag.ItemIsUserCheckable
        return base | Qt.ItemFlag.ItemIsEditable

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = 0) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.items):
            return None
        a = self.items[index.row()]
        col = index.column()
        overdue = not a.done and bool(a.due) and (a.due or "") < timeutil.now_str()
        if role == _ROLE.CheckStateRole and col == COL_DONE:
            return Qt.CheckState.Checked if a.done else Qt.CheckState.Unchecked
        if role == _ROLE.DisplayRole:
            if col == COL_DONE:
                return "done" if a.done else "open"
            if col == COL_TEXT:
                return a.text
            if col == COL_OWNER:
                return a.owner or "—"
            if col == COL_DUE:
                if not a.due:
                    return "—"
                when = humanize.when(a.due, self.tz, utc=False)
                return f"{when} · overdue" if overdue else when
        if role == _ROLE.EditRole:
            if col == COL_TEXT:
                return a.text
            if col == COL_OWNER:
                return a.owner
            if col == COL_DUE:
                if not a.due:
                    return ""
                lt = timeutil.parse_utc(a.due).astimezone(self.tz)
                return lt.strftime("%Y-%m-%d %H:%M")
        if role == _ROLE.ToolTipRole:
            if col == COL_DUE and a.due:
                return humanize.when(a.due, self.tz) + (" (overdue)" if overdue else "")
            if col == COL_DONE:
                return "Space ticks it done (or open again)"
            return f"Opened by {a.created_by}, {humanize.when(a.created_at, self.tz)}"
        if role == _ROLE.ForegroundRole and col == COL_DUE and overdue:
            return QBrush(QColor(OVERDUE_COLOUR))
        return None

    def setData(
        self, index: QModelIndex | QPersistentModelIndex, value: Any, role: int = 2
    ) -> bool:
        if not index.isValid():
            return False
        a = self.items[index.row()]
        col = index.column()
        changes: dict[str, Any] = {}
        try:
            if col == COL_DONE and role == _ROLE.CheckStateRole:
                changes["done"] = Qt.CheckState(value) == Qt.CheckState.Checked
            elif role != _ROLE.EditRole:
                return False
            elif col == COL_TEXT:
                text = str(value).strip()
                if not text or text == a.text:
                    return False
                changes["text"] = text
            elif col == COL_OWNER:
                changes["owner"] = str(value).strip()
            elif col == COL_DUE:
                v = str(value).strip()
                changes["due"] = timeutil.parse_user_time(v, tz=self.tz, ahead=True) if v else None
            if not changes:
                return False
            self.tl.update_action(a.id, **changes)
        except WarroomError as exc:
            if self.on_error is not None:
                self.on_error(f"Action not changed: {exc}")
            return False
        self.reload()
        return True


class ActionsTable(QTableView):
    """The items' table: F2 edits here, though the pane binds F2 to its entries."""

    def event(self, e: QEvent) -> bool:
        if (
            e.type() == QEvent.Type.ShortcutOverride
            and isinstance(e, QKeyEvent)
            and e.key() in (Qt.Key.Key_F2, Qt.Key.Key_Space)
            and not e.modifiers()
        ):
            e.accept()  # a key for this table, not a shortcut of the pane
            return True
        return super().event(e)


class ActionsPanel(QWidget):
    """Open actions of the incident: a table, a "show done" toggle and an add line."""

    def __init__(self, tl: Timeline, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("timeline-actions")
        self.tl = tl
        self.model = ActionsModel(tl, self)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(2)
        head = QHBoxLayout()
        self.title = QLabel()
        self.title.setObjectName("timeline-actions-title")
        head.addWidget(self.title, 1)
        self.done_box = QToolButton()
        self.done_box.setText("Show done")
        self.done_box.setCheckable(True)
        self.done_box.setObjectName("timeline-actions-show-done")
        self.done_box.toggled.connect(self._show_done)
        head.addWidget(self.done_box)
        lay.addLayout(head)
        self.table = ActionsTable()
        self.table.setObjectName("timeline-actions-table")
        self.table.setAccessibleName("Action items")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(
            QAbstractItemView.EditTrigger.EditKeyPressed
            | QAbstractItemView.EditTrigger.DoubleClicked
        )
        self.table.setTabKeyNavigation(False)
        self.table.verticalHeader().hide()
        self.table.setShowGrid(False)
        self.table.setWordWrap(False)
        hdr = self.table.horizontalHeader()
        hdr.setSectionResizeMode(COL_DONE, QHeaderView.ResizeMode.ResizeToContents)
        hdr.setSectionResizeMode(COL_TEXT, QHeaderView.ResizeMode.Stretch)
        hdr.setSectionResizeMode(COL_OWNER, QHeaderView.ResizeMode.ResizeToContents)
        hdr.setSectionResizeMode(COL_DUE, QHeaderView.ResizeMode.ResizeToContents)
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().lineSpacing() + 6)
        lay.addWidget(self.table, 1)
        # Space on any cell of the row ticks the item, not only on the check box.
        self.table.installEventFilter(self)
        self.add_line = QLineEdit()
        self.add_line.setObjectName("timeline-actions-add")
        self.add_line.setPlaceholderText("New action item… Enter adds it (owner and due: F2 above)")
        self.add_line.returnPressed.connect(self._add)
        lay.addWidget(self.add_line)
        self.model.modelReset.connect(self._update_title)
        self.model.dataChanged.connect(lambda *_a: self._update_title())
        self._update_title()

    def eventFilter(self, obj: QObject, e: QEvent) -> bool:
        if (
            obj is self.table
            and e.type() == QEvent.Type.KeyPress
            and isinstance(e, QKeyEvent)
            and e.key() == Qt.Key.Key_Space
            and self.table.state() != QAbstractItemView.State.EditingState
        ):
            self.toggle_selected()
            return True
        return super().eventFilter(obj, e)

    def set_error_sink(self, sink: Callable[[str], object] | None) -> None:
        self.model.on_error = sink

    def load(self, incident: str | None) -> None:
        self.model.load(incident)

    def reload(self) -> None:
        self.model.reload()

    def _show_done(self, on: bool) -> None:
        self.model.show_done = on
        self.model.load(self.model.incident)

    def _update_title(self) -> None:
        n = self.model.open_count()
        late = self.model.overdue_count()
        if not n:
            text = "Open actions: none"
        else:
            text = f"Open actions ({n}" + (f", {late} overdue)" if late else ")")
        self.title.setText(text)

    def toggle_selected(self) -> None:
        ix = self.table.currentIndex()
        if not ix.isValid():
            return
        a = self.model.items[ix.row()]
        done_ix = self.model.index(ix.row(), COL_DONE)
        want = Qt.CheckState.Unchecked if a.done else Qt.CheckState.Checked
        self.model.setData(done_ix, want.value, _ROLE.CheckStateRole)

    def _add(self) -> None:
        text = self.add_line.text().strip()
        if not text or self.model.incident is None:
            return
        try:
            self.tl.add_action(self.model.incident, text)
        except WarroomError as exc:
            if self.model.on_error is not None:
                self.model.on_error(f"Action not added: {exc}")
            return
        self.add_line.clear()
        self.model.reload()


__all__ = ["COLUMNS", "ActionsModel", "ActionsPanel"]
