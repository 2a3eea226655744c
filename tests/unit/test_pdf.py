"""The PDF opens and holds the incident title and a pinned entry."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from helpers.handover import populate

from warroom.handover import service
from warroom.handover.brief import build_brief
from warroom.store import Store


def _text(pdf: Path) -> str:
    exe = shutil.which("pdftotext")
    if exe is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    out = subprocess.run(
        [exe, "-layout", str(pdf), "-"], capture_output=True, check=True, timeout=30
    )
    return out.stdout.decode("utf-8")


def test_pdf_export_opens_and_contains_title_and_pinned_entry(
    qapp: object, store: Store, tmp_path: Path
) -> None:
    iid = populate(store)
    out = tmp_path / "out"
    out.mkdir()
    target = out / "incident.pdf"
    service.export_to_file(store, iid, "pdf", target, tz="Europe/Zurich")
    data = target.read_bytes()
    assert data.startswith(b"%PDF-")
    assert b"%%EOF" in data[-64:]
    text = _text(target)
    assert "Incident: Hosting network outage" in text
    assert "PINNED" in text
    assert "www answers 502 from isp-a and isp-b" in text
    assert "secret internal remark" not in text  # hidden stays out
    assert list(out.iterdir()) == [target]  # no temporary file left behind


def test_brief_pdf(qapp: object, store: Store, tmp_path: Path) -> None:
    iid = populate(store)
    target = tmp_path / "brief.pdf"
    service.write_brief(
        build_brief(store, iid, prepared_by="alice", prepared_for="Bob"), "pdf", target
    )
    text = _text(target)
    assert "Handover brief: Hosting network outage" in " ".join(text.split())
    assert "Prepared for" in text
    assert "Bob" in text
