"""Rolling snapshots of the workspace database, and restoring one.

A snapshot is a ``VACUUM INTO`` copy, ``<data dir>/snapshots/warroom-<UTC stamp>.sqlite``:
one self-contained file (no WAL) taken while others keep working, with a small JSON
sidecar saying why and when. The last ``DEFAULT_KEEP`` are kept; older ones are pruned.

The primitives only: take, list, prune, resolve a name, verify a file, keep a side
copy, install a snapshot's pages. When to snapshot and how a restore is orchestrated
(the lock, the order of the steps) live in ``warroom.services.snapshots``.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import re
import shutil
import sqlite3
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from warroom import __version__
from warroom.base.errors import NotFound, StoreError, WarroomError
from warroom.store.db import connect, inspect, quick_check

if TYPE_CHECKING:
    from warroom.store.db import Store

log = logging.getLogger(__name__)

SNAPSHOT_DIR = "snapshots"
BACKUP_DIR = "backups"
DEFAULT_KEEP = 12
_NAME_RE = re.compile(r"^warroom-(\d{8}T\d{6}\.\d{3}Z)\.sqlite$")
_STAMP_FMT = "%Y%m%dT%H%M%S"


@dataclass(frozen=True)
class SnapshotInfo:
    name: str
    path: Path
    created_at: str  # UTC ISO-8601 with Z
    size: int
    reason: str | None

    def record(self) -> dict[str, object]:
        d = asdict(self)
        d["path"] = str(self.path)
        return d


def snapshot_dir(data_dir: Path) -> Path:
    return Path(data_dir) / SNAPSHOT_DIR


def _stamp(t: datetime) -> str:
    return t.strftime(_STAMP_FMT) + f".{t.microsecond // 1000:03d}Z"


def _stamp_to_iso(stamp: str) -> str:
    t = datetime.strptime(stamp[:-5], _STAMP_FMT)
    return t.strftime("%Y-%m-%dT%H:%M:%S") + stamp[-5:]


def _sidecar(path: Path) -> Path:
    return path.with_suffix(".json")


# -- taking --------------------------------------------------------------------------


def take(store: Store, reason: str, *, keep: int = DEFAULT_KEEP) -> SnapshotInfo:
    """Snapshot ``store`` now, then prune to the newest ``keep``. Raises ``StoreError``."""
    sdir = snapshot_dir(store.data_dir)
    now = datetime.now(UTC)
    # Names sort chronologically; a clash within the same millisecond moves on by 1 ms.
    while (sdir / f"warroom-{_stamp(now)}.sqlite").exists():
        now += timedelta(milliseconds=1)
    stamp = _stamp(now)
    path = sdir / f"warroom-{stamp}.sqlite"
    store.vacuum_into(path)
    info = SnapshotInfo(path.name, path, _stamp_to_iso(stamp), path.stat().st_size, reason)
    side = {"reason": reason, "created_at": info.created_at, "warroom": __version__}
    try:
        _sidecar(path).write_text(json.dumps(side) + "\n", encoding="utf-8")
    except OSError as exc:  # the snapshot itself is fine; only its label is missing
        log.warning("cannot write %s: %s", _sidecar(path), exc)
    log.info("snapshot %s taken (%s, %d bytes)", path.name, reason, info.size)
    prune(store.data_dir, keep)
    return info


def prune(data_dir: Path, keep: int = DEFAULT_KEEP) -> list[str]:
    """Delete all but the newest ``keep`` snapshots; returns the names deleted."""
    if keep < 1:
        raise WarroomError(f"keep must be at least 1, not {keep}")
    gone = []
    for info in list_snapshots(data_dir)[:-keep]:
        for p in (info.path, _sidecar(info.path)):
            with contextlib.suppress(FileNotFoundError):
                p.unlink()
        gone.append(info.name)
    if gone:
        log.info("pruned snapshots: %s", ", ".join(gone))
    return gone


def list_snapshots(data_dir: Path) -> list[SnapshotInfo]:
    """Oldest first."""
    sdir = snapshot_dir(data_dir)
    if not sdir.is_dir():
        return []
    out = []
    for p in sorted(sdir.iterdir()):
        m = _NAME_RE.match(p.name)
        if not m:
            continue
        reason = None
        with contextlib.suppress(OSError, ValueError, AttributeError):
            reason = json.loads(_sidecar(p).read_text("utf-8")).get("reason")
        try:
            size = p.stat().st_size
        except OSError:
            continue
        out.append(SnapshotInfo(p.name, p, _stamp_to_iso(m.group(1)), size, reason))
    return out


# -- checking and restoring ------------------------------------------------------------


def resolve(data_dir: Path, name: str) -> Path:
    """A snapshot name (with or without ``.sqlite``), ``latest``, or a path to a file."""
    if name == "latest":
        snaps = list_snapshots(data_dir)
        if not snaps:
            raise NotFound(f"no snapshots in {snapshot_dir(data_dir)}")
        return snaps[-1].path
    if os.sep in name or "/" in name:
        path = Path(name).expanduser().absolute()
    else:
        fname = name if name.endswith(".sqlite") else name + ".sqlite"
        path = snapshot_dir(data_dir) / fname
    if not path.is_file():
        raise NotFound(f"no snapshot {name!r} (looked for {path}); see: warroom snapshot list")
    return path


def _source_uri(path: Path) -> str:
    """Read-only; ``immutable`` (no locks, no -shm) unless a WAL beside it holds data."""
    wal = path.with_name(path.name + "-wal")
    if wal.exists() and wal.stat().st_size > 0:
        return f"file:{path}?mode=ro"
    return f"file:{path}?mode=ro&immutable=1"


def verify(path: Path) -> None:
    """Refuse a file that is not an intact Warroom database this build can open."""
    info = inspect(path, check="full", immutable=True)
    if not info.exists:
        raise StoreError(f"{path} is empty; not restoring it")
    if info.problem is not None:
        raise StoreError(f"{info.problem}; not restoring it")
    if not info.warroom:
        raise StoreError(f"{path} is not a Warroom workspace; not restoring it")


def side_copy(live: Path, data_dir: Path) -> Path | None:
    """Keep the current database before overwriting it: consistent if possible, raw if not."""
    if not live.exists() or live.stat().st_size == 0:
        return None
    bdir = Path(data_dir) / BACKUP_DIR
    bdir.mkdir(parents=True, exist_ok=True)
    target = bdir / f"pre-restore-{_stamp(datetime.now(UTC))}.sqlite"
    try:
        if inspect(live, check="header").problem is None:
            conn = connect(live, readonly=True)
            try:
                conn.execute("VACUUM INTO ?", (str(target),))
                return target
            finally:
                conn.close()
    except sqlite3.DatabaseError as exc:  # damaged: keep the bytes as they are
        log.warning("consistent copy of %s failed (%s); copying the raw files", live, exc)
        target.unlink(missing_ok=True)
    shutil.copy2(live, target)
    wal = live.with_name(live.name + "-wal")
    if wal.exists():
        shutil.copy2(wal, target.with_name(target.name + "-wal"))
    return target


def _page_size(path: Path) -> int | None:
    """The page size in a database file's header (None if it cannot be read)."""
    try:
        with path.open("rb") as fh:
            head = fh.read(18)
    except OSError:
        return None
    if len(head) < 18:
        return None
    size = int.from_bytes(head[16:18], "big")
    return 65536 if size == 1 else size


@contextlib.contextmanager
def _with_page_size(snapshot: Path, size: int | None, work_dir: Path) -> Iterator[Path]:
    """The snapshot, or a copy of it re-paged to ``size``.

    SQLite's backup API cannot change the page size of a WAL database, and a
    workspace made by this version (16 KiB pages) may be given a snapshot of an older
    one (4 KiB). Without this the restore fell back to replacing the file, which a
    window that has the workspace open would not see (it kept writing to the old one).
    """
    if size is None or _page_size(snapshot) in (None, size):
        yield snapshot
        return
    copy = work_dir / f".restore-{os.getpid()}-{snapshot.name}"
    try:
        shutil.copyfile(snapshot, copy)
        conn = sqlite3.connect(copy)
        try:
            conn.execute("PRAGMA journal_mode = DELETE")  # VACUUM re-pages only outside WAL
            conn.execute(f"PRAGMA page_size = {int(size)}")
            conn.execute("VACUUM")
        finally:
            conn.close()
        yield copy
    finally:
        for suffix in ("", "-journal", "-wal", "-shm"):
            Path(str(copy) + suffix).unlink(missing_ok=True)


def install(snapshot: Path, live: Path) -> str:
    """Copy the snapshot's pages into the live database; replace the file if it is unusable."""
    try:
        with _with_page_size(snapshot, _page_size(live), live.parent) as source:
            if _backup(source, live):
                return "backup-api"
    except (sqlite3.DatabaseError, OSError) as exc:
        log.warning("cannot re-page %s for %s (%s); replacing the file", snapshot, live, exc)
    return _replace(snapshot, live)


def _backup(source: Path, live: Path) -> bool:
    """The backup API: page by page into the open file, so every connection sees it."""
    src = sqlite3.connect(_source_uri(source), uri=True)
    try:
        try:
            dst = connect(live)
            try:
                dst.execute("PRAGMA schema_version").fetchone()  # proves the file is usable
                src.backup(dst)
                quick_check(dst, live)
                return True
            finally:
                dst.close()
        except (sqlite3.DatabaseError, StoreError) as exc:
            log.warning("backup API into %s failed (%s); replacing the file", live, exc)
            return False
    finally:
        src.close()


def _replace(snapshot: Path, live: Path) -> str:
    """The whole file swapped for the snapshot (the live one is unusable)."""
    part = live.with_name(live.name + ".restore-part")
    shutil.copyfile(snapshot, part)
    with part.open("rb+") as fh:
        os.fsync(fh.fileno())
    for suffix in ("-wal", "-shm"):
        live.with_name(live.name + suffix).unlink(missing_ok=True)
    os.replace(part, live)
    conn = connect(live)
    try:
        conn.execute("PRAGMA journal_mode = WAL")  # a VACUUM INTO copy is not in WAL mode
        quick_check(conn, live)
    finally:
        conn.close()
    return "file-replace"
