"""The JSON shapes the loopback Globalping and RIPE Atlas fakes answer in, as the
published specs name them: Globalping's OpenAPI spec of API v1 (jsdelivr/globalping,
``public/v1``) and the RIPE Atlas REST API v2 manual with its measurement result format
(fw 5000).

Written here, from the specs, apart from the client's request types in
``warroom.probes.remote.shapes``: sim imports nothing but ``base`` (tests/unit/
test_layers.py), and a field name the client got wrong is then not mirrored by the fake
it is tested against. The few request shapes the fakes read back (locations, options,
a definition) are therefore written twice, on purpose.
"""

from __future__ import annotations

from typing import Literal, NotRequired, TypeAlias, TypedDict

# -- Globalping: the parts of a request the fake keeps ------------------------------


class GpLocation(TypedDict):
    magic: str  # "AS3303", "CH", "Zurich": the API's fuzzy location match
    limit: int


class GpHttpRequest(TypedDict):
    method: str  # HEAD or GET
    path: str
    query: NotRequired[str]


class GpDnsQuery(TypedDict):
    type: str  # A, AAAA, MX, ...


class GpOptions(TypedDict, total=False):
    """``measurementOptions``: which keys apply depends on the measurement type."""

    protocol: str  # http: HTTP/HTTPS; ping: ICMP/TCP; dns: UDP/TCP; traceroute
    port: int
    request: GpHttpRequest  # http
    packets: int  # ping
    query: GpDnsQuery  # dns
    resolver: str  # dns


# -- Globalping: what it answers --------------------------------------------------


class GpCreated(TypedDict):
    id: str
    probesCount: int


class GpProbe(TypedDict):
    continent: str
    region: str
    country: str
    state: str | None
    city: str
    asn: int
    longitude: float
    latitude: float
    network: str
    tags: list[str]
    resolvers: list[str]


GpResultStatus: TypeAlias = Literal["in-progress", "finished", "failed", "offline"]


class GpBareResult(TypedDict):
    """A result still in progress, offline, or failed: only the raw output."""

    status: GpResultStatus
    rawOutput: str


class GpHttpTimings(TypedDict):
    total: float
    download: float
    firstByte: float
    dns: float
    tls: float | None
    tcp: float


class GpHttpResult(TypedDict):
    status: GpResultStatus
    rawOutput: str
    resolvedAddress: str | None
    headers: dict[str, str]
    rawHeaders: str
    rawBody: str | None  # None for HEAD
    truncated: bool
    statusCode: int
    statusCodeName: str
    timings: GpHttpTimings
    tls: dict[str, str] | None


class GpPingTiming(TypedDict):
    rtt: float
    ttl: int


class GpPingStats(TypedDict):
    min: float | None
    avg: float | None
    max: float | None
    total: int
    rcv: int
    drop: int
    loss: float


class GpPingResult(TypedDict):
    status: GpResultStatus
    rawOutput: str
    resolvedAddress: str | None
    resolvedHostname: str | None
    timings: list[GpPingTiming]
    stats: GpPingStats


# "class" is a Python keyword: the functional form can name it.
GpDnsRecord = TypedDict(
    "GpDnsRecord", {"name": str, "type": str, "ttl": int, "class": str, "value": str}
)


class GpDnsTimings(TypedDict):
    total: float


class GpDnsResult(TypedDict):
    status: GpResultStatus
    rawOutput: str
    statusCode: int
    statusCodeName: str
    resolver: str
    answers: list[GpDnsRecord]
    timings: GpDnsTimings


class GpHopTiming(TypedDict):
    rtt: float


class GpHop(TypedDict):
    resolvedAddress: str | None
    resolvedHostname: str | None
    timings: list[GpHopTiming]


class GpTracerouteResult(TypedDict):
    status: GpResultStatus
    rawOutput: str
    resolvedAddress: str | None
    resolvedHostname: str | None
    hops: list[GpHop]


GpResult: TypeAlias = GpBareResult | GpHttpResult | GpPingResult | GpDnsResult | GpTracerouteResult


class GpProbeResult(TypedDict):
    probe: GpProbe
    result: GpResult


class GpMeasurement(TypedDict):
    id: str
    type: str
    status: Literal["in-progress", "finished"]
    createdAt: str
    updatedAt: str
    target: str
    probesCount: int
    locations: list[GpLocation]
    measurementOptions: GpOptions
    results: list[GpProbeResult]


class GpErrorBody(TypedDict):
    type: str  # validation_error, no_probes_found, rate_limit_exceeded, ...
    message: str


class GpError(TypedDict):
    error: GpErrorBody


# -- RIPE Atlas: the definition the fake keeps --------------------------------------


class AtlasDefinition(TypedDict, total=False):
    """One entry of ``definitions``; the measurement type decides which keys apply."""

    type: str  # ping, http, dns, sslcert, traceroute
    af: int
    description: str
    is_oneoff: bool
    target: str
    packets: int  # ping
    method: str  # http
    path: str  # http
    query_string: str  # http
    port: int  # http, sslcert
    hostname: str  # sslcert (SNI)
    query_class: str  # dns
    query_type: str  # dns
    query_argument: str  # dns
    protocol: str  # dns
    use_probe_resolver: bool  # dns


# -- RIPE Atlas: what it answers --------------------------------------------------


class AtlasCreated(TypedDict):
    measurements: list[int]


class AtlasStatus(TypedDict):
    id: int  # 2 ongoing, 4 stopped, 6 no suitable probes, ...
    name: str


class AtlasMeasurement(TypedDict):
    id: int
    type: str
    target: str
    description: str
    is_oneoff: bool
    af: int
    status: AtlasStatus
    probes_requested: int
    probes_scheduled: int
    participant_count: int | None


class AtlasProbeMeta(TypedDict):
    id: int
    asn_v4: int | None
    asn_v6: int | None
    country_code: str | None
    status: AtlasStatus


class AtlasProbePage(TypedDict):
    count: int
    next: str | None
    previous: str | None
    results: list[AtlasProbeMeta]


class AtlasCredits(TypedDict):
    current_balance: int
    estimated_daily_income: int
    estimated_daily_expenditure: int


class AtlasErrorBody(TypedDict):
    status: int
    code: int
    title: str
    detail: str


class AtlasError(TypedDict):
    error: AtlasErrorBody


class AtlasResultBase(TypedDict):
    """What every result carries (the result format, fw 5000)."""

    fw: int
    lts: int
    prb_id: int
    msm_id: int
    timestamp: int
    af: int
    dst_addr: str
    type: str
    # "from" is a keyword; the probe's public address is not needed by the client


class AtlasRtt(TypedDict, total=False):
    rtt: float  # a reply
    x: str  # "*": no reply
    error: str  # the ping could not be sent


class AtlasPingResult(AtlasResultBase):
    dst_name: str
    proto: str
    sent: int
    rcvd: int
    dup: int
    min: float
    avg: float
    max: float
    result: list[AtlasRtt]


class AtlasHttpReply(TypedDict, total=False):
    af: int
    dst_addr: str
    err: str  # the request failed: no res
    bsize: int
    hsize: int
    method: str
    res: int  # the HTTP status
    rt: float
    src_addr: str
    ver: str


class AtlasHttpResult(AtlasResultBase):
    uri: str
    result: list[AtlasHttpReply]


class AtlasSslcertResult(AtlasResultBase):
    dst_name: str
    dst_port: str
    method: str
    ver: str
    rt: float
    ttc: float
    cert: list[str]


class AtlasSslcertFailure(AtlasResultBase):
    dst_name: str
    err: str  # the handshake failed (or "alert": {...} for a TLS alert)


class AtlasDnsReply(TypedDict):
    ANCOUNT: int
    ARCOUNT: int
    ID: int
    NSCOUNT: int
    QDCOUNT: int
    abuf: str  # the answer in wire format, base64
    rt: float
    size: int


class AtlasDnsResult(AtlasResultBase):
    proto: str
    result: AtlasDnsReply


class AtlasDnsTimeout(AtlasResultBase):
    proto: str
    error: dict[str, int]  # {"timeout": 5000}: no answer


AtlasResult: TypeAlias = (
    AtlasPingResult
    | AtlasHttpResult
    | AtlasSslcertResult
    | AtlasSslcertFailure
    | AtlasDnsResult
    | AtlasDnsTimeout
)
