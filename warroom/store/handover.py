"""SQL for handover: reading one incident's whole record, and bulk merging a bundle.

The row-at-a-time helpers in ``store.timeline`` are right for the GUI; an import of
100,000 entries needs ``executemany`` and set-based refreshes instead. Everything here
runs on the writer connection inside one ``Store.write()`` transaction (temp tables
included), except the ``read_*`` functions, which take the ``Store``.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, TypeAlias

from warroom.store.db import select_in
from warroom.store.timeline import CHANGE_COLS, REVISION_COLS

if TYPE_CHECKING:
    from warroom.store.db import Store

_REV_COLS = [c.strip() for c in REVISION_COLS.split(",")]
_CHANGE_COLS = [c.strip() for c in CHANGE_COLS.split(",")]
ENTRY_SHELL_COLS = ("id", "incident", "recorded_at", "author", "meta")

# Rows as SQLite hands them back (plain tuples), in each query's column order. Flags
# are stored as 0/1 integers, tags space-separated, meta as JSON text.
ShellRow: TypeAlias = tuple[str, str, str, str, str]
RevisionRow: TypeAlias = tuple[
    str, str, str | None, str, str, str, str, str, str, int, int, int, str, str
]  # REVISION_COLS
EntryRow: TypeAlias = tuple[
    str, str, str, str, str, str, str, str, str, int, int, int, str, int, str, str, str, int
]  # read_entry_rows
ChangeRow: TypeAlias = tuple[str, str, str, str | None, str | None, str, str]  # CHANGE_COLS
EntryJsonRow: TypeAlias = tuple[str, str, str, str, str | None]  # read_entry_json
# What a bulk insert takes: one sequence of column values per row.
Rows: TypeAlias = Iterable[Sequence[object]]


# -- reading (export) -------------------------------------------------------------


def _cursor(store: Store) -> sqlite3.Cursor:
    cur = store.reader().cursor()
    cur.row_factory = None  # plain tuples: several times cheaper for 100,000 rows
    return cur


def read_entry_shells(store: Store, incident: str) -> list[ShellRow]:
    """Entry facts (id, incident, recorded_at, author, meta), in timeline order."""
    rows: list[ShellRow] = (
        _cursor(store)
        .execute(
            "SELECT id, incident, recorded_at, author, meta FROM entries WHERE incident = ? "
            "ORDER BY occurred_at, id",
            (incident,),
        )
        .fetchall()
    )
    return rows


def read_revisions(store: Store, incident: str) -> Iterable[RevisionRow]:
    """Every revision of the incident's entries (REVISION_COLS), entry by entry in timeline
    order (the order the indexes already give: no sort), each entry's oldest first."""
    cols = ", ".join("r." + c for c in _REV_COLS)
    rows: Iterable[RevisionRow] = _cursor(store).execute(
        f"SELECT {cols} FROM revisions r JOIN entries e ON e.id = r.entry "
        "WHERE e.incident = ? ORDER BY e.occurred_at, e.id, r.recorded_at, r.id",
        (incident,),
    )
    return rows


# An entry record's canonical JSON (``bundle._canon``: sorted keys, compact, non-ASCII
# as is) built by SQLite: ``json_quote`` and ``json_object`` escape exactly as Python's
# json does with ensure_ascii=False (checked over every code point; a property test
# compares the two), and ``json_object`` keeps its keys in the order given (sorted
# here). Tags are stored space-separated: quoting the whole string and turning each
# space into '","' quotes each tag (escaping never writes a space). The entry's meta is
# left to Python, which sorts its keys.
_J_HEAD = (
    "'{\"author\":' || json_quote(e.author) || ',\"id\":' || json_quote(e.id) "
    "|| ',\"incident\":' || json_quote(e.incident) || ',\"meta\":'"
)
_J_MID = "',\"recorded_at\":' || json_quote(e.recorded_at) || ',\"revisions\":['"
_J_BOOL = "json(CASE WHEN r.{0} = 1 THEN 'true' ELSE 'false' END)"
_J_REV = (
    "json_object('author', r.author, 'external', "
    + _J_BOOL.format("external")
    + ", 'hidden', "
    + _J_BOOL.format("hidden")
    + ", 'hidden_reason', r.hidden_reason, 'id', r.id, 'kind', r.kind, 'note', r.note, "
    "'occurred_at', r.occurred_at, 'parent', r.parent, 'pinned', "
    + _J_BOOL.format("pinned")
    + ", 'recorded_at', r.recorded_at, 'tags', json('[' || CASE WHEN r.tags = '' THEN '' "
    "ELSE replace(json_quote(r.tags), ' ', '\",\"') END || ']'), 'text', r.text)"
)


def read_entry_json(store: Store, incident: str) -> list[EntryJsonRow]:
    """Every revision of the incident's entries as canonical JSON, in timeline order,
    each entry's oldest first: (entry id, head up to ``"meta":``, meta JSON text, the
    part from ``,"recorded_at"`` to ``"revisions":[``, revision JSON or None for an
    entry without revisions). The JSON export joins them without building a dict."""
    rows: list[EntryJsonRow] = (
        _cursor(store)
        .execute(
            f"SELECT e.id, {_J_HEAD}, e.meta, {_J_MID}, "
            f"CASE WHEN r.id IS NULL THEN NULL ELSE {_J_REV} END "
            "FROM entries e LEFT JOIN revisions r ON r.entry = e.id WHERE e.incident = ? "
            "ORDER BY e.occurred_at, e.id, r.recorded_at, r.id",
            (incident,),
        )
        .fetchall()
    )
    return rows


_ENTRY_ROW = (
    "SELECT id, incident, recorded_at, author, meta, occurred_at, kind, text, tags, "
    "pinned, external, hidden, hidden_reason, revision, current_rev, edited_at, "
    "edited_by, conflict"
)
_SHOWN = "FROM entries WHERE incident = :i AND hidden = 0"
_NEWEST = "ORDER BY occurred_at DESC, id DESC"


def read_entry_rows(store: Store, incident: str, *, include_hidden: bool) -> list[EntryRow]:
    """Current entries (cache rows) for exports meant for people, in timeline order."""
    sql = f"{_ENTRY_ROW} FROM entries WHERE incident = ?"
    if not include_hidden:
        sql += " AND hidden = 0"
    rows: list[EntryRow] = (
        _cursor(store).execute(sql + " ORDER BY occurred_at, id", (incident,)).fetchall()
    )
    return rows


def read_brief_rows(store: Store, incident: str, *, recent: int) -> list[EntryRow]:
    """What a handover brief shows, in ``read_entry_rows``' shape and order: the pinned
    entries, the newest ``recent`` ones and the newest comms entry (none hidden).
    One query instead of all the incident's rows (0.25 s at 100,000)."""
    sql = (
        f"{_ENTRY_ROW} {_SHOWN} AND (pinned = 1 "
        f"OR id IN (SELECT id {_SHOWN} {_NEWEST} LIMIT :n) "
        f"OR id = (SELECT id {_SHOWN} AND kind = 'comms' {_NEWEST} LIMIT 1)) "
        "ORDER BY occurred_at, id"
    )
    rows: list[EntryRow] = _cursor(store).execute(sql, {"i": incident, "n": recent}).fetchall()
    return rows


def read_report_rows(store: Store, incident: str) -> list[EntryRow]:
    """What the post-incident report reads, in ``read_entry_rows``' shape and order: the
    pinned entries (its key moments) and every comms or external one (what was said,
    checked against the measurements), none hidden."""
    sql = (
        f"{_ENTRY_ROW} {_SHOWN} AND (pinned = 1 OR kind = 'comms' OR external = 1) "
        "ORDER BY occurred_at, id"
    )
    rows: list[EntryRow] = _cursor(store).execute(sql, {"i": incident}).fetchall()
    return rows


def count_hidden(store: Store, incident: str) -> int:
    row = store.query_one(
        "SELECT count(*) FROM entries WHERE incident = ? AND hidden = 1", (incident,)
    )
    return int(row[0]) if row else 0


# -- merging (import) ------------------------------------------------------------------


def ids_json(ids: Iterable[str]) -> str:
    """A set of ids as one JSON array parameter (``IN (SELECT value FROM json_each(?))``):
    one bound value instead of a temp table, and SQLite probes the index per id."""
    return json.dumps(list(ids))


_IN = "IN (SELECT value FROM json_each(?))"


def existing_incident(conn: sqlite3.Connection, incident: str) -> sqlite3.Row | None:
    row: sqlite3.Row | None = conn.execute(
        "SELECT * FROM incidents WHERE id = ?", (incident,)
    ).fetchone()
    return row


def _tuples(conn: sqlite3.Connection) -> sqlite3.Cursor:
    cur = conn.cursor()
    cur.row_factory = None
    return cur


def existing_changes(conn: sqlite3.Connection, ids: str) -> list[ChangeRow]:
    """Workspace change rows (CHANGE_COLS order) whose id is in ``ids`` (any incident)."""
    rows: list[ChangeRow] = (
        _tuples(conn)
        .execute(f"SELECT {CHANGE_COLS} FROM incident_changes WHERE id {_IN}", (ids,))
        .fetchall()
    )
    return rows


def changes_of(conn: sqlite3.Connection, incident: str) -> list[sqlite3.Row]:
    return conn.execute(
        f"SELECT {CHANGE_COLS} FROM incident_changes WHERE incident = ?", (incident,)
    ).fetchall()


def has_entries(conn: sqlite3.Connection) -> bool:
    """Whether the workspace holds any entry or revision at all."""
    return bool(
        conn.execute(
            "SELECT EXISTS (SELECT 1 FROM entries) OR EXISTS (SELECT 1 FROM revisions)"
        ).fetchone()[0]
    )


def existing_entries(conn: sqlite3.Connection, ids: str) -> list[tuple[str, str, str, str]]:
    """(id, incident, recorded_at, author) of workspace entries whose id is in ``ids``."""
    rows: list[tuple[str, str, str, str]] = (
        _tuples(conn)
        .execute(f"SELECT id, incident, recorded_at, author FROM entries WHERE id {_IN}", (ids,))
        .fetchall()
    )
    return rows


def existing_revisions(conn: sqlite3.Connection, ids: str) -> list[tuple[object, ...]]:
    """Workspace revisions (REVISION_COLS order) whose id is in ``ids``: compared as a
    whole with the bundle's revision rows, so held as values of any kind."""
    rows: list[tuple[object, ...]] = (
        _tuples(conn)
        .execute(f"SELECT {REVISION_COLS} FROM revisions WHERE id {_IN}", (ids,))
        .fetchall()
    )
    return rows


def revision_parents(conn: sqlite3.Connection, entry_ids: str) -> list[tuple[str, str, str | None]]:
    """(entry, id, parent) of every workspace revision of the entries in ``entry_ids``."""
    rows: list[tuple[str, str, str | None]] = (
        _tuples(conn)
        .execute(f"SELECT entry, id, parent FROM revisions WHERE entry {_IN}", (entry_ids,))
        .fetchall()
    )
    return rows


def existing_actions(conn: sqlite3.Connection, ids: Sequence[str]) -> list[sqlite3.Row]:
    return select_in(
        conn,
        "SELECT id, incident, entry, text, owner, due, done, created_at, created_by, "
        "updated_at, updated_by FROM action_items WHERE id IN ({ids})",
        ids,
    )


def existing_evidence(conn: sqlite3.Connection, ids: Sequence[str]) -> list[sqlite3.Row]:
    return select_in(
        conn,
        "SELECT id, incident, entry, kind, captured_at, source, data FROM evidence "
        "WHERE id IN ({ids})",
        ids,
    )


def insert_changes(conn: sqlite3.Connection, rows: Rows) -> None:
    conn.executemany(
        f"INSERT OR IGNORE INTO incident_changes({CHANGE_COLS}) VALUES (?, ?, ?, ?, ?, ?, ?)",
        rows,
    )


def insert_entries(conn: sqlite3.Connection, rows: Rows) -> None:
    """Entry rows whose cache is their first revision: (id, incident, recorded_at, author,
    meta, occurred_at, kind, text, tags, pinned, external, hidden, hidden_reason,
    current_rev, edited_at, edited_by)."""
    conn.executemany(
        "INSERT OR IGNORE INTO entries(id, incident, recorded_at, author, meta, occurred_at, "
        "kind, text, tags, pinned, external, hidden, hidden_reason, revision, current_rev, "
        "edited_at, edited_by, conflict) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?, 0)",
        rows,
    )


def insert_entries_cached(conn: sqlite3.Connection, rows: Rows) -> None:
    """Entry rows with their whole cache already computed (``refresh_entries``' rule), in
    column order: (id, incident, recorded_at, author, meta, occurred_at, kind, text, tags,
    pinned, external, hidden, hidden_reason, revision, current_rev, edited_at, edited_by,
    conflict)."""
    conn.executemany(
        "INSERT OR IGNORE INTO entries(id, incident, recorded_at, author, meta, occurred_at, "
        "kind, text, tags, pinned, external, hidden, hidden_reason, revision, current_rev, "
        "edited_at, edited_by, conflict) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        rows,
    )


def insert_entries_bulk(
    conn: sqlite3.Connection,
    rows: Sequence[Sequence[object]],
    *,
    cached: bool = False,
    only_rows: bool = False,
) -> None:
    """``insert_entries`` (``insert_entries_cached`` when ``cached``) for many rows.

    The per-row full-text trigger costs ten times the insert itself; for a big batch we
    drop it inside this transaction, index the new rows with one INSERT ... SELECT, and
    re-create the trigger from its own stored SQL. A failure rolls all of it back.
    ``only_rows``: the table held no entry before, so every row is one of these (the
    index is then built from the whole table, without looking the ids up).
    """
    insert = insert_entries_cached if cached else insert_entries
    row = conn.execute(
        "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = 'entries_ai'"
    ).fetchone()
    if row is None or len(rows) < 500:
        insert(conn, rows)
        return
    conn.execute("DROP TRIGGER entries_ai")
    insert(conn, rows)
    if only_rows:
        # FTS5's own rebuild from its content table: 10 % faster than INSERT ... SELECT.
        conn.execute("INSERT INTO entries_fts(entries_fts) VALUES ('rebuild')")
    else:
        conn.execute(
            "INSERT INTO entries_fts(rowid, text, tags, author) "
            f"SELECT rowid, text, tags, author FROM entries WHERE id {_IN}",
            (ids_json(str(r[0]) for r in rows),),
        )
    conn.execute(row[0])


def insert_revisions(conn: sqlite3.Connection, rows: Rows) -> None:
    conn.executemany(
        f"INSERT OR IGNORE INTO revisions({REVISION_COLS}) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        rows,
    )


def insert_evidence_rows(conn: sqlite3.Connection, rows: Rows) -> None:
    conn.executemany(
        "INSERT OR IGNORE INTO evidence(id, incident, entry, kind, captured_at, source, data) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        rows,
    )


def refresh_entries(conn: sqlite3.Connection, entry_ids: str) -> None:
    """``store.timeline.refresh_entry`` for every entry in ``entry_ids`` at once.

    Same rule: the newest revision (recorded_at, then id) is current; ``revision`` is
    the number of revisions; two revisions sharing a parent make a conflict. The test
    suite checks the two stay equal.
    """
    conn.execute(
        f"""
        WITH ranked AS (
            SELECT r.*, row_number() OVER (
                PARTITION BY r.entry ORDER BY r.recorded_at DESC, r.id DESC) AS rn
            FROM revisions r WHERE r.entry {_IN}
        ), stats AS (
            SELECT r.entry, count(*) AS n,
                   count(*) - count(DISTINCT coalesce(r.parent, '')) AS forks
            FROM revisions r WHERE r.entry {_IN} GROUP BY r.entry
        )
        UPDATE entries SET occurred_at = c.occurred_at, kind = c.kind, text = c.text,
            tags = c.tags, pinned = c.pinned, external = c.external, hidden = c.hidden,
            hidden_reason = c.hidden_reason, revision = s.n, current_rev = c.id,
            edited_at = c.recorded_at, edited_by = c.author, conflict = (s.forks > 0)
        FROM ranked c JOIN stats s ON s.entry = c.entry
        WHERE c.rn = 1 AND entries.id = c.entry
        """,
        (entry_ids, entry_ids),
    )
