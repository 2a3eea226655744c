"""The probe engine: is a public service down for everyone, or only via some vantages?

Qt-free. See ``docs/probes.md`` and ``warroom.probes.engine`` for the API; the names
below are the ones other packages should import.
"""

from __future__ import annotations

from warroom.probes.engine import Board, ProbeEngine, RoundRunner, Update
from warroom.probes.gate import GateStatus
from warroom.probes.state import SeriesState, SeriesTracker
from warroom.probes.summary import (
    SEVERITY,
    KnownNow,
    effective,
    known_now,
    target_summary,
    worst,
)

__all__ = [
    "SEVERITY",
    "Board",
    "GateStatus",
    "KnownNow",
    "ProbeEngine",
    "RoundRunner",
    "SeriesState",
    "SeriesTracker",
    "Update",
    "effective",
    "known_now",
    "target_summary",
    "worst",
]
