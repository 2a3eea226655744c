"""Failures in the GUI are shown, never swallowed: a dialog naming the log file.

A bug (any uncaught exception, on the UI thread or another one) is logged with its
traceback and reported in a dialog that points at the log; the window stays usable.
A known failure (``WarroomError``: a damaged database, a workspace open elsewhere) is
one line in a dialog, and the launcher exits without touching anything.

Signals (CrashReporter):
    reported(str): a crash summary was shown (or would have been, when headless).
"""

from __future__ import annotations

import logging
import os
import sys
import threading
import traceback
from pathlib import Path
from types import TracebackType
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal, Slot
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

log = logging.getLogger("warroom.crash")

HEADLESS = frozenset({"offscreen", "minimal"})


def can_block() -> bool:
    """Whether a modal dialog can be answered here (not on an invisible offscreen screen).

    ``WARROOM_FORCE_DIALOGS=1`` forces dialogs (tests that patch ``exec``)."""
    if os.environ.get("WARROOM_FORCE_DIALOGS") == "1":
        return True
    return QGuiApplication.platformName() not in HEADLESS


def show_error(title: str, message: str, parent: QWidget | None = None) -> None:
    """A known failure: one line in a dialog (stderr only, when nobody could answer it)."""
    sys.stderr.write(f"error: {message}\n")
    if QApplication.instance() is None or not can_block():
        return
    text = message[:1].upper() + message[1:]
    box = QMessageBox(QMessageBox.Icon.Critical, f"Warroom: {title}", text, parent=parent)
    box.setObjectName("error-dialog")
    box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    box.exec()


class CrashReporter(QObject):
    """Installs ``sys.excepthook`` and ``threading.excepthook`` for the GUI's lifetime."""

    reported = Signal(str)
    _from_thread = Signal(str, str)

    def __init__(self, log_path: Path | None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.log_path = log_path
        self.count = 0
        self._showing = False
        self._old_sys: Any = None
        self._old_thread: Any = None
        self._from_thread.connect(self._show, Qt.ConnectionType.QueuedConnection)

    def install(self) -> None:
        self._old_sys = sys.excepthook
        self._old_thread = threading.excepthook
        sys.excepthook = self.excepthook
        threading.excepthook = self.thread_excepthook

    def uninstall(self) -> None:
        if self._old_sys is not None:
            sys.excepthook = self._old_sys
            threading.excepthook = self._old_thread
            self._old_sys = self._old_thread = None

    def excepthook(
        self,
        etype: type[BaseException],
        value: BaseException,
        tb: TracebackType | None,
    ) -> None:
        if issubclass(etype, KeyboardInterrupt):
            app = QApplication.instance()
            if app is not None:
                app.quit()
            return
        self._report(etype, value, tb, "the window")

    def thread_excepthook(self, args: threading.ExceptHookArgs) -> None:
        if args.exc_type is SystemExit:
            return
        where = f"thread {args.thread.name if args.thread else '?'}"
        self._report(args.exc_type, args.exc_value, args.exc_traceback, where)

    def _report(
        self,
        etype: type[BaseException],
        value: BaseException | None,
        tb: TracebackType | None,
        where: str,
    ) -> None:
        self.count += 1
        text = "".join(traceback.format_exception(etype, value, tb))
        log.critical("uncaught exception in %s:\n%s", where, text.rstrip())
        summary = traceback.format_exception_only(etype, value)[-1].strip()
        if threading.current_thread() is threading.main_thread():
            self._show(summary, text)
        else:
            self._from_thread.emit(summary, text)

    @Slot(str, str)
    def _show(self, summary: str, details: str) -> None:
        self.reported.emit(summary)
        where = (
            str(self.log_path) if self.log_path else "no log file (the data dir is not writable)"
        )
        sys.stderr.write(f"warroom: unexpected error: {summary} (details in {where})\n")
        if self._showing or not can_block():
            return  # one dialog at a time; a storm of errors must not stack dialogs
        self._showing = True
        try:
            box = QMessageBox(QMessageBox.Icon.Critical, "Warroom: unexpected error", "")
            box.setObjectName("crash-dialog")
            box.setText(
                "Something went wrong inside Warroom. What was already saved is safe; "
                "you can keep working, or quit and start again."
            )
            box.setInformativeText(f"{summary}\n\nThe details are in the log file:\n{where}")
            box.setDetailedText(details)
            box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            box.setStandardButtons(QMessageBox.StandardButton.Ok | QMessageBox.StandardButton.Close)
            box.button(QMessageBox.StandardButton.Ok).setText("Keep working")
            box.button(QMessageBox.StandardButton.Close).setText("Quit Warroom")
            box.setDefaultButton(QMessageBox.StandardButton.Ok)
            self.last_dialog = box
            if box.exec() == QMessageBox.StandardButton.Close:
                app = QApplication.instance()
                if app is not None:
                    app.quit()
        finally:
            self._showing = False
