"""Building blocks for migrations, on sqlite-utils.

A migration (``schema_*.py``) gets the writer connection inside the one ``BEGIN
IMMEDIATE`` transaction that also records it in ``_migrations``. Everything here keeps
it there: sqlite-utils runs a multi-statement script statement by statement while a
transaction is open, where ``sqlite3.Connection.executescript`` first COMMITs, so a
migration that failed halfway used to leave its first tables behind, unrecorded, and
the workspace could not open again ("table ... already exists").

sqlite-utils is imported only when a migration runs (~0.1 s), never when a current
workspace opens.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import sqlite_utils
    from sqlite_utils.db import Table


def database(conn: sqlite3.Connection) -> sqlite_utils.Database:
    """sqlite-utils over ``conn``, changing nothing on it (no pragmas, no plugins)."""
    import sqlite_utils

    return sqlite_utils.Database(conn, recursive_triggers=False, execute_plugins=False)


def script(conn: sqlite3.Connection, sql: str) -> None:
    """Run several statements inside the open transaction (never an implicit COMMIT)."""
    if not conn.in_transaction:
        raise RuntimeError("schema.script runs inside a migration's transaction")
    database(conn).executescript(sql)


def table(
    conn: sqlite3.Connection,
    name: str,
    columns: Mapping[str, type],
    *,
    pk: str | Sequence[str] = "id",
    not_null: Iterable[str] = (),
    defaults: Mapping[str, str | int | float] | None = None,
    references: Mapping[str, str] | None = None,
) -> Table:
    """Create table ``name``: ``columns`` in order (``str`` TEXT, ``int`` INTEGER,
    ``float`` REAL); ``references`` maps a column to the table whose ``id`` it holds.

    Every column with a default is NOT NULL too: a default stands for "always a value".
    """
    defaults = dict(defaults or {})
    fks = [(col, other, "id") for col, other in (references or {}).items()]
    t: Table = database(conn).table(name)
    t.create(
        dict(columns),
        pk=pk if isinstance(pk, str) else tuple(pk),
        not_null={*not_null, *defaults},
        defaults=defaults,
        foreign_keys=fks,
    )
    return t


def index(conn: sqlite3.Connection, name: str, table_name: str, columns: Sequence[str]) -> None:
    database(conn).table(table_name).create_index(list(columns), index_name=name)


def full_text(
    conn: sqlite3.Connection, table_name: str, columns: Sequence[str], *, tokenize: str
) -> None:
    """An external-content FTS5 index ``<table>_fts`` over ``columns`` (sqlite-utils'
    ``enable_fts``), kept current by the triggers ``<table>_ai``, ``_ad`` and ``_au``.

    The update trigger fires only when an indexed column is set: sqlite-utils' own
    fires on every update and made an update of other columns (a pin) 8x slower
    (``bench/bench_schema.py``).
    """
    database(conn).table(table_name).enable_fts(
        list(columns), fts_version="FTS5", create_triggers=False, tokenize=tokenize
    )
    cols = ", ".join(columns)
    old = ", ".join(f"old.{c}" for c in columns)
    new = ", ".join(f"new.{c}" for c in columns)
    fts = f"{table_name}_fts"
    script(
        conn,
        f"""
        CREATE TRIGGER {table_name}_ai AFTER INSERT ON {table_name} BEGIN
            INSERT INTO {fts}(rowid, {cols}) VALUES (new.rowid, {new});
        END;
        CREATE TRIGGER {table_name}_ad AFTER DELETE ON {table_name} BEGIN
            INSERT INTO {fts}({fts}, rowid, {cols}) VALUES ('delete', old.rowid, {old});
        END;
        CREATE TRIGGER {table_name}_au AFTER UPDATE OF {cols} ON {table_name} BEGIN
            INSERT INTO {fts}({fts}, rowid, {cols}) VALUES ('delete', old.rowid, {old});
            INSERT INTO {fts}(rowid, {cols}) VALUES (new.rowid, {new});
        END;
        """,
    )
