"""Damaging a SQLite file on purpose, page by page, whatever its page size."""

from __future__ import annotations

from pathlib import Path


def page(raw: bytes | bytearray, n: int) -> slice:
    """The bytes of page ``n`` (1-based), by the page size in the file's header."""
    size = int.from_bytes(raw[16:18], "big")
    size = 65536 if size == 1 else size  # the header's way of writing 64 KiB
    return slice((n - 1) * size, n * size)


def wipe_page(path: Path, n: int, fill: bytes = b"\xff") -> None:
    raw = bytearray(path.read_bytes())
    where = page(raw, n)
    assert len(raw) >= where.stop, f"{path} has fewer than {n} pages"
    raw[where] = fill * ((where.stop - where.start) // len(fill))
    path.write_bytes(bytes(raw))


def smash_btree_headers(path: Path) -> None:
    """Break the b-tree page headers from page 3 on, keeping the file header intact."""
    raw = bytearray(path.read_bytes())
    size = page(raw, 1).stop
    for start in range(2 * size, len(raw) - size + 1, size):
        raw[start : start + 8] = b"\xff" * 8
    path.write_bytes(bytes(raw))
