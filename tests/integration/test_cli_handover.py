"""warroom export / import / handover / report, end to end through the command line."""

from __future__ import annotations

import errno
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from helpers.handover import db_snapshot, populate

from warroom.main import main
from warroom.store import Store


@pytest.fixture
def ws(tmp_path: Path) -> tuple[Path, str]:
    d = tmp_path / "a"
    with Store.open(d) as s:
        iid = populate(s)
    return d, iid


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_export_import_round_trip(ws: tuple[Path, str], tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    src, iid = ws
    bundle = tmp_path / "handover.json"
    assert run(capsys, "--data-dir", str(src), "export", iid[:8], "-o", str(bundle))[0] == 0
    dst = tmp_path / "b"
    code, out, _ = run(capsys, "--data-dir", str(dst), "import", str(bundle), "--dry-run")
    assert code == 0
    assert "would add 9 entries" in out
    with Store.open(dst) as s:
        assert s.query_one("SELECT count(*) FROM entries")[0] == 0  # type: ignore[index]
    code, out, _ = run(capsys, "--data-dir", str(dst), "import", str(bundle))
    assert code == 0
    assert "new incident" in out
    assert "added 9 entries" in out
    code, out, _ = run(capsys, "--data-dir", str(dst), "import", str(bundle), "--json")
    assert json.loads(out)["entries_added"] == 0
    again = tmp_path / "again.json"
    run(capsys, "--data-dir", str(dst), "export", iid, "--format", "json", "-o", str(again))
    a, b = json.loads(bundle.read_text()), json.loads(again.read_text())
    for k in ("exported_at", "exported_by", "checksum"):
        a.pop(k), b.pop(k)
    assert a == b


def test_tampered_bundle_is_refused_with_one_line(
    ws: tuple[Path, str], tmp_path: Path, capsys
) -> None:  # type: ignore[no-untyped-def]
    src, iid = ws
    bundle = tmp_path / "b.json"
    run(capsys, "--data-dir", str(src), "export", iid, "-o", str(bundle))
    bundle.write_text(bundle.read_text().replace("Fail over", "Fall over"))
    dst = tmp_path / "dst"
    with Store.open(dst) as s:
        before = db_snapshot(s)
    code, out, err = run(capsys, "--data-dir", str(dst), "import", str(bundle))
    assert code == 1
    assert out == ""
    assert err.count("\n") == 1
    assert err.startswith(f"error: {bundle}: checksum mismatch")
    with Store.open(dst) as s:
        assert db_snapshot(s) == before


def test_people_exports_to_stdout_and_files(ws: tuple[Path, str], tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    src, iid = ws
    d = ["--data-dir", str(src)]
    code, md, _ = run(capsys, *d, "export", iid, "--format", "md", "--tz", "Europe/Zurich")
    assert code == 0
    assert md.startswith("# Incident: Hosting network outage")
    assert "secret internal remark" not in md
    _, md_all, _ = run(capsys, *d, "export", iid, "-f", "md", "--include-hidden")
    assert "secret internal remark" in md_all
    for fmt in ("html", "csv"):
        target = tmp_path / f"x.{fmt}"
        assert run(capsys, *d, "export", iid, "--format", fmt, "-o", str(target))[0] == 0
        assert "www answers 502" in target.read_text(encoding="utf-8")
    code, _, err = run(capsys, *d, "export", iid, "-f", "md", "--tz", "Mars/Olympus")
    assert code == 2
    assert err == (
        "error: unknown time zone 'Mars/Olympus'; expected a name such as Europe/Zurich or UTC\n"
    )
    # Issue 9, item 1: a directory of the zone database (and other non-zones) too.
    for cmd in ("export", "handover", "report"):
        for zone in ("Europe", "../../etc/passwd", "/etc/localtime", "Europe/"):
            code, out, err = run(capsys, *d, cmd, iid, "-f", "md", "--tz", zone)
            assert (code, out) == (2, ""), (cmd, zone, err)
            assert err.startswith("error: unknown time zone") and err.count("\n") == 1, err


def test_handover_record_logs_a_handover_entry(
    ws: tuple[Path, str], tmp_path: Path, capsys
) -> None:  # type: ignore[no-untyped-def]
    src, iid = ws
    target = tmp_path / "brief.html"
    code, _, err = run(
        capsys, "--data-dir", str(src), "handover", iid, "--format", "html",
        "-o", str(target), "--to", "Bob", "--record", "--author", "alice",
    )  # fmt: skip
    assert code == 0
    assert "recorded handover entry" in err and "Bob is now the commander" in err
    assert "Handover brief: Hosting network outage" in target.read_text(encoding="utf-8")
    with Store.open(src) as s:
        row = s.query_one("SELECT text, meta, author FROM entries WHERE kind = 'handover'")
        inc = s.query_one("SELECT commander FROM incidents WHERE id = ?", (iid,))
        passed = s.query(
            "SELECT text FROM entries WHERE kind = 'status' AND text LIKE '%commander%'"
        )
    assert row is not None and inc is not None
    meta = json.loads(row["meta"])
    # Command passes: "from" is the commander who hands over, not who typed the command.
    assert (meta["from"], meta["to"], row["author"]) == ("Alice", "Bob", "alice")
    assert "command passed from Alice to Bob" in row["text"]
    assert inc["commander"] == "Bob"
    assert "Commander changed from Alice to Bob" in [r["text"] for r in passed]
    assert meta["acknowledged_at"].endswith("Z")
    assert meta["brief"] == str(target)
    code, _, err = run(capsys, "--data-dir", str(src), "handover", iid, "--record")
    assert code == 2
    assert "--to NAME" in err


def test_report_markdown_and_html(ws: tuple[Path, str], tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    src, iid = ws
    code, md, _ = run(capsys, "--data-dir", str(src), "report", iid)
    assert code == 0
    assert md.startswith("# Post-incident report: Hosting network outage")
    target = tmp_path / "r.html"
    assert (
        run(capsys, "--data-dir", str(src), "report", iid, "-f", "html", "-o", str(target))[0] == 0
    )
    assert "<h2>Lessons and measures</h2>" in target.read_text(encoding="utf-8")


@pytest.mark.parametrize("where", ["write", "replace"])
def test_full_disk_leaves_existing_file_and_workspace_unchanged(
    ws: tuple[Path, str],
    tmp_path: Path,
    capsys,
    monkeypatch: pytest.MonkeyPatch,
    where: str,  # type: ignore[no-untyped-def]
) -> None:
    src, iid = ws
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    target = out_dir / "timeline.md"
    target.write_text("the previous export\n")
    with Store.open(src) as s:
        before = db_snapshot(s)

    def full(*a: object, **k: object) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    import warroom.handover.files as files

    if where == "replace":
        monkeypatch.setattr(files.os, "replace", full)
    else:
        real_open = Path.open

        class Full:
            def __init__(self, fh: object) -> None:
                self.fh = fh

            def write(self, s: str) -> int:
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

            def __enter__(self) -> Full:
                return self

            def __exit__(self, *exc: object) -> None:
                self.fh.close()  # type: ignore[attr-defined]

        def opener(self: Path, *a: object, **k: object) -> object:
            fh = real_open(self, *a, **k)  # type: ignore[arg-type]
            return Full(fh) if self.name.endswith(".part") else fh

        monkeypatch.setattr(Path, "open", opener)
    code, _, err = run(capsys, "--data-dir", str(src), "export", iid, "-f", "md", "-o", str(target))
    assert code == 1
    assert err == f"error: cannot write {target}: No space left on device\n"
    assert target.read_text() == "the previous export\n"
    assert sorted(p.name for p in out_dir.iterdir()) == ["timeline.md"]
    with Store.open(src) as s:
        assert db_snapshot(s) == before


def test_export_commands_stay_qt_free(ws: tuple[Path, str], tmp_path: Path) -> None:
    src, iid = ws
    code = (
        "import sys; from warroom.main import main; "
        f"rc = main(['--data-dir', {str(src)!r}, 'export', {iid!r}, '-f', 'html', "
        f"'-o', {str(tmp_path / 'x.html')!r}]); "
        "assert rc == 0; assert not [m for m in sys.modules if m.startswith('PySide6')], 'Qt'"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)
