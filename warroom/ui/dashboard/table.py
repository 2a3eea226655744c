"""The matrix view: a table whose target column stays put when scrolling right.

(Cells fold onto two lines when the pane is narrow: the model says so with
``LINE_BREAK``, the pane sizes rows and columns; see ``DashboardPane._size_columns``.)

The frozen column is Qt's own recipe (the "Frozen Column" example): a second view over
the same model and selection, showing column 0 only, laid over the first one and
scrolled with it vertically. Both share the model, the sort and the selection, so the
frozen part can never disagree with the rest.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QFontMetrics, QResizeEvent
from PySide6.QtWidgets import QAbstractItemView, QFrame, QHeaderView, QTableView, QWidget

from warroom.ui.dashboard.cells import cell_age
from warroom.ui.dashboard.charts import CellDelegate
from warroom.ui.dashboard.model import COL_STATE, FIRST_VANTAGE_COL

if TYPE_CHECKING:
    from warroom.ui.dashboard.model import DashboardModel

ICON_ROOM = 28  # the state icon (16), its spacing and the cell's margins


class MatrixView(QTableView):
    """The dashboard table; ``frozen`` is the overlay showing the target column."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setItemDelegate(CellDelegate(self))
        self.frozen = QTableView(self)
        self._frozen_key: tuple[Any, ...] = ()
        self.frozen.setObjectName("dashboard-frozen")
        self.frozen.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.frozen.verticalHeader().hide()
        self.frozen.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.frozen.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.frozen.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.frozen.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.frozen.setFrameShape(QFrame.Shape.NoFrame)
        self.frozen.setWordWrap(False)
        self.frozen.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.verticalScrollBar().valueChanged.connect(self.frozen.verticalScrollBar().setValue)
        self.frozen.verticalScrollBar().valueChanged.connect(self.verticalScrollBar().setValue)
        self.horizontalHeader().sectionResized.connect(self._section_resized)
        self.verticalHeader().sectionResized.connect(self._row_resized)
        self.frozen.horizontalHeader().sectionClicked.connect(
            lambda c: self.horizontalHeader().sectionClicked.emit(c)
        )

    def setModel(self, model: Any) -> None:
        super().setModel(model)
        self.frozen.setModel(model)
        self.frozen.setSelectionModel(self.selectionModel())
        self.frozen.setSelectionBehavior(self.selectionBehavior())
        self.frozen.setSelectionMode(self.selectionMode())
        # A reset or new columns reset the overlay's own columns: set it all again.
        model.columnsInserted.connect(self._rebuild_frozen)
        model.modelReset.connect(self._rebuild_frozen)
        model.layoutChanged.connect(self.refresh_frozen)
        self._rebuild_frozen()

    def setSortingEnabled(self, enable: bool) -> None:
        super().setSortingEnabled(enable)
        self.frozen.horizontalHeader().setSortIndicatorShown(enable)

    def _rebuild_frozen(self, *_: Any) -> None:
        self._frozen_key = ()
        self.refresh_frozen()

    def refresh_frozen(self, *_: Any) -> None:
        """Only the first column in the overlay, as wide and as tall as the table's."""
        m = self.model()
        if m is None:
            return
        hdr, fh = self.horizontalHeader(), self.frozen.horizontalHeader()
        key = (
            m.columnCount(),
            self.columnWidth(0),
            self.verticalHeader().defaultSectionSize(),
            hdr.sortIndicatorSection(),
            hdr.sortIndicatorOrder(),
            hdr.height(),
            id(self.itemDelegate()),
        )
        if key == self._frozen_key:
            # The sort proxy says "layout changed" whenever a row moves (many times per
            # update): nothing the overlay shows changed, and setting it all again made
            # the overlay lay out its rows again each time.
            return
        self._frozen_key = key
        for c in range(1, m.columnCount()):
            self.frozen.setColumnHidden(c, True)
        self.frozen.setColumnHidden(0, False)
        self.frozen.setColumnWidth(0, self.columnWidth(0))
        self.frozen.verticalHeader().setDefaultSectionSize(
            self.verticalHeader().defaultSectionSize()
        )
        fh.setSortIndicator(hdr.sortIndicatorSection(), hdr.sortIndicatorOrder())
        fh.setFixedHeight(hdr.height())
        self.frozen.setItemDelegate(self.itemDelegate())
        self._place()

    def _section_resized(self, index: int, _old: int, new: int) -> None:
        if index == 0:
            self.frozen.setColumnWidth(0, new)
            self._place()

    def _row_resized(self, index: int, _old: int, new: int) -> None:
        self.frozen.setRowHeight(index, new)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._place()

    def _place(self) -> None:
        x = self.frameWidth() + (
            self.verticalHeader().width() if not self.verticalHeader().isHidden() else 0
        )
        self.frozen.setGeometry(
            x,
            self.frameWidth(),
            self.columnWidth(0),
            self.viewport().height() + self.horizontalHeader().height(),
        )
        self.frozen.horizontalHeader().setFixedHeight(self.horizontalHeader().height())
        self.frozen.raise_()

    def updateGeometries(self) -> None:
        super().updateGeometries()
        if hasattr(self, "frozen"):
            self._place()

    def moveCursor(
        self, action: QAbstractItemView.CursorAction, modifiers: Qt.KeyboardModifier
    ) -> QModelIndex:
        """Keyboard moves to the left never leave the current cell hidden under the
        frozen column (Qt's recipe)."""
        current = super().moveCursor(action, modifiers)
        if (
            action == QAbstractItemView.CursorAction.MoveLeft
            and current.column() > 0
            and self.visualRect(current).topLeft().x() < self.frozen.columnWidth(0)
        ):
            bar = self.horizontalScrollBar()
            new = bar.value() + self.visualRect(current).topLeft().x() - self.columnWidth(0)
            bar.setValue(new)
        return current

    def scrollTo(
        self,
        index: QModelIndex | QPersistentModelIndex,
        hint: QAbstractItemView.ScrollHint = QAbstractItemView.ScrollHint.EnsureVisible,
    ) -> None:
        if index.column() > 0:
            super().scrollTo(index, hint)


def cell_widths(
    model: DashboardModel, cols: list[int], bold: QFontMetrics, plain: QFontMetrics
) -> tuple[dict[int, int], dict[int, int]]:
    """Per column (the state and the vantages), the width its cells need on one line,
    and folded onto two (``DOWN · 4m`` over ``refused``).

    Straight from the rows' cached texts, each distinct string measured once: this runs
    after updates (at most once a second) and must cost the UI thread about 1 ms. A
    bigger board scrolls anyway: its first 300 rows set the widths."""
    seen: dict[tuple[bool, str], int] = {}

    def adv(is_bold: bool, text: str) -> int:
        w = seen.get((is_bold, text))
        if w is None:
            w = seen[(is_bold, text)] = (bold if is_bold else plain).horizontalAdvance(text)
        return w

    one: dict[int, int] = {}
    two: dict[int, int] = {}
    sample = model.rows()[:300]
    now = model.now
    for c in cols:
        # A remote column's header has two lines: the widest one counts.
        head_text = str(model.headerData(c, Qt.Orientation.Horizontal))
        w1 = w2 = max(adv(True, line) for line in head_text.split("\n")) + 20 - ICON_ROOM
        v = None if c == COL_STATE else model.vantages[c - FIRST_VANTAGE_COL]
        for r in sample:
            if v is None:
                text, is_bold, age = r.state_label, True, ""
            else:
                cell = r.cells.get(v)
                if cell is None:
                    continue
                word, text = cell
                is_bold = word == "down"
                age = cell_age(r.vantages[v], word, now)
            head, _, rest = text.partition(" ")
            w1 = max(w1, adv(is_bold, text + age))
            w2 = max(w2, adv(is_bold, head + age), adv(is_bold, rest))
        one[c], two[c] = w1 + ICON_ROOM + 2, w2 + ICON_ROOM + 2
    return one, two
