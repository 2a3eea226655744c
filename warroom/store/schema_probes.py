"""Schema: probe samples and their roll-ups (owned by the probe engine's store code)."""

from __future__ import annotations

import sqlite3


def m0001_probes(conn: sqlite3.Connection) -> None:
    conn.executescript(
        """
        CREATE TABLE probe_samples (
            time TEXT NOT NULL,
            target TEXT NOT NULL,
            vantage TEXT NOT NULL,
            check_kind TEXT NOT NULL,
            status TEXT NOT NULL,
            latency_ms REAL,
            error TEXT,
            detail TEXT NOT NULL DEFAULT '',
            address TEXT
        );
        CREATE INDEX probe_samples_by_series ON probe_samples(target, vantage, time);
        CREATE INDEX probe_samples_by_time ON probe_samples(time);
        """
    )


MIGRATIONS = [("probes-0001-samples", m0001_probes)]
