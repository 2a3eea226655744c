"""The demo's voices: customers on a simulated Mastodon and Bluesky, an upstream
carrier's Statuspage and a news feed, all on loopback, posting on the script's cue.

The services are the same fakes the tests use (``warroom.sim``); the window reads them
through its ordinary feed sources, and publishes to the simulated Mastodon through its
ordinary channel. The demo's secrets are fake and live only in this process's
environment (``WARROOM_SECRET_*``, which the secrets interface reads first), so the
demo needs no keyring and never touches one.
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
from dataclasses import dataclass, field

from warroom.demo.script import HASHTAG, PROVIDER, Post
from warroom.sim.rss import Item, rss
from warroom.sim.social import SocialSim
from warroom.system.secrets import env_var

BSKY_HANDLE = "ops.alpenhost.test"
MASTODON_SECRET = "demo-mastodon"
BSKY_SECRET = "demo-bsky"
CARRIER = "NetBackbone"
CARRIER_COMPONENT = "Zurich (ZH1)"
NEWS_PATH = "/news.xml"
_STATUSES = ("investigating", "identified", "monitoring", "resolved")


@dataclass
class Voices:
    sim: SocialSim = field(default_factory=SocialSim)
    news: list[Item] = field(default_factory=list)
    incident_id: str | None = None
    _env: dict[str, str] = field(default_factory=dict)

    def start(self) -> None:
        self.sim.start()
        token = secrets.token_urlsafe(16)
        password = secrets.token_urlsafe(12)
        self.sim.mastodon.add_token(token, PROVIDER.lower())
        self.sim.bluesky.add_account(BSKY_HANDLE, password)
        self._env = {env_var(MASTODON_SECRET): token, env_var(BSKY_SECRET): password}
        os.environ.update(self._env)
        self.sim.statuspage.page["name"] = f"{CARRIER} status"
        self.sim.statuspage.set_component(CARRIER_COMPONENT, "operational")
        self.sim.statuspage.set_component("Geneva (GV2)", "operational")
        self.sim.feeds.set(NEWS_PATH, rss([], title="Tech News CH"))

    def stop(self) -> None:
        for name in self._env:
            os.environ.pop(name, None)
        self.sim.stop()

    def say(self, post: Post) -> None:
        """Put ``post`` where its source would carry it, as of now."""
        now = dt.datetime.now(dt.UTC)
        if post.source == "mastodon":
            self.sim.mastodon.post(post.text, author=post.author.split("@")[0])
        elif post.source == "bluesky":
            self.sim.bluesky.add_post(post.text, handle=post.author)
        elif post.source == "rss":
            n = len(self.news) + 1
            self.news.insert(
                0,
                Item(
                    title=post.text,
                    link=f"https://news.example/alpenhost-{n}",
                    guid=f"news-{n}",
                    author=post.author,
                    published=now,
                ),
            )
            self.sim.feeds.set(NEWS_PATH, rss(self.news, title=post.author))
        elif post.source == "statuspage":
            self._carrier(post.text)

    def _carrier(self, text: str) -> None:
        """``Investigating: …`` opens the carrier's incident; later stages update it."""
        stage, _, body = text.partition(":")
        status = stage.strip().lower()
        if status not in _STATUSES:
            status = "investigating"
        page = self.sim.statuspage
        if self.incident_id is None:
            inc = page.open_incident(
                f"Degraded connectivity in {CARRIER_COMPONENT}", body.strip(), status=status
            )
            self.incident_id = inc["id"]
        else:
            page.update_incident(self.incident_id, status, body.strip())
        page.set_component(
            CARRIER_COMPONENT, "operational" if status == "resolved" else "partial_outage"
        )

    def workspace_toml(self, interval_s: float) -> str:
        """[[feed]], [[channel]] and [comms] tables for these services."""
        s = self.sim
        every = f'"{max(5.0, interval_s):g}s"'
        return "\n".join(
            [
                "",
                "[[feed]]  # customers on a simulated Mastodon",
                'name = "mastodon"',
                f'mastodon = "{s.mastodon.url}"',
                f'search = "{PROVIDER}"',
                f'secret = "{MASTODON_SECRET}"',
                f"interval = {every}",
                "",
                "[[feed]]  # and on a simulated Bluesky",
                'name = "bluesky"',
                f'bluesky = "{s.bluesky.url}"',
                f'handle = "{BSKY_HANDLE}"',
                f'search = "{PROVIDER}"',
                f'secret = "{BSKY_SECRET}"',
                f"interval = {every}",
                "",
                "[[feed]]  # the upstream carrier's status page",
                'name = "carrier"',
                f'statuspage = "{s.statuspage.url}"',
                f"interval = {every}",
                "",
                "[[feed]]",
                'name = "news"',
                f'rss = "{s.feeds.url}{NEWS_PATH}"',
                f"interval = {every}",
                "",
                "[[channel]]  # status updates go to the simulated Mastodon",
                'name = "mastodon-ops"',
                f'mastodon = "{s.mastodon.url}"',
                f'secret = "{MASTODON_SECRET}"',
                "",
                "[comms]",
                f'service = "{PROVIDER}"',
                f"# hashtag of the outage: #{HASHTAG}",
            ]
        )
