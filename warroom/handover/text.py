"""User text in exports: Markdown kept inert, HTML rendered and then sanitised.

Entry text is Markdown written by people (and by feeds: untrusted). In the HTML
export it is rendered by the app's one renderer, ``warroom.base.markup`` (pulldown-cmark
with raw HTML, images and unsafe links escaped to text, then nh3; see there), which the
timeline pane uses too.

In the Markdown exports the text stays Markdown, made inert for any renderer by
``warroom.handover.mdinert`` (``md_block``, ``md_inline``; see there).
"""

from __future__ import annotations

from warroom.base.markup import esc, render_markdown, render_markdown_full, sanitize
from warroom.handover.mdinert import indent_block, md_block, md_inline

__all__ = [
    "esc",
    "indent_block",
    "md_block",
    "md_inline",
    "render_markdown",
    "render_markdown_full",
    "sanitize",
]
