"""A scriptable Globalping API (v1) on loopback: measurements, polling, limits, tokens.

Shapes follow the published OpenAPI spec (jsdelivr/globalping ``public/v1``):
``POST /v1/measurements`` -> 202 ``{"id", "probesCount"}`` with ``Location`` and
``X-RateLimit-*`` headers; ``GET /v1/measurements/{id}`` -> ``{"id", "type", "status",
"results": [{"probe": {...}, "result": {"status": ...}}]}``; errors as
``{"error": {"type", "message"}}`` (400 validation_error, 401, 404 not_found, 422
no_probes_found, 429 rate_limit_exceeded / insufficient_credits).

Script it::

    gp = FakeGlobalping(token="s3cret").start()
    gp.add("AS3303", SimProbe(3303, "Swisscom (Schweiz) AG", "CH", "Zurich", outcome="down"))
    gp.set_outcome("AS3303", "up")       # between rounds

A probe's ``outcome``: ``up``, ``down`` (the service fails from there: ``error`` says
how, e.g. ``ECONNREFUSED`` or ``NXDOMAIN``), ``offline`` (the probe drops out) or
``stuck`` (it never finishes). Results stay ``in-progress`` for ``finish_after``
seconds after the measurement was created.
"""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from warroom.sim._server import JsonServer, Reply

TYPES = ("ping", "traceroute", "dns", "mtr", "http")


@dataclass
class SimProbe:
    asn: int
    network: str
    country: str
    city: str
    outcome: str = "up"  # up, down, offline, stuck
    latency_ms: float = 20.0
    error: str = "connect ETIMEDOUT"
    status_code: int = 200
    continent: str = "EU"
    latitude: float = 47.37
    longitude: float = 8.54
    tags: tuple[str, ...] = ()

    def json(self) -> dict[str, Any]:
        return {
            "continent": self.continent,
            "region": "Western Europe",
            "country": self.country,
            "state": None,
            "city": self.city,
            "asn": self.asn,
            "longitude": self.longitude,
            "latitude": self.latitude,
            "network": self.network,
            "tags": list(self.tags),
            "resolvers": ["private"],
        }


def _iso(t: float) -> str:
    return datetime.fromtimestamp(t, UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def _error(status: int, kind: str, message: str, headers: dict[str, str] | None = None) -> Reply:
    return Reply(status, {"error": {"type": kind, "message": message}}, headers or {})


class FakeGlobalping(JsonServer):
    def __init__(
        self,
        *,
        token: str | None = None,
        limit_per_hour: int = 250,
        credits: int = 0,
        finish_after: float = 0.0,
        answer: str = "192.0.2.10",
    ) -> None:
        super().__init__()
        self.token = token
        self.limit_per_hour = limit_per_hour
        self.credits = credits
        self.finish_after = finish_after
        self.answer = answer
        self.consumed = 0
        self.locations: dict[str, list[SimProbe]] = {}
        self.measurements: dict[str, dict[str, Any]] = {}
        self._ids = itertools.count(1)

    # -- scripting ---------------------------------------------------------------

    def add(self, magic: str, *probes: SimProbe) -> FakeGlobalping:
        with self.lock:
            self.locations.setdefault(magic.lower(), []).extend(probes)
        return self

    def set_outcome(self, magic: str, outcome: str, **fields: Any) -> None:
        with self.lock:
            for p in self.locations[magic.lower()]:
                p.outcome = outcome
                for k, v in fields.items():
                    setattr(p, k, v)

    # -- the API -----------------------------------------------------------------

    def _limits(self, authed: bool) -> dict[str, str]:
        h = {
            "X-RateLimit-Limit": str(self.limit_per_hour),
            "X-RateLimit-Consumed": str(self.consumed),
            "X-RateLimit-Remaining": str(max(0, self.limit_per_hour - self.consumed)),
            "X-RateLimit-Reset": "1800",
        }
        if authed:
            h["X-Credits-Remaining"] = str(self.credits)
        return h

    def handle(
        self, method: str, path: str, query: str, headers: dict[str, str], body: Any
    ) -> Reply:
        auth = headers.get("Authorization")
        authed = False
        if auth is not None:
            if self.token is None or auth != f"Bearer {self.token}":
                return _error(401, "unauthorized", "Unauthorized.")
            authed = True
        if method == "POST" and path.rstrip("/") == "/v1/measurements":
            return self._create(body, authed)
        if method == "GET" and path.startswith("/v1/measurements/"):
            m = self.measurements.get(path.rsplit("/", 1)[1])
            if m is None:
                return _error(404, "not_found", "Couldn't find the requested item.")
            return Reply(200, self._view(m))
        return _error(404, "not_found", "Couldn't find the requested item.")

    def _create(self, body: Any, authed: bool) -> Reply:
        if not isinstance(body, dict) or body.get("type") not in TYPES:
            return _error(
                400,
                "validation_error",
                "Parameter validation failed.",
            )
        if not isinstance(body.get("target"), str) or not body["target"]:
            return _error(400, "validation_error", "Parameter validation failed.")
        locs = body.get("locations") or []
        probes: list[SimProbe] = []
        if isinstance(locs, str):
            prev = self.measurements.get(locs)
            if prev is None:
                return _error(422, "no_probes_found", "No suitable probes found.")
            probes = list(prev["probes"])
        else:
            for loc in locs:
                found = self.locations.get(str(loc.get("magic", "")).lower())
                if not found:
                    return _error(422, "no_probes_found", "No suitable probes found.")
                probes += found[: int(loc.get("limit") or body.get("limit") or 1)]
        cost = len(probes)
        left = self.limit_per_hour - self.consumed
        if cost > left:
            if not authed:
                return _error(
                    429, "rate_limit_exceeded", "API rate limit exceeded.", self._limits(False)
                )
            if self.credits < cost - max(left, 0):
                return _error(
                    429,
                    "insufficient_credits",
                    f"You only have {self.credits} credits remaining, and {cost} were required.",
                    self._limits(True),
                )
            self.credits -= cost - max(left, 0)
        self.consumed += min(cost, max(left, 0))
        mid = f"sim{next(self._ids):06d}"
        now = time.time()
        self.measurements[mid] = {
            "id": mid,
            "type": body["type"],
            "target": body["target"],
            "options": body.get("measurementOptions") or {},
            "locations": locs,
            "probes": probes,
            "created": now,
        }
        h = self._limits(authed)
        h["Location"] = f"{self.url}/v1/measurements/{mid}"
        return Reply(202, {"id": mid, "probesCount": cost}, h)

    def _view(self, m: dict[str, Any]) -> dict[str, Any]:
        done_at = m["created"] + self.finish_after
        now = time.time()
        results = []
        for p in m["probes"]:
            if p.outcome == "offline":
                res: dict[str, Any] = {"status": "offline", "rawOutput": ""}
            elif now < done_at or p.outcome == "stuck":
                res = {"status": "in-progress", "rawOutput": ""}
            else:
                res = self._result(m, p)
            results.append({"probe": p.json(), "result": res})
        busy = any(r["result"]["status"] == "in-progress" for r in results)
        return {
            "id": m["id"],
            "type": m["type"],
            "status": "in-progress" if busy else "finished",
            "createdAt": _iso(m["created"]),
            "updatedAt": _iso(now),
            "target": m["target"],
            "probesCount": len(m["probes"]),
            "locations": m["locations"] if isinstance(m["locations"], list) else [],
            "measurementOptions": m["options"],
            "results": results,
        }

    def _result(self, m: dict[str, Any], p: SimProbe) -> dict[str, Any]:
        kind, target, lat = m["type"], m["target"], p.latency_ms
        down = p.outcome == "down"
        if kind == "http":
            if down and p.status_code == 200:
                return {"status": "failed", "rawOutput": p.error}
            code = p.status_code
            return {
                "status": "finished",
                "resolvedAddress": self.answer,
                "headers": {"content-type": "text/html"},
                "rawHeaders": "content-type: text/html",
                "rawBody": None,
                "rawOutput": f"HTTP/1.1 {code}\ncontent-type: text/html",
                "truncated": False,
                "statusCode": code,
                "statusCodeName": "OK" if code == 200 else "Error",
                "timings": {
                    "total": round(lat),
                    "download": 1,
                    "firstByte": round(lat * 0.7),
                    "dns": 2,
                    "tls": 5,
                    "tcp": 3,
                },
                "tls": None,
            }
        if kind in ("ping", "mtr"):
            if down and ("NOTFOUND" in p.error or "unknown host" in p.error):
                return {"status": "failed", "rawOutput": f"ping: {target}: {p.error}"}
            rcv = 0 if down else 3
            return {
                "status": "finished",
                "rawOutput": f"PING {target} ({self.answer}) 56(84) bytes of data.",
                "resolvedAddress": self.answer,
                "resolvedHostname": target,
                "timings": [] if down else [{"rtt": lat, "ttl": 56}] * 3,
                "stats": {
                    "min": None if down else lat,
                    "avg": None if down else lat,
                    "max": None if down else lat,
                    "total": 3,
                    "rcv": rcv,
                    "drop": 3 - rcv,
                    "loss": 100 if down else 0,
                },
            }
        if kind == "dns":
            if down and p.error not in ("NXDOMAIN", "SERVFAIL", "REFUSED"):
                return {"status": "failed", "rawOutput": p.error}
            rtype = (m["options"].get("query") or {}).get("type", "A")
            name = p.error if down else "NOERROR"
            codes = {"NOERROR": 0, "NXDOMAIN": 3, "SERVFAIL": 2, "REFUSED": 5}
            answers = (
                []
                if down
                else [
                    {"name": target, "type": rtype, "ttl": 300, "class": "IN", "value": self.answer}
                ]
            )
            return {
                "status": "finished",
                "rawOutput": f";; ->>HEADER<<- opcode: QUERY, status: {name}",
                "statusCode": codes[name],
                "statusCodeName": name,
                "resolver": "192.0.2.53",
                "answers": answers,
                "timings": {"total": round(lat)},
            }
        hops = [
            {"resolvedAddress": "192.0.2.1", "resolvedHostname": "gw", "timings": [{"rtt": 1.0}]}
        ]
        if not down:
            hops.append(
                {
                    "resolvedAddress": self.answer,
                    "resolvedHostname": target,
                    "timings": [{"rtt": lat}],
                }
            )
        return {
            "status": "finished",
            "rawOutput": f"traceroute to {target} ({self.answer})",
            "resolvedAddress": self.answer,
            "resolvedHostname": target,
            "hops": hops,
        }
