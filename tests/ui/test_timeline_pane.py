"""The timeline pane, driven as a commander would: type, Enter, edit, undo, filter."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QDialogButtonBox

from warroom.base import timeutil
from warroom.services.timeline import Timeline
from warroom.store import Store
from warroom.store import timeline as q
from warroom.ui.context import UiContext
from warroom.ui.timeline import TimelinePane, dialogs
from warroom.ui.timeline.delegate import TextEditor
from warroom.ui.timeline.model import (
    COL_AUTHOR,
    COL_PIN,
    COL_TAGS,
    COL_TEXT,
    COL_TIME,
    PAGE,
    ConflictRole,
    EntryIdRole,
    FullTextRole,
    HiddenRole,
    IsLongRole,
)
from warroom.ui.timeline.undo import UNDONE_REASON

# The offscreen platform says these when a window is shown; they are not our bugs.
pytestmark = pytest.mark.qt_log_ignore(
    "does not support propagateSizeHints", "does not support raise"
)


# -- fixtures -------------------------------------------------------------------------


@pytest.fixture
def ui_ctx(qapp: Any, store: Store, tmp_path: Path) -> Iterator[UiContext]:
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    ctx = UiContext(store=store, data_dir=store.data_dir, settings=settings)
    yield ctx
    ctx.shutdown()


@pytest.fixture
def tl(store: Store) -> Timeline:
    t = Timeline(store, author="Alice")
    t.set_author("Alice")
    return t


@pytest.fixture
def incident(tl: Timeline) -> Any:
    return tl.new_incident("Mail down", severity="SEV2")


@pytest.fixture
def make_pane(qtbot: Any, ui_ctx: UiContext) -> Iterator[Any]:
    """``make_pane()`` builds the pane once the test's data is in place."""
    made: list[TimelinePane] = []

    def make(**kw: Any) -> TimelinePane:
        pane = TimelinePane(ui_ctx, **kw)
        qtbot.addWidget(pane)
        pane.resize(1000, 700)
        made.append(pane)
        return pane

    yield make
    for p in made:
        p.shutdown()


def texts(pane: TimelinePane) -> list[str]:
    m = pane.model
    return [m.index(r, COL_TEXT).data(FullTextRole) for r in range(m.rowCount())]


def shown(qtbot: Any, pane: TimelinePane) -> TimelinePane:
    """Shown and active, so focus and shortcuts behave as on a desk."""
    with qtbot.waitActive(pane):
        pane.show()
        pane.activateWindow()
    return pane


def type_and_enter(qtbot: Any, pane: TimelinePane, text: str) -> None:
    edit = pane.capture.edit
    edit.setFocus()
    qtbot.keyClicks(edit, text)
    qtbot.keyClick(edit, Qt.Key.Key_Return)


# -- capture ------------------------------------------------------------------------


def test_enter_logs_the_line_and_keeps_focus(qtbot: Any, incident: Any, make_pane: Any) -> None:
    pane = shown(qtbot, make_pane())
    before = pane.model.rowCount()
    edit = pane.capture.edit
    qtbot.waitUntil(edit.hasFocus, timeout=1000)
    type_and_enter(qtbot, pane, "www answers 503 from isp-b")
    assert pane.model.rowCount() == before + 1
    assert texts(pane)[-1] == "www answers 503 from isp-b"
    assert edit.text() == ""
    assert edit.hasFocus()
    # The new row is selected, and a second line goes in without touching the mouse.
    assert pane.selected_entry() is not None
    assert pane.selected_entry().text == "www answers 503 from isp-b"
    type_and_enter(qtbot, pane, "second line")
    assert texts(pane)[-2:] == ["www answers 503 from isp-b", "second line"]
    assert edit.hasFocus()


def test_prefixes_tags_todo_and_backdating(
    qtbot: Any, tl: Timeline, incident: Any, make_pane: Any
) -> None:
    pane = make_pane()
    t0 = timeutil.now()
    pane.capture_line("/decision fail over mail to mx2 #mail #BGP")
    pane.capture_line("-5m /comms posted on mastodon")
    pane.capture_line("TODO: call the ISP-B NOC")
    pane.capture_line("10:42 resolver restarted")
    rows = {e.text: e for e in tl.entries(tl.filter(incident.id))}
    d = rows["fail over mail to mx2 #mail #BGP"]
    assert d.kind == "decision" and d.tags == ("mail", "bgp")
    c = rows["posted on mastodon"]
    assert c.kind == "comms"
    age = t0 - timeutil.parse_utc(c.occurred_at)
    assert timedelta(minutes=4, seconds=50) < age < timedelta(minutes=5, seconds=10)
    todo = rows["TODO: call the ISP-B NOC"]
    assert todo.kind == "action"
    assert [a.text for a in tl.actions(incident.id)] == ["call the ISP-B NOC"]
    r = rows["resolver restarted"]
    assert timeutil.parse_utc(r.occurred_at).astimezone().strftime("%H:%M") == "10:42"
    # The view is ordered by time: the 10:42 entry sits where its time puts it.
    ids = list(pane.model.ids())
    assert ids == [e.id for e in tl.entries(tl.filter(incident.id))]


def test_refused_line_keeps_every_character(qtbot: Any, incident: Any, make_pane: Any) -> None:
    pane = shown(qtbot, make_pane())
    n = pane.model.rowCount()
    type_and_enter(qtbot, pane, "TODO:")
    assert pane.model.rowCount() == n
    assert pane.capture.edit.text() == "TODO:"
    assert "Not logged" in pane.capture.message.text()
    assert "TODO: needs a text" in pane.capture.message.text()
    pane.capture.edit.setText("99:99 resolver back")
    qtbot.keyClick(pane.capture.edit, Qt.Key.Key_Return)
    assert "not a clock time" in pane.capture.message.text()
    assert pane.capture.edit.text() == "99:99 resolver back"
    pane.capture.edit.setText("   ")
    qtbot.keyClick(pane.capture.edit, Qt.Key.Key_Return)
    assert "Nothing to log" in pane.capture.message.text()
    assert pane.model.rowCount() == n
    # After a refusal, fixing the line and pressing Enter logs it.
    pane.capture.edit.setText("resolver back")
    qtbot.keyClick(pane.capture.edit, Qt.Key.Key_Return)
    assert texts(pane)[-1] == "resolver back"
    assert not pane.capture.message.isVisible()


def test_future_time_is_logged_with_a_warning(incident: Any, make_pane: Any) -> None:
    pane = make_pane()
    pane.capture_line("+2h planned maintenance window")
    assert texts(pane)[-1] == "planned maintenance window"
    assert "in the future" in pane.capture.message.text()


def test_multiline_rtl_emoji_and_combining_marks_round_trip(
    qtbot: Any, tl: Timeline, incident: Any, make_pane: Any
) -> None:
    pane = shown(qtbot, make_pane())
    samples = [
        "مرحبا بالعالم — DNS يعمل الآن",
        "שלום #עברית",
        "👩\u200d💻 fixed it 🇨🇭 🎉",
        "e\u0301 n\u0303 A\u030a Z\u0335\u0321 naïve (NFD and NFC kept apart)",
        "line one\nline two\n\n  indented **bold** <script>alert(1)</script>",
    ]
    for s in samples:
        pane.capture.edit.setText(s)
        pane.capture.edit.setFocus()
        qtbot.keyClick(pane.capture.edit, Qt.Key.Key_Return)
        assert pane.capture.edit.text() == ""
    stored = [e.text for e in tl.entries(tl.filter(incident.id))][-len(samples) :]
    assert stored == samples
    assert texts(pane)[-len(samples) :] == samples
    # Shift+Enter is a line break, not a commit.
    pane.capture.edit.setText("a")
    pane.capture.edit.moveCursor(pane.capture.edit.textCursor().MoveOperation.End)
    qtbot.keyClick(pane.capture.edit, Qt.Key.Key_Return, Qt.KeyboardModifier.ShiftModifier)
    qtbot.keyClicks(pane.capture.edit, "b")
    assert pane.capture.edit.text() == "a\nb"


def test_first_run_asks_the_authors_name_once(
    qtbot: Any, store: Store, make_pane: Any, ui_ctx: UiContext
) -> None:
    Timeline(store, author="setup").new_incident("No author yet")
    assert store.meta_get("author") is None
    pane = shown(qtbot, make_pane())
    assert pane.capture.author_box.isVisible()
    pane.capture.author_edit.setText("Bea Muster")
    qtbot.keyClick(pane.capture.author_edit, Qt.Key.Key_Return)
    assert store.meta_get("author") == "Bea Muster"
    assert not pane.capture.author_box.isVisible()
    pane.capture_line("hello")
    assert pane.selected_entry().author == "Bea Muster"
    again = make_pane()
    assert again.capture.author_box.isHidden()
    assert again.capture.author_button.text() == "Bea Muster"


# -- editing, history, undo ---------------------------------------------------------------


def test_inline_edit_makes_a_revision_shown_in_history(
    qtbot: Any, tl: Timeline, incident: Any, make_pane: Any
) -> None:
    pane = shown(qtbot, make_pane())
    eid = pane.capture_line("resolver ns1 restartd")
    pane.start_edit(COL_TEXT)
    editor = pane.view.findChild(TextEditor)
    assert editor is not None and editor.toPlainText() == "resolver ns1 restartd"
    editor.setPlainText("resolver ns1 restarted")
    qtbot.keyClick(editor, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert tl.entry(eid).text == "resolver ns1 restarted"
    revs = tl.revisions(eid)
    assert [r.text for r in revs] == ["resolver ns1 restartd", "resolver ns1 restarted"]
    assert revs[1].author == "Alice"
    dlg = pane.show_history()
    assert isinstance(dlg, dialogs.HistoryDialog)
    assert dlg.table.rowCount() == 2
    assert dlg.table.item(1, 3).text() == "text"
    assert dlg.table.item(1, 2).text() == "Alice"
    assert "resolver ns1 restarted" in dlg.view.toPlainText()
    dlg.close()


def test_edit_time_inline_moves_the_entry(
    qtbot: Any, tl: Timeline, incident: Any, make_pane: Any
) -> None:
    pane = shown(qtbot, make_pane())
    eid = pane.capture_line("late note")
    first = pane.model.ids()[0]
    earlier = timeutil.parse_utc(tl.entry(first).occurred_at) - timedelta(minutes=1)
    ix = pane.model.index(pane.model.row_of(eid), COL_TIME)
    assert pane.model.setData(ix, timeutil.fmt(earlier))
    assert pane.model.ids()[0] == eid
    assert tl.entry(eid).revision == 2
    assert pane.selected_id() == eid
    pane.undo()
    assert pane.model.ids()[-1] == eid
    assert tl.entry(eid).revision == 3


def test_undo_restores_by_appending(tl: Timeline, incident: Any, make_pane: Any) -> None:
    pane = make_pane()
    eid = pane.capture_line("mail queue at 12k")
    assert pane.edit_entry(eid, text="mail queue at 15k")
    pane.undo()
    e = tl.entry(eid)
    assert e.text == "mail queue at 12k"
    assert e.revision == 3  # nothing is overwritten: undo is a revision
    pane.redo()
    assert tl.entry(eid).text == "mail queue at 15k"
    # Pin, then undo.
    pane.select_entry(eid)
    pane.toggle_pin()
    assert tl.entry(eid).pinned
    pane.undo()
    assert not tl.entry(eid).pinned
    # Undo of the capture hides it with the reason "undone"; redo brings it back.
    pane.undo()  # the edit
    pane.undo()  # the capture
    e = tl.entry(eid)
    assert e.hidden and e.hidden_reason == UNDONE_REASON
    assert eid not in pane.model.ids()
    pane.redo()
    assert not tl.entry(eid).hidden
    assert eid in pane.model.ids()


def test_hide_needs_a_reason_and_is_struck_through_only_with_show_hidden(
    qtbot: Any, tl: Timeline, incident: Any, make_pane: Any
) -> None:
    pane = shown(qtbot, make_pane())
    eid = pane.capture_line("duplicate of the above")
    dlg = pane.hide_selected()
    assert isinstance(dlg, dialogs.HideDialog)
    ok = dlg.buttons.button(QDialogButtonBox.StandardButton.Ok)
    assert not ok.isEnabled()
    dlg.reason.setText("duplicate")
    assert ok.isEnabled()
    ok.click()
    assert tl.entry(eid).hidden and tl.entry(eid).hidden_reason == "duplicate"
    assert eid not in pane.model.ids()
    pane.set_filters(include_hidden=True)
    row = pane.model.row_of(eid)
    assert row is not None
    ix = pane.model.index(row, COL_TEXT)
    assert ix.data(HiddenRole) is True
    assert ix.data(Qt.ItemDataRole.FontRole).strikeOut()
    assert "Hidden: duplicate" in ix.data(Qt.ItemDataRole.ToolTipRole)
    visible = pane.model.index(0, COL_TEXT)
    assert not (visible.data(Qt.ItemDataRole.FontRole) or pane.font()).strikeOut()
    pane.undo()
    assert not tl.entry(eid).hidden


# -- filters ----------------------------------------------------------------------------


def test_filters_kind_tag_author_pinned_search(tl: Timeline, incident: Any, make_pane: Any) -> None:
    iid = incident.id
    tl.log(iid, "bgp session to isp-b flapping #bgp", kind="observation")
    tl.log(iid, "we fail over mail", kind="decision")
    tl.log(iid, "status page updated", kind="comms", author="bob")
    pinned = tl.log(iid, "core router reboot #bgp", kind="action").value
    tl.pin(pinned.id)
    pane = make_pane()
    pane.set_filters(kinds=["decision"])
    assert texts(pane) == ["we fail over mail"]
    pane.set_filters(kinds=[], tag="#BGP")
    assert texts(pane) == ["bgp session to isp-b flapping #bgp", "core router reboot #bgp"]
    pane.set_filters(tag="", author="bob")
    assert texts(pane) == ["status page updated"]
    pane.set_filters(author="", pinned_only=True)
    assert texts(pane) == ["core router reboot #bgp"]
    pane.set_filters(pinned_only=False, search="flap")
    assert texts(pane) == ["bgp session to isp-b flapping #bgp"]
    assert pane.count_label.text() == "1 match"
    pane.set_filters(search="")
    assert len(texts(pane)) == 5  # with "Incident opened"
    # The search box filters by typing too (debounced).
    pane.search.setText("router")
    pane.apply_filters()
    assert texts(pane) == ["core router reboot #bgp"]


def test_a_filter_keeps_an_old_selected_entry_and_reads_the_ids_once(
    tl: Timeline, incident: Any, make_pane: Any
) -> None:
    # An entry far above the newest page (model.PAGE) stays selected through a search
    # that still matches it, from one read of the id list (no count query first).
    iid = incident.id
    start = timeutil.now() - timedelta(hours=1)
    with tl.store.write() as conn:
        for i in range(300):
            t = timeutil.fmt(start + timedelta(seconds=i))
            text = f"{'rollback ' if i % 3 == 0 else ''}step {i}"
            tl._insert_entry(conn, iid, text, kind="note", occurred_at=t, recorded_at=t)
    old = next(e for e in tl.entries(tl.filter(iid)) if e.text == "rollback step 3")
    pane = make_pane()
    pane.select_entry(old.id)
    counted: list[object] = []
    real_count = tl.count_matching
    pane.model.tl.count_matching = lambda flt: counted.append(flt) or real_count(flt)
    pane.set_filters(search="rollback")
    assert pane.selected_id() == old.id
    assert not counted and not pane.model._pending_full
    assert len(texts(pane)) == 100  # every third of 300
    # Without a selection, the newest page comes first and the rest after the paint.
    pane.view.clearSelection()
    pane.view.setCurrentIndex(pane.model.index(-1, 0))
    pane.set_filters(search="step")
    assert len(counted) == 1 and pane.model._pending_full
    assert len(texts(pane)) == 300  # asking for every row completes the list


def test_tag_and_author_choices_come_from_the_incident(
    tl: Timeline, incident: Any, make_pane: Any
) -> None:
    tl.log(incident.id, "x #dns")
    tl.log(incident.id, "y", author="carol")
    pane = make_pane()
    pane.tag_combo.reload()
    pane.author_combo.reload()
    tags = [pane.tag_combo.itemData(i) for i in range(pane.tag_combo.count())]
    authors = [pane.author_combo.itemData(i) for i in range(pane.author_combo.count())]
    assert tags == ["", "dns"]
    assert authors == ["", "Alice", "carol"]


# -- live updates ------------------------------------------------------------------------


def test_entry_from_another_connection_appears_within_a_second(
    qtbot: Any, incident: Any, make_pane: Any, data_dir: Path
) -> None:
    pane = shown(qtbot, make_pane())
    pane.select_entry(pane.model.ids()[0])
    selected = pane.selected_id()
    other = Store.open(data_dir)
    try:
        Timeline(other, author="cli").log(incident.id, "written elsewhere")
    finally:
        other.close()
    qtbot.waitUntil(lambda: "written elsewhere" in texts(pane), timeout=1500)
    assert pane.selected_id() == selected


def test_cli_log_appears_without_restart(
    qtbot: Any, incident: Any, make_pane: Any, data_dir: Path
) -> None:
    pane = make_pane()
    subprocess.run(
        [sys.executable, "-m", "warroom", "--data-dir", str(data_dir), "log", incident.id,
         "from the command line #cli", "--author", "script"],
        check=True,
        capture_output=True,
        timeout=60,
    )  # fmt: skip
    qtbot.waitUntil(lambda: "from the command line #cli" in texts(pane), timeout=1500)


def test_edits_and_hides_from_another_process_show_up(
    qtbot: Any, tl: Timeline, incident: Any, make_pane: Any, data_dir: Path
) -> None:
    keep = tl.log(incident.id, "to be edited elsewhere").value.id
    gone = tl.log(incident.id, "to be hidden elsewhere").value.id
    late = tl.log(incident.id, "to be moved elsewhere").value.id
    pane = make_pane()
    pane.select_entry(keep)
    other = Store.open(data_dir)
    try:
        cli = Timeline(other, author="cli")
        cli.edit(keep, text="edited elsewhere")
        cli.hide(gone, "wrong incident")
        first = pane.model.ids()[0]
        earlier = timeutil.parse_utc(cli.entry(first).occurred_at) - timedelta(seconds=1)
        cli.edit(late, at=earlier)
    finally:
        other.close()
    qtbot.waitUntil(lambda: "edited elsewhere" in texts(pane), timeout=1500)
    qtbot.waitUntil(lambda: pane.model.ids()[0] == late, timeout=1500)
    assert gone not in pane.model.ids()
    assert pane.selected_id() == keep
    assert texts(pane)[0] == "to be moved elsewhere"


def test_a_write_before_the_full_id_list_arrives_is_not_lost(
    tl: Timeline, store: Store, incident: Any, make_pane: Any
) -> None:
    now = timeutil.now_str()
    with store.write() as conn:
        for i in range(500):
            tl._insert_entry(
                conn, incident.id, f"bulk {i}", kind="note", occurred_at=now, recorded_at=now
            )
    pane = make_pane()  # never painted: only the newest page is known
    assert pane.model.cached_rows() <= PAGE
    Timeline(store, author="x").log(incident.id, "arrives early")
    pane.refresh()
    assert texts(pane)[-1] == "arrives early"
    assert len(texts(pane)) == 502
    assert list(pane.model.ids()) == q.entry_keys(store, pane.model.flt)


def test_refresh_inserts_rows_without_resetting(
    qtbot: Any, tl: Timeline, incident: Any, make_pane: Any
) -> None:
    pane = make_pane()
    with qtbot.assertNotEmitted(pane.model.modelReset), qtbot.waitSignal(pane.model.rowsInserted):
        tl.log(incident.id, "appended")
        pane.refresh()
    assert texts(pane)[-1] == "appended"


# -- the model ---------------------------------------------------------------------------


def test_model_passes_qabstractitemmodeltester(
    qtmodeltester: Any, tl: Timeline, incident: Any, make_pane: Any
) -> None:
    tl.log(incident.id, "plain")
    e = tl.log(incident.id, "**markdown** #tag").value
    tl.pin(e.id)
    h = tl.log(incident.id, "hidden one").value
    tl.hide(h.id, "test")
    pane = make_pane()
    pane.set_filters(include_hidden=True)
    qtmodeltester.check(pane.model, force_py=True)


def test_model_is_lazy(tl: Timeline, store: Store, incident: Any, make_pane: Any) -> None:
    with store.write() as conn:
        now = timeutil.now_str()
        for i in range(3000):
            tl._insert_entry(
                conn, incident.id, f"bulk {i}", kind="note", occurred_at=now, recorded_at=now
            )
    pane = make_pane()
    m = pane.model
    # Opened tail first: the newest page is read, the other ids follow later.
    assert m.rowCount() == 3001
    assert m.cached_rows() <= PAGE
    assert m.index(3000, COL_TEXT).data(FullTextRole) == "bulk 2999"
    # Asking for an old row reads the full id list, then one page around it.
    assert (
        m.index(0, COL_TEXT).data(FullTextRole)
        == "Incident opened: Mail down (SEV2, investigating)"
    )
    assert list(m.ids()) == q.entry_keys(store, pane.model.flt)
    m.index(1500, COL_TEXT).data(FullTextRole)
    assert m.cached_rows() <= 5 * PAGE  # pages around what was asked, not 3000 rows
    assert m.index(2999, COL_TEXT).data(EntryIdRole) == list(m.ids())[2999]


def test_megabyte_entry_is_shortened_and_expandable(
    tl: Timeline, incident: Any, make_pane: Any
) -> None:
    big = "\n".join(f"{i:07d} upstream timeout from 192.0.2.{i % 255}" for i in range(25_000))
    assert len(big) > 1_000_000
    eid = tl.log(incident.id, big).value.id
    pane = make_pane()
    ix = pane.model.index(pane.model.row_of(eid), COL_TEXT)
    assert ix.data(IsLongRole) is True
    assert len(ix.data(Qt.ItemDataRole.DisplayRole)) < 2000
    assert ix.data(FullTextRole) == big
    assert "Shortened" in ix.data(Qt.ItemDataRole.ToolTipRole)
    pane.select_entry(eid)
    dlg = pane.expand_selected()
    assert isinstance(dlg, dialogs.FullTextDialog)
    assert dlg.view.toPlainText() == big
    dlg.close()


def test_conflict_is_marked(tl: Timeline, store: Store, incident: Any, make_pane: Any) -> None:
    from dataclasses import replace

    from warroom.base import ids

    eid = tl.log(incident.id, "original").value.id
    first = tl.revisions(eid)[0]
    # Two workstations edit the same revision; after the merge both are present.
    with store.write() as conn:
        for text in ("edit on A", "edit on B"):
            rev = replace(
                first, id=ids.new_id(), parent=first.id, text=text,
                recorded_at=timeutil.now_str(),
            )  # fmt: skip
            q.insert_revision(conn, rev)
        q.refresh_entry(conn, eid)
    pane = make_pane()
    ix = pane.model.index(pane.model.row_of(eid), COL_PIN)
    assert ix.data(ConflictRole) is True
    assert "CONFLICT" in ix.data(Qt.ItemDataRole.ToolTipRole)
    assert ix.data(Qt.ItemDataRole.DecorationRole) is not None
    pane.select_entry(eid)
    dlg = pane.show_history()
    assert dlg is not None
    assert any("Conflict" in w.text() for w in dlg.findChildren(type(pane.count_label)))
    dlg.close()


# -- incidents and dialogs ---------------------------------------------------------------


def test_new_incident_dialog_and_picker(qtbot: Any, tl: Timeline, make_pane: Any) -> None:
    pane = make_pane()
    assert pane.incident is None
    pane.capture.edit.setText("nowhere to go")
    pane.capture.edit.submitted.emit()
    assert "no incident yet" in pane.capture.message.text()
    assert pane.capture.edit.text() == "nowhere to go"
    dlg = pane.new_incident()
    assert isinstance(dlg, dialogs.NewIncidentDialog)
    dlg.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    assert "title is empty" in dlg.message.text()  # refused, still open
    dlg.title.setText("DNS outage")
    dlg.severity.setCurrentText("SEV1")
    dlg.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    assert pane.incident is not None and pane.incident.title == "DNS outage"
    assert pane.ctx.active_incident == pane.incident.id
    assert "DNS outage" in pane.header.title.text()
    other = tl.new_incident("Second")
    pane.refresh()
    i = pane.header.picker.findData(other.id)
    assert i >= 0
    pane.header.picker.setCurrentIndex(i)
    pane.header.picker.activated.emit(i)
    assert pane.incident.id == other.id


def test_status_and_roles_become_status_entries(
    tl: Timeline, incident: Any, make_pane: Any
) -> None:
    pane = make_pane()
    dlg = pane.edit_incident()
    assert isinstance(dlg, dialogs.IncidentDialog)
    dlg.fields["status"].setCurrentText("identified")  # type: ignore[attr-defined]
    dlg.fields["commander"].setText("Alice")  # type: ignore[attr-defined]
    dlg.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    assert tl.incident(incident.id).status == "identified"
    assert "identified" in pane.header.title.text()
    assert "IC: Alice" in pane.header.details.text()
    assert "Status changed from investigating to identified" in texts(pane)


def test_milestones_out_of_order_are_refused_unless_confirmed(
    tl: Timeline, incident: Any, make_pane: Any
) -> None:
    pane = make_pane()
    dlg = pane.edit_milestones()
    assert isinstance(dlg, dialogs.MilestonesDialog)
    dlg.edits["started_at"].setText("-10m")
    dlg.edits["mitigated_at"].setText("-20m")
    assert "Out of order" in dlg.message.text()
    assert not dlg.force.isHidden()
    dlg.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    assert "milestones out of order" in dlg.message.text()
    assert tl.incident(incident.id).mitigated_at is None
    dlg.force.setChecked(True)
    dlg.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    assert tl.incident(incident.id).mitigated_at is not None
    assert "before" in pane.capture.message.text()  # the warning is shown


def test_elapsed_time_is_shown_and_ticks(qtbot: Any, tl: Timeline, make_pane: Any) -> None:
    inc = tl.new_incident("Old one", started_at=timeutil.now() - timedelta(hours=2, minutes=5))
    pane = make_pane()
    assert pane.incident is not None and pane.incident.id == inc.id
    assert "elapsed 2h 05m since started" in pane.header.elapsed_text()
    assert "UTC" in pane.header.details.text()


def test_insert_between_defaults_to_the_neighbours_time(
    tl: Timeline, incident: Any, make_pane: Any
) -> None:
    pane = make_pane()
    a = pane.capture_line("-10m first")
    b = pane.capture_line("second")
    pane.select_entry(a)
    dlg = pane.insert_after_selected()
    assert isinstance(dlg, dialogs.InsertDialog)
    assert dlg.time.text() == dialogs.local_input(tl.entry(a).occurred_at)
    dlg.text.setPlainText("forgot this one")
    dlg.kind.setCurrentText("action")
    dlg.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    ids = list(pane.model.ids())
    new = ids[ids.index(a) + 1]
    assert tl.entry(new).text == "forgot this one"
    assert tl.entry(new).kind == "action"
    assert ids.index(b) > ids.index(new)


# -- keyboard -------------------------------------------------------------------------------


def test_keyboard_shortcuts(qtbot: Any, tl: Timeline, incident: Any, make_pane: Any) -> None:
    pane = shown(qtbot, make_pane())
    a = pane.capture_line("one")
    b = pane.capture_line("two")
    edit = pane.capture.edit
    assert pane.selected_id() == b
    qtbot.keyClick(edit, Qt.Key.Key_Up, Qt.KeyboardModifier.AltModifier)
    assert pane.selected_id() == a
    qtbot.keyClick(
        edit, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    )
    assert tl.entry(a).pinned
    qtbot.keyClick(edit, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert pane.search.hasFocus()
    qtbot.keyClick(pane.search, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    assert edit.hasFocus()
    qtbot.keyClick(edit, Qt.Key.Key_Down, Qt.KeyboardModifier.AltModifier)
    assert pane.selected_id() == b
    pane.view.setFocus()
    qtbot.keyClick(pane.view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert not tl.entry(a).pinned  # undo of the pin


def test_list_keys_hide_and_expand(qtbot: Any, tl: Timeline, incident: Any, make_pane: Any) -> None:
    long_id = tl.log(incident.id, "x " * 2000).value.id
    pane = shown(qtbot, make_pane())
    pane.select_entry(long_id)
    pane.view.setFocus()
    qtbot.waitUntil(pane.view.hasFocus, timeout=1000)
    qtbot.keyClick(pane.view, Qt.Key.Key_Space)
    assert [type(d) for d in pane._dialogs] == [dialogs.FullTextDialog]
    pane._dialogs[0].close()
    pane.view.setFocus()
    qtbot.keyClick(pane.view, Qt.Key.Key_Delete)
    assert [type(d) for d in pane._dialogs] == [dialogs.HideDialog]
    pane._dialogs[0].reject()
    assert not tl.entry(long_id).hidden


def test_an_open_editor_is_not_disturbed_by_other_writers(
    qtbot: Any, tl: Timeline, incident: Any, make_pane: Any, data_dir: Path
) -> None:
    pane = shown(qtbot, make_pane(poll_ms=50))
    eid = pane.capture_line("typing here")
    pane.start_edit(COL_TEXT)
    editor = pane.view.findChild(TextEditor)
    assert editor is not None
    editor.setPlainText("half typed")
    other = Store.open(data_dir)
    try:
        first = pane.model.ids()[0]
        earlier = timeutil.parse_utc(tl.entry(first).occurred_at) - timedelta(seconds=1)
        Timeline(other, author="cli").edit(eid, at=earlier)  # would move the row
        Timeline(other, author="cli").log(incident.id, "meanwhile")
    finally:
        other.close()
    qtbot.wait(200)
    assert editor.toPlainText() == "half typed"
    assert "meanwhile" not in texts(pane)
    qtbot.keyClick(editor, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert tl.entry(eid).text == "half typed"
    qtbot.waitUntil(lambda: "meanwhile" in texts(pane), timeout=1000)
    assert pane.model.ids()[0] == eid


def test_an_unlogged_line_survives_closing_the_pane(
    qtbot: Any, incident: Any, make_pane: Any
) -> None:
    pane = make_pane()
    pane.capture.edit.setText("half a thought about the\nresolver")
    pane.shutdown()  # the window closes
    again = make_pane()
    assert again.capture.edit.text() == "half a thought about the\nresolver"
    assert "Restored" in again.capture.message.text()
    again.capture.edit.submitted.emit()
    assert texts(again)[-1] == "half a thought about the\nresolver"
    again.shutdown()
    third = make_pane()
    assert third.capture.edit.text() == ""


def test_closing_with_an_inline_edit_open_keeps_it(
    qtbot: Any, tl: Timeline, incident: Any, make_pane: Any
) -> None:
    pane = shown(qtbot, make_pane())
    eid = pane.capture_line("before")
    pane.start_edit(COL_TEXT)
    editor = pane.view.findChild(TextEditor)
    assert editor is not None
    editor.setPlainText("after, typed just before closing")
    pane.shutdown()
    assert tl.entry(eid).text == "after, typed just before closing"
    assert tl.entry(eid).revision == 2


def test_narrow_pane_keeps_the_author_in_front_of_the_text(
    qtbot: Any, tl: Timeline, incident: Any, make_pane: Any
) -> None:
    pane = shown(qtbot, make_pane())
    pane.capture_line("narrow #dns")
    last = pane.model.rowCount() - 1
    assert not pane.view.isColumnHidden(COL_AUTHOR)
    pane.resize(500, 600)
    qtbot.waitUntil(lambda: pane.view.isColumnHidden(COL_AUTHOR), timeout=1000)
    assert pane.view.isColumnHidden(COL_TAGS)
    cell = pane.model.index(last, COL_TEXT).data(Qt.ItemDataRole.DisplayRole)
    assert cell == "Alice · narrow #dns"
    assert "\n" not in pane.model.index(last, COL_TIME).data(Qt.ItemDataRole.DisplayRole)
    pane.resize(1000, 600)
    qtbot.waitUntil(lambda: not pane.view.isColumnHidden(COL_AUTHOR), timeout=1000)
    assert "Alice" not in pane.model.index(last, COL_TEXT).data(Qt.ItemDataRole.DisplayRole)
