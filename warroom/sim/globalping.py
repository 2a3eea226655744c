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
import re
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime

from warroom.base.jsonval import as_object, get_int, get_opt_str, get_str, objects
from warroom.sim.http import HttpFake, Request, Response
from warroom.sim.probe_api_shapes import (
    GpBareResult,
    GpCreated,
    GpDnsRecord,
    GpError,
    GpHop,
    GpHttpRequest,
    GpLocation,
    GpMeasurement,
    GpOptions,
    GpProbe,
    GpProbeResult,
    GpResult,
)

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

    def json(self) -> GpProbe:
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


@dataclass
class _Measurement:
    id: str
    type: str
    target: str
    options: GpOptions
    locations: list[GpLocation] | str
    probes: list[SimProbe]
    created: float = field(default_factory=time.time)
    polls: int = 0  # GETs answered so far


def _iso(t: float) -> str:
    return datetime.fromtimestamp(t, UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def _error(status: int, kind: str, message: str, headers: dict[str, str] | None = None) -> Response:
    body: GpError = {"error": {"type": kind, "message": message}}
    return Response(status, body, headers or {})


def _options(raw: object) -> GpOptions:
    """``measurementOptions`` as asked, narrowed to the spec's keys (echoed back)."""
    opts = as_object(raw)
    out: GpOptions = {}
    protocol, resolver = get_opt_str(opts, "protocol"), get_opt_str(opts, "resolver")
    port, packets = get_int(opts, "port"), get_int(opts, "packets")
    if protocol is not None:
        out["protocol"] = protocol
    if resolver is not None:
        out["resolver"] = resolver
    if port is not None:
        out["port"] = port
    if packets is not None:
        out["packets"] = packets
    request = as_object(opts.get("request"))
    if request:
        req: GpHttpRequest = {
            "method": get_str(request, "method", "HEAD"),
            "path": get_str(request, "path", "/"),
        }
        if "query" in request:
            req["query"] = get_str(request, "query")
        out["request"] = req
    query = as_object(opts.get("query"))
    if query:
        out["query"] = {"type": get_str(query, "type", "A")}
    return out


class FakeGlobalping(HttpFake):
    def __init__(
        self,
        *,
        token: str | None = None,
        limit_per_hour: int = 250,
        credits: int = 0,
        finish_after: float = 0.0,
        in_progress_polls: int = 0,
        answer: str = "192.0.2.10",
    ) -> None:
        """A measurement stays in progress for ``finish_after`` seconds after it was
        created and for its first ``in_progress_polls`` polls, whichever ends later:
        a test that must see polling counts polls, not a machine's speed."""
        super().__init__()
        self.token = token
        self.limit_per_hour = limit_per_hour
        self.credits = credits
        self.finish_after = finish_after
        self.in_progress_polls = in_progress_polls
        self.answer = answer
        self.consumed = 0
        self.locations: dict[str, list[SimProbe]] = {}
        self.measurements: dict[str, _Measurement] = {}
        # What a GET of each target host returns (rawBody); HEAD never has one.
        self.bodies: dict[str, str] = {}
        self._ids = itertools.count(1)
        self.route("POST", r"/v1/measurements/?", self._create)
        self.route("GET", r"/v1/measurements/(?P<mid>[^/]+)", self._get)

    # -- scripting ---------------------------------------------------------------

    def add(self, magic: str, *probes: SimProbe) -> FakeGlobalping:
        with self.lock:
            self.locations.setdefault(magic.lower(), []).extend(probes)
        return self

    def set_outcome(self, magic: str, outcome: str, **fields: object) -> None:
        with self.lock:
            for p in self.locations[magic.lower()]:
                p.outcome = outcome
                for k, v in fields.items():
                    setattr(p, k, v)

    # -- the API -----------------------------------------------------------------

    def error(self, status: int, message: str) -> Response:
        kind = {404: "not_found", 405: "not_found", 500: "api_error"}.get(status, "api_error")
        return _error(status, kind, message)

    def gate(self, req: Request) -> Response | None:
        auth = req.headers.get("authorization")
        if auth is not None and (self.token is None or auth != f"Bearer {self.token}"):
            return _error(401, "unauthorized", "Unauthorized.")
        return None

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

    def _get(self, req: Request, m: re.Match[str]) -> Response:
        found = self.measurements.get(m.group("mid"))
        if found is None:
            return _error(404, "not_found", "Couldn't find the requested item.")
        found.polls += 1
        return Response(200, self._view(found))

    def _create(self, req: Request, _m: re.Match[str]) -> Response:
        authed = "authorization" in req.headers
        body = as_object(req.json_or_none())
        kind, target = get_str(body, "type"), get_str(body, "target")
        if kind not in TYPES or not target:
            return _error(400, "validation_error", "Parameter validation failed.")
        raw_locs = body.get("locations")
        locs: list[GpLocation] | str
        probes: list[SimProbe] = []
        if isinstance(raw_locs, str):
            locs = raw_locs
            prev = self.measurements.get(raw_locs)
            if prev is None:
                return _error(422, "no_probes_found", "No suitable probes found.")
            probes = list(prev.probes)
        else:
            locs = []
            for loc in objects(raw_locs):
                magic = get_str(loc, "magic")
                found = self.locations.get(magic.lower())
                if not found:
                    return _error(422, "no_probes_found", "No suitable probes found.")
                n = get_int(loc, "limit") or get_int(body, "limit") or 1
                locs.append({"magic": magic, "limit": n})
                probes += found[:n]
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
        options = _options(body.get("measurementOptions"))
        self.measurements[mid] = _Measurement(mid, kind, target, options, locs, probes)
        h = self._limits(authed)
        h["Location"] = f"{self.url}/v1/measurements/{mid}"
        created: GpCreated = {"id": mid, "probesCount": cost}
        return Response(202, created, h)

    def _view(self, m: _Measurement) -> GpMeasurement:
        now = time.time()
        busy_now = now < m.created + self.finish_after or m.polls <= self.in_progress_polls
        results: list[GpProbeResult] = []
        for p in m.probes:
            res: GpResult
            if p.outcome == "offline":
                res = GpBareResult(status="offline", rawOutput="")
            elif busy_now or p.outcome == "stuck":
                res = GpBareResult(status="in-progress", rawOutput="")
            else:
                res = self._result(m, p)
            results.append({"probe": p.json(), "result": res})
        busy = any(r["result"]["status"] == "in-progress" for r in results)
        return {
            "id": m.id,
            "type": m.type,
            "status": "in-progress" if busy else "finished",
            "createdAt": _iso(m.created),
            "updatedAt": _iso(now),
            "target": m.target,
            "probesCount": len(m.probes),
            "locations": m.locations if isinstance(m.locations, list) else [],
            "measurementOptions": m.options,
            "results": results,
        }

    def _result(self, m: _Measurement, p: SimProbe) -> GpResult:
        kind, target, lat = m.type, m.target, p.latency_ms
        down = p.outcome == "down"
        if kind == "http":
            if down and p.status_code == 200:
                return GpBareResult(status="failed", rawOutput=p.error)
            code = p.status_code
            request = m.options.get("request")
            get = request is not None and request["method"].upper() == "GET"
            return {
                "status": "finished",
                "resolvedAddress": self.answer,
                "headers": {"content-type": "text/html"},
                "rawHeaders": "content-type: text/html",
                "rawBody": self.bodies.get(target, "") if get else None,
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
                return GpBareResult(status="failed", rawOutput=f"ping: {target}: {p.error}")
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
                return GpBareResult(status="failed", rawOutput=p.error)
            query = m.options.get("query")
            rtype = query["type"] if query is not None else "A"
            name = p.error if down else "NOERROR"
            codes = {"NOERROR": 0, "NXDOMAIN": 3, "SERVFAIL": 2, "REFUSED": 5}
            answers: list[GpDnsRecord] = (
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
        hops: list[GpHop] = [
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
