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
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs

import dns.message
import dns.rcode
import dns.rrset

from warroom.sim._server import JsonServer, Reply

COST = {"ping": 3, "http": 10, "dns": 10, "sslcert": 10, "traceroute": 20}
_FAKE_CERT = "-----BEGIN CERTIFICATE-----\nMIIBsim\n-----END CERTIFICATE-----"


@dataclass
class AtlasProbe:
    id: int
    asn: int
    country: str
    outcome: str = "up"  # up, down, offline
    latency_ms: float = 20.0
    error: str = "connect: Connection refused"  # how a down http/sslcert/ping fails
    rcode: str = "NOERROR"  # what a down DNS answer says (NXDOMAIN, SERVFAIL); else timeout


def _error(status: int, code: int, title: str, detail: str) -> Reply:
    return Reply(
        status, {"error": {"status": status, "code": code, "title": title, "detail": detail}}
    )


class FakeAtlas(JsonServer):
    def __init__(
        self,
        *,
        key: str = "atlas-key",
        credits: int = 100_000,
        finish_after: float = 0.0,
        answer: str = "192.0.2.10",
    ) -> None:
        super().__init__()
        self.key = key
        self.credits = credits
        self.finish_after = finish_after
        self.answer = answer
        self.throttled = False
        self.probes: list[AtlasProbe] = []
        self.measurements: dict[int, dict[str, Any]] = {}
        self._ids = itertools.count(90_000_001)

    def add(self, *probes: AtlasProbe) -> FakeAtlas:
        with self.lock:
            self.probes.extend(probes)
        return self

    def set_outcome(self, asn: int, outcome: str, **fields: Any) -> None:
        with self.lock:
            for p in self.probes:
                if p.asn == asn:
                    p.outcome = outcome
                    for k, v in fields.items():
                        setattr(p, k, v)

    def handle(
        self, method: str, path: str, query: str, headers: dict[str, str], body: Any
    ) -> Reply:
        auth = headers.get("Authorization")
        if auth is None:
            return _error(403, 104, "Forbidden", "Authentication credentials were not provided.")
        if auth != f"Key {self.key}":
            return _error(403, 104, "Forbidden", "The provided API key does not exist.")
        if self.throttled:
            return _error(429, 104, "Too Many Requests", "Request was throttled.")
        parts = [p for p in path.split("/") if p]
        if method == "POST" and parts == ["api", "v2", "measurements"]:
            return self._create(body)
        if method == "GET" and parts == ["api", "v2", "credits"]:
            return Reply(
                200,
                {
                    "current_balance": self.credits,
                    "estimated_daily_income": 21600,
                    "estimated_daily_expenditure": 0,
                },
            )
        if method == "GET" and parts == ["api", "v2", "probes"]:
            ids = {int(x) for x in parse_qs(query).get("id__in", [""])[0].split(",") if x}
            rows = [
                {
                    "id": p.id,
                    "asn_v4": p.asn,
                    "asn_v6": None,
                    "country_code": p.country,
                    "status": {"id": 1, "name": "Connected"},
                }
                for p in self.probes
                if p.id in ids
            ]
            return Reply(200, {"count": len(rows), "next": None, "previous": None, "results": rows})
        if method == "GET" and parts[:3] == ["api", "v2", "measurements"] and len(parts) >= 4:
            m = self.measurements.get(int(parts[3])) if parts[3].isdigit() else None
            if m is None:
                return _error(404, 104, "Not Found", "Not found.")
            if len(parts) == 5 and parts[4] == "results":
                return Reply(200, self._results(m))
            return Reply(200, self._meta(m))
        return _error(404, 104, "Not Found", "Not found.")

    def _create(self, body: Any) -> Reply:
        try:
            d = body["definitions"][0]
            sel = body["probes"][0]
            kind = d["type"]
            n = int(sel["requested"])
        except (KeyError, IndexError, TypeError, ValueError):
            return _error(400, 102, "Bad Request", "Invalid measurement definition.")
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
        self.measurements[mid] = {
            "id": mid,
            "def": d,
            "probes": chosen,
            "created": time.time(),
        }
        return Reply(201, {"measurements": [mid]})

    def _meta(self, m: dict[str, Any]) -> dict[str, Any]:
        done = time.time() >= m["created"] + self.finish_after
        if not m["probes"]:
            status = {"id": 6, "name": "No suitable probes"}
        else:
            status = {"id": 4, "name": "Stopped"} if done else {"id": 2, "name": "Ongoing"}
        return {
            "id": m["id"],
            "type": m["def"]["type"],
            "target": m["def"].get("target", ""),
            "description": m["def"].get("description", ""),
            "is_oneoff": True,
            "af": 4,
            "status": status,
            "probes_requested": len(m["probes"]),
            "probes_scheduled": len(m["probes"]),
            "participant_count": len(m["probes"]) if m["probes"] else None,
        }

    def _results(self, m: dict[str, Any]) -> list[dict[str, Any]]:
        if time.time() < m["created"] + self.finish_after:
            return []
        return [self._one(m, p) for p in m["probes"] if p.outcome != "offline"]

    def _one(self, m: dict[str, Any], p: AtlasProbe) -> dict[str, Any]:
        d, lat, down = m["def"], p.latency_ms, p.outcome == "down"
        base = {
            "fw": 5080,
            "lts": 12,
            "prb_id": p.id,
            "msm_id": m["id"],
            "timestamp": int(m["created"]),
            "from": "198.51.100.7",
            "af": 4,
            "dst_addr": self.answer,
            "type": d["type"],
        }
        if d["type"] == "ping":
            rcvd = 0 if down else 3
            return {
                **base,
                "dst_name": d.get("target"),
                "proto": "ICMP",
                "sent": 3,
                "rcvd": rcvd,
                "dup": 0,
                "min": -1 if down else lat,
                "avg": -1 if down else lat,
                "max": -1 if down else lat,
                "result": [{"x": "*"}] * 3 if down else [{"rtt": lat}] * 3,
            }
        if d["type"] == "http":
            if down:
                res: dict[str, Any] = {"af": 4, "dst_addr": self.answer, "err": p.error}
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
        if d["type"] == "sslcert":
            if down:
                return {**base, "dst_name": d.get("target"), "err": p.error}
            return {
                **base,
                "dst_name": d.get("target"),
                "dst_port": str(d.get("port", 443)),
                "method": "TLS",
                "ver": "1.3",
                "rt": lat,
                "ttc": lat / 3,
                "cert": [_FAKE_CERT],
            }
        if down and p.rcode == "NOERROR":
            return {**base, "proto": "UDP", "error": {"timeout": 5000}}
        q = dns.message.make_query(d.get("query_argument", "example."), d.get("query_type", "A"))
        r = dns.message.make_response(q)
        if down:
            r.set_rcode(dns.rcode.from_text(p.rcode))
        else:
            r.answer.append(
                dns.rrset.from_text(
                    q.question[0].name, 300, "IN", d.get("query_type", "A"), self.answer
                )
            )
        wire = r.to_wire()
        return {
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
