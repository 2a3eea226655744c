"""Painting entries: rendered, sanitised Markdown in the text column; inline editors.

Documents never load anything (``SafeDocument.loadResource`` returns nothing), so an
entry cannot make the workstation talk to the network. A long paste shows its first
lines and a notice; the full text is one keypress away.
"""

from __future__ import annotations

import html
from collections import OrderedDict
from typing import Any

from PySide6.QtCore import (
    QAbstractItemModel,
    QByteArray,
    QModelIndex,
    QPersistentModelIndex,
    QRect,
    QSize,
    Qt,
    QUrl,
    Signal,
)
from PySide6.QtGui import (
    QAbstractTextDocumentLayout,
    QColor,
    QFont,
    QImage,
    QKeyEvent,
    QPainter,
    QPalette,
    QTextDocument,
    QTextOption,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QLineEdit,
    QPlainTextEdit,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QWidget,
)

from warroom.domain.incidents import Entry
from warroom.ui.timeline import render
from warroom.ui.timeline.model import COL_TEXT, COL_TIME, DayRole, EntryRole

PAD_X = 6
PAD_Y = 3
CONFLICT_COLOUR = "#d63a3a"
DOC_CACHE = 300
MAX_ROW_LINES = 14  # a taller entry shows its start and "… more"
MORE_TEXT = "… more: Space shows all"
TIME_SAMPLE = "2026-11-30 23:59:59.999"
_TOP_CENTER = Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop


class SafeDocument(QTextDocument):
    """A text document that loads no resource: no image, no style sheet, local or remote.

    For images a blank pixel is returned rather than nothing: given nothing, Qt's image
    handler would fall back to reading the path from disk itself.
    """

    def loadResource(self, type: int, name: QUrl | str) -> Any:
        if type == QTextDocument.ResourceType.ImageResource.value:
            blank = QImage(1, 1, QImage.Format.Format_ARGB32)
            blank.fill(0)
            return blank
        return QByteArray()


def entry_html(e: Entry, link_colour: str, *, author: bool = False) -> str:
    """The HTML a row shows for ``e``: its Markdown, shortened if huge, plus notices.

    ``author``: lead with the author's name (a narrow dock has no author column).
    """
    body = render.to_html(render.preview(e.text))
    if author:
        who = f"<b>{html.escape(e.author)}</b> · "
        body = body.replace("<p>", "<p>" + who, 1) if body.startswith("<p>") else who + body
    notes = []
    if e.conflict:
        notes.append(
            f'<p><span style="background-color:{CONFLICT_COLOUR}; color:#ffffff;">'
            "<b>&nbsp;⚠ Conflict&nbsp;</b></span> edited on two workstations at once; "
            "see its history (Ctrl+Shift+H).</p>"
        )
    if render.is_long(e.text):
        notes.append(
            f"<p><i>… shortened, {html.escape(render.size_note(e.text))}. "
            "Press Space or double-click to show all.</i></p>"
        )
    if e.hidden:
        notes.append(f"<p><i>Hidden: {html.escape(e.hidden_reason)}</i></p>")
    return body + "".join(notes)


class EntryDelegate(QStyledItemDelegate):
    """Markdown for the text column; the default look elsewhere; editors for text/time."""

    def __init__(self, view: QAbstractItemView) -> None:
        super().__init__(view)
        self._view = view
        self._docs: OrderedDict[tuple[str, str, str], QTextDocument] = OrderedDict()

    # -- documents -----------------------------------------------------------

    def document(self, e: Entry, option: QStyleOptionViewItem) -> QTextDocument:
        link = option.palette.color(QPalette.ColorRole.Link).name()
        compact = bool(getattr(self._view.model(), "compact", False))
        flags = ("h" if e.hidden else "") + ("c" if e.conflict else "") + ("a" if compact else "")
        key = (e.id, e.current_rev + flags, link)
        doc = self._docs.get(key)
        if doc is None:
            doc = SafeDocument(self)
            doc.setDocumentMargin(0)
            doc.setUndoRedoEnabled(False)
            opt = QTextOption()
            opt.setWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
            doc.setDefaultTextOption(opt)
            doc.setDefaultStyleSheet(
                f"a {{ color: {link}; }} p {{ margin-top: 0; margin-bottom: 2px; }} "
                "pre, code { font-family: monospace; }"
            )
            font = option.font
            font.setStrikeOut(e.hidden)
            doc.setDefaultFont(font)
            doc.setHtml(entry_html(e, link, author=compact))
            self._docs[key] = doc
            while len(self._docs) > DOC_CACHE:
                _, old = self._docs.popitem(last=False)
                old.deleteLater()
        else:
            self._docs.move_to_end(key)
        return doc

    def clear_cache(self) -> None:
        for doc in self._docs.values():
            doc.deleteLater()
        self._docs.clear()

    def _text_width(self) -> int:
        width = getattr(self._view, "text_width", None)
        w = width() if callable(width) else self._view.viewport().width() // 2
        return max(60, int(w) - 2 * PAD_X)

    # -- painting ------------------------------------------------------------

    def initStyleOption(
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> None:
        super().initStyleOption(option, index)
        if index.column() != COL_TEXT:
            # One line per entry: only the text wraps; a long name is elided.
            option.features &= ~QStyleOptionViewItem.ViewItemFeature.WrapText
            option.textElideMode = Qt.TextElideMode.ElideRight

    def band_height(self, option: QStyleOptionViewItem) -> int:
        """The day separator above the first entry of a day."""
        return option.fontMetrics.lineSpacing() + 2 * PAD_Y + 2

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        day = index.data(DayRole)
        if day:
            # The date once per day: a band across the row above the day's first entry.
            band = QRect(option.rect)
            band.setHeight(self.band_height(option))
            painter.save()
            painter.fillRect(band, option.palette.color(QPalette.ColorRole.Button))
            painter.fillRect(
                QRect(band.left(), band.top(), band.width(), 1),
                option.palette.color(QPalette.ColorRole.Mid),
            )
            if index.column() == COL_TEXT:
                # Drawn last of the row's visible columns but one, from the left edge:
                # the label reads as one line across the list.
                f = QFont(option.font)
                f.setBold(True)
                painter.setFont(f)
                painter.setPen(option.palette.color(QPalette.ColorRole.ButtonText))
                label = QRect(PAD_X, band.top(), band.right() - PAD_X, band.height())
                painter.setClipping(False)
                painter.drawText(
                    label, int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter), day
                )
            painter.restore()
            option = QStyleOptionViewItem(option)
            option.rect.setTop(band.bottom() + 1)
        self._paint_cell(painter, option, index)

    def _paint_cell(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        e = index.data(EntryRole)
        if index.column() != COL_TEXT or not isinstance(e, Entry):
            # Icons sit on the first line of a tall row, next to the time.
            option.decorationAlignment = _TOP_CENTER
            super().paint(painter, option, index)
            if isinstance(e, Entry) and e.conflict and index.column() == 0:
                painter.save()
                painter.fillRect(
                    QRect(option.rect.left(), option.rect.top(), 3, option.rect.height()),
                    QColor(CONFLICT_COLOUR),
                )
                painter.restore()
            return
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        opt.text = ""
        widget = opt.widget
        style = widget.style() if widget is not None else QApplication.style()
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, widget)
        doc = self.document(e, opt)
        doc.setTextWidth(max(60, opt.rect.width() - 2 * PAD_X))
        ctx = QAbstractTextDocumentLayout.PaintContext()
        selected = bool(opt.state & QStyle.StateFlag.State_Selected)
        if selected:
            colour = opt.palette.color(QPalette.ColorRole.HighlightedText)
        elif e.hidden:
            colour = opt.palette.color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text)
        else:
            colour = opt.palette.color(QPalette.ColorRole.Text)
        ctx.palette.setColor(QPalette.ColorRole.Text, colour)
        avail = opt.rect.height() - 2 * PAD_Y
        clipped = doc.size().height() > avail + 1
        line = opt.fontMetrics.lineSpacing()
        painter.save()
        painter.translate(opt.rect.left() + PAD_X, opt.rect.top() + PAD_Y)
        # A row taller than MAX_ROW_LINES shows its start and says there is more.
        shown_h = avail - line if clipped else avail
        clip = QRect(0, 0, opt.rect.width() - PAD_X, max(line, shown_h))
        painter.setClipRect(clip)
        ctx.clip = clip.toRectF()
        doc.documentLayout().draw(painter, ctx)
        if clipped:
            painter.setClipping(False)
            f = QFont(opt.font)
            f.setItalic(True)
            painter.setFont(f)
            painter.setPen(colour)
            painter.drawText(
                QRect(0, shown_h, opt.rect.width() - 2 * PAD_X, line),
                int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
                MORE_TEXT,
            )
        painter.restore()

    def sizeHint(
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> QSize:
        band = self.band_height(option) if index.data(DayRole) else 0
        base = super().sizeHint(option, index)
        e = index.data(EntryRole)
        if index.column() != COL_TEXT or not isinstance(e, Entry):
            return QSize(base.width(), base.height() + 2 * PAD_Y + band)
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        doc = self.document(e, opt)
        w = self._text_width()
        doc.setTextWidth(w)
        h = min(int(doc.size().height()) + 1, opt.fontMetrics.lineSpacing() * MAX_ROW_LINES)
        return QSize(w + 2 * PAD_X, h + 2 * PAD_Y + band)

    # -- editing -------------------------------------------------------------

    def createEditor(
        self,
        parent: QWidget,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> QWidget:
        if index.column() == COL_TEXT:
            ed = TextEditor(parent)
            ed.commit.connect(lambda: self._finish(ed, True))
            ed.cancel.connect(lambda: self._finish(ed, False))
            return ed
        if index.column() == COL_TIME:
            line = QLineEdit(parent)
            line.setPlaceholderText("2026-11-24 10:42, 10:42 or -5m")
            line.setToolTip(
                "Local time of this workstation. Also: HH:MM[:SS], -5m, or ISO-8601 with a zone. "
                "Enter saves a new revision; Escape cancels."
            )
            return line
        return super().createEditor(parent, option, index)

    def _finish(self, editor: QWidget, save: bool) -> None:
        if save:
            self.commitData.emit(editor)
        self.closeEditor.emit(editor, QStyledItemDelegate.EndEditHint.NoHint)

    def setEditorData(self, editor: QWidget, index: QModelIndex | QPersistentModelIndex) -> None:
        value = index.data(Qt.ItemDataRole.EditRole)
        if isinstance(editor, TextEditor):
            editor.setPlainText(str(value or ""))
            editor.moveCursor(editor.textCursor().MoveOperation.End)
        elif isinstance(editor, QLineEdit):
            editor.setText(str(value or ""))
            editor.selectAll()
        else:
            super().setEditorData(editor, index)

    def setModelData(
        self,
        editor: QWidget,
        model: QAbstractItemModel,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        if isinstance(editor, TextEditor):
            model.setData(index, editor.toPlainText(), Qt.ItemDataRole.EditRole)
        elif isinstance(editor, QLineEdit):
            model.setData(index, editor.text(), Qt.ItemDataRole.EditRole)
        else:
            super().setModelData(editor, model, index)

    def updateEditorGeometry(
        self,
        editor: QWidget,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        r = QRect(option.rect)
        if index.data(DayRole):
            r.setTop(r.top() + self.band_height(option))
        if isinstance(editor, QLineEdit):
            # The time editor: wide and tall enough for a full time, never clipped.
            fm = editor.fontMetrics()
            r.setWidth(max(r.width(), fm.horizontalAdvance(TIME_SAMPLE) + 4 * PAD_X))
            r.setHeight(max(r.height(), editor.sizeHint().height()))
            room = self._view.viewport().width()
            if r.right() > room:
                r.moveRight(max(r.width() - 1, room - 1))
            limit = self._view.viewport().height()
            if r.bottom() > limit:
                r.moveBottom(limit - 1)
        if isinstance(editor, TextEditor):
            r.setHeight(max(r.height(), editor.fontMetrics().height() * 6))
            # Near the bottom of the list: open upwards rather than below the edge.
            limit = self._view.viewport().height()
            if r.bottom() > limit:
                r.moveBottom(max(r.height() - 1, limit))
        editor.setGeometry(r)


class TextEditor(QPlainTextEdit):
    """Inline text editor: Ctrl+Enter saves (a new revision), Escape cancels.

    Signals:
        commit(): save requested.
        cancel(): discard requested.
    """

    commit = Signal()
    cancel = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("timeline-inline-editor")
        self.setTabChangesFocus(True)
        self.setToolTip("Ctrl+Enter saves a new revision; Escape cancels")

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and (
            event.modifiers() & Qt.KeyboardModifier.ControlModifier
        ):
            self.commit.emit()
            return
        if key == Qt.Key.Key_Escape:
            self.cancel.emit()
            return
        super().keyPressEvent(event)


__all__ = ["COL_TIME", "EntryDelegate", "SafeDocument", "TextEditor", "entry_html"]
