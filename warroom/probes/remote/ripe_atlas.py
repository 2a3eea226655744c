"""RIPE Atlas (https://atlas.ripe.net, REST API v2): one-off measurements from probes in
chosen networks or countries.

``POST /api/v2/measurements/`` with one definition (ping, http, dns or sslcert;
``is_oneoff``) and a probe selection (``{"type": "asn"|"country", "value": ...,
"requested": n}``) answers ``{"measurements": [id]}``. We then poll the measurement
(``GET /api/v2/measurements/{id}/``: status and participant count) and its results
(``/results/?format=json``) no faster than every 500 ms until every scheduled probe
answered, the measurement stopped, or our deadline passed. Probe ASN and country come
from ``/api/v2/probes/``; the credit balance from ``/api/v2/credits/``. The API key goes
in ``Authorization: Key …`` and nowhere else. Atlas allows HTTP measurements only to
anchors, so an https:// target is measured with sslcert (a TLS handshake).
"""

from __future__ import annotations

import asyncio
import base64
import time
from urllib.parse import urlsplit

import dns.message
import dns.rcode
import dns.rdatatype
import httpx

from warroom.base import timeutil
from warroom.base.jsonval import as_list, as_object, get_float, get_int, get_opt_str, objects
from warroom.domain.probes import ProbeResult, Status
from warroom.domain.workspace import Target
from warroom.probes.remote import api
from warroom.probes.remote.api import ApiError, Quota
from warroom.probes.remote.globalping import (
    MIN_POLL_S,
    POLL_S,
    Ask,
    Remote,
    Verdict,
    error_word,
    member_result,
)
from warroom.probes.remote.shapes import (
    AtlasDefinition,
    AtlasMeasurementRequest,
    AtlasSelection,
)

STOPPED = {4, 5, 6, 7, 8}  # stopped, forced to stop, no suitable probes, failed, archived
NO_PROBES = 6


def _error(resp: httpx.Response, data: object) -> ApiError:
    err = as_object(as_object(data).get("error"))
    detail = str(err.get("detail") or err.get("title") or "")
    for e in objects(err.get("errors")):
        if e.get("detail"):
            detail += f" ({e['detail']})"
    msg = detail or f"HTTP {resp.status_code}"
    if resp.status_code == 429:
        return ApiError(api.RATE_LIMITED, f"rate limit: {msg}")
    if "credit" in msg.lower() or resp.status_code == 402:
        return ApiError(api.NO_CREDITS, f"out of credits: {msg}")
    if resp.status_code in (401, 403):
        return ApiError(api.UNAUTHORIZED, f"API key refused: {msg}")
    if resp.status_code >= 500:
        return ApiError(api.UNREACHABLE, f"API error HTTP {resp.status_code}: {msg}")
    return ApiError(api.API_ERROR, f"HTTP {resp.status_code}: {msg}")


def selection(group: str, n: int) -> AtlasSelection:
    """``AS3303`` -> an ASN selection, ``CH`` -> a country selection."""
    if group.startswith("AS") and group[2:].isdigit():
        return {"type": "asn", "value": int(group[2:]), "requested": n}
    return {"type": "country", "value": group, "requested": n}


def ask_for(t: Target) -> Ask[AtlasDefinition]:
    if t.check == "http" and urlsplit(t.url).scheme.lower() == "http":
        u = urlsplit(t.url)
        hopts: AtlasDefinition = {"method": "GET", "path": u.path or "/", "port": t.port or 80}
        if u.query:
            hopts["query_string"] = u.query
        return Ask("http", t.host, hopts, "http")
    if t.check in ("http", "tls"):
        note = "TLS handshake (Atlas measures HTTP only to anchors)" if t.check == "http" else ""
        return Ask("sslcert", t.host, {"port": t.port or 443, "hostname": t.host}, t.check, note)
    if t.check == "dns":
        opts: AtlasDefinition = {
            "query_class": "IN",
            "query_type": t.record,
            "query_argument": t.host,
            "protocol": "UDP",
        }
        if t.server:
            return Ask("dns", t.server.rsplit(":", 1)[0].strip("[]"), opts, "dns")
        return Ask("dns", "", {**opts, "use_probe_resolver": True}, "dns")
    note = "ICMP ping (Atlas has no TCP connect check)" if t.check == "tcp" else ""
    return Ask("ping", t.host, {"packets": 3}, t.check, note)


class AtlasClient:
    """One API base and one API key (required)."""

    def __init__(
        self,
        base_url: str,
        http: httpx.AsyncClient,
        *,
        key: str,
        poll_interval: float = POLL_S,
        request_timeout: float = 10.0,
    ) -> None:
        self.base = base_url.rstrip("/")
        self._http = http
        self._headers = {"Content-Type": "application/json", "Authorization": f"Key {key}"}
        self.poll_interval = max(MIN_POLL_S, poll_interval)
        self.request_timeout = request_timeout
        self.quota = Quota()
        self.polls = 0
        self.poll_log: list[tuple[str, float]] = []  # (measurement, monotonic send time)
        self._probes: dict[int, dict[str, object]] = {}

    async def _call(
        self, method: str, path: str, body: AtlasMeasurementRequest | None = None
    ) -> object:
        _, data = await api.call(
            self._http,
            method,
            f"{self.base}{path}",
            headers=self._headers,
            body=body,
            timeout=self.request_timeout,
            errors=_error,
        )
        return data

    async def credits(self) -> int | None:
        data = await self._call("GET", "/api/v2/credits/")
        bal = get_int(as_object(data), "current_balance")
        if bal is not None:
            self.quota = Quota(credits=bal)
            return bal
        return None

    async def create(self, ask: Ask[AtlasDefinition], group: str, n: int, description: str) -> int:
        definition: AtlasDefinition = {
            "type": ask.kind,
            "af": 4,
            "description": description,
            "is_oneoff": True,
        }
        if ask.target:
            definition["target"] = ask.target
        definition.update(ask.options)
        body: AtlasMeasurementRequest = {
            "definitions": [definition],
            "probes": [selection(group, n)],
            "is_oneoff": True,
        }
        data = await self._call("POST", "/api/v2/measurements/", body)
        ids = as_list(as_object(data).get("measurements"))
        first = ids[0] if ids else None
        if not isinstance(first, int) or isinstance(first, bool):
            raise ApiError(api.GARBAGE, "the new measurement has no id")
        return first

    async def wait(self, mid: int, deadline: float) -> tuple[list[dict[str, object]], int, bool]:
        """(results, probes scheduled, finished); polls at most twice a second."""
        while True:
            started = time.monotonic()
            self.polls += 1
            self.poll_log.append((str(mid), started))
            meta = await self._call("GET", f"/api/v2/measurements/{mid}/")
            results = await self._call("GET", f"/api/v2/measurements/{mid}/results/?format=json")
            if not isinstance(meta, dict) or not isinstance(results, list):
                raise ApiError(api.GARBAGE, "a measurement or its results in an unknown shape")
            meta = as_object(meta)
            status = get_int(as_object(meta.get("status")), "id")
            if status == NO_PROBES:
                raise ApiError(api.UNKNOWN_LOCATION, "no suitable probes")
            want = get_int(meta, "participant_count") or get_int(meta, "probes_scheduled") or 0
            done = status in STOPPED or (bool(want) and len(results) >= want)
            if done or time.monotonic() >= deadline:
                return objects(results), want, done
            # Counted from the answer, not the request: however late a request left our
            # busy loop, the API never sees two polls closer than ``poll_interval``.
            await asyncio.sleep(self.poll_interval)

    async def probes(self, ids: list[int]) -> dict[int, dict[str, object]]:
        """ASN and country of probes (cached: probes do not move between rounds)."""
        missing = sorted({i for i in ids if i not in self._probes})
        if missing:
            q = ",".join(map(str, missing))
            data = await self._call(
                "GET", f"/api/v2/probes/?id__in={q}&fields=id,asn_v4,country_code,status"
            )
            for p in objects(as_object(data).get("results")):
                pid = get_int(p, "id")
                if pid is not None:
                    self._probes[pid] = p
        return {i: self._probes.get(i, {}) for i in ids}


def _timed(
    t: Target, lat: float | None, detail: str, address: str | None
) -> tuple[Status, float | None, str | None, str, str | None]:
    if lat is not None and lat > t.settings.degraded_ms:
        return Status.DEGRADED, lat, "too_slow", f"{detail} in {lat:.0f} ms", address
    return Status.UP, lat, None, detail, address


def _verdict(t: Target, ask: Ask[AtlasDefinition], r: dict[str, object]) -> Verdict:
    addr = get_opt_str(r, "dst_addr")
    if ask.kind == "ping":
        rcvd = get_int(r, "rcvd")
        errs = [str(x.get("error")) for x in objects(r.get("result")) if "error" in x]
        if errs:
            return Status.DOWN, None, error_word(errs[0]), errs[0][:200], addr
        if not rcvd:
            return Status.DOWN, None, "timeout", f"no reply to {r.get('sent', '?')} pings", addr
        return _timed(t, get_float(r, "avg"), f"{rcvd} replies", addr)
    if ask.kind == "http":
        first = (as_list(r.get("result")) or [{}])[0]
        if not isinstance(first, dict):
            return Status.DOWN, None, error_word("no result"), "no result", addr
        res = as_object(first)
        code = get_int(res, "res")
        if "err" in res or code is None:
            err = str(res.get("err"))
            return Status.DOWN, None, error_word(err), err[:200], addr
        lat = get_float(res, "rt")
        ok = code in t.expect_status if t.expect_status else 200 <= code <= 399
        if not ok:
            return Status.DOWN, lat, "http_status", f"HTTP {code}", addr
        return _timed(t, lat, f"HTTP {code}", addr)
    if ask.kind == "sslcert":
        if "err" in r or "alert" in r:
            err = str(r.get("err") or f"TLS alert {r.get('alert')}")
            word = error_word(err)
            return (
                Status.DOWN,
                None,
                "tls_error" if word == "protocol_error" else word,
                err[:200],
                addr,
            )
        n = len(as_list(r.get("cert")))
        return _timed(t, get_float(r, "rt"), f"{r.get('ver') or 'TLS'}, {n} certificate(s)", addr)
    raw = r.get("result")
    resultset = as_list(r.get("resultset"))
    if not isinstance(raw, dict) and resultset:
        raw = as_object(resultset[0]).get("result")
    if not isinstance(raw, dict):
        failure = r.get("error") or {}
        if isinstance(failure, dict) and "timeout" in failure:
            return Status.DOWN, None, "dns_timeout", "no DNS answer", addr
        return Status.DOWN, None, "dns_timeout", f"no DNS answer ({failure})"[:200], addr
    reply = as_object(raw)
    lat = get_float(reply, "rt")
    try:
        msg = dns.message.from_wire(base64.b64decode(str(reply.get("abuf") or "")))
    except Exception:
        return Status.DOWN, lat, "protocol_error", "an answer that is not DNS", addr
    rcode = msg.rcode()
    if rcode == dns.rcode.NXDOMAIN:
        return Status.DOWN, lat, "dns_nxdomain", "NXDOMAIN", None
    if rcode != dns.rcode.NOERROR:
        return Status.DOWN, lat, "dns_servfail", dns.rcode.to_text(rcode), None
    want = dns.rdatatype.from_text(t.record)
    answers = sorted(rd.to_text() for rrs in msg.answer if rrs.rdtype == want for rd in rrs)
    if t.expect_answer and answers != sorted(t.expect_answer):
        return Status.DOWN, lat, "dns_mismatch", f"answered {', '.join(answers) or 'nothing'}", None
    return _timed(t, lat, ", ".join(answers) or "NOERROR", answers[0] if answers else None)


def to_results(
    t: Target,
    vantage: str,
    group: str,
    ask: Ask[AtlasDefinition],
    results: list[dict[str, object]],
    probes: dict[int, dict[str, object]],
) -> list[ProbeResult]:
    """One record per probe that answered (Atlas gives no result for an offline one)."""
    out = []
    now = timeutil.now()
    for r in results:
        pid = get_int(r, "prb_id")
        if pid is None:
            continue
        meta = probes.get(pid) or {}
        remote: Remote = {
            "asn": get_int(meta, "asn_v4"),
            "network": None,  # Atlas does not name the network; the ASN does
            "country": get_opt_str(meta, "country_code"),
            "city": None,
            "probe": str(pid),
        }
        out.append(member_result(t, vantage, group, ask, _verdict(t, ask, r), remote, now))
    return out
