"""Handover in the GUI: import preview, dropped bundles, export, hand over, report editor."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers.handover import (
    add_copies,
    add_outage,
    db_snapshot,
    export,
    populate,
    reseal,
    write,
)
from PySide6.QtCore import QMimeData, QPoint, QPointF, QSettings, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QMainWindow
from pytestqt.qtbot import QtBot

from warroom.handover import bundle, merge
from warroom.services.timeline import Timeline
from warroom.store import Store
from warroom.ui.context import UiContext
from warroom.ui.handover import HandoverUi, install_handover_actions
from warroom.ui.handover.dialogs import ImportPreviewDialog

pytestmark = pytest.mark.qt_log_ignore(
    "does not support propagateSizeHints", "does not support raise"
)


@pytest.fixture
def source(tmp_path: Path) -> Iterator[tuple[Store, str]]:
    s = Store.open(tmp_path / "source")
    try:
        yield s, populate(s)
    finally:
        s.close()


@pytest.fixture
def ui(qtbot: QtBot, tmp_path: Path) -> Iterator[HandoverUi]:
    store = Store.open(tmp_path / "here")
    ctx = UiContext(
        store=store,
        data_dir=tmp_path / "here",
        settings=QSettings(str(tmp_path / "gui.ini"), QSettings.Format.IniFormat),
    )
    win = QMainWindow()
    win.menuBar().addMenu("&File")
    qtbot.addWidget(win)
    handover = install_handover_actions(win, ctx)
    try:
        yield handover
    finally:
        for d in list(handover.open_dialogs):
            d.close()
        qtbot.wait(1)  # let queued work finish before the store goes away
        store.close()


def test_actions_installed_and_enabled(ui: HandoverUi) -> None:
    acts = ui.ctx.actions
    assert {"export", "import", "handover", "report"} <= set(acts)
    assert all(acts[k].isEnabled() for k in ("export", "import", "handover", "report"))
    file_menu = ui.window.menuBar().actions()[0].menu()
    assert acts["report"] in file_menu.actions()


def test_import_preview_lists_changes_then_imports(
    qtbot: QtBot, ui: HandoverUi, source: tuple[Store, str], tmp_path: Path
) -> None:
    src, iid = source
    merge.merge_bundle(ui.store, export(src, iid))
    shared = Timeline(src).entries(Timeline(src).filter(iid))[1]
    Timeline(src, author="alice").edit(shared.id, text="edited at the source")
    Timeline(ui.store, author="bob").edit(shared.id, text="edited here")
    Timeline(src).log(iid, "new at the source")
    Timeline(src).set_incident(iid, status="monitoring")
    path = write(tmp_path / "b.json", export(src, iid))
    before = db_snapshot(ui.store)
    d = ui.preview_import(path)
    with qtbot.waitSignal(d.ready, timeout=10_000):
        pass
    assert db_snapshot(ui.store) == before  # the preview changed nothing
    assert "Checksum verified" in d.summary.text()
    groups = {
        d.tree.topLevelItem(i).data(0, Qt.ItemDataRole.UserRole): d.tree.topLevelItem(i)
        for i in range(d.tree.topLevelItemCount())
    }
    conflicts = groups["Conflicting edits (both kept, newer current)"]
    assert conflicts.child(0).text(0) == shared.id
    fields = groups["Incident fields that change"]
    assert fields.child(0).text(0) == "status"
    assert fields.child(0).text(1) == "identified → monitoring"
    added = groups["Entries to add"]
    assert added.child(0).text(1) == "new at the source"
    assert d.import_button.isEnabled()
    with qtbot.waitSignal(d.imported):
        d.import_button.click()
    entry = Timeline(ui.store).entry(shared.id)
    assert entry.conflict
    assert Timeline(ui.store).incident(iid).status == "monitoring"


def previewed(qtbot: QtBot, ui: HandoverUi, path: Path) -> ImportPreviewDialog:
    """The import preview of ``path``, once it shows what the import would do."""
    d = ui.preview_import(path)
    assert d is not None
    with qtbot.waitSignal(d.ready, timeout=10_000):
        pass
    return d


def test_a_big_preview_lists_the_first_500_of_a_group_and_counts_the_rest(
    qtbot: QtBot, ui: HandoverUi, source: tuple[Store, str], tmp_path: Path
) -> None:
    src, iid = source
    doc = reseal(export(src, iid))
    add_copies(doc, 1600, lambda n: f"entry number {n}")
    total = len(doc["entries"])
    d = previewed(qtbot, ui, write(tmp_path / "big.json", bundle.seal(doc)))
    top = d.tree.topLevelItem(0)
    assert top.text(0) == f"Entries to add ({total:,})"
    assert top.childCount() == 501
    assert top.child(499).text(1) != ""  # the shown rows have their text
    assert top.child(500).text(0) == f"… and {total - 500:,} more"
    assert f"would add {total:,} entries" in d.summary.text()


def test_import_runs_off_the_ui_thread_and_cannot_be_cancelled_halfway(
    qtbot: QtBot, ui: HandoverUi, source: tuple[Store, str], tmp_path: Path
) -> None:
    src, iid = source
    d = previewed(qtbot, ui, write(tmp_path / "b.json", export(src, iid)))
    assert ui.store is not None
    imported: list[object] = []
    d.imported.connect(imported.append)
    with ui.store._wlock:  # another writer holds the workspace: the import must wait
        d.commit()
        # The UI thread is free: the dialog says what it does and keeps the user out.
        assert "Importing" in d.summary.text()
        assert not d.import_button.isEnabled()
        assert not d.buttons.button(QDialogButtonBox.StandardButton.Cancel).isEnabled()
        d.reject()  # Escape or the close button
        assert d.isVisible() and not imported
    qtbot.waitUntil(lambda: bool(imported), timeout=10_000)
    assert not d.isVisible()
    assert Timeline(ui.store).incident(iid).title == "Hosting network outage"
    # The window keeps its closed dialogs: the parsed bundle must not stay with them.
    assert d.doc is None


def test_a_cancelled_preview_lets_go_of_the_bundle(
    qtbot: QtBot, ui: HandoverUi, source: tuple[Store, str], tmp_path: Path
) -> None:
    src, iid = source
    d = previewed(qtbot, ui, write(tmp_path / "b.json", export(src, iid)))
    assert d.doc is not None
    d.reject()
    assert d.doc is None and not d.isVisible()


def test_import_refused_after_the_preview_says_why_and_lets_the_user_leave(
    qtbot: QtBot, ui: HandoverUi, source: tuple[Store, str], tmp_path: Path
) -> None:
    src, iid = source
    d = previewed(qtbot, ui, write(tmp_path / "b.json", export(src, iid)))
    assert ui.store is not None
    # Meanwhile another window made an incident with this id but another creation.
    with ui.store.write() as conn:
        conn.execute(
            "INSERT INTO incidents(id, created_at, created_by, title, severity, status, "
            "updated_at) VALUES (?, '2020-01-01T00:00:00.000Z', 'mallory', 'x', 'SEV3', "
            "'investigating', '2020-01-01T00:00:00.000Z')",
            (iid,),
        )
    with qtbot.waitSignal(d.ready, timeout=10_000):
        d.commit()
    assert "different creation" in d.summary.text() and "Nothing was changed" in d.summary.text()
    assert not d.importing and not d.import_button.isEnabled()
    assert d.buttons.button(QDialogButtonBox.StandardButton.Cancel).isEnabled()
    d.reject()
    assert not d.isVisible()


def test_damaged_bundle_preview_refuses_and_changes_nothing(
    qtbot: QtBot, ui: HandoverUi, source: tuple[Store, str], tmp_path: Path
) -> None:
    src, iid = source
    path = write(tmp_path / "b.json", export(src, iid))
    path.write_text(path.read_text().replace("Fail over", "Fail  over"))
    before = db_snapshot(ui.store)
    d = ui.preview_import(path, background=False)
    assert d.error is not None
    assert "checksum mismatch" in d.error
    assert "Nothing was changed" in d.summary.text()
    assert not d.import_button.isEnabled()
    assert db_snapshot(ui.store) == before


@pytest.mark.filterwarnings("ignore:Function.*QDragEnterEvent:DeprecationWarning")
def test_dropped_bundle_opens_the_preview_and_imports(
    qtbot: QtBot, ui: HandoverUi, source: tuple[Store, str], tmp_path: Path
) -> None:
    src, iid = source
    path = write(tmp_path / "dropped.json", export(src, iid))
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path))])
    actions = Qt.DropAction.CopyAction
    enter = QDragEnterEvent(
        QPoint(10, 10), actions, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    )
    QApplication.sendEvent(ui.window, enter)
    assert enter.isAccepted()
    drop = QDropEvent(
        QPointF(10, 10), actions, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    )
    QApplication.sendEvent(ui.window, drop)
    assert len(ui.open_dialogs) == 1
    d = ui.open_dialogs[0]
    qtbot.waitUntil(lambda: d.report is not None, timeout=10_000)
    assert d.report.incident_added
    with qtbot.waitSignal(d.imported):
        d.commit()
    assert Timeline(ui.store).incident(iid).title == "Hosting network outage"
    # A file that is not JSON is not offered at all.
    other = QMimeData()
    other.setUrls([QUrl.fromLocalFile(str(tmp_path / "notes.txt"))])
    enter = QDragEnterEvent(
        QPoint(1, 1), actions, other, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    )
    enter.ignore()
    QApplication.sendEvent(ui.window, enter)
    assert not enter.isAccepted()


def test_hand_over_previews_saves_and_records(
    qtbot: QtBot, ui: HandoverUi, source: tuple[Store, str], tmp_path: Path
) -> None:
    src, iid = source
    merge.merge_bundle(ui.store, export(src, iid))
    ui.ctx.set_active_incident(iid, "Hosting network outage")
    d = ui.hand_over()
    assert "Handover brief: Hosting network outage" in d.preview.toPlainText()
    assert not d.go.isEnabled()
    d.from_.setText("Alice")
    d.to.setText("Bob")
    assert not d.go.isEnabled()  # not before Bob acknowledged
    d.ack.setChecked(True)
    assert d.go.isEnabled()
    d.path.setText(str(tmp_path / "brief.md"))
    with qtbot.waitSignal(d.handed_over) as sig:
        d.go.click()
    entry = sig.args[0]
    assert entry.kind == "handover"
    assert entry.meta["from"] == "Alice"
    assert entry.meta["to"] == "Bob"
    assert entry.meta["acknowledged_at"]
    assert (tmp_path / "brief.md").read_text(encoding="utf-8").startswith("# Handover brief")


def test_export_dialog_writes_the_chosen_format(
    qtbot: QtBot, ui: HandoverUi, source: tuple[Store, str], tmp_path: Path
) -> None:
    src, iid = source
    merge.merge_bundle(ui.store, export(src, iid))
    d = ui.export()
    d.format.setCurrentIndex(d.format.findData("html"))
    assert d.hidden.isEnabled()
    d.zone.setCurrentText("Europe/Zurich")
    d.hidden.setChecked(True)
    d.path.setText(str(tmp_path / "t.html"))
    with qtbot.waitSignal(d.exported, timeout=10_000):
        d.start()
    html = (tmp_path / "t.html").read_text(encoding="utf-8")
    assert "secret internal remark" in html
    assert "CET" in html or "CEST" in html
    d = ui.export()
    d.format.setCurrentIndex(d.format.findData("json"))
    assert not d.hidden.isEnabled()
    assert d.path.text().endswith(".warroom.json")
    d.path.setText(str(tmp_path / "b.json"))
    with qtbot.waitSignal(d.exported, timeout=10_000):
        d.start()
    assert json.loads((tmp_path / "b.json").read_text())["format"] == "warroom-bundle"


def test_report_editor_previews_checks_wording_and_exports(
    qtbot: QtBot, ui: HandoverUi, source: tuple[Store, str], tmp_path: Path
) -> None:
    src, iid = source
    merge.merge_bundle(ui.store, export(src, iid))
    add_outage(
        ui.store,
        target="www",
        vantages=["system", "isp-a", "isp-b"],
        down_at="2026-11-24T08:00:00.000Z",
        up_at="2026-11-24T10:00:00.000Z",
    )
    Timeline(ui.store).set_incident(
        iid, started_at="2026-11-24T07:59:00Z", detected_at="2026-11-24T08:01:00Z",
        resolved_at="2026-11-24T10:05:00Z", force=True,
    )  # fmt: skip
    ui.ctx.set_active_incident(iid, "x")
    d = ui.report()
    assert "Post-incident report" in d.preview.toPlainText()
    assert "nothing the measurements contradict" in d.check.text()
    d.editor.appendPlainText("\nOnly some access providers were affected.")
    d.update_preview()
    assert "Only some access providers" in d.check.text()
    assert "down from all 3 vantage points" in d.check.text()
    out = d.export_as("html", str(tmp_path / "report.html"))
    assert out is not None
    assert "Only some access providers were affected." in (tmp_path / "report.html").read_text()
    # The edit is kept in the workspace: a new editor opens with it.
    d.editor.appendPlainText("one more line")
    d.close()
    assert not d._timer.isActive()  # nothing renders after closing
    again = ui.report()
    assert "Only some access providers" in again.text()
    assert again.text().endswith("one more line")


def test_typing_a_zone_shows_a_hint_never_the_crash_dialog(
    qtbot: QtBot, ui: HandoverUi, source: tuple[Store, str]
) -> None:
    """Issue 9, item 1: "Europe" on the way to "Europe/Berlin" raised IsADirectoryError."""
    src, iid = source
    merge.merge_bundle(ui.store, export(src, iid))
    ui.ctx.set_active_incident(iid, "Hosting network outage")
    d = ui.hand_over()
    d.to.setText("Bob")
    d.ack.setChecked(True)
    d.zone.combo.setCurrentText("")
    seen_hint = []
    for n in range(1, len("Europe/Berlin") + 1):
        d.zone.combo.setCurrentText("Europe/Berlin"[:n])  # one keystroke at a time
        seen_hint.append(d.zone.is_valid())
        qtbot.wait(1)
    assert False in seen_hint  # "Europe" (and "Europe/") showed the hint
    assert not seen_hint[len("Europe") - 1]
    assert "not a time zone" in d.zone.hint.text()
    assert d.zone.is_valid() and d.zone.hint.isHidden()
    assert d.go.isEnabled()
    assert d.brief().view.clock.name == "Europe/Berlin"
    d.zone.combo.setCurrentText("Europe")
    assert not d.go.isEnabled() and d.zone.hint.isVisible()
    e = ui.export()
    e.format.setCurrentIndex(e.format.findData("md"))
    e.zone.combo.setCurrentText("Europe")
    save = e.buttons.button(e.buttons.StandardButton.Save)
    assert not save.isEnabled() and e.zone.hint.isVisible()


def test_acknowledged_handover_passes_command(
    qtbot: QtBot, ui: HandoverUi, source: tuple[Store, str]
) -> None:
    src, iid = source
    merge.merge_bundle(ui.store, export(src, iid))
    ui.ctx.set_active_incident(iid, "Hosting network outage")
    d = ui.hand_over()
    assert d.from_.text() == "Alice"  # the commander hands over, whoever prepares it
    d.to.setText("Bob")
    d.path.setText("")
    d.ack.setChecked(True)
    with qtbot.waitSignal(d.handed_over) as sig:
        d.go.click()
    assert sig.args[0].meta["from"] == "Alice"
    inc = Timeline(ui.store).incident(iid)
    assert inc.commander == "Bob"
    from warroom.store.timeline import EntryFilter

    texts = [e.text for e in Timeline(ui.store).entries(EntryFilter(incident=iid))]
    assert "Commander changed from Alice to Bob" in texts, texts


def test_dialogs_default_to_the_timeline_zone_and_remember_choices(
    qtbot: QtBot,
    ui: HandoverUi,
    source: tuple[Store, str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import time

    monkeypatch.setenv("TZ", "Asia/Tokyo")
    time.tzset()
    try:
        src, iid = source
        merge.merge_bundle(ui.store, export(src, iid))
        d = ui.export()
        assert d.zone.zone() == "Asia/Tokyo"  # $TZ, as the timeline shows it; not UTC
        out = tmp_path / "exports"
        out.mkdir()
        d.format.setCurrentIndex(d.format.findData("csv"))
        d.zone.setCurrentText("America/New_York")
        d.path.setText(str(out / "t.csv"))
        with qtbot.waitSignal(d.exported, timeout=10_000):
            d.start()
        again = ui.export()
        assert again.chosen_format() == "csv"
        assert again.zone.zone() == "America/New_York"
        assert Path(again.path.text()).parent == out
        ui.ctx.set_active_incident(iid, "Hosting network outage")
        h = ui.hand_over()
        assert h.zone.zone() == "America/New_York"
        assert Path(h.path.text()).parent == out
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()
