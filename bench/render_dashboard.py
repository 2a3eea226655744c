"""Render the probe dashboard on a realistic outage, with the real engine and the loopback
test servers of tests/helpers, to a PNG (for docs/dashboard.md and for looking at it).

    QT_QPA_PLATFORM=offscreen python bench/render_dashboard.py [OUT.png] [--window]

The board: ``www`` is the seed outage (up via isp-a only: SERVFAIL via isp-b, a lying
resolver via isp-lie); ``shop`` answers slowly (degraded); ``status`` answers 503
everywhere; ``blog`` has an expired certificate; ``mail`` and ``api`` are fine.
``--window`` also renders the whole main window on it, started again on the same
workspace, at 1280x800 and 1600x1000 (``OUT-window-WxH.png``).
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from warroom.probes import ProbeEngine
from dataclasses import replace
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from helpers.servers import TestNet, seed_scenario_text  # noqa: E402


def board(net: TestNet, slow_port: int) -> str:
    """The seed outage (www, three access networks) plus five more public services."""
    return str(
        seed_scenario_text(net, timeout="3s", interval="5s")
        + f"""
[[target]]
name = "shop"
url = "http://127.0.0.1:{slow_port}/slow"
vantages = ["system", "isp-a"]

[[target]]
name = "status"
url = "http://127.0.0.1:{net.http.port}/5xx"
vantages = ["system", "isp-a"]

[[target]]
name = "blog"
url = "https://127.0.0.1:{net.https["expired"].port}/ok"
ca_file = "{net.certs.ca_file}"
vantages = ["system", "isp-a"]

[[target]]
name = "mail"
url = "tcp://127.0.0.1:{net.banner.port}"
expect_banner = "220"
vantages = ["system", "isp-a"]

[[target]]
name = "api"
url = "http://127.0.0.1:{net.http.port}/ok"
"""
    )


def main() -> None:
    out = Path(next((a for a in sys.argv[1:] if not a.startswith("--")), "dashboard.png"))
    tmp = Path(tempfile.mkdtemp(prefix="render-dashboard-"))
    net = TestNet.start(tmp)
    slow = net.http_server(slow_s=1.2)
    ws = tmp / "workspace.toml"
    ws.write_text(board(net, slow.port), encoding="utf-8")
    try:
        from PySide6.QtCore import QSettings
        from PySide6.QtWidgets import QApplication

        app = QApplication.instance() or QApplication(sys.argv[:1])
        from warroom.probes import ProbeEngine
        from warroom.services.timeline import Timeline
        from warroom.store import Store
        from warroom.ui.context import UiContext
        from warroom.ui.dashboard import DashboardPane

        store = Store.open(tmp / "data")
        inc = Timeline(store).new_incident("Hosting network outage", severity="SEV1").id
        ctx = UiContext(
            store=store,
            data_dir=tmp / "data",
            settings=QSettings(str(tmp / "s.ini"), QSettings.Format.IniFormat),
            workspace_file=ws,
        )
        ctx.set_active_incident(inc, "Hosting network outage")

        def engine(cfg: object, **kw: object) -> ProbeEngine:
            return ProbeEngine(cfg, route_check=lambda: (True, "loopback"), **kw)  # type: ignore[arg-type]

        pane = DashboardPane(ctx, engine_factory=engine)
        pane.resize(1400, 860)
        pane.show()
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            app.processEvents()
            time.sleep(0.02)
            settled = all("pending" not in v for v in pane.model.summaries().values())
            if settled and time.monotonic() > deadline - 8:  # a few rounds for the trends
                break
        pane.select_cell("www", "isp-b")
        app.processEvents()
        pane.grab().save(str(out))
        print(f"wrote {out}")
        for t, line in pane.model.summaries().items():
            print(f"  {t:8s} {line}")
        pane.stop()
        store.close()
        if "--window" in sys.argv:
            # The whole window, as started again on the same workspace (a restart:
            # states come back from the store, nothing is logged twice), at both sizes.
            for w, h in ((1280, 800), (1600, 1000)):
                win = out.with_name(f"{out.stem}-window-{w}x{h}.png")
                window(tmp / "data", ws, inc, (w, h), win, engine)
                print(f"wrote {win}")
    finally:
        net.stop()


def window(
    data: Path,
    ws: Path,
    inc: str,
    size: tuple[int, int],
    out: Path,
    engine: Callable[..., ProbeEngine],
) -> None:
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    from warroom.store import Store
    from warroom.ui.context import UiContext
    from warroom.ui.dashboard import DashboardPane
    from warroom.ui.mainwindow import MainWindow
    from warroom.ui.panes import PANES

    app = QApplication.instance()
    assert isinstance(app, QApplication)
    store = Store.open(data)
    ctx = UiContext(
        store=store,
        data_dir=data,
        settings=QSettings(str(data.parent / f"w{size[0]}.ini"), QSettings.Format.IniFormat),
        workspace_file=ws,
    )
    panes = dict(PANES)
    panes["dashboard"] = replace(
        PANES["dashboard"], factory=lambda c: DashboardPane(c, engine_factory=engine)
    )
    win = MainWindow(ctx, panes=panes, restore=False)
    ctx.set_active_incident(inc, "Hosting network outage")
    win.resize(*size)
    win.show()
    end = time.monotonic() + 6
    while time.monotonic() < end:
        app.processEvents()
        time.sleep(0.02)
    win.grab().save(str(out))
    win.close()
    store.close()


if __name__ == "__main__":
    main()
