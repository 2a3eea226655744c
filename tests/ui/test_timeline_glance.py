"""The timeline as a commander reads it at 3 a.m.: stale warnings go, refused commands
keep the text, history in words, action items from the keyboard, a new incident that
starts from what the probes know, zoom, and one line per entry at 1280x800 and 1600x1000.

Set WARROOM_SHOTS=DIR to keep the screenshots (docs/images/ comes from there).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QFontMetrics, QKeySequence
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QLineEdit

from warroom.base import timeutil
from warroom.domain.probes import ProbeResult, State, StateChange, Status
from warroom.services.timeline import PROBE_AUTHOR, Timeline, probes_now
from warroom.store import Store
from warroom.store import probes as stored_probes
from warroom.ui import app as appmod
from warroom.ui import settings
from warroom.ui.context import UiContext
from warroom.ui.mainwindow import MainWindow
from warroom.ui.panes import PANES
from warroom.ui.timeline import TimelinePane, dialogs
from warroom.ui.timeline.actions import COL_DONE, COL_OWNER
from warroom.ui.timeline.actions import COL_TEXT as ACT_TEXT
from warroom.ui.timeline.delegate import PAD_X
from warroom.ui.timeline.model import COL_PIN, COL_TEXT, COL_TIME, DayRole, EntryIdRole
from warroom.ui.zoom import apply_zoom

pytestmark = pytest.mark.qt_log_ignore(
    "does not support propagateSizeHints", "does not support raise"
)
BERLIN = ZoneInfo("Europe/Berlin")


@pytest.fixture
def ui_ctx(qapp: Any, store: Store, tmp_path: Path) -> Iterator[UiContext]:
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    ctx = UiContext(store=store, data_dir=store.data_dir, settings=settings)
    yield ctx
    ctx.shutdown()


@pytest.fixture
def tl(store: Store) -> Timeline:
    t = Timeline(store, author="Ada")
    t.set_author("Ada")
    return t


@pytest.fixture
def pane(qtbot: Any, ui_ctx: UiContext, tl: Timeline) -> Iterator[TimelinePane]:
    tl.new_incident("Mail down", severity="SEV2")
    p = TimelinePane(ui_ctx, tz=BERLIN)
    qtbot.addWidget(p)
    p.resize(1000, 700)
    p.show()
    qtbot.waitExposed(p)
    yield p
    p.shutdown()


# -- warnings and refusals ---------------------------------------------------------


def test_future_warning_goes_once_the_time_is_corrected(qtbot: Any, pane: TimelinePane) -> None:
    eid = pane.capture_line("+2h maintenance window starts")
    assert eid is not None
    assert "in the future" in pane.capture.message_text()
    assert pane.edit_entry(eid, occurred_at="-1m")
    qtbot.waitUntil(lambda: pane.capture.message_text() == "", timeout=2000)


def test_future_warning_goes_when_the_command_line_corrects_it(
    qtbot: Any, pane: TimelinePane, tl: Timeline
) -> None:
    eid = pane.capture_line("+2h maintenance window starts")
    assert eid is not None and "in the future" in pane.capture.message_text()
    tl.edit(eid, at=timeutil.now() - timedelta(minutes=1))  # as `warroom entry edit` would
    pane.poll()
    qtbot.waitUntil(lambda: pane.capture.message_text() == "", timeout=2000)


def test_future_warning_goes_when_switching_incidents(
    qtbot: Any, pane: TimelinePane, tl: Timeline
) -> None:
    other = tl.new_incident("DNS slow")
    assert pane.capture_line("+2h maintenance window starts") is not None
    assert "in the future" in pane.capture.message_text()
    pane.load_incident(other.id)
    assert pane.capture.message_text() == ""


def test_unknown_command_is_refused_and_the_text_kept(qtbot: Any, pane: TimelinePane) -> None:
    before = pane.model.rowCount()
    edit = pane.capture.edit
    edit.setFocus()
    qtbot.keyClicks(edit, "/decison fail over MX")
    qtbot.keyClick(edit, Qt.Key.Key_Return)
    assert edit.text() == "/decison fail over MX"
    assert "did you mean /decision?" in pane.capture.message_text()
    assert pane.model.rowCount() == before


# -- words, not values --------------------------------------------------------------


def test_history_dialog_reads_as_words(qtbot: Any, pane: TimelinePane, tl: Timeline) -> None:
    eid = pane.capture_line("resolver SERVFAIL #dns #www")
    assert eid is not None
    tl.pin(eid)
    pane.refresh()
    assert pane.select_entry(eid)
    dlg = pane.show_history()
    assert isinstance(dlg, dialogs.HistoryDialog)
    text = dlg.view.toPlainText()
    assert "Tags: dns, www" in text and "Pinned: yes" in text and "Hidden: no" in text
    for raw in ("True", "False", "[", "T0", "Z ·"):
        assert raw not in text.split("\n\n")[0], text
    dlg.close()


# -- action items -------------------------------------------------------------------


def test_action_items_from_the_keyboard(qtbot: Any, pane: TimelinePane, tl: Timeline) -> None:
    assert pane.incident is not None
    iid = pane.incident.id
    todo = pane.capture_line("TODO: call the ISP-B NOC")
    assert todo is not None
    panel = pane.action_panel
    qtbot.waitUntil(lambda: panel.model.rowCount() == 1, timeout=2000)
    assert panel.title.text() == "Open actions (1)"
    # Ctrl+Shift+A focuses the list; F2 edits the owner; Enter saves.
    pane.focus_actions()
    table = panel.table
    assert table.hasFocus()
    table.setCurrentIndex(panel.model.index(0, COL_OWNER))
    qtbot.keyClick(table, Qt.Key.Key_F2)
    editor = table.viewport().findChild(QLineEdit)
    assert isinstance(editor, QLineEdit) and editor.isVisible()
    editor.selectAll()
    qtbot.keyClicks(editor, "Bob")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: tl.actions(iid)[0].owner == "Bob", timeout=2000)
    # Enter in the line below adds one.
    panel.add_line.setFocus()
    qtbot.keyClicks(panel.add_line, "lower the TTL")
    qtbot.keyClick(panel.add_line, Qt.Key.Key_Return)
    assert [a.text for a in tl.actions(iid, open_only=True)] == [
        "call the ISP-B NOC",
        "lower the TTL",
    ]
    # Space ticks the selected one done.
    table.setFocus()
    table.setCurrentIndex(panel.model.index(0, ACT_TEXT))
    qtbot.keyClick(table, Qt.Key.Key_Space)
    assert [a.text for a in tl.actions(iid, open_only=True)] == ["lower the TTL"]
    assert panel.model.rowCount() == 1
    assert panel.model.index(0, COL_DONE).data(Qt.ItemDataRole.CheckStateRole) == (
        Qt.CheckState.Unchecked
    )


def test_hiding_a_todo_entry_closes_its_action_in_the_panel(
    qtbot: Any, pane: TimelinePane, tl: Timeline
) -> None:
    todo = pane.capture_line("TODO: call the ISP-B NOC")
    assert todo is not None and pane.select_entry(todo)
    assert pane.action_panel.model.rowCount() == 1
    pane.hide_selected("logged twice")
    qtbot.waitUntil(lambda: pane.action_panel.model.rowCount() == 0, timeout=2000)
    assert pane.action_panel.title.text() == "Open actions: none"


# -- a new incident starts from what is known ------------------------------------------


def _probe_outage(store: Store, now: datetime) -> None:
    def change(target: str, vantage: str, new: State, minutes: int) -> StateChange:
        t = now - timedelta(minutes=minutes)
        status = Status.UP if new is State.UP else Status.DOWN
        r = ProbeResult(t, target, vantage, "http", status, error="refused")
        return StateChange(t, target, vantage, State.PENDING, new, r)

    stored_probes.write_batch(
        store,
        [],
        [
            change("www", "isp-a", State.UP, 30),
            change("www", "isp-b", State.DOWN, 30),
            change("www", "isp-b", State.UP, 20),
            change("www", "isp-b", State.DOWN, 4),
            change("smtp", "isp-a", State.DOWN, 9),
            change("smtp", "isp-b", State.DOWN, 9),
            change("dns", "isp-a", State.UP, 9),
        ],
    )


def test_probes_now_reads_the_latest_stored_state(store: Store) -> None:
    now = timeutil.now()
    _probe_outage(store, now)
    known = probes_now(store, now)
    assert known.affected == ("smtp", "www")
    assert known.text == (
        "Probes now: smtp: down via isp-a, isp-b for 9m 00s. "
        "www: down via isp-b for 4m 00s; up via isp-a"
    )


def test_new_incident_starts_from_what_is_known(
    qtbot: Any, pane: TimelinePane, tl: Timeline, store: Store
) -> None:
    _probe_outage(store, timeutil.now())
    dlg = pane.new_incident()
    assert isinstance(dlg, dialogs.NewIncidentDialog)
    assert dlg.commander.text() == "Ada"
    assert dlg.affected.text() == "smtp, www"
    assert dlg.carry.isChecked()
    dlg.title.setText("Mail and web down for ISP-B")
    dlg.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok).click()
    qtbot.waitUntil(lambda: pane.incident is not None and pane.incident.title.startswith("Mail"))
    assert pane.incident is not None
    inc = tl.incident(pane.incident.id)
    assert inc.commander == "Ada" and inc.affected_services == ("smtp", "www")
    probe = [e for e in tl.entries(tl.filter(inc.id)) if e.kind == "probe"]
    assert len(probe) == 1 and probe[0].author == PROBE_AUTHOR
    assert probe[0].text.startswith("Probes now: smtp: down via isp-a, isp-b")


# -- zoom ------------------------------------------------------------------------------


def test_zoom_scales_the_font_and_is_remembered(qtbot: Any, store: Store, tmp_path: Path) -> None:
    appmod.create_app()
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    base = app.font().pointSizeF()
    settings_file = tmp_path / "gui.ini"

    def window() -> MainWindow:
        ctx = UiContext(
            store=store,
            data_dir=store.data_dir,
            settings=QSettings(str(settings_file), QSettings.Format.IniFormat),
        )
        w = MainWindow(ctx, panes={"timeline": PANES["timeline"]})
        qtbot.addWidget(w)
        w.show()
        qtbot.waitExposed(w)
        return w

    w = window()
    try:
        pane = w.findChild(TimelinePane)
        assert pane is not None
        row_before = pane.view.default_row_height()
        acts = w.ctx.actions
        assert QKeySequence("Ctrl+=") in acts["zoom_in"].shortcuts()
        assert QKeySequence("Ctrl+-") in acts["zoom_out"].shortcuts()
        assert QKeySequence("Ctrl+0") in acts["zoom_reset"].shortcuts()
        acts["zoom_in"].trigger()
        acts["zoom_in"].trigger()
        assert app.font().pointSizeF() == pytest.approx(base * 1.25)
        qtbot.waitUntil(lambda: pane.view.default_row_height() > row_before, timeout=2000)
        assert settings.WINDOW_ZOOM.get(w.ctx.settings) == pytest.approx(1.25)
        w.close()
        w.ctx.settings.sync()
        apply_zoom(1.0)  # as at a fresh start, before the window reads its settings
        assert app.font().pointSizeF() == pytest.approx(base)
        w2 = window()
        assert app.font().pointSizeF() == pytest.approx(base * 1.25)
        w2.ctx.actions["zoom_out"].trigger()
        assert app.font().pointSizeF() == pytest.approx(base * 1.1)
        w2.ctx.actions["zoom_reset"].trigger()
        assert app.font().pointSizeF() == pytest.approx(base)
        w2.close()
    finally:
        w.zoom.reset()  # the application font is shared with the tests that follow


# -- one line per entry, at both window sizes ----------------------------------------------


def _seed_night(tl: Timeline) -> str:
    # Across local midnight in Berlin: two day bands.
    start = datetime(2026, 11, 29, 22, 40, tzinfo=UTC)  # 23:40 CET
    inc = tl.new_incident("Mail and web down for ISP-B customers", at=start, commander="Ada")
    for minutes, text, kind in (
        (2, "Customers of ISP-B report www unreachable #www", None),
        (5, "Resolver at ISP-B returns SERVFAIL for our zone #dns", None),
        (11, "Fail over MX to the secondary site", "decision"),
        (14, "Posted on the status page: investigating mail delays", "comms"),
        (15, "TODO: lower TTL on mail records to 300 s", None),
        (22, "Secondary MX accepts mail again; queue draining", None),
        (31, "ISP-B NOC confirms a resolver outage, ETA 30 min", None),
    ):
        res = tl.log(inc.id, text, kind=kind, at=start + timedelta(minutes=minutes))
        if minutes == 5:
            tl.pin(res.value.id)
    return inc.id


@pytest.mark.parametrize("size", [(1280, 800), (1600, 1000)])
def test_one_line_per_entry_and_a_band_per_day(
    qtbot: Any, store: Store, tl: Timeline, tmp_path: Path, size: tuple[int, int]
) -> None:
    iid = _seed_night(tl)
    appmod.create_app()
    ctx = UiContext(
        store=store,
        data_dir=store.data_dir,
        settings=QSettings(str(tmp_path / "gui.ini"), QSettings.Format.IniFormat),
    )
    w = MainWindow(ctx, restore=False)
    qtbot.addWidget(w)
    w.resize(*size)
    w.show()
    qtbot.waitExposed(w)
    pane = w.findChild(TimelinePane)
    assert pane is not None
    pane.tz = pane.model.tz = BERLIN
    pane.load_incident(iid)
    view = pane.view
    qtbot.wait(50)
    view.fit_visible()
    m = pane.model
    n = m.rowCount()
    assert n == 8
    # Every entry on screen, none scrolled away.
    assert view.rowViewportPosition(n - 1) + view.rowHeight(n - 1) <= view.viewport().height()
    line = view.fontMetrics().lineSpacing()
    days = [m.index(r, COL_TIME).data(DayRole) for r in range(n)]
    assert days[0] == "Sunday 29 November 2026"
    assert days.count("Monday 30 November 2026") == 1 and days.count("") == n - 2
    room = view.columnWidth(COL_TEXT) - 2 * PAD_X
    one_line = 0
    for r in range(n):
        band = line + 10 if days[r] else 0
        text = str(m.index(r, COL_TEXT).data())
        font = m.index(r, COL_TEXT).data(Qt.ItemDataRole.FontRole) or view.font()
        if QFontMetrics(font).horizontalAdvance(text) + 4 < room:
            # One line per entry where the text fits.
            assert view.rowHeight(r) - band <= line + 10, (r, text, view.rowHeight(r))
            one_line += 1
    assert one_line >= (2 if size[0] < 1600 else 5)
    pinned_row = next(r for r in range(n) if "SERVFAIL" in str(m.index(r, COL_TEXT).data()))
    assert m.index(pinned_row, COL_PIN).data(Qt.ItemDataRole.BackgroundRole) is not None
    # The inline time editor is not clipped: wide enough for a full time, inside the list.
    last = m.index(n - 1, COL_TIME)
    view.setCurrentIndex(last)
    view.edit(last)
    editor = view.viewport().findChild(QLineEdit)
    assert editor is not None and editor.isVisible()
    g = editor.geometry()
    assert g.width() >= editor.fontMetrics().horizontalAdvance(editor.text()) + 8
    assert g.height() >= editor.sizeHint().height()
    assert view.viewport().rect().contains(g)
    view.closePersistentEditor(last)
    qtbot.keyClick(editor, Qt.Key.Key_Escape)
    shots = os.environ.get("WARROOM_SHOTS")
    if shots:
        assert w.grab().save(str(Path(shots) / f"timeline-{size[0]}x{size[1]}.png"))
    assert m.index(0, 0).data(EntryIdRole)
    w.close()
