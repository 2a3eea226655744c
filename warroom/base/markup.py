"""Entry Markdown to safe HTML: the one renderer of the app (exports and timeline pane).

Entry text is written by people and by feeds (untrusted). It is rendered by
pulldown-cmark (Rust, through pyromark's compiled bindings: CommonMark with GFM tables
and strikethrough), about 5x faster than markdown-it-py, whose inline parser was most
of the HTML export's time. pulldown-cmark passes raw HTML through, as CommonMark says,
so before rendering every construct that must not be one is neutralised in the source
by a backslash, found by the parser itself (its events with byte ranges):

- raw HTML (``<b>``, ``<script>``, ``<!-- -->``, an HTML block): ``\\<`` shows the text
  as written, escaped, never a tag and never silently dropped;
- an image: ``\\!`` leaves ``!`` and a link to its target, never loaded;
- a link to a javascript:/vbscript:/file:/data: target: ``\\[`` (or ``\\<`` for an
  autolink, and ``\\[`` before a reference definition to one) keeps its source text,
  so the reader sees where it pointed.

A backslash before ASCII punctuation is CommonMark's escape, and punctuation before
punctuation leaves emphasis flanking as it was. Text and block structure stay as
written; the parse is repeated until nothing is left (an HTML block, once opened, may
hold more tags). Table alignment is written as ``align`` and ``<del>`` as ``<s>``
(what nh3 keeps and Qt's rich text understands).

The result is then cleaned by nh3 (ammonia) down to a few formatting tags, with links
only to http, https and mailto: the allow-list holds even if the step above missed
something. Plain one-line text (the usual log line) takes a fast path that gives the
same output (a property test checks this). Compiled Rust, no ctypes, nothing to free.
"""

from __future__ import annotations

import html
import re
from functools import lru_cache

import nh3
import pyromark

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
_DANGEROUS = re.compile(r"\s*(?:javascript|vbscript|file|data):", re.I)
# Raw HTML and autolinks start with "<", links and images with "[": without either
# there is nothing to neutralise.
_MAYBE_ACTIVE = re.compile(r"[<\[]")
_ALIGN = re.compile(r' style="text-align: (left|center|right)"')
# Each round escapes at least one construct; real text needs one or two.
_MAX_ROUNDS = 32
_OPTIONS = pyromark.Options.ENABLE_TABLES | pyromark.Options.ENABLE_STRIKETHROUGH


def _keep_safe_href(tag: str, attr: str, value: str) -> str | None:
    if tag == "a" and attr == "href":
        v = value.strip()
        return v if v.lower().startswith(SAFE_SCHEMES) else None
    return value


@lru_cache(maxsize=1)
def _cleaner() -> nh3.Cleaner:
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
    return _cleaner().clean(fragment)


@lru_cache(maxsize=1)
def _parser() -> pyromark.Markdown:
    return pyromark.Markdown(options=_OPTIONS)


def _escape_points(src: str) -> list[int]:
    """UTF-8 byte offsets in ``src`` where a backslash turns raw HTML, an image or a
    dangerous link into text (see the module docstring)."""
    data = b""
    cuts: list[int] = []
    for event, span in _parser().events_with_range(src):
        if not isinstance(event, dict):
            continue
        if "InlineHtml" in event:
            cuts.append(span["start"])
            continue
        start = event.get("Start")
        if start == "HtmlBlock":
            data = data or src.encode()
            cuts.append(data.index(b"<", span["start"]))
        elif isinstance(start, dict):
            if "Image" in start:
                cuts.append(span["start"])  # "!"
                if _DANGEROUS.match(start["Image"]["dest_url"]):
                    cuts.append(span["start"] + 1)  # "["
            elif "Link" in start and _DANGEROUS.match(start["Link"]["dest_url"]):
                cuts.append(span["start"])  # "[" or an autolink's "<"
    if "]:" in src:  # a definition of such a target stays a line of text too
        for ref in _parser().reference_definitions(src).values():
            if _DANGEROUS.match(ref["dest"]):
                data = data or src.encode()
                cuts.append(data.index(b"[", ref["span"]["start"]))
    return cuts


def neutralise(text: str) -> str:
    """``text`` with raw HTML, images and dangerous links escaped so that pulldown-cmark
    renders them as the text written (idempotent; no change when there are none)."""
    if not _MAYBE_ACTIVE.search(text):
        return text
    for _ in range(_MAX_ROUNDS):
        cuts = _escape_points(text)
        if not cuts:
            return text
        data = text.encode()
        parts, last = [], 0
        for cut in sorted(set(cuts)):
            parts += [data[last:cut], b"\\"]
            last = cut
        parts.append(data[last:])
        text = b"".join(parts).decode()
    # Unreachable for real text; if it ever happens, every "<" and "[" is escaped.
    return re.sub(r"([<\[!])", r"\\\1", text.replace("\\", "\\\\"))


def render_markdown_full(text: str) -> str:
    """Always through pulldown-cmark and nh3 (the fast path is checked against this)."""
    # A lone surrogate cannot be written as UTF-8: show it as "?" (NUL becomes U+FFFD).
    text = text.encode("utf-8", "replace").decode("utf-8")
    if "\x00" in text:  # CommonMark: NUL is U+FFFD (pulldown-cmark keeps it)
        text = text.replace("\x00", "\ufffd")
    out = _parser().html(neutralise(text))
    if "<t" in out:
        out = _ALIGN.sub(r' align="\1"', out)
    if "<del>" in out:
        out = out.replace("<del>", "<s>").replace("</del>", "</s>")
    return sanitize(out)


def render_markdown(text: str) -> str:
    """Entry Markdown as safe HTML (see the module docstring)."""
    if not (_SPECIAL.search(text) or _BLOCK_START.match(text)):
        stripped = text.strip()
        # _SPECIAL has no match, so there is no "&", "<" or ">" to escape.
        return f"<p>{stripped}</p>\n" if stripped else ""
    return render_markdown_full(text)


# What a self-contained page of ours may load: nothing but its own inline style (the
# HTML export and the public status page).
CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src 'none'; form-action 'none'"


def esc(text: object) -> str:
    """Escape any user text for HTML text or attribute context."""
    s = text if type(text) is str else ("" if text is None else str(text))
    # Most values (clock times, ids, authors) hold nothing to escape: five substring
    # tests cost a fifth of html.escape's five replaces, 600,000 times per export.
    if "&" in s or "<" in s or ">" in s or '"' in s or "'" in s:
        return html.escape(s, quote=True)
    return s


__all__ = ["CSP", "esc", "neutralise", "render_markdown", "render_markdown_full", "sanitize"]
