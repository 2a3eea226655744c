"""Writing export files so that nothing is ever half-written.

Output goes to a temporary file next to the target, is flushed to disk, and only then
renamed over the target (``os.replace`` is atomic on one file system). On any error,
a full disk included, the temporary file is removed and an existing target is left
exactly as it was.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from warroom.base.errors import WarroomError


@contextlib.contextmanager
def atomic_path(target: Path) -> Iterator[Path]:
    """A temporary path to write to; renamed onto ``target`` if the block succeeds."""
    target = Path(target)
    parent = target.parent if str(target.parent) else Path(".")
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=parent)
        os.close(fd)
    except OSError as exc:
        raise WarroomError(f"cannot write {target}: {exc.strerror}") from exc
    tmp = Path(tmp_name)
    try:
        yield tmp
        _fsync(tmp)
        if target.exists():
            with contextlib.suppress(OSError):
                os.chmod(tmp, target.stat().st_mode & 0o777)
        else:
            with contextlib.suppress(OSError):
                os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, target)
    except OSError as exc:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise WarroomError(f"cannot write {target}: {exc.strerror or exc}") from exc
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_text(target: Path, chunks: Iterable[str] | str) -> None:
    """Write UTF-8 text atomically (``chunks`` may be a generator: it is streamed)."""
    if isinstance(chunks, str):
        chunks = (chunks,)
    with atomic_path(target) as tmp, tmp.open("w", encoding="utf-8", newline="") as fh:
        buf: list[str] = []
        size = 0
        for c in chunks:
            buf.append(c)
            size += len(c)
            if size > 1 << 20:
                fh.write("".join(buf))
                buf, size = [], 0
        fh.write("".join(buf))


def write_bytes(target: Path, data: bytes) -> None:
    with atomic_path(target) as tmp:
        tmp.write_bytes(data)


def write_with(target: Path, produce: Callable[[Path], None]) -> None:
    """Let ``produce`` write a file at a temporary path (e.g. Qt's PDF writer)."""
    with atomic_path(target) as tmp:
        produce(tmp)
