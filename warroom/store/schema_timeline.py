"""Schema: incidents, their field history, entries, revisions, action items, evidence.

Merging two workstations' records must be a plain union, so every fact is an
immutable row with a ULID:

- ``incident_changes``: one row per change of one incident field; the ``incidents``
  row caches the latest change per field (last writer wins, older values stay).
- ``revisions``: each is a full snapshot of an entry; the ``entries`` row caches the
  newest revision (``recorded_at``, then id). Two revisions with the same parent are a
  conflict: both kept, the newer current, ``entries.conflict`` set.
"""

from __future__ import annotations

import sqlite3

from warroom.store import schema


def m0001_timeline(conn: sqlite3.Connection) -> None:
    T = str
    inc = {"incident": "incidents"}
    schema.table(
        conn,
        "incidents",
        {
            "id": T,
            "created_at": T,
            "created_by": T,
            "title": T,
            "severity": T,
            "status": T,
            "commander": T,
            "comms_lead": T,
            "next_commander": T,
            "summary": T,
            "impact": T,
            "objectives": T,
            "affected_services": T,
            "detected_at": T,
            "started_at": T,
            "mitigated_at": T,
            "resolved_at": T,
            "next_update_due": T,
            "root_cause": T,
            "updated_at": T,
        },
        not_null=("created_at", "created_by", "title", "severity", "status", "updated_at"),
        defaults={
            "commander": "",
            "comms_lead": "",
            "next_commander": "",
            "summary": "",
            "impact": "",
            "objectives": "",
            "affected_services": "[]",
            "root_cause": "",
        },
    )
    schema.table(
        conn,
        "incident_changes",
        {
            "id": T,
            "incident": T,
            "field": T,
            "old_value": T,
            "new_value": T,
            "changed_at": T,
            "changed_by": T,
        },
        not_null=("incident", "field", "changed_at", "changed_by"),
        references=inc,
    )
    schema.index(
        conn,
        "incident_changes_by_field",
        "incident_changes",
        ("incident", "field", "changed_at", "id"),
    )
    flags: dict[str, str | int] = {"pinned": 0, "external": 0, "hidden": 0, "hidden_reason": ""}
    schema.table(
        conn,
        "entries",
        {
            "id": T,
            "incident": T,
            "recorded_at": T,
            "author": T,
            "meta": T,
            "occurred_at": T,
            "kind": T,
            "text": T,
            "tags": T,
            "pinned": int,
            "external": int,
            "hidden": int,
            "hidden_reason": T,
            "revision": int,
            "current_rev": T,
            "edited_at": T,
            "edited_by": T,
            "conflict": int,
        },
        not_null=(
            "incident",
            "recorded_at",
            "author",
            "occurred_at",
            "kind",
            "text",
            "current_rev",
            "edited_at",
            "edited_by",
        ),
        defaults={"meta": "{}", "tags": "", **flags, "revision": 1, "conflict": 0},
        references=inc,
    )
    schema.index(conn, "entries_by_time", "entries", ("incident", "occurred_at", "id"))
    # A partial index: sqlite-utils has no WHERE for indexes.
    schema.script(conn, "CREATE INDEX entries_pinned ON entries(incident, pinned) WHERE pinned = 1")
    schema.table(
        conn,
        "revisions",
        {
            "id": T,
            "entry": T,
            "parent": T,
            "recorded_at": T,
            "author": T,
            "occurred_at": T,
            "kind": T,
            "text": T,
            "tags": T,
            "pinned": int,
            "external": int,
            "hidden": int,
            "hidden_reason": T,
            "note": T,
        },
        not_null=("entry", "recorded_at", "author", "occurred_at", "kind", "text"),
        defaults={"tags": "", **flags, "note": ""},
        references={"entry": "entries"},
    )
    schema.index(conn, "revisions_by_entry", "revisions", ("entry", "recorded_at", "id"))
    schema.table(
        conn,
        "action_items",
        {
            "id": T,
            "incident": T,
            "entry": T,
            "text": T,
            "owner": T,
            "due": T,
            "done": int,
            "created_at": T,
            "created_by": T,
            "updated_at": T,
            "updated_by": T,
        },
        not_null=("incident", "text", "created_at", "created_by", "updated_at", "updated_by"),
        defaults={"owner": "", "done": 0},
        references={**inc, "entry": "entries"},
    )
    schema.index(conn, "action_items_by_incident", "action_items", ("incident", "done"))
    schema.table(
        conn,
        "evidence",
        {
            "id": T,
            "incident": T,
            "entry": T,
            "kind": T,
            "captured_at": T,
            "source": T,
            "data": T,
        },
        not_null=("incident", "kind", "captured_at"),
        defaults={"source": "", "data": "{}"},
        references={**inc, "entry": "entries"},
    )
    schema.index(conn, "evidence_by_incident", "evidence", ("incident", "captured_at"))
    # Full-text search over the current text, tags and author of each entry.
    schema.full_text(
        conn, "entries", ("text", "tags", "author"), tokenize="unicode61 remove_diacritics 2"
    )


MIGRATIONS = [("timeline-0001-incidents-entries", m0001_timeline)]
