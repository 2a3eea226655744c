"""The real thing: the window in an X server, driven by real key presses (xdotool/XTEST).

Offscreen tests never load the xcb plugin or its system libraries, nor see how the
window reacts to a keyboard. This one does: Xvfb, ``warroom`` as a subprocess with
DISPLAY set, Ctrl+2 to close the timeline pane, Ctrl+Q to quit; then the log and the
saved layout must show it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

pytestmark = [
    pytest.mark.xvfb,
    pytest.mark.skipif(
        not sys.platform.startswith("linux")
        or shutil.which("Xvfb") is None
        or shutil.which("xdotool") is None,
        reason="needs Xvfb and xdotool (Debian: apt install xvfb xdotool)",
    ),
    pytest.mark.qt_log_ignore("does not support propagateSizeHints"),
]


@pytest.fixture
def xserver(tmp_path: Path) -> Iterator[str]:
    """A private Xvfb on a display number it picks itself (-displayfd: never clashes)."""
    r, w = os.pipe()
    with open(tmp_path / "xvfb.log", "wb") as errlog:
        proc = subprocess.Popen(
            ["Xvfb", "-displayfd", str(w), "-screen", "0", "1280x1024x24", "-nolisten", "tcp"],
            pass_fds=(w,),
            stdout=subprocess.DEVNULL,
            stderr=errlog,
        )
    os.close(w)
    try:
        buf = b""
        deadline = time.monotonic() + 15
        while not buf.endswith(b"\n"):
            if time.monotonic() > deadline or proc.poll() is not None:
                pytest.fail("Xvfb did not start: " + (tmp_path / "xvfb.log").read_text())
            chunk = os.read(r, 16)
            if not chunk:
                break
            buf += chunk
        yield f":{int(buf.strip())}"
    finally:
        os.close(r)
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


def xdotool(display: str, *args: str, timeout: float = 20) -> str:
    out = subprocess.run(
        ["xdotool", *args],
        env={**os.environ, "DISPLAY": display},
        capture_output=True,
        text=True,
        timeout=timeout,
        check=True,
    )
    return out.stdout


def test_real_keys_under_xvfb(xserver: str, tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    env = {k: v for k, v in os.environ.items() if k not in ("QT_QPA_PLATFORM", "WAYLAND_DISPLAY")}
    env["DISPLAY"] = xserver
    app = subprocess.Popen(
        [sys.executable, "-m", "warroom", "--data-dir", str(ws)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    log_file = ws / "logs" / "warroom.log"
    try:
        wid = xdotool(xserver, "search", "--sync", "--onlyvisible", "--name", "Warroom").split()[-1]
        # Keys only mean something once the panes exist: wait for the window to say so
        # (a busy CI machine can take seconds), not for a fixed time.
        deadline = time.monotonic() + 30
        while "panes ready" not in (log_file.read_text() if log_file.exists() else ""):
            assert app.poll() is None, app.communicate()[1]
            assert time.monotonic() < deadline, "the window never reported its panes ready"
            time.sleep(0.05)
        # No pauses between these: the X server queues the focus change and the keys in
        # this order on the window's one connection, and Qt handles them in that order.
        xdotool(xserver, "windowfocus", "--sync", wid)
        xdotool(xserver, "key", "--clearmodifiers", "ctrl+2")  # toggles the timeline pane
        xdotool(xserver, "key", "--clearmodifiers", "ctrl+q")
        _out, err = app.communicate(timeout=20)
    finally:
        if app.poll() is None:
            app.kill()
            app.communicate(timeout=10)
    assert app.returncode == 0, err
    log = log_file.read_text()
    assert "window closed; panes visible: dashboard, feed" in log, log
    assert "window stopped" in log

    # The layout saved by the real window comes back in a new one.
    from PySide6.QtCore import QSettings

    from warroom.ui import app as appmod
    from warroom.ui.context import UiContext
    from warroom.ui.mainwindow import MainWindow

    appmod.create_app()
    # Where the subprocess wrote it (QSettings in this process cached an older HOME).
    ini = Path(os.environ["XDG_CONFIG_HOME"]) / appmod.ORG_NAME / f"{appmod.APP_NAME}.ini"
    assert ini.exists()
    ctx = UiContext(
        store=None, data_dir=ws, settings=QSettings(str(ini), QSettings.Format.IniFormat)
    )
    w = MainWindow(ctx)
    try:
        assert w.docks["timeline"].isHidden()
        assert not w.docks["dashboard"].isHidden() and not w.docks["feed"].isHidden()
    finally:
        w.deleteLater()
