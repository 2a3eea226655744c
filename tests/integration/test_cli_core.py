"""`warroom --version`, `doctor`, `secret` and `snapshot` as real processes."""

from __future__ import annotations

import json
import os
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from helpers.damage import wipe_page

import warroom
from warroom.base.paths import DB_NAME
from warroom.system.lockfile import WorkspaceLock

TESTS_DIR = Path(__file__).resolve().parents[1]
VALUE = "tok-7fZq-very-secret"


def run(
    data_dir: Path | None,
    *args: str,
    env: dict[str, str] | None = None,
    stdin: str | None = None,
    pre: tuple[str, ...] = (),
) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, **(env or {})}
    cmd = [sys.executable, *pre, "-m", "warroom"]
    if data_dir is not None:
        cmd += ["--data-dir", str(data_dir)]
    return subprocess.run(
        [*cmd, *args],
        input=stdin,
        stdin=None if stdin is not None else subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
        env=full_env,
    )


def file_keyring(tmp_path: Path) -> tuple[dict[str, str], Path]:
    """A real keyring backend for the subprocess, storing in a file the test can read."""
    store = tmp_path / "keyring.json"
    env = {
        "PYTHONPATH": os.pathsep.join(filter(None, [str(TESTS_DIR), os.environ.get("PYTHONPATH")])),
        "PYTHON_KEYRING_BACKEND": "helpers.testkeyring.FileKeyring",
        "WARROOM_TEST_KEYRING_FILE": str(store),
    }
    return env, store


def one_error_line(proc: subprocess.CompletedProcess[str]) -> str:
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("error: ")
    return lines[0]


def doctor_json(proc: subprocess.CompletedProcess[str]) -> tuple[dict[str, dict], dict]:
    records = [json.loads(x) for x in proc.stdout.splitlines()]
    *checks, summary = records
    return {c["check"]: c for c in checks}, summary


# -- version and imports ---------------------------------------------------------------


def test_version() -> None:
    proc = run(None, "--version")
    assert proc.returncode == 0
    assert proc.stdout.strip() == f"warroom {warroom.__version__}"
    assert re.fullmatch(r"warroom \d+\.\d+\.\d+", proc.stdout.strip())


@pytest.mark.parametrize("args", [("--version",), ("doctor",)])
def test_no_qt_gui_modules_imported(data_dir: Path, args: tuple[str, ...]) -> None:
    proc = run(data_dir, *args, pre=("-X", "importtime"))
    assert proc.returncode in (0, 1), proc.stderr
    imported = {
        line.split("|")[-1].strip()
        for line in proc.stderr.splitlines()
        if line.startswith("import time:")
    }
    assert "warroom.cli" in imported  # the probe itself works
    qt = sorted(m for m in imported if m.startswith("PySide6.Qt"))
    assert qt == [], f"{args} imported {qt}"
    if args == ("--version",):
        assert "PySide6" not in imported and "keyring" not in imported


# -- doctor ----------------------------------------------------------------------------


def test_doctor_json_records_and_exit_code(data_dir: Path) -> None:
    proc = run(data_dir, "doctor", "--json")
    checks, summary = doctor_json(proc)
    rank = {"ok": 0, "warn": 1, "error": 2}
    assert proc.returncode == max(rank[c["status"]] for c in checks.values())
    assert summary["exit"] == proc.returncode
    assert sum(summary["summary"].values()) == len(checks)
    for name in ("python", "qt", "qt-platform", "data-dir", "database", "keyring", "loopback"):
        assert name in checks
    assert {"dns", "icmp"} <= set(checks)
    # conftest selects keyring's fail backend: a visible warning, not an error.
    assert checks["keyring"]["status"] == "warn"
    assert "WARROOM_SECRET_" in checks["keyring"]["advice"]
    assert checks["loopback"]["status"] == "ok"
    assert checks["qt-platform"]["status"] == "ok"  # QT_QPA_PLATFORM=offscreen
    assert proc.returncode == 1


def test_doctor_table_and_usable_keyring(data_dir: Path, tmp_path: Path) -> None:
    env, _ = file_keyring(tmp_path)
    proc = run(data_dir, "doctor", env=env)
    assert re.search(r"^ok\s+keyring\s+helpers\.testkeyring\.FileKeyring", proc.stdout, re.M)
    assert re.search(r"^doctor: \d+ ok, \d+ warning\(s\), \d+ error\(s\)$", proc.stdout, re.M)
    assert proc.returncode in (0, 1)


def test_doctor_errors_on_a_damaged_database(data_dir: Path) -> None:
    assert run(data_dir, "snapshot", "create").returncode == 0
    db = data_dir / DB_NAME
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    wipe_page(db, 2, b"\x00\xff")
    damaged = db.read_bytes()
    proc = run(data_dir, "doctor", "--json")
    checks, summary = doctor_json(proc)
    assert proc.returncode == 2 and summary["status"] == "error"
    assert checks["database"]["status"] == "error"
    assert "snapshot restore" in checks["database"]["advice"]
    assert db.read_bytes() == damaged


def test_doctor_reports_a_bad_data_dir(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("keep me")
    proc = run(blocker, "doctor", "--json")
    checks, _ = doctor_json(proc)
    assert proc.returncode == 2
    assert checks["data-dir"]["status"] == "error"
    assert blocker.read_text() == "keep me"


# -- bad workspaces on ordinary commands -----------------------------------------------


def test_bad_data_dir_is_one_error_line_and_nothing_overwritten(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("keep me")
    proc = run(blocker, "snapshot", "create")
    assert proc.returncode != 0
    assert str(blocker) in one_error_line(proc)
    assert blocker.read_text() == "keep me"


def test_non_sqlite_database_is_one_error_line(data_dir: Path) -> None:
    db = data_dir / DB_NAME
    db.write_text("these are my notes, not a database\n")
    proc = run(data_dir, "snapshot", "create")
    assert proc.returncode == 1
    assert "not a SQLite database" in one_error_line(proc)
    assert db.read_text() == "these are my notes, not a database\n"
    assert not (data_dir / "snapshots").exists()


# -- secrets ---------------------------------------------------------------------------


def test_secret_set_list_delete_via_stdin(data_dir: Path, tmp_path: Path) -> None:
    env, kr_file = file_keyring(tmp_path)
    proc = run(data_dir, "secret", "set", "mastodon-ops", env=env, stdin=VALUE + "\n")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(kr_file.read_text()) == {"warroom/mastodon-ops": VALUE}
    assert VALUE not in proc.stdout + proc.stderr
    listed = run(data_dir, "secret", "list", env=env)
    assert listed.stdout.splitlines() == ["mastodon-ops"]
    js = run(data_dir, "secret", "list", "--json", env={**env, "WARROOM_SECRET_MASTODON_OPS": "x"})
    assert [json.loads(x) for x in js.stdout.splitlines()] == [
        {"name": "mastodon-ops", "keyring": True, "env": "WARROOM_SECRET_MASTODON_OPS"}
    ]
    # The value is nowhere in the workspace: not in the index, the log or the database.
    for p in data_dir.rglob("*"):
        if p.is_file():
            assert VALUE.encode() not in p.read_bytes(), p
    assert run(data_dir, "secret", "delete", "mastodon-ops", env=env).returncode == 0
    assert json.loads(kr_file.read_text()) == {}
    assert run(data_dir, "secret", "list", env=env).stdout == ""
    again = run(data_dir, "secret", "delete", "mastodon-ops", env=env)
    assert again.returncode == 1 and "no secret" in one_error_line(again)


def test_secret_set_refuses_an_empty_value(data_dir: Path, tmp_path: Path) -> None:
    env, kr_file = file_keyring(tmp_path)
    for stdin in (None, "", "\n"):
        proc = run(data_dir, "secret", "set", "feed", env=env, stdin=stdin)
        assert proc.returncode == 2
        assert "nothing stored" in one_error_line(proc)
    assert not kr_file.exists()


def test_secret_set_without_keyring_is_refused(data_dir: Path) -> None:
    proc = run(data_dir, "secret", "set", "feed", stdin=VALUE)
    assert proc.returncode == 1
    line = one_error_line(proc)
    assert "no plaintext fallback" in line and VALUE not in line
    assert not (data_dir / "secrets-index.json").exists()


def test_secret_list_shows_env_overrides_without_keyring(data_dir: Path) -> None:
    proc = run(data_dir, "secret", "list", env={"WARROOM_SECRET_BSKY_OPS": VALUE})
    assert proc.returncode == 0
    assert proc.stdout.splitlines() == ["WARROOM_SECRET_BSKY_OPS  (environment)"]
    assert VALUE not in proc.stdout + proc.stderr
    assert proc.stderr.startswith("warning: keyring unavailable")


# -- snapshots -------------------------------------------------------------------------


def _meta(data_dir: Path, key: str) -> str | None:
    conn = sqlite3.connect(data_dir / DB_NAME)
    row = conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
    conn.close()
    return row[0] if row else None


def _set_meta(data_dir: Path, key: str, value: str) -> None:
    conn = sqlite3.connect(data_dir / DB_NAME)
    conn.execute("INSERT OR REPLACE INTO meta VALUES (?, ?, 'x')", (key, value))
    conn.commit()
    conn.close()


def test_snapshot_create_list_restore(data_dir: Path) -> None:
    made = run(data_dir, "snapshot", "create", "--reason", "before-change")
    assert made.returncode == 0, made.stderr
    path = Path(made.stdout.strip())
    assert path.parent == data_dir / "snapshots" and path.is_file()
    _set_meta(data_dir, "k", "changed")
    listed = run(data_dir, "snapshot", "list", "--json")
    [rec] = [json.loads(x) for x in listed.stdout.splitlines()]
    assert rec["name"] == path.name and rec["reason"] == "before-change"
    table = run(data_dir, "snapshot", "list").stdout
    assert path.name in table and "before-change" in table

    with WorkspaceLock(data_dir):
        refused = run(data_dir, "snapshot", "restore", path.name)
    assert refused.returncode == 1
    assert "close it first" in one_error_line(refused)
    assert _meta(data_dir, "k") == "changed"

    restored = run(data_dir, "snapshot", "restore", path.name)
    assert restored.returncode == 0, restored.stderr
    assert _meta(data_dir, "k") is None
    side = re.search(r"kept at (\S+)", restored.stdout)
    assert side and Path(side.group(1)).is_file()


def test_snapshot_restore_unknown_name(data_dir: Path) -> None:
    proc = run(data_dir, "snapshot", "restore", "warroom-nope")
    assert proc.returncode == 1
    assert "snapshot list" in one_error_line(proc)


@pytest.mark.parametrize("damage", ["newer-schema", "damaged"])
def test_bad_database_is_one_error_line_and_left_alone(data_dir: Path, damage: str) -> None:
    assert run(data_dir, "snapshot", "create").returncode == 0
    db = data_dir / DB_NAME
    conn = sqlite3.connect(db)
    if damage == "newer-schema":
        conn.execute("INSERT INTO _migrations VALUES ('core-9999-from-the-future', 'x')")
        conn.commit()
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    if damage == "damaged":
        wipe_page(db, 2, b"\x00\xff")
    before = db.read_bytes()
    proc = run(data_dir, "snapshot", "create")
    assert proc.returncode == 1
    line = one_error_line(proc)
    assert ("newer Warroom" if damage == "newer-schema" else "damaged") in line
    assert str(db) in line
    assert db.read_bytes() == before
    assert len(list((data_dir / "snapshots").glob("*.sqlite"))) == 1
