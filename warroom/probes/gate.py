"""The self-connectivity gate: is the workstation itself offline?

When the commander's own network is gone, every target looks down from every vantage;
painting the board red would send them after the wrong outage. The gate decides
"offline" from evidence that does not depend on the watched services:

1. **Route**: can the kernel route to a public address at all? A UDP ``connect()`` to
   9.9.9.9 and 2620:fe::fe sends no packet; it fails with "network unreachable" when
   there is no default route on either family (cable out, Wi-Fi off, VPN dropped).
2. **References** (optional): ``[probe] reference = ["tcp://192.0.2.1:53", ...]``,
   checks of things outside the company's infrastructure (a public resolver, a big
   site). When every one of them fails, the workstation is offline.

Never "all targets are down": in the seed outage that was precisely the truth, and a
gate deciding on it would have hidden it.

While offline, a failed sample with a network-level error (timeout, dns_timeout,
unreachable, refused, reset) to a non-loopback address is still shown and stored (with
``offline: true``), but does not move the series' state. Answers that prove the network
works (an HTTP 500, a bad certificate) always count.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from warroom.base import timeutil
from warroom.domain.probes import ProbeResult, Status
from warroom.domain.workspace import (
    SYSTEM_VANTAGE,
    ProbeSettings,
    Vantage,
    split_host_port,
    target_from_url,
)
from warroom.probes.errors import NETWORK_ERRORS

ROUTE_PROBES = (("9.9.9.9", socket.AF_INET), ("2620:fe::fe", socket.AF_INET6))


@dataclass(frozen=True, slots=True)
class GateStatus:
    """``online`` is None until first decided; ``reason`` says why in one line."""

    online: bool | None
    since: datetime | None
    reason: str


def has_route() -> tuple[bool, str]:
    """True when the kernel can route to a public address on any family."""
    why = []
    for addr, family in ROUTE_PROBES:
        try:
            with socket.socket(family, socket.SOCK_DGRAM) as s:
                s.connect((addr, 53))
            return True, ""
        except OSError as exc:
            why.append(f"IPv{4 if family == socket.AF_INET else 6}: {exc.strerror or exc}")
    return False, "no network route (" + "; ".join(why) + ")"


async def evaluate(
    settings: ProbeSettings,
    env: object,
    route_check: Callable[[], tuple[bool, str]] | None = None,
) -> tuple[bool, str]:
    """(online, reason). ``env`` is the engine's ``CheckEnv``; ``route_check`` defaults
    to ``has_route``, looked up at call time so a test can replace it in one place."""
    from warroom.probes.checks import CheckEnv, run_check

    ok, why = (route_check or has_route)()
    if not ok:
        return False, why
    if not settings.reference:
        return True, "network route present"
    assert isinstance(env, CheckEnv)
    targets = [
        target_from_url(f"reference-{i}", u, settings) for i, u in enumerate(settings.reference)
    ]
    system = Vantage(SYSTEM_VANTAGE)
    results = await asyncio.gather(*(run_check(t, system, env) for t in targets))
    good = [t.url for t, r in zip(targets, results, strict=True) if r.status is not Status.DOWN]
    if good:
        return True, f"reference {good[0]} reachable"
    detail = "; ".join(f"{t.url}: {r.error}" for t, r in zip(targets, results, strict=True))
    return False, f"every reference check failed ({detail})"


LocalCheck = Callable[[str], bool]


def is_local_address(where: str) -> bool:
    """Is this address (or the name ``localhost``) this machine's own loopback?"""
    if where.lower().rstrip(".") == "localhost":
        return True
    try:
        return ipaddress.ip_address(where.split("%")[0]).is_loopback
    except ValueError:
        return False


def gateable(result: ProbeResult, is_local: LocalCheck | None = None) -> bool:
    """May the gate set this sample aside when offline?

    ``is_local`` (default ``is_local_address``) tells this machine's addresses; tests
    replace it so that loopback servers can stand in for the outside world.
    """
    if result.status is not Status.DOWN or result.error not in NETWORK_ERRORS:
        return False
    # A failure on this machine's loopback (the target, or the resolver when the name
    # never resolved) says nothing about the workstation's network.
    where = result.address
    resolver = result.extra.get("resolver")
    if where is None and isinstance(resolver, str):
        try:
            where = split_host_port(resolver, 53)[0]
        except ValueError:
            where = None
    return not (where and (is_local or is_local_address)(where))


def status(online: bool, reason: str, previous: GateStatus) -> GateStatus:
    if previous.online is online:
        return GateStatus(online, previous.since, reason)
    return GateStatus(online, timeutil.now(), reason)
