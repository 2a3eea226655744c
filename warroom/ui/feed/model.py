"""Qt models of the feed pane: the posts (one stream) and the sources (their health).

``PostListModel`` holds the newest ``MAX_ROWS`` posts, newest first by the post's own
time; views read it through named roles. ``PostFilter`` hides muted posts and the
sources not chosen. ``SourceTableModel`` has one row per source with named columns:
unread count, state ("updated 10:42" / "stale since 10:40: HTTP 503"), posts cached.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Sequence
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QAbstractTableModel,
    QByteArray,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)

from warroom.base import timeutil
from warroom.domain.social import Post, SourceStatus
from warroom.social.filters import Filters

MAX_ROWS = 2000
_USER = int(Qt.ItemDataRole.UserRole)
PostRole = _USER + 1
SourceRole = _USER + 2
AuthorRole = _USER + 3
TextRole = _USER + 4
TimeRole = _USER + 5
UrlRole = _USER + 6
UnreadRole = _USER + 7
HighlightRole = _USER + 8
SpansRole = _USER + 9
KindRole = _USER + 10
SeqRole = _USER + 11

Index = QModelIndex | QPersistentModelIndex
KIND_LABEL = {
    "mastodon": "Mastodon",
    "bluesky": "Bluesky",
    "rss": "RSS",
    "statuspage": "Status page",
}


def _key(p: Post) -> tuple[str, int]:
    return (p.time, p.seq)


def local_time(stored: str) -> str:
    """``10:42`` in the local zone (today), else ``Nov 24 10:42``."""
    try:
        t = timeutil.parse_utc(stored).astimezone()
    except ValueError:
        return stored
    now = timeutil.now().astimezone()
    return t.strftime("%H:%M") if t.date() == now.date() else t.strftime("%b %d %H:%M")


def full_time(stored: str) -> str:
    """``Mon 24 Nov 10:42:05 local (09:42:05 UTC)`` for tooltips and the detail view."""
    try:
        u = timeutil.parse_utc(stored)
    except ValueError:
        return stored
    t = u.astimezone()
    return f"{t.strftime('%a %d %b %H:%M:%S')} local ({u.strftime('%H:%M:%S')} UTC)"


def who(p: Post) -> str:
    base = p.author if p.kind in ("rss", "statuspage") else f"@{p.author}"
    if p.author_name and p.author_name not in (p.author, base):
        return f"{p.author_name} {base}"
    return base


class PostListModel(QAbstractListModel):
    """Posts newest first; ``add`` keeps that order whatever order they arrive in."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[Post] = []  # newest first
        self._keys: list[tuple[str, int]] = []  # negated sort keys, ascending (for bisect)
        self._ids: set[tuple[str, str]] = set()
        self.read_upto: dict[str, int] = {}
        self.filters = Filters()

    # -- changes ---------------------------------------------------------------------

    def set_posts(self, posts: Iterable[Post]) -> None:
        rows = sorted({(p.source, p.id): p for p in posts}.values(), key=_key, reverse=True)
        self.beginResetModel()
        self._rows = rows[:MAX_ROWS]
        self._keys = [_neg(p) for p in self._rows]
        self._ids = {(p.source, p.id) for p in self._rows}
        self.endResetModel()

    def add(self, posts: Sequence[Post]) -> int:
        """Insert new posts where they belong; returns how many were inserted.

        Posts that fall between the same two rows go in as one block (a first poll of
        400 posts is one insert, not 400), bottom block first so positions hold.
        """
        blocks: dict[int, list[Post]] = {}
        for p in sorted(posts, key=_key, reverse=True):
            ident = (p.source, p.id)
            if ident in self._ids:
                continue
            self._ids.add(ident)
            blocks.setdefault(bisect.bisect_left(self._keys, _neg(p)), []).append(p)
        n = 0
        for pos in sorted(blocks, reverse=True):
            block = blocks[pos]
            if pos >= MAX_ROWS:
                self._ids.difference_update((p.source, p.id) for p in block)
                continue
            self.beginInsertRows(QModelIndex(), pos, pos + len(block) - 1)
            self._rows[pos:pos] = block
            self._keys[pos:pos] = [_neg(p) for p in block]
            self.endInsertRows()
            n += len(block)
        if len(self._rows) > MAX_ROWS:
            self.beginRemoveRows(QModelIndex(), MAX_ROWS, len(self._rows) - 1)
            for p in self._rows[MAX_ROWS:]:
                self._ids.discard((p.source, p.id))
            del self._rows[MAX_ROWS:]
            del self._keys[MAX_ROWS:]
            self.endRemoveRows()
        return n

    def set_read(self, upto: dict[str, int]) -> None:
        self.read_upto = dict(upto)
        self._changed_all([UnreadRole])

    def set_filters(self, filters: Filters) -> None:
        self.filters = filters
        self._changed_all([HighlightRole, SpansRole])

    def _changed_all(self, roles: list[int]) -> None:
        if self._rows:
            self.dataChanged.emit(self.index(0), self.index(len(self._rows) - 1), roles)

    # -- reading ---------------------------------------------------------------------

    def post(self, row: int) -> Post | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def posts(self) -> list[Post]:
        return list(self._rows)

    def unread(self, p: Post) -> bool:
        return p.seq > self.read_upto.get(p.source, 0)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def roleNames(self) -> dict[int, QByteArray]:
        names = {
            PostRole: b"post",
            SourceRole: b"source",
            AuthorRole: b"author",
            TextRole: b"text",
            TimeRole: b"time",
            UrlRole: b"url",
            UnreadRole: b"unread",
            HighlightRole: b"highlight",
            SpansRole: b"spans",
            KindRole: b"kind",
            SeqRole: b"seq",
        }
        return {**super().roleNames(), **{k: QByteArray(v) for k, v in names.items()}}

    def data(self, index: Index, role: int = int(Qt.ItemDataRole.DisplayRole)) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        p = self._rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return f"{local_time(p.time)} {p.source} {who(p)}: {p.text}"
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{full_time(p.time)}\n{p.url or 'no link'}"
        if role == Qt.ItemDataRole.AccessibleTextRole:
            new = "new, " if self.unread(p) else ""
            return f"{new}{who(p)} on {p.source} at {local_time(p.time)}: {p.text}"
        if role == PostRole:
            return p
        if role == SourceRole:
            return p.source
        if role == AuthorRole:
            return p.author
        if role == TextRole:
            return p.text
        if role == TimeRole:
            return p.time
        if role == UrlRole:
            return p.url
        if role == UnreadRole:
            return self.unread(p)
        if role == HighlightRole:
            return self.filters.highlighted(p)
        if role == SpansRole:
            return self.filters.spans(p.text)
        if role == KindRole:
            return p.kind
        if role == SeqRole:
            return p.seq
        return None


def _neg(p: Post) -> tuple[str, int]:
    """A key that sorts newest first in ascending order (times are fixed-width text)."""
    inv = "".join(chr(0x10FFFF - ord(c)) if c.isdigit() else c for c in p.time)
    return (inv, -p.seq)


class PostFilter(QSortFilterProxyModel):
    """Hides muted posts and, when sources are chosen, the other sources."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.sources: set[str] | None = None  # None: every source
        self.show_muted = False

    def set_sources(self, sources: set[str] | None) -> None:
        self.refilter(lambda: setattr(self, "sources", sources))

    def refilter(self, change: Any = None) -> None:
        """Apply ``change`` (a callable) and filter the rows again."""
        if hasattr(self, "endFilterChange"):  # Qt 6.10: invalidateRowsFilter is deprecated
            self.beginFilterChange()
            if change is not None:
                change()
            self.endFilterChange(QSortFilterProxyModel.Direction.Rows)
        else:  # pragma: no cover (Qt < 6.10)
            if change is not None:
                change()
            self.invalidateRowsFilter()

    def filterAcceptsRow(self, row: int, parent: Index) -> bool:
        model = self.sourceModel()
        assert isinstance(model, PostListModel)
        p = model.post(row)
        if p is None:
            return False
        if self.sources is not None and p.source not in self.sources:
            return False
        return self.show_muted or not model.filters.muted(p)


# -- the sources --------------------------------------------------------------------

NAME, KIND, UNREAD, POSTS, STATE = range(5)
HEADERS = {NAME: "Source", KIND: "Kind", UNREAD: "Unread", POSTS: "Cached", STATE: "State"}
StaleRole = _USER + 20


def describe(s: SourceStatus) -> str:
    """The state in words, local times: "updated 10:42" / "STALE since 10:40 — HTTP 503"."""
    if s.error is not None:
        since = local_time(s.stale_since) if s.stale_since else "?"
        last = f"; last good {local_time(s.last_ok)}" if s.last_ok else "; never read"
        return f"STALE since {since} — {s.error}{last}"
    if s.last_ok is None:
        return "not read yet"
    return f"updated {local_time(s.last_ok)}" + (f" — {s.note}" if s.note else "")


class SourceTableModel(QAbstractTableModel):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._names: list[str] = []
        self.status: dict[str, SourceStatus] = {}
        self.unread: dict[str, int] = {}
        self.cached: dict[str, int] = {}

    def set_sources(self, statuses: Sequence[SourceStatus]) -> None:
        self.beginResetModel()
        self._names = [s.name for s in statuses]
        self.status = {s.name: s for s in statuses}
        self.endResetModel()

    def names(self) -> list[str]:
        return list(self._names)

    def update_status(self, s: SourceStatus) -> None:
        if s.name not in self.status:
            return
        self.status[s.name] = s
        r = self._names.index(s.name)
        self.dataChanged.emit(self.index(r, 0), self.index(r, len(HEADERS) - 1))

    def set_counts(self, unread: dict[str, int], cached: dict[str, int]) -> None:
        self.unread, self.cached = dict(unread), dict(cached)
        if self._names:
            self.dataChanged.emit(self.index(0, UNREAD), self.index(len(self._names) - 1, POSTS))

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._names)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(HEADERS)

    def headerData(
        self,
        section: int,
        orientation: Qt.Orientation,
        role: int = int(Qt.ItemDataRole.DisplayRole),
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return HEADERS.get(section)
        return None

    def data(self, index: Index, role: int = int(Qt.ItemDataRole.DisplayRole)) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._names):
            return None
        name = self._names[index.row()]
        s = self.status[name]
        col = index.column()
        if role == StaleRole:
            return s.error is not None
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{s.url}\n{describe(s)}"
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if col == NAME:
            return name
        if col == KIND:
            return KIND_LABEL.get(s.kind, s.kind)
        if col == UNREAD:
            return self.unread.get(name, 0)
        if col == STATE:
            return describe(s)
        if col == POSTS:
            return self.cached.get(name, 0)
        return None
