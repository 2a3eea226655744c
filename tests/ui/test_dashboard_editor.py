"""The workspace file editor: points at the bad line, saves only what loads, applies."""

from __future__ import annotations

from pathlib import Path

import pytest
from dashboard_support import BOARD, make_ctx

from warroom.config import workspace_file
from warroom.ui.dashboard import DashboardPane
from warroom.ui.dashboard.editor import WorkspaceEditor

BAD_KEY = BOARD.replace("degraded_ms = 1000", "degraded_ms = 1000\nfail_afterr = 3")
BAD_SCHEME = BOARD.replace("tcp://mail.example.test:25", "gopher://mail.example.test/")


@pytest.fixture
def editor(qtbot) -> WorkspaceEditor:
    e = WorkspaceEditor()
    qtbot.addWidget(e)
    return e


def line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        (BAD_KEY, "fail_afterr"),
        (BAD_SCHEME, "gopher://"),
        (BOARD.replace('name = "mail"', 'name = "www"'), 'name = "www"'),  # duplicate name
        (BOARD.replace('interval = "10s"', 'interval = "10s'), 'interval = "10s'),  # TOML syntax
    ],
)
def test_points_at_the_bad_line(qtbot, editor, text: str, needle: str) -> None:
    editor.edit.setPlainText(text)
    qtbot.waitUntil(lambda: bool(editor.problems), timeout=2000)  # validated as you type
    want = line_of(text, needle)
    if needle == 'name = "www"':
        want = [i for i, ln in enumerate(text.splitlines(), 1) if needle in ln][1]
    assert editor.problems[0].line == want
    assert editor.list.item(0).text().startswith(f"line {want}: ")
    assert editor.edit.extraSelections()[0].cursor.blockNumber() + 1 == want
    assert not editor.apply_btn.isEnabled()
    assert f"line {want}" in editor.status.text()
    editor.list.itemClicked.emit(editor.list.item(0))
    assert editor.current_line() == want


def test_apply_hands_a_valid_config_over(qtbot, editor) -> None:
    editor.edit.setPlainText(BOARD)
    assert editor.validate()
    with qtbot.waitSignal(editor.applied) as sig:
        assert editor.apply()
    cfg = sig.args[0]
    assert [t.name for t in cfg.targets] == ["www", "mail", "api"]
    editor.edit.setPlainText(BAD_KEY)
    with qtbot.assertNotEmitted(editor.applied):
        assert not editor.apply()


def test_save_writes_only_valid_text_and_keeps_comments(qtbot, editor, tmp_path: Path) -> None:
    path = tmp_path / "ws.toml"
    path.write_text(BOARD, encoding="utf-8")
    assert editor.open_file(path)
    text = "# the night shift's board\n" + BOARD
    editor.edit.setPlainText(text)
    assert editor.modified
    with qtbot.waitSignal(editor.saved):
        assert editor.save()
    assert path.read_text(encoding="utf-8") == text
    assert not editor.modified
    editor.edit.setPlainText(BAD_KEY)
    assert not editor.save()
    assert path.read_text(encoding="utf-8") == text  # nothing half-written, nothing lost
    assert editor.text() == BAD_KEY  # and the edit is still there to fix
    assert "Not saved" in editor.status.text()
    assert workspace_file.load(path).targets[0].name == "www"


def test_open_reports_an_unreadable_file(editor, tmp_path: Path) -> None:
    assert not editor.open_file(tmp_path / "missing.toml")
    assert editor.status.text().startswith("Cannot open ")


def test_pane_applies_editor_text_to_the_running_board(qtbot, store, tmp_path: Path) -> None:
    ctx = make_ctx(store, tmp_path)
    pane = DashboardPane(ctx, engine_factory=None)
    qtbot.addWidget(pane)
    assert pane.model.rowCount() == 0
    assert not pane.empty.isHidden()
    pane.editor.edit.setPlainText(BOARD)
    pane.editor.apply_btn.click()
    assert pane.model.rowCount() == 3
    assert pane.empty.isHidden()
    # Save as: the workspace file of the window follows.
    with qtbot.waitSignal(ctx.workspace_file_changed):
        assert pane.editor.save_to(tmp_path / "saved.toml")
    assert ctx.workspace_file == tmp_path / "saved.toml"
    pane.stop()


def test_file_save_action_saves_the_workspace_file(qtbot, store, tmp_path: Path) -> None:
    from PySide6.QtGui import QAction

    ctx = make_ctx(store, tmp_path)
    save = QAction("Save workspace file")
    save.setEnabled(False)  # the window's default until a pane brings the feature
    ctx.actions["save"] = save
    pane = DashboardPane(ctx, engine_factory=None)
    qtbot.addWidget(pane)
    assert save.isEnabled()
    path = tmp_path / "ws.toml"
    path.write_text(BOARD, encoding="utf-8")
    assert pane.load_file(path)
    pane.editor.edit.setPlainText(BOARD + "\n# edited\n")
    save.trigger()
    assert path.read_text(encoding="utf-8").endswith("# edited\n")
    assert pane.tabs.currentWidget() is pane.editor
    pane.stop()
