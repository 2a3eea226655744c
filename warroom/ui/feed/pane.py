"""The social-feed pane: one stream of posts with source chips, thin over warroom.social.

It owns the window's feed poller (started from the workspace file's [[feed]] tables,
run in its own thread; posts and source states arrive batched through
``ui/bridge.ItemBridge``), shows the cache at once (offline too, with when each source
was last read), marks watched words, hides muted ones, counts unread posts per source,
draws posts per minute and raises a banner when the volume spikes. A post can be pinned
to the active incident's timeline; its link opens only after its target was shown.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from PySide6.QtCore import QItemSelection, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListView,
    QPlainTextEdit,
    QSizePolicy,
    QSplitter,
    QTableView,
    QTabWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from warroom.base import timeutil
from warroom.domain.social import Post, SourceStatus
from warroom.social import filters as flt
from warroom.social.rates import Rates
from warroom.ui import icons
from warroom.ui.bridge import ItemBridge
from warroom.ui.feed.browser import SafeBrowser, confirm_open
from warroom.ui.feed.delegate import PostDelegate
from warroom.ui.feed.flow import FlowLayout
from warroom.ui.feed.model import (
    MAX_ROWS,
    PostFilter,
    PostListModel,
    SourceTableModel,
    describe,
)
from warroom.ui.feed.sparkline import Sparkline

if TYPE_CHECKING:
    from warroom.domain.workspace import Feed
    from warroom.services.timeline import Timeline
    from warroom.ui.context import UiContext
    from warroom.ui.tasks import Task


class Poller(Protocol):
    """What the pane asks of its poller (``FeedPoller``, or a test's stand-in)."""

    def start(self) -> None: ...
    def stop(self, timeout: float = ...) -> None: ...
    def poll_now(self, name: str | None = None) -> None: ...
    def update_feeds(self, feeds: Sequence[Feed]) -> None: ...


PollerFactory = Callable[..., Poller]

log = logging.getLogger(__name__)
READER = "pane"
EXAMPLE = '[[feed]]\nname = "mentions"\nmastodon = "https://mastodon.social"\nhashtag = "yourbrand"'


def default_poller(feeds: Sequence[Feed], **kw: Any) -> Poller:  # kw: FeedPoller's own
    from warroom.social.poller import FeedPoller

    return FeedPoller(feeds, **kw)


class FiltersDialog(QDialog):
    """Watched words, muted words, muted authors: one per line."""

    def __init__(self, f: flt.Filters, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Feed filters")
        form = QFormLayout(self)
        self.keywords = QPlainTextEdit("\n".join(f.keywords))
        self.muted_words = QPlainTextEdit("\n".join(f.muted_words))
        self.muted_authors = QPlainTextEdit("\n".join(f.muted_authors))
        brand = ", ".join(f.brand) or "none (add search = … or hashtag = … to a [[feed]])"
        form.addRow(QLabel(f"Always marked (the workspace's searches): {brand}"))
        form.addRow("Marked words (one per line):", self.keywords)
        form.addRow("Muted words:", self.muted_words)
        form.addRow("Muted authors (@handle):", self.muted_authors)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def filters(self, brand: tuple[str, ...]) -> flt.Filters:
        def lines(w: QPlainTextEdit) -> tuple[str, ...]:
            return tuple(x.strip() for x in w.toPlainText().splitlines() if x.strip())

        return flt.Filters(
            keywords=lines(self.keywords),
            brand=brand,
            muted_words=lines(self.muted_words),
            muted_authors=lines(self.muted_authors),
        )


class FeedPane(QWidget):
    """Signals:
    spiked(str): the volume spiked (the banner's text).
    pinned(str): a post became a timeline entry (its id).
    searched(int): search results are shown (how many).
    """

    spiked = Signal(str)
    pinned = Signal(str)
    searched = Signal(int)

    # In a default layout narrower than this the window makes the feed a tab behind the
    # timeline: at 1280 px the dashboard's vantage columns and the timeline's one-line
    # rows need the width. The spike banner also reaches the status bar.
    tab_below_width = 1440

    def __init__(
        self,
        ctx: UiContext,
        *,
        poller_factory: PollerFactory | None = default_poller,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("feed-pane")
        self.ctx = ctx
        self.store = getattr(ctx, "store", None)
        self.poller_factory = poller_factory
        self.poller: Poller | None = None
        self.feeds: list[Feed] = []
        self.names: list[str] | None = None  # None: no workspace file, show every source
        self.filters = flt.Filters()
        self.rates = Rates()
        self.unread: dict[str, int] = {}
        self.waiting = 0  # posts that arrived during a search
        self.last_spike: str | None = None
        self.bridge = ItemBridge(self)
        self.bridge.batch.connect(self.on_batch)
        self.model = PostListModel(self)
        self.proxy = PostFilter(self)
        self.proxy.setSourceModel(self.model)
        self.sources = SourceTableModel(self)
        self._tl: Timeline | None = None
        self._build()
        self._tick = QTimer(self)
        self._tick.setInterval(30_000)
        self._tick.timeout.connect(self._refresh_rates)
        self._tick.start()
        if hasattr(ctx, "workspace_file_changed"):
            ctx.workspace_file_changed.connect(self._workspace_file_changed)
        if hasattr(ctx, "on_close"):
            ctx.on_close(self.stop)
        self.reload()
        if ctx.workspace_file is not None:
            self.load_file(ctx.workspace_file)
        self._update_empty()

    # -- building ----------------------------------------------------------------------

    def _build(self) -> None:
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.setSpacing(4)
        top = QHBoxLayout()
        self.search = QLineEdit()
        self.search.setPlaceholderText("Search cached posts…")
        self.search.setClearButtonEnabled(True)
        self.search.setObjectName("feed-search")
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(250)
        self._search_timer.timeout.connect(self._run_search)
        self.search.textChanged.connect(lambda _t: self._search_timer.start())
        self.search.setMinimumWidth(60)
        top.addWidget(self.search, 1)
        self.filters_btn = QToolButton()
        self.filters_btn.setText("Filters…")
        self.filters_btn.setToolTip("Marked words, muted words and authors")
        self.filters_btn.clicked.connect(self.edit_filters)
        top.addWidget(self.filters_btn)
        lay.addLayout(top)
        # Two short rows, not one long one: the dock may be under 200 px wide when the
        # dashboard takes the width its vantage columns need.
        rate = QHBoxLayout()
        self.spark = Sparkline()
        rate.addWidget(self.spark, 1)
        self.rate_label = QLabel("0/min")
        self.rate_label.setObjectName("feed-rate")
        self.rate_label.setToolTip("Posts per minute now (by the posts' own time)")
        rate.addWidget(self.rate_label)
        self.read_btn = QToolButton()
        self.read_btn.setText("Mark read")
        self.read_btn.setToolTip("Mark every post of the chosen source(s) as read")
        self.read_btn.clicked.connect(self.mark_read)
        rate.addWidget(self.read_btn)
        lay.addLayout(rate)

        self.banner = QLabel("")
        self.banner.setObjectName("feed-spike")
        self.banner.setWordWrap(True)
        self.banner.setStyleSheet(
            "QLabel#feed-spike { background: #ffe0b2; color: #000; padding: 4px; "
            "border: 1px solid #e65100; font-weight: bold; }"
        )
        self.banner.hide()
        lay.addWidget(self.banner)

        self.chips_box = QWidget()
        self.chips = FlowLayout(self.chips_box)
        self.chip_group = QButtonGroup(self)
        self.chip_group.setExclusive(True)
        lay.addWidget(self.chips_box)
        self.stale_label = QLabel("")
        self.stale_label.setObjectName("feed-stale")
        self.stale_label.setWordWrap(True)
        self.stale_label.hide()
        lay.addWidget(self.stale_label)
        self.info = QLabel("")
        self.info.setObjectName("feed-info")
        self.info.setWordWrap(True)
        self.info.hide()
        lay.addWidget(self.info)

        self.tabs = QTabWidget()
        posts = QWidget()
        pl = QVBoxLayout(posts)
        pl.setContentsMargins(0, 0, 0, 0)
        split = QSplitter(Qt.Orientation.Vertical)
        self.view = QListView()
        self.view.setObjectName("feed-posts")
        self.view.setModel(self.proxy)
        self.delegate = PostDelegate(self.view)
        self.view.setItemDelegate(self.delegate)
        self.view.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.view.setResizeMode(QListView.ResizeMode.Adjust)
        self.view.setLayoutMode(QListView.LayoutMode.Batched)
        self.view.setBatchSize(200)
        self.view.setWordWrap(True)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.selectionModel().selectionChanged.connect(self._selected)
        self.view.doubleClicked.connect(lambda _i: self.open_link())
        split.addWidget(self.view)
        detail = QWidget()
        dl = QVBoxLayout(detail)
        dl.setContentsMargins(0, 0, 0, 0)
        self.browser = SafeBrowser()
        self.browser.setObjectName("feed-detail")
        self.browser.link_requested.connect(lambda url: confirm_open(self, url))
        dl.addWidget(self.browser)
        actions = QWidget()
        row = FlowLayout(actions)  # wraps in a narrow dock instead of widening it
        self.pin_btn = QToolButton()
        self.pin_btn.setIcon(icons.icon("pin"))
        self.pin_btn.setText("Pin to timeline")
        self.pin_btn.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.pin_btn.setObjectName("feed-pin")
        self.pin_btn.setToolTip(
            "Add this post to the active incident's timeline, with the original as evidence"
        )
        self.pin_btn.clicked.connect(self.pin_selected)
        self.open_btn = QToolButton()
        self.open_btn.setText("Open…")
        self.open_btn.setToolTip("Open the post's link in the browser (its target is shown first)")
        self.open_btn.clicked.connect(self.open_link)
        self.copy_btn = QToolButton()
        self.copy_btn.setText("Copy")
        self.copy_btn.setToolTip("Copy author, time, text and link")
        self.copy_btn.clicked.connect(self._copy)
        for b in (self.pin_btn, self.open_btn, self.copy_btn):
            b.setEnabled(False)
            row.addWidget(b)
        dl.addWidget(actions)
        split.addWidget(detail)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 1)
        pl.addWidget(split)
        self.empty = QLabel("")
        self.empty.setObjectName("feed-empty")
        self.empty.setWordWrap(True)
        self.empty.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        pl.addWidget(self.empty)
        self.tabs.addTab(posts, icons.icon("feed"), "Posts")
        self.table = QTableView()
        self.table.setObjectName("feed-sources")
        self.table.setModel(self.sources)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.verticalHeader().hide()
        self.tabs.addTab(self.table, "Sources")
        lay.addWidget(self.tabs, 1)
        for w in (self.banner, self.stale_label, self.info, self.empty):
            w.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
            w.setMinimumWidth(40)

    # -- the workspace file and the poller ---------------------------------------------

    def _workspace_file_changed(self, path: Path | None) -> None:
        if path is not None:
            self.load_file(Path(path))

    def load_file(self, path: Path) -> bool:
        from warroom.base.errors import WarroomError
        from warroom.config import workspace_file

        try:
            cfg = workspace_file.load(path)
        except WarroomError as exc:
            self._say(f"Feeds not read from the workspace file: {exc}")
            return False
        self.apply_feeds(list(cfg.feeds))
        return True

    def apply_feeds(self, feeds: list[Feed]) -> None:
        """Read these feeds from now on; the cache of each is shown at once."""
        self.feeds = feeds
        self.names = [f.name for f in feeds]
        if self.store is not None:
            self.filters = flt.load(self.store, feeds)
        self.model.set_filters(self.filters)
        self.proxy.refilter()
        stored = {}
        if self.store is not None:
            from warroom.store import social as q

            stored = q.statuses(self.store)
        statuses = []
        for f in feeds:
            s = stored.get(f.name)
            statuses.append(
                s
                if s is not None and (s.kind, s.url) == (f.kind, f.url)
                else SourceStatus(f.name, f.kind, f.url)
            )
        self.sources.set_sources(statuses)
        self.reload()
        if self.poller is None and feeds and self.poller_factory is not None:
            self.poller = self.poller_factory(
                feeds,
                store=self.store,
                on_posts=lambda ps: self.bridge.put("posts", ps),
                on_status=lambda s: self.bridge.replace("status", s.name, s),
            )
            self.poller.start()
        elif self.poller is not None:
            self.poller.update_feeds(feeds)
        self._update_empty()

    def stop(self) -> None:
        poller, self.poller = self.poller, None
        if poller is not None:
            poller.stop()
            self.bridge.flush()
        self._tick.stop()

    def poll_now(self) -> None:
        if self.poller is not None:
            self.poller.poll_now()

    # -- the cache -------------------------------------------------------------------------

    def reload(self) -> None:
        """The newest cached posts, unread counts and per-minute rates, from the store."""
        if self.store is None:
            return
        from warroom.store import social as q

        names = self.names
        if names is not None and not names:
            self.model.set_posts([])
        else:
            self.model.set_posts(q.recent(self.store, sources=names, limit=MAX_ROWS))
        read = q.cursors(self.store, READER)
        self.model.set_read(read)
        self.unread = {
            k: v for k, v in q.unread(self.store, READER).items() if names is None or k in names
        }
        since = timeutil.fmt(timeutil.now() - timedelta(minutes=120))
        self.rates = Rates(q.per_minute(self.store, since, names))
        if names is None:
            stored = list(q.statuses(self.store).values())
            if stored:
                self.sources.set_sources(stored)
        self.sources.set_counts(self.unread, q.counts(self.store))
        self._refresh_chips()
        self._refresh_rates()

    # -- batches from the poller (UI thread) -------------------------------------------------

    def on_batch(self, batch: dict[str, list[object]]) -> None:
        posts = [p for p in batch.get("posts", []) if isinstance(p, Post)]
        for s in batch.get("status", []):
            if isinstance(s, SourceStatus):
                self.sources.update_status(s)
        if posts:
            if self.search.text().strip():
                self.waiting += len(posts)
                self._say(f"{self.waiting} new posts arrived; clear the search to see them.")
            else:
                self.model.add(posts)
            for p in posts:
                if p.seq > self.model.read_upto.get(p.source, 0):
                    self.unread[p.source] = self.unread.get(p.source, 0) + 1
            self.rates.add(p.time for p in posts)
            cached = dict(self.sources.cached)
            for p in posts:
                cached[p.source] = cached.get(p.source, 0) + 1
            self.sources.set_counts(self.unread, cached)
            self._refresh_rates()
        self._refresh_chips()

    # -- chips, stale sources, rates -----------------------------------------------------------

    def _chosen(self) -> str | None:
        b = self.chip_group.checkedButton()
        name = b.property("source") if b is not None else None
        return str(name) if name else None

    def _refresh_chips(self) -> None:
        chosen = self._chosen()
        names = self.sources.names()
        have = [b.property("source") for b in self.chip_group.buttons()]
        if have != ["", *names]:
            for b in self.chip_group.buttons():
                self.chip_group.removeButton(b)
                b.deleteLater()
            while self.chips.count():
                item = self.chips.takeAt(0)
                w = item.widget() if item is not None else None
                if w is not None:
                    w.deleteLater()
            for name in ["", *names]:
                b = QToolButton()
                b.setCheckable(True)
                b.setProperty("source", name)
                b.setObjectName(f"feed-chip-{name or 'all'}")
                b.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
                b.clicked.connect(self._chip_clicked)
                self.chip_group.addButton(b)
                self.chips.addWidget(b)
            target = chosen if chosen in names else ""
            for b in self.chip_group.buttons():
                b.setChecked(b.property("source") == target)
        total = sum(self.unread.get(n, 0) for n in names)
        stale = []
        for b in self.chip_group.buttons():
            name = b.property("source")
            if not name:
                b.setText(f"All {total}" if total else "All")
                b.setToolTip(f"Every source in one stream; {total} new (unread) posts")
                continue
            s = self.sources.status.get(name)
            n = self.unread.get(name, 0)
            bad = s is not None and s.error is not None
            # Short, so two chips share a line in a narrow dock; the count is unread posts.
            b.setText(f"{name} {n}" if n else name)
            if bad:
                b.setText(b.text() + " STALE")
                b.setIcon(icons.icon("degraded"))
                assert s is not None
                stale.append(f"{name}: {describe(s)}")
            else:
                b.setIcon(
                    icons.icon("up") if s is not None and s.last_ok else icons.icon("pending")
                )
            b.setToolTip(f"{n} new (unread) posts\n" + (describe(s) if s is not None else ""))
        self.stale_label.setText("⚠ " + "\n⚠ ".join(stale) if stale else "")
        self.stale_label.setVisible(bool(stale))

    def _chip_clicked(self) -> None:
        name = self._chosen()
        self.proxy.set_sources({name} if name else None)

    def _refresh_rates(self) -> None:
        now = timeutil.now()
        self.rates.prune(now)
        series = self.rates.series(now)
        spike = self.rates.spike(now)
        self.spark.set_values(series, spike=spike is not None)
        self.rate_label.setText(f"{series[-1]}/min")
        if spike is not None and spike.minute != self.last_spike:
            self.last_spike = spike.minute
            text = f"⚠ Volume spike: {spike.describe()}"
            self.banner.setText(text)
            self.banner.show()
            self.spiked.emit(text)
            if hasattr(self.ctx, "show_message"):
                self.ctx.show_message(text, 15_000)
            win = self.window()
            if win is not None and win.isVisible():
                QApplication.alert(win, 0)
        elif spike is None and self.banner.isVisible() and self.last_spike is not None:
            self.banner.setText(f"Volume back to normal (spike at {self.last_spike[11:]}Z).")

    # -- actions ---------------------------------------------------------------------------

    def mark_read(self) -> None:
        if self.store is None:
            return
        from warroom.store import social as q

        tops = q.max_seq(self.store)
        chosen = self._chosen()
        names = [chosen] if chosen else (self.names if self.names is not None else list(tops))
        upto = {n: tops[n] for n in names if n in tops}
        q.set_cursors(self.store, READER, upto)
        self.model.set_read({**self.model.read_upto, **upto})
        for n in names:
            self.unread[n] = 0
        self.sources.set_counts(self.unread, self.sources.cached)
        self.delegate.clear_cache()
        self._refresh_chips()

    def edit_filters(self) -> None:
        dlg = FiltersDialog(self.filters, self)
        if dlg.exec() != QDialog.DialogCode.Accepted:
            return
        self.set_filters(dlg.filters(self.filters.brand))

    def set_filters(self, f: flt.Filters) -> None:
        self.filters = f
        if self.store is not None:
            flt.save(self.store, f)
        self.model.set_filters(f)
        self.proxy.refilter()
        self.delegate.clear_cache()

    def selected_post(self) -> Post | None:
        idx = self.view.currentIndex()
        if not idx.isValid():
            return None
        src = self.proxy.mapToSource(idx)
        return self.model.post(src.row())

    def _selected(self, _sel: QItemSelection, _old: QItemSelection) -> None:
        p = self.selected_post()
        self.browser.show_post(p)
        self.pin_btn.setEnabled(p is not None and self.store is not None)
        self.open_btn.setEnabled(p is not None and p.url is not None)
        self.copy_btn.setEnabled(p is not None)

    def pin_selected(self) -> Task[str] | None:
        """Pin the selected post to the active incident, off the UI thread; returns the
        task (None when there is nothing to pin). ``pinned`` says when it is done."""
        p = self.selected_post()
        if p is None or self.store is None:
            return None
        incident = getattr(self.ctx, "active_incident", None)
        if not incident:
            self._say("Pinning needs an incident: open or create one in the timeline first.")
            return None
        from warroom.services.timeline import Timeline
        from warroom.social.pin import pin
        from warroom.ui.tasks import run_task

        if self._tl is None:
            self._tl = Timeline(self.store)
        tl = self._tl
        title = getattr(self.ctx, "active_incident_title", None) or incident

        def done(eid: str) -> None:
            if hasattr(self.ctx, "show_message"):
                self.ctx.show_message(
                    f"Pinned to {title}: the post by {p.author} ({p.time[11:16]}Z)"
                )
            self.pinned.emit(eid)

        def failed(exc: BaseException) -> None:
            from warroom.base.errors import WarroomError

            if not isinstance(exc, WarroomError):
                raise exc
            self._say(f"Not pinned: {exc}")

        self.pin_btn.setEnabled(False)
        task = run_task(self, lambda: pin(tl, incident, p), done, failed, name="feed-pin")
        task.finished.connect(lambda: self.pin_btn.setEnabled(self.selected_post() is not None))
        return task

    def open_link(self) -> None:
        p = self.selected_post()
        if p is not None and p.url:
            confirm_open(self, p.url)

    def _copy(self) -> None:
        p = self.selected_post()
        if p is not None:
            QApplication.clipboard().setText(
                f"{p.author} ({p.time}): {p.text}" + (f"\n{p.url}" if p.url else "")
            )

    def _run_search(self) -> None:
        text = self.search.text().strip()
        if self.store is None:
            return
        if not text:
            self.waiting = 0
            self.info.hide()
            self.reload()
            return
        from warroom.store import social as q
        from warroom.ui.tasks import run_task

        store, names = self.store, self.names

        def work() -> list[Post]:
            found = q.search(store, text, limit=MAX_ROWS)
            return found if names is None else [p for p in found if p.source in names]

        def show(found: list[Post]) -> None:
            if self.search.text().strip() != text:
                return  # the user typed on; a newer search follows
            self.model.set_posts(found)
            self._say(f"{len(found)} cached posts match “{text}”.")
            self.searched.emit(len(found))

        run_task(self, work, show, name="feed-search")

    def _say(self, text: str) -> None:
        self.info.setText(text)
        self.info.show()

    def _update_empty(self) -> None:
        has_posts = self.model.rowCount() > 0
        if self.names is not None and not self.names:
            msg = (
                "No feeds in the workspace file. Add a [[feed]] table per source "
                "(Mastodon, Bluesky, RSS/Atom, Statuspage), for example:\n\n" + EXAMPLE
            )
        elif self.names is None and not has_posts:
            msg = (
                "No workspace file is open, so no feed is read. Open one (File ▸ Open) "
                "with [[feed]] tables, for example:\n\n" + EXAMPLE
            )
        else:
            msg = ""
        self.empty.setText(msg)
        self.empty.setVisible(bool(msg))
