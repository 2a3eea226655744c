"""The simulated world of ``warroom --demo``: a hosting provider and its customers on
loopback, two access providers, a remote probe network, and the script that breaks
and mends them.

The outage lives only here, in real servers on 127.0.0.1: the window probes them with
the same engine, writes the same timeline and shows the same panes as in real use.
Names end in ``.test`` and are answered only by the simulated resolvers; no target
uses the workstation's own resolver, so nothing leaves the machine.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from warroom.demo import script
from warroom.demo.script import ACTS, DOMAIN, POSTS, PROVIDER, Act
from warroom.demo.voices import Voices
from warroom.demo.world_remote import RemoteProbes
from warroom.sim.net import HOST, AccessNetwork, BannerServer, DnsServer, HttpSite, Page, SimLoop

log = logging.getLogger(__name__)


def _page(title: str, text: str) -> Page:
    body = (f"<!doctype html><title>{title}</title><h1>{title}</h1><p>{text}</p>").encode()
    return Page(200, body)


@dataclass
class Site:
    """A host name, the server behind it, and the text its probe expects."""

    target: str
    host: str
    server: HttpSite
    expect: str
    provider_hosted: bool = True


@dataclass
class DemoWorld:
    """Start with ``start()``, write ``workspace_toml()`` to a file, then ``begin()``.

    ``speed`` divides every time in the script (2 = twice as fast); probe intervals and
    timeouts shrink with it, so a test can run the whole story in seconds.
    """

    speed: float = 1.0
    loop: SimLoop = field(init=False)
    sites: list[Site] = field(init=False, default_factory=list)
    networks: dict[str, AccessNetwork] = field(init=False, default_factory=dict)
    resolvers: dict[str, DnsServer] = field(init=False, default_factory=dict)
    mail: BannerServer = field(init=False)
    voices: Voices = field(init=False)  # made in start(): its servers bind at once
    remote: RemoteProbes = field(init=False)
    act: Act = field(init=False, default=ACTS[0])
    started_at: float | None = field(init=False, default=None)
    _listeners: list[Callable[[Act], None]] = field(init=False, default_factory=list)
    _lock: threading.Lock = field(init=False, default_factory=threading.Lock)
    _tasks: list[asyncio.Task[None]] = field(init=False, default_factory=list)

    def __post_init__(self) -> None:
        if not self.speed > 0:
            raise ValueError(f"speed must be more than 0, not {self.speed}")

    # -- set-up ------------------------------------------------------------------

    def start(self) -> None:
        self.loop = SimLoop("demo-world")
        www = f"www.{DOMAIN}"
        self.sites = [
            Site("www", www, HttpSite(www, {"/": _page(PROVIDER, "Swiss web hosting")}), PROVIDER),
            Site(
                "status-blog",
                f"status.{DOMAIN}",
                HttpSite("status", {"/": _page(f"{PROVIDER} status", "All systems go")}),
                "status",
            ),
            Site(
                "webmail",
                f"webmail.{DOMAIN}",
                HttpSite("webmail", {"/": _page("Webmail", "Sign in")}),
                "Webmail",
            ),
            Site(
                "shop-meier",
                "shop.baeckerei-meier.test",
                HttpSite("shop", {"/": _page("Bäckerei Meier", "Online bestellen")}),
                "Meier",
            ),
            Site(
                "praxis-keller",
                "praxis-keller.test",
                HttpSite("praxis", {"/": _page("Praxis Dr. Keller", "Termine")}),
                "Keller",
            ),
        ]
        records: dict[tuple[str, str], list[str]] = {(s.host, "A"): [HOST] for s in self.sites}
        records[(f"mail.{DOMAIN}", "A")] = [HOST]
        self.mail = BannerServer(f"220 mail.{DOMAIN} ESMTP ready\r\n".encode())
        for name in ("isp-a", "isp-b"):  # two access providers: every column fits
            self.networks[name] = AccessNetwork(name)
            self.resolvers[name] = DnsServer("answer", records)

        async def start_all() -> None:
            for s in self.sites:
                await s.server.start()
            await self.mail.start()
            for n in self.networks.values():
                await n.start()
            for r in self.resolvers.values():
                await r.start()

        self.loop.run(start_all())
        try:
            self.voices = Voices()
            self.voices.start()
            self.remote = RemoteProbes()
            self.remote.start(
                {
                    s.host: b"".join(p.body for p in s.server.pages.values()).decode()
                    for s in self.sites
                }
            )
        except BaseException:
            self.stop()
            raise
        log.info("demo world started on loopback (speed %s)", self.speed)

    def stop(self) -> None:
        async def stop_all() -> None:
            for t in self._tasks:
                t.cancel()
            for s in self.sites:
                await s.server.stop()
            await self.mail.stop()
            for n in self.networks.values():
                await n.stop()
            for r in self.resolvers.values():
                await r.stop()

        with contextlib.suppress(Exception):
            self.loop.run(stop_all(), timeout=5)
        self.loop.stop()
        with contextlib.suppress(Exception):
            self.voices.stop()
        with contextlib.suppress(Exception):
            self.remote.stop()

    # -- what the window probes -----------------------------------------------------

    @property
    def interval_s(self) -> float:
        return max(0.5, 5.0 / self.speed)

    @property
    def timeout_s(self) -> float:
        # Not scaled: every failure here is a refusal that comes back at once, and a
        # loaded machine (a test run) needs the slack for the checks that succeed.
        return 3.0

    def workspace_toml(self) -> str:
        """The workspace file for this world (ports are only known once started)."""
        isps = list(self.networks)
        lines = [
            f"# The built-in demo: {PROVIDER}, a simulated Swiss host, on loopback.",
            "# Every name ends in .test and is answered by the simulated resolvers only.",
            "",
            "[probe]",
            f'interval = "{self.interval_s:g}s"',
            f'timeout = "{self.timeout_s:g}s"',
            "fail_after = 1",
            "recover_after = 1",
            "degraded_ms = 2500",
            f'remote_interval = "{max(1.0, 10.0 / self.speed):g}s"',
            "remote_budget_per_hour = 100000  # the simulated API is free",
        ]
        asn = {"isp-a": "AS3303", "isp-b": "AS6730"}
        for name in isps:
            lines += [
                "",
                f"[[vantage]]  # a simulated access provider ({asn[name]})",
                f'name = "{name}"',
                f'resolver = "{self.resolvers[name].address}"',
                f'proxy = "{self.networks[name].url}"',
            ]
        vantages = ", ".join(f'"{n}"' for n in isps)
        for s in self.sites:
            lines += [
                "",
                "[[target]]",
                f'name = "{s.target}"',
                f'url = "{s.server.url(s.host)}"',
                f'expect_body = "{s.expect}"',
                f'vantages = [{vantages}, "world"]',
            ]
        lines += [
            "",
            "[[target]]",
            'name = "mail"',
            f'url = "tcp://mail.{DOMAIN}:{self.mail.port}"',
            'expect_banner = "220"',
            f"vantages = [{vantages}]",
        ]
        tail = self.remote.workspace_toml() + "\n" + self.voices.workspace_toml(self.interval_s)
        return "\n".join(lines) + "\n" + tail + "\n"

    # -- the script ------------------------------------------------------------------

    def on_act(self, listener: Callable[[Act], None]) -> None:
        """Call ``listener(act)`` (on the world's thread) whenever an act begins."""
        self._listeners.append(listener)

    def begin(self) -> None:
        """Run the script from its first act; returns at once."""

        async def play() -> None:
            loop = asyncio.get_running_loop()
            assert self.started_at is not None
            for act in ACTS:
                delay = act.at / self.speed - (loop.time() - self.started_at)
                if delay > 0:
                    await asyncio.sleep(delay)
                self._enter(act)

        async def speak() -> None:
            loop = asyncio.get_running_loop()
            assert self.started_at is not None
            for post in POSTS:
                delay = post.at / self.speed - (loop.time() - self.started_at)
                if delay > 0:
                    await asyncio.sleep(delay)
                try:
                    # The fakes are thread-safe HTTP servers of their own; a post is a
                    # quick in-memory change.
                    self.voices.say(post)
                except Exception:
                    log.exception("demo post failed: %s", post)

        def schedule() -> None:
            self.started_at = self.loop.loop.time()
            self._tasks.append(asyncio.ensure_future(play()))
            self._tasks.append(asyncio.ensure_future(speak()))

        self.loop.loop.call_soon_threadsafe(schedule)

    def _enter(self, act: Act) -> None:
        provider_ports = {s.server.port for s in self.sites if s.provider_hosted}
        provider_ports.add(self.mail.port)
        cut_by_act = {
            "calm": set(),
            "partial": {"isp-b"},
            "total": set(self.networks),
            "recovery": set(),
        }
        cut = cut_by_act.get(act.name, set())
        for name, net in self.networks.items():
            net.cut = set(provider_ports) if name in cut else set()
        self.remote.enter(act.name)
        with self._lock:
            self.act = act
        log.info("demo act %s: %s", act.name, act.caption)
        for listener in list(self._listeners):
            try:
                listener(act)
            except Exception:
                log.exception("demo act listener failed")

    def seconds(self) -> float:
        """Script time (at speed 1) since ``begin()``; 0 before."""
        if self.started_at is None:
            return 0.0
        return (self.loop.loop.time() - self.started_at) * self.speed


__all__ = ["DemoWorld", "Site", "script"]
