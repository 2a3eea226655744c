"""The entry list: a table whose row heights are measured only for rows on screen.

A QTreeView with rows of different heights asks the model about every row on each
layout (100,000 Python calls, seconds); a QTableView keeps row heights in its header,
so here a row is measured when it first scrolls into view and the rest keep a default.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import (
    QAbstractItemModel,
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QTimer,
)
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QWidget

from warroom.ui.timeline.model import COL_TEXT, EntryIdRole

FIT_ROUNDS = 4


class TimelineView(QTableView):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._measured: set[str] = set()
        self.setShowGrid(False)
        self.setWordWrap(True)
        self.setAlternatingRowColors(True)
        self.setTabKeyNavigation(False)
        self.setCornerButtonEnabled(False)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerItem)
        self.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        vh = self.verticalHeader()
        vh.hide()
        vh.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        vh.setMinimumSectionSize(8)
        vh.setDefaultSectionSize(self.default_row_height())
        self.horizontalHeader().setHighlightSections(False)
        self._fit_timer = QTimer(self)
        self._fit_timer.setSingleShot(True)
        self._fit_timer.setInterval(0)
        self._fit_timer.timeout.connect(self.fit_visible)
        self.verticalScrollBar().valueChanged.connect(lambda _v: self.fit_visible())
        self._after_paint: list[Callable[[], object]] = []
        self.viewport().installEventFilter(self)

    def after_next_paint(self, fn: Callable[[], object]) -> None:
        """Run ``fn`` once the next frame of the list is on screen (first paint first)."""
        self._after_paint.append(fn)

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint and obj is self.viewport() and self._after_paint:
            todo, self._after_paint = self._after_paint, []
            for fn in todo:
                QTimer.singleShot(0, fn)
        return super().eventFilter(obj, event)

    def default_row_height(self) -> int:
        return self.fontMetrics().lineSpacing() + 8  # one line per entry where it fits

    def setModel(self, model: QAbstractItemModel | None) -> None:
        super().setModel(model)
        m = self.model()
        m.modelReset.connect(self.forget_heights)
        # An insert or removal can make the next row stop (or start) a day.
        m.rowsInserted.connect(lambda _p, _first, last: self._remeasure(last + 1))
        m.rowsRemoved.connect(lambda _p, first, _last: self._remeasure(first))
        m.dataChanged.connect(lambda *_a: self.forget_heights())
        m.layoutChanged.connect(self.forget_heights)

    def _remeasure(self, row: int) -> None:
        m = self.model()
        if m is not None and 0 <= row < m.rowCount():
            self._measured.discard(m.index(row, 0).data(EntryIdRole))
        self._fit_timer.start()

    def forget_heights(self) -> None:
        """Contents or widths changed: measure the rows on screen again."""
        self._measured.clear()
        self._fit_timer.start()

    def fit_visible(self) -> None:
        """Give each row on screen the height its content needs (a few rows, not all)."""
        m = self.model()
        if m is None or m.rowCount() == 0:
            return
        vh = self.verticalHeader()
        for _ in range(FIT_ROUNDS):
            first = max(0, self.rowAt(0))
            last = self.rowAt(self.viewport().height() - 1)
            if last < 0:
                last = m.rowCount() - 1
            last = min(m.rowCount() - 1, last + 2)
            changed = False
            for row in range(first, last + 1):
                key = m.index(row, 0).data(EntryIdRole)
                if key in self._measured:
                    continue
                self._measured.add(key)
                h = self.sizeHintForRow(row)
                if h > 0 and h != vh.sectionSize(row):
                    vh.resizeSection(row, h)
                    changed = True
            if not changed:
                break

    def text_width(self) -> int:
        return self.columnWidth(COL_TEXT)

    def resizeEvent(self, e: QResizeEvent) -> None:
        super().resizeEvent(e)
        self._fit_timer.start()

    def scrollTo(
        self,
        index: QModelIndex | QPersistentModelIndex,
        hint: QAbstractItemView.ScrollHint = QAbstractItemView.ScrollHint.EnsureVisible,
    ) -> None:
        super().scrollTo(index, hint)
        self.fit_visible()
        # Heights may have grown: make sure the row is still fully in view.
        super().scrollTo(index, hint)


__all__ = ["TimelineView"]
