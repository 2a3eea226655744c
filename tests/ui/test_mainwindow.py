"""The main window shell, offscreen: docks, layout memory, clock, errors, the lock."""

from __future__ import annotations

import json
import logging
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtGui import QImage, QKeySequence
from PySide6.QtWidgets import QLabel, QMenu, QMessageBox, QTextEdit, QWidget
from pytestqt.qtbot import QtBot

from warroom.cli import build_parser
from warroom.system.lockfile import LOCK_NAME, WorkspaceLock
from warroom.ui import app as appmod
from warroom.ui.context import UiContext
from warroom.ui.errors import CrashReporter
from warroom.ui.launch import launch_gui
from warroom.ui.mainwindow import MainWindow
from warroom.ui.panes import PANES, PaneSpec
from warroom.ui.placeholder import PlaceholderPane
from warroom.ui.settings import COLOUR_SCHEME

pytestmark = pytest.mark.qt_log_ignore(
    "does not support propagateSizeHints", "does not support raise"
)

Area = Qt.DockWidgetArea


@pytest.fixture
def settings_path(tmp_path: Path) -> Path:
    return tmp_path / "gui.ini"


def placeholder_panes() -> dict[str, PaneSpec]:
    """The registry's panes as placeholders: shell tests must not depend on real panes."""

    def make(spec: PaneSpec) -> Any:
        return lambda ctx: PlaceholderPane(spec.title, spec.icon, spec.what)

    return {k: replace(spec, factory=make(spec)) for k, spec in PANES.items()}


def make_window(qtbot: QtBot, data_dir: Path, settings_path: Path, **kw: Any) -> MainWindow:
    appmod.create_app()
    kw.setdefault("panes", placeholder_panes())
    ctx = UiContext(
        store=None,
        data_dir=data_dir,
        settings=QSettings(str(settings_path), QSettings.Format.IniFormat),
        log_path=data_dir / "logs" / "warroom.log",
    )
    w = MainWindow(ctx, **kw)
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    return w


@pytest.fixture
def root_logging() -> Iterator[None]:
    """Undo the handlers a launch adds to the root logger."""
    root = logging.getLogger()
    before, level = list(root.handlers), root.level
    yield
    for h in list(root.handlers):
        if h not in before:
            root.removeHandler(h)
            h.close()
    root.setLevel(level)


@pytest.fixture
def dialogs(monkeypatch: pytest.MonkeyPatch) -> list[QMessageBox]:
    """Dialogs are forced on and their exec() records instead of blocking."""
    shown: list[QMessageBox] = []

    def fake_exec(self: QMessageBox) -> int:
        shown.append(self)
        return int(QMessageBox.StandardButton.Ok.value)

    monkeypatch.setenv("WARROOM_FORCE_DIALOGS", "1")
    monkeypatch.setattr(QMessageBox, "exec", fake_exec)
    return shown


def run_cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    e = dict(os.environ)
    e["QT_QPA_PLATFORM"] = "offscreen"
    e.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "warroom", *args],
        env=e,
        capture_output=True,
        text=True,
        timeout=60,
    )


# -- docks and layout ----------------------------------------------------------


def test_three_panes_side_by_side_from_the_registry(
    qtbot: QtBot, data_dir: Path, settings_path: Path
) -> None:
    w = make_window(qtbot, data_dir, settings_path, panes=PANES)  # the real registry
    assert list(w.docks) == ["dashboard", "timeline", "feed"]
    xs = []
    for pane_id, dock in w.docks.items():
        assert dock.isVisible() and not dock.isFloating()
        assert dock.windowTitle() == PANES[pane_id].title
        assert isinstance(dock.widget(), QWidget)
        if isinstance(dock.widget(), PlaceholderPane) or dock.visibleRegion().isEmpty():
            # takes no width: a tab beside (a placeholder, or the feed in 1280 px)
            assert w.tabifiedDockWidgets(dock)
            continue
        xs.append(dock.geometry().x())
    assert xs == sorted(xs)  # left to right: dashboard, timeline (, feed)
    assert not w._hint.isVisible()


def test_placeholders_say_what_they_will_hold(
    qtbot: QtBot, data_dir: Path, settings_path: Path
) -> None:
    w = make_window(qtbot, data_dir, settings_path)
    for pane_id, dock in w.docks.items():
        pane = dock.widget()
        assert isinstance(pane, PlaceholderPane)
        labels = [lbl.text() for lbl in pane.findChildren(QLabel)]
        assert PANES[pane_id].what in labels
        assert "Not built yet: this pane is a placeholder." in labels


def test_layout_moved_floated_closed_is_restored(
    qtbot: QtBot, data_dir: Path, settings_path: Path
) -> None:
    w = make_window(qtbot, data_dir, settings_path)
    w.addDockWidget(Area.BottomDockWidgetArea, w.docks["timeline"])
    w.docks["feed"].setFloating(True)
    w.docks["dashboard"].close()
    w.resize(700, 500)
    qtbot.wait(10)
    assert (w.width(), w.height()) == (700, 500)
    assert w.dockWidgetArea(w.docks["timeline"]) == Area.BottomDockWidgetArea
    w.close()
    assert settings_path.exists()

    w2 = make_window(qtbot, data_dir, settings_path)
    assert w2.dockWidgetArea(w2.docks["timeline"]) == Area.BottomDockWidgetArea
    assert w2.docks["feed"].isFloating()
    assert w2.docks["dashboard"].isHidden()
    assert not w2.docks["timeline"].isHidden()
    assert (w2.width(), w2.height()) == (700, 500)
    assert w2.visible_panes() == ["timeline", "feed"]

    w2.ctx.actions["reset_layout"].trigger()
    for d in w2.docks.values():
        assert not d.isHidden() and not d.isFloating()
        assert w2.dockWidgetArea(d) == Area.LeftDockWidgetArea


def test_view_menu_toggles_and_hint_when_all_closed(
    qtbot: QtBot, data_dir: Path, settings_path: Path
) -> None:
    w = make_window(qtbot, data_dir, settings_path)
    toggles = {k: d.toggleViewAction() for k, d in w.docks.items()}
    assert toggles["timeline"].shortcut() == QKeySequence("Ctrl+2")
    view = w.findChild(QMenu, "menu-view")
    assert view is not None and all(t in view.actions() for t in toggles.values())
    for t in toggles.values():
        t.trigger()
    assert all(d.isHidden() for d in w.docks.values())
    assert w._hint.isVisible()
    toggles["feed"].trigger()
    assert w.docks["feed"].isVisible()
    assert not w._hint.isVisible()


def test_standard_shortcuts(qtbot: QtBot, data_dir: Path, settings_path: Path) -> None:
    w = make_window(qtbot, data_dir, settings_path)
    a = w.ctx.actions

    def keys(name: str) -> list[str]:
        return [s.toString() for s in a[name].shortcuts()]

    assert "Ctrl+Q" in keys("quit")
    assert "Ctrl+O" in keys("open")
    assert "Ctrl+S" in keys("save")
    assert "Ctrl+F" in keys("find")
    assert "Ctrl+Z" in keys("undo")
    assert keys("help") and keys("preferences") and keys("fullscreen")
    # Not wired yet: disabled and saying so, rather than doing nothing when clicked.
    assert not a["find"].isEnabled() and "Not available yet" in a["find"].statusTip()
    a["quit"].trigger()
    assert not w.isVisible()


def test_a_pane_that_fails_to_build_is_contained(
    qtbot: QtBot, data_dir: Path, settings_path: Path
) -> None:
    def broken(ctx: UiContext) -> QWidget:
        raise RuntimeError("pane bug")

    panes = {**PANES, "timeline": PaneSpec("Incident timeline", "timeline", broken, "x")}
    w = make_window(qtbot, data_dir, settings_path, panes=panes)
    pane = w.docks["timeline"].widget()
    assert isinstance(pane, PlaceholderPane) and "failed to start" in pane.text
    assert str(data_dir / "logs" / "warroom.log") in pane.text


def text_pane(ctx: UiContext) -> QWidget:
    edit = QTextEdit()
    edit.setPlainText(str(ctx.data_dir))
    return edit


def test_pane_factory_by_module_path(qtbot: QtBot, data_dir: Path, settings_path: Path) -> None:
    spec = PaneSpec("Plain", "note", f"{__name__}:text_pane", "a text edit")
    w = make_window(qtbot, data_dir, settings_path, panes={"plain": spec})
    pane = w.docks["plain"].widget()
    assert isinstance(pane, QTextEdit) and pane.toPlainText() == str(data_dir)


# -- status bar ---------------------------------------------------------------


def test_clock_shows_local_and_utc(
    monkeypatch: pytest.MonkeyPatch, qtbot: QtBot, data_dir: Path, settings_path: Path
) -> None:
    monkeypatch.setenv("TZ", "Europe/Zurich")
    time.tzset()
    try:
        w = make_window(qtbot, data_dir, settings_path)
        w.clock.refresh(datetime(2026, 11, 25, 6, 0, 5, tzinfo=UTC))
        text = w.clock.text()
        assert "07:00:05 CET" in text and "06:00:05 UTC" in text
        assert text.index("CET") < text.index("UTC")
        # Just after midnight locally, before it in UTC: the UTC date is shown too.
        w.clock.refresh(datetime(2026, 11, 24, 23, 30, 0, tzinfo=UTC))
        assert "Wed 25 Nov 00:30:00 CET" in w.clock.text()
        assert "Tue 24 Nov 23:30:00 UTC" in w.clock.text()
        assert "2026-11-24T23:30:00Z" in w.clock.toolTip()
        # And it ticks by itself.
        w.clock._tick()
        before = w.clock.text()
        qtbot.waitUntil(lambda: w.clock.text() != before, timeout=2500)
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()


def test_status_bar_workspace_and_active_incident(
    qtbot: QtBot, data_dir: Path, settings_path: Path
) -> None:
    w = make_window(qtbot, data_dir, settings_path)
    assert str(data_dir) in w.workspace_label.text()
    assert w.incident_label.text() == "No active incident"
    with qtbot.waitSignal(w.ctx.active_incident_changed) as sig:
        w.ctx.set_active_incident("01JABC", "Website unreachable via ISP A")
    assert sig.args == ["01JABC"]
    assert w.incident_label.text() == "Active incident: Website unreachable via ISP A"
    w.ctx.set_active_incident(None)
    assert w.incident_label.text() == "No active incident"
    w.set_active_incident("Direct title")
    assert "Direct title" in w.incident_label.text()
    w.ctx.show_message("hello from a pane")
    assert w.statusBar().currentMessage() == "hello from a pane"


def test_periodic_tasks_run_and_stop_at_close(
    qtbot: QtBot, data_dir: Path, settings_path: Path
) -> None:
    w = make_window(qtbot, data_dir, settings_path)
    calls: list[int] = []
    closed: list[bool] = []
    timer = w.ctx.every(0.01, lambda: calls.append(1), name="count")
    w.ctx.on_close(lambda: closed.append(True))
    qtbot.waitUntil(lambda: len(calls) >= 3, timeout=2000)
    w.close()
    assert not timer.isActive() and closed == [True]


def test_colour_scheme_switch_changes_palette(
    qtbot: QtBot, data_dir: Path, settings_path: Path, tmp_path: Path
) -> None:
    w = make_window(qtbot, data_dir, settings_path)
    w.set_colour_scheme("dark")
    dark = w.palette().window().color().lightness()
    img_dark = w.grab().toImage()
    w.set_colour_scheme("light")
    light = w.palette().window().color().lightness()
    assert dark < 80 < 200 < light
    assert w.ctx.settings.value(COLOUR_SCHEME.key) == "light"
    assert img_dark != w.grab().toImage()
    w.set_colour_scheme("auto")


# -- errors ----------------------------------------------------------------------


@pytest.mark.qt_no_exception_capture
def test_uncaught_exception_shows_dialog_with_log_path(
    qtbot: QtBot, tmp_path: Path, dialogs: list[QMessageBox], root_logging: None
) -> None:
    from warroom.base.logsetup import setup_logging

    appmod.create_app()
    log_path = setup_logging(tmp_path)
    assert log_path is not None
    reporter = CrashReporter(log_path)
    reporter.install()
    try:

        def boom() -> None:
            raise ZeroDivisionError("the bug")

        QTimer.singleShot(0, boom)  # raised inside Qt's event loop
        qtbot.waitUntil(lambda: len(dialogs) == 1, timeout=3000)
        box = dialogs[0]
        assert "ZeroDivisionError: the bug" in box.informativeText()
        assert str(log_path) in box.informativeText()
        assert "Traceback" in box.detailedText()

        t = threading.Thread(target=lambda: 1 / 0, name="worker")
        t.start()
        t.join()
        qtbot.waitUntil(lambda: len(dialogs) == 2, timeout=3000)
        assert "ZeroDivisionError" in dialogs[1].informativeText()
    finally:
        reporter.uninstall()
    for h in logging.getLogger().handlers:
        h.flush()
    text = log_path.read_text()
    assert "uncaught exception in the window" in text and "the bug" in text
    assert "uncaught exception in thread worker" in text


def test_store_error_dialog_exits_nonzero_and_leaves_file(
    qtbot: QtBot,
    data_dir: Path,
    dialogs: list[QMessageBox],
    root_logging: None,
    capsys: pytest.CaptureFixture[str],
) -> None:
    db = data_dir / "warroom.sqlite"
    junk = b"this is not a database\n" * 50
    db.write_bytes(junk)
    args = build_parser().parse_args(["--data-dir", str(data_dir)])
    assert launch_gui(args) == 1
    assert len(dialogs) == 1
    assert "is not a SQLite database" in dialogs[0].text()
    assert "\n" not in dialogs[0].text()
    assert db.read_bytes() == junk
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error: ") and "not a SQLite database" in err[0]
    # The lock was given back.
    assert json.loads((data_dir / LOCK_NAME).read_text() or "{}") == {}


def test_second_gui_refused_while_lock_held(
    qtbot: QtBot, data_dir: Path, dialogs: list[QMessageBox], root_logging: None
) -> None:
    with WorkspaceLock(data_dir):
        args = build_parser().parse_args(["--data-dir", str(data_dir)])
        assert launch_gui(args) == 1
    assert len(dialogs) == 1
    text = dialogs[0].text()
    assert f"PID {os.getpid()} on {socket.gethostname()}" in text
    assert "already open in another Warroom window" in text
    assert not (data_dir / "warroom.sqlite").exists()  # refused before touching the store


def test_second_gui_refused_subprocess(data_dir: Path) -> None:
    with WorkspaceLock(data_dir):
        proc = run_cli("--data-dir", str(data_dir), "--screenshot", str(data_dir / "x.png"))
    assert proc.returncode == 1
    assert proc.stderr.strip().splitlines() == [
        line for line in proc.stderr.strip().splitlines() if line.startswith("error: ")
    ]
    assert f"PID {os.getpid()}" in proc.stderr
    assert not (data_dir / "x.png").exists()


# -- whole program -------------------------------------------------------------------


def test_screenshot_writes_png(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    out = tmp_path / "shot.png"
    proc = run_cli("--data-dir", str(ws), "--screenshot", str(out), "--after", "0.1")
    assert proc.returncode == 0, proc.stderr
    img = QImage(str(out))
    assert not img.isNull() and img.width() >= 640 and img.height() >= 400
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    log = (ws / "logs" / "warroom.log").read_text()
    assert "screenshot saved" in log and "panes visible: dashboard, timeline, feed" in log


def test_stale_lock_from_dead_pid_taken_over(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    ws.mkdir()
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    )
    (ws / LOCK_NAME).write_text(json.dumps({"pid": int(dead.stdout), "host": socket.gethostname()}))
    out = tmp_path / "shot.png"
    proc = run_cli("--data-dir", str(ws), "--screenshot", str(out), "--after", "0")
    assert proc.returncode == 0, proc.stderr
    assert out.exists()


def test_screenshot_into_missing_dir_is_usage_error(tmp_path: Path) -> None:
    proc = run_cli(
        "--data-dir", str(tmp_path / "ws"), "--screenshot", str(tmp_path / "no" / "x.png")
    )
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and proc.stderr.startswith("error: --screenshot")
    assert not (tmp_path / "ws").exists()


def test_demo_uses_throwaway_dir_and_removes_it(tmp_path: Path) -> None:
    out = tmp_path / "demo.png"
    env = {"TMPDIR": str(tmp_path), "WARROOM_DATA_DIR": str(tmp_path / "real")}
    proc = run_cli("--demo", "--screenshot", str(out), "--after", "0", env=env)
    assert proc.returncode == 0, proc.stderr
    assert out.exists()
    assert not (tmp_path / "real").exists()  # the real workspace is never touched
    assert not list(tmp_path.glob("warroom-demo-*"))  # and the throwaway one is gone


def test_data_dir_that_is_a_file_is_refused_with_dialog(
    qtbot: QtBot, tmp_path: Path, dialogs: list[QMessageBox], root_logging: None
) -> None:
    not_a_dir = tmp_path / "ws"
    not_a_dir.write_text("precious")
    args = build_parser().parse_args(["--data-dir", str(not_a_dir)])
    assert launch_gui(args) == 1
    assert len(dialogs) == 1 and str(not_a_dir) in dialogs[0].text()
    assert not_a_dir.read_text() == "precious"


def test_database_from_newer_warroom_is_refused_untouched(
    qtbot: QtBot, data_dir: Path, dialogs: list[QMessageBox], root_logging: None
) -> None:
    import sqlite3

    db = data_dir / "warroom.sqlite"
    conn = sqlite3.connect(db)
    conn.execute("CREATE TABLE _migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)")
    conn.execute("INSERT INTO _migrations VALUES ('core-9999-future', '2030-01-01T00:00:00Z')")
    conn.commit()
    conn.close()

    def dump() -> list[str]:
        c = sqlite3.connect(db)
        try:
            return list(c.iterdump())
        finally:
            c.close()

    before = dump()
    args = build_parser().parse_args(["--data-dir", str(data_dir)])
    assert launch_gui(args) == 1
    assert "newer Warroom" in dialogs[0].text()
    # Same content. (Store.open switches the file to WAL before it checks the schema,
    # which rewrites two header bytes: reported to the store's owner.)
    assert dump() == before
    assert not (data_dir / "backups").exists()


# -- hooks and icons ---------------------------------------------------------------


def test_startup_hooks_run_and_failures_are_contained(
    qtbot: QtBot, data_dir: Path, settings_path: Path
) -> None:
    from warroom.ui.panes import run_hooks

    w = make_window(qtbot, data_dir, settings_path)
    seen: list[UiContext] = []

    def bad(ctx: UiContext) -> None:
        raise RuntimeError("hook bug")

    failed = run_hooks(w.ctx, [seen.append, bad, f"{__name__}:text_pane"])
    assert seen == [w.ctx]
    assert len(failed) == 1 and "bad" in failed[0]


def test_icons_exist_and_are_crisp_at_any_size() -> None:
    from PySide6.QtCore import QSize

    from warroom.ui import icons

    appmod.create_app()
    names = set(icons.available())
    needed = {"app", "dashboard", "timeline", "feed", "pin", "hidden", "export", "import"}
    needed |= set(icons.KIND_ICONS.values()) | set(icons.STATE_ICONS)
    needed |= {spec.icon for spec in PANES.values()}
    assert needed <= names
    for size, dpr in ((16, 1.0), (24, 2.0), (256, 1.0)):
        pm = icons.state_icon("down").pixmap(QSize(size, size), dpr)
        assert pm.width() == round(size * dpr)  # rendered at device size, not scaled up
        img = pm.toImage()
        centre = img.pixelColor(img.width() // 2, img.height() // 3)
        assert centre.alpha() > 0
    # Monochrome icons follow the palette: dark ink on light, light ink on dark.
    for scheme, light_ink in (("light", False), ("dark", True)):
        appmod.apply_palette(appmod.QApplication.instance(), scheme)  # type: ignore[arg-type]
        img = icons.icon("dashboard").pixmap(QSize(48, 48)).toImage()
        ink = [
            img.pixelColor(x, y)
            for x in range(48)
            for y in range(48)
            if img.pixelColor(x, y).alpha() == 255
        ]
        assert ink
        assert (ink[0].lightness() > 128) == light_ink
    appmod.apply_palette(appmod.QApplication.instance(), "auto")  # type: ignore[arg-type]


def incident_picking_pane(ctx: UiContext) -> QWidget:
    ctx.set_active_incident("01JXYZ", "Picked while building")
    return QWidget()


def test_incident_chosen_by_a_pane_while_building_shows(
    qtbot: QtBot, data_dir: Path, settings_path: Path
) -> None:
    spec = PaneSpec("Picker", "timeline", incident_picking_pane, "picks an incident")
    w = make_window(qtbot, data_dir, settings_path, panes={"picker": spec})
    assert w.incident_label.text() == "Active incident: Picked while building"


def test_deferred_panes_built_once_after_show(
    qtbot: QtBot, data_dir: Path, settings_path: Path
) -> None:
    w = make_window(qtbot, data_dir, settings_path, defer_panes=True)
    assert all(not isinstance(d.widget(), PlaceholderPane) for d in w.docks.values())
    assert "Loading" in w.docks["timeline"].widget().text()  # type: ignore[attr-defined]
    with qtbot.waitSignal(w.panes_ready):
        w.build_panes()
    assert all(isinstance(d.widget(), PlaceholderPane) for d in w.docks.values())
    with qtbot.assertNotEmitted(w.panes_ready):
        w.build_panes()
