"""The built-in outage, as a script: acts, and what people post while they happen.

Modelled on the seed scenario (a Swiss host's network failure): first unreachable
through one access provider, then everywhere, the host's own website and status blog
included; customers complain in German and English, an upstream carrier posts on its
status page, the news picks it up; then recovery. Times are seconds at speed 1 (about
three minutes in all); ``DemoWorld`` divides them by its speed.

Pure data and a little logic: no I/O, no Qt.
"""

from __future__ import annotations

from dataclasses import dataclass

PROVIDER = "Alpenhost"
DOMAIN = "alpenhost.test"  # .test never resolves on the internet (RFC 6761)
HASHTAG = "alpenhostdown"


@dataclass(frozen=True, slots=True)
class Act:
    at: float
    name: str  # calm, partial, total, recovery
    caption: str  # one line for the banner: what is happening now


ACTS: tuple[Act, ...] = (
    Act(0, "calm", "All green: every service answers through every access provider."),
    Act(
        15,
        "partial",
        f"{PROVIDER}'s network is unreachable through isp-b (AS6730); "
        "isp-a (AS3303) still gets through.",
    ),
    Act(
        45,
        "total",
        f"Total outage: {PROVIDER} is unreachable through every provider, "
        "its own website and status blog included.",
    ),
    Act(150, "recovery", "Recovery: the routes are back; watch the probes turn green."),
)


@dataclass(frozen=True, slots=True)
class Post:
    at: float
    source: str  # mastodon, bluesky, rss, statuspage
    author: str
    text: str


POSTS: tuple[Post, ...] = (
    Post(5, "mastodon", "kathrin@social.example", f"Neue Website bei {PROVIDER} ist live."),
    Post(
        20,
        "mastodon",
        "marco@chaos.example",
        f"Ist {PROVIDER} down? Mein Shop lädt nicht. #{HASHTAG}",
    ),
    Post(
        26,
        "bluesky",
        "lea.bsky.example",
        f"{PROVIDER} unreachable from home (Sunrise), works on my phone. Anyone else?",
    ),
    Post(
        34,
        "mastodon",
        "it-keller@praxis.example",
        f"Praxis-Website seit 10 Minuten offline. Störung bei {PROVIDER}? #{HASHTAG}",
    ),
    Post(
        50,
        "mastodon",
        "webdev_ch@social.example",
        f"Jetzt geht gar nichts mehr: {PROVIDER} komplett weg, auch die Statusseite. #{HASHTAG}",
    ),
    Post(
        56,
        "bluesky",
        "sam.bsky.example",
        f"Total outage at {PROVIDER}: 40 client sites down, their own site too. "
        "No word from them yet.",
    ),
    Post(
        62,
        "statuspage",
        "NetBackbone status",
        "Investigating: degraded connectivity for customers in Zurich (ZH1).",
    ),
    Post(
        70,
        "mastodon",
        "baeckerei_meier@social.example",
        f"Unser Bestellshop ist offline, Kunden rufen an. Danke für nichts, {PROVIDER}. #{HASHTAG}",
    ),
    Post(
        84,
        "bluesky",
        "nina.bsky.example",
        f"Understanding that outages happen, but a status update from {PROVIDER} would help a lot.",
    ),
    Post(
        95,
        "rss",
        "Tech News CH",
        f"Störung bei {PROVIDER}: Tausende Websites offline",
    ),
    Post(
        104,
        "mastodon",
        f"{PROVIDER.lower()}@social.example",
        f"Wir haben eine Netzwerkstörung. Websites und E-Mail sind nicht erreichbar. "
        f"Wir arbeiten mit Hochdruck daran. Nächstes Update um :30. #{HASHTAG}",
    ),
    Post(
        118,
        "mastodon",
        "jonas@social.example",
        f"Danke für das Update, {PROVIDER}. Viel Kraft dem Team! #{HASHTAG}",
    ),
    Post(
        130,
        "statuspage",
        "NetBackbone status",
        "Identified: a failed line card in ZH1 dropped BGP sessions; a fix is being applied.",
    ),
    Post(
        158,
        "mastodon",
        "marco@chaos.example",
        f"Shop ist wieder da. #{HASHTAG}",
    ),
    Post(
        165,
        "statuspage",
        "NetBackbone status",
        "Resolved: connectivity in Zurich (ZH1) is restored.",
    ),
)


def act_at(seconds: float) -> Act:
    """The act in force ``seconds`` into the script (at speed 1)."""
    current = ACTS[0]
    for act in ACTS:
        if act.at <= seconds:
            current = act
    return current
