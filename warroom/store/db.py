"""Opening a workspace database safely: checks, pragmas, migrations, the one writer.

This package is the only code that writes SQL. Everything that writes goes through
``Store.write()``: one connection, one lock, ``BEGIN IMMEDIATE`` so concurrent
processes queue on the busy timeout instead of failing with "database is locked".
Readers get their own connection per thread (WAL lets them read while we write).
"""

from __future__ import annotations

import contextlib
import logging
import os
import sqlite3
import threading
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from warroom.base import timeutil
from warroom.base.errors import StoreError
from warroom.base.paths import DB_NAME

if TYPE_CHECKING:
    import sqlite_utils

log = logging.getLogger(__name__)

# What sqlite3 binds: the types of a parameter and of a parameter list or mapping.
SqlValue = str | bytes | int | float | None
Params = Sequence[SqlValue] | Mapping[str, SqlValue]

SQLITE_MAGIC = b"SQLite format 3\x00"
BUSY_TIMEOUT_S = 30.0
# Page size of a new workspace. 16 KiB instead of SQLite's 4 KiB: a 100,000-entry import
# writes a quarter as many pages (and WAL frames), which took 0.15-0.2 s off its ~2.8 s;
# capture-to-commit and searches measured the same (bench/bench_timeline.py). An
# existing workspace keeps the size it was made with.
PAGE_SIZE = 16384
# Ids bound per statement in select_in: well under SQLite's limit of 32,766 (999 before
# 3.32), and as fast as larger chunks.
IN_CHUNK = 500


def check_data_dir(data_dir: Path) -> None:
    """Create the data dir if needed and prove we can write there."""
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreError(f"cannot create data dir {data_dir}: {exc.strerror}") from exc
    if not data_dir.is_dir():
        raise StoreError(f"data dir {data_dir} is not a directory")
    probe = data_dir / f".write-test-{os.getpid()}-{threading.get_ident()}"
    try:
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        raise StoreError(f"data dir {data_dir} is not writable: {exc.strerror}") from exc


@dataclass(frozen=True)
class DbInfo:
    """What ``inspect`` found. ``problem`` is one line without a consequence ("...;
    refusing to touch it" is the caller's to add), None when the file is fine."""

    path: Path
    exists: bool  # a non-empty file is there
    problem: str | None = None
    kind: str = "ok"  # ok | unreadable | not-sqlite | damaged | newer
    warroom: bool = False  # it has Warroom's _migrations table
    applied: tuple[str, ...] = ()
    unknown: tuple[str, ...] = ()  # migrations from a newer Warroom
    pending: tuple[str, ...] = ()
    journal_mode: str = ""
    size: int = 0
    wal_size: int = 0


def _wal(path: Path) -> Path:
    return path.with_name(path.name + "-wal")


def inspect(path: Path, *, check: str = "quick", immutable: bool = False) -> DbInfo:
    """Look at a database file without changing it: the SQLite header first (so SQLite
    never touches a file that is not its own), then integrity, journal mode and the
    migrations it holds. ``check``: ``"header"`` stops after the header, ``"quick"`` runs
    ``quick_check``, ``"full"`` runs ``integrity_check``.

    The one check behind ``Store.open``, snapshot verification and ``doctor``.
    ``immutable``: a file nobody writes (a snapshot); read without locks or ``-shm``
    unless a WAL beside it holds data.
    """
    from warroom.store import migrations

    path = Path(path)
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        return DbInfo(path, exists=False)
    except OSError as exc:
        return DbInfo(path, True, f"cannot read {path}: {exc.strerror}", "unreadable")
    if size == 0:
        return DbInfo(path, exists=False)
    try:
        with path.open("rb") as fh:
            head = fh.read(len(SQLITE_MAGIC))
    except OSError as exc:
        return DbInfo(path, True, f"cannot read {path}: {exc.strerror}", "unreadable", size=size)
    if head != SQLITE_MAGIC:
        return DbInfo(path, True, f"{path} is not a SQLite database", "not-sqlite", size=size)
    wal = _wal(path)
    wal_size = wal.stat().st_size if wal.exists() else 0
    if check == "header":
        return DbInfo(path, True, size=size, wal_size=wal_size)
    uri = f"file:{path}?mode=ro" + ("&immutable=1" if immutable and not wal_size else "")
    try:
        conn = sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT_S)
    except sqlite3.Error as exc:
        return DbInfo(path, True, f"cannot open {path}: {exc}", "unreadable", size=size)
    try:
        pragma = "integrity_check" if check == "full" else "quick_check"
        try:
            rows = [r[0] for r in conn.execute(f"PRAGMA {pragma}").fetchall()]
        except sqlite3.DatabaseError as exc:
            return DbInfo(path, True, f"{path} is damaged ({exc})", "damaged", size=size)
        if rows != ["ok"]:
            return DbInfo(path, True, f"{path} is damaged ({_damage(rows)})", "damaged", size=size)
        try:
            journal = str(conn.execute("PRAGMA journal_mode").fetchone()[0])
            applied = migrations.applied(conn)
            warroom = bool(applied) or migrations.has_table(conn)
        except sqlite3.DatabaseError as exc:
            return DbInfo(path, True, f"cannot read {path}: {exc}", "unreadable", size=size)
    finally:
        conn.close()
    known = [n for n, _ in migrations.all_migrations()]
    unknown = tuple(n for n in applied if n not in known)
    info = DbInfo(
        path,
        True,
        warroom=warroom,
        applied=tuple(applied),
        unknown=unknown,
        pending=tuple(n for n in known if n not in applied),
        journal_mode=journal,
        size=size,
        wal_size=wal_size,
    )
    if unknown:
        problem = f"{path} was written by a newer Warroom (schema {unknown[-1]!r})"
        return replace(info, problem=problem, kind="newer")
    return info


def _damage(rows: Sequence[str]) -> str:
    """SQLite's check report in one line: its first three findings and how many more.
    (One row can hold many findings, one per line, under a ``*** in database ***``
    heading; a damaged page list ran to a hundred lines in one error message.)"""
    found = [
        line.strip()
        for row in rows
        for line in str(row).splitlines()
        if line.strip() and not line.startswith("***")
    ]
    more = f"; and {len(found) - 3} more" if len(found) > 3 else ""
    return "; ".join(found[:3]) + more


def select_in(
    conn: sqlite3.Connection,
    sql: str,
    ids: Sequence[SqlValue],
    params: Sequence[SqlValue] = (),
    *,
    chunk: int = IN_CHUNK,
) -> list[sqlite3.Row]:
    """Rows of ``sql`` for every value of ``ids``: ``sql`` holds one ``IN ({ids})``,
    filled ``chunk`` placeholders at a time (SQLite caps bound variables per statement)
    after the other ``params``. The rows of all chunks, in chunk order."""
    out: list[sqlite3.Row] = []
    for i in range(0, len(ids), chunk):
        part = list(ids[i : i + chunk])
        out += conn.execute(sql.replace("{ids}", ",".join("?" * len(part))), [*params, *part])
    return out


def connect(path: Path, *, readonly: bool = False) -> sqlite3.Connection:
    """A connection with the pragmas every Warroom connection needs."""
    if readonly:
        conn = sqlite3.connect(
            f"file:{path}?mode=ro", uri=True, timeout=BUSY_TIMEOUT_S, check_same_thread=False
        )
    else:
        conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_S, check_same_thread=False)
    conn.row_factory = sqlite3.Row
    conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
    conn.execute("PRAGMA foreign_keys = ON")
    if not readonly:
        # FULL: a process that printed an entry id must never lose it, even on power loss.
        conn.execute("PRAGMA synchronous = FULL")
    return conn


def quick_check(conn: sqlite3.Connection, path: Path) -> None:
    try:
        rows = [r[0] for r in conn.execute("PRAGMA quick_check").fetchall()]
    except sqlite3.DatabaseError as exc:
        raise StoreError(
            f"{path} is damaged ({exc}); restore a snapshot: warroom snapshot list"
        ) from exc
    if rows != ["ok"]:
        raise StoreError(
            f"{path} is damaged ({_damage(rows)}); restore a snapshot: warroom snapshot list"
        )


class Store:
    """One workspace database. Thread-safe: writes serialise on one connection."""

    def __init__(self, data_dir: Path, path: Path, conn: sqlite3.Connection) -> None:
        self.data_dir = data_dir
        self.path = path
        self._conn = conn
        self._wlock = threading.RLock()
        self._local = threading.local()
        self._closed = False
        self._db: sqlite_utils.Database | None = None

    @property
    def db(self) -> sqlite_utils.Database:
        """sqlite-utils over the writer connection, for introspection and bulk helpers.

        Imported lazily: it costs ~100 ms at start-up, before the first window paints.
        """
        if self._db is None:
            from warroom.store import schema

            self._db = schema.database(self._conn)
        return self._db

    # -- opening ---------------------------------------------------------

    @classmethod
    def open(cls, data_dir: Path, *, migrate: bool = True) -> Store:
        """Open (creating if needed) the workspace in ``data_dir``.

        Raises ``StoreError`` with one line for an unwritable dir, a non-SQLite file, a
        damaged file or a schema from a newer Warroom. Nothing is overwritten then.
        """
        from warroom.store import migrations

        data_dir = Path(data_dir)
        check_data_dir(data_dir)
        path = data_dir / DB_NAME
        # Refuse a foreign, damaged or newer file before anything (even the journal
        # mode) is changed.
        info = inspect(path)
        if info.kind == "not-sqlite":
            raise StoreError(f"{info.problem}; refusing to touch it")
        if info.kind == "damaged":
            raise StoreError(f"{info.problem}; restore a snapshot: warroom snapshot list")
        if info.kind == "newer":
            raise StoreError(f"{info.problem}; upgrade Warroom to open it. Nothing was changed.")
        if info.problem is not None:
            raise StoreError(info.problem)
        try:
            conn = connect(path)
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"cannot open {path}: {exc}") from exc
        store = cls(data_dir, path, conn)
        existed = info.exists
        try:
            migrations.check_known(store)  # a newer Warroom may have got here meanwhile
            if not existed:
                # Before the first page is written (in WAL mode it is fixed after that).
                conn.execute(f"PRAGMA page_size = {PAGE_SIZE}")
            mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            if mode.lower() != "wal":
                log.warning("journal_mode is %s, not wal, for %s", mode, path)
            if migrate:
                migrations.apply(store, backup=existed)
        except BaseException:
            conn.close()
            raise
        return store

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        # Readers first: the last connection to close checkpoints the WAL, and only a
        # writable one can.
        for conn in getattr(self, "_readers", []):
            with contextlib.suppress(sqlite3.Error):
                conn.close()
        with self._wlock:
            with contextlib.suppress(sqlite3.Error):
                self._conn.execute("PRAGMA optimize")
            self._conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- writing ---------------------------------------------------------

    @contextlib.contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """The one way to write: a serialised ``BEGIN IMMEDIATE`` transaction.

        Nested calls join the outer transaction. Any exception rolls back everything.
        """
        with self._wlock:
            conn = self._conn
            if conn.in_transaction:
                yield conn
                return
            try:
                conn.execute("BEGIN IMMEDIATE")
            except sqlite3.OperationalError as exc:
                raise StoreError(f"cannot write to {self.path}: {exc}") from exc
            try:
                yield conn
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
            try:
                conn.execute("COMMIT")
            except sqlite3.OperationalError as exc:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise StoreError(f"cannot write to {self.path}: {exc}") from exc

    # -- reading ---------------------------------------------------------

    def reader(self) -> sqlite3.Connection:
        """This thread's read connection (WAL: reads never wait on the writer)."""
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = connect(self.path, readonly=True)
            self._local.conn = conn
            self.__dict__.setdefault("_readers", []).append(conn)
        return conn

    def query(self, sql: str, params: Params = ()) -> list[sqlite3.Row]:
        return self.reader().execute(sql, params).fetchall()

    def query_one(self, sql: str, params: Params = ()) -> sqlite3.Row | None:
        row: sqlite3.Row | None = self.reader().execute(sql, params).fetchone()
        return row

    def data_version(self) -> int:
        """Changes whenever another connection (another process too) commits."""
        return int(self.reader().execute("PRAGMA data_version").fetchone()[0])

    # -- maintenance -----------------------------------------------------

    def vacuum_into(self, target: Path) -> None:
        """A consistent copy of the whole database, taken while others keep working."""
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(target.name + ".part")
        tmp.unlink(missing_ok=True)
        try:
            conn = connect(self.path, readonly=True)
            try:
                conn.execute("VACUUM INTO ?", (str(tmp),))
            finally:
                conn.close()
            os.replace(tmp, target)
        except (sqlite3.Error, OSError) as exc:
            tmp.unlink(missing_ok=True)
            raise StoreError(f"cannot write snapshot {target}: {exc}") from exc

    def checkpoint(self) -> None:
        """Fold the WAL back into the main file (after bulk work, before measuring)."""
        with self._wlock:
            self._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def meta_get(self, key: str, default: str | None = None) -> str | None:
        row = self.query_one("SELECT value FROM meta WHERE key = ?", (key,))
        return row[0] if row else default

    def meta_set(self, key: str, value: str) -> None:
        with self.write() as conn:
            conn.execute(
                "INSERT INTO meta(key, value, updated_at) VALUES (?, ?, ?) "
                "ON CONFLICT(key) DO UPDATE SET value = excluded.value, "
                "updated_at = excluded.updated_at",
                (key, value, timeutil.now_str()),
            )
