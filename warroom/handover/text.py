"""User text in exports: Markdown kept inert, HTML rendered and then sanitised.

Entry text is Markdown written by people (and by feeds: untrusted). In the HTML
export it is rendered by markdown-it-py with raw HTML disabled and images disabled
(no remote loads), then cleaned by nh3 (ammonia) down to a few formatting tags, with
links only to http, https and mailto. Plain one-line text (the usual log line) takes a
fast path that gives the same output as markdown-it (a property test checks this),
because rendering 100,000 entries through the parser would take seconds.

In the Markdown export the text stays Markdown, but anything another renderer could
turn into HTML or a script link is escaped: ``<`` always, entity-like ``&``, and links
to javascript:/vbscript:/data:/file: URLs.
"""

from __future__ import annotations

import html
import re
from functools import cache, lru_cache
from typing import Any

ALLOWED_TAGS = {
    "p",
    "br",
    "em",
    "strong",
    "code",
    "pre",
    "ul",
    "ol",
    "li",
    "blockquote",
    "a",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "s",
    "del",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
}
SAFE_SCHEMES = ("http://", "https://", "mailto:")
_BAD_SCHEME = r"(?:javascript|vbscript|data|file)\s*:"

# Text that markdown-it would render as a single plain paragraph.
_NEEDS_MARKDOWN = re.compile(r"[\\`*_\[\]<>&!~|\n\r\t\xa0]|^ *(?:[-+*>#=]|\d{1,9}[.)])|^ {4}|^\s*$")


@cache
def md_parser() -> Any:
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.enable(["strikethrough", "table"])
    md.disable("image")
    # Pure functions that dominate link parsing; incidents repeat the same few URLs.
    for name in ("normalizeLink", "normalizeLinkText", "validateLink"):
        setattr(md, name, lru_cache(maxsize=4096)(getattr(md, name)))
    return md


def _keep_safe_href(tag: str, attr: str, value: str) -> str | None:
    if tag == "a" and attr == "href":
        v = value.strip()
        return v if v.lower().startswith(SAFE_SCHEMES) else None
    return value


def sanitize(fragment: str) -> str:
    """Reduce an HTML fragment to the allowed tags and safe links (nh3)."""
    import nh3

    return nh3.clean(
        fragment,
        tags=ALLOWED_TAGS,
        attributes={"a": {"href", "title"}, "th": {"align"}, "td": {"align"}},
        url_schemes={"http", "https", "mailto"},
        attribute_filter=_keep_safe_href,
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )


# One line that can only hold inline Markdown (no block can start or end in it).
_BLOCK = re.compile(r"[\n\r\t\xa0]|^ *(?:[-+*>#=|\[]|\d{1,9}[.)]|```|~~~)|^ {4}|^\s*$")


@lru_cache(maxsize=8192)
def render_markdown(text: str) -> str:
    """Entry Markdown as safe HTML (see the module docstring). Memoised: automatic
    entries (probe and status changes) repeat the same words many times."""
    if not _NEEDS_MARKDOWN.search(text):
        stripped = text.strip()
        return f"<p>{html.escape(stripped, quote=False)}</p>\n" if stripped else ""
    if not _BLOCK.search(text):
        # A single paragraph: the inline parser alone gives the same HTML, faster.
        return sanitize(f"<p>{md_parser().renderInline(text.strip())}</p>\n")
    return sanitize(md_parser().render(text))


def render_markdown_slow(text: str) -> str:
    """Always through markdown-it and nh3 (tests compare it with the fast path)."""
    return sanitize(md_parser().render(text))


def esc(text: object) -> str:
    """Escape any user text for HTML text or attribute context."""
    if type(text) is str:
        return _esc_str(text)
    return html.escape("" if text is None else str(text), quote=True)


@lru_cache(maxsize=8192)
def _esc_str(text: str) -> str:
    # Authors, kinds, tags and clock times repeat across 100,000 entries.
    return html.escape(text, quote=True)


_ENTITY = re.compile(r"&(?=#?[0-9A-Za-z]+;)")
_BAD_LINK = re.compile(r"\]\((?=\s*<?\s*" + _BAD_SCHEME + ")", re.I)
_BAD_REFDEF = re.compile(r"^( {0,3})\[(?=[^\]\n]*\]:\s*<?\s*" + _BAD_SCHEME + ")", re.I | re.M)


def md_block(text: str) -> str:
    """Entry text for a Markdown file: still Markdown, but inert in any renderer."""
    if "<" not in text and "&" not in text and "]" not in text:
        return text
    t = text.replace("<", "\\<")
    t = _ENTITY.sub("\\\\&", t)
    t = _BAD_LINK.sub("]\\\\(", t)
    return _BAD_REFDEF.sub(r"\1\\[", t)


@lru_cache(maxsize=4096)
def md_inline(text: str) -> str:
    """A one-line value (title, author, table cell) for Markdown: inert and on one line."""
    t = " ".join(str(text).split())
    t = md_block(t)
    for ch in "|*_`[]#":
        t = t.replace(ch, "\\" + ch)
    return t
