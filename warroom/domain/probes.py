"""Probe results and states: the plain objects that cross from the engine to everyone.

The engine (``warroom.probes``) produces them, the store keeps them, the CLI prints them
as CONTRACT.md records, and the dashboard adapts them to Qt in one bridge.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from enum import StrEnum

from warroom.base import timeutil

# CONTRACT.md: the error vocabulary of a probe record.
ERRORS = frozenset(
    {
        "timeout",
        "dns_nxdomain",
        "dns_servfail",
        "dns_timeout",
        "dns_mismatch",
        "refused",
        "reset",
        "unreachable",
        "tls_expired",
        "tls_untrusted",
        "tls_hostname",
        "tls_error",
        "cert_expiring",
        "http_status",
        "body_mismatch",
        "banner_mismatch",
        "too_slow",
        "redirect_loop",
        "protocol_error",
        # Extensions (CONTRACT.md allows more): the check cannot run on this machine.
        "not_supported",
    }
)

CHECKS = ("http", "tcp", "tls", "dns", "icmp", "remote")


class Status(StrEnum):
    """What one sample says."""

    UP = "up"
    DEGRADED = "degraded"
    DOWN = "down"


class State(StrEnum):
    """What a (target, vantage) series is, after fail_after / recover_after."""

    PENDING = "pending"
    UP = "up"
    DEGRADED = "degraded"
    DOWN = "down"


@dataclass(frozen=True, slots=True)
class ProbeResult:
    """One check of one target from one vantage: a CONTRACT.md probe record."""

    time: datetime
    target: str
    vantage: str
    check: str
    status: Status
    latency_ms: float | None = None
    error: str | None = None
    detail: str = ""
    address: str | None = None
    # Extra measurements (phase timings, cert days left, rcode...); not in the contract.
    # dynamic: a free-form bag of nested measurements, narrowed by each reader (probes/gate,
    # probes/remote/groups, store/probes); typed as object once those readers narrow.
    extra: dict[str, object] = field(default_factory=dict)

    def record(self) -> dict[str, object]:
        """The CONTRACT.md record (JSON-ready), extras under their own keys."""
        d = asdict(self)
        d["time"] = timeutil.fmt(self.time)
        d["status"] = str(self.status)
        extra = d.pop("extra")
        if self.latency_ms is not None:
            d["latency_ms"] = round(self.latency_ms, 3)
        for k, v in extra.items():
            d.setdefault(k, v)
        return d


@dataclass(frozen=True, slots=True)
class StateChange:
    """A (target, vantage) series moved from one state to another."""

    time: datetime
    target: str
    vantage: str
    old: State
    new: State
    result: ProbeResult
    flapping: bool = False
