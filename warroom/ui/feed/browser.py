"""A post in full, safely: a rich-text view that loads nothing and runs nothing, and a
link that opens in the browser only after its real target was shown.

``SafeBrowser.loadResource`` answers every request (images, style sheets, any URL) with
nothing, so a post cannot make the workstation fetch a tracker; the HTML it is given
is already sanitised (``warroom.social.text.safe_html``). Qt's rich text has no
scripting. Links never open by clicking: ``link_requested`` carries the URL, and
``confirm_open`` shows its exact target before ``QDesktopServices`` opens it.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QMessageBox, QTextBrowser, QWidget

from warroom.domain.social import Post
from warroom.social.text import safe_html, safe_url
from warroom.ui.feed.model import KIND_LABEL, full_time, who


class SafeBrowser(QTextBrowser):
    """Signals: link_requested(str): the user clicked a link (not opened yet)."""

    link_requested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setOpenLinks(False)
        self.setOpenExternalLinks(False)
        self.anchorClicked.connect(lambda url: self.link_requested.emit(url.toString()))
        self.refused: list[str] = []  # what a post tried to load (tests, the log)

    def loadResource(self, type: int, name: QUrl | str) -> Any:
        self.refused.append(name.toString() if isinstance(name, QUrl) else str(name))
        del self.refused[:-100]
        return None

    def show_post(self, p: Post | None) -> None:
        if p is None:
            self.setHtml("")
            return
        link = (
            f'<p><a href="{html.escape(p.url)}">{html.escape(p.url)}</a></p>'
            if p.url
            else "<p>(no link)</p>"
        )
        body = safe_html(p.html) if p.html else html.escape(p.text).replace("\n", "<br>")
        self.setHtml(
            f"<p><b>{html.escape(who(p))}</b> on {html.escape(p.source)} "
            f"({html.escape(KIND_LABEL.get(p.kind, p.kind))})<br>"
            f"{html.escape(full_time(p.time))}</p>"
            f"<div>{body}</div>{link}"
        )


def confirm_open(
    parent: QWidget | None,
    url: str,
    *,
    ask: Callable[[str], object] | None = None,
    warn: Callable[[str], object] | None = None,
) -> bool:
    """Show where ``url`` really goes; open it in the external browser only if the user
    agrees and it is plain http(s). ``ask``/``warn`` replace the dialogs in tests."""
    target = safe_url(url)
    if target is None:
        text = f"This link is not a web address and was not opened:\n\n{url[:300]}"
        if warn is not None:
            warn(text)
        else:
            QMessageBox.warning(parent, "Link not opened", text)
        return False
    q = QUrl(target)
    text = (
        "Open this link in your web browser?\n\n"
        f"Host: {q.host()}\nFull address: {target}\n\n"
        "Posts are written by strangers: check the host before you open it."
    )
    if ask is not None:
        ok = bool(ask(text))
    else:
        ok = (
            QMessageBox.question(
                parent,
                "Open link",
                text,
                QMessageBox.StandardButton.Open | QMessageBox.StandardButton.Cancel,
            )
            == QMessageBox.StandardButton.Open
        )
    if ok:
        QDesktopServices.openUrl(q)
    return ok
