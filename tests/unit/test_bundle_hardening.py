"""Bundles nobody here wrote (issue 10, items 8-11): every refusal is one clear line,
ends at once, and leaves the workspace as it was; what the preview shows is stored."""

from __future__ import annotations

import os
import threading
import time
import zipfile
from pathlib import Path

import pytest
from helpers.handover import db_snapshot, export, populate, reseal, write

from warroom.handover import bundle, merge
from warroom.handover.bundle import BundleError
from warroom.main import main
from warroom.store import Store
from warroom.store import timeline as q


def _refused(store: Store, path: Path) -> str:
    before = db_snapshot(store)
    with pytest.raises(BundleError) as err:
        merge.import_file(store, path)
    assert db_snapshot(store) == before
    return str(err.value)


def test_an_integer_of_5000_digits_is_one_error(store: Store, tmp_path: Path) -> None:
    iid = populate(store)
    text = bundle.dumps(export(store, iid))
    # Python's int() refuses literals over 4,300 digits with a ValueError, not a JSON error.
    assert '"data":{' in text
    bad = text.replace('"data":{', '"data":{"huge":' + "9" * 5000 + ", ", 1)
    path = tmp_path / "huge.json"
    path.write_text(bad, encoding="utf-8")
    msg = _refused(store, path)
    assert "more than 4,300 digits" in msg


def test_cli_import_of_a_huge_integer_is_one_error_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store = Store.open(tmp_path / "ws")
    iid = populate(store)
    text = bundle.dumps(export(store, iid))
    text = text.replace('"data":{', '"data":{"n":' + "1" * 4301 + ", ", 1)
    path = tmp_path / "huge.json"
    path.write_text(text, encoding="utf-8")
    store.close()
    code = main(["--data-dir", str(tmp_path / "other"), "import", str(path)])
    err = capsys.readouterr().err
    assert code == 1
    assert err.count("\n") == 1 and err.startswith("error: ") and "Traceback" not in err


def test_dev_zero_is_refused_at_once(store: Store) -> None:
    t0 = time.monotonic()
    msg = _refused(store, Path("/dev/zero"))
    assert time.monotonic() - t0 < 5
    assert "not a regular file (a character device)" in msg


def test_a_fifo_without_writer_is_refused_at_once(store: Store, tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.json"
    os.mkfifo(fifo)
    done = threading.Event()
    out: list[str] = []

    def run() -> None:
        try:
            merge.import_file(store, fifo)
        except BundleError as exc:
            out.append(str(exc))
        done.set()

    threading.Thread(target=run, daemon=True).start()
    if not done.wait(10):
        os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)  # unblock the reader before failing
        pytest.fail("import of a FIFO blocked")
    assert out and "not a regular file (a named pipe)" in out[0]


def test_a_directory_is_refused(store: Store, tmp_path: Path) -> None:
    assert "not a regular file (a directory)" in _refused(store, tmp_path)


def test_a_file_over_the_cap_is_refused_and_the_cap_is_named(store: Store, tmp_path: Path) -> None:
    big = tmp_path / "big.json"
    with big.open("wb") as f:
        f.truncate(bundle.MAX_BUNDLE_BYTES + 1)  # sparse: no disk used
    msg = _refused(store, big)
    assert "over the import limit of 512 MB" in msg
    with pytest.raises(BundleError, match="over the import limit of 100 bytes"):
        bundle.read_bundle_bytes(
            write(tmp_path / "b.json", export(store, populate(store))), limit=100
        )


@pytest.mark.parametrize(
    ("change", "why"),
    [
        (lambda d: d["entries"][0]["revisions"][0].update(kind="banana"), "unknown kind 'banana'"),
        (
            lambda d: d["entries"][0]["revisions"][0].update(text="a\x00b"),
            "NUL character",
        ),
        (lambda d: d["entries"][0]["revisions"][0].update(text="   "), "entry text is empty"),
        (lambda d: d["entries"][0]["revisions"][0].update(tags=["WWW"]), "is written 'www'"),
        (lambda d: d["action_items"][0].update(text="x\x00"), "NUL character"),
        (lambda d: d["incident_changes"][0].update(field="colour"), "not an incident field"),
        (
            lambda d: next(c for c in d["incident_changes"] if c["field"] == "severity").update(
                new_value="SEV9"
            ),
            "unknown severity 'SEV9'",
        ),
    ],
)
def test_bundles_obey_the_command_lines_rules(  # type: ignore[no-untyped-def]
    store: Store, tmp_path: Path, change, why: str
) -> None:
    iid = populate(store)
    other = Store.open(tmp_path / "other")
    doc = reseal(export(store, iid))
    change(doc)
    msg = _refused(other, write(tmp_path / "b.json", bundle.seal(doc)))
    assert why in msg
    assert "$." in msg  # the JSON path says where


def test_the_preview_shows_what_is_stored_not_what_the_incident_object_claims(
    store: Store, tmp_path: Path
) -> None:
    iid = populate(store)
    doc = reseal(export(store, iid))
    doc["incident"].update(title="Claimed title", severity="SEV4", commander="Mallory")
    path = write(tmp_path / "b.json", bundle.seal(doc))
    other = Store.open(tmp_path / "other")
    preview = merge.import_file(other, path, dry_run=True)
    done = merge.import_file(other, path)
    stored = q.get_incident(other, iid)
    assert stored is not None
    assert stored.title == "Hosting network outage" and stored.commander == "Alice"
    for rep in (preview, done):
        assert rep.title == stored.title
        text = "\n".join(rep.lines())
        assert "Claimed title" not in rep.lines()[0]
        assert "says title 'Claimed title', but its recorded changes say" in text
        assert "commander 'Mallory'" in text and "severity 'SEV4'" in text


@pytest.mark.parametrize(
    ("data", "want", "never"),
    [
        (
            b'{"format": "warroom-bundle", "x": "a\x01b"}',
            "Invalid control character at line 1",
            "at at",
        ),
        (None, "$.checksum: expected a string", "missing"),
        ("zip", "a ZIP archive (unpack it first), not a Warroom bundle", "truncated"),
        (
            b'{"format": "warroom-bundle", "schema_version": 1',
            "truncated (the JSON ends early)",
            "ZIP",
        ),
    ],
)
def test_error_wording(  # type: ignore[no-untyped-def]
    store: Store, tmp_path: Path, data, want: str, never: str
) -> None:
    iid = populate(store)
    path = tmp_path / "b.json"
    if data is None:
        text = bundle.dumps(export(store, iid))
        head, _, rest = text.partition('"checksum": "')
        path.write_text(head + '"checksum": 12345' + rest.split('"', 1)[1], encoding="utf-8")
    elif data == "zip":
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
            z.writestr("b.json", bundle.dumps(export(store, iid)))
    else:
        path.write_bytes(data)
    msg = _refused(Store.open(tmp_path / "other"), path)
    assert want in msg and never not in msg, msg
