"""Globalping (https://globalping.io, API v1): measurements from probes in other networks.

``POST /v1/measurements`` creates a measurement (http, ping, dns, traceroute) for a
target from the probes of some locations; ``GET /v1/measurements/{id}`` is polled (no
faster than every 500 ms, as the API asks) until ``status`` is ``finished`` or our
deadline passes. Each probe's result becomes one probe record: the vantage's name plus
the probe's ASN, network, country and city; a probe that went ``offline`` gives none.

``locations`` may be the id of an earlier measurement: the API then asks the very same
probes, so rounds compare like with like. A 429 says ``rate_limit_exceeded`` (the
hourly limit) or ``insufficient_credits``; the ``X-RateLimit-*`` and ``X-Credits-*``
headers are kept as the quota shown to the commander. An optional token
(``Authorization: Bearer``) raises the limits.
"""

from __future__ import annotations

import asyncio
import hashlib
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Generic, TypedDict, TypeVar
from urllib.parse import urlsplit

import httpx

from warroom.base import timeutil
from warroom.base.jsonval import as_list, as_object, get_float, get_int, get_opt_str, objects
from warroom.domain.probes import ProbeResult, Status
from warroom.domain.workspace import Target
from warroom.probes.remote import api
from warroom.probes.remote.api import ApiError, Quota
from warroom.probes.remote.shapes import GpHttpRequest, GpLocation, GpMeasurementRequest, GpOptions

MIN_POLL_S = 0.5  # the API's rule: at most 2 polls a second per measurement
POLL_S = 0.5  # counted from the previous answer (see wait), which is the margin
TYPES = ("http", "ping", "dns", "traceroute")


def _error(resp: httpx.Response, data: object) -> ApiError:
    err = as_object(as_object(data).get("error"))
    kind = err.get("type")
    msg = str(err.get("message") or f"HTTP {resp.status_code}")
    if resp.status_code == 429:
        reset = api._int(resp.headers.get("X-RateLimit-Reset"))
        if kind == "insufficient_credits" or "credit" in msg.lower():
            return ApiError(api.NO_CREDITS, f"out of credits: {msg}", retry_after=reset)
        return ApiError(api.RATE_LIMITED, f"rate limit: {msg}", retry_after=reset)
    if resp.status_code in (401, 403):
        return ApiError(api.UNAUTHORIZED, f"token refused: {msg}")
    if resp.status_code == 422 or kind == "no_probes_found":
        return ApiError(api.UNKNOWN_LOCATION, msg)
    if resp.status_code >= 500:
        return ApiError(api.UNREACHABLE, f"API error HTTP {resp.status_code}: {msg}")
    return ApiError(api.API_ERROR, f"HTTP {resp.status_code}: {msg}")


class GlobalpingClient:
    """One API base, one optional token. The token lives only in the request headers."""

    def __init__(
        self,
        base_url: str,
        http: httpx.AsyncClient,
        *,
        token: str | None = None,
        poll_interval: float = POLL_S,
        request_timeout: float = 10.0,
    ) -> None:
        self.base = base_url.rstrip("/")
        self._http = http
        self._headers = {"Content-Type": "application/json"}
        if token:
            self._headers["Authorization"] = f"Bearer {token}"
        self.poll_interval = max(MIN_POLL_S, poll_interval)
        self.request_timeout = request_timeout
        self.quota = Quota()
        self.polls = 0  # GETs sent, for the benchmark and the poll-rate test
        self.poll_log: list[tuple[str, float]] = []  # (measurement, monotonic send time)

    def _keep_quota(self, resp: httpx.Response) -> None:
        h = resp.headers
        limit = api._int(h.get("X-RateLimit-Limit"))
        remaining = api._int(h.get("X-RateLimit-Remaining"))
        credits = api._int(h.get("X-Credits-Remaining"))
        if limit is None and remaining is None and credits is None:
            return
        # The answers of concurrent requests arrive in any order: within one round the
        # lowest count is the newest (the API never gives tests back mid-hour).
        if remaining is not None and self.quota.remaining is not None:
            remaining = min(remaining, self.quota.remaining)
        if credits is not None and self.quota.credits is not None:
            credits = min(credits, self.quota.credits)
        self.quota = Quota(
            limit=limit if limit is not None else self.quota.limit,
            remaining=remaining if remaining is not None else self.quota.remaining,
            reset_s=api._int(h.get("X-RateLimit-Reset")),
            credits=credits if credits is not None else self.quota.credits,
        )

    async def create(
        self,
        kind: str,
        target: str,
        locations: list[GpLocation] | str,
        options: GpOptions,
        limit: int | None = None,
    ) -> tuple[str, int]:
        """(measurement id, probes asked). ``locations`` a list or an earlier id."""
        body: GpMeasurementRequest = {
            "type": kind,
            "target": target,
            "locations": locations,
            "measurementOptions": options,
            "inProgressUpdates": False,
        }
        if limit is not None:
            body["limit"] = limit
        try:
            resp, data = await api.call(
                self._http,
                "POST",
                f"{self.base}/v1/measurements",
                headers=self._headers,
                body=body,
                timeout=self.request_timeout,
                errors=_error,
            )
        except ApiError as exc:
            if exc.kind in (api.RATE_LIMITED, api.NO_CREDITS):
                self.quota = Quota(self.quota.limit, 0, exc.retry_after, self.quota.credits)
            raise
        self._keep_quota(resp)
        created = as_object(data)
        mid = get_opt_str(created, "id")
        if mid is None:
            raise ApiError(api.GARBAGE, "the new measurement has no id")
        return mid, get_int(created, "probesCount") or 0

    async def get(self, mid: str) -> dict[str, object]:
        self.polls += 1
        self.poll_log.append((mid, time.monotonic()))
        _, data = await api.call(
            self._http,
            "GET",
            f"{self.base}/v1/measurements/{mid}",
            headers=self._headers,
            timeout=self.request_timeout,
            errors=_error,
        )
        measurement = as_object(data)
        if not isinstance(measurement.get("results"), list):
            raise ApiError(api.GARBAGE, "a measurement without results")
        return measurement

    async def wait(self, mid: str, deadline: float) -> dict[str, object]:
        """Poll until finished or ``deadline`` (monotonic); ``poll_interval`` (>= 500 ms)
        passes between an answer and the next poll: at most 2 polls a second."""
        while True:
            data = await self.get(mid)
            if data.get("status") != "in-progress" or time.monotonic() >= deadline:
                return data
            # Counted from the answer, not the request: however late a request left our
            # busy loop, the API never sees two polls closer than ``poll_interval``.
            await asyncio.sleep(self.poll_interval)


# -- what to ask for a target -------------------------------------------------------


OptionsT = TypeVar("OptionsT", bound=Mapping[str, object])


@dataclass(frozen=True, slots=True)
class Ask(Generic[OptionsT]):
    """A measurement for a target: its type, its target string and its options (in the
    shape of the API that is asked: ``GpOptions``, ``AtlasDefinition``)."""

    kind: str
    target: str
    options: OptionsT
    check: str  # the record's check word
    note: str = ""  # said in the detail when the remote check differs from the local one


def ask_for(t: Target) -> Ask[GpOptions]:
    """The Globalping measurement that best matches a target's local check."""
    opts: GpOptions
    if t.check == "http":
        u = urlsplit(t.url)
        https = u.scheme.lower() == "https"
        req: GpHttpRequest = {"method": "GET" if t.expect_body else "HEAD", "path": u.path or "/"}
        if u.query:
            req["query"] = u.query
        port = t.port or (443 if https else 80)  # check_url gives http(s) a port
        opts = {"protocol": "HTTPS" if https else "HTTP", "port": port, "request": req}
        return Ask("http", t.host, opts, "http")
    if t.check == "dns":
        opts = {"query": {"type": t.record}, "protocol": "UDP"}
        if t.server:
            host = t.server.rsplit(":", 1)[0] if t.server.count(":") == 1 else t.server
            opts["resolver"] = host.strip("[]")
        return Ask("dns", t.host, opts, "dns")
    if t.check in ("tcp", "tls"):
        note = "TCP connect (Globalping has no TLS check)" if t.check == "tls" else ""
        opts = {"packets": 3, "protocol": "TCP", "port": t.port or 443}  # tcp: always set
        return Ask("ping", t.host, opts, t.check, note)
    return Ask("ping", t.host, {"packets": 3}, "icmp")


def traceroute_ask(t: Target) -> Ask[GpOptions]:
    return Ask("traceroute", t.host, {"protocol": "ICMP"}, "traceroute")


# -- one probe's result -> one record -----------------------------------------------


class Remote(TypedDict):
    """Where a remote probe sits: the CONTRACT record's ``remote`` object."""

    asn: int | None
    network: str | None
    country: str | None
    city: str | None
    probe: str


Verdict = tuple[Status, float | None, str | None, str, str | None]  # status, ms, error, ...


def member_result(
    t: Target,
    vantage: str,
    group: str,
    ask: Ask[OptionsT],
    verdict: Verdict,
    remote: Remote,
    now: datetime,
) -> ProbeResult:
    """One remote probe's answer as a sample of (target, vantage), for Globalping and
    RIPE Atlas alike; a substituted check says so in the detail (``ask.note``)."""
    status, lat, err, detail, addr = verdict
    return ProbeResult(
        time=now,
        target=t.name,
        vantage=vantage,
        check=ask.check,
        status=status,
        latency_ms=lat,
        error=err,
        detail=f"{detail} [{ask.note}]" if ask.note else detail,
        address=addr,
        extra={"remote": remote, "group": group},
    )


def probe_id(probe: Mapping[str, object]) -> str:
    """Globalping gives probes no id: a stable one from what identifies the probe, so
    the same probe (kept by measurement-id reuse) has the same id every round."""
    key = "|".join(
        str(probe.get(k))
        for k in ("asn", "network", "country", "city", "latitude", "longitude", "tags")
    )
    return "gp-" + hashlib.sha1(key.encode()).hexdigest()[:10]


def remote_of(probe: Mapping[str, object]) -> Remote:
    return {
        "asn": get_int(probe, "asn"),
        "network": get_opt_str(probe, "network"),
        "country": get_opt_str(probe, "country"),
        "city": get_opt_str(probe, "city"),
        "probe": probe_id(probe),
    }


_RAW_ERRORS = (
    ("ENOTFOUND", "dns_nxdomain"),
    ("NXDOMAIN", "dns_nxdomain"),
    ("unknown host", "dns_nxdomain"),
    ("Name or service not known", "dns_nxdomain"),
    ("EAI_AGAIN", "dns_timeout"),
    ("SERVFAIL", "dns_servfail"),
    ("ECONNREFUSED", "refused"),
    ("ECONNRESET", "reset"),
    ("EHOSTUNREACH", "unreachable"),
    ("ENETUNREACH", "unreachable"),
    ("CERT_HAS_EXPIRED", "tls_expired"),
    ("certificate has expired", "tls_expired"),
    ("ERR_TLS_CERT_ALTNAME_INVALID", "tls_hostname"),
    ("UNABLE_TO_VERIFY_LEAF_SIGNATURE", "tls_untrusted"),
    ("SELF_SIGNED_CERT", "tls_untrusted"),
    ("ETIMEDOUT", "timeout"),
    ("timeout", "timeout"),
    ("Timeout", "timeout"),
)


def error_word(raw: str) -> str:
    for needle, word in _RAW_ERRORS:
        if needle in raw:
            return word
    return "protocol_error"


def _first_line(raw: object) -> str:
    text = str(raw or "").strip()
    return text.splitlines()[0][:200] if text else ""


def _verdict(t: Target, ask: Ask[GpOptions], res: dict[str, object]) -> Verdict:
    """(status, latency, error, detail, address) of one finished or failed result."""
    address = get_opt_str(res, "resolvedAddress")
    if res.get("status") == "failed":
        raw = _first_line(res.get("rawOutput")) or "the probe reported a failure"
        return Status.DOWN, None, error_word(raw), raw, address
    if ask.kind == "http":
        code = get_int(res, "statusCode")
        lat = get_float(as_object(res.get("timings")), "total")
        if code is None:
            return Status.DOWN, lat, "protocol_error", "no HTTP status in the result", address
        ok = code in t.expect_status if t.expect_status else 200 <= code <= 399
        if not ok:
            return Status.DOWN, lat, "http_status", f"HTTP {code}", address
        if t.expect_body and t.expect_body not in str(res.get("rawBody") or ""):
            return Status.DOWN, lat, "body_mismatch", f"HTTP {code}, body lacks the text", address
        return _timed(t, lat, f"HTTP {code}", address)
    if ask.kind == "ping":
        stats = as_object(res.get("stats"))
        rcv = get_int(stats, "rcv")
        if not rcv:
            word = "timeout" if ask.check == "icmp" else "refused"
            what = "no reply" if ask.check == "icmp" else "no TCP connection"
            return Status.DOWN, None, word, f"{what} ({stats.get('loss', 100)}% loss)", address
        lat = get_float(stats, "avg")
        loss = stats.get("loss")
        return _timed(t, lat, f"{rcv} replies, {loss}% loss".strip(), address)
    if ask.kind == "dns":
        code_name = str(res.get("statusCodeName") or "")
        lat = get_float(as_object(res.get("timings")), "total")
        if code_name == "NXDOMAIN":
            return Status.DOWN, lat, "dns_nxdomain", "NXDOMAIN", None
        if code_name and code_name != "NOERROR":
            return Status.DOWN, lat, "dns_servfail", code_name, None
        answers = [
            str(a.get("value"))
            for a in objects(res.get("answers"))
            if str(a.get("type", "")).upper() == t.record
        ]
        if t.expect_answer and sorted(answers) != sorted(t.expect_answer):
            return (
                Status.DOWN,
                lat,
                "dns_mismatch",
                f"answered {', '.join(answers) or 'nothing'}",
                None,
            )
        return _timed(t, lat, ", ".join(answers) or "NOERROR", answers[0] if answers else None)
    hops = as_list(res.get("hops"))
    reached = any(h.get("resolvedAddress") == address for h in objects(hops))
    detail = f"{len(hops)} hops" + ("" if reached else ", target not reached")
    if not reached:
        return Status.DOWN, None, "unreachable", detail, address
    return Status.UP, None, None, detail, address


def _timed(
    t: Target, lat: float | None, detail: str, address: str | None
) -> tuple[Status, float | None, str | None, str, str | None]:
    if lat is not None and lat > t.settings.degraded_ms:
        return Status.DEGRADED, lat, "too_slow", f"{detail} in {lat:.0f} ms", address
    return Status.UP, lat, None, detail, address


def to_results(
    t: Target, vantage: str, group: str, ask: Ask[GpOptions], measurement: dict[str, object]
) -> tuple[list[ProbeResult], int]:
    """(records of the probes that answered, probes still in progress at the deadline).

    Offline probes give no record; a result shape we do not understand is skipped
    rather than guessed at."""
    out: list[ProbeResult] = []
    pending = 0
    now = timeutil.now()
    for item in objects(measurement.get("results")):
        probe, res = item.get("probe"), item.get("result")
        if not isinstance(probe, dict) or not isinstance(res, dict):
            continue
        probe, res = as_object(probe), as_object(res)
        state = res.get("status")
        if state == "offline":
            continue
        if state == "in-progress":
            pending += 1
            continue
        if state not in ("finished", "failed"):
            continue
        verdict = _verdict(t, ask, res)
        out.append(member_result(t, vantage, group, ask, verdict, remote_of(probe), now))
    return out, pending
