"""The app's one Markdown renderer: reads as written, safe, and keeps memory flat."""

from __future__ import annotations

import os
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from warroom.base import markup


def test_markdown_reads_as_written() -> None:
    out = markup.render_markdown_full(
        "# Failover\n\nwww **down** since _09:40_, see `dig www` and "
        "[status](https://status.example.ch)\n\n- isp-a\n- isp-b\n\n3. third\n\n"
        "| site | state |\n|:--|--:|\n| A | down |\n\n~~fixed~~ not yet"
    )
    assert "<h1>Failover</h1>" in out
    assert "<strong>down</strong>" in out and "<em>09:40</em>" in out
    assert "<code>dig www</code>" in out
    assert '<a href="https://status.example.ch" rel="noopener noreferrer nofollow">' in out
    assert "<li>isp-a</li>" in out and '<ol start="3">' in out
    assert '<th align="left">site</th>' in out and '<td align="right">down</td>' in out
    assert "<s>fixed</s>" in out


def test_angle_brackets_are_text_and_autolinks_stay_links() -> None:
    out = markup.render_markdown_full(
        "ping <host> failed, 1 < 2, `<code>`, <https://a.example> and <ops@example.ch>"
    )
    assert "ping &lt;host&gt; failed, 1 &lt; 2, <code>&lt;code&gt;</code>" in out
    assert 'href="https://a.example"' in out and 'href="mailto:ops@example.ch"' in out
    assert markup.render_markdown_full("\\<b>x") == "<p>&lt;b&gt;x</p>\n"


def test_images_become_links_and_bad_links_stay_source() -> None:
    out = markup.render_markdown_full("![graph](https://g.example/p.png) [x](javascript:a)")
    assert out == (
        '<p>!<a href="https://g.example/p.png" rel="noopener noreferrer nofollow">graph</a>'
        " [x](javascript:a)</p>\n"
    )


def test_lone_surrogate_and_nul_do_not_break_rendering() -> None:
    assert markup.render_markdown("*a\ud800b*") == "<p><em>a?b</em></p>\n"
    assert markup.render_markdown("a\x00b") == "<p>a\ufffdb</p>\n"


def _rss() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/self/statm")
def test_memory_stays_flat_over_3000_renders() -> None:
    # The cmark-gfm wrappers it replaces leaked ~30 kB a call (90 MB over 3,000).
    docs = [
        f"- **item {i}** with `code`, ![img](https://x.example/{i}.png) and "
        f"[a link](https://x.example/{i})\n" * 3
        for i in range(3000)
    ]
    for d in docs[:200]:
        markup.render_markdown_full(d)
    before = _rss()
    for d in docs:
        markup.render_markdown_full(d)
    assert _rss() - before < 8_000_000


def test_no_ctypes() -> None:
    import ast
    import inspect

    tree = ast.parse(inspect.getsource(markup))
    names = {a.name for n in ast.walk(tree) if isinstance(n, ast.Import | ast.ImportFrom)
             for a in n.names}  # fmt: skip
    mods = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
    assert "ctypes" not in names | mods and "cmarkgfm" not in names | mods


@settings(max_examples=300, deadline=None)
@given(
    st.text(alphabet="abcXYZ019-._~:/?#[]@!$&'()*+,;=% \\\"<>^`{|}äé€", max_size=30).map(
        lambda s: "https://h.example/" + s
    )
)
def test_plain_url_shortcut_equals_markdown_its_normalize_link(url: str) -> None:
    from markdown_it import MarkdownIt

    want = MarkdownIt().normalizeLink(url)
    assert markup._normalize_link(markup._md(), url) == want
