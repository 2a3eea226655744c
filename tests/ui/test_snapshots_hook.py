"""Rolling snapshots in the window: off the UI thread, at close, failures in the status bar."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QMainWindow, QStatusBar

from warroom.base.errors import StoreError
from warroom.services import snapshots as snap
from warroom.store import Store
from warroom.ui.context import UiContext
from warroom.ui.snapshots import install


@pytest.fixture
def ctx(qtbot, store: Store, tmp_path: Path) -> Iterator[UiContext]:  # type: ignore[no-untyped-def]
    win = QMainWindow()
    qtbot.addWidget(win)
    bar = QStatusBar()
    win.setStatusBar(bar)
    settings = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    c = UiContext(store=store, data_dir=store.data_dir, settings=settings, parent=win)
    c.status_bar = bar
    yield c
    win.close()


def test_snapshots_off_the_ui_thread_and_at_close(qtbot, ctx: UiContext, store: Store) -> None:  # type: ignore[no-untyped-def]
    bg = install(ctx)
    [timer] = [t for t in ctx._timers if t.objectName() == "snapshots"]
    assert timer.interval() == snap.DEFAULT_INTERVAL_S * 1000
    bg.kick()
    qtbot.waitUntil(lambda: len(bg.taken) == 1, timeout=30_000)
    assert bg.taken[0].reason == "timer"
    bg.kick()
    assert bg.task is not None and bg.task.wait(30)
    with qtbot.waitSignal(bg.task.finished, timeout=5000):
        pass
    assert len(bg.taken) == 1  # nothing changed
    store.meta_set("k", "v")
    ctx.shutdown()
    assert [i.reason for i in bg.taken] == ["timer", "exit"]


def test_a_failure_is_said_in_the_status_bar(
    qtbot, ctx: UiContext, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    bg = install(ctx)

    def full(target: Path) -> None:
        raise StoreError(f"cannot write snapshot {target}: disk full")

    monkeypatch.setattr(store, "vacuum_into", full)
    bg.kick()
    assert ctx.status_bar is not None
    bar = ctx.status_bar
    qtbot.waitUntil(lambda: "disk full" in bar.currentMessage(), timeout=10_000)
    assert bar.currentMessage().startswith("Snapshot failed:")
    ctx.shutdown()  # the exit snapshot fails too: never raises
    assert bg.taken == []
