"""The composer's state in the workspace: publications, Statuspage links, probe states.

A publication is one text on one channel. Its ``id`` doubles as the idempotency key:
``reusable`` finds an earlier, unfinished (or finished) publication of the same text to
the same channel for the same incident, so a retry sends the same key and the network
does not post twice. ``latest_probe_states`` gives the honesty check of the command line
the same view of the measurements that the window has (what ``warroom probe`` or the
window stored).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, TypedDict

from warroom.base import ids, timeutil

if TYPE_CHECKING:
    import sqlite3

    from warroom.store.db import Store

PENDING, SENDING, PUBLISHED, FAILED = "pending", "sending", "published", "failed"


@dataclass(frozen=True, slots=True)
class Publication:
    id: str
    incident: str | None
    channel: str
    kind: str
    stage: str
    text: str
    author: str
    approver: str
    created_at: str
    updated_at: str
    state: str
    attempts: int
    url: str | None
    remote_id: str | None
    error: str | None

    @property
    def maybe_sent(self) -> bool:
        """A try may have reached the network (a failed one, or one a crash cut short):
        look before writing again."""
        return self.attempts > 0 or self.state == SENDING

    @property
    def key(self) -> str:
        """The idempotency key sent with every try of this publication."""
        return f"warroom-{self.id}"

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> Publication:
        d = dict(row)
        d.pop("text_sha", None)
        return cls(**d)


def text_sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def reusable(store: Store, channel: str, incident: str | None, text: str) -> Publication | None:
    """The newest publication of this exact text to this channel for this incident."""
    row = store.query_one(
        "SELECT * FROM comms_publications WHERE channel = ? AND incident IS ? AND text_sha = ? "
        "ORDER BY created_at DESC, id DESC LIMIT 1",
        (channel, incident, text_sha(text)),
    )
    return Publication.from_row(row) if row else None


def create(
    store: Store,
    *,
    channel: str,
    kind: str,
    incident: str | None,
    text: str,
    author: str,
    approver: str = "",
    stage: str = "",
    at: datetime | None = None,
) -> Publication:
    now = timeutil.fmt(at or timeutil.now())
    pid = ids.new_id()
    with store.write() as conn:
        conn.execute(
            "INSERT INTO comms_publications(id, incident, channel, kind, stage, text, text_sha, "
            "author, approver, created_at, updated_at, state) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                pid,
                incident,
                channel,
                kind,
                stage,
                text,
                text_sha(text),
                author,
                approver,
                now,
                now,
                PENDING,
            ),
        )
    return get(store, pid)


def get(store: Store, pid: str) -> Publication:
    row = store.query_one("SELECT * FROM comms_publications WHERE id = ?", (pid,))
    if row is None:
        raise KeyError(pid)
    return Publication.from_row(row)


def record_attempt(
    store: Store,
    pid: str,
    *,
    state: str,
    url: str | None = None,
    remote_id: str | None = None,
    error: str | None = None,
    author: str | None = None,
    approver: str | None = None,
) -> Publication:
    """One more try of ``pid`` ended in ``state`` (published or failed)."""
    with store.write() as conn:
        conn.execute(
            "UPDATE comms_publications SET state = ?, url = coalesce(?, url), "
            "remote_id = coalesce(?, remote_id), error = ?, attempts = attempts + 1, "
            "author = coalesce(?, author), approver = coalesce(?, approver), updated_at = ? "
            "WHERE id = ?",
            (state, url, remote_id, error, author, approver, timeutil.now_str(), pid),
        )
    return get(store, pid)


def mark_sending(store: Store, pid: str) -> None:
    """A try is about to go out; if the process dies now, the next run knows it may have."""
    with store.write() as conn:
        conn.execute(
            "UPDATE comms_publications SET state = ?, updated_at = ? WHERE id = ?",
            (SENDING, timeutil.now_str(), pid),
        )


def published(store: Store, incident: str) -> list[Publication]:
    """What went out for an incident, oldest first."""
    rows = store.query(
        "SELECT * FROM comms_publications WHERE incident = ? AND state = ? ORDER BY updated_at, id",
        (incident, PUBLISHED),
    )
    return [Publication.from_row(r) for r in rows]


def last_published_at(store: Store, incident: str) -> datetime | None:
    row = store.query_one(
        "SELECT max(updated_at) FROM comms_publications WHERE incident = ? AND state = ?",
        (incident, PUBLISHED),
    )
    return timeutil.parse_utc(row[0]) if row and row[0] else None


def statuspage_incident(store: Store, channel: str, incident: str) -> tuple[str, str | None] | None:
    row = store.query_one(
        "SELECT remote_id, url FROM comms_statuspage WHERE channel = ? AND incident = ?",
        (channel, incident),
    )
    return (str(row[0]), row[1]) if row else None


def set_statuspage_incident(
    store: Store, channel: str, incident: str, remote_id: str, url: str | None
) -> None:
    with store.write() as conn:
        conn.execute(
            "INSERT OR REPLACE INTO comms_statuspage"
            "(channel, incident, remote_id, url, created_at) VALUES (?, ?, ?, ?, ?)",
            (channel, incident, remote_id, url, timeutil.now_str()),
        )


# -- the measurements, for the honesty check -------------------------------------------


class ProbeState(TypedDict):
    """One series' current state as the honesty check reads it (``since``: None when
    the series has no state change yet)."""

    target: str
    vantage: str
    status: str
    since: datetime | None


def latest_probe_states(
    store: Store, *, max_age_s: float = 900.0, now: datetime | None = None
) -> list[ProbeState]:
    """The current state of each (target, vantage) series stored in the workspace.

    ``status`` is the state machine's latest state from ``probe_changes`` (with hysteresis,
    as the window shows it) and ``since`` when it began; a series without a change yet
    says what its last sample said. A series whose last sample is older than
    ``max_age_s`` is left out: an old measurement does not contradict a new claim.
    A sample set aside by the offline gate reads ``offline``.
    """
    from warroom.store.probes import CODE_STATUS, from_ms, to_ms

    cutoff = to_ms(now or timeutil.now()) - int(max_age_s * 1000)
    out: list[ProbeState] = []
    # One index seek per series (the samples are keyed by (series, t)): a GROUP BY over
    # 12 hours of raw samples would read millions of rows.
    for sr in store.query("SELECT id, target, vantage FROM probe_series ORDER BY id"):
        r = store.query_one(
            "SELECT t, status, extra FROM probe_samples WHERE series = ? AND t >= ? "
            "ORDER BY t DESC LIMIT 1",
            (sr["id"], cutoff),
        )
        if r is None:
            continue
        change = store.query_one(
            "SELECT new, t FROM probe_changes WHERE target = ? AND vantage = ? "
            "ORDER BY t DESC, id DESC LIMIT 1",
            (sr["target"], sr["vantage"]),
        )
        status = str(CODE_STATUS[r["status"]])
        since = None
        if change is not None and change["new"] in ("up", "degraded", "down"):
            status, since = str(change["new"]), from_ms(int(change["t"]))
        if r["extra"] and '"offline": true' in r["extra"]:
            status = "offline"
        out.append(
            ProbeState(target=sr["target"], vantage=sr["vantage"], status=status, since=since)
        )
    return out
