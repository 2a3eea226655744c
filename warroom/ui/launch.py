"""``warroom`` without a command: check the platform, lock the workspace, open the window.

The order matters. The platform check runs before Qt is imported (a missing xcb library
would abort the process). The lock is taken before the store is opened, so a second
window never migrates or touches a workspace that is in use. Known failures become one
``error:`` line, plus a dialog when someone can see it.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import time
from pathlib import Path

from warroom.base.errors import UsageError
from warroom.system.platform_check import check_qt_platform, known_qt_bug

log = logging.getLogger(__name__)

# Bench hook: print "first-paint <time.monotonic()> <time.process_time()>" after the
# first frame, "panes-ready ..." once the panes are built and painted, then quit.
FIRST_PAINT_ENV = "WARROOM_EXIT_AFTER_FIRST_PAINT"


def launch_gui(args: argparse.Namespace) -> int:
    screenshot = (
        Path(args.screenshot).expanduser().absolute() if getattr(args, "screenshot", None) else None
    )
    after = float(getattr(args, "after", 1.0) or 0.0)
    if screenshot is not None:
        if after < 0:
            raise UsageError(f"--after must be 0 or more seconds, not {after}")
        if not screenshot.parent.is_dir():
            raise UsageError(f"--screenshot: directory {screenshot.parent} does not exist")
    _parse_size(getattr(args, "size", None))  # a bad --size fails before any window
    speed = getattr(args, "demo_speed", 1.0)
    if speed is not None and not speed > 0:
        raise UsageError(f"--demo-speed must be more than 0, not {speed}")
    workspace_file = getattr(args, "workspace_file", None)
    if workspace_file:
        workspace_file = Path(workspace_file).expanduser().absolute()
        if not workspace_file.is_file():
            raise UsageError(f"--workspace-file: {workspace_file} does not exist")

    report = check_qt_platform()
    if not report.ok:
        sys.stderr.write(f"error: cannot open the window: {report.error_line()}\n")
        return 1
    bug = known_qt_bug()
    if bug is not None:
        sys.stderr.write(f"error: cannot open the window: {bug}\n")
        return 1

    demo_ws = None
    if getattr(args, "demo", False):
        from warroom.demo import workspace as demo

        demo_ws = demo.prepare(args.data_dir)
        data_dir = demo_ws.data_dir
    else:
        from warroom.base.paths import resolve_data_dir

        data_dir = resolve_data_dir(getattr(args, "data_dir", None))
    try:
        return _run(args, data_dir, screenshot, after, workspace_file, demo_ws is not None)
    finally:
        if demo_ws is not None:
            logging.shutdown()
            demo_ws.cleanup()


def _run(
    args: argparse.Namespace,
    data_dir: Path,
    screenshot: Path | None,
    after: float,
    workspace_file: Path | None,
    demo: bool,
) -> int:
    from warroom.base.logsetup import setup_logging

    log_path = setup_logging(data_dir, verbose=bool(getattr(args, "verbose", False)))
    log.info("starting the window on %s (pid %d)", data_dir, os.getpid())

    from warroom.ui.app import create_app
    from warroom.ui.errors import CrashReporter, show_error

    app = create_app([sys.argv[0]])
    reporter = CrashReporter(log_path)
    reporter.install()
    try:
        from warroom.base.errors import StoreError
        from warroom.store.db import check_data_dir
        from warroom.system.lockfile import LockHeld, WorkspaceLock

        try:
            check_data_dir(data_dir)
        except StoreError as exc:
            log.error("%s", exc)
            show_error("cannot open the workspace", str(exc))
            return 1
        lock = WorkspaceLock(data_dir)
        try:
            lock.acquire()
        except LockHeld as exc:
            log.warning("%s", exc)
            show_error("workspace already open", str(exc))
            return 1
        except OSError as exc:
            msg = f"cannot create the lock file {lock.path}: {exc.strerror}"
            log.error("%s", msg)
            show_error("cannot open the workspace", msg)
            return 1
        try:
            speed = float(getattr(args, "demo_speed", 1.0) or 1.0)
            return _run_locked(
                app,
                data_dir,
                log_path,
                screenshot,
                after,
                workspace_file,
                demo,
                speed,
                size=_parse_size(getattr(args, "size", None)),
            )
        finally:
            lock.release()
    finally:
        reporter.uninstall()


def _run_locked(
    app: object,
    data_dir: Path,
    log_path: Path | None,
    screenshot: Path | None,
    after: float,
    workspace_file: Path | None,
    demo: bool,
    demo_speed: float = 1.0,
    *,
    size: tuple[int, int] | None = None,
) -> int:
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from warroom.base.errors import StoreError
    from warroom.store import Store
    from warroom.ui.app import user_settings
    from warroom.ui.context import UiContext
    from warroom.ui.errors import show_error
    from warroom.ui.mainwindow import MainWindow

    assert isinstance(app, QApplication)
    try:
        store = Store.open(data_dir)
    except StoreError as exc:
        log.error("%s", exc)
        show_error("cannot open the workspace", str(exc))
        return 1
    session = None
    try:
        if demo:
            from warroom.demo.session import DemoSession

            session = DemoSession.start(store, data_dir, speed=demo_speed)
            workspace_file = session.workspace_path
        ctx = UiContext(
            store=store,
            data_dir=data_dir,
            settings=user_settings(),
            workspace_file=workspace_file,
            log_path=log_path,
            demo=demo,
        )
        # The panes are built right after the first frame: the window shows at once,
        # and heavy pane imports (network stacks, charts) run while it is visible.
        window = MainWindow(ctx, defer_panes=True)
        window.first_painted.connect(lambda: QTimer.singleShot(0, window.build_panes))
        QTimer.singleShot(1000, window.build_panes)  # should no frame ever be painted

        def after_panes() -> None:
            from warroom.ui.panes import run_hooks

            failed = run_hooks(ctx)
            if failed:
                ctx.show_message(
                    f"Some background work did not start ({', '.join(failed)}); see the log: "
                    f"{log_path}",
                    0,
                )

        window.panes_ready.connect(after_panes)
        if session is not None:
            from warroom.ui import demo_banner

            ctx.set_active_incident(session.incident_id, session.title)
            demo_banner.install(window, session, demo_banner.tries(ctx, window))
            # The story starts when the window is there to show it.
            window.panes_ready.connect(session.world.begin)

        status = {"rc": 0}
        if os.environ.get(FIRST_PAINT_ENV) == "1":

            def painted() -> None:
                # Wall clock (monotonic, system-wide) and this process's CPU seconds.
                sys.stdout.write(f"first-paint {time.monotonic():.6f} {time.process_time():.6f}\n")
                sys.stdout.flush()

            def ready() -> None:
                # After the panes' own first frame too.
                QTimer.singleShot(0, lambda: _report_ready(window))

            window.first_painted.connect(painted)
            window.panes_ready.connect(ready)

        if screenshot is not None:

            def shoot() -> None:
                if window.grab().save(str(screenshot), "PNG"):
                    log.info("screenshot saved to %s", screenshot)
                else:
                    status["rc"] = 1
                    sys.stderr.write(f"error: cannot write the screenshot {screenshot}\n")
                window.close()

            # --after counts from when the panes are there, not from the bare frame.
            window.panes_ready.connect(lambda: QTimer.singleShot(int(after * 1000), shoot))

        _quit_on_signals(window)
        if size is not None:
            window.resize(*size)
        window.show()
        app.exec()
        # A window closed by other means than closeEvent (app.quit) still saves.
        window.close()
        return status["rc"]
    finally:
        if session is not None:
            session.stop()
        store.close()
        log.info("window stopped")


def _parse_size(text: str | None) -> tuple[int, int] | None:
    """``--size 1280x800``: (width, height), or a usage error that says what is wrong."""
    if not text:
        return None
    w, sep, h = text.lower().partition("x")
    if not sep or not w.strip().isdigit() or not h.strip().isdigit():
        raise UsageError(f"--size: expected WIDTHxHEIGHT in pixels, like 1280x800, not {text!r}")
    width, height = int(w), int(h)
    if not (320 <= width <= 10000 and 240 <= height <= 10000):
        raise UsageError(f"--size: {width}x{height} is outside 320x240 .. 10000x10000")
    return width, height


def _report_ready(window: object) -> None:
    sys.stdout.write(f"panes-ready {time.monotonic():.6f} {time.process_time():.6f}\n")
    sys.stdout.flush()
    window.close()  # type: ignore[attr-defined]


def _quit_on_signals(window: object) -> None:
    """Ctrl+C / SIGTERM close the window properly (layout saved, store closed)."""
    from PySide6.QtCore import QTimer

    close = window.close  # type: ignore[attr-defined]
    for sig in (signal.SIGINT, signal.SIGTERM):
        try:
            signal.signal(sig, lambda *_: close())
        except (ValueError, OSError):  # not the main thread, or not supported here
            return
    # Python runs signal handlers only between bytecodes: wake it up now and then.
    timer = QTimer(window)  # type: ignore[arg-type]
    timer.timeout.connect(lambda: None)
    timer.start(250)
