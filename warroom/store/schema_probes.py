"""Schema: probe samples, their roll-ups and state changes (see warroom/store/probes.py).

Compact on purpose (1,000 targets x 3 vantages every 10 s is 26 million samples a day):
times are integer milliseconds since the epoch (UTC), latencies integer microseconds,
status 0 up / 1 degraded / 2 down, series an integer key; the sample tables are
``WITHOUT ROWID`` keyed by (series, t), so the key is the only index.
"""

from __future__ import annotations

import sqlite3

from warroom.store import schema


def m0001_probes(conn: sqlite3.Connection) -> None:
    schema.script(
        conn,
        """
        CREATE TABLE probe_series (
            id INTEGER PRIMARY KEY,
            target TEXT NOT NULL,
            vantage TEXT NOT NULL,
            check_kind TEXT NOT NULL,
            UNIQUE (target, vantage, check_kind)
        );
        -- Raw samples, kept for the raw window. address only when it changed or the
        -- sample failed; detail and extra (JSON) only for samples that were not up.
        CREATE TABLE probe_samples (
            series INTEGER NOT NULL,
            t INTEGER NOT NULL,
            status INTEGER NOT NULL,
            latency_us INTEGER,
            error TEXT,
            detail TEXT,
            address TEXT,
            extra TEXT,
            PRIMARY KEY (series, t)
        ) WITHOUT ROWID;
        CREATE TABLE probe_minute (
            series INTEGER NOT NULL,
            t INTEGER NOT NULL,
            n INTEGER NOT NULL,
            down INTEGER NOT NULL,
            degraded INTEGER NOT NULL,
            lat_n INTEGER NOT NULL,
            lat_min INTEGER,
            lat_sum INTEGER,
            lat_max INTEGER,
            PRIMARY KEY (series, t)
        ) WITHOUT ROWID;
        CREATE TABLE probe_hour (
            series INTEGER NOT NULL,
            t INTEGER NOT NULL,
            n INTEGER NOT NULL,
            down INTEGER NOT NULL,
            degraded INTEGER NOT NULL,
            lat_n INTEGER NOT NULL,
            lat_min INTEGER,
            lat_sum INTEGER,
            lat_max INTEGER,
            PRIMARY KEY (series, t)
        ) WITHOUT ROWID;
        -- State changes are few and are evidence: kept without limit.
        CREATE TABLE probe_changes (
            id INTEGER PRIMARY KEY,
            t INTEGER NOT NULL,
            target TEXT NOT NULL,
            vantage TEXT NOT NULL,
            old TEXT NOT NULL,
            new TEXT NOT NULL,
            flapping INTEGER NOT NULL DEFAULT 0,
            error TEXT,
            detail TEXT NOT NULL DEFAULT '',
            address TEXT,
            latency_ms REAL
        );
        CREATE INDEX probe_changes_by_time ON probe_changes(t);
        CREATE INDEX probe_changes_by_series ON probe_changes(target, vantage, t);
        """,
    )


def m0002_remote(conn: sqlite3.Connection) -> None:
    """Remote vantages (Globalping, RIPE Atlas): a state change of a group series
    (``ch-isps AS3303``) keeps its evidence, how many of the group's probes agreed and
    in which network, so a report can say "down from 2 of 2 probes in AS3303
    (Swisscom)" long after the raw samples are gone. NULL for local vantages."""
    schema.script(
        conn,
        """
        ALTER TABLE probe_changes ADD COLUMN remote_group TEXT;
        ALTER TABLE probe_changes ADD COLUMN remote_asn INTEGER;
        ALTER TABLE probe_changes ADD COLUMN remote_network TEXT;
        ALTER TABLE probe_changes ADD COLUMN probes_agree INTEGER;
        ALTER TABLE probe_changes ADD COLUMN probes_total INTEGER;
        -- Remote tests spent (one per probe asked), so [probe] remote_budget_per_hour
        -- holds across processes: the GUI and every `warroom probe` run share it.
        CREATE TABLE remote_spend (
            t INTEGER NOT NULL,
            tests INTEGER NOT NULL
        );
        CREATE INDEX remote_spend_by_time ON remote_spend(t);
        """,
    )


MIGRATIONS = [("probes-0001-samples", m0001_probes), ("probes-0002-remote", m0002_remote)]
