"""Schema: publishing state of the composer (see warroom/store/comms.py).

``comms_publications``: one row per (channel, text) publication attempt series. Its
``id`` is the idempotency key sent with every try, so a retry (in this process or a
later ``warroom publish``) reuses it and the network does not post twice. The text is
public anyway; no secret is stored here. ``comms_statuspage`` remembers which hosted
Statuspage incident carries a Warroom incident, so later updates go to the same one.
"""

from __future__ import annotations

import sqlite3

from warroom.store import schema


def m0001_comms(conn: sqlite3.Connection) -> None:
    schema.script(
        conn,
        """
        CREATE TABLE comms_publications (
            id TEXT PRIMARY KEY,
            incident TEXT,
            channel TEXT NOT NULL,
            kind TEXT NOT NULL,
            stage TEXT NOT NULL DEFAULT '',
            text TEXT NOT NULL,
            text_sha TEXT NOT NULL,
            author TEXT NOT NULL,
            approver TEXT NOT NULL DEFAULT '',
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            state TEXT NOT NULL,
            attempts INTEGER NOT NULL DEFAULT 0,
            url TEXT,
            remote_id TEXT,
            error TEXT
        );
        CREATE INDEX comms_publications_lookup
            ON comms_publications(channel, incident, text_sha);
        CREATE INDEX comms_publications_by_incident
            ON comms_publications(incident, updated_at);
        CREATE TABLE comms_statuspage (
            channel TEXT NOT NULL,
            incident TEXT NOT NULL,
            remote_id TEXT NOT NULL,
            url TEXT,
            created_at TEXT NOT NULL,
            PRIMARY KEY (channel, incident)
        );
        """,
    )


MIGRATIONS = [("comms-0001-publications", m0001_comms)]
