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


def m0001_timeline(conn: sqlite3.Connection) -> None:
    conn.executescript(
        """
        CREATE TABLE incidents (
            id TEXT PRIMARY KEY,
            created_at TEXT NOT NULL,
            created_by TEXT NOT NULL,
            title TEXT NOT NULL,
            severity TEXT NOT NULL,
            status TEXT NOT NULL,
            commander TEXT NOT NULL DEFAULT '',
            comms_lead TEXT NOT NULL DEFAULT '',
            next_commander TEXT NOT NULL DEFAULT '',
            summary TEXT NOT NULL DEFAULT '',
            impact TEXT NOT NULL DEFAULT '',
            objectives TEXT NOT NULL DEFAULT '',
            affected_services TEXT NOT NULL DEFAULT '[]',
            detected_at TEXT,
            started_at TEXT,
            mitigated_at TEXT,
            resolved_at TEXT,
            next_update_due TEXT,
            root_cause TEXT NOT NULL DEFAULT '',
            updated_at TEXT NOT NULL
        );
        CREATE TABLE incident_changes (
            id TEXT PRIMARY KEY,
            incident TEXT NOT NULL REFERENCES incidents(id),
            field TEXT NOT NULL,
            old_value TEXT,
            new_value TEXT,
            changed_at TEXT NOT NULL,
            changed_by TEXT NOT NULL
        );
        CREATE INDEX incident_changes_by_field
            ON incident_changes(incident, field, changed_at, id);

        CREATE TABLE entries (
            id TEXT PRIMARY KEY,
            incident TEXT NOT NULL REFERENCES incidents(id),
            recorded_at TEXT NOT NULL,
            author TEXT NOT NULL,
            meta TEXT NOT NULL DEFAULT '{}',
            occurred_at TEXT NOT NULL,
            kind TEXT NOT NULL,
            text TEXT NOT NULL,
            tags TEXT NOT NULL DEFAULT '',
            pinned INTEGER NOT NULL DEFAULT 0,
            external INTEGER NOT NULL DEFAULT 0,
            hidden INTEGER NOT NULL DEFAULT 0,
            hidden_reason TEXT NOT NULL DEFAULT '',
            revision INTEGER NOT NULL DEFAULT 1,
            current_rev TEXT NOT NULL,
            edited_at TEXT NOT NULL,
            edited_by TEXT NOT NULL,
            conflict INTEGER NOT NULL DEFAULT 0
        );
        CREATE INDEX entries_by_time ON entries(incident, occurred_at, id);
        CREATE INDEX entries_pinned ON entries(incident, pinned) WHERE pinned = 1;

        CREATE TABLE revisions (
            id TEXT PRIMARY KEY,
            entry TEXT NOT NULL REFERENCES entries(id),
            parent TEXT,
            recorded_at TEXT NOT NULL,
            author TEXT NOT NULL,
            occurred_at TEXT NOT NULL,
            kind TEXT NOT NULL,
            text TEXT NOT NULL,
            tags TEXT NOT NULL DEFAULT '',
            pinned INTEGER NOT NULL DEFAULT 0,
            external INTEGER NOT NULL DEFAULT 0,
            hidden INTEGER NOT NULL DEFAULT 0,
            hidden_reason TEXT NOT NULL DEFAULT '',
            note TEXT NOT NULL DEFAULT ''
        );
        CREATE INDEX revisions_by_entry ON revisions(entry, recorded_at, id);

        CREATE TABLE action_items (
            id TEXT PRIMARY KEY,
            incident TEXT NOT NULL REFERENCES incidents(id),
            entry TEXT REFERENCES entries(id),
            text TEXT NOT NULL,
            owner TEXT NOT NULL DEFAULT '',
            due TEXT,
            done INTEGER NOT NULL DEFAULT 0,
            created_at TEXT NOT NULL,
            created_by TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            updated_by TEXT NOT NULL
        );
        CREATE INDEX action_items_by_incident ON action_items(incident, done);

        CREATE TABLE evidence (
            id TEXT PRIMARY KEY,
            incident TEXT NOT NULL REFERENCES incidents(id),
            entry TEXT REFERENCES entries(id),
            kind TEXT NOT NULL,
            captured_at TEXT NOT NULL,
            source TEXT NOT NULL DEFAULT '',
            data TEXT NOT NULL DEFAULT '{}'
        );
        CREATE INDEX evidence_by_incident ON evidence(incident, captured_at);

        -- Full-text search over the current text, tags and author of each entry.
        CREATE VIRTUAL TABLE entries_fts USING fts5(
            text, tags, author, content='entries', content_rowid='rowid',
            tokenize = 'unicode61 remove_diacritics 2'
        );
        CREATE TRIGGER entries_ai AFTER INSERT ON entries BEGIN
            INSERT INTO entries_fts(rowid, text, tags, author)
            VALUES (new.rowid, new.text, new.tags, new.author);
        END;
        CREATE TRIGGER entries_ad AFTER DELETE ON entries BEGIN
            INSERT INTO entries_fts(entries_fts, rowid, text, tags, author)
            VALUES ('delete', old.rowid, old.text, old.tags, old.author);
        END;
        CREATE TRIGGER entries_au AFTER UPDATE OF text, tags, author ON entries BEGIN
            INSERT INTO entries_fts(entries_fts, rowid, text, tags, author)
            VALUES ('delete', old.rowid, old.text, old.tags, old.author);
            INSERT INTO entries_fts(rowid, text, tags, author)
            VALUES (new.rowid, new.text, new.tags, new.author);
        END;
        """
    )


MIGRATIONS = [("timeline-0001-incidents-entries", m0001_timeline)]
