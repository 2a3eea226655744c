"""Schema: workspace metadata."""

from __future__ import annotations

import sqlite3


def m0001_meta(conn: sqlite3.Connection) -> None:
    conn.execute(
        "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL, updated_at TEXT NOT NULL)"
    )


MIGRATIONS = [("core-0001-meta", m0001_meta)]
