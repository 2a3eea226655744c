"""The app's one Markdown renderer: reads as written, safe, and keeps memory flat."""

from __future__ import annotations

import html
import os
import re
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


def _visible(out: str) -> str:
    """The text a reader sees: tags dropped (user "<" is always escaped), entities read."""
    return html.unescape(re.sub(r"<[^>]*>", "", out))


@pytest.mark.parametrize(
    "text",
    [
        "<b>bold?</b> no",
        "<script>alert(1)</script>",
        "<div>\n<b>x</b> *y*\n</div>",  # an HTML block holding tags: two rounds
        "> <div>\n> <i>q</i>\n",
        "- <!-- comment -->\n- <?php x ?> and <![CDATA[y]]> and <!DOCTYPE z>",
        "| <th> | b |\n|---|---|\n| <td onclick=x> | 2 |",
        "**<img src=x onerror=alert(1)>**",
    ],
)
def test_raw_html_is_shown_as_written_never_a_tag_never_dropped(text: str) -> None:
    out = markup.render_markdown(text)
    for tag in re.findall(r"<[^<>\n]*>", text):
        assert tag in _visible(out), (tag, out)
    tags = "p|em|strong|ul|li|blockquote|table|thead|tbody|tr|th|td"
    assert not re.search(rf"<(?!/?(?:{tags})\b)", out)


def test_dangerous_links_and_images_keep_their_source_text() -> None:
    for text in (
        "<javascript:alert(1)>",
        "[x](&#106;avascript:alert(1))",
        "[x](JavaScript\\:alert(1))",
        "![x](javascript:alert(1))",
        "[x][r]\n\n[r]: data:text/html,hi",
    ):
        out = markup.render_markdown(text)
        assert "href" not in out, (text, out)
        assert "alert" in _visible(out) or "data:" in _visible(out), (text, out)
    assert markup.render_markdown("![a *b*](https://g.example/p.png 't')") == (
        '<p>!<a href="https://g.example/p.png" title="t" rel="noopener noreferrer nofollow">'
        "a <em>b</em></a></p>\n"
    )


def test_gfm_features_stay() -> None:
    out = markup.render_markdown("| a | b | c |\n|:-:|---|-:|\n| 1 | 2 | 3 |\n\n~~gone~~")
    assert '<th align="center">a</th><th>b</th><th align="right">c</th>' in out
    assert "<s>gone</s>" in out
    assert (
        markup.render_markdown("ETA ~5 min, maybe ~10 min") == "<p>ETA ~5 min, maybe ~10 min</p>\n"
    )
    assert 'href="https://x.example/a?b=1"' in markup.render_markdown("<https://x.example/a?b=1>")


# Markdown-ish fragments and raw-HTML-like tags. No "(" or ":" so that no tag can become a
# link target or a reference definition: then every tag written must be seen as written.
_TAGS = ["<b>", "</b>", "<script>", "<div>", "</div>", '<a href="x">', "<!-- c -->", "<br/>"]
_PIECES = ["*", "**", "_", "`", "```", "[", "]", "!", "\\", "\n", "\n\n", "> ", "- ", "1. ",
           "    ", "#", "|", "---", "~~", "&lt;", "&", "a", "word", " "]  # fmt: skip


@settings(max_examples=int(os.environ.get("HYPOTHESIS_EXAMPLES", "400")), deadline=None)
@given(
    st.lists(st.sampled_from(_TAGS + _PIECES), max_size=24)
    .map("".join)
    .filter(lambda s: "```" not in s and "~~~" not in s)  # a fence's info string is hidden
)
def test_every_tag_written_is_seen_as_text(text: str) -> None:
    out = markup.render_markdown(text)
    seen = _visible(out)
    for tag in _TAGS:
        assert seen.count(tag) >= text.count(tag), (text, out)
