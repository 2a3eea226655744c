"""store.db.inspect: one look at a database file, shared by open, restore and doctor;
select_in: one way to ask for many ids."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from helpers.damage import smash_btree_headers

from warroom.base.errors import StoreError
from warroom.store import Store
from warroom.store import snapshots as snap
from warroom.store.db import inspect, select_in
from warroom.system import doctor
from warroom.system.lockfile import is_gui_running


def _filled(data_dir: Path) -> Path:
    with Store.open(data_dir) as s, s.write() as conn:
        conn.execute("CREATE TABLE filler (x TEXT)")
        conn.executemany("INSERT INTO filler VALUES (?)", [("x" * 500,)] * 2000)
    path = data_dir / "warroom.sqlite"
    for suffix in ("-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    return path


def test_missing_and_empty_files_are_not_there(tmp_path: Path) -> None:
    assert inspect(tmp_path / "nope.sqlite").exists is False
    (tmp_path / "empty.sqlite").write_bytes(b"")
    info = inspect(tmp_path / "empty.sqlite")
    assert info.exists is False and info.problem is None


def test_a_good_workspace(data_dir: Path) -> None:
    with Store.open(data_dir):
        pass
    info = inspect(data_dir / "warroom.sqlite", check="full")
    assert info.problem is None and info.kind == "ok" and info.warroom
    assert info.pending == () and info.unknown == () and len(info.applied) >= 3
    assert info.journal_mode == "wal"


def test_a_plain_sqlite_file_is_not_a_workspace(tmp_path: Path) -> None:
    path = tmp_path / "other.sqlite"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE t (x)")
    conn.commit()
    conn.close()
    info = inspect(path)
    assert info.problem is None and not info.warroom and info.applied == ()


def test_one_verdict_for_a_foreign_file_everywhere(data_dir: Path) -> None:
    path = data_dir / "warroom.sqlite"
    path.write_bytes(b"my shopping list\n" * 10)
    info = inspect(path)
    assert info.kind == "not-sqlite" and info.problem == f"{path} is not a SQLite database"
    with pytest.raises(StoreError, match="not a SQLite database; refusing to touch it"):
        Store.open(data_dir)
    with pytest.raises(StoreError, match="not a SQLite database; not restoring it"):
        snap.verify(path)
    check = doctor.check_database(data_dir)
    assert check.status == doctor.ERROR and check.summary == info.problem
    assert inspect(path, check="header").kind == "not-sqlite"


def test_one_verdict_for_a_damaged_file_everywhere(data_dir: Path) -> None:
    path = _filled(data_dir)
    smash_btree_headers(path)
    before = path.read_bytes()
    info = inspect(path)
    assert info.kind == "damaged" and info.problem is not None
    assert info.problem.startswith(f"{path} is damaged (")
    # SQLite's report of many damaged pages in one line: three findings and a count.
    assert "\n" not in info.problem and "***" not in info.problem
    assert info.problem.count("Page ") == 3 and "more)" in info.problem
    assert inspect(path, check="header").problem is None  # the header alone looks fine
    with pytest.raises(StoreError, match=r"damaged.*restore a snapshot"):
        Store.open(data_dir)
    with pytest.raises(StoreError, match=r"damaged.*not restoring it"):
        snap.verify(path)
    assert doctor.check_database(data_dir).status == doctor.ERROR
    assert path.read_bytes() == before  # nobody wrote to it


def test_one_verdict_for_a_newer_schema_everywhere(data_dir: Path) -> None:
    with Store.open(data_dir) as s, s.write() as conn:
        conn.execute("INSERT INTO _migrations(name, applied_at) VALUES ('zz-9999-future', 'x')")
    path = data_dir / "warroom.sqlite"
    info = inspect(path)
    assert info.kind == "newer" and info.unknown == ("zz-9999-future",)
    with pytest.raises(StoreError, match=r"newer Warroom.*upgrade Warroom"):
        Store.open(data_dir)
    with pytest.raises(StoreError, match=r"newer Warroom.*not restoring it"):
        snap.verify(path)
    check = doctor.check_database(data_dir)
    assert check.status == doctor.ERROR and "zz-9999-future" in check.summary


def test_side_copy_of_a_damaged_file_keeps_its_bytes(data_dir: Path) -> None:
    path = _filled(data_dir)
    smash_btree_headers(path)
    copy = snap.side_copy(path, data_dir)
    assert copy is not None and copy.read_bytes() == path.read_bytes()
    assert is_gui_running(data_dir) is False


@pytest.mark.parametrize("n", [0, 1, 499, 500, 501, 1234])
def test_select_in_crosses_chunk_boundaries(n: int) -> None:
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE TABLE t (id TEXT PRIMARY KEY, grp INTEGER)")
    conn.executemany("INSERT INTO t VALUES (?, ?)", [(f"id{i}", i % 2) for i in range(5000)])
    ids = [f"id{i}" for i in range(0, 2 * n, 2)] + ["not-there"]
    rows = select_in(conn, "SELECT id FROM t WHERE id IN ({ids})", ids)
    assert sorted(r[0] for r in rows) == sorted(ids[:-1])
    odd = select_in(conn, "SELECT id FROM t WHERE grp = ? AND id IN ({ids})", ids, (1,))
    assert odd == []  # the extra parameter comes first and is honoured
    small = select_in(conn, "SELECT id FROM t WHERE id IN ({ids})", ids, chunk=7)
    assert sorted(r[0] for r in small) == sorted(r[0] for r in rows)
