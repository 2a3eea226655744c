"""The timeline pane inside the real main window, and the times it shows."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QLabel

from warroom.services.timeline import Timeline
from warroom.store import Store
from warroom.ui.context import UiContext
from warroom.ui.mainwindow import MainWindow
from warroom.ui.panes import PANES
from warroom.ui.timeline import TimelinePane
from warroom.ui.timeline.model import (
    COL_TEXT,
    COL_TIME,
    DayRole,
    FullTextRole,
    day_label,
    time_cell,
    time_tooltip,
)

pytestmark = pytest.mark.qt_log_ignore(
    "does not support propagateSizeHints", "does not support raise"
)


@pytest.fixture
def window(qtbot: Any, store: Store, tmp_path: Path) -> Iterator[MainWindow]:
    from warroom.ui import app as appmod

    appmod.create_app()
    tl = Timeline(store, author="Alice")
    tl.set_author("Alice")
    tl.new_incident("DNS outage", severity="SEV1")
    ctx = UiContext(
        store=store,
        data_dir=store.data_dir,
        settings=QSettings(str(tmp_path / "gui.ini"), QSettings.Format.IniFormat),
    )
    w = MainWindow(ctx, panes={"timeline": PANES["timeline"]}, restore=False)
    qtbot.addWidget(w)
    with qtbot.waitActive(w):
        w.show()
        w.activateWindow()
    yield w
    w.close()


def pane_of(w: MainWindow) -> TimelinePane:
    pane = w.docks["timeline"].widget()
    assert isinstance(pane, TimelinePane)
    return pane


def test_registry_builds_the_timeline_and_sets_the_active_incident(window: MainWindow) -> None:
    pane = pane_of(window)
    assert pane.incident is not None
    assert window.ctx.active_incident == pane.incident.id
    assert window.ctx.active_incident_title == "DNS outage"


def test_window_find_undo_redo_drive_the_pane(qtbot: Any, window: MainWindow) -> None:
    pane = pane_of(window)
    acts = window.ctx.actions
    assert not acts["undo"].isEnabled()
    eid = pane.capture_line("resolver answers SERVFAIL")
    assert acts["undo"].isEnabled()
    acts["undo"].trigger()
    assert eid not in pane.model.ids()
    assert acts["redo"].isEnabled()
    acts["redo"].trigger()
    assert eid in pane.model.ids()
    assert acts["find"].isEnabled()
    acts["find"].trigger()
    assert pane.search.hasFocus()
    # The pane's own shortcuts are listed with the window's.
    assert acts["timeline_pin"].shortcut().toString() == "Ctrl+Shift+P"


def test_typing_in_the_window_logs_and_keeps_focus(qtbot: Any, window: MainWindow) -> None:
    pane = pane_of(window)
    edit = pane.capture.edit
    edit.setFocus()
    qtbot.waitUntil(edit.hasFocus, timeout=1000)
    for line in ("first #dns", "/decision second"):
        qtbot.keyClicks(edit, line)
        qtbot.keyClick(edit, Qt.Key.Key_Return)
        assert edit.hasFocus()
    n = pane.model.rowCount()
    texts = [pane.model.index(r, COL_TEXT).data(FullTextRole) for r in range(n - 2, n)]
    assert texts == ["first #dns", "second"]


def test_times_local_and_utc_across_the_zurich_dst_switch() -> None:
    zurich = ZoneInfo("Europe/Zurich")
    # 2026-03-29: 02:00 CET jumps to 03:00 CEST (01:00 UTC).
    before = time_cell("2026-03-29T00:59:59.000Z", zurich)
    after = time_cell("2026-03-29T01:00:00.000Z", zurich)
    assert before == "01:59:59 · 00:59 UTC"
    assert after == "03:00:00 · 01:00 UTC"
    # 2026-10-25: 03:00 CEST falls back to 02:00 CET: 02:30 happens twice.
    first = time_cell("2026-10-25T00:30:00.000Z", zurich)
    second = time_cell("2026-10-25T01:30:00.000Z", zurich)
    assert first.split(" · ")[0] == second.split(" · ")[0] == "02:30:00"
    assert first.split(" · ")[1] != second.split(" · ")[1]  # UTC tells them apart


def test_date_once_per_day_and_utc_date_when_it_differs() -> None:
    zurich = ZoneInfo("Europe/Zurich")
    cell = time_cell("2026-11-24T23:30:00.000Z", zurich)
    assert cell == "00:30:00 · 24 Nov 23:30 UTC"
    assert day_label("2026-11-24T23:30:00.000Z", zurich) == "Wednesday 25 November 2026"
    assert time_cell("2026-11-24T23:30:00.000Z", ZoneInfo("UTC")) == "23:30:00 UTC"


def test_time_tooltip_has_zone_offset_and_utc(store: Store) -> None:
    tl = Timeline(store, author="a")
    inc = tl.new_incident("x")
    e = tl.log(inc.id, "y", at=datetime(2026, 7, 1, 8, 0, tzinfo=UTC)).value
    tip = time_tooltip(e, ZoneInfo("Europe/Zurich"))
    assert "10:00:00.000 CEST (UTC+02:00)" in tip
    assert "UTC:   2026-07-01T08:00:00.000Z" in tip


def test_time_column_uses_the_panes_zone(qtbot: Any, store: Store, tmp_path: Path) -> None:
    tl = Timeline(store, author="a")
    tl.set_author("a")
    inc = tl.new_incident("x")
    tl.log(inc.id, "summer", at=datetime(2026, 7, 1, 8, 0, tzinfo=UTC))
    ctx = UiContext(
        store=store,
        data_dir=store.data_dir,
        settings=QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat),
    )
    pane = TimelinePane(ctx, tz=ZoneInfo("Asia/Kolkata"))
    qtbot.addWidget(pane)
    try:
        ix = pane.model.index(0, COL_TIME)
        assert ix.data(Qt.ItemDataRole.DisplayRole) == "13:30:00 · 08:00 UTC"
        assert ix.data(DayRole) == "Wednesday 01 July 2026"
        # Typing 10:42 backdates in the pane's zone, too.
        eid = pane.capture_line("10:42 local clock")
        assert eid is not None
        assert tl.entry(eid).occurred_at.endswith("05:12:00.000Z")
    finally:
        pane.shutdown()
        ctx.shutdown()


def test_time_header_names_the_zone(qtbot: Any, store: Store, tmp_path: Path) -> None:
    ctx = UiContext(
        store=store,
        data_dir=store.data_dir,
        settings=QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat),
    )
    pane = TimelinePane(ctx, tz=ZoneInfo("Asia/Kolkata"))
    qtbot.addWidget(pane)
    try:
        head = pane.model.headerData(COL_TIME, Qt.Orientation.Horizontal)
        assert head == "Time (IST · UTC)"
    finally:
        pane.shutdown()
        ctx.shutdown()


def test_without_a_workspace_the_pane_says_so(qtbot: Any, tmp_path: Path) -> None:
    ctx = UiContext(
        store=None,
        data_dir=tmp_path,
        settings=QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat),
    )
    pane = TimelinePane(ctx)
    qtbot.addWidget(pane)
    texts = [w.text() for w in pane.findChildren(QLabel)]
    assert any("No workspace is open" in t for t in texts)
    pane.shutdown()
    pane.close()
