"""The Markdown outputs stay inert in a renderer that allows raw HTML (issue 10, 1-3).

A corpus generated here (tags x event handlers x URL schemes x encodings, plus the
Markdown forms: backslashes, links and images, autolinks, reference links, HTML
blocks, code) goes into entry text, titles, summaries, tags, authors and table cells.
Every Markdown output is rendered by markdown-it-py with raw HTML on (and by cmark in
unsafe mode when cmarkgfm happens to be installed), then parsed with html.parser:
only the tags and attributes plain Markdown makes may appear, links only to http,
https, mailto or relative targets. HTML and CSV outputs are checked too.
"""

from __future__ import annotations

import csv
import io
import itertools
import random
import re
from html.parser import HTMLParser

import pytest
from markdown_it import MarkdownIt

from warroom.handover import mdinert
from warroom.handover.brief import build_brief, render_brief_html, render_brief_markdown
from warroom.handover.csv_export import render_csv
from warroom.handover.html import render_html
from warroom.handover.markdown import render_markdown
from warroom.handover.report import build_report, report_html
from warroom.handover.view import load_view
from warroom.services.timeline import Timeline
from warroom.store import Store

TAGS = ["script", "img", "svg", "iframe", "a", "body", "details", "video", "audio",
        "object", "embed", "math", "style", "input", "form", "marquee", "base", "link",
        "meta", "isindex", "frameset", "template", "xss"]  # fmt: skip
HANDLERS = ["onerror", "onload", "onmouseover", "onfocus", "ontoggle", "onbegin",
            "onanimationstart", "onpointerenter", "ONERROR", "oNlOaD"]  # fmt: skip
SCHEMES = [
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    " javascript:alert(1)",
    "java\tscript:alert(1)",
    "&#106;avascript:alert(1)",
    "&#x6A;avascript&colon;alert(1)",
    "javascript&#58;alert(1)",
    "jav&#x09;ascript:alert(1)",
    "javascript\\:alert(1)",
    "\\javascript:alert(1)",
    "vbscript:msgbox(1)",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "file:///etc/passwd",
    "%6Aavascript:alert(1)",
    "http://tracker.example/p.gif",
]
# Ways to write "<": raw, after 1-4 backslashes, as entities, percent-encoded, full width.
LT = ["<", "\\<", "\\\\<", "\\\\\\<", "\\\\\\\\<", "&lt;", "&#60;", "&#x3c;", "%3C", "＜", "\\&lt;"]


def _tag_payloads() -> list[str]:
    out = []
    rnd = random.Random(10)
    for tag, handler in itertools.product(TAGS, HANDLERS):
        lt = rnd.choice(LT)
        out.append(f"{lt}{tag} src=x {handler}=alert(1)>")
    for tag in TAGS:
        out.append(f"<{tag}/{HANDLERS[0]}=alert(1)//>")
        out.append(f'<{tag} {HANDLERS[1]}="alert(1)">x</{tag}>')
    for lt in LT:
        out.append(f"{lt}img src=x onerror=alert(1)>")
        out.append(f"`{lt}img src=x onerror=alert(1)>`")
        out.append(f"a `code` then {lt}img src=x onerror=alert(1)> and `more`")
    return out


def _scheme_payloads() -> list[str]:
    out = []
    for url in SCHEMES:
        out += [
            f"[click]({url})",
            f"![pixel]({url})",
            f"\\![pixel]({url})",
            f"\\\\![pixel]({url})",
            f"[x](<{url}>)",
            f'[x]( {url} "title")',
            f"[x](\n{url})",
            f"<{url}>",
            f"[ref link][r]\n\n[r]: {url}",
            f"![img ref][r]\n\n[r]: <{url}>",
            f"[r]\n\n[r]:\n  {url}\n  'title'",
            f"- item\n\n  [r]: {url}\n\n  [r]",
            f"> [q]({url})",
            f'<a href="{url}">a</a>',
            f"[a`]`]({url})",
            f"[a`x`]({url})",
            f"[x\\]({url})",
        ]
    return out


def _markdown_forms() -> list[str]:
    img = "<img src=x onerror=alert(1)>"
    return [
        f"<div>\n{img}\n</div>",
        "<details open ontoggle=alert(1)>\n\n*x*\n\n</details>",
        "<!-- <script>alert(1)</script> -->",
        "<?php echo 1; ?>",
        "<![CDATA[<script>alert(1)</script>]]>",
        "<!DOCTYPE html><script>alert(1)</script>",
        f"```\n{img}\n```",
        f"~~~html\n{img}\n~~~",
        f"```{img}\nx\n```",
        f"    {img}",
        f"para\n    {img}",
        f"- list\n\n    {img}",
        f"- list\n\n      {img}",
        f"> ```\n> {img}\n> ```",
        f"> ```\n{img}\n```",
        f"   ```\n{img}\n```",
        f"```\n{img}",
        f"`` {img} ``",
        f"`\\`{img}`",
        f"\\`{img}`",
        f"`x\n{img}`",
        f"`x\n# {img}`",
        f"[x](http://a/`) {img} `",
        f"| a | b |\n|---|---|\n| `x|{img}` | y |",
        f"| a |\n|---|\n| {img} |",
        f"*{img}*",
        f"**{img}**",
        f"# {img}",
        f"{img}\n===",
        "<https://example.org/<img src=x onerror=alert(1)>>",
        "<ops@example.ch>",
        "www.example.org/<img src=x onerror=alert(1)>",
        "&lt;script&gt;alert(1)&lt;/script&gt;",
        "\\\\\\\\\\\\<script>alert(1)</script>",
        "<scr\u200bipt>alert(1)</script>",
        "<<script>alert(1)//<</script>",
        '"><script>alert(1)</script>',
        "' onmouseover='alert(1)",
        f"[{img}](https://ok.example)",
        f'[x](https://ok.example "{img}")',
    ]


CORPUS = list(dict.fromkeys(_tag_payloads() + _scheme_payloads() + _markdown_forms()))

ALLOWED = {"p", "em", "strong", "code", "pre", "a", "ul", "ol", "li", "h1", "h2", "h3",
           "h4", "h5", "h6", "hr", "br", "blockquote", "table", "thead", "tbody", "tr",
           "th", "td", "s", "del", "input"}  # fmt: skip
ALLOWED_ATTRS = {"a": {"href", "title"}, "ol": {"start"}, "code": {"class"}, "pre": {"lang"},
                 "th": {"style", "align"}, "td": {"style", "align"}}  # fmt: skip


class Audit(HTMLParser):
    """Every tag and attribute of rendered Markdown, judged one by one."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.text: list[str] = []
        self.code: list[str] = []
        self._in_code = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in ALLOWED:
            self.problems.append(f"<{tag}>")
        if tag == "input":  # GFM task list items ("- [ ] action"): a disabled checkbox
            if dict(attrs).get("type") != "checkbox" or "disabled" not in dict(attrs):
                self.problems.append(f"<input {attrs}>")
            attrs = [(k, v) for k, v in attrs if k not in ("type", "disabled", "checked")]
        for name, value in attrs:
            if name not in ALLOWED_ATTRS.get(tag, set()):
                self.problems.append(f"<{tag} {name}>")
            elif name == "href":
                v = re.sub(r"[\s\x00-\x1f]", "", value or "")
                if not mdinert.safe_href(v):
                    self.problems.append(f"href={value!r}")
            elif name == "style" and not re.fullmatch(
                r"text-align:(left|right|center)", value or ""
            ):
                self.problems.append(f"style={value!r}")
        if tag == "code":
            self._in_code += 1
            self.code.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "code":
            self._in_code -= 1

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        if self._in_code:
            self.code[-1] += data

    def handle_comment(self, data: str) -> None:
        self.problems.append("comment")

    def handle_decl(self, decl: str) -> None:
        self.problems.append("declaration")

    def handle_pi(self, data: str) -> None:
        self.problems.append("processing instruction")

    def unknown_decl(self, data: str) -> None:
        self.problems.append("CDATA")


def _renderers() -> list[tuple[str, object]]:
    unsafe = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])
    unsafe.validateLink = lambda url: True  # type: ignore[method-assign]  # links anything
    out: list[tuple[str, object]] = [("markdown-it-py html=True", unsafe.render)]
    try:
        import cmarkgfm
        from cmarkgfm.cmark import Options
    except ImportError:
        return out
    out.append(
        (
            "cmark-gfm unsafe",
            lambda s: cmarkgfm.github_flavored_markdown_to_html(s, Options.CMARK_OPT_UNSAFE),
        )
    )
    return out


RENDERERS = _renderers()


def audit_markdown(md: str) -> list[str]:
    problems = []
    for name, render in RENDERERS:
        a = Audit()
        a.feed(render(md))  # type: ignore[operator]
        a.close()
        problems += [f"{name}: {p}" for p in a.problems]
    return problems


def test_corpus_is_large_and_covers_the_classes() -> None:
    assert len(CORPUS) >= 200
    assert len(set(CORPUS)) == len(CORPUS)


@pytest.mark.parametrize("chunk", range(8))
def test_md_block_of_every_payload_is_inert(chunk: int) -> None:
    bad = []
    for p in CORPUS[chunk::8]:
        for text in (p, f"- in a list\n  {p}", f"> {p}"):
            problems = audit_markdown(mdinert.md_block(text))
            if problems:
                bad.append((text, problems))
        problems = audit_markdown("| a |\n|---|\n| " + mdinert.md_inline(p) + " |\n")
        problems += audit_markdown("# " + mdinert.md_inline(p) + "\n")
        if problems:
            bad.append(("inline: " + p, problems))
    assert not bad, bad[:5]


def test_backslashes_before_a_tag_never_reopen_it() -> None:
    # The find: md_block turned "\<img" into "\\<img", raw HTML after a backslash.
    for n in range(8):
        text = "\\" * n + "<img src=x onerror=alert(1)>"
        assert not audit_markdown(mdinert.md_block(text)), text
        rendered = Audit()
        rendered.feed(RENDERERS[0][1](mdinert.md_block(text)))  # type: ignore[operator]
        # The reader still sees the backslashes CommonMark shows, then the tag as text.
        assert "".join(rendered.text).strip() == "\\" * (n // 2) + "<img src=x onerror=alert(1)>"


def _visible(md: str, *, html: bool) -> Audit:
    r = MarkdownIt("commonmark", {"html": html}).enable(["table", "strikethrough"])
    a = Audit()
    a.feed(r.render(md))
    a.close()
    return a


@pytest.mark.parametrize(
    "text",
    [
        "`\\<img src=x>` and `<b>` stay as typed",
        "run `a\\b <c>` then",
        "```\n<script>alert(1)</script>\n\\<b> &lt;\n```",
        "~~~\n[x](javascript:alert(1)) ![y](http://t/p.gif)\n~~~",
        "    <indented> \\code",
        "> ```\n> <b>quoted code</b>\n> ```",
        "plain 1 < 2 and a \\< b and \\\\< c, AT&amp;T, &copy;",
        "[ok](https://status.example.ch) and **bold** <not a tag>",
    ],
)
def test_escaping_never_shows_where_a_person_reads(text: str) -> None:
    """Rendered with raw HTML on, the escaped text reads exactly as the original does
    in a safe renderer (code spans and blocks included: no stray backslash or &lt;)."""
    want = _visible(text, html=False)
    got = _visible(mdinert.md_block(text), html=True)
    assert not got.problems
    assert got.code == want.code
    assert "".join(got.text) == "".join(want.text)


def test_a_remote_image_is_written_as_a_link() -> None:
    md = mdinert.md_block("graph: ![latency](http://tracker.example/p.gif) and ![r][ref]\n\n"
                          "[ref]: https://tracker.example/q.png")  # fmt: skip
    html = RENDERERS[0][1](md)  # type: ignore[operator]
    assert "<img" not in html
    assert '!<a href="http://tracker.example/p.gif">latency</a>' in html
    assert '!<a href="https://tracker.example/q.png">r</a>' in html


def test_an_unclosed_fence_does_not_swallow_the_rest_of_the_file() -> None:
    for text in ("```\n<b>x</b>", "```\nplain", "~~~~\n[a](https://x.example)"):
        md = mdinert.md_block(text) + "\n\n## Next section\n"
        assert "<h2>Next section</h2>" in RENDERERS[0][1](md), text  # type: ignore[operator]


@pytest.fixture
def loaded(tmp_path) -> tuple[Store, str]:  # type: ignore[no-untyped-def]
    store = Store.open(tmp_path / "ws")
    evil = "<img src=x onerror=alert(1)>"
    tl = Timeline(store, author="\\" + evil)
    inc = tl.new_incident(
        "\\" + evil + " [t](javascript:alert(1))",
        severity="SEV1",
        commander="\\\\" + evil,
        summary="```\n" + evil + "\n```\n\\" + evil,
        impact="![x](http://tracker.example/p.gif) \\" + evil,
    )
    tl.set_incident(inc.id, root_cause="    " + evil, objectives="`\\" + evil + "`",
                    affected_services=["\\" + evil, "www"])  # fmt: skip
    for i, p in enumerate(CORPUS):
        tl.log(inc.id, p, tags=[f"t{i}", "x" + re.sub(r"\W", "", p)[:20]] if i % 7 == 0 else (),
               pinned=i % 50 == 0, kind="comms" if i % 60 == 0 else None)  # fmt: skip
    tl.add_action(inc.id, "\\" + evil + " | cell", owner="\\\\" + evil)
    return store, inc.id


def test_every_text_output_is_inert(loaded: tuple[Store, str]) -> None:
    store, iid = loaded
    view = load_view(store, iid, tz="Europe/Zurich")
    brief = build_brief(store, iid, prepared_by="\\<img src=x onerror=alert(1)>", tz="UTC")
    report = build_report(store, iid, tz="Europe/Zurich")
    markdowns = {
        "export md": render_markdown(view),
        "handover md": render_brief_markdown(brief),
        "report md": report.markdown,
    }
    for name, md in markdowns.items():
        assert "\\<img" in md or "&lt;img" in md, name
        problems = audit_markdown(md)
        assert not problems, (name, problems[:5])
    for name, html in {
        "export html": render_html(view),
        "handover html": render_brief_html(brief),
        "report html": report_html(report.markdown, report.title),
    }.items():
        a = Audit()
        a.feed(html.split("<body>", 1)[1])
        # The page's own layout tags are fine; no payload tag, handler or script link is.
        active = [
            p
            for p in a.problems
            if re.match(r"<(?:{})[ >]".format("|".join(t for t in TAGS if t != "a")), p)
            or re.match(r"<\w+ on", p)
            or p.startswith(("href", "comment", "declaration", "processing", "CDATA"))
        ]
        assert not active, (name, active[:5])
    rows = list(csv.reader(io.StringIO(render_csv(view))))
    assert len(rows) > len(CORPUS)
    for row in rows[1:]:
        assert not any(c[:1] in ("=", "+", "-", "@", "\t", "\r") for c in row), row
