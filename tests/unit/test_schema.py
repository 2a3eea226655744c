"""Migrations built with sqlite-utils: the same schema as the hand-written SQL before
them, a workspace made by that older build still opens, and a migration is atomic."""

from __future__ import annotations

import re
import shutil
import sqlite3
from pathlib import Path

import pytest

from warroom.base.errors import StoreError
from warroom.services.timeline import Timeline
from warroom.store import Store, schema
from warroom.store import migrations as mig

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
V1_DB = FIXTURES / "workspace-schema-v1.sqlite"  # made by the build before sqlite-utils
V1_SQL = FIXTURES / "workspace-schema-v1.sql"


def _shape(conn: sqlite3.Connection) -> dict[str, object]:
    """Everything about the schema that behaviour depends on, not its spelling."""
    out: dict[str, object] = {}
    names = [
        r[0]
        for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
    ]
    for t in sorted(names):
        cols = [tuple(r) for r in conn.execute(f"PRAGMA table_xinfo('{t}')")]
        fks = sorted(tuple(r)[2:5] for r in conn.execute(f"PRAGMA foreign_key_list('{t}')"))
        idx = {}
        for r in conn.execute(f"PRAGMA index_list('{t}')"):
            cols_of = [c[2] for c in conn.execute(f"PRAGMA index_info('{r[1]}')")]
            key = r[1] if not r[1].startswith("sqlite_autoindex") else f"auto:{cols_of}"
            idx[key] = (r[2], r[3], r[4], cols_of)  # unique, origin, partial, columns
        out[t] = (cols, fks, idx)
    out["triggers"] = sorted(
        (r[0], _words(r[1]))
        for r in conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'")
    )
    return out


def _words(sql: str) -> str:
    """SQL without quoting and layout, so only a real difference shows."""
    return " ".join(
        re.sub(r"[\"'\[\]]", "", sql)
        .replace("(", " ( ")
        .replace(")", " ) ")
        .replace(",", " , ")
        .replace(";", " ; ")
        .lower()
        .split()
    )


# The migrations the previous build had; later ones add to the schema on their own.
V1_NAMES = ("core-0001-meta", "timeline-0001-incidents-entries", "probes-0001-samples")


def test_new_workspace_has_the_previous_schema(
    data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same named migrations, now built by sqlite-utils, make the same schema."""
    v1 = [m for m in mig.all_migrations() if m[0] in V1_NAMES]
    assert [n for n, _ in v1] == sorted(V1_NAMES, key=[n for n, _ in v1].index)
    assert len(v1) == 3
    monkeypatch.setattr(mig, "all_migrations", lambda: v1)
    with Store.open(data_dir):
        pass
    old = sqlite3.connect(tmp_path / "old.sqlite")
    old.executescript(V1_SQL.read_text("utf-8"))
    new = sqlite3.connect(data_dir / "warroom.sqlite")
    try:
        assert _shape(new) == _shape(old)
    finally:
        old.close()
        new.close()


def test_a_workspace_from_the_previous_build_opens_and_works(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    ws.mkdir()
    shutil.copyfile(V1_DB, ws / "warroom.sqlite")
    with Store.open(ws) as s:
        assert mig.pending(s) == []
        tl = Timeline(s, author="Bob")
        [inc] = tl.incidents()
        flt = tl.filter(inc.id)
        texts = [e.text for e in tl.entries(flt)]
        assert "smtp refuses connections from isp-b and isp-c" in texts
        assert [e.text for e in tl.entries(flt) if e.pinned] == [
            "smtp refuses connections from isp-b and isp-c"
        ]
        # Search (the FTS index and its triggers from the old schema) still works ...
        assert [e.text for e in tl.entries(tl.filter(inc.id, search="isp-c"))] == [
            "smtp refuses connections from isp-b and isp-c"
        ]
        # ... and follows new writes.
        new = tl.log(inc.id, "MX failover done; mail flows via the backup site").value
        assert [e.id for e in tl.entries(tl.filter(inc.id, search="failover"))] == [new.id]
        tl.revise(new.id, text="MX switched back")
        assert tl.entries(tl.filter(inc.id, search="failover")) == []
        assert [e.id for e in tl.entries(tl.filter(inc.id, search="switched"))] == [new.id]
        assert s.query_one("SELECT count(*) FROM probe_changes")[0] == 1  # type: ignore[index]


def test_full_text_follows_inserts_edits_and_folding(store: Store) -> None:
    tl = Timeline(store, author="Ada")
    inc = tl.new_incident("Mail")
    e = tl.log(inc.id, "Außenstelle Nord: mail queue full").value
    assert [x.id for x in tl.entries(tl.filter(inc.id, search="Außenstelle"))] == [e.id]
    tl.revise(e.id, text="Zentrale: queue drained")
    assert tl.entries(tl.filter(inc.id, search="Außenstelle")) == []
    assert [x.id for x in tl.entries(tl.filter(inc.id, search="zentrale"))] == [e.id]


def test_a_migration_that_fails_halfway_leaves_nothing(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Before, ``conn.executescript`` committed the first statements of a migration:
    a failure later left tables without a record and the workspace would not open."""
    with Store.open(data_dir):
        pass

    def broken(conn: sqlite3.Connection) -> None:
        schema.script(conn, "CREATE TABLE half_a (x TEXT); CREATE TABLE half_b (y TEXT);")
        schema.table(conn, "half_c", {"id": str})
        raise sqlite3.OperationalError("disk I/O error")

    real = mig.all_migrations
    monkeypatch.setattr(mig, "all_migrations", lambda: [*real(), ("zz-0001-broken", broken)])
    with pytest.raises(sqlite3.OperationalError):
        Store.open(data_dir)
    conn = sqlite3.connect(data_dir / "warroom.sqlite")
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    recorded = {r[0] for r in conn.execute("SELECT name FROM _migrations")}
    conn.close()
    assert not tables & {"half_a", "half_b", "half_c"}
    assert "zz-0001-broken" not in recorded
    monkeypatch.setattr(mig, "all_migrations", real)
    with Store.open(data_dir) as s:  # and the workspace still opens
        assert mig.pending(s) == []


def test_script_refuses_to_run_outside_a_transaction() -> None:
    conn = sqlite3.connect(":memory:")
    with pytest.raises(RuntimeError):
        schema.script(conn, "CREATE TABLE t (x)")


def test_migrations_never_use_executescript() -> None:
    """``Connection.executescript`` commits the migration's transaction first."""
    store_dir = Path(schema.__file__).parent
    offenders = [
        p.name for p in store_dir.glob("schema_*.py") if ".executescript(" in p.read_text("utf-8")
    ]
    assert offenders == []


def test_store_error_for_unknown_newer_schema_still_wins(data_dir: Path) -> None:
    with Store.open(data_dir) as s, s.write() as conn:
        conn.execute("INSERT INTO _migrations(name, applied_at) VALUES ('zz-9999-future', 'x')")
    with pytest.raises(StoreError, match="newer Warroom"):
        Store.open(data_dir)
