"""Untrusted post content made safe: plain text, sanitised HTML, checked links.

Everything a feed sends is hostile until shown otherwise. ``to_plain`` keeps only the
words (nh3 drops every tag, and the content of script/style entirely); ``safe_html``
keeps a few inline tags and http(s) links and nothing that can run or load (no img,
iframe, style, event handler, ``javascript:``/``data:`` URL); ``safe_url`` returns a
link only when it is plain http(s).
"""

from __future__ import annotations

import html
import re
from urllib.parse import urlsplit

import nh3

MAX_TEXT = 5000  # characters kept per post; a post longer than that is cut, visibly

_BLOCK = re.compile(r"<\s*(br|/p|/div|/li|/h\d|/blockquote|/tr)\b[^>]*>", re.I)
_SPACES = re.compile(r"[ \t\r\f\v\u00a0]+")
_LINES = re.compile(r"\n\s*\n+")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u202a-\u202e\u2066-\u2069]")
_URL_BAD = re.compile(r"[\s\x00-\x1f\x7f\u202a-\u202e\u2066-\u2069]")

_PLAIN = nh3.Cleaner(tags=set(), clean_content_tags={"script", "style", "template"})
_HTML = nh3.Cleaner(
    tags={"a", "p", "br", "b", "strong", "i", "em", "ul", "ol", "li", "blockquote", "span"},
    clean_content_tags={"script", "style", "template"},
    attributes={"a": {"href"}},
    url_schemes={"http", "https"},
    link_rel="noopener noreferrer nofollow",
    strip_comments=True,
)


def to_plain(markup: str, *, limit: int = MAX_TEXT) -> str:
    """Readable plain text from HTML (or text that may hold tags and entities)."""
    if not markup:
        return ""
    s = _BLOCK.sub("\n", markup)
    s = html.unescape(_PLAIN.clean(s))
    s = _CONTROL.sub("", s)
    s = "\n".join(_SPACES.sub(" ", line).strip() for line in s.split("\n"))
    s = _LINES.sub("\n", s).strip()
    if len(s) > limit:
        s = s[: limit - 1].rstrip() + "…"
    return s


def clean_plain(text: str, *, limit: int = MAX_TEXT) -> str:
    """Text that is plain already (a Bluesky post): control characters out, length capped."""
    s = _CONTROL.sub("", text or "").strip()
    return s if len(s) <= limit else s[: limit - 1].rstrip() + "…"


def safe_html(markup: str) -> str:
    """HTML that can be shown in a rich-text view: nothing runs, nothing loads."""
    return _HTML.clean(markup or "")


def safe_url(url: object) -> str | None:
    """``url`` when it is an absolute http(s) URL with a host, else None."""
    if not isinstance(url, str):
        return None
    u = url.strip()
    if not u[:8].lower().startswith(("http://", "https://")) or _URL_BAD.search(u):
        return None
    try:
        host = urlsplit(u).netloc.rpartition("@")[2]
    except ValueError:
        return None
    return u if host and not host.startswith(":") else None
