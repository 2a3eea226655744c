"""Rolling snapshots while a window is open: a timer on the UI thread, the copy itself
through ``ui.tasks`` (a 100 MB workspace takes ~0.6 s), one last snapshot at close.

A failed snapshot (disk full...) is said in the status bar and never takes the window
down. The policy (snapshot only when the database changed) is ``Snapshotter``'s.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject

from warroom.base.errors import WarroomError
from warroom.services.snapshots import DEFAULT_INTERVAL_S, Snapshotter
from warroom.store.snapshots import SnapshotInfo
from warroom.ui.context import UiContext
from warroom.ui.tasks import Task, run_task

log = logging.getLogger(__name__)


class BackgroundSnapshots(QObject):
    """``kick()`` (UI thread, cheap) starts one snapshot unless one is still running;
    ``close()`` waits for it and takes the exit snapshot. Neither raises."""

    def __init__(self, ctx: UiContext, snapshotter: Snapshotter) -> None:
        super().__init__(ctx)
        self.ctx = ctx
        self.snapshotter = snapshotter
        self.task: Task[SnapshotInfo | None] | None = None
        self.taken: list[SnapshotInfo] = []

    def kick(self) -> None:
        if self.task is not None and self.task.running():
            return
        self.task = run_task(
            self, self.snapshotter.tick, self._taken, self._failed, name="snapshot"
        )

    def _taken(self, info: SnapshotInfo | None) -> None:
        if info is not None:
            self.taken.append(info)

    def _failed(self, exc: BaseException) -> None:
        if isinstance(exc, WarroomError):
            log.warning("snapshot failed: %s", exc)
            self.ctx.show_message(f"Snapshot failed: {exc}")
        else:
            log.error("snapshot failed", exc_info=exc)
            self.ctx.show_message("Snapshot failed: an unexpected error; see the log")

    def close(self, timeout: float = 60.0) -> None:
        if self.task is not None:
            self.task.wait(timeout)
        try:
            self._taken(self.snapshotter.at_exit())
        except Exception as exc:  # the window closes anyway
            self._failed(exc)


def install(ctx: UiContext) -> BackgroundSnapshots:
    """The window's start-up hook (``warroom.ui.panes.HOOKS``)."""
    if ctx.store is None:
        raise RuntimeError("snapshots need an open workspace")
    bg = BackgroundSnapshots(ctx, Snapshotter(ctx.store))
    ctx.every(DEFAULT_INTERVAL_S, bg.kick, name="snapshots")
    ctx.on_close(bg.close)
    return bg
