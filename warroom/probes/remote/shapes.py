"""What we send to the two probe-network APIs, in the shapes their published specs name.

Globalping: the OpenAPI spec of API v1 (jsdelivr/globalping, ``public/v1``): the
measurement request (``type``, ``target``, ``locations``, ``measurementOptions``,
``limit``, ``inProgressUpdates``). RIPE Atlas: the REST API v2 manual (a measurement's
``definitions`` and ``probes`` selection).

What we send is built as these types, so mypy checks every field name. What we receive
has no type here on purpose: the clients hold a decoded answer as ``object`` and narrow
it with ``warroom.base.jsonval``, because an API may answer anything. The loopback fakes
write the answer shapes from the specs on their own (``warroom.sim.probe_api_shapes``).
"""

from __future__ import annotations

from typing import Literal, NotRequired, TypedDict

# -- Globalping: what we ask ------------------------------------------------------


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


class GpMeasurementRequest(TypedDict):
    type: str  # ping, traceroute, dns, mtr, http
    target: str
    # a list of locations, or the id of an earlier measurement (the same probes again)
    locations: list[GpLocation] | str
    measurementOptions: GpOptions
    inProgressUpdates: bool
    limit: NotRequired[int]


# -- RIPE Atlas: what we ask ------------------------------------------------------


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


class AtlasSelection(TypedDict):
    type: Literal["asn", "country"]
    value: int | str  # 3303 or "CH"
    requested: int


class AtlasMeasurementRequest(TypedDict):
    definitions: list[AtlasDefinition]
    probes: list[AtlasSelection]
    is_oneoff: bool
