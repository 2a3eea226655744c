"""Undo and redo for the timeline. The record is append-only, so undo appends too.

Undoing a capture hides the entry with the reason "undone"; undoing an edit writes a
revision with the previous values; undoing a hide unhides; undoing a pin unpins. The
history therefore shows everything, including the undo itself.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtGui import QUndoCommand

from warroom.base.errors import WarroomError
from warroom.services.timeline import Timeline

UNDONE_REASON = "undone"
ErrorSink = Callable[[str], None]


class _TimelineCommand(QUndoCommand):
    """A command whose first redo already happened (the pane wrote before pushing)."""

    def __init__(self, tl: Timeline, entry_id: str, text: str, on_error: ErrorSink) -> None:
        super().__init__(text)
        self.tl = tl
        self.entry_id = entry_id
        self._on_error = on_error
        self._done = True

    def _run(self, fn: Callable[[], object]) -> None:
        try:
            fn()
        except WarroomError as exc:
            # The store refused (e.g. another workstation changed the entry meanwhile):
            # say so, and leave the stack as it is; nothing was written.
            self._on_error(f"{self.text()}: {exc}")

    def redo(self) -> None:
        if self._done:
            self._done = False
            return
        self._run(self.do)

    def undo(self) -> None:
        self._run(self.undo_it)

    def do(self) -> None:
        raise NotImplementedError

    def undo_it(self) -> None:
        raise NotImplementedError


class CaptureCommand(_TimelineCommand):
    def __init__(self, tl: Timeline, entry_id: str, on_error: ErrorSink) -> None:
        super().__init__(tl, entry_id, "capture entry", on_error)

    def do(self) -> None:
        self.tl.unhide(self.entry_id)

    def undo_it(self) -> None:
        self.tl.hide(self.entry_id, UNDONE_REASON)


class EditCommand(_TimelineCommand):
    """``before``/``after``: the changed fields (text, occurred_at, kind, tags)."""

    def __init__(
        self,
        tl: Timeline,
        entry_id: str,
        before: dict[str, Any],
        after: dict[str, Any],
        on_error: ErrorSink,
    ) -> None:
        what = ", ".join("time" if k == "occurred_at" else k for k in after)
        super().__init__(tl, entry_id, f"edit {what}", on_error)
        self.before = before
        self.after = after

    def do(self) -> None:
        self.tl.revise(self.entry_id, note="redo edit", **self.after)

    def undo_it(self) -> None:
        self.tl.revise(self.entry_id, note="undo edit", **self.before)


class HideCommand(_TimelineCommand):
    def __init__(self, tl: Timeline, entry_id: str, reason: str, on_error: ErrorSink) -> None:
        super().__init__(tl, entry_id, "hide entry", on_error)
        self.reason = reason

    def do(self) -> None:
        self.tl.hide(self.entry_id, self.reason)

    def undo_it(self) -> None:
        self.tl.unhide(self.entry_id)


class PinCommand(_TimelineCommand):
    def __init__(self, tl: Timeline, entry_id: str, pinned: bool, on_error: ErrorSink) -> None:
        super().__init__(tl, entry_id, "pin entry" if pinned else "unpin entry", on_error)
        self.pinned = pinned

    def do(self) -> None:
        self.tl.pin(self.entry_id, self.pinned)

    def undo_it(self) -> None:
        self.tl.pin(self.entry_id, not self.pinned)


class UnhideCommand(_TimelineCommand):
    def __init__(self, tl: Timeline, entry_id: str, reason: str, on_error: ErrorSink) -> None:
        super().__init__(tl, entry_id, "unhide entry", on_error)
        self.reason = reason or "hidden again"

    def do(self) -> None:
        self.tl.unhide(self.entry_id)

    def undo_it(self) -> None:
        self.tl.hide(self.entry_id, self.reason)
