"""The feed poller: every source on its own interval, in an asyncio loop of its own.

Like the probe engine it runs in a worker thread (``start``/``stop``) and reports
through callbacks called on that thread: ``on_posts(list[Post])`` with posts new to the
cache, ``on_status(SourceStatus)`` after each poll. The window hands these to the one
async→Qt bridge (``warroom.ui.bridge``); ``warroom feeds`` calls ``poll_once`` directly.

Per source: conditional requests and resume cursors (kept in the store with the posts,
in one transaction), exponential backoff on failure (capped), the server's
``Retry-After``/``X-RateLimit-Reset`` honoured, and a "stale since" state while it
fails. One failing source never holds up the others.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import timedelta
from typing import TYPE_CHECKING

import httpx

from warroom.base import timeutil
from warroom.config.workspace_file import Feed
from warroom.domain.social import Post, SourceStatus
from warroom.social.http import Http, SourceError
from warroom.social.sources import PollResult, SecretGetter, Source, make_source

if TYPE_CHECKING:
    from warroom.store.db import Store

log = logging.getLogger(__name__)

DEFAULT_INTERVAL = 60.0
MIN_INTERVAL = 5.0
MAX_BACKOFF = 30 * 60.0

PostsCallback = Callable[[list[Post]], None]
StatusCallback = Callable[[SourceStatus], None]


def _default_secret(name: str) -> str | None:
    from warroom.system import secrets

    return secrets.get(name)


def backoff(interval: float, failures: int, *, jitter: float = 0.1) -> float:
    """Seconds before the next try after ``failures`` failures in a row."""
    base = min(MAX_BACKOFF, interval * (2 ** max(0, failures - 1)))
    return float(base * (1 + random.uniform(0, jitter)))


class FeedPoller:
    """Polls the [[feed]] sources of one workspace; stores new posts when given a store."""

    def __init__(
        self,
        feeds: Sequence[Feed],
        *,
        store: Store | None = None,
        on_posts: PostsCallback | None = None,
        on_status: StatusCallback | None = None,
        secret: SecretGetter | None = None,
        client_factory: Callable[[], httpx.AsyncClient] | None = None,
        default_interval: float = DEFAULT_INTERVAL,
    ) -> None:
        self.feeds = list(feeds)
        self.store = store
        self.on_posts = on_posts
        self.on_status = on_status
        self.secret = secret or _default_secret
        self.client_factory = client_factory or Http.make_client
        self.default_interval = default_interval
        self.status: dict[str, SourceStatus] = {}
        self._failures: dict[str, int] = {}
        self._delays: dict[str, float] = {}
        self._sources: dict[str, tuple[Feed, Source]] = {}  # kept: a session lives on
        self._load_status()
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._wake: dict[str, asyncio.Event] = {}
        self._stop: asyncio.Event | None = None
        self._io: ThreadPoolExecutor | None = None
        self._lock = threading.Lock()

    def _load_status(self) -> None:
        stored: dict[str, SourceStatus] = {}
        if self.store is not None:
            from warroom.store import social as q

            stored = q.statuses(self.store)
        for f in self.feeds:
            old = self.status.get(f.name) or stored.get(f.name)  # in memory first: next_at
            if old is not None and (old.kind, old.url) == (f.kind, f.url):
                self.status[f.name] = old
            else:  # new, or the feed now points elsewhere: its old cursor means nothing
                self.status[f.name] = SourceStatus(f.name, f.kind, f.url)

    def interval(self, feed: Feed) -> float:
        return max(MIN_INTERVAL, feed.interval or self.default_interval)

    # -- one round (the command line) --------------------------------------------------

    async def poll_once(self) -> list[Post]:
        """Poll every source once, concurrently; returns the posts new to the cache."""
        async with self.client_factory() as client:
            http = Http(client)
            results = await asyncio.gather(*(self._poll(http, f) for f in self.feeds))
        return [p for posts in results for p in posts]

    async def _poll(self, http: Http, feed: Feed) -> list[Post]:
        """One poll of one source: fetch, store, report. Never raises for the source's
        own failures (they become its status)."""
        before = self.status.get(feed.name) or SourceStatus(feed.name, feed.kind, feed.url)
        now = timeutil.now_str()
        wait: float | None = None
        try:
            source = self._source(feed)
            res: PollResult = await source.poll(http, dict(before.state))
        except SourceError as exc:
            failures = self._failures.get(feed.name, 0) + 1
            self._failures[feed.name] = failures
            wait = exc.retry_after
            status = replace(
                before,
                last_attempt=now,
                error=str(exc),
                stale_since=before.stale_since or now,
                note=None,
            )
            posts: list[Post] = []
            log.info("feed %s: %s", feed.name, exc)
        except Exception as exc:  # a bug in one source must not stop the others
            log.exception("feed %s: unexpected failure", feed.name)
            self._failures[feed.name] = self._failures.get(feed.name, 0) + 1
            status = replace(
                before,
                last_attempt=now,
                error=f"internal error ({exc.__class__.__name__}); see the log",
                stale_since=before.stale_since or now,
            )
            posts = []
        else:
            self._failures[feed.name] = 0
            wait = res.wait
            status = replace(
                before,
                last_ok=now,
                last_attempt=now,
                error=None,
                stale_since=None,
                note=res.note,
                state=res.state,
            )
            posts = res.posts
        delay = self._next_delay(feed, wait)
        status = replace(status, next_at=timeutil.fmt(timeutil.now() + timedelta(seconds=delay)))
        self.status[feed.name] = status
        self._delays[feed.name] = delay
        if self.store is not None:
            try:
                posts = await self._store(posts, status)
            except Exception as exc:
                # Keep the old cursor: the next poll fetches these posts again, so a full
                # disk or a locked database never loses a post.
                from warroom.base.errors import WarroomError

                log.exception("feed %s: could not store posts", feed.name)
                why = str(exc) if isinstance(exc, WarroomError) else exc.__class__.__name__
                status = replace(
                    status,
                    state=before.state,
                    error=f"posts not stored: {why}",
                    stale_since=before.stale_since or now,
                )
                self.status[feed.name] = status
                posts = []
        if posts and self.on_posts is not None:
            self.on_posts(posts)
        if self.on_status is not None:
            self.on_status(status)
        return posts

    def _source(self, feed: Feed) -> Source:
        got = self._sources.get(feed.name)
        if got is None or got[0] != feed:
            got = (feed, make_source(feed, self.secret))
            self._sources[feed.name] = got
        return got[1]

    async def _store(self, posts: list[Post], status: SourceStatus) -> list[Post]:
        from warroom.store import social as q

        store = self.store
        if store is None:  # nothing to keep them in (callers check first)
            return posts
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._io, q.ingest, store, posts, status)

    def _next_delay(self, feed: Feed, wait: float | None) -> float:
        failures = self._failures.get(feed.name, 0)
        delay = self.interval(feed) if failures == 0 else backoff(self.interval(feed), failures)
        if wait is not None:
            delay = max(delay, min(wait, MAX_BACKOFF) + 0.5)
        return delay

    # -- the background thread (the window) --------------------------------------------

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        if self.running:
            return
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, name="warroom-feeds", daemon=True)
        self._thread.start()
        self._ready.wait(5)

    def stop(self, timeout: float = 10.0) -> None:
        loop, thread = self._loop, self._thread
        if loop is None or thread is None:
            return
        with contextlib.suppress(RuntimeError):
            loop.call_soon_threadsafe(self._set_stop)
        thread.join(timeout)
        if thread.is_alive():
            log.warning("feed poller did not stop within %.0f s", timeout)
        self._thread = None

    def poll_now(self, name: str | None = None) -> None:
        """Poll ``name`` (or every source) now instead of at its next turn."""
        loop = self._loop
        if loop is None:
            return
        with contextlib.suppress(RuntimeError):
            loop.call_soon_threadsafe(self._poke, name)

    def update_feeds(self, feeds: Sequence[Feed]) -> None:
        """Poll these feeds from now on (a changed workspace file)."""
        loop = self._loop
        if loop is None:
            self.feeds = list(feeds)
            self._load_status()
            return
        with contextlib.suppress(RuntimeError):
            loop.call_soon_threadsafe(self._reconfigure, list(feeds))

    def _set_stop(self) -> None:
        if self._stop is not None:
            self._stop.set()

    def _poke(self, name: str | None) -> None:
        for n, ev in self._wake.items():
            if name is None or n == name:
                ev.set()

    def _run(self) -> None:
        try:
            asyncio.run(self._main())
        except Exception:
            log.exception("feed poller stopped by an error")
        finally:
            self._loop = None

    async def _main(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        self._io = ThreadPoolExecutor(max_workers=1, thread_name_prefix="warroom-feeds-store")
        self._tasks: dict[str, asyncio.Task[None]] = {}
        self._ready.set()
        try:
            async with self.client_factory() as client:
                self._http = Http(client)
                self._reconfigure(self.feeds)
                await self._stop.wait()
                for t in self._tasks.values():
                    t.cancel()
                await asyncio.gather(*self._tasks.values(), return_exceptions=True)
        finally:
            self._io.shutdown(wait=True)

    def _reconfigure(self, feeds: list[Feed]) -> None:
        old = {f.name: f for f in self.feeds}
        self.feeds = feeds
        self._load_status()
        keep = {f.name for f in feeds if old.get(f.name) == f}
        for name in list(self._tasks):
            if name not in keep:
                self._tasks.pop(name).cancel()
                self._wake.pop(name, None)
        for f in feeds:
            if f.name not in self._tasks:
                self._wake[f.name] = asyncio.Event()
                self._tasks[f.name] = asyncio.create_task(self._source_loop(f))

    async def _source_loop(self, feed: Feed) -> None:
        wake = self._wake[feed.name]
        st = self.status.get(feed.name)
        # A source this poller read moments ago (``warroom feeds`` reads once, then
        # keeps polling) waits the rest of its interval; a window that opens reads at once.
        first = 0.0
        if st is not None and st.next_at and st.error is None:
            with contextlib.suppress(ValueError):
                first = (timeutil.parse_utc(st.next_at) - timeutil.now()).total_seconds()
                first = max(0.0, min(first, self.interval(feed)))
        delay = first
        while True:
            if delay > 0:
                wake.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(wake.wait(), delay)
            wake.clear()
            t0 = time.monotonic()
            await self._poll(self._http, feed)
            delay = max(
                0.0, self._delays.get(feed.name, self.interval(feed)) - (time.monotonic() - t0)
            )
