"""The window says so when no keyring can hold secrets (issue 2: a clear visible state)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest
from helpers.testkeyring import MemoryKeyring
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QMainWindow, QStatusBar

from warroom.ui.context import UiContext
from warroom.ui.keyring_status import install


@pytest.fixture
def ctx(qtbot, tmp_path: Path) -> Iterator[UiContext]:  # type: ignore[no-untyped-def]
    win = QMainWindow()
    qtbot.addWidget(win)
    bar = QStatusBar()
    win.setStatusBar(bar)
    settings = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    c = UiContext(store=None, data_dir=tmp_path, settings=settings, parent=win)
    c.status_bar = bar
    yield c  # the window (and with it the context) lives until the test ends
    win.close()


def test_no_backend_shows_a_label_with_the_reason(qtbot, ctx: UiContext) -> None:  # type: ignore[no-untyped-def]
    # conftest selects keyring's "fail" backend: nothing can store a secret.
    indicator = install(ctx)
    qtbot.waitUntil(lambda: indicator.status is not None, timeout=5000)
    assert indicator.label is not None
    assert indicator.label.text() == "No keyring"
    assert "Keyring unavailable" in indicator.label.toolTip()
    assert "WARROOM_SECRET_" in indicator.label.toolTip()
    assert indicator.label in ctx.status_bar.findChildren(type(indicator.label))  # type: ignore[union-attr]


def test_usable_backend_shows_nothing(
    qtbot, ctx: UiContext, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    previous = keyring.get_keyring()
    keyring.set_keyring(MemoryKeyring())
    try:
        indicator = install(ctx)
        qtbot.waitUntil(lambda: indicator.status is not None, timeout=5000)
        assert indicator.label is None
    finally:
        keyring.set_keyring(previous)
