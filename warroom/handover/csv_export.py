"""CSV of the entries, for spreadsheets.

Spreadsheet programs run cells that start with ``=``, ``+``, ``-``, ``@``, tab or CR
as formulas (CSV injection). Such cells get a leading apostrophe, the usual
neutraliser (OWASP); every other value is exactly what was recorded.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from warroom.handover.view import ExportView

COLUMNS = (
    "id",
    "occurred_at_utc",
    "occurred_at_local",
    "kind",
    "author",
    "text",
    "tags",
    "pinned",
    "external",
    "hidden",
    "hidden_reason",
    "revision",
    "conflict",
    "recorded_at_utc",
)
_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def cell(value: str) -> str:
    return "'" + value if value.startswith(_FORMULA) else value


def iter_csv(v: ExportView) -> Iterator[str]:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(COLUMNS)
    c = v.clock
    for n, e in enumerate(v.entries, 1):
        w.writerow(
            (
                e.id,
                e.occurred_at,
                f"{c.day(e.occurred_at)} {c.time(e.occurred_at)}",
                e.kind,
                cell(e.author),
                cell(e.text),
                " ".join(e.tags),
                "yes" if e.pinned else "",
                "yes" if e.external else "",
                "yes" if e.hidden else "",
                cell(e.hidden_reason),
                e.revision,
                "yes" if e.conflict else "",
                e.recorded_at,
            )
        )
        if n % 2000 == 0:
            yield buf.getvalue()
            buf.seek(0)
            buf.truncate()
    yield buf.getvalue()


def render_csv(v: ExportView) -> str:
    return "".join(iter_csv(v))
