"""Named schema migrations, applied in order, each in its own transaction.

Each area of the schema keeps its own ordered list (``schema_*.py``); a migration is
recorded by name in ``_migrations``. A database holding a name this build does not know
was written by a newer Warroom and is refused rather than altered. Before migrating an
existing file a backup is taken with ``VACUUM INTO`` under ``backups/``.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable
from typing import TYPE_CHECKING

from warroom.base import timeutil
from warroom.base.errors import StoreError

if TYPE_CHECKING:
    from warroom.store.db import Store

log = logging.getLogger(__name__)

Migration = tuple[str, Callable[[sqlite3.Connection], None]]


def all_migrations() -> list[Migration]:
    import warroom.store.schema_comms as schema_comms
    from warroom.store import schema_core, schema_probes, schema_social, schema_timeline

    return [
        *schema_core.MIGRATIONS,
        *schema_timeline.MIGRATIONS,
        *schema_probes.MIGRATIONS,
        *schema_social.MIGRATIONS,
        *schema_comms.MIGRATIONS,
    ]


def has_table(conn: sqlite3.Connection) -> bool:
    """Is this a Warroom database (one that records its migrations)?"""
    return bool(
        conn.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '_migrations'"
        ).fetchone()
    )


def applied(conn: sqlite3.Connection) -> list[str]:
    """The migrations recorded in this database, oldest first."""
    if not has_table(conn):
        return []
    return [r[0] for r in conn.execute("SELECT name FROM _migrations ORDER BY rowid")]


def check_known(store: Store) -> None:
    """Refuse a database that a newer Warroom has migrated further than we know."""
    known = {name for name, _ in all_migrations()}
    unknown = [n for n in applied(store.reader()) if n not in known]
    if unknown:
        raise StoreError(
            f"{store.path} was written by a newer Warroom (schema {unknown[-1]!r}); "
            "upgrade Warroom to open it. Nothing was changed."
        )


def pending(store: Store) -> list[str]:
    done = set(applied(store.reader()))
    return [name for name, _ in all_migrations() if name not in done]


def apply(store: Store, *, backup: bool) -> list[str]:
    """Apply what is pending; returns the names applied by this call."""
    todo = pending(store)
    if not todo:
        return []
    if backup and applied(store.reader()):
        stamp = timeutil.now_str().replace(":", "").replace("-", "")
        target = store.data_dir / "backups" / f"pre-migrate-{stamp}-{todo[0]}.sqlite"
        store.vacuum_into(target)
        log.info("backup before migrating: %s", target)
    done_now = []
    for name, fn in all_migrations():
        with store.write() as conn:
            conn.execute(
                "CREATE TABLE IF NOT EXISTS _migrations "
                "(name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)"
            )
            # Re-check inside the write lock: another process may have got here first.
            if conn.execute("SELECT 1 FROM _migrations WHERE name = ?", (name,)).fetchone():
                continue
            fn(conn)
            conn.execute(
                "INSERT INTO _migrations(name, applied_at) VALUES (?, ?)",
                (name, timeutil.now_str()),
            )
            done_now.append(name)
            log.info("applied migration %s", name)
    return done_now
