"""User text in Markdown files, inert in any renderer and reading as the user wrote it.

Entry text stays Markdown in the Markdown exports, and entries can come from
untrusted feeds. A renderer that allows raw HTML (GitHub, many viewers) must never
get a tag, an image or a script link out of it, whatever the backslashes, and the
escaping must not show where a person reads (rendered, or inside code).

- Outside code, every ``<`` becomes ``&lt;``: an entity is text in every Markdown
  renderer, CommonMark or not, so no count of backslashes in front of it can reopen
  a tag. Backslashes before it keep what they meant: ``\\<`` (an escaped ``<``)
  becomes ``&lt;``, ``\\\\<`` (an escaped backslash, then ``<``) ``\\\\&lt;``.
- ``![`` that is not escaped gets a backslash: an image becomes ``!`` and a link, so
  a remote picture is never loaded to track the reader.
- A link (``](``) or link reference definition (``]:``) whose target is not plainly
  http, https, mailto or a relative path gets a backslash before its ``(`` or ``:``,
  so it stays the text it was (a backslash before punctuation is invisible once
  rendered).
- Inside code spans and code blocks nothing is changed: there ``&lt;`` or a backslash
  would be shown as typed. Code is found the CommonMark way; where that cannot be
  sure (lists, tables, link targets), the result is parsed with markdown-it-py with
  raw HTML on, and if anything active shows up the text is escaped everywhere.
"""

from __future__ import annotations

import bisect
import re
import string
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from markdown_it import MarkdownIt

_PUNCT = frozenset(string.punctuation)
_HOT = re.compile(r"(\\*)(<|!\[|\]\(|\]:)")
_NEEDS_WORK = re.compile(r"[<\]!]")
_FENCE_OPEN = re.compile(r"( {0,3})(`{3,}|~{3,})(.*)")
_SAFE_ABS = re.compile(r"(?:https?://|mailto:)", re.I)
_DEST = re.compile(r"[ \t]*(?:\n[ \t]*)?([^\x00-\x20]*)")
_REL_HEAD = re.compile(r"[^/?#)]*")
_REL_BAD = re.compile(r"[:\\&%<>`]")
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:")
_QUOTE = re.compile(r"( {0,3}>)*")


def safe_href(href: str) -> bool:
    """True for http, https, mailto and relative targets (no other scheme)."""
    h = href.strip()
    return bool(_SAFE_ABS.match(h)) or not _SCHEME.match(h)


def _safe_dest(text: str, pos: int, *, inline: bool) -> bool:
    """Is the link target that starts at ``pos`` plainly harmless?"""
    m = _DEST.match(text, pos)
    dest = m.group(1) if m else ""
    if not dest:
        # ``[x]()`` is an empty link; anything else there is no link target we can read.
        return not inline or text.startswith(")", m.end() if m else pos)
    if _SAFE_ABS.match(dest):
        return True
    head = _REL_HEAD.match(dest)
    return not _REL_BAD.search(head.group(0) if head else dest)


def _indent(line: str) -> int:
    cols = 0
    for ch in line:
        if ch == " ":
            cols += 1
        elif ch == "\t":
            cols += 4 - cols % 4
        else:
            break
    return cols


def _code_regions(text: str) -> tuple[list[tuple[int, int]], str]:
    """Spans of ``text`` that CommonMark reads as code, and a closing fence if one is
    left open (so the rest of the file does not become code)."""
    regions: list[tuple[int, int]] = []
    pos = 0
    fence: tuple[str, int, str] | None = None  # (char, length, quote prefix)
    prev_blank = True
    prev_indented = False
    for line in text.split("\n"):
        end = pos + len(line)
        prefix_m = _QUOTE.match(line)
        prefix = prefix_m.group(0) if prefix_m else ""
        body = line[len(prefix) :]
        if prefix and body.startswith(" "):
            body = body[1:]
            prefix += " "
        if fence is not None:
            char, length, fprefix = fence
            if prefix.rstrip() != fprefix.rstrip():
                fence = None  # the container ended: the rest is not known to be code
            else:
                regions.append((pos, end + 1))
                close = re.fullmatch(f" {{0,3}}{re.escape(char)}{{{length},}} *", body)
                if close:
                    fence = None
                pos = end + 1
                prev_blank, prev_indented = False, False
                continue
        opened = _FENCE_OPEN.fullmatch(body)
        if opened and not (opened.group(2)[0] == "`" and "`" in opened.group(3)):
            fence = (opened.group(2)[0], len(opened.group(2)), prefix)
            regions.append((pos, end + 1))
            prev_blank, prev_indented = False, False
        elif not body.strip():
            prev_blank = True
            prev_indented = prev_indented and not prefix
        elif not prefix and _indent(line) >= 4 and (prev_blank or prev_indented):
            regions.append((pos, end + 1))
            prev_blank, prev_indented = False, True
        else:
            regions.extend(_code_spans(text, pos, end))
            prev_blank, prev_indented = False, False
        pos = end + 1
    closing = ""
    if fence is not None:
        closing = "\n" + fence[2] + fence[0] * fence[1]
    return regions, closing


def _code_spans(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Inline code spans within one line (a span over several lines is left out: its
    text is then escaped, which is safe, only less pretty)."""
    out: list[tuple[int, int]] = []
    i = text.find("`", start, end)
    while i != -1:
        j = i
        while j < end and text[j] == "`":
            j += 1
        k = i
        while k > start and text[k - 1] == "\\":
            k -= 1
        opener = i + 1 if (i - k) % 2 else i  # an escaped first backtick is text
        n = j - opener
        if n == 0:
            i = text.find("`", j, end)
            continue
        close = _find_run(text, j, end, n)
        if close == -1:
            i = text.find("`", j, end)
            continue
        out.append((opener, close + n))
        i = text.find("`", close + n, end)
    return out


def _find_run(text: str, start: int, end: int, n: int) -> int:
    i = text.find("`", start, end)
    while i != -1:
        j = i
        while j < end and text[j] == "`":
            j += 1
        if j - i == n:
            return i
        i = text.find("`", j, end)
    return -1


def _escape(text: str, regions: list[tuple[int, int]]) -> tuple[str, bool]:
    """Escape outside ``regions``; also say whether a code region held anything that
    would be active were it not code (then the result must be checked)."""
    starts = [a for a, _ in regions]
    out: list[str] = []
    last = 0
    risky = False
    for m in _HOT.finditer(text):
        tok_at = m.start(2)
        r = bisect.bisect_right(starts, tok_at) - 1
        if r >= 0 and tok_at < regions[r][1]:
            risky = True
            continue
        k = len(m.group(1))
        escaped = k % 2 == 1
        tok = m.group(2)
        if tok == "<":
            repl = "\\" * (k - 1 if escaped else k) + "&lt;"
        elif escaped:
            continue
        elif tok == "![":
            repl = "\\" * k + "\\!["
        elif _safe_dest(text, m.end(), inline=tok == "]("):
            continue
        else:
            repl = "\\" * k + "]\\" + tok[1]
        out.append(text[last : m.start()])
        out.append(repl)
        last = m.end()
    out.append(text[last:])
    return "".join(out), risky


_LINKISH = re.compile(r"\]([(:])")


def _nothing_to_escape(text: str) -> bool:
    """No ``<``, no image and only plainly safe link targets: then where code is does
    not matter (the usual entry with a link is returned as it is, without a scan)."""
    if "<" in text or "![" in text:
        return False
    return all(_safe_dest(text, m.end(), inline=m.group(1) == "(") for m in _LINKISH.finditer(text))


def md_block(text: str) -> str:
    """Entry text for a Markdown file: still Markdown, inert in any renderer.

    The result must be placed where its block structure stays its own: on lines of its
    own, every line indented alike (e.g. by a list item's content width).
    """
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    fenced = "```" in text or "~~~" in text  # an unclosed fence must be closed
    if not fenced and (not _NEEDS_WORK.search(text) or _nothing_to_escape(text)):
        return text
    regions, closing = _code_regions(text)
    out, risky = _escape(text, regions)
    if risky and not is_inert(out + closing):
        out, _ = _escape(text, [])
        closing = ""
    return out + closing


@lru_cache(maxsize=4096)
def md_inline(text: str) -> str:
    """A plain one-line value (title, author, table cell) as Markdown that renders as
    exactly that text, on one line, and is inert in any renderer."""
    t = " ".join(str(text).split())
    out: list[str] = []
    n = len(t)
    for i, ch in enumerate(t):
        if ch == "<":
            out.append("&lt;")
        elif ch == "&":
            out.append("&amp;" if re.match(r"&#?[0-9A-Za-z]+;", t[i:]) else "&")
        elif ch == "\\":
            nxt = t[i + 1] if i + 1 < n else ""
            out.append("\\\\" if nxt in _PUNCT or not nxt else "\\")
        elif ch in "`*_[]|#~!":
            out.append("\\" + ch)
        else:
            out.append(ch)
    return "".join(out)


@lru_cache(maxsize=1)
def _checker() -> MarkdownIt:
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])
    md.validateLink = lambda url: True  # type: ignore[method-assign]  # every link a careless renderer makes
    return md


def is_inert(markdown: str) -> bool:
    """No raw HTML, no image and no link to a script scheme when rendered with raw
    HTML allowed (markdown-it-py, CommonMark with GFM tables and strikethrough)."""
    stack = list(_checker().parse(markdown))
    while stack:
        tok = stack.pop()
        if tok.type in ("html_block", "html_inline", "image"):
            return False
        if tok.type == "link_open" and not safe_href(str(tok.attrGet("href") or "")):
            return False
        if tok.children:
            stack.extend(tok.children)
    return True


def indent_block(text: str, width: int) -> str:
    """``text`` indented by ``width`` spaces (blank lines stay empty)."""
    pad = " " * width
    return "\n".join((pad + line) if line else "" for line in text.split("\n"))
