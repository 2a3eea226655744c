"""User text in exports: Markdown kept inert, HTML rendered and then sanitised.

Entry text is Markdown written by people (and by feeds: untrusted). In the HTML
export it is rendered by the app's one renderer, ``warroom.base.markup`` (cmark-gfm in safe
mode, then nh3; see there), which the timeline pane uses too.

In the Markdown export the text stays Markdown, but anything another renderer could
turn into HTML or a script link is escaped: ``<`` always, entity-like ``&``, and links
to javascript:/vbscript:/data:/file: URLs.
"""

from __future__ import annotations

import html
import re
from functools import lru_cache

from warroom.base.markup import render_markdown, render_markdown_full, sanitize

_BAD_SCHEME = r"(?:javascript|vbscript|data|file)\s*:"


def esc(text: object) -> str:
    """Escape any user text for HTML text or attribute context."""
    s = text if type(text) is str else ("" if text is None else str(text))
    # Most values (clock times, ids, authors) hold nothing to escape: five substring
    # tests cost a fifth of html.escape's five replaces, 600,000 times per export.
    if "&" in s or "<" in s or ">" in s or '"' in s or "'" in s:
        return html.escape(s, quote=True)
    return s


_ENTITY = re.compile(r"&(?=#?[0-9A-Za-z]+;)")
_BAD_LINK = re.compile(r"\]\((?=\s*<?\s*" + _BAD_SCHEME + ")", re.I)
_BAD_REFDEF = re.compile(r"^( {0,3})\[(?=[^\]\n]*\]:\s*<?\s*" + _BAD_SCHEME + ")", re.I | re.M)


def md_block(text: str) -> str:
    """Entry text for a Markdown file: still Markdown, but inert in any renderer."""
    if "<" not in text and "&" not in text and "]" not in text:
        return text
    t = text.replace("<", "\\<")
    t = _ENTITY.sub("&amp;", t)  # not "\\&": cmark decodes the entity before the escape
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


__all__ = [
    "esc",
    "md_block",
    "md_inline",
    "render_markdown",
    "render_markdown_full",
    "sanitize",
]
