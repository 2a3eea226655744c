"""The lossless JSON bundle: one incident's whole record, sealed with a checksum.

A bundle holds facts, never caches: the incident's creation and every change of
every field, every entry with every revision (hidden ones too), action items and
evidence. Importing it anywhere rebuilds the same state (``merge.py``).

Checksum: ``"sha256:" + hex(SHA-256(canonical))`` where ``canonical`` is the document
without its ``checksum`` key, serialised as JSON with keys sorted, no whitespace
(separators ``,`` and ``:``), non-ASCII characters written as themselves (not ``\\u``
escapes), encoded as UTF-8. For the values a bundle holds (strings, integers,
booleans, null, and evidence data) this matches RFC 8785 (JCS) except that JCS sorts
keys by UTF-16 code units, which differs only for keys outside the BMP.
"""

from __future__ import annotations

import gc
import hashlib
import json
import json.encoder
import os
import stat
from collections.abc import Iterator, Mapping, MutableMapping
from contextlib import contextmanager
from operator import itemgetter
from pathlib import Path
from typing import TypeVar

from warroom import __version__
from warroom.base import timeutil
from warroom.base.errors import NotFound, WarroomError
from warroom.base.jsonval import as_object, get_str
from warroom.handover.records import BundleDoc, RevisionRecord
from warroom.store import handover as hq
from warroom.store import timeline as q
from warroom.store.db import Store

FORMAT = "warroom-bundle"
SCHEMA_VERSION = 1
CHECKSUM_PREFIX = "sha256:"

# Top-level keys in the order they are written (readers do not depend on it).
TOP_KEYS = (
    "format",
    "schema_version",
    "generator",
    "exported_at",
    "exported_by",
    "checksum",
    "incident",
    "incident_changes",
    "action_items",
    "evidence",
    "entries",
)
LIST_KEYS = ("incident_changes", "action_items", "evidence", "entries")


class BundleError(WarroomError):
    """A bundle that cannot be imported; the message says where and why."""


# No cycle check: bundles come from the database or from json.loads, neither can loop.
_Doc = TypeVar("_Doc", bound=MutableMapping[str, object])
_canon = json.JSONEncoder(
    sort_keys=True, separators=(",", ":"), ensure_ascii=False, check_circular=False
).encode


def canonical_bytes(doc: Mapping[str, object]) -> bytes:
    """The bytes the checksum covers (see the module docstring)."""
    body = {k: v for k, v in doc.items() if k != "checksum"}
    return _canon(body).encode("utf-8")


def compute_checksum(doc: Mapping[str, object]) -> str:
    return CHECKSUM_PREFIX + hashlib.sha256(canonical_bytes(doc)).hexdigest()


def seal(doc: _Doc) -> _Doc:
    """Set ``doc["checksum"]`` for its current content; returns ``doc``."""
    doc["checksum"] = compute_checksum(doc)
    return doc


def encode(
    doc: MutableMapping[str, object], *, ready: dict[str, list[str]] | None = None
) -> list[str]:
    """Seal ``doc`` and render it as text, serialising each record only once.

    Each record of a list is written in its canonical form on a line of its own, and
    the same strings feed the checksum: that is exactly ``canonical_bytes`` (the test
    suite checks it), at half the cost for 100,000 entries.
    """
    items = {k: [_canon(x) for x in v] for k in LIST_KEYS if isinstance(v := doc.get(k), list)}
    items.update(ready or {})
    h = hashlib.sha256()
    first = True
    h.update(b"{")
    for k in sorted(x for x in doc if x != "checksum"):
        if not first:
            h.update(b",")
        first = False
        h.update(_canon(k).encode("utf-8") + b":")
        if k in items:
            h.update(("[" + ",".join(items[k]) + "]").encode("utf-8"))
        else:
            h.update(_canon(doc[k]).encode("utf-8"))
    h.update(b"}")
    doc["checksum"] = CHECKSUM_PREFIX + h.hexdigest()
    keys = [k for k in TOP_KEYS if k in doc] + [k for k in doc if k not in TOP_KEYS]
    out = ["{\n"]
    for n, k in enumerate(keys):
        sep = ",\n" if n < len(keys) - 1 else "\n"
        if items.get(k):
            out.append(f" {_canon(k)}: [\n  ")
            out.append(",\n  ".join(items[k]))
            out.append("\n ]" + sep)
        else:
            out.append(f" {_canon(k)}: {json.dumps(doc[k], ensure_ascii=False)}{sep}")
    out.append("}\n")
    return out


def build_bundle(
    store: Store,
    incident_id: str,
    *,
    exported_by: str,
    exported_at: str | None = None,
    sealed: bool = True,
    with_entries: bool = True,
) -> dict[str, object]:
    """The bundle of one incident, as a JSON-ready dict (sealed unless told not to)."""
    inc = q.get_incident(store, incident_id)
    if inc is None:
        raise NotFound(f"no incident {incident_id!r}")
    revs: dict[str, list[RevisionRecord]] = {}
    rows = hq.read_revisions(store, inc.id) if with_entries else ()
    for (rid, entry, parent, rec, author, occ, kind, text, tags, pinned, external, hidden,
         reason, note) in rows:  # fmt: skip
        r: RevisionRecord = {
            "id": rid,
            "parent": parent,
            "recorded_at": rec,
            "author": author,
            "occurred_at": occ,
            "kind": kind,
            "text": text,
            "tags": tags.split(" ") if tags else [],
            "pinned": pinned == 1,
            "external": external == 1,
            "hidden": hidden == 1,
            "hidden_reason": reason,
            "note": note,
        }
        got = revs.get(entry)
        if got is None:
            revs[entry] = [r]
        else:
            got.append(r)
    entries = [
        {
            "id": eid,
            "incident": e_inc,
            "recorded_at": rec,
            "author": author,
            "meta": {} if meta in ("{}", "", None) else json.loads(meta),
            "revisions": revs.get(eid, []),
        }
        for eid, e_inc, rec, author, meta in (
            hq.read_entry_shells(store, inc.id) if with_entries else ()
        )
    ]
    doc: dict[str, object] = {
        "format": FORMAT,
        "schema_version": SCHEMA_VERSION,
        "generator": f"warroom {__version__}",
        "exported_at": exported_at or timeutil.now_str(),
        "exported_by": exported_by,
        "incident": inc.record(),
        "incident_changes": [c.record() for c in q.incident_changes(store, inc.id)],
        "action_items": [a.record() for a in q.action_items(store, inc.id)],
        "evidence": q.evidence(store, inc.id),
        "entries": entries,
    }
    return seal(doc) if sealed else doc


def iter_json(doc: MutableMapping[str, object]) -> Iterator[str]:
    """The bundle as text (re-sealed): small header, then one record per line."""
    yield from encode(doc)


def dumps(doc: MutableMapping[str, object]) -> str:
    return "".join(encode(doc))


_str = json.encoder.encode_basestring  # what json.dumps(ensure_ascii=False) uses (C)
_BOOL = ("false", "true")


def canonical_entry(shell: hq.ShellRow, revs: list[hq.RevisionRow]) -> str:
    """``_canon(entry record)`` built straight from rows, without the dicts.

    ``shell`` is (id, incident, recorded_at, author, meta JSON text); ``revs`` rows in
    REVISION_COLS order. Keys in sorted order, strings escaped by the same function
    ``json.dumps`` uses; tests check it equals ``_canon`` on arbitrary text.
    """
    eid, inc, rec, author, meta = shell
    parts = []
    for (rid, _e, parent, r_rec, r_author, occ, kind, text, tags, pinned, external, hidden,
         reason, note) in revs:  # fmt: skip
        tag_list = ",".join(_str(t) for t in tags.split(" ")) if tags else ""
        parts.append(
            f'{{"author":{_str(r_author)},"external":{_BOOL[external == 1]},'
            f'"hidden":{_BOOL[hidden == 1]},"hidden_reason":{_str(reason)},"id":{_str(rid)},'
            f'"kind":{_str(kind)},"note":{_str(note)},"occurred_at":{_str(occ)},'
            f'"parent":{"null" if parent is None else _str(parent)},'
            f'"pinned":{_BOOL[pinned == 1]},"recorded_at":{_str(r_rec)},"tags":[{tag_list}],'
            f'"text":{_str(text)}}}'
        )
    meta_text = "{}" if meta in ("{}", "", None) else _canon(json.loads(meta))
    return (
        f'{{"author":{_str(author)},"id":{_str(eid)},"incident":{_str(inc)},'
        f'"meta":{meta_text},"recorded_at":{_str(rec)},"revisions":[{",".join(parts)}]}}'
    )


def export_json(store: Store, incident_id: str, *, exported_by: str) -> list[str]:
    """The sealed bundle as text, the fast way (``warroom export --format json``):
    SQLite writes each revision's canonical JSON (``hq.read_entry_json``), Python only
    joins them (and sorts the keys of an entry's meta). The result is the same as
    ``encode(build_bundle(...))`` (tested)."""
    doc = build_bundle(
        store, incident_id, exported_by=exported_by, sealed=False, with_entries=False
    )
    entries: list[str] = []
    revs: list[str] = []
    current: str | None = None
    start = ""
    for eid, head, meta, mid, rev in hq.read_entry_json(
        store, get_str(as_object(doc["incident"]), "id")
    ):
        if eid != current:
            if current is not None:
                entries.append(start + ",".join(revs) + "]}")
            meta_text = "{}" if meta in ("{}", "", None) else _canon(json.loads(meta))
            current, start, revs = eid, head + meta_text + mid, []
        if rev is not None:
            revs.append(rev)
    if current is not None:
        entries.append(start + ",".join(revs) + "]}")
    return encode(doc, ready={"entries": entries})


# -- reading ------------------------------------------------------------------------


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while millions of acyclic objects are made.

    Parsing a 100,000-entry bundle creates ~3 million dicts, lists and strings; each
    allocation burst triggers collections that walk all of them again, which doubled
    the parse time. Reference counting still frees everything; nothing here is cyclic.
    """
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def _fast_verified(data: bytes) -> dict[str, object] | None:
    """The bundle, parsed and checksum-verified with orjson; None means "take the
    standard-library path", which decides (and words any refusal).

    Sound because the checksum is SHA-256 over the canonical bytes: when orjson's
    sorted, compact, UTF-8 serialisation of the parsed document hashes to the claimed
    value, those bytes are the exporter's canonical bytes, and the document is what was
    exported. orjson writes the same bytes as ``_canon`` for everything but some floats
    and integers beyond 64 bits (which it reads as floats); those mismatch here and go
    the standard way, so a bundle is never refused or altered for orjson's sake.
    """
    import orjson

    try:
        doc = orjson.loads(data[3:] if data.startswith(b"\xef\xbb\xbf") else data)
    except orjson.JSONDecodeError:
        return None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        return None
    version, claimed = doc.get("schema_version"), doc.get("checksum")
    if type(version) is not int or version > SCHEMA_VERSION or not isinstance(claimed, str):
        return None
    body = {k: v for k, v in doc.items() if k != "checksum"}
    try:
        canonical = orjson.dumps(body, option=orjson.OPT_SORT_KEYS)
    except orjson.JSONEncodeError:
        return None
    if CHECKSUM_PREFIX + hashlib.sha256(canonical).hexdigest() != claimed:
        return None
    return doc


def parse_bundle(data: bytes, *, where: str = "bundle") -> BundleDoc:
    """Parse and check a bundle; raise ``BundleError`` saying why it is refused.

    Order matters for the message: not JSON / truncated, then not a bundle, then a newer
    schema, then the checksum (tampering), then the structure, then consistency.
    A bundle that orjson parses and verifies skips the slower standard-library parse
    and checksum; everything else (and every refusal) goes through them.
    """
    from warroom.handover.rules import RuleViolation, check_records
    from warroom.handover.schema import SchemaViolation, validate_bundle

    with gc_paused():
        doc = _fast_verified(data)
        if doc is None:
            doc = _parse_verified(data, where=where)
        try:
            checked = validate_bundle(doc)
            check_records(checked)
        except (SchemaViolation, RuleViolation) as exc:
            raise BundleError(str(exc), where=where) from None
        check_consistency(checked, where=where)
    return checked


def _parse_verified(data: bytes, *, where: str) -> dict[str, object]:
    """Parse with the standard library and verify the checksum over ``_canon``."""
    kind = _binary_kind(data)
    if kind:
        raise BundleError(f"{kind}, not a Warroom bundle (a JSON text file)", where=where)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise BundleError(f"not UTF-8 text (byte {exc.start})", where=where) from None
    if not text.strip():
        raise BundleError("the file is empty", where=where)
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        truncated = _looks_truncated(text)
        why = "truncated (the JSON ends early)" if truncated else "not valid JSON"
        # Some messages end in "at" ("Invalid control character at"): no "at at line".
        msg = exc.msg.removesuffix(" at")
        raise BundleError(
            f"{why}: {msg} at line {exc.lineno} column {exc.colno}", where=where
        ) from None
    except RecursionError:
        raise BundleError("not a bundle: nested too deeply", where=where) from None
    except ValueError as exc:  # an integer literal over Python's 4,300-digit limit
        raise BundleError(f"not a bundle: {_number_problem(exc)}", where=where) from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise BundleError(f"not a Warroom bundle ($.format is not {FORMAT!r})", where=where)
    version = doc.get("schema_version")
    if not isinstance(version, int) or isinstance(version, bool):
        raise BundleError("$.schema_version: missing or not an integer", where=where)
    if version > SCHEMA_VERSION:
        raise BundleError(
            f"written by a newer Warroom (bundle schema {version}; this one reads up to "
            f"{SCHEMA_VERSION}): upgrade Warroom to import it. Nothing was changed",
            where=where,
        )
    claimed = doc.get("checksum", _ABSENT)
    if claimed is _ABSENT:
        raise BundleError("$.checksum: missing; the file cannot be verified", where=where)
    if not isinstance(claimed, str):
        raise BundleError(
            f'$.checksum: expected a string ("sha256:…"), found {_json_type(claimed)}; '
            "the file cannot be verified",
            where=where,
        )
    try:
        actual = compute_checksum(doc)
    except UnicodeEncodeError:
        raise BundleError("contains a broken character (lone surrogate)", where=where) from None
    if actual != claimed:
        raise BundleError(
            "checksum mismatch: the file was changed after export (tampered or damaged)",
            where=where,
        )
    return doc


_ABSENT = object()
# File signatures of what people pick by mistake (a zipped bundle most of all).
_MAGIC = (
    (b"PK\x03\x04", "a ZIP archive (unpack it first)"),
    (b"PK\x05\x06", "an empty ZIP archive"),
    (b"\x1f\x8b", "a gzip-compressed file (unpack it first)"),
    (b"%PDF-", "a PDF document"),
    (b"SQLite format 3\x00", "an SQLite database (a workspace, not an export)"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"BZh", "a bzip2-compressed file"),
    (b"\xfd7zXZ\x00", "an xz-compressed file"),
)


def _binary_kind(data: bytes) -> str | None:
    for magic, what in _MAGIC:
        if data.startswith(magic):
            return what
    return None


def _json_type(v: object) -> str:
    if isinstance(v, bool):
        return "a boolean"
    if isinstance(v, int | float):
        return "a number"
    if v is None:
        return "null"
    return "an array" if isinstance(v, list) else "an object"


def _number_problem(exc: ValueError) -> str:
    if "digits" in str(exc):
        return "it holds an integer with more than 4,300 digits"
    return str(exc)


def check_consistency(doc: BundleDoc, *, where: str = "bundle") -> None:
    """What the schema cannot say: everything belongs to this incident, ids are unique.

    Whole columns are checked first (sets and C-level ``map``: a fifth of the time for
    100,000 entries); only a bundle that fails is walked record by record, which words
    the refusal with the JSON path."""
    if not _consistent(doc):
        _check_consistency(doc, where=where)


def _consistent(doc: BundleDoc) -> bool:
    iid = doc["incident"]["id"]
    entries = doc["entries"]
    get_id, get_inc = itemgetter("id"), itemgetter("incident")
    entry_ids = set(map(get_id, entries))
    if len(entry_ids) != len(entries) or set(map(get_inc, entries)) - {iid}:
        return False
    n_revs = 0
    rev_ids: set[str] = set()
    for e in entries:
        revs = e["revisions"]
        n_revs += len(revs)
        if len(revs) == 1:
            r = revs[0]
            if r["parent"] is not None:
                return False
            rev_ids.add(r["id"])
            continue
        own = set(map(get_id, revs))
        rev_ids |= own
        if not {r["parent"] for r in revs} <= own | {None}:
            return False
    if len(rev_ids) != n_revs:
        return False
    for key in ("incident_changes", "action_items", "evidence"):
        items = doc[key]
        if len(set(map(get_id, items))) != len(items) or set(map(get_inc, items)) - {iid}:
            return False
        refs = {x.get("entry") for x in items} - {None}
        if not refs <= entry_ids:
            return False
    return True


def _check_consistency(doc: BundleDoc, *, where: str = "bundle") -> None:
    iid = doc["incident"]["id"]
    entry_ids: set[str] = set()
    rev_ids: set[str] = set()
    for i, e in enumerate(doc["entries"]):
        p = f"$.entries[{i}]"
        if e["incident"] != iid:
            raise BundleError(
                f"{p}.incident: entry {e['id']} belongs to incident {e['incident']}, "
                f"not to this bundle's incident {iid}",
                where=where,
            )
        if e["id"] in entry_ids:
            raise BundleError(f"{p}.id: entry {e['id']} appears twice", where=where)
        entry_ids.add(e["id"])
        own = {r["id"] for r in e["revisions"]}
        for j, r in enumerate(e["revisions"]):
            if r["id"] in rev_ids:
                raise BundleError(
                    f"{p}.revisions[{j}].id: revision {r['id']} appears twice", where=where
                )
            rev_ids.add(r["id"])
            if r["parent"] is not None and r["parent"] not in own:
                raise BundleError(
                    f"{p}.revisions[{j}].parent: {r['parent']} is not a revision of this entry",
                    where=where,
                )
    for key in ("incident_changes", "action_items", "evidence"):
        seen: set[str] = set()
        for i, item in enumerate(doc[key]):
            if item["incident"] != iid:
                raise BundleError(
                    f"$.{key}[{i}].incident: belongs to incident {item['incident']}, not to {iid}",
                    where=where,
                )
            if item["id"] in seen:
                raise BundleError(f"$.{key}[{i}].id: {item['id']} appears twice", where=where)
            seen.add(item["id"])
            ref = item.get("entry")
            if ref is not None and ref not in entry_ids:
                raise BundleError(
                    f"$.{key}[{i}].entry: entry {ref} is not in this bundle", where=where
                )


def _looks_truncated(text: str) -> bool:
    """True when the text ends inside a string or with brackets still open."""
    depth = 0
    in_str = esc = False
    for ch in text:
        if in_str:
            if esc:
                esc = False
            elif ch == "\\":
                esc = True
            elif ch == '"':
                in_str = False
        elif ch == '"':
            in_str = True
        elif ch in "[{":
            depth += 1
        elif ch in "]}":
            depth -= 1
    return in_str or depth > 0


# A 100,000-entry bundle is about 52 MB; ten times that is still a plausible incident.
MAX_BUNDLE_BYTES = 512 * 1024 * 1024


def read_bundle_bytes(path: Path, *, limit: int = MAX_BUNDLE_BYTES) -> bytes:
    """The file's bytes, if it is a regular file of at most ``limit`` bytes.

    Opened without blocking and checked on the open descriptor, so a FIFO with no
    writer, a device such as /dev/zero or a directory is refused at once (and a file
    swapped between a check and the open cannot slip through); a file that grows while
    being read stops at the limit.
    """
    where = str(path)
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except OSError as exc:
        raise BundleError(f"cannot read: {exc.strerror}", where=where) from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise BundleError(f"not a regular file ({_file_kind(st.st_mode)})", where=where)
        if st.st_size > limit:
            raise BundleError(
                f"{st.st_size / 1e6:,.0f} MB is over the import limit of {_mb(limit)}", where=where
            )
        chunks, size = [], 0
        while True:
            chunk = os.read(fd, min(1 << 24, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
            if size > limit:
                raise BundleError(f"over the import limit of {_mb(limit)}", where=where)
        return b"".join(chunks)
    except OSError as exc:
        raise BundleError(f"cannot read: {exc.strerror}", where=where) from None
    finally:
        os.close(fd)


def _mb(n: int) -> str:
    return f"{n // (1024 * 1024):,} MB" if n >= 1024 * 1024 else f"{n:,} bytes"


def _file_kind(mode: int) -> str:
    for test, what in (
        (stat.S_ISDIR, "a directory"),
        (stat.S_ISFIFO, "a named pipe"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISSOCK, "a socket"),
    ):
        if test(mode):
            return what
    return "not a plain file"


def read_bundle_file(path: Path) -> BundleDoc:
    return parse_bundle(read_bundle_bytes(path), where=str(path))
