"""Entry text to safe HTML, and the shortened preview of a huge paste. No Qt here.

Markdown is rendered with raw HTML switched off, then cleaned with nh3 (an allow-list),
so nothing an entry contains can run a script, load a remote image or style itself
unreadable. Links stay visible as text with their target but are never fetched.
"""

from __future__ import annotations

import functools

import nh3
from markdown_it import MarkdownIt

# A row shows at most this much; the rest is one keypress away (Space / "Show all").
PREVIEW_CHARS = 700
PREVIEW_LINES = 8

ALLOWED_TAGS = {
    "p", "br", "em", "strong", "code", "pre", "blockquote", "ul", "ol", "li",
    "h1", "h2", "h3", "h4", "h5", "h6", "hr", "a", "s", "del", "table", "thead",
    "tbody", "tr", "th", "td",
}  # fmt: skip
ALLOWED_ATTRIBUTES: dict[str, set[str]] = {"a": {"href", "title"}, "ol": {"start"}}
URL_SCHEMES = {"http", "https", "mailto"}


@functools.cache
def _md() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.enable(["table", "strikethrough"])
    # An image would be a request to someone else's server: show its markdown instead.
    md.disable("image")
    return md


def to_html(text: str) -> str:
    """Sanitised HTML for an entry's Markdown."""
    raw = _md().render(text)
    return nh3.clean(
        raw,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )


def is_long(text: str) -> bool:
    return len(text) > PREVIEW_CHARS or text.count("\n") >= PREVIEW_LINES


def preview(text: str) -> str:
    """The first lines of a long text (cut at a line or word boundary), else the text."""
    if not is_long(text):
        return text
    cut = text[:PREVIEW_CHARS]
    lines = cut.split("\n")
    if len(lines) > PREVIEW_LINES:
        cut = "\n".join(lines[:PREVIEW_LINES])
    elif len(text) > PREVIEW_CHARS:
        space = cut.rfind(" ", PREVIEW_CHARS - 120)
        if space > 0:
            cut = cut[:space]
    # Never end inside an unclosed code fence: it would swallow the notice below.
    if cut.count("```") % 2:
        cut += "\n```"
    return cut


def size_note(text: str) -> str:
    """``1,048,576 characters, 3 lines`` for the "shortened" notice."""
    lines = text.count("\n") + 1
    return f"{len(text):,} characters, {lines:,} line{'s' if lines != 1 else ''}"
