"""Simulated RSS and Atom feeds, well-formed, malformed and hostile.

``FakeFeeds`` serves any number of documents by path with a strong ``ETag`` and a
``Last-Modified`` date, answering ``304 Not Modified`` to a matching conditional
request, as a well-behaved feed host does. The builders (``rss``, ``atom``) and the
hostile documents (``hostile_items``, ``entity_bomb``, ``huge``, ``bad_encoding``,
``malformed``) are the inputs the security tests and the demo use.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from html import escape

from warroom.sim.http import HttpFake, Request, Response


@dataclass
class Item:
    title: str
    link: str
    guid: str
    summary: str = ""  # HTML as the feed carries it (escaped into the XML)
    author: str = ""
    published: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))


def rss(
    items: Sequence[Item], *, title: str = "Provider news", link: str = "https://provider.example/"
) -> bytes:
    out = [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<rss version="2.0"><channel>',
        f"<title>{escape(title)}</title><link>{escape(link)}</link>",
        "<description>news</description>",
    ]
    for it in items:
        date = email.utils.format_datetime(it.published.astimezone(dt.UTC), usegmt=True)
        out.append(
            "<item>"
            f"<title>{escape(it.title)}</title><link>{escape(it.link)}</link>"
            f'<guid isPermaLink="false">{escape(it.guid)}</guid>'
            f"<pubDate>{date}</pubDate>"
            + (f"<author>{escape(it.author)}</author>" if it.author else "")
            + f"<description>{escape(it.summary)}</description>"
            "</item>"
        )
    out.append("</channel></rss>")
    return "\n".join(out).encode("utf-8")


def atom(items: Sequence[Item], *, title: str = "Provider status") -> bytes:
    def iso(t: dt.datetime) -> str:
        return t.astimezone(dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")

    newest = max((it.published for it in items), default=dt.datetime.now(dt.UTC))
    out = [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<feed xmlns="http://www.w3.org/2005/Atom">',
        f"<title>{escape(title)}</title><id>urn:sim:{escape(title)}</id>",
        f"<updated>{iso(newest)}</updated>",
    ]
    for it in items:
        out.append(
            "<entry>"
            f"<title>{escape(it.title)}</title><id>{escape(it.guid)}</id>"
            f'<link rel="alternate" href="{escape(it.link)}"/>'
            f"<updated>{iso(it.published)}</updated><published>{iso(it.published)}</published>"
            + (f"<author><name>{escape(it.author)}</name></author>" if it.author else "")
            + f'<content type="html">{escape(it.summary)}</content>'
            "</entry>"
        )
    out.append("</feed>")
    return "\n".join(out).encode("utf-8")


# -- hostile and broken documents --------------------------------------------------

HOSTILE_HTML = (
    '<p>Outage <script>document.title="pwned"</script>update'
    '<img src="https://tracker.example/pixel.gif" onerror="alert(1)">'
    '<a href="javascript:alert(1)">click</a> '
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">data</a> '
    '<a href="https://provider.example/status" onclick="steal()">status</a>'
    '<iframe src="https://evil.example/"></iframe>'
    "<style>@import url(https://evil.example/font.css)</style></p>"
)


def hostile_items() -> list[Item]:
    return [
        Item(
            title='<script>alert("t")</script>Network <b onmouseover="x()">down</b>',
            link="javascript:alert(document.cookie)",
            guid="hostile-1",
            summary=HOSTILE_HTML,
            author="<img src=x onerror=alert(1)>",
        ),
        Item(
            title="Status update",
            link="https://provider.example/status/2",
            guid="hostile-2",
            summary='<img src="https://tracker.example/p2.gif"><p>We are investigating.</p>',
        ),
    ]


def entity_bomb(levels: int = 10) -> bytes:
    """The "billion laughs": nested entities that expand to gigabytes if resolved."""
    ents = ['<!ENTITY lol0 "lollollollollollollollollollol">']
    for i in range(1, levels):
        ents.append(f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">')
    return (
        '<?xml version="1.0"?>\n<!DOCTYPE rss [\n'
        + "\n".join(ents)
        + f'\n]>\n<rss version="2.0"><channel><title>&lol{levels - 1};</title>'
        "<item><title>boom</title><guid>b1</guid></item></channel></rss>"
    ).encode()


def bad_encoding() -> bytes:
    """Declares UTF-8 but holds Latin-1 bytes (and a stray invalid byte)."""
    body = rss([Item("Störung: Netzwerk ausgefallen", "https://provider.example/s", "enc-1")])
    return body.replace("Störung".encode(), "Störung".encode("latin-1") + b"\xff")


def malformed() -> bytes:
    """An undefined entity, no closing tags: a "bozo" feed that still has an entry."""
    return (
        b'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Broken</title>'
        b"<item><title>Still readable &nbsp; post</title><link>https://provider.example/b1</link>"
        b"<guid>bozo-1</guid><description>&lt;p>unclosed</description></item></channel>"
    )


def huge(size: int = 50 * 1024 * 1024) -> Response:
    """A ``size``-byte feed body (an XML comment that never ends in time)."""
    head = b'<?xml version="1.0"?><rss version="2.0"><channel><!-- '
    body = head + b"x" * (size - len(head))
    return Response(200, body, {"Content-Type": "application/rss+xml"})


# -- the server --------------------------------------------------------------------


class FakeFeeds(HttpFake):
    """Serves documents by path, with ETag / Last-Modified and 304s."""

    def __init__(self, host: str = "127.0.0.1") -> None:
        super().__init__(host)
        self.docs: dict[str, tuple[bytes | Response, str, dt.datetime]] = {}
        self.route("GET", r"/.*", self._get)

    def set(
        self,
        path: str,
        body: bytes | Response,
        content_type: str = "application/rss+xml; charset=utf-8",
        *,
        modified: dt.datetime | None = None,
    ) -> None:
        """Serve ``body`` at ``path`` (``/news.xml``) from now on."""
        with self.lock:
            self.docs[path] = (body, content_type, modified or dt.datetime.now(dt.UTC))

    def _get(self, req: Request, _m: re.Match[str]) -> Response:
        doc = self.docs.get(req.path)
        if doc is None:
            return Response(404, "not found")
        body, ctype, modified = doc
        if isinstance(body, Response):
            return body
        etag = '"' + hashlib.sha256(body).hexdigest()[:20] + '"'
        lm = email.utils.format_datetime(modified.astimezone(dt.UTC), usegmt=True)
        headers = {"ETag": etag, "Last-Modified": lm, "Content-Type": ctype}
        inm = req.headers.get("if-none-match")
        ims = req.headers.get("if-modified-since")
        if inm is not None:
            if etag in [t.strip() for t in inm.split(",")]:
                return Response(304, b"", {"ETag": etag, "Last-Modified": lm})
        elif ims is not None:
            try:
                since = email.utils.parsedate_to_datetime(ims)
                if modified.replace(microsecond=0) <= since:
                    return Response(304, b"", {"ETag": etag, "Last-Modified": lm})
            except (TypeError, ValueError):
                pass
        return Response(200, body, headers)
