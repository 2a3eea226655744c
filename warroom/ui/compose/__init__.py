"""The composer in the window: File ▸ Compose status update… (Ctrl+Shift+U), the
next-update countdown in the status bar and a reminder when an update is due.

``install_compose_actions(main_window, ctx)`` wires it in. Channels and ``[comms]``
settings come from the workspace file (read again when it changes); publishing runs on
one asyncio loop per window (``work.AsyncLoop``) so Bluesky sessions live as long as the
window, not one login per publication.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine
from typing import TYPE_CHECKING, Any, TypeVar

from PySide6.QtCore import QObject, QTimer
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QApplication, QLabel, QMainWindow, QMenu, QMessageBox

from warroom.base.errors import WarroomError
from warroom.social.channels import CommsSettings

if TYPE_CHECKING:
    from PySide6.QtWidgets import QSystemTrayIcon

    from warroom.social.channels import ChannelSpec
    from warroom.social.publish import Publisher
    from warroom.store import Store
    from warroom.ui.compose.dialog import ComposeDialog
    from warroom.ui.compose.work import AsyncLoop
    from warroom.ui.context import UiContext
    from warroom.ui.tasks import Task

log = logging.getLogger(__name__)

T = TypeVar("T")
_Config = tuple["list[ChannelSpec]", CommsSettings, str]  # channels, settings, why none
SHORTCUT = "Ctrl+Shift+U"
TICK_MS = 15_000


class ComposeUi(QObject):
    """The composer's actions and clock of one main window."""

    def __init__(self, window: QMainWindow, ctx: UiContext) -> None:
        super().__init__(window)
        self.window, self.ctx = window, ctx
        self._loop: AsyncLoop | None = None
        self._publisher: Publisher | None = None
        self._publisher_key: object = None
        self._reminded: set[tuple[str, str]] = set()
        self.dialog: ComposeDialog | None = None
        self._tray: QSystemTrayIcon | None = None
        self._config_cache: tuple[object, tuple[list[ChannelSpec], CommsSettings, str]] | None = (
            None
        )
        self.reminders: list[str] = []  # what was shown, newest last
        act = QAction("Compose status &update…", window)
        act.setObjectName("action-compose")
        act.setShortcut(QKeySequence(SHORTCUT))
        act.setStatusTip("Draft, check and publish a public status update")
        act.triggered.connect(lambda _=False: self.open())
        window.addAction(act)
        ctx.actions["compose"] = act
        self.action = act
        self._add_to_file_menu(act)
        self.clock = QLabel()
        self.clock.setObjectName("status-next-update")
        if ctx.status_bar is not None:
            ctx.status_bar.addPermanentWidget(self.clock)
        self._timer = QTimer(self)
        self._timer.setInterval(TICK_MS)
        self._timer.timeout.connect(self.tick)
        self._timer.start()
        ctx.active_incident_changed.connect(lambda _i: self.tick())
        ctx.workspace_file_changed.connect(lambda _p: self._forget_publisher())
        ctx.closing.connect(self.shutdown)
        self.tick()

    def _add_to_file_menu(self, act: QAction) -> None:
        for menu_act in self.window.menuBar().actions():
            menu = menu_act.menu()
            if isinstance(menu, QMenu) and menu_act.text().replace("&", "") == "File":
                items = menu.actions()
                quit_act = self.ctx.actions.get("quit")
                before = items[items.index(quit_act) - 1] if quit_act in items else None
                if before is not None and before.isSeparator():
                    menu.insertAction(before, act)
                else:
                    menu.addAction(act)
                return

    # -- state ----------------------------------------------------------------------

    @property
    def store(self) -> Store:
        """The window's store; a window without one has no incident to write about."""
        if self.ctx.store is None:
            raise WarroomError("no workspace is open")
        return self.ctx.store

    def incident_id(self) -> str | None:
        store = self.ctx.store
        if store is None:
            return None
        if self.ctx.active_incident:
            return str(self.ctx.active_incident)
        from warroom.services.timeline import Timeline

        try:
            return str(Timeline(store).resolve_incident_id("latest"))
        except WarroomError:
            return None

    def config(self) -> _Config:
        """(channels, settings, why there are none) from the workspace file."""
        from warroom.social.channels import from_config

        path = self.ctx.workspace_file
        if path is None:
            return [], CommsSettings(), "No workspace file is open (File ▸ Open workspace file)."
        from warroom.config import workspace_file

        try:
            stamp = (path, path.stat().st_mtime_ns)
        except OSError:
            stamp = None
        cached = self._config_cache
        if stamp is not None and cached is not None and cached[0] == stamp:
            return cached[1]
        try:
            cfg = workspace_file.load(path)
        except WarroomError as exc:
            return [], CommsSettings(), f"The workspace file cannot be used: {exc}"
        channels, settings = from_config(cfg)
        result = (channels, settings, "" if channels else f"{path.name} has no [[channel]].")
        if stamp is not None:  # read again only when the file changes (the clock ticks)
            self._config_cache = (stamp, result)
        return result

    def _forget_publisher(self) -> None:
        self._publisher_key = None

    def publisher(
        self, channels: list[ChannelSpec], settings: CommsSettings, author: str
    ) -> Publisher:
        """The window's publisher for these channels (kept while they stay the same)."""
        from warroom.services.timeline import Timeline
        from warroom.social.publish import Publisher
        from warroom.ui.compose.work import AsyncLoop

        key = (tuple(channels), settings.approval, author)
        if self._publisher is not None and self._publisher_key == key:
            return self._publisher
        if self._loop is None:
            self._loop = AsyncLoop()
        old = self._publisher
        if old is not None:
            self._loop.submit(self, old.aclose(), lambda _v: None, lambda _e: None)
        # Its own Timeline: writes from the loop thread must not call the panes' listeners
        # (they notice other writers through the store's data version).
        tl = Timeline(self.store, author=author)
        self._publisher = Publisher(self.store, channels, settings, timeline=tl)
        self._publisher_key = key
        return self._publisher

    def submit(
        self,
        coro: Coroutine[Any, Any, T],
        on_done: Callable[[T], object],
        on_error: Callable[[BaseException], object],
    ) -> Task[T]:
        if self._loop is None:
            from warroom.ui.compose.work import AsyncLoop

            self._loop = AsyncLoop()
        return self._loop.submit(self, coro, on_done, on_error)

    # -- actions --------------------------------------------------------------------

    def open(self) -> ComposeDialog | None:
        from warroom.services.timeline import Timeline
        from warroom.ui.compose.dialog import ComposeDialog

        iid = self.incident_id()
        if iid is None:
            QMessageBox.information(
                self.window, "Warroom", "There is no incident yet: open one first."
            )
            return None
        if self.dialog is not None and self.dialog.isVisible():
            self.dialog.raise_()
            self.dialog.activateWindow()
            return self.dialog
        channels, settings, why = self.config()
        author = Timeline(self.store).author
        pub = self.publisher(channels, settings, author) if channels else None
        d = ComposeDialog(
            store=self.store,
            incident_id=iid,
            publisher=pub,
            settings=settings,
            submit=self.submit if pub is not None else None,
            author=author,
            no_channels_reason=why,
            parent=self.window,
        )
        d.published.connect(lambda _r: self.tick())
        self.dialog = d
        d.show()
        return d

    def tick(self) -> None:
        """The countdown in the status bar; a reminder when an update becomes due."""
        from warroom.services.timeline import Timeline
        from warroom.social import compose

        iid = self.incident_id()
        if iid is None:
            self.clock.setText("")
            return
        try:
            inc = Timeline(self.store).incident(iid)
            _ch, settings, _why = self.config()
            cad = compose.cadence_for(self.store, inc, settings)
        except WarroomError as exc:
            log.warning("next-update clock: %s", exc)
            return
        text = cad.text()
        short = cad.short()
        self.clock.setText(short[:1].upper() + short[1:])
        every = int(cad.every_s // 60)
        self.clock.setToolTip(
            f"{text[:1].upper() + text[1:]}; {cad.severity}: an update every {every} min. "
            "Publishing restarts the clock (File ▸ Compose status update, Ctrl+Shift+U)."
        )
        overdue = cad.overdue()
        self.clock.setStyleSheet("color: #cf222e; font-weight: bold;" if overdue else "")
        if overdue and cad.due is not None:
            key = (inc.id, cad.due.isoformat())
            if key not in self._reminded:
                self._reminded.add(key)
                self.remind(inc.title, text)

    def remind(self, title: str, text: str) -> None:
        """The reminder: a status-bar message, the window asks for attention, and a
        desktop notification where the desktop has a tray."""
        message = f"Status update due: {title} ({text})"
        log.info("reminder: %s", message)
        if hasattr(self.ctx, "show_message"):
            self.ctx.show_message(message, 60_000)
        QApplication.alert(self.window, 0)
        from PySide6.QtWidgets import QSystemTrayIcon

        if QSystemTrayIcon.isSystemTrayAvailable() and QSystemTrayIcon.supportsMessages():
            from warroom.ui.icons import icon

            if self._tray is None:
                self._tray = QSystemTrayIcon(icon("app"), self)
                self._tray.setToolTip("Warroom")
                self._tray.show()
            self._tray.showMessage(
                "Status update due", message, QSystemTrayIcon.MessageIcon.Warning
            )
        self.reminders.append(message)

    def shutdown(self) -> None:
        self._timer.stop()
        if self.dialog is not None:
            self.dialog.close()  # stops its timers before the workspace goes away
        if self._loop is not None:
            pub = self._publisher
            self._loop.stop(pub.aclose() if pub is not None else None)
            self._loop = None


def install_compose_actions(window: QMainWindow, ctx: UiContext) -> ComposeUi:
    ui = ComposeUi(window, ctx)
    window._compose_ui = ui  # type: ignore[attr-defined]
    return ui
