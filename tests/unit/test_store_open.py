"""Opening the workspace: migrations, refusals, nothing overwritten."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from helpers.damage import smash_btree_headers

from warroom.base.errors import StoreError
from warroom.store import Store
from warroom.store import migrations as mig
from warroom.store.db import PAGE_SIZE


def test_new_workspace_has_every_migration(data_dir: Path) -> None:
    with Store.open(data_dir) as s:
        assert mig.pending(s) == []
        mode = s.query_one("PRAGMA journal_mode")
        assert mode is not None and mode[0] == "wal"
        assert s.query_one("PRAGMA foreign_keys")[0] == 1  # type: ignore[index]
        # Set before the first page was written, so it took (bench_handover: imports).
        assert s.query_one("PRAGMA page_size")[0] == PAGE_SIZE != 4096  # type: ignore[index]


def test_not_sqlite_is_refused_and_untouched(data_dir: Path) -> None:
    path = data_dir / "warroom.sqlite"
    path.write_bytes(b"this is my shopping list\n" * 10)
    before = path.read_bytes()
    with pytest.raises(StoreError, match="not a SQLite database"):
        Store.open(data_dir)
    assert path.read_bytes() == before


def test_newer_schema_is_refused_and_untouched(data_dir: Path) -> None:
    with Store.open(data_dir) as s, s.write() as conn:
        conn.execute("INSERT INTO _migrations(name, applied_at) VALUES ('zz-9999-future', 'x')")
    before = (data_dir / "warroom.sqlite").read_bytes()
    with pytest.raises(StoreError, match="newer Warroom"):
        Store.open(data_dir)
    assert (data_dir / "warroom.sqlite").read_bytes() == before


def test_old_file_is_migrated_after_a_backup(data_dir: Path) -> None:
    # A workspace from a build that only knew the first migration.
    first_name, first_fn = mig.all_migrations()[0]
    conn = sqlite3.connect(data_dir / "warroom.sqlite")
    conn.execute("CREATE TABLE _migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)")
    first_fn(conn)
    conn.execute("INSERT INTO _migrations VALUES (?, 'then')", (first_name,))
    conn.execute("INSERT INTO meta VALUES ('author', 'Ada', 'then')")
    conn.commit()
    conn.close()
    with Store.open(data_dir) as s:
        assert mig.pending(s) == []
        assert s.meta_get("author") == "Ada"
        assert s.query_one("PRAGMA page_size")[0] == 4096  # type: ignore[index]  # as made
    backups = list((data_dir / "backups").glob("pre-migrate-*.sqlite"))
    assert len(backups) == 1
    old = sqlite3.connect(backups[0])
    assert [r[0] for r in old.execute("SELECT name FROM _migrations")] == [first_name]
    old.close()


def test_damaged_file_is_refused(data_dir: Path) -> None:
    with Store.open(data_dir) as s:
        with s.write() as conn:
            conn.execute("CREATE TABLE filler (x TEXT)")
            conn.executemany("INSERT INTO filler VALUES (?)", [("x" * 500,)] * 2000)
        s.vacuum_into(data_dir / "copy.sqlite")
    path = data_dir / "warroom.sqlite"
    for suffix in ("-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    smash_btree_headers(path)
    before = path.read_bytes()
    with pytest.raises(StoreError, match=r"damaged|malformed|cannot open"):
        Store.open(data_dir)
    assert path.read_bytes() == before


def test_unwritable_data_dir(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(StoreError, match=r"cannot create data dir|not a directory"):
        Store.open(blocker / "ws")


def test_reader_reads_while_writer_writes(data_dir: Path) -> None:
    with Store.open(data_dir) as s:
        s.meta_set("k", "1")
        with s.write() as conn:
            conn.execute("UPDATE meta SET value = '2' WHERE key = 'k'")
            # Inside the open write transaction another connection still sees the old value.
            other = Store.open(data_dir)
            try:
                assert other.meta_get("k") == "1"
            finally:
                other.close()
        assert s.meta_get("k") == "2"
