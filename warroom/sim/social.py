"""All simulated social services at once, for tests and the built-in demo.

``SocialSim.start()`` serves a Mastodon instance, a Bluesky PDS, an RSS/Atom host and an
upstream provider's Statuspage on loopback, each on its own port, and writes the
matching [[feed]] tables (``feeds_toml``). The services are the classes of
``warroom.sim.mastodon``, ``bluesky``, ``rss`` and ``statuspage`` (one class per
service, state in memory, routes addable with ``route()``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from warroom.sim.bluesky import FakeBluesky
from warroom.sim.mastodon import FakeMastodon
from warroom.sim.rss import FakeFeeds
from warroom.sim.statuspage import FakeStatuspage

BSKY_HANDLE = "ops.example.test"
BSKY_SECRET = "bsky-ops"
BSKY_PASSWORD = "app-pass-1234-abcd"


@dataclass
class SocialSim:
    mastodon: FakeMastodon = field(default_factory=FakeMastodon)
    bluesky: FakeBluesky = field(default_factory=FakeBluesky)
    feeds: FakeFeeds = field(default_factory=FakeFeeds)
    statuspage: FakeStatuspage = field(default_factory=FakeStatuspage)

    def start(self) -> SocialSim:
        for s in self.services():
            s.start()
        self.bluesky.add_account(BSKY_HANDLE, BSKY_PASSWORD)
        return self

    def stop(self) -> None:
        for s in self.services():
            s.stop()

    def services(self) -> tuple[FakeMastodon, FakeBluesky, FakeFeeds, FakeStatuspage]:
        return (self.mastodon, self.bluesky, self.feeds, self.statuspage)

    def __enter__(self) -> SocialSim:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def feeds_toml(
        self,
        *,
        hashtag: str = "examplehostdown",
        search: str = "example host",
        rss_path: str = "/news.xml",
    ) -> str:
        """[[feed]] tables for every simulated service (the Bluesky secret is
        ``BSKY_SECRET``; set ``WARROOM_SECRET_BSKY_OPS`` to ``BSKY_PASSWORD``)."""
        return (
            f'[[feed]]\nname = "mentions"\nmastodon = "{self.mastodon.url}"\n'
            f'hashtag = "{hashtag}"\n\n'
            f'[[feed]]\nname = "bsky"\nbluesky = "{self.bluesky.url}"\nhandle = "{BSKY_HANDLE}"\n'
            f'search = "{search}"\nsecret = "{BSKY_SECRET}"\n\n'
            f'[[feed]]\nname = "provider-news"\nrss = "{self.feeds.url}{rss_path}"\n\n'
            f'[[feed]]\nname = "carrier"\nstatuspage = "{self.statuspage.url}"\n'
        )
