"""The social-feed pane against the simulated services: posts, chips, stale sources,
offline cache, marks and mutes, the spike banner, safe detail view, links, pinning."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from integration.social_support import sim_fixture  # noqa: F401

from warroom.sim.rss import Item, hostile_items, rss
from warroom.sim.social import SocialSim
from warroom.social.filters import Filters
from warroom.ui.feed import FeedPane
from warroom.ui.feed.browser import SafeBrowser, confirm_open
from warroom.ui.feed.model import (
    NAME,
    STATE,
    PostListModel,
    SourceTableModel,
    SpansRole,
    TextRole,
)

pytestmark = pytest.mark.qt_log_ignore("does not support propagateSizeHints")


def make_ctx(store: Any, tmp_path: Path, workspace: Path | None = None) -> Any:
    from PySide6.QtCore import QSettings

    from warroom.ui.context import UiContext

    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    return UiContext(store=store, data_dir=tmp_path, settings=settings, workspace_file=workspace)


def workspace(sim: SocialSim, tmp_path: Path, extra: str = "") -> Path:
    p = tmp_path / "ws.toml"
    p.write_text(sim.feeds_toml() + extra)
    return p


def texts(pane: FeedPane) -> list[str]:
    m = pane.proxy
    return [m.index(r, 0).data(TextRole) for r in range(m.rowCount())]


@pytest.fixture
def pane_of(qtbot: Any, store: Any, tmp_path: Path) -> Any:
    made: list[FeedPane] = []

    def make(ws: Path | None) -> FeedPane:
        ctx = make_ctx(store, tmp_path, ws)
        pane = FeedPane(ctx)
        qtbot.addWidget(pane)
        made.append(pane)
        return pane

    yield make
    for p in made:
        p.stop()


def test_posts_arrive_with_chips_and_a_stale_source(
    sim: SocialSim, tmp_path: Path, pane_of: Any, qtbot: Any
) -> None:
    sim.mastodon.post("#examplehostdown is it down?", author="anna")
    sim.bluesky.add_post("example host offline here")
    sim.feeds.set("/news.xml", rss([Item("Maintenance tonight", "https://p.example/m", "m1")]))
    sim.statuspage.set_component("Backbone", "major_outage")
    ws = workspace(sim, tmp_path, '\n[[feed]]\nname = "broken"\nrss = "http://127.0.0.1:9/x.xml"\n')
    pane = pane_of(ws)
    pane.show()
    qtbot.waitUntil(lambda: len(texts(pane)) == 4, timeout=15000)
    assert "#examplehostdown is it down?" in texts(pane)
    qtbot.waitUntil(lambda: pane.stale_label.isVisible(), timeout=15000)
    assert "broken: STALE since" in pane.stale_label.text()
    chips = {b.property("source"): b.text() for b in pane.chip_group.buttons()}
    assert chips[""] == "All 4"
    assert chips["mentions"] == "mentions 1"
    assert chips["broken"].endswith("STALE")
    # A chip narrows the stream to one source.
    next(b for b in pane.chip_group.buttons() if b.property("source") == "bsky").click()
    assert texts(pane) == ["example host offline here"]
    pane.mark_read()
    chips = {b.property("source"): b.text() for b in pane.chip_group.buttons()}
    assert chips["bsky"] == "bsky" and chips[""] == "All 3"


def test_offline_the_cache_and_last_update_show(
    sim: SocialSim, tmp_path: Path, pane_of: Any, qtbot: Any, store: Any
) -> None:
    sim.mastodon.post("#examplehostdown cached post")
    ws = workspace(sim, tmp_path)
    first = pane_of(ws)
    qtbot.waitUntil(lambda: "#examplehostdown cached post" in texts(first), timeout=15000)
    first.stop()
    second = pane_of(ws)  # the window opened again, before any source answered
    second.stop()  # no network at all from here
    assert texts(second) == ["#examplehostdown cached post"]
    states = {
        second.sources.index(r, NAME).data(): second.sources.index(r, STATE).data()
        for r in range(second.sources.rowCount())
    }
    assert states["mentions"].startswith("updated ")


def test_marks_mutes_and_the_spike_banner(
    sim: SocialSim, tmp_path: Path, pane_of: Any, qtbot: Any
) -> None:
    for i in range(12):
        sim.mastodon.post(
            f"#examplehostdown totale Störung {i}", author="spammer" if i == 0 else "anna"
        )
    pane = pane_of(workspace(sim, tmp_path))
    with qtbot.waitSignal(pane.spiked, timeout=15000) as sig:
        pass
    assert "Volume spike: 12 posts/min" in sig.args[0]
    assert not pane.banner.isHidden()
    qtbot.waitUntil(lambda: len(texts(pane)) == 12, timeout=5000)
    idx = pane.proxy.index(0, 0)
    spans = idx.data(SpansRole)
    text = idx.data(TextRole)
    assert [text[a:b] for a, b in spans] == ["#examplehostdown", "Störung"]
    sim.mastodon.post("#examplehostdown all good again", author="ben")
    pane.poll_now()
    qtbot.waitUntil(lambda: len(texts(pane)) == 13, timeout=10000)
    with qtbot.waitSignal(pane.searched, timeout=10000) as found:
        pane.search.setText("STORUNG")  # FTS folds case and diacritics
    assert found.args == [12] and "all good again" not in " ".join(texts(pane))
    with qtbot.waitSignal(pane.search.textChanged):
        pane.search.clear()
    qtbot.waitUntil(lambda: len(texts(pane)) == 13, timeout=5000)
    pane.set_filters(Filters(muted_authors=("@spammer",), brand=pane.filters.brand))
    assert len(texts(pane)) == 12
    pane.set_filters(Filters(muted_words=("störung",)))
    assert texts(pane) == ["#examplehostdown all good again"]


def test_detail_view_loads_nothing_and_links_need_a_look(
    sim: SocialSim, tmp_path: Path, pane_of: Any, qtbot: Any
) -> None:
    from PySide6.QtCore import QObject, QUrl, Slot
    from PySide6.QtGui import QDesktopServices

    sim.feeds.set("/news.xml", rss(hostile_items()))
    pane = pane_of(workspace(sim, tmp_path))
    qtbot.waitUntil(lambda: len(texts(pane)) == 2, timeout=15000)
    pane.view.setCurrentIndex(pane.proxy.index(1, 0))
    shown = pane.browser.toHtml()
    assert "tracker.example" not in shown and "javascript" not in shown and "<script" not in shown
    assert pane.browser.refused == []  # nothing was even asked for

    opened: list[str] = []

    class Handler(QObject):
        @Slot(QUrl)
        def open(self, url: QUrl) -> None:
            opened.append(url.toString())

    h = Handler()
    QDesktopServices.setUrlHandler("https", h, "open")
    try:
        asked: list[str] = []
        warned: list[str] = []
        assert not confirm_open(None, "javascript:alert(1)", ask=asked.append, warn=warned.append)
        assert warned and not asked and opened == []
        assert not confirm_open(
            None, "https://provider.example/status", ask=lambda t: asked.append(t) or False
        )
        assert "Host: provider.example" in asked[-1] and opened == []
        assert confirm_open(None, "https://provider.example/status", ask=lambda t: True)
        assert opened == ["https://provider.example/status"]
    finally:
        QDesktopServices.unsetUrlHandler("https")


def test_safe_browser_refuses_remote_resources(qtbot: Any, tmp_path: Path) -> None:
    from PySide6.QtCore import QUrl
    from PySide6.QtGui import QImage, QTextDocument

    png = tmp_path / "local.png"
    QImage(4, 4, QImage.Format.Format_RGB32).save(str(png))
    b = SafeBrowser()
    qtbot.addWidget(b)
    b.setHtml('<p>x<img src="https://tracker.example/pixel.gif"></p>')
    b.resize(300, 200)
    b.show()
    qtbot.waitUntil(lambda: "https://tracker.example/pixel.gif" in b.refused, timeout=3000)
    assert b.loadResource(2, "https://tracker.example/font.woff") is None
    # Not even a file on this machine (a post naming file:///… must learn nothing).
    kind = int(QTextDocument.ResourceType.ImageResource.value)
    assert b.loadResource(kind, QUrl.fromLocalFile(str(png))) is None


def test_pin_needs_an_incident_and_keeps_the_posts_time(
    sim: SocialSim, tmp_path: Path, pane_of: Any, qtbot: Any, store: Any
) -> None:
    from warroom.services.timeline import Timeline

    sim.mastodon.post("#examplehostdown pin me", author="anna")
    pane = pane_of(workspace(sim, tmp_path))
    qtbot.waitUntil(lambda: len(texts(pane)) == 1, timeout=15000)
    pane.view.setCurrentIndex(pane.proxy.index(0, 0))
    assert pane.pin_selected() is None
    assert "needs an incident" in pane.info.text()
    tl = Timeline(store, author="nina")
    inc = tl.new_incident("www down")
    pane.ctx.set_active_incident(inc.id, "www down")
    with qtbot.waitSignal(pane.pinned, timeout=10000) as sig:
        pane.pin_selected()
    e = tl.entry(sig.args[0])
    post = pane.selected_post()
    assert e.kind == "social" and e.occurred_at == post.time and "@anna" in e.text


def test_models_pass_the_model_tester(qtmodeltester: Any) -> None:
    from warroom.domain.social import Post, SourceStatus

    m = PostListModel()
    m.set_posts(
        [
            Post(
                "m",
                str(i),
                "mastodon",
                "a",
                f"t{i}",
                None,
                f"2026-11-24T09:4{i}:00.000Z",
                seq=i + 1,
            )
            for i in range(5)
        ]
    )
    m.add([Post("m", "9", "mastodon", "a", "late", None, "2026-11-24T09:41:30.000Z", seq=9)])
    assert [m.post(r).id for r in range(m.rowCount())] == ["4", "3", "2", "9", "1", "0"]
    qtmodeltester.check(m)
    s = SourceTableModel()
    s.set_sources(
        [
            SourceStatus(
                "m",
                "mastodon",
                "https://m.example",
                error="HTTP 503",
                stale_since="2026-11-24T09:40:00.000Z",
            )
        ]
    )
    qtmodeltester.check(s)
    assert s.index(0, STATE).data().startswith("STALE since ")


def test_a_changed_workspace_file_changes_the_sources(
    sim: SocialSim, tmp_path: Path, pane_of: Any, qtbot: Any
) -> None:
    sim.mastodon.post("#examplehostdown from mastodon")
    sim.feeds.set("/news.xml", rss([Item("from the provider", "https://p.example/1", "p1")]))
    first = tmp_path / "one.toml"
    first.write_text(
        f'[[feed]]\nname = "mentions"\nmastodon = "{sim.mastodon.url}"\n'
        'hashtag = "examplehostdown"\n'
    )
    pane = pane_of(first)
    qtbot.waitUntil(lambda: texts(pane) == ["#examplehostdown from mastodon"], timeout=15000)
    second = tmp_path / "two.toml"
    second.write_text(f'[[feed]]\nname = "news"\nrss = "{sim.feeds.url}/news.xml"\n')
    pane.ctx.set_workspace_file(second)
    qtbot.waitUntil(lambda: texts(pane) == ["from the provider"], timeout=15000)
    assert [b.property("source") for b in pane.chip_group.buttons()] == ["", "news"]


def test_posts_in_any_order_end_up_newest_first(qtmodeltester: Any) -> None:
    import random

    from warroom.domain.social import Post

    def post(i: int) -> Post:
        return Post(
            "m",
            str(i),
            "mastodon",
            "a",
            f"t{i}",
            None,
            f"2026-11-24T09:{i % 60:02d}:{i % 7:02d}.000Z",
            seq=i + 1,
        )

    rng = random.Random(3)
    everything = [post(i) for i in range(300)]
    m = PostListModel()
    m.set_posts(everything[:50])
    rest = everything[50:]
    rng.shuffle(rest)
    for k in range(0, len(rest), 37):
        m.add(rest[k : k + 37] + everything[:3])  # with repeats
    qtmodeltester.check(m)
    want = sorted(everything, key=lambda p: (p.time, p.seq), reverse=True)
    assert [m.post(r).id for r in range(m.rowCount())] == [p.id for p in want]


def test_item_bridge_batches_a_burst_from_another_thread(qtbot: Any) -> None:
    import threading

    from warroom.ui.bridge import ItemBridge

    bridge = ItemBridge(min_interval=0.2)
    got: list[dict[str, list[Any]]] = []
    bridge.batch.connect(got.append)

    def burst() -> None:
        for i in range(500):
            bridge.put("posts", [i])
            bridge.replace("status", "m", f"state {i}")

    t = threading.Thread(target=burst)
    t.start()
    t.join()
    qtbot.waitUntil(lambda: sum(len(b.get("posts", [])) for b in got) == 500, timeout=5000)
    assert len(got) <= 3  # one wake, not 500
    assert [i for b in got for i in b.get("posts", [])] == list(range(500))
    assert got[-1]["status"] == ["state 499"]  # only the newest state per name
