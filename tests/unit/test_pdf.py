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


def test_pdf_never_splits_a_row_or_an_entry_across_pages(
    qapp: object, store: Store, tmp_path: Path
) -> None:
    """Issue 9, item 12: table rows stay whole; an entry's meta line stays with its text."""
    import random

    from PySide6.QtGui import QPdfWriter

    from warroom.handover import pdf
    from warroom.handover.html import render_html
    from warroom.handover.view import load_view
    from warroom.services.timeline import Timeline

    tl = Timeline(store, author="alice")
    iid = tl.new_incident("Long night", severity="SEV1").id
    rnd = random.Random(9)
    for i in range(120):
        tl.log(iid, "word " * rnd.randint(5, 150) + ("\n\n- a\n- b" if i % 7 == 0 else ""))
    for _ in range(40):
        tl.add_action(iid, "check the line card " * rnd.randint(1, 25), owner="bob")
    html = render_html(load_view(store, iid, tz="UTC"), qt=True)
    writer = QPdfWriter(str(tmp_path / "probe.pdf"))
    writer.setResolution(300)
    writer.setPageLayout(pdf._a4())
    page = pdf._page_size(writer)
    plain = pdf.layout_document(html, page, keep_whole=False)
    assert pdf.straddling(plain), "the workload must cross page breaks to prove anything"
    kept = pdf.layout_document(html, page)
    assert pdf.straddling(kept) == []
    assert kept.pageCount() <= plain.pageCount() * 1.3  # room used, not a page per entry
    target = tmp_path / "x.pdf"
    pdf.write_pdf(html, target)
    assert target.read_bytes().startswith(b"%PDF-")


def test_pdf_list_header_row_stays_with_its_first_row(
    qapp: object, store: Store, tmp_path: Path
) -> None:
    """A list's header row never ends a page with its first data row on the next one."""
    from PySide6.QtGui import QPdfWriter, QTextTable

    from warroom.handover import pdf
    from warroom.handover.html import list_table

    writer = QPdfWriter(str(tmp_path / "probe.pdf"))
    writer.setResolution(300)
    writer.setPageLayout(pdf._a4())
    page = pdf._page_size(writer)
    rows = [["", f"check line card {i}", "bob", ""] for i in range(30)]
    for filler in range(20, 56):  # move the list down line by line over a page end
        html = "<p>x</p>" * filler + list_table(["Done", "Action", "Owner", "Due"], rows, qt=True)
        doc = pdf.layout_document(html, page)
        layout, height = doc.documentLayout(), doc.pageSize().height()
        tables = [f for f in doc.rootFrame().childFrames() if isinstance(f, QTextTable)]
        head = tables[0]
        assert head.cellAt(0, 0).firstCursorPosition().block().text() == "Done"
        top = layout.frameBoundingRect(head).top()
        # The first data row: the header table's second row, or the next table.
        nxt = head if head.rows() > 1 else tables[1]
        first = layout.frameBoundingRect(nxt).bottom() - 0.5 if nxt is head else None
        if first is None:
            first = layout.frameBoundingRect(nxt).top()
        assert int(top // height) == int(first // height), f"header orphaned at {filler=}"
