"""Handover in the GUI: File ▸ Export, File ▸ Import handover (with a preview), a
bundle dropped on the window, Hand over…, and the post-incident report editor.

``install_handover_actions(main_window, ctx)`` wires it into the main window: it
takes over the window's "export", "import" and "handover" actions (creating them if
missing), adds "report", and accepts dropped bundles.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject
from PySide6.QtGui import QAction, QDragEnterEvent, QDragMoveEvent, QDropEvent
from PySide6.QtWidgets import QFileDialog, QMainWindow, QMenu, QMessageBox, QWidget

if TYPE_CHECKING:
    from warroom.handover.merge import MergeReport
    from warroom.services.timeline import Timeline
    from warroom.store import Store
    from warroom.ui.context import UiContext
    from warroom.ui.handover.dialogs import ExportDialog, HandoverDialog, ImportPreviewDialog
    from warroom.ui.handover.report_editor import ReportEditor

log = logging.getLogger(__name__)


class HandoverUi(QObject):
    """The handover actions of one main window (kept on it as ``_handover_ui``)."""

    def __init__(self, window: QMainWindow, ctx: UiContext) -> None:
        super().__init__(window)
        self.window, self.ctx = window, ctx
        self.open_dialogs: list[QWidget] = []
        acts: dict[str, QAction] = ctx.actions
        specs = {
            "export": ("&Export incident…", self.export),
            "import": ("&Import handover bundle…", self.import_),
            "handover": ("&Hand over…", self.hand_over),
            "report": ("Post-incident &report…", self.report),
        }
        for key, (text, slot) in specs.items():
            act = acts.get(key)
            if act is None:
                act = QAction(text, window)
                act.setObjectName(f"action-{key}")
                window.addAction(act)
                acts[key] = act
                self._add_to_file_menu(act)
            act.setText(text)
            act.setStatusTip("")
            act.setToolTip(text.replace("&", "").rstrip("…"))
            act.triggered.connect(lambda _=False, s=slot: s())
        self.update_enabled()
        if hasattr(ctx, "active_incident_changed"):
            ctx.active_incident_changed.connect(lambda _i: self.update_enabled())
        window.setAcceptDrops(True)
        window.installEventFilter(self)

    def _add_to_file_menu(self, act: QAction) -> None:
        for menu_act in self.window.menuBar().actions():
            menu = menu_act.menu()
            if isinstance(menu, QMenu) and menu_act.text().replace("&", "") == "File":
                handover = self.ctx.actions.get("handover")
                after = None
                items = menu.actions()
                if handover in items:
                    i = items.index(handover)
                    after = items[i + 1] if i + 1 < len(items) else None
                if after is not None:
                    menu.insertAction(after, act)
                else:
                    menu.addAction(act)
                return

    # -- state ------------------------------------------------------------------------

    @property
    def store(self) -> Store | None:
        return self.ctx.store

    def timeline(self) -> Timeline:
        from warroom.base.errors import WarroomError
        from warroom.services.timeline import Timeline

        if self.store is None:
            raise WarroomError("no workspace is open")
        return Timeline(self.store)

    def incident_id(self) -> str | None:
        """The active incident, else the latest open one, else None."""
        if self.store is None:
            return None
        iid = getattr(self.ctx, "active_incident", None)
        if iid:
            return str(iid)
        from warroom.base.errors import WarroomError

        try:
            return str(self.timeline().resolve_incident_id("latest"))
        except WarroomError:
            return None

    def update_enabled(self) -> None:
        has_store = self.store is not None
        for key in ("export", "import", "handover", "report"):
            act = self.ctx.actions.get(key)
            if act is not None:
                act.setEnabled(has_store)

    def _message(self, text: str) -> None:
        show = getattr(self.ctx, "show_message", None)
        if show is not None:
            show(text, 8000)

    def _need_incident(self) -> str | None:
        iid = self.incident_id()
        if iid is None:
            QMessageBox.information(self.window, "Warroom", "There is no incident yet.")
        return iid

    def _keep(self, dialog: QWidget) -> QWidget:
        self.open_dialogs.append(dialog)
        dialog.destroyed.connect(lambda _o=None, d=dialog: self._forget(d))
        dialog.finished.connect(lambda _r, d=dialog: self._forget(d))  # type: ignore[attr-defined]
        return dialog

    def _forget(self, d: QWidget) -> None:
        if d in self.open_dialogs:
            self.open_dialogs.remove(d)

    # -- actions ----------------------------------------------------------------------

    def export(self) -> ExportDialog | None:
        from warroom.ui.handover.dialogs import ExportDialog

        iid = self._need_incident()
        if iid is None or self.store is None:
            return None
        tl = self.timeline()
        d = ExportDialog(
            self.store,
            iid,
            tl.incident(iid).title,
            tl.author,
            self.window,
            settings=getattr(self.ctx, "settings", None),
        )
        d.exported.connect(lambda p: self._message(f"Exported to {p}"))
        self._keep(d)
        d.open()
        return d

    def import_(self) -> ImportPreviewDialog | None:
        name, _ = QFileDialog.getOpenFileName(
            self.window, "Import handover bundle", str(Path.home()), "Warroom bundle (*.json)"
        )
        if not name:
            return None
        return self.preview_import(Path(name))

    def preview_import(self, path: Path, *, background: bool = True) -> ImportPreviewDialog | None:
        """The import preview for ``path`` (File ▸ Import and dropped files)."""
        from warroom.ui.handover.dialogs import ImportPreviewDialog

        if self.store is None:
            return None
        d = ImportPreviewDialog(self.store, path, self.window)
        d.imported.connect(self._imported)
        self._keep(d)
        d.open()
        d.load(background=background)
        return d

    def _imported(self, rep: MergeReport) -> None:
        self._message("Imported: " + "; ".join(rep.lines()))
        if getattr(self.ctx, "active_incident", None) is None and hasattr(
            self.ctx, "set_active_incident"
        ):
            self.ctx.set_active_incident(rep.incident, rep.title)

    def hand_over(self) -> HandoverDialog | None:
        from warroom.ui.handover.dialogs import HandoverDialog

        iid = self._need_incident()
        if iid is None:
            return None
        d = HandoverDialog(
            self.timeline(), iid, self.window, settings=getattr(self.ctx, "settings", None)
        )
        d.handed_over.connect(lambda e: self._message(e.text))
        self._keep(d)
        d.open()
        return d

    def report(self) -> ReportEditor | None:
        from warroom.ui.handover.report_editor import ReportEditor

        iid = self._need_incident()
        if iid is None or self.store is None:
            return None
        d = ReportEditor(self.store, iid, self.timeline().author, self.window)
        self._keep(d)
        d.open()
        return d

    # -- drops --------------------------------------------------------------------------

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        from warroom.ui.handover.dialogs import bundle_paths

        if obj is self.window and self.store is not None:
            if isinstance(event, QDragEnterEvent | QDragMoveEvent):
                if bundle_paths(event.mimeData().urls()):
                    event.acceptProposedAction()
                    return True
            elif isinstance(event, QDropEvent):
                paths = bundle_paths(event.mimeData().urls())
                if paths:
                    event.acceptProposedAction()
                    for p in paths:
                        self.preview_import(p)
                    return True
        return super().eventFilter(obj, event)


def install_handover_actions(main_window: QMainWindow, ctx: UiContext) -> HandoverUi:
    """Wire handover into ``main_window``; returns the object that owns the actions."""
    ui = HandoverUi(main_window, ctx)
    main_window._handover_ui = ui  # type: ignore[attr-defined]
    return ui


__all__ = ["HandoverUi", "install_handover_actions"]
