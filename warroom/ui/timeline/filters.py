"""The timeline's filter bar: search, kinds, tag, author, pinned only, show hidden.

It owns the filter widgets and says when they changed; the pane turns that into an
``EntryFilter`` for the model. Search is debounced (typing a word is one reload).

Signals:
    changed(): some filter changed (search after a short pause).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from warroom.base import humanize
from warroom.domain import incidents as d
from warroom.services.timeline import EntryFilter
from warroom.ui import icons

SEARCH_PAUSE_MS = 200


class ChoiceCombo(QComboBox):
    """A filter choice whose items are re-read when it opens (tags, authors)."""

    def __init__(self, everything: str, loader: Callable[[], list[str]]) -> None:
        super().__init__()
        self._everything = everything
        self._loader = loader
        self.addItem(everything, "")
        self.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)

    def reload(self) -> None:
        cur = self.value()
        self.blockSignals(True)
        self.clear()
        self.addItem(self._everything, "")
        for v in self._loader():
            self.addItem(v, v)
        i = self.findData(cur)
        if i < 0 and cur:
            self.addItem(cur, cur)
            i = self.count() - 1
        self.setCurrentIndex(max(0, i))
        self.blockSignals(False)

    def showPopup(self) -> None:
        self.reload()
        super().showPopup()

    def value(self) -> str:
        return str(self.currentData() or "")

    def set_value(self, v: str) -> None:
        i = self.findData(v)
        if i < 0 and v:
            self.addItem(v, v)
            i = self.count() - 1
        self.setCurrentIndex(max(0, i))


class FilterBar(QWidget):
    changed = Signal()

    def __init__(
        self,
        tags: Callable[[], list[str]],
        authors: Callable[[], list[str]],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_PAUSE_MS)
        self._search_timer.timeout.connect(self.changed)
        # Two rows: search on its own, choices below, so a narrow dock clips nothing.
        rows = QVBoxLayout(self)
        rows.setContentsMargins(0, 0, 0, 0)
        rows.setSpacing(3)
        top = QHBoxLayout()
        row = QHBoxLayout()
        row.setSpacing(4)
        rows.addLayout(top)
        rows.addLayout(row)
        self.search = QLineEdit()
        self.search.setObjectName("timeline-search")
        self.search.setPlaceholderText("Search text, tags and authors (Ctrl+F)")
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(lambda _t: self._search_timer.start())
        self.search.returnPressed.connect(self.changed)
        top.addWidget(self.search, 1)
        self.kind_button = QToolButton()
        self.kind_button.setObjectName("timeline-kinds")
        self.kind_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        menu = QMenu(self.kind_button)
        self.kind_actions: dict[str, QAction] = {}
        for k in d.Kind:
            a = menu.addAction(icons.kind_icon(k.value), k.value)
            a.setCheckable(True)
            a.toggled.connect(lambda _on: self.changed.emit())
            self.kind_actions[k.value] = a
        self.kind_button.setMenu(menu)
        self.kind_button.setToolTip("Show only some kinds of entry")
        row.addWidget(self.kind_button)
        self.tag_combo = ChoiceCombo("All tags", tags)
        self.tag_combo.setObjectName("timeline-tag")
        self.tag_combo.currentIndexChanged.connect(lambda _i: self.changed.emit())
        row.addWidget(self.tag_combo)
        self.author_combo = ChoiceCombo("All authors", authors)
        self.author_combo.setObjectName("timeline-author-filter")
        self.author_combo.currentIndexChanged.connect(lambda _i: self.changed.emit())
        row.addWidget(self.author_combo)
        # Toggle buttons rather than check boxes: their state reads on every palette.
        self.pinned_box = self._toggle("Pinned only", "pin", "timeline-pinned")
        row.addWidget(self.pinned_box)
        self.hidden_box = self._toggle("Show hidden", "hidden", "timeline-show-hidden")
        self.hidden_box.setToolTip("Also list hidden entries, struck through, with their reason")
        row.addWidget(self.hidden_box)
        row.addStretch(1)
        self.count_label = QLabel()
        self.count_label.setObjectName("timeline-count")
        top.addWidget(self.count_label)
        self.update_kind_button()

    def _toggle(self, text: str, icon_name: str, name: str) -> QToolButton:
        b = QToolButton()
        b.setText(text)
        b.setIcon(icons.icon(icon_name))
        b.setCheckable(True)
        b.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        b.setObjectName(name)
        b.toggled.connect(lambda _on: self.changed.emit())
        return b

    def stop_pending(self) -> None:
        """The filter is being applied now: a pending search pause is moot."""
        self._search_timer.stop()

    def update_kind_button(self) -> None:
        on = [k for k, a in self.kind_actions.items() if a.isChecked()]
        self.kind_button.setText("All kinds" if not on else ", ".join(on))

    def current(self, incident: str) -> EntryFilter:
        return EntryFilter(
            incident=incident,
            search=self.search.text().strip(),
            kinds=tuple(k for k, a in self.kind_actions.items() if a.isChecked()),
            tag=self.tag_combo.value(),
            author=self.author_combo.value(),
            pinned_only=self.pinned_box.isChecked(),
            include_hidden=self.hidden_box.isChecked(),
        )

    def set_values(
        self,
        *,
        search: str | None = None,
        kinds: tuple[str, ...] | list[str] | None = None,
        tag: str | None = None,
        author: str | None = None,
        pinned_only: bool | None = None,
        include_hidden: bool | None = None,
    ) -> None:
        """Set several filters without a signal per widget (the caller reloads once)."""
        widgets: list[QWidget | QAction] = [
            self.search, self.tag_combo, self.author_combo, self.pinned_box, self.hidden_box,
            *self.kind_actions.values(),
        ]  # fmt: skip
        for w in widgets:
            w.blockSignals(True)
        try:
            if search is not None:
                self.search.setText(search)
            if kinds is not None:
                for k, a in self.kind_actions.items():
                    a.setChecked(k in kinds)
            if tag is not None:
                self.tag_combo.set_value(tag.lstrip("#").lower())
            if author is not None:
                self.author_combo.set_value(author)
            if pinned_only is not None:
                self.pinned_box.setChecked(pinned_only)
            if include_hidden is not None:
                self.hidden_box.setChecked(include_hidden)
        finally:
            for w in widgets:
                w.blockSignals(False)

    def show_count(self, n: int, flt: EntryFilter | None) -> None:
        filtered = flt is not None and bool(
            flt.search or flt.kinds or flt.tag or flt.author or flt.pinned_only
        )
        noun = ("match", "matches") if filtered else ("entry", "entries")
        self.count_label.setText(humanize.count(n, *noun))


__all__ = ["ChoiceCombo", "FilterBar"]
