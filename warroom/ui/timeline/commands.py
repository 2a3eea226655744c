"""What the timeline pane does to the selected entry: pin, hide, unhide, history, show
all, insert after, change kind. Each write goes through the service and onto the
pane's undo stack (undo appends; see undo.py).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import tzinfo
from typing import Any, cast

from PySide6.QtGui import QUndoStack
from PySide6.QtWidgets import QDialog, QWidget

from warroom.base import timeutil
from warroom.base.errors import WarroomError
from warroom.domain.incidents import Entry, Incident
from warroom.services.timeline import Timeline
from warroom.ui.timeline import dialogs, render
from warroom.ui.timeline.undo import (
    CaptureCommand,
    HideCommand,
    PinCommand,
    UnhideCommand,
)


class EntryCommands:
    """Mixed into ``TimelinePane``, which provides the attributes declared here."""

    tl: Timeline | None
    tz: tzinfo | None
    incident: Incident | None
    undo_stack: QUndoStack
    selected_entry: Callable[[], Entry | None]
    select_entry: Callable[[str], bool]
    refresh: Callable[[], None]
    edit_entry: Callable[..., bool]
    _error: Callable[[str], None]
    _open: Callable[[QDialog], QDialog]

    def _host(self) -> QWidget:
        """The pane itself, as the dialogs' parent."""
        return cast(QWidget, self)

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
        return self._open(dialogs.HideDialog(e.text, apply, self._host()))

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
        return self._open(dialogs.HistoryDialog(self.tl.revisions(e.id), self.tz, self._host()))

    def expand_selected(self) -> QDialog | None:
        e = self.selected_entry()
        if e is None:
            return None
        t = timeutil.parse_utc(e.occurred_at).astimezone(self.tz)
        title = f"{e.kind} at {t:%H:%M:%S} by {e.author} — {render.size_note(e.text)}"
        return self._open(dialogs.FullTextDialog(title, e.text, self._host()))

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

        return self._open(dialogs.InsertDialog(default, apply, self.tz, self._host()))

    def change_kind(self, kind: str) -> None:
        e = self.selected_entry()
        if e is not None:
            self.edit_entry(e.id, kind=kind)


__all__ = ["EntryCommands"]
