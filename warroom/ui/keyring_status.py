"""The keyring's state in the status bar: no silent plaintext fallback, and no silence.

``secrets.backend_status()`` may touch D-Bus (~0.15 s), so it runs through
``ui.tasks.run_task`` and the answer is shown back on the UI thread.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QLabel

from warroom.ui.context import UiContext
from warroom.ui.tasks import Task, run_task

log = logging.getLogger(__name__)


class KeyringIndicator(QObject):
    """Asks the keyring off the UI thread and shows a status-bar label when unusable."""

    def __init__(self, ctx: UiContext) -> None:
        super().__init__(ctx)
        self.ctx = ctx
        self.label: QLabel | None = None
        self.status: object | None = None

    def start(self) -> Task[object]:
        from warroom.system import secrets

        return run_task(self, secrets.backend_status, self._show, name="keyring-check")

    def _show(self, status: object) -> None:
        self.status = status
        if getattr(status, "usable", True):
            return
        detail = str(getattr(status, "detail", ""))
        log.warning("keyring unavailable: %s", detail)
        # Short: the status bar's items add up to the window's minimum width.
        label = QLabel("No keyring")
        label.setObjectName("keyring-unavailable")
        label.setToolTip(
            "Keyring unavailable: secrets cannot be stored. Feeds and publishing that need a "
            "password or token stay off unless WARROOM_SECRET_<NAME> provides it.\n" + detail
        )
        label.setStyleSheet("QLabel { color: palette(window-text); font-weight: 600; }")
        self.label = label
        if self.ctx.status_bar is not None:
            self.ctx.add_status_widget(label)


def install(ctx: UiContext) -> KeyringIndicator:
    """A start-up hook (``warroom.ui.panes.HOOKS``)."""
    indicator = KeyringIndicator(ctx)
    indicator.start()
    return indicator
