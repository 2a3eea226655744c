"""Untrusted text: plain text, sanitised HTML, links, the server's rate-limit words."""

from __future__ import annotations

import httpx
import pytest

from warroom.social.http import rate_wait
from warroom.social.text import clean_plain, safe_html, safe_url, to_plain


def test_plain_text_keeps_words_and_lines_only() -> None:
    html = (
        "<p>Is <b>example</b> down?<br>Since 10:42 &amp; counting</p><p>second</p>"
        "<script>x()</script>"
    )
    assert to_plain(html) == "Is example down?\nSince 10:42 & counting\nsecond"
    assert to_plain("a \u202e b\x00c") == "a bc"  # no bidi override, no control characters
    assert to_plain("x" * 6000).endswith("…") and len(to_plain("x" * 6000)) == 5000
    assert clean_plain("<b>kept as typed</b>\x07") == "<b>kept as typed</b>"


@pytest.mark.parametrize(
    "bad",
    [
        '<img src="https://t.example/p.gif">',
        '<a href="javascript:alert(1)">x</a>',
        '<a href="data:text/html,hi">x</a>',
        '<p onclick="x()">x</p>',
        "<iframe src=https://e.example/></iframe>",
        "<style>@import url(https://e.example/f.css)</style>",
        '<svg onload="x()"></svg>',
        "<object data=https://e.example/x></object>",
    ],
)
def test_safe_html_drops_anything_that_runs_or_loads(bad: str) -> None:
    out = safe_html(bad)
    for word in (
        "img",
        "javascript",
        "data:",
        "onclick",
        "onload",
        "iframe",
        "style",
        "svg",
        "object",
        "e.example/",
    ):
        assert word not in out, out


def test_safe_html_keeps_plain_links() -> None:
    out = safe_html('<a href="https://status.example/">status</a>')
    assert 'href="https://status.example/"' in out and "noopener" in out


@pytest.mark.parametrize(
    ("url", "ok"),
    [
        ("https://example.test/a?b=c", True),
        ("http://127.0.0.1:8080/", True),
        ("javascript:alert(1)", False),
        ("JaVaScRiPt:alert(1)", False),
        ("data:text/html,x", False),
        ("file:///etc/passwd", False),
        ("//example.test/x", False),
        ("https://exa mple.test/", False),
        ("https://", False),
        ("http://:80/", False),
        ("https:example.test", False),
        ("HTTPS://EXAMPLE.TEST/", True),
        ("https://example.test/\u202e", False),
        (None, False),
    ],
)
def test_safe_url(url: object, ok: bool) -> None:
    assert (safe_url(url) is not None) is ok


def test_rate_wait_reads_every_form_servers_use() -> None:
    now = 1_800_000_000.0
    h = httpx.Headers
    assert rate_wait(h({"Retry-After": "120"}), now=now) == 120
    assert rate_wait(h({"Retry-After": "Fri, 15 Jan 2027 08:00:30 GMT"}), now=now) > 0
    iso = "2027-01-15T08:00:30.000Z"
    assert rate_wait(h({"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": iso}), now=now) > 0
    assert rate_wait(h({"X-RateLimit-Remaining": "12", "X-RateLimit-Reset": iso}), now=now) is None
    assert rate_wait(h({"X-RateLimit-Reset": str(int(now) + 90)}), force=True, now=now) == 90
    assert rate_wait(h({"RateLimit-Reset": "30"}), force=True, now=now) == 30
    assert rate_wait(h({}), force=True, now=now) is None
