"""PDF through Qt (QTextDocument + QPdfWriter): no extra dependency.

Qt is imported inside the functions, so the command line stays Qt-free for every
other command. Without a running application an offscreen QGuiApplication is made
(fonts and layout need one; no window is ever shown).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from warroom.handover.files import write_with

if TYPE_CHECKING:  # Qt only for the types: importing it here would load it for every command
    from PySide6.QtCore import QSizeF
    from PySide6.QtGui import (
        QAbstractTextDocumentLayout,
        QPageLayout,
        QPdfWriter,
        QTextBlock,
        QTextDocument,
        QTextTable,
    )


def _ensure_app() -> None:
    from PySide6.QtCore import QCoreApplication
    from PySide6.QtGui import QGuiApplication

    app = QCoreApplication.instance()
    if app is None:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        QGuiApplication(["warroom"])


def write_pdf(html: str, target: Path, *, title: str = "") -> None:
    """Lay out ``html`` (from ``html.render_html(..., qt=True)``) as A4 PDF at ``target``."""
    _ensure_app()

    def produce(tmp: Path) -> None:
        from PySide6.QtGui import QPdfWriter

        writer = QPdfWriter(str(tmp))
        writer.setTitle(title)
        writer.setCreator("Warroom")
        writer.setResolution(300)
        writer.setPageLayout(_a4())
        doc = layout_document(html, _page_size(writer))
        doc.print_(writer)
        del writer
        if not tmp.exists() or tmp.stat().st_size == 0:
            raise OSError("the PDF writer produced no output")

    write_with(target, produce)


def _a4() -> QPageLayout:
    from PySide6.QtCore import QMarginsF
    from PySide6.QtGui import QPageLayout, QPageSize

    return QPageLayout(
        QPageSize(QPageSize.PageSizeId.A4),
        QPageLayout.Orientation.Portrait,
        QMarginsF(15, 15, 15, 15),
        QPageLayout.Unit.Millimeter,
    )


def _page_size(writer: QPdfWriter) -> QSizeF:
    """The printable page in the document's units (what QTextDocument.print_ would use)."""
    from PySide6.QtCore import QSizeF
    from PySide6.QtGui import QGuiApplication

    rect = writer.pageLayout().paintRectPixels(writer.resolution())
    screen = QGuiApplication.primaryScreen()
    dpi = screen.logicalDotsPerInch() if screen else 96.0
    scale = dpi / writer.logicalDpiX()
    return QSizeF(rect.width() * scale, rect.height() * scale)


def layout_document(html: str, page: QSizeF, *, keep_whole: bool = True) -> QTextDocument:
    """The document laid out on pages of size ``page``, no box split across two.

    Every entry is a one-cell table (its meta line and its text) and every row of a
    list is a table of its own (``html.list_table``), so keeping each table on one page
    keeps rows whole and an entry's meta line with its text. Qt's rich text knows no
    ``page-break-inside: avoid``: a table that would straddle a page break gets
    "page break before" instead. Breaks are planned in one walk (each one moves what
    follows down by the space it leaves) and checked after a fresh layout; the few
    that a changed line wrap still needs are added in a second round.
    """
    _ensure_app()
    from PySide6.QtCore import QUrl
    from PySide6.QtGui import QFont, QTextCursor, QTextDocument, QTextFormat, QTextTable

    _BEFORE = QTextFormat.PageBreakFlag.PageBreak_AlwaysBefore

    doc = QTextDocument()
    # Nothing may be fetched: the base URL points nowhere and there are no images.
    doc.setBaseUrl(QUrl("about:blank"))
    font = QFont()
    font.setPointSizeF(9.5)
    doc.setDefaultFont(font)
    doc.setDefaultStyleSheet(
        "h1 { font-size: 16pt; } h2 { font-size: 12.5pt; color: #1b1f24; }"
        " h3 { font-size: 10.5pt; color: #57606a; } th { text-align: left; }"
        " code { font-family: monospace; color: #57606a; }"
    )
    doc.setHtml(html)
    doc.setPageSize(page)
    height = page.height()
    for _round in range(6 if keep_whole else 0):
        layout = doc.documentLayout()
        shift = 0.0
        moves: list[QTextBlock | QTextTable] = []  # headings and tables to move
        tables = [f for f in doc.rootFrame().childFrames() if isinstance(f, QTextTable)]
        for table in tables:
            if table.format().pageBreakPolicy() & _BEFORE:
                continue
            r = layout.frameBoundingRect(table)
            top, bottom = r.top() + shift, r.bottom() + shift
            first: QTextBlock | QTextTable = table
            heading = _heading_before(doc, table)
            if heading is not None and not heading.blockFormat().pageBreakPolicy() & _BEFORE:
                h_top = _line_top(layout, heading) + shift
                if _page(h_top, height) != _page(top + 0.5, height):
                    top, first = h_top, heading  # a heading stays with what it heads
            if bottom - top >= height:
                continue  # taller than a page: it must be split anyway
            if _page(top, height) != _page(bottom - 0.5, height):
                shift += (_page(top, height) + 1) * height - top
                moves.append(first)
        if not moves:
            break
        # One edit block: Qt lays the document out once, not once per table (70 ms each).
        cursor = QTextCursor(doc)
        cursor.beginEditBlock()
        for item in moves:
            if isinstance(item, QTextTable):
                fmt = item.format()
                fmt.setPageBreakPolicy(_BEFORE)
                item.setFormat(fmt)
            else:
                cursor.setPosition(item.position())
                bf = cursor.blockFormat()
                bf.setPageBreakPolicy(_BEFORE)
                cursor.setBlockFormat(bf)
        cursor.endEditBlock()
    return doc


def _page(y: float, height: float) -> int:
    return int(y // height)


def _line_top(layout: QAbstractTextDocumentLayout, block: QTextBlock) -> float:
    """Where the block's first line really is (Qt moves a line that does not fit to the
    next page inside the block, which the block's rectangle does not show)."""
    top = float(layout.blockBoundingRect(block).top())
    lines = block.layout()
    if lines is not None and lines.lineCount():
        top += float(lines.lineAt(0).position().y())
    return top


def _heading_before(doc: QTextDocument, table: QTextTable) -> QTextBlock | None:
    """The heading block right before ``table`` (an empty block may sit between)."""
    block = doc.findBlock(table.firstPosition() - 1)
    for _ in range(2):
        if not block.isValid():
            return None
        if block.blockFormat().headingLevel() > 0:
            return block
        if block.text().strip():
            return None
        block = block.previous()
    return None


def straddling(doc: QTextDocument) -> list[int]:
    """Indexes of top-level tables that cross a page boundary (the test's check)."""
    from PySide6.QtGui import QTextTable

    height = doc.pageSize().height()
    layout = doc.documentLayout()
    out = []
    tables = [f for f in doc.rootFrame().childFrames() if isinstance(f, QTextTable)]
    for i, table in enumerate(tables):
        r = layout.frameBoundingRect(table)
        if r.height() < height and int(r.top() // height) != int((r.bottom() - 0.5) // height):
            out.append(i)
    return out
