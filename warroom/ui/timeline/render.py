"""Entry text to safe HTML, and the shortened preview of a huge paste. No Qt here.

Markdown is rendered by ``warroom.base.markup`` (the same renderer as the HTML export:
pulldown-cmark with raw HTML, images and unsafe links escaped first, then nh3's
allow-list), so nothing an entry contains can run a script, load a remote image or
style itself unreadable. Links stay visible as text with their target
but are never fetched.
"""

from __future__ import annotations

from warroom.base.markup import render_markdown

# A row shows at most this much; the rest is one keypress away (Space / "Show all").
PREVIEW_CHARS = 700
PREVIEW_LINES = 8


def to_html(text: str) -> str:
    """Sanitised HTML for an entry's Markdown: the app's one renderer (warroom.base.markup)."""
    return render_markdown(text)


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
