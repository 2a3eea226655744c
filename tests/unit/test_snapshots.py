"""Rolling snapshots: take, list, prune to N, restore (and refuse to restore bad ones)."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest
from helpers.damage import wipe_page

from warroom.base.errors import NotFound, StoreError
from warroom.base.paths import DB_NAME
from warroom.services import snapshots as svc
from warroom.store import Store
from warroom.store import snapshots as snap
from warroom.system.lockfile import WorkspaceLock, is_gui_running


def _fill(store: Store, n: int = 400) -> None:
    """Enough rows for several pages, so damage lands in real data."""
    with store.write() as conn:
        for i in range(n):
            conn.execute(
                "INSERT INTO meta(key, value, updated_at) VALUES (?, ?, 'x')",
                (f"fill-{i}", "v" * 100),
            )


def _value(data_dir: Path, key: str) -> str | None:
    with Store.open(data_dir) as s:
        return s.meta_get(key)


def test_take_and_list(store: Store) -> None:
    store.meta_set("k", "1")
    info = snap.take(store, "manual")
    assert info.path.parent == store.data_dir / "snapshots"
    assert info.name.startswith("warroom-") and info.name.endswith("Z.sqlite")
    assert info.created_at.endswith("Z") and "T" in info.created_at
    [listed] = snap.list_snapshots(store.data_dir)
    assert listed.name == info.name and listed.reason == "manual" and listed.size > 0
    conn = sqlite3.connect(f"file:{info.path}?mode=ro", uri=True)
    assert conn.execute("SELECT value FROM meta WHERE key='k'").fetchone() == ("1",)
    conn.close()


def test_keep_last_n(store: Store) -> None:
    names = []
    for i in range(5):
        store.meta_set("k", str(i))
        names.append(snap.take(store, f"r{i}", keep=3).name)
    listed = snap.list_snapshots(store.data_dir)
    assert [s.name for s in listed] == names[-3:]
    assert [s.reason for s in listed] == ["r2", "r3", "r4"]
    # The sidecars of pruned snapshots go too.
    assert sorted(p.name for p in (store.data_dir / "snapshots").iterdir()) == sorted(
        [n for n in names[-3:]] + [n.replace(".sqlite", ".json") for n in names[-3:]]
    )


def test_names_sort_chronologically_even_within_a_millisecond(store: Store) -> None:
    names = [snap.take(store, "burst").name for _ in range(4)]
    assert names == sorted(names) and len(set(names)) == 4


def test_restore_brings_back_the_data_and_keeps_a_side_copy(data_dir: Path) -> None:
    with Store.open(data_dir) as s:
        s.meta_set("k", "before")
        taken = snap.take(s, "manual")
        s.meta_set("k", "after")
    result = svc.restore(data_dir, taken.name)
    assert result.method == "backup-api"
    assert _value(data_dir, "k") == "before"
    assert result.side_copy is not None and result.side_copy.parent == data_dir / "backups"
    conn = sqlite3.connect(f"file:{result.side_copy}?mode=ro", uri=True)
    assert conn.execute("SELECT value FROM meta WHERE key='k'").fetchone() == ("after",)
    conn.close()


def test_restore_is_seen_by_a_process_that_has_the_store_open(data_dir: Path) -> None:
    with Store.open(data_dir) as s:
        s.meta_set("k", "before")
        taken = snap.take(s, "manual")
        s.meta_set("k", "after")
        svc.restore(data_dir, taken.name.removesuffix(".sqlite"))
        assert s.meta_get("k") == "before"
        s.meta_set("k2", "written after the restore")
    assert _value(data_dir, "k2") == "written after the restore"


def test_snapshot_of_another_page_size_is_restored_into_the_open_workspace(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A snapshot of a workspace made before new ones had 16 KiB pages, restored into a
    # workspace made since (its file deleted, its snapshots kept). The backup API cannot
    # re-page a WAL database: a file swap instead went unseen by the open store.
    from warroom.store import db

    monkeypatch.setattr(db, "PAGE_SIZE", 4096)
    with Store.open(data_dir) as s:
        _fill(s)
        s.meta_set("k", "from the old workspace")
        taken = snap.take(s, "manual")
    for suffix in ("", "-wal", "-shm"):
        Path(str(data_dir / DB_NAME) + suffix).unlink(missing_ok=True)
    monkeypatch.setattr(db, "PAGE_SIZE", 16384)
    with Store.open(data_dir) as s:
        s.meta_set("k", "new")
        result = svc.restore(data_dir, taken.name)
        assert result.method == "backup-api"
        assert s.meta_get("k") == "from the old workspace"  # the open store sees it
        assert s.query_one("PRAGMA page_size")[0] == 16384  # type: ignore[index]
        s.meta_set("k2", "written after the restore")
    assert _value(data_dir, "k2") == "written after the restore"
    assert not list(data_dir.glob(".restore-*"))  # the re-paged copy is gone
    assert sqlite3.connect(taken.path).execute("PRAGMA page_size").fetchone() == (4096,)


def test_restore_latest_and_by_path(data_dir: Path) -> None:
    with Store.open(data_dir) as s:
        s.meta_set("k", "one")
        first = snap.take(s, "a")
        s.meta_set("k", "two")
        snap.take(s, "b")
        s.meta_set("k", "three")
    svc.restore(data_dir, "latest")
    assert _value(data_dir, "k") == "two"
    svc.restore(data_dir, str(first.path))
    assert _value(data_dir, "k") == "one"


def test_damaged_snapshot_is_refused_and_nothing_changes(data_dir: Path) -> None:
    with Store.open(data_dir) as s:
        _fill(s)
        taken = snap.take(s, "manual")
        s.meta_set("k", "current")
        s.checkpoint()
    wipe_page(taken.path, 3)
    live = data_dir / DB_NAME
    before = live.read_bytes()
    with pytest.raises(StoreError, match="damaged"):
        svc.restore(data_dir, taken.name)
    assert live.read_bytes() == before
    assert not (data_dir / "backups").exists()
    assert _value(data_dir, "k") == "current"


def test_non_sqlite_and_foreign_files_are_refused(data_dir: Path, tmp_path: Path) -> None:
    with Store.open(data_dir):
        pass
    junk = tmp_path / "junk.sqlite"
    junk.write_text("hello, not a database")
    with pytest.raises(StoreError, match="not a SQLite database"):
        svc.restore(data_dir, str(junk))
    other = tmp_path / "other.sqlite"
    sqlite3.connect(other).execute("CREATE TABLE x(y)").connection.close()
    with pytest.raises(StoreError, match="not a Warroom workspace"):
        svc.restore(data_dir, str(other))


def test_snapshot_from_a_newer_schema_is_refused(store: Store) -> None:
    taken = snap.take(store, "manual")
    conn = sqlite3.connect(taken.path)
    conn.execute("INSERT INTO _migrations VALUES ('core-9999-future', 'x')")
    conn.commit()
    conn.close()
    with pytest.raises(StoreError, match="newer Warroom"):
        svc.restore(store.data_dir, taken.name)


def test_unknown_name(data_dir: Path) -> None:
    with pytest.raises(NotFound, match="snapshot list"):
        svc.restore(data_dir, "warroom-nope")
    with pytest.raises(NotFound):
        svc.restore(data_dir, "latest")


def test_restore_refused_while_a_window_holds_the_workspace(data_dir: Path) -> None:
    with Store.open(data_dir) as s:
        s.meta_set("k", "before")
        taken = snap.take(s, "manual")
        s.meta_set("k", "after")
    with WorkspaceLock(data_dir):
        assert is_gui_running(data_dir) is True
        with pytest.raises(StoreError, match="close it first"):
            svc.restore(data_dir, taken.name)
    assert _value(data_dir, "k") == "after"
    assert is_gui_running(data_dir) is False
    svc.restore(data_dir, taken.name)
    assert _value(data_dir, "k") == "before"


def test_restore_over_a_damaged_database_replaces_the_file(data_dir: Path) -> None:
    with Store.open(data_dir) as s:
        s.meta_set("k", "good")
        taken = snap.take(s, "manual")
    live = data_dir / DB_NAME
    live.write_bytes(b"garbage that was once a database" * 100)
    result = svc.restore(data_dir, taken.name)
    assert result.method == "file-replace"
    assert result.side_copy is not None
    assert result.side_copy.read_bytes() == b"garbage that was once a database" * 100
    assert _value(data_dir, "k") == "good"
    conn = sqlite3.connect(live)
    assert conn.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    conn.close()


def test_snapshotter_only_snapshots_changes(store: Store) -> None:
    s = svc.Snapshotter(store, keep=5)
    first = s.tick()
    assert first is not None and first.reason == "timer"  # none existed yet
    assert s.tick() is None
    store.meta_set("k", "changed")
    again = s.at_exit()
    assert again is not None and again.reason == "exit"
    assert s.tick() is None
    assert len(snap.list_snapshots(store.data_dir)) == 2
    # A new process with snapshots already there waits for a change.
    assert svc.Snapshotter(store).tick() is None


def test_restore_from_a_file_with_its_wal_beside_it(data_dir: Path, tmp_path: Path) -> None:
    """A raw copy (e.g. a side copy of a live database) keeps recent commits in its WAL."""
    src_dir = tmp_path / "other"
    with Store.open(src_dir) as s:
        s.meta_set("k", "in-the-wal")
        copy = tmp_path / "copy.sqlite"
        # Copy the main file and the WAL while the store is open: the commit is only in the WAL.
        shutil.copyfile(src_dir / DB_NAME, copy)
        shutil.copyfile(src_dir / (DB_NAME + "-wal"), tmp_path / "copy.sqlite-wal")
    with Store.open(data_dir) as s:
        s.meta_set("k", "current")
    svc.restore(data_dir, str(copy))
    assert _value(data_dir, "k") == "in-the-wal"
