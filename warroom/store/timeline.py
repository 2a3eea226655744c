"""SQL for incidents, entries, revisions, action items and evidence.

Writers take the connection from ``Store.write()``; readers take the ``Store``. The
``incidents`` and ``entries`` rows are caches derived from the immutable change and
revision rows (``refresh_*``), so an import only has to insert and refresh.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypedDict

from warroom.domain.incidents import (
    TRACKED_FIELDS,
    ActionItem,
    Entry,
    Incident,
    IncidentChange,
    Revision,
    search_forms,
)
from warroom.store.db import SqlValue, select_in

if TYPE_CHECKING:
    from warroom.store.db import Store

ENTRY_COLS = (
    "id, incident, recorded_at, author, meta, occurred_at, kind, text, tags, pinned, "
    "external, hidden, hidden_reason, revision, current_rev, edited_at, edited_by, conflict"
)
REVISION_COLS = (
    "id, entry, parent, recorded_at, author, occurred_at, kind, text, tags, pinned, "
    "external, hidden, hidden_reason, note"
)
CHANGE_COLS = "id, incident, field, old_value, new_value, changed_at, changed_by"
ACTION_COLS = (
    "id, incident, entry, text, owner, due, done, created_at, created_by, updated_at, updated_by"
)


# -- rows <-> records: JSON and space-joined tags are the store's business --------------


class EntryShell(TypedDict):
    """What an entry row holds beyond its revisions: who created it when, and ``meta``."""

    id: str
    incident: str
    recorded_at: str
    author: str
    meta: Mapping[str, object]


class EvidenceRecord(TypedDict):
    """An evidence row with ``data`` decoded (the bundle's ``evidence`` record)."""

    id: str
    incident: str
    entry: str | None
    kind: str
    captured_at: str
    source: str
    data: Mapping[str, object]


def _tags(text: str) -> tuple[str, ...]:
    return tuple(t for t in text.split(" ") if t)


def incident_from_row(row: sqlite3.Row) -> Incident:
    d = dict(row)
    d["affected_services"] = tuple(json.loads(d.get("affected_services") or "[]"))
    return Incident(**{k: d[k] for k in Incident.__dataclass_fields__ if k in d})


def entry_from_row(row: sqlite3.Row) -> Entry:
    d = dict(row)
    return Entry(
        id=d["id"],
        incident=d["incident"],
        recorded_at=d["recorded_at"],
        author=d["author"],
        occurred_at=d["occurred_at"],
        kind=d["kind"],
        text=d["text"],
        tags=_tags(d["tags"]),
        pinned=bool(d["pinned"]),
        external=bool(d["external"]),
        hidden=bool(d["hidden"]),
        hidden_reason=d["hidden_reason"],
        revision=d["revision"],
        current_rev=d["current_rev"],
        edited_at=d["edited_at"],
        edited_by=d["edited_by"],
        conflict=bool(d["conflict"]),
        meta=json.loads(d["meta"] or "{}"),
    )


def revision_from_row(row: sqlite3.Row) -> Revision:
    d = dict(row)
    d["tags"] = _tags(d["tags"])
    for k in ("pinned", "external", "hidden"):
        d[k] = bool(d[k])
    return Revision(**{k: d[k] for k in Revision.__dataclass_fields__})


def action_from_row(row: sqlite3.Row) -> ActionItem:
    d = dict(row)
    d["done"] = bool(d["done"])
    return ActionItem(**{k: d[k] for k in ActionItem.__dataclass_fields__})


def change_from_row(row: sqlite3.Row) -> IncidentChange:
    d = dict(row)
    return IncidentChange(**{k: d[k] for k in IncidentChange.__dataclass_fields__})


def revision_content(r: Revision) -> tuple[SqlValue, ...]:
    """What a revision puts in the entry row's cache: occurred_at, kind, text, tags,
    pinned, external, hidden, hidden_reason (the one Revision->row mapping)."""
    return (
        r.occurred_at,
        r.kind,
        r.text,
        " ".join(r.tags),
        int(r.pinned),
        int(r.external),
        int(r.hidden),
        r.hidden_reason,
    )


def revision_row(r: Revision) -> tuple[SqlValue, ...]:
    """A revision in ``REVISION_COLS`` order."""
    return (r.id, r.entry, r.parent, r.recorded_at, r.author, *revision_content(r), r.note)


# -- incidents ---------------------------------------------------------------


def insert_incident_shell(conn: sqlite3.Connection, inc: Mapping[str, object]) -> bool:
    """Create the incident row if missing (values come from its changes)."""
    cur = conn.execute(
        "INSERT OR IGNORE INTO incidents(id, created_at, created_by, title, severity, status, "
        "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
        (
            inc["id"],
            inc["created_at"],
            inc["created_by"],
            inc.get("title", ""),
            inc.get("severity", "SEV3"),
            inc.get("status", "investigating"),
            inc["created_at"],
        ),
    )
    return cur.rowcount > 0


def insert_change(conn: sqlite3.Connection, ch: IncidentChange) -> bool:
    cur = conn.execute(
        f"INSERT OR IGNORE INTO incident_changes({CHANGE_COLS}) VALUES (?, ?, ?, ?, ?, ?, ?)",
        (ch.id, ch.incident, ch.field, ch.old_value, ch.new_value, ch.changed_at, ch.changed_by),
    )
    return cur.rowcount > 0


def refresh_incident(conn: sqlite3.Connection, incident: str) -> None:
    """Set every tracked field to its latest change (changed_at, then id: last wins)."""
    rows = conn.execute(
        "SELECT field, new_value, changed_at FROM incident_changes c WHERE incident = ? "
        "AND id = (SELECT id FROM incident_changes c2 WHERE c2.incident = c.incident "
        "AND c2.field = c.field ORDER BY changed_at DESC, id DESC LIMIT 1)",
        (incident,),
    ).fetchall()
    sets: dict[str, str | None] = {}
    latest = ""
    for field, value, changed_at in rows:
        if field not in TRACKED_FIELDS:
            continue
        if field in {"title", "severity", "status"} and value is None:
            continue
        if value is None and field not in {
            "detected_at",
            "started_at",
            "mitigated_at",
            "resolved_at",
            "next_update_due",
        }:
            value = "[]" if field == "affected_services" else ""
        sets[field] = value
        latest = max(latest, changed_at)
    if not sets:
        return
    assign = ", ".join(f"{f} = ?" for f in sets)
    conn.execute(
        f"UPDATE incidents SET {assign}, updated_at = max(updated_at, ?) WHERE id = ?",
        (*sets.values(), latest, incident),
    )


def get_incident(store: Store, incident: str) -> Incident | None:
    row = store.query_one("SELECT * FROM incidents WHERE id = ?", (incident,))
    return incident_from_row(row) if row else None


def _find_ids(store: Store, table: str, prefix: str, limit: int) -> list[str]:
    """Ids equal to, or (case-insensitively) starting with, ``prefix``."""
    p = prefix.strip().upper()
    rows = store.query(
        f"SELECT id FROM {table} WHERE id = ? OR id LIKE ? ESCAPE '\\' ORDER BY id LIMIT ?",
        (p, p.replace("%", "\\%").replace("_", "\\_") + "%", limit),
    )
    return [r[0] for r in rows]


def find_incident_ids(store: Store, prefix: str) -> list[str]:
    return _find_ids(store, "incidents", prefix, 50)


def list_incidents(store: Store) -> list[Incident]:
    rows = store.query("SELECT * FROM incidents ORDER BY created_at DESC, id DESC")
    return [incident_from_row(r) for r in rows]


def incident_changes(store: Store, incident: str) -> list[IncidentChange]:
    rows = store.query(
        f"SELECT {CHANGE_COLS} FROM incident_changes WHERE incident = ? ORDER BY changed_at, id",
        (incident,),
    )
    return [change_from_row(r) for r in rows]


# -- entries and revisions ------------------------------------------------------


def insert_entry_shell(conn: sqlite3.Connection, e: EntryShell, first: Revision) -> bool:
    """Create the entry row (cache filled from ``first``) if it does not exist yet."""
    cur = conn.execute(
        f"INSERT OR IGNORE INTO entries({ENTRY_COLS}) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?, 0)",
        (
            e["id"],
            e["incident"],
            e["recorded_at"],
            e["author"],
            json.dumps(e.get("meta") or {}, ensure_ascii=False, sort_keys=True),
            *revision_content(first),
            first.id,
            first.recorded_at,
            first.author,
        ),
    )
    return cur.rowcount > 0


def insert_revision(conn: sqlite3.Connection, r: Revision) -> bool:
    cur = conn.execute(
        f"INSERT OR IGNORE INTO revisions({REVISION_COLS}) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        revision_row(r),
    )
    return cur.rowcount > 0


def refresh_entry(conn: sqlite3.Connection, entry: str) -> None:
    """Make the entry row show its newest revision; flag forks as conflicts."""
    cur = conn.execute(
        f"SELECT {REVISION_COLS} FROM revisions WHERE entry = ? "
        "ORDER BY recorded_at DESC, id DESC LIMIT 1",
        (entry,),
    ).fetchone()
    if cur is None:
        return
    n, forks = conn.execute(
        "SELECT count(*), count(*) - count(DISTINCT coalesce(parent, '')) FROM revisions "
        "WHERE entry = ?",
        (entry,),
    ).fetchone()
    r = revision_from_row(cur)
    conn.execute(
        "UPDATE entries SET occurred_at = ?, kind = ?, text = ?, tags = ?, pinned = ?, "
        "external = ?, hidden = ?, hidden_reason = ?, revision = ?, current_rev = ?, "
        "edited_at = ?, edited_by = ?, conflict = ? WHERE id = ?",
        (
            *revision_content(r),
            n,
            r.id,
            r.recorded_at,
            r.author,
            int(forks > 0),
            entry,
        ),
    )


def current_revision(conn: sqlite3.Connection, entry: str) -> Revision | None:
    """The entry's current revision, read inside the writer's transaction."""
    row = conn.execute(
        f"SELECT {REVISION_COLS} FROM revisions WHERE id = "
        "(SELECT current_rev FROM entries WHERE id = ?)",
        (entry,),
    ).fetchone()
    return revision_from_row(row) if row else None


def get_entry(store: Store, entry: str) -> Entry | None:
    row = store.query_one(f"SELECT {ENTRY_COLS} FROM entries WHERE id = ?", (entry,))
    return entry_from_row(row) if row else None


def find_entry_ids(store: Store, prefix: str) -> list[str]:
    return _find_ids(store, "entries", prefix, 5)


def revisions_of(store: Store, entry: str) -> list[Revision]:
    rows = store.query(
        f"SELECT {REVISION_COLS} FROM revisions WHERE entry = ? ORDER BY recorded_at, id",
        (entry,),
    )
    return [revision_from_row(r) for r in rows]


def revisions_in(conn: sqlite3.Connection, entry: str) -> list[Revision]:
    """``revisions_of`` inside a write (the writer's connection)."""
    rows = conn.execute(
        f"SELECT {REVISION_COLS} FROM revisions WHERE entry = ? ORDER BY recorded_at, id",
        (entry,),
    ).fetchall()
    return [revision_from_row(r) for r in rows]


def fts_query(text: str) -> str:
    """Turn what a person typed into a safe FTS5 query: every word must match (prefix).

    The index folds case and accents (unicode61, remove_diacritics 2) but keeps ``ß``;
    each word also matches its other spellings under ``search_forms`` (``aussenstelle``
    finds ``Außenstelle`` and the other way round), the one folding the GUI and the
    command line share.
    """
    words = [w for w in text.replace('"', " ").split() if w]
    parts = []
    for w in words:
        forms = search_forms(w)
        alts = " OR ".join(f'"{f}"*' for f in forms)
        parts.append(f"({alts})" if len(forms) > 1 else alts)
    return " ".join(parts)


@dataclass(frozen=True)
class EntryFilter:
    """Which entries a view or command wants. Empty fields do not filter."""

    incident: str
    search: str = ""
    kinds: tuple[str, ...] = ()
    tag: str = ""
    author: str = ""
    pinned_only: bool = False
    include_hidden: bool = False

    def where(self) -> tuple[str, list[SqlValue]]:
        clauses = ["e.incident = ?"]
        params: list[SqlValue] = [self.incident]
        if self.kinds:
            clauses.append(f"e.kind IN ({','.join('?' * len(self.kinds))})")
            params.extend(self.kinds)
        if self.tag:
            clauses.append("(' ' || e.tags || ' ') LIKE ?")
            params.append(f"% {self.tag.lstrip('#').lower()} %")
        if self.author:
            clauses.append("e.author = ?")
            params.append(self.author)
        if self.pinned_only:
            clauses.append("e.pinned = 1")
        if not self.include_hidden:
            clauses.append("e.hidden = 0")
        q = fts_query(self.search) if self.search.strip() else ""
        if q:
            clauses.append("e.rowid IN (SELECT rowid FROM entries_fts WHERE entries_fts MATCH ?)")
            params.append(q)
        return " AND ".join(clauses), params


def list_entries(
    store: Store,
    flt: EntryFilter,
    *,
    limit: int | None = None,
    offset: int = 0,
    newest_first: bool = False,
) -> list[Entry]:
    where, params = flt.where()
    order = "DESC" if newest_first else "ASC"
    sql = (
        f"SELECT {', '.join('e.' + c.strip() for c in ENTRY_COLS.split(','))} FROM entries e "
        f"WHERE {where} ORDER BY e.occurred_at {order}, e.id {order}"
    )
    if limit is not None:
        sql += " LIMIT ? OFFSET ?"
        params = [*params, limit, offset]
    return [entry_from_row(r) for r in store.query(sql, params)]


def entry_keys(store: Store, flt: EntryFilter) -> list[str]:
    """Just the ordered ids: cheap enough for 100,000 rows, so a view can page lazily."""
    where, params = flt.where()
    rows = store.reader().execute(
        f"SELECT e.id FROM entries e WHERE {where} ORDER BY e.occurred_at, e.id", params
    )
    return [r[0] for r in rows]


def entries_by_ids(store: Store, ids: Sequence[str]) -> dict[str, Entry]:
    rows = select_in(store.reader(), f"SELECT {ENTRY_COLS} FROM entries WHERE id IN ({{ids}})", ids)
    return {r["id"]: entry_from_row(r) for r in rows}


def authors(store: Store, incident: str) -> list[str]:
    return [
        r[0]
        for r in store.query(
            "SELECT DISTINCT author FROM entries WHERE incident = ? ORDER BY author", (incident,)
        )
    ]


def tags(store: Store, incident: str) -> list[str]:
    found: set[str] = set()
    for (t,) in store.query(
        "SELECT DISTINCT tags FROM entries WHERE incident = ? AND tags != ''", (incident,)
    ):
        found.update(x for x in t.split(" ") if x)
    return sorted(found)


# -- action items and evidence ---------------------------------------------------------


def upsert_action(conn: sqlite3.Connection, a: ActionItem) -> bool:
    """Insert, or replace when this version is newer (updated_at, updated_by, content)."""
    cur = conn.execute(
        f"INSERT INTO action_items({ACTION_COLS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
        "ON CONFLICT(id) DO UPDATE SET text = excluded.text, owner = excluded.owner, "
        "due = excluded.due, done = excluded.done, updated_at = excluded.updated_at, "
        "updated_by = excluded.updated_by "
        # Content breaks exact ties, so every workstation picks the same version.
        "WHERE (excluded.updated_at, excluded.updated_by, excluded.done, excluded.text, "
        "excluded.owner, coalesce(excluded.due, '')) > "
        "(updated_at, updated_by, done, text, owner, coalesce(due, ''))",
        (
            a.id,
            a.incident,
            a.entry,
            a.text,
            a.owner,
            a.due,
            int(a.done),
            a.created_at,
            a.created_by,
            a.updated_at,
            a.updated_by,
        ),
    )
    return cur.rowcount > 0


def action_items(store: Store, incident: str, *, open_only: bool = False) -> list[ActionItem]:
    sql = f"SELECT {ACTION_COLS} FROM action_items WHERE incident = ?"
    if open_only:
        sql += " AND done = 0"
    sql += " ORDER BY created_at, id"
    return [action_from_row(r) for r in store.query(sql, (incident,))]


def actions_of_entry(conn: sqlite3.Connection, entry: str) -> list[ActionItem]:
    """The action items an entry made (``TODO:``), read inside a write."""
    rows = conn.execute(
        f"SELECT {ACTION_COLS} FROM action_items WHERE entry = ? ORDER BY created_at, id",
        (entry,),
    ).fetchall()
    return [action_from_row(r) for r in rows]


def get_action(store: Store, action: str) -> ActionItem | None:
    row = store.query_one(f"SELECT {ACTION_COLS} FROM action_items WHERE id = ?", (action,))
    return action_from_row(row) if row else None


def insert_evidence(conn: sqlite3.Connection, ev: Mapping[str, object]) -> bool:
    cur = conn.execute(
        "INSERT OR IGNORE INTO evidence(id, incident, entry, kind, captured_at, source, data) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        (
            ev["id"],
            ev["incident"],
            ev.get("entry"),
            ev["kind"],
            ev["captured_at"],
            ev.get("source", ""),
            json.dumps(ev.get("data") or {}, ensure_ascii=False, sort_keys=True)
            if not isinstance(ev.get("data"), str)
            else ev["data"],
        ),
    )
    return cur.rowcount > 0


def evidence(store: Store, incident: str) -> list[EvidenceRecord]:
    rows = store.query(
        "SELECT id, incident, entry, kind, captured_at, source, data FROM evidence "
        "WHERE incident = ? ORDER BY captured_at, id",
        (incident,),
    )
    return [
        EvidenceRecord(
            id=r["id"],
            incident=r["incident"],
            entry=r["entry"],
            kind=r["kind"],
            captured_at=r["captured_at"],
            source=r["source"],
            data=json.loads(r["data"] or "{}"),
        )
        for r in rows
    ]


def count_entries(store: Store, incident: str) -> int:
    row = store.query_one("SELECT count(*) FROM entries WHERE incident = ?", (incident,))
    return int(row[0]) if row else 0


def all_revisions(store: Store, incident: str) -> Iterable[Revision]:
    rows = store.reader().execute(
        f"SELECT {', '.join('r.' + c.strip() for c in REVISION_COLS.split(','))} "
        "FROM revisions r JOIN entries e ON e.id = r.entry WHERE e.incident = ? "
        "ORDER BY r.entry, r.recorded_at, r.id",
        (incident,),
    )
    for row in rows:
        yield revision_from_row(row)


# -- change feed for live views ----------------------------------------------------------


def change_marks(store: Store) -> tuple[int, int]:
    """The newest entry and revision rowids: a cursor for ``changed_entry_ids``.

    Nothing is ever deleted and one writer commits at a time, so rowids only grow and
    everything committed so far sits at or below these marks.
    """
    row = store.query_one(
        "SELECT (SELECT coalesce(max(rowid), 0) FROM entries), "
        "(SELECT coalesce(max(rowid), 0) FROM revisions)"
    )
    return (int(row[0]), int(row[1])) if row else (0, 0)


def changed_entry_ids(store: Store, incident: str, marks: tuple[int, int]) -> list[str]:
    """Entries of ``incident`` created or revised after ``marks`` (read the marks first)."""
    # "+incident": walk the rowid range, not the (much larger) incident index.
    rows = store.query(
        "SELECT id FROM entries WHERE rowid > ? AND +incident = ? UNION "
        "SELECT r.entry FROM revisions r CROSS JOIN entries e ON e.id = r.entry "
        "WHERE r.rowid > ? AND +e.incident = ?",
        (marks[0], incident, marks[1], incident),
    )
    return [r[0] for r in rows]


def filter_ids(store: Store, flt: EntryFilter, ids: Sequence[str]) -> set[str]:
    """Which of ``ids`` ``flt`` selects (to update a view entry by entry)."""
    where, params = flt.where()
    sql = f"SELECT e.id FROM entries e WHERE {where} AND e.id IN ({{ids}})"
    return {r[0] for r in select_in(store.reader(), sql, ids, params)}


def count_matching(store: Store, flt: EntryFilter) -> int:
    """How many entries ``flt`` selects (a view sizes its scroll bar before reading ids)."""
    where, params = flt.where()
    row = store.query_one(f"SELECT count(*) FROM entries e WHERE {where}", params)
    return int(row[0]) if row else 0
