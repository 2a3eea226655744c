"""Entry Markdown to safe HTML: the one renderer of the app (exports and timeline pane).

Entry text is written by people and by feeds (untrusted). It is rendered by GitHub's
cmark-gfm (the C renderer behind PyPI's readme_renderer; tables and strikethrough on)
in its safe mode: no ``CMARK_OPT_UNSAFE``, so raw HTML is never emitted and links to
javascript:/vbscript:/file:/data: lose their target. Two things are done around it so
that the text still reads as written:

- ``<`` that does not open an autolink is swapped for a private-use character before
  parsing and turned into ``&lt;`` after, so ``<host>`` or ``<script>`` is shown as text
  (cmark alone would drop it as "raw HTML omitted") and can never become a tag.
- An image is shown as ``!`` and a link to its target, never loaded.

The result is then cleaned by nh3 (ammonia) down to a few formatting tags, with links
only to http, https and mailto. Plain one-line text (the usual log line) takes a fast
path that gives the same output (a property test checks this).

cmarkgfm's Python wrappers never free the document tree or the rendered string (about
30 kB a call), so the same C functions are called here through ctypes and freed.
"""

from __future__ import annotations

import ctypes
import html
import re
import threading
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
EXTENSIONS = (b"table", b"strikethrough")

# Text that cmark would render as one plain paragraph fails both (a character search
# and a look at the start of the text: 4x faster than one regex with anchored branches).
_SPECIAL = re.compile(r"[\\`*_\[\]<>&!~|\n\r\t\x00\xa0]")
# "#www" and "192.0.2.53 down" are paragraphs: a heading or list marker needs a blank after.
_BLOCK_START = re.compile(r" *(?:[-+*>=]|#{1,6}(?:[ \t]|$)|\d{1,9}[.)](?:[ \t]|$))| {4}|\s*$")
# ``<`` that opens an autolink to a web or mail address stays (any other is text).
_LT = re.compile(
    r"(\\*)<(?!(?:https?|mailto):[^\s<>]*>"
    r"|[A-Za-z0-9.!#$%&'*+/=?^_`{|}~\-]+@[A-Za-z0-9](?:[A-Za-z0-9\-]{0,61}[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9\-]{0,61}[A-Za-z0-9])?)*>)"
)
# A link target (inline, or a reference definition) and the schemes shown as source.
_LINK_DEST = re.compile(r"\]\((?=[ \t]*\n?[ \t]*<?([^\s)>]*))")
_REF_DEF = re.compile(r"^( {0,3})\[(?=[^\]\n]*\]:[ \t]*\n?[ \t]*<?(\S*))", re.M)
_DANGEROUS = re.compile(r"\s*(?:javascript|vbscript|file|data):", re.I)
# cmark's own image output (raw HTML never reaches the output, so this is cmark's).
_IMG = re.compile(r'<img src="([^"]*)" alt="([^"]*)"( title="[^"]*")? />')


class _Mem(ctypes.Structure):
    _fields_ = [
        ("calloc", ctypes.CFUNCTYPE(ctypes.c_void_p, ctypes.c_size_t, ctypes.c_size_t)),
        ("realloc", ctypes.CFUNCTYPE(ctypes.c_void_p, ctypes.c_void_p, ctypes.c_size_t)),
        ("free", ctypes.CFUNCTYPE(None, ctypes.c_void_p)),
    ]


class _Cmark:
    """cmark-gfm's C API, loaded from cmarkgfm's own shared library."""

    def __init__(self) -> None:
        from cmarkgfm import _cmark

        lib = ctypes.CDLL(_cmark.__file__)
        vp, sz, i = ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int
        for name, res, args in (
            ("cmark_gfm_core_extensions_ensure_registered", None, []),
            ("cmark_find_syntax_extension", vp, [ctypes.c_char_p]),
            ("cmark_parser_new", vp, [i]),
            ("cmark_parser_attach_syntax_extension", i, [vp, vp]),
            ("cmark_parser_feed", None, [vp, ctypes.c_char_p, sz]),
            ("cmark_parser_finish", vp, [vp]),
            ("cmark_parser_get_syntax_extensions", vp, [vp]),
            ("cmark_render_html", vp, [vp, i, vp]),
            ("cmark_node_free", None, [vp]),
            ("cmark_parser_free", None, [vp]),
            ("cmark_get_default_mem_allocator", ctypes.POINTER(_Mem), []),
        ):
            fn = getattr(lib, name)
            fn.restype, fn.argtypes = res, args
        lib.cmark_gfm_core_extensions_ensure_registered()
        self.lib = lib
        self.free = lib.cmark_get_default_mem_allocator().contents.free
        self.extensions = [lib.cmark_find_syntax_extension(n) for n in EXTENSIONS]
        if not all(self.extensions):
            raise RuntimeError("cmark-gfm lacks the table or strikethrough extension")

    def to_html(self, text: str) -> str:
        """cmark-gfm's HTML for ``text`` in safe mode (options 0: no UNSAFE)."""
        data = text.encode("utf-8", "replace")  # a lone surrogate becomes "?"
        lib = self.lib
        parser = lib.cmark_parser_new(0)
        root = None
        try:
            for ext in self.extensions:
                lib.cmark_parser_attach_syntax_extension(parser, ext)
            lib.cmark_parser_feed(parser, data, len(data))
            root = lib.cmark_parser_finish(parser)
            out = lib.cmark_render_html(root, 0, lib.cmark_parser_get_syntax_extensions(parser))
            try:
                return ctypes.string_at(out).decode("utf-8")
            finally:
                self.free(out)
        finally:
            if root:
                lib.cmark_node_free(root)
            lib.cmark_parser_free(parser)


_cmark: _Cmark | None = None
_cmark_lock = threading.Lock()


def _lib() -> _Cmark:
    global _cmark
    if _cmark is None:
        with _cmark_lock:
            if _cmark is None:
                _cmark = _Cmark()
    return _cmark


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


def _placeholder(text: str) -> str:
    for cp in range(0xE000, 0xF900):
        if chr(cp) not in text:
            return chr(cp)
    raise ValueError("text uses every private-use character")  # pragma: no cover


def _dangerous(dest: str) -> bool:
    return bool(_DANGEROUS.match(html.unescape(dest).replace("\\", "")))


def _defuse(m: re.Match[str]) -> str:
    """A link to javascript: and the like stays its source text, as written, instead of
    becoming a link with no target (cmark's safe mode) that hides where it pointed."""
    if not _dangerous(m.group(m.lastindex or 0)):
        return m.group(0)
    return "]\\(" if m.group(0).startswith("]") else m.group(1) + "\\["


def render_markdown_full(text: str) -> str:
    """Always through cmark-gfm and nh3 (the fast path is checked against this)."""
    if "](" in text:
        text = _LINK_DEST.sub(_defuse, text)
    if "]:" in text:
        text = _REF_DEF.sub(_defuse, text)
    if "<" in text:
        ph = _placeholder(text)
        # An escaped "\<" is already text; a "<" after an escaped backslash is not.
        raw = _lib().to_html(
            _LT.sub(lambda m: m.group(0) if len(m.group(1)) % 2 else m.group(1) + ph, text)
        )
        # In a link target cmark percent-encodes the placeholder, as it would "<".
        pct = "".join(f"%{b:02X}" for b in ph.encode("utf-8"))
        raw = raw.replace(ph, "&lt;").replace(pct, "%3C")
    else:
        raw = _lib().to_html(text)
    if "<img " in raw:
        raw = _IMG.sub(r'!<a href="\1"\3>\2</a>', raw)
    return sanitize(raw)


def render_markdown(text: str) -> str:
    """Entry Markdown as safe HTML (see the module docstring)."""
    if not (_SPECIAL.search(text) or _BLOCK_START.match(text)):
        stripped = text.strip()
        # _SPECIAL has no match, so there is no "&", "<" or ">" to escape.
        return f"<p>{stripped}</p>\n" if stripped else ""
    return _render_cached(text)


@lru_cache(maxsize=8192)
def _render_cached(text: str) -> str:
    # Automatic entries (probe and status changes) repeat the same words many times.
    return render_markdown_full(text)
