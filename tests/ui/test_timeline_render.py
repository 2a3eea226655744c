"""Entry text to safe HTML: no scripts, no remote or local resources, long text shortened."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QUrl
from PySide6.QtGui import QColor, QImage, QTextDocument

from warroom.domain.incidents import Entry
from warroom.ui.timeline import render
from warroom.ui.timeline.delegate import SafeDocument, entry_html


def entry(text: str, **kw: Any) -> Entry:
    base = dict(
        id="E1", incident="I1", recorded_at="2026-11-24T09:00:00.000Z", author="a",
        occurred_at="2026-11-24T09:00:00.000Z", kind="note", text=text,
    )  # fmt: skip
    base.update(kw)
    return Entry(**base)  # type: ignore[arg-type]


def test_markdown_renders_and_raw_html_is_text() -> None:
    out = render.to_html("**bold** `code` <script>alert(1)</script> <b onclick=x>hi</b>")
    assert "<strong>bold</strong>" in out
    assert "<code>code</code>" in out
    assert "<script" not in out and "onclick" not in out.replace("onclick=x", "")
    assert "&lt;script&gt;" in out  # shown, not run


def test_no_images_and_no_dangerous_links() -> None:
    out = render.to_html(
        "![tracker](http://198.51.100.1/pixel.png) [ok](https://example.ch) "
        "[bad](javascript:alert(1)) [file](file:///etc/passwd)"
    )
    assert "<img" not in out
    assert 'href="https://example.ch"' in out
    assert 'href="javascript' not in out
    assert 'href="file:' not in out


def test_rtl_emoji_and_combining_marks_survive_rendering() -> None:
    for s in ("مرحبا بالعالم", "שלום", "👩\u200d💻🇨🇭", "e\u0301 A\u030a"):
        assert s in render.to_html(s)


def test_preview_shortens_a_megabyte_and_closes_code_fences() -> None:
    big = "```\n" + "\n".join("x" * 100 for _ in range(10_000))
    p = render.preview(big)
    assert render.is_long(big)
    assert len(p) < render.PREVIEW_CHARS + 10
    assert p.count("```") % 2 == 0
    assert render.preview("short") == "short"
    assert not render.is_long("short")
    assert render.size_note("a\nb") == "3 characters, 2 lines"


def test_entry_html_notices() -> None:
    html = entry_html(entry("x", hidden=True, hidden_reason="dup <b>"), "#0000ff")
    assert "Hidden: dup &lt;b&gt;" in html
    html = entry_html(entry("x", conflict=True), "#0000ff")
    assert "Conflict" in html
    html = entry_html(entry("y" * 5000), "#0000ff")
    assert "shortened, 5,000 characters" in html


def test_safe_document_loads_nothing(qapp: Any, tmp_path: Path) -> None:
    img = tmp_path / "local.png"
    q = QImage(8, 8, QImage.Format.Format_RGB32)
    q.fill(QColor("red"))
    assert q.save(str(img))
    for src in (QUrl.fromLocalFile(str(img)).toString(), str(img)):
        html = f'<p>x<img src="{src}"></p>'
        plain = QTextDocument()
        plain.setHtml(html)
        plain.size()
        # A plain document reads the file from disk; ours gets a blank pixel.
        loaded = plain.resource(QTextDocument.ResourceType.ImageResource, QUrl(src))
        assert loaded is not None and loaded.size().width() == 8
        safe = SafeDocument()
        safe.setHtml(html)
        safe.size()
        got = safe.resource(QTextDocument.ResourceType.ImageResource, QUrl(src))
        assert got is None or got.size().width() <= 1
