"""The composer dialog and the next-update clock (pytest-qt, offscreen, loopback fakes)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QMainWindow, QStatusBar
from pytestqt.qtbot import QtBot

from warroom.base import timeutil
from warroom.domain.probes import ProbeResult, State, StateChange, Status
from warroom.services.timeline import Timeline
from warroom.sim.bluesky import FakeBluesky
from warroom.sim.mastodon import FakeMastodon
from warroom.social.channels import CommsSettings
from warroom.store import Store
from warroom.store import probes as probe_store
from warroom.ui.compose import ComposeUi, install_compose_actions
from warroom.ui.compose.dialog import ComposeDialog
from warroom.ui.context import UiContext

pytestmark = pytest.mark.qt_log_ignore(
    "does not support propagateSizeHints", "does not support raise"
)
TOKEN = "tok-compose-ui-1234"
APP_PASSWORD = "ui-app-pass-word"
HANDLE = "ops.example.test"


@dataclass
class Env:
    ui: ComposeUi
    ctx: UiContext
    store: Store
    incident: str
    masto: FakeMastodon
    bsky: FakeBluesky
    file: Path


def _all_down(store: Store) -> None:
    t0 = timeutil.now() - timedelta(minutes=2)
    results, changes = [], []
    for v in ("isp-a", "isp-b", "isp-c"):
        r = ProbeResult(t0, "www", v, "http", Status.DOWN, None, "timeout")
        results.append(r)
        changes.append(StateChange(t0, "www", v, State.PENDING, State.DOWN, r))
    probe_store.write_batch(store, results, changes)


@pytest.fixture
def env(qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Env]:
    monkeypatch.setenv("WARROOM_SECRET_MASTODON_OPS", TOKEN)
    monkeypatch.setenv("WARROOM_SECRET_BSKY_OPS", APP_PASSWORD)
    masto, bsky = FakeMastodon(max_characters=500), FakeBluesky()
    masto.add_token(TOKEN, "ops")
    bsky.add_account(HANDLE, APP_PASSWORD)
    store = Store.open(tmp_path / "ws")
    with masto, bsky:
        ws = tmp_path / "workspace.toml"
        ws.write_text(
            f'[[channel]]\nname = "mastodon-ops"\nmastodon = "{masto.url}"\n'
            'secret = "mastodon-ops"\n'
            f'\n[[channel]]\nname = "bsky-ops"\nbluesky = "{bsky.url}"\nhandle = "{HANDLE}"\n'
            'secret = "bsky-ops"\n',
            encoding="utf-8",
        )
        ctx = UiContext(
            store=store,
            data_dir=tmp_path / "ws",
            settings=QSettings(str(tmp_path / "gui.ini"), QSettings.Format.IniFormat),
            workspace_file=ws,
        )
        win = QMainWindow()
        win.menuBar().addMenu("&File")
        ctx.status_bar = QStatusBar(win)
        win.setStatusBar(ctx.status_bar)
        qtbot.addWidget(win)
        tl = Timeline(store, author="alice")
        iid = tl.new_incident("Websites unreachable", severity="SEV1").id
        ui = install_compose_actions(win, ctx)
        try:
            yield Env(ui, ctx, store, iid, masto, bsky, ws)
        finally:
            if ui.dialog is not None:
                ui.dialog.close()
            ui.shutdown()
            store.close()


def _dialog(env: Env, qtbot: QtBot) -> ComposeDialog:
    d = env.ui.open()
    assert isinstance(d, ComposeDialog)
    qtbot.addWidget(d)
    qtbot.waitUntil(lambda: "mastodon-ops" in d._limits, timeout=5000)  # server limit asked
    return d


def test_action_and_shortcut_installed(env: Env) -> None:
    act = env.ctx.actions["compose"]
    assert act.shortcut().toString() == "Ctrl+Shift+U"
    assert act in env.ui.window.menuBar().actions()[0].menu().actions()


def test_template_counters_and_clock(env: Env, qtbot: QtBot) -> None:
    d = _dialog(env, qtbot)
    text = d.text.toPlainText()
    assert "Websites unreachable" in text and "{" not in text
    assert d.counters["mastodon-ops"].text().endswith("/500 characters")
    assert "/300 graphemes" in d.counters["bsky-ops"].text()
    assert d.cadence.text().startswith("Next update due in 1")  # SEV1: 15 min
    d.text.setPlainText("é" * 301)
    qtbot.waitUntil(lambda: "too long" in d.counters["bsky-ops"].text(), timeout=2000)
    assert not d.publish_btn.isEnabled()
    assert "Too long for bsky-ops" in d.status.text()


def test_honesty_findings_block_until_confirmed_then_publish(env: Env, qtbot: QtBot) -> None:
    _all_down(env.store)
    d = _dialog(env, qtbot)
    d.refresh()
    d.text.setPlainText("Only some access providers are affected.")
    qtbot.waitUntil(lambda: "partial outage" in d.findings.text(), timeout=2000)
    assert "www: down from 3 of 3 vantages since" in d.findings.text()
    assert d.text.extraSelections()  # the claim is marked in the text
    assert not d.publish_btn.isEnabled()
    assert d.confirm.isVisible() or not d.isVisible()
    d.confirm.setChecked(True)
    assert d.publish_btn.isEnabled()
    with qtbot.waitSignal(d.published, timeout=10_000) as sig:
        d.publish_btn.click()
    results = sig.args[0]
    assert [r.ok for r in results] == [True, True]
    assert env.masto.published("ops") == ["Only some access providers are affected."]
    assert len(env.bsky.records(HANDLE)) == 1
    lines = [d.result_list.item(i).text() for i in range(d.result_list.count())]
    assert lines[0].startswith("✓ mastodon-ops: https://mastodon.example/@ops/")
    assert d.status.text() == "Published on 2 of 2 channels."
    qtbot.waitUntil(lambda: not d._reading, timeout=5000)
    d._got_states(d._states)  # fresh measurements arriving must not wipe the summary
    assert d.status.text() == "Published on 2 of 2 channels."
    tl = Timeline(env.store)
    comms = [e for e in tl.entries(tl.filter(env.incident)) if e.kind == "comms"]
    assert len(comms) == 2 and all(e.author == d.author for e in comms)


def test_approval_required_by_the_workspace(env: Env, qtbot: QtBot) -> None:
    env.file.write_text(env.file.read_text() + "\n[comms]\napproval = true\n", encoding="utf-8")
    _channels, settings, _why = env.ui.config()
    assert settings.approval
    d = _dialog(env, qtbot)
    assert not d.publish_btn.isEnabled() and "second person" in d.status.text()
    d.approver.setText("bob")
    qtbot.waitUntil(d.publish_btn.isEnabled, timeout=2000)


def test_approval_rules_in_the_dialog(env: Env, qtbot: QtBot) -> None:
    d = _dialog(env, qtbot)
    d.settings = CommsSettings(approval=True)
    d.approver.setText("")
    d._update_publish()
    assert not d.publish_btn.isEnabled() and "second person" in d.status.text()
    d.approver.setText(d.author.upper())
    d._update_publish()
    d.publish()
    assert "second person, not the author" in d.status.text()
    assert env.masto.published("ops") == []


def test_failure_is_shown_per_channel(env: Env, qtbot: QtBot) -> None:
    env.masto.fail_next("POST", "/api/v1/statuses", 422, {"error": "Validation failed"})
    d = _dialog(env, qtbot)
    d.checks["bsky-ops"].setChecked(False)
    d.text.setPlainText("Investigating www.")
    qtbot.waitUntil(d.publish_btn.isEnabled, timeout=2000)
    with qtbot.waitSignal(d.published, timeout=10_000):
        d.publish_btn.click()
    assert d.result_list.item(0).text().startswith("✗ mastodon-ops: failed: ")
    assert "HTTP 422" in d.result_list.item(0).text()
    assert d.status.text() == "Published on 0 of 1 channels."


def test_status_bar_clock_and_reminder_when_due(env: Env, qtbot: QtBot) -> None:
    env.ui.tick()
    assert env.ui.clock.text().startswith("Update due in 1")
    assert "SEV1: an update every 15 min" in env.ui.clock.toolTip()
    Timeline(env.store).set_incident(
        env.incident, next_update_due=timeutil.now() - timedelta(minutes=3)
    )
    env.ui.tick()
    assert env.ui.clock.text() == "Update overdue by 3 min"
    assert len(env.ui.reminders) == 1 and "Websites unreachable" in env.ui.reminders[0]
    env.ui.tick()
    assert len(env.ui.reminders) == 1  # once per due time, not every tick


def test_no_channels_says_why(env: Env, qtbot: QtBot) -> None:
    env.file.write_text("", encoding="utf-8")
    d = env.ui.open()
    qtbot.addWidget(d)
    assert not d.publish_btn.isEnabled()
    assert "no [[channel]]" in d.channel_box.findChildren(type(d.status))[0].text()


def test_a_closed_composer_stops_reading(env: Env, qtbot: QtBot) -> None:
    d = _dialog(env, qtbot)
    assert d._refresh_timer.isActive()
    d.close()
    assert not d._refresh_timer.isActive() and not d._review_timer.isActive()
