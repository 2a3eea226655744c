"""Schema: workspace metadata."""

from __future__ import annotations

import sqlite3

from warroom.store import schema


def m0001_meta(conn: sqlite3.Connection) -> None:
    schema.table(
        conn,
        "meta",
        {"key": str, "value": str, "updated_at": str},
        pk="key",
        not_null=("value", "updated_at"),
    )


MIGRATIONS = [("core-0001-meta", m0001_meta)]
