"""PDF through Qt (QTextDocument + QPdfWriter): no extra dependency.

Qt is imported inside the functions, so the command line stays Qt-free for every
other command. Without a running application an offscreen QGuiApplication is made
(fonts and layout need one; no window is ever shown).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from warroom.handover.files import write_with


def _ensure_app() -> Any:
    from PySide6.QtCore import QCoreApplication
    from PySide6.QtGui import QGuiApplication

    app = QCoreApplication.instance()
    if app is None:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        app = QGuiApplication(["warroom"])
    return app


def write_pdf(html: str, target: Path, *, title: str = "") -> None:
    """Lay out ``html`` (from ``html.render_html(..., qt=True)``) as A4 PDF at ``target``."""
    _ensure_app()
    from PySide6.QtCore import QMarginsF, QUrl
    from PySide6.QtGui import QFont, QPageLayout, QPageSize, QPdfWriter, QTextDocument

    def produce(tmp: Path) -> None:
        writer = QPdfWriter(str(tmp))
        writer.setTitle(title)
        writer.setCreator("Warroom")
        writer.setResolution(300)
        writer.setPageLayout(
            QPageLayout(
                QPageSize(QPageSize.PageSizeId.A4),
                QPageLayout.Orientation.Portrait,
                QMarginsF(15, 15, 15, 15),
                QPageLayout.Unit.Millimeter,
            )
        )
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
        doc.print_(writer)
        del writer
        if not tmp.exists() or tmp.stat().st_size == 0:
            raise OSError("the PDF writer produced no output")

    write_with(target, produce)
