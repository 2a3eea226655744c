"""The timeline pane's keyboard shortcuts and its entry context menu.

Every command has an id, a text, keys and a scope; the window's Help ▸ Keyboard
shortcuts lists them from ``ctx.actions``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu, QWidget

from warroom.domain import incidents as d
from warroom.ui.timeline import render
from warroom.ui.timeline.model import COL_TEXT, COL_TIME

if TYPE_CHECKING:
    from warroom.ui.timeline.pane import TimelinePane

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
    ("focus_actions", "Open action items (Space ticks, F2 edits)", "Ctrl+Shift+A", "pane"),
    ("undo", "Undo (appends: see docs)", "Ctrl+Z", "pane"),
    ("redo", "Redo", "Ctrl+Shift+Z", "pane"),
)


# The main window owns Find/Undo/Redo: the pane plugs into its actions instead of
# adding a second binding for the same keys (that would be ambiguous).
SHARED = {"focus_search": "find", "undo": "undo", "redo": "redo"}


def install(
    pane: QWidget,
    view: QWidget,
    window: dict[str, QAction],
    handlers: dict[str, Callable[[], object]],
) -> dict[str, QAction]:
    """Create the pane's actions (pane scope on ``pane``, list scope on ``view``)."""
    out: dict[str, QAction] = {}
    for key, text, seq_text, scope in SHORTCUTS:
        shared = SHARED.get(key)
        if shared and shared in window:
            continue
        act = QAction(text, pane)
        act.setObjectName(f"timeline-{key}")
        seq = [QKeySequence(seq_text)]
        if key == "redo":
            seq.append(QKeySequence("Ctrl+Y"))
        act.setShortcuts(seq)
        act.triggered.connect(lambda _c=False, fn=handlers[key]: fn())
        if scope == "list":
            act.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
            view.addAction(act)
        else:
            act.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            pane.addAction(act)
        out[key] = act
        # Listed in the window's Help ▸ Keyboard shortcuts.
        window[f"timeline_{key}"] = act
    return out


def entry_menu(pane: TimelinePane, pos: QPoint) -> None:
    """The context menu of the entry under ``pos`` (or of the empty list)."""
    ix = pane.view.indexAt(pos)
    e = pane.model.entry(ix)
    menu = QMenu(pane)
    if e is not None:
        pane.view.setCurrentIndex(ix)

        def add(text: str, fn: Callable[[], object], key: str = "") -> None:
            a = menu.addAction(text)
            a.triggered.connect(lambda _c=False: fn())
            if key in pane.actions_by_id:
                a.setShortcut(pane.actions_by_id[key].shortcut())

        add("Edit text", lambda: pane.start_edit(COL_TEXT), "edit_text")
        add("Edit time", lambda: pane.start_edit(COL_TIME), "edit_time")
        kinds = menu.addMenu("Change kind")
        for k in d.MANUAL_KINDS:
            a = kinds.addAction(k.value)
            a.setCheckable(True)
            a.setChecked(e.kind == k.value)
            a.triggered.connect(lambda _c=False, v=k.value: pane.change_kind(v))
        add("Unpin" if e.pinned else "Pin", pane.toggle_pin, "pin")
        add("Unhide" if e.hidden else "Hide…", pane.hide_selected, "hide")
        add("History…", pane.show_history, "history")
        add("Insert after…", pane.insert_after_selected, "insert")
        if render.is_long(e.text):
            add("Show all text…", pane.expand_selected, "expand")
    else:
        menu.addAction("Insert entry…").triggered.connect(pane.insert_after_selected)
    menu.popup(pane.view.viewport().mapToGlobal(pos))


__all__ = ["SHORTCUTS", "entry_menu", "install"]
