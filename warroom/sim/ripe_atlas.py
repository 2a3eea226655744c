"""A scriptable RIPE Atlas REST API (v2) on loopback: one-off measurements, results,
probe metadata, credits and API keys.

Shapes follow the published API reference (atlas.ripe.net/docs/apis/rest-api-manual):
``POST /api/v2/measurements/`` with ``definitions`` and ``probes`` -> 201
``{"measurements": [id]}``; ``GET /api/v2/measurements/{id}/`` -> ``{"status": {"id",
"name"}, "participant_count", ...}``; ``GET .../results/?format=json`` -> a list of
results (ping, http, dns with a base64 ``abuf``, sslcert), one per probe that answered;
``GET /api/v2/probes/?id__in=`` -> ``{"results": [{"id", "asn_v4", "country_code"}]}``;
``GET /api/v2/credits/`` -> ``{"current_balance"}``; errors as ``{"error": {"status",
"code", "title", "detail"}}``. Every call needs ``Authorization: Key <key>``.

A probe's ``outcome``: ``up``, ``down`` (the target fails from there), ``offline`` (it is
scheduled but never reports). Results appear ``finish_after`` seconds after creation.
"""

from __future__ import annotations

import base64
import itertools
import re
import time
from dataclasses import dataclass, field

import dns.message
import dns.rcode
import dns.rrset

from warroom.base.jsonval import as_object, get_bool, get_int, get_opt_str, objects
from warroom.sim.http import HttpFake, Request, Response
from warroom.sim.probe_api_shapes import (
    AtlasCreated,
    AtlasCredits,
    AtlasDefinition,
    AtlasDnsResult,
    AtlasDnsTimeout,
    AtlasError,
    AtlasHttpReply,
    AtlasMeasurement,
    AtlasProbeMeta,
    AtlasProbePage,
    AtlasResult,
    AtlasResultBase,
    AtlasSslcertFailure,
    AtlasSslcertResult,
    AtlasStatus,
)

COST = {"ping": 3, "http": 10, "dns": 10, "sslcert": 10, "traceroute": 20}
_FAKE_CERT = "-----BEGIN CERTIFICATE-----\nMIIBsim\n-----END CERTIFICATE-----"
_TITLES = {400: "Bad Request", 403: "Forbidden", 404: "Not Found", 405: "Method Not Allowed"}


@dataclass
class AtlasProbe:
    id: int
    asn: int
    country: str
    outcome: str = "up"  # up, down, offline
    latency_ms: float = 20.0
    error: str = "connect: Connection refused"  # how a down http/sslcert/ping fails
    rcode: str = "NOERROR"  # what a down DNS answer says (NXDOMAIN, SERVFAIL); else timeout


@dataclass
class _Measurement:
    id: int
    definition: AtlasDefinition
    probes: list[AtlasProbe]
    created: float = field(default_factory=time.time)
    polls: int = 0  # GETs of the measurement answered so far


def _error(status: int, code: int, title: str, detail: str) -> Response:
    body: AtlasError = {"error": {"status": status, "code": code, "title": title, "detail": detail}}
    return Response(status, body)


def _definition(raw: dict[str, object]) -> AtlasDefinition:
    """A definition as asked, narrowed to the keys the fake answers from."""
    d: AtlasDefinition = {"is_oneoff": get_bool(raw, "is_oneoff")}
    for key in ("type", "target", "description", "query_argument", "query_type"):
        text = get_opt_str(raw, key)
        if text is not None:
            d[key] = text
    port = get_int(raw, "port")
    if port is not None:
        d["port"] = port
    return d


class FakeAtlas(HttpFake):
    def __init__(
        self,
        *,
        key: str = "atlas-key",
        credits: int = 100_000,
        finish_after: float = 0.0,
        in_progress_polls: int = 0,
        answer: str = "192.0.2.10",
    ) -> None:
        """A measurement is ongoing (no results yet) for ``finish_after`` seconds after
        it was created and for its first ``in_progress_polls`` polls (GETs of the
        measurement), whichever ends later: a test that must see polling counts polls."""
        super().__init__()
        self.key = key
        self.credits = credits
        self.finish_after = finish_after
        self.in_progress_polls = in_progress_polls
        self.answer = answer
        self.throttled = False
        self.probes: list[AtlasProbe] = []
        self.measurements: dict[int, _Measurement] = {}
        self._ids = itertools.count(90_000_001)
        v2 = "/api/v2"
        self.route("POST", v2 + "/measurements/?", self._create)
        self.route("GET", v2 + "/credits/?", self._credits)
        self.route("GET", v2 + "/probes/?", self._probes)
        self.route("GET", v2 + r"/measurements/(?P<mid>[^/]+)/?", self._meta)
        self.route("GET", v2 + r"/measurements/(?P<mid>[^/]+)/results/?", self._results)

    def add(self, *probes: AtlasProbe) -> FakeAtlas:
        with self.lock:
            self.probes.extend(probes)
        return self

    def set_outcome(self, asn: int, outcome: str, **fields: object) -> None:
        with self.lock:
            for p in self.probes:
                if p.asn == asn:
                    p.outcome = outcome
                    for k, v in fields.items():
                        setattr(p, k, v)

    # -- the API -----------------------------------------------------------------

    def error(self, status: int, message: str) -> Response:
        return _error(status, 104, _TITLES.get(status, "Server Error"), message)

    def gate(self, req: Request) -> Response | None:
        auth = req.headers.get("authorization")
        if auth is None:
            return _error(403, 104, "Forbidden", "Authentication credentials were not provided.")
        if auth != f"Key {self.key}":
            return _error(403, 104, "Forbidden", "The provided API key does not exist.")
        if self.throttled:
            return _error(429, 104, "Too Many Requests", "Request was throttled.")
        return None

    def _credits(self, req: Request, _m: re.Match[str]) -> Response:
        body: AtlasCredits = {
            "current_balance": self.credits,
            "estimated_daily_income": 21600,
            "estimated_daily_expenditure": 0,
        }
        return Response(200, body)

    def _probes(self, req: Request, _m: re.Match[str]) -> Response:
        ids = {int(x) for x in (req.arg("id__in") or "").split(",") if x.isdigit()}
        connected: AtlasStatus = {"id": 1, "name": "Connected"}
        rows: list[AtlasProbeMeta] = [
            {
                "id": p.id,
                "asn_v4": p.asn,
                "asn_v6": None,
                "country_code": p.country,
                "status": connected,
            }
            for p in self.probes
            if p.id in ids
        ]
        page: AtlasProbePage = {"count": len(rows), "next": None, "previous": None, "results": rows}
        return Response(200, page)

    def _ongoing(self, m: _Measurement) -> bool:
        return time.time() < m.created + self.finish_after or m.polls <= self.in_progress_polls

    def _find(self, m: re.Match[str]) -> _Measurement | None:
        mid = m.group("mid")
        return self.measurements.get(int(mid)) if mid.isdigit() else None

    def _create(self, req: Request, _m: re.Match[str]) -> Response:
        body = as_object(req.json_or_none())
        defs, sels = objects(body.get("definitions")), objects(body.get("probes"))
        n = get_int(sels[0], "requested") if sels else None
        if not defs or n is None:
            return _error(400, 102, "Bad Request", "Invalid measurement definition.")
        d, sel = _definition(defs[0]), sels[0]
        kind = d.get("type")
        if kind not in COST:
            return _error(400, 102, "Bad Request", f"Unknown measurement type {kind!r}.")
        if sel.get("type") == "asn":
            chosen = [p for p in self.probes if p.asn == sel.get("value")][:n]
        elif sel.get("type") == "country":
            chosen = [p for p in self.probes if p.country == sel.get("value")][:n]
        else:
            return _error(400, 102, "Bad Request", "Unsupported probe selection.")
        cost = COST[kind] * max(len(chosen), 1)
        if cost > self.credits:
            return _error(
                400,
                102,
                "Bad Request",
                "You do not have enough credit to schedule this measurement.",
            )
        self.credits -= cost
        mid = next(self._ids)
        self.measurements[mid] = _Measurement(mid, d, chosen)
        created: AtlasCreated = {"measurements": [mid]}
        return Response(201, created)

    def _meta(self, req: Request, m: re.Match[str]) -> Response:
        found = self._find(m)
        if found is None:
            return _error(404, 104, "Not Found", "Not found.")
        found.polls += 1
        done = not self._ongoing(found)
        status: AtlasStatus
        if not found.probes:
            status = {"id": 6, "name": "No suitable probes"}
        else:
            status = {"id": 4, "name": "Stopped"} if done else {"id": 2, "name": "Ongoing"}
        d = found.definition
        body: AtlasMeasurement = {
            "id": found.id,
            "type": d.get("type", ""),
            "target": d.get("target", ""),
            "description": d.get("description", ""),
            "is_oneoff": True,
            "af": 4,
            "status": status,
            "probes_requested": len(found.probes),
            "probes_scheduled": len(found.probes),
            "participant_count": len(found.probes) if found.probes else None,
        }
        return Response(200, body)

    def _results(self, req: Request, m: re.Match[str]) -> Response:
        found = self._find(m)
        if found is None:
            return _error(404, 104, "Not Found", "Not found.")
        if self._ongoing(found):
            return Response(200, [])
        return Response(200, [self._one(found, p) for p in found.probes if p.outcome != "offline"])

    def _one(self, m: _Measurement, p: AtlasProbe) -> AtlasResult:
        d, lat, down = m.definition, p.latency_ms, p.outcome == "down"
        kind = d.get("type", "")
        base: AtlasResultBase = {
            "fw": 5080,
            "lts": 12,
            "prb_id": p.id,
            "msm_id": m.id,
            "timestamp": int(m.created),
            "af": 4,
            "dst_addr": self.answer,
            "type": kind,
        }
        if kind == "ping":
            rcvd = 0 if down else 3
            return {
                **base,
                "dst_name": d.get("target", ""),
                "proto": "ICMP",
                "sent": 3,
                "rcvd": rcvd,
                "dup": 0,
                "min": -1 if down else lat,
                "avg": -1 if down else lat,
                "max": -1 if down else lat,
                "result": [{"x": "*"}] * 3 if down else [{"rtt": lat}] * 3,
            }
        if kind == "http":
            res: AtlasHttpReply
            if down:
                res = {"af": 4, "dst_addr": self.answer, "err": p.error}
            else:
                res = {
                    "af": 4,
                    "bsize": 1024,
                    "dst_addr": self.answer,
                    "hsize": 200,
                    "method": "GET",
                    "res": 200,
                    "rt": lat,
                    "src_addr": "10.0.0.2",
                    "ver": "1.1",
                }
            return {**base, "uri": f"http://{d.get('target')}/", "result": [res]}
        if kind == "sslcert":
            if down:
                failed: AtlasSslcertFailure = {
                    **base,
                    "dst_name": d.get("target", ""),
                    "err": p.error,
                }
                return failed
            cert: AtlasSslcertResult
            cert = {
                **base,
                "dst_name": d.get("target", ""),
                "dst_port": str(d.get("port", 443)),
                "method": "TLS",
                "ver": "1.3",
                "rt": lat,
                "ttc": lat / 3,
                "cert": [_FAKE_CERT],
            }
            return cert
        if down and p.rcode == "NOERROR":
            timeout: AtlasDnsTimeout = {**base, "proto": "UDP", "error": {"timeout": 5000}}
            return timeout
        qtype = d.get("query_type", "A")
        q = dns.message.make_query(d.get("query_argument", "example."), qtype)
        r = dns.message.make_response(q)
        if down:
            r.set_rcode(dns.rcode.from_text(p.rcode))
        else:
            r.answer.append(dns.rrset.from_text(q.question[0].name, 300, "IN", qtype, self.answer))
        wire = r.to_wire()
        answer: AtlasDnsResult = {
            **base,
            "proto": "UDP",
            "result": {
                "ANCOUNT": len(r.answer),
                "ARCOUNT": 0,
                "ID": q.id,
                "NSCOUNT": 0,
                "QDCOUNT": 1,
                "abuf": base64.b64encode(wire).decode(),
                "rt": lat,
                "size": len(wire),
            },
        }
        return answer
