"""Paints one post: a header (new marker, time, source, author) and the wrapped text
with the watched words in bold on a marker background (bold, so not colour alone).

The text is our plain text, escaped: the document holds no markup from the post and
nothing it could load. Heights are cached per (post, width).
"""

from __future__ import annotations

import html
from collections import OrderedDict

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QRectF, QSize
from PySide6.QtGui import QAbstractTextDocumentLayout, QColor, QPainter, QPalette, QTextDocument
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem, QWidget

from warroom.domain.social import Post
from warroom.ui.feed.model import PostRole, SpansRole, UnreadRole, local_time, who

PAD = 6
BAR = 4
MARK = "#ffd54a"
CACHE = 3000


def post_html(
    p: Post, spans: list[tuple[int, int]], unread: bool, head_colour: str = "#555"
) -> str:
    head = (
        ("<b>NEW</b> · " if unread else "")
        + f"<b>{html.escape(local_time(p.time))}</b> · {html.escape(p.source)}"
        + f" · {html.escape(who(p))}"
    )
    parts, at = [], 0
    for a, b in spans:
        parts.append(html.escape(p.text[at:a]))
        parts.append(
            f'<b style="background-color:{MARK}; color:#000">{html.escape(p.text[a:b])}</b>'
        )
        at = b
    parts.append(html.escape(p.text[at:]))
    body = "".join(parts).replace("\n", "<br>")
    return f'<div style="color:{head_colour}">{head}</div><div>{body}</div>'


class PostDelegate(QStyledItemDelegate):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._heights: OrderedDict[tuple[int, str, int, bool, int], int] = OrderedDict()

    def _doc(
        self,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
        width: int,
        selected: bool = False,
    ) -> QTextDocument:
        p: Post = index.data(PostRole)
        pal: QPalette = option.palette
        text = pal.color(
            QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        )
        base = pal.color(QPalette.ColorRole.Highlight if selected else QPalette.ColorRole.Base)
        # The header a step softer than the text, readable on light and dark themes.
        mix = QColor(
            (text.red() * 3 + base.red()) // 4,
            (text.green() * 3 + base.green()) // 4,
            (text.blue() * 3 + base.blue()) // 4,
        )
        doc = QTextDocument()
        doc.setDocumentMargin(0)
        doc.setDefaultFont(option.font)
        unread = bool(index.data(UnreadRole))
        doc.setHtml(post_html(p, index.data(SpansRole) or [], unread, mix.name()))
        doc.setTextWidth(max(40, width))
        return doc

    def clear_cache(self) -> None:
        self._heights.clear()

    def sizeHint(
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> QSize:
        p: Post | None = index.data(PostRole)
        if p is None:
            return QSize(0, 0)
        width = option.rect.width() or 300
        spans = index.data(SpansRole) or []
        key = (p.seq, p.id, width, bool(index.data(UnreadRole)), len(spans))
        h = self._heights.get(key)
        if h is None:
            doc = self._doc(option, index, width - 2 * PAD - BAR)
            h = int(doc.size().height()) + 2 * PAD
            self._heights[key] = h
            if len(self._heights) > CACHE:
                self._heights.popitem(last=False)
        return QSize(width, h)

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        rect: QRect = opt.rect
        painter.save()
        style = opt.widget.style() if opt.widget else None
        selected = bool(opt.state & QStyle.StateFlag.State_Selected)
        pal: QPalette = opt.palette
        if selected:
            painter.fillRect(rect, pal.highlight())
        elif style is not None:
            style.drawPrimitive(
                QStyle.PrimitiveElement.PE_PanelItemViewItem, opt, painter, opt.widget
            )
        if index.data(UnreadRole):
            painter.fillRect(QRect(rect.left(), rect.top() + 2, BAR, rect.height() - 4), pal.link())
        painter.setPen(QColor(pal.color(QPalette.ColorRole.Mid)))
        painter.drawLine(rect.bottomLeft(), rect.bottomRight())
        doc = self._doc(opt, index, rect.width() - 2 * PAD - BAR, selected)
        painter.translate(rect.left() + PAD + BAR, rect.top() + PAD)
        ctx = QAbstractTextDocumentLayout.PaintContext()
        role = QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        ctx.palette.setColor(QPalette.ColorRole.Text, pal.color(role))
        ctx.clip = QRectF(rect.translated(-rect.left(), -rect.top()))
        doc.documentLayout().draw(painter, ctx)
        painter.restore()
