"""Entry Markdown to safe HTML: the one renderer of the app (exports and timeline pane).

Entry text is written by people and by feeds (untrusted). It is rendered by
markdown-it-py (CommonMark, with GFM tables and strikethrough) with raw HTML off, so
``<script>`` or ``<host>`` is shown as text and never becomes a tag; its link
validation is kept and narrowed (no javascript:/vbscript:/file:/data: target, so such
a link stays its source text and shows where it pointed). An image is shown as ``!``
and a link to its target, never loaded. Table alignment is written as ``align`` (what
nh3 keeps and Qt's rich text understands).

The result is then cleaned by nh3 (ammonia) down to a few formatting tags, with links
only to http, https and mailto. Plain one-line text (the usual log line) takes a fast
path that gives the same output (a property test checks this). Pure Python and Rust:
nothing is called through ctypes, and nothing is left to free.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

ALLOWED_TAGS = {
    "p", "br", "em", "strong", "code", "pre", "ul", "ol", "li", "blockquote", "a",
    "h1", "h2", "h3", "h4", "h5", "h6", "hr", "s", "del", "table", "thead", "tbody",
    "tr", "th", "td",
}  # fmt: skip
ALLOWED_ATTRIBUTES: dict[str, set[str]] = {
    "a": {"href", "title"},
    "ol": {"start"},
    "th": {"align"},
    "td": {"align"},
}
URL_SCHEMES = {"http", "https", "mailto"}
SAFE_SCHEMES = ("http://", "https://", "mailto:")
# Text that CommonMark would render as one plain paragraph fails both (a character search
# and a look at the start of the text: 4x faster than one regex with anchored branches).
_SPECIAL = re.compile(r"[\\`*_\[\]<>&!~|\n\r\t\x00\xa0]")
# "#www" and "192.0.2.53 down" are paragraphs: a heading or list marker needs a blank after.
_BLOCK_START = re.compile(r" *(?:[-+*>=]|#{1,6}(?:[ \t]|$)|\d{1,9}[.)](?:[ \t]|$))| {4}|\s*$")
# Lines starting so may be a link definition, a code fence or a thematic break.
_NOT_A_PARAGRAPH = frozenset("[`~_\t")
_DANGEROUS = re.compile(r"\s*(?:javascript|vbscript|file|data):", re.I)


def _keep_safe_href(tag: str, attr: str, value: str) -> str | None:
    if tag == "a" and attr == "href":
        v = value.strip()
        return v if v.lower().startswith(SAFE_SCHEMES) else None
    return value


@lru_cache(maxsize=1)
def _cleaner() -> Any:
    import nh3

    # Built once: building ammonia's rules on every call doubled the cost of a clean.
    return nh3.Cleaner(
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        attribute_filter=_keep_safe_href,
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )


def sanitize(fragment: str) -> str:
    """Reduce an HTML fragment to the allowed tags and safe links (nh3)."""
    return str(_cleaner().clean(fragment))


def _valid_link(url: str) -> bool:
    """markdown-it-py's check (it gets the decoded target), without data: images."""
    return not _DANGEROUS.match(url)


# A target that markdown-it's normalizeLink (mdurl parse, punycode, percent-encode)
# returns unchanged: ASCII, nothing to encode, no "%" that is not an escape.
_PLAIN_URL = re.compile(r"(?:[A-Za-z0-9;/?:@&=+$,\-_.!~*'()#]|%[0-9A-Fa-f]{2})*")


def _normalize_link(md: Any, url: str) -> str:
    """markdown-it's normalizeLink, skipped for a plain ASCII URL (the common case: a
    third of the cost of an entry with a link)."""
    if _PLAIN_URL.fullmatch(url):
        return url
    return str(md.__class__.normalizeLink(md, url))


def _image(renderer: Any, tokens: Sequence[Any], idx: int, options: Any, env: Any) -> str:
    """An image as ``!`` and a link to it: the reader chooses to load it, or not."""
    tok = tokens[idx]
    href = html.escape(str(tok.attrGet("src") or ""))
    title = tok.attrGet("title")
    title_attr = f' title="{html.escape(str(title))}"' if title else ""
    alt = html.escape(renderer.renderInlineAsText(tok.children or [], options, env), quote=False)
    return f'!<a href="{href}"{title_attr}>{alt}</a>'


def _align(state: Any) -> None:
    """Table cells: ``style="text-align:x"`` -> ``align="x"``."""
    for tok in state.tokens:
        if tok.type in ("th_open", "td_open"):
            style = tok.attrGet("style")
            if style and style.startswith("text-align:"):
                tok.attrs.pop("style", None)
                tok.attrSet("align", style[len("text-align:") :])


@lru_cache(maxsize=1)
def _md() -> Any:
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark", {"html": False}).enable(["table", "strikethrough"])
    md.validateLink = _valid_link  # type: ignore[method-assign]
    md.normalizeLink = lambda url: _normalize_link(md, url)  # type: ignore[method-assign]
    md.add_render_rule("image", _image)
    md.core.ruler.push("warroom_align", _align)
    return md


def render_markdown_full(text: str) -> str:
    """Always through markdown-it-py and nh3 (the fast path is checked against this)."""
    md = _md()
    # A lone surrogate cannot be written as UTF-8: show it as "?" (NUL becomes U+FFFD).
    text = text.encode("utf-8", "replace").decode("utf-8")
    return sanitize(md.render(text))


def render_markdown(text: str) -> str:
    """Entry Markdown as safe HTML (see the module docstring)."""
    special = _SPECIAL.search(text)
    if not (special or _BLOCK_START.match(text)):
        stripped = text.strip()
        # _SPECIAL has no match, so there is no "&", "<" or ">" to escape.
        return f"<p>{stripped}</p>\n" if stripped else ""
    return _render_cached(text)


@lru_cache(maxsize=8192)
def _render_cached(text: str) -> str:
    # Automatic entries (probe and status changes) repeat the same words many times.
    return _one_paragraph(text) or render_markdown_full(text)


def _one_paragraph(text: str) -> str | None:
    """A one-line text that can only be one paragraph: the plain words before its first
    Markdown character are written as they are, and only the rest goes through the
    inline parser (the log line "www down from isp-a, see `dig` ..." is the usual
    case; markdown-it-py's cost is per token). None when the text may be anything else.

    Sound because the split is at a space: a delimiter after it sees the same space
    before it as in the whole line, and nothing before it (plain text, no "&<>") can
    open or close anything. A property test checks it against ``render_markdown_full``.
    """
    if "\n" in text or "\r" in text or _BLOCK_START.match(text):
        return None
    lead = text.lstrip(" ")
    if lead[:1] in _NOT_A_PARAGRAPH:
        return None
    text = text.strip()  # as a paragraph is
    special = _SPECIAL.search(text)
    cut = text.rfind(" ", 0, special.start()) + 1 if special else len(text)
    prefix, rest = text[:cut], text[cut:]
    md = _md()
    rest = rest.encode("utf-8", "replace").decode("utf-8")
    env: dict[str, Any] = {}
    inline = md.renderer.render(md.parseInline(rest, env), md.options, env) if rest else ""
    body = prefix + inline if inline else prefix.rstrip()
    return sanitize(f"<p>{body}</p>\n") if body else ""
