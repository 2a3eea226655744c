"""The workspace file's types (CONTRACT.md): what a workspace watches and where it talks.

Plain frozen dataclasses and pure helpers, no I/O: ``warroom.config.parse`` builds them
from TOML, ``warroom.config.dump`` writes them back, and the probe engine, the dashboard
and the CLI read them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from warroom.domain.comms import Comms

SYSTEM_VANTAGE = "system"
CHECK_SCHEMES = {"http": "http", "https": "http", "tcp": "tcp", "tls": "tls", "dns": "dns"}
CHECK_SCHEMES["icmp"] = "icmp"
PROXY_SCHEMES = ("http", "https", "socks5", "socks5h")
DNS_RECORDS = ("A", "AAAA", "CNAME", "MX", "NS", "TXT", "SOA", "PTR", "SRV", "CAA")


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with the file; ``line``/``col`` are 1-based (None: whole file)."""

    line: int | None
    field: str
    message: str
    col: int | None = None

    def format(self, source: str) -> str:
        where = f"{source}:{self.line}" if self.line else source
        return (
            f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"
        )


@dataclass(frozen=True, slots=True)
class ProbeSettings:
    """``[probe]`` defaults; the first group may be overridden on one target."""

    interval: float = 30.0
    timeout: float = 5.0
    fail_after: int = 2
    recover_after: int = 2
    degraded_ms: float = 1000.0
    min_cert_days: int | None = None
    max_redirects: int = 10
    max_body_bytes: int = 1_048_576
    # Engine-wide only:
    jitter: float = 0.1
    concurrency: int = 64
    reference: tuple[str, ...] = ()
    remote_budget_per_hour: int = 200  # remote tests (one per probe asked) per sliding hour
    remote_interval: float = 300.0  # remote vantages are metered: a slower rhythm


TARGET_OVERRIDABLE = (
    "interval",
    "timeout",
    "fail_after",
    "recover_after",
    "degraded_ms",
    "min_cert_days",
    "max_redirects",
    "max_body_bytes",
)
DURATION_SETTINGS = ("interval", "timeout", "remote_interval")


REMOTE_KINDS = ("globalping", "ripe_atlas")


@dataclass(frozen=True, slots=True)
class RemoteSpec:
    """A remote vantage: a public probe network asked through its API.

    ``locations`` are the groups, in file order: Globalping location strings as written
    ("AS3303", "CH", "Zurich", a network or tag); for RIPE Atlas "AS3303" per ``asns``
    entry or the country code per ``countries`` entry (``by`` says which key was used,
    so the file is written back the way it was read). ``line`` is where that key sits
    in the file, so an API that rejects a location can be reported at the right line.
    """

    kind: str  # globalping, ripe_atlas
    url: str  # the API base, e.g. https://api.globalping.io
    locations: tuple[str, ...]
    probes: int = 2  # probes per location
    secret: str | None = None  # name of a stored secret, never its value
    by: str = "locations"  # locations, asns, countries
    interval: float | None = None  # None: [probe] remote_interval
    source: str | None = field(default=None, compare=False)  # the file it was read from
    line: int | None = field(default=None, compare=False)

    def where(self) -> str:
        """``ws.toml:34`` (or what is known of it) for error lines."""
        if self.source and self.line:
            return f"{self.source}:{self.line}"
        return self.source or "the workspace file"


@dataclass(frozen=True, slots=True)
class Vantage:
    """Where a check runs from. ``system`` is the workstation's own path."""

    name: str
    resolver: str | None = None  # "host[:port]" as written
    family: int | None = None
    proxy: str | None = None
    remote: RemoteSpec | None = None  # set: probes in other networks answer for it

    @property
    def is_remote(self) -> bool:
        return self.remote is not None

    @property
    def resolver_addr(self) -> tuple[str, int] | None:
        return split_host_port(self.resolver, 53) if self.resolver else None


@dataclass(frozen=True, slots=True)
class Target:
    name: str
    url: str
    check: str  # http, tcp, tls, dns, icmp
    host: str
    port: int | None
    settings: ProbeSettings
    overrides: tuple[str, ...] = ()  # which settings were set on the target itself
    expect_status: tuple[int, ...] | None = None  # None: 200-399
    follow_redirects: bool = True
    expect_body: str | None = None
    ca_file: str | None = None  # as written
    ca_path: Path | None = None  # resolved against the file's directory
    vantages: tuple[str, ...] | None = None  # None: every vantage
    expect_banner: str | None = None
    record: str = "A"
    expect_answer: tuple[str, ...] | None = None
    server: str | None = None


@dataclass(frozen=True, slots=True)
class Feed:
    name: str
    kind: str  # mastodon, rss, bluesky, statuspage
    url: str
    hashtag: str | None = None
    search: str | None = None
    handle: str | None = None
    secret: str | None = None
    interval: float | None = None


@dataclass(frozen=True, slots=True)
class Channel:
    name: str
    kind: str  # mastodon, bluesky, statuspage
    url: str
    handle: str | None = None
    secret: str | None = None
    # statuspage: the page and the components set from the measurements (target, id)
    page_id: str | None = None
    components: tuple[tuple[str, str], ...] = ()
    visibility: str | None = None  # mastodon: public (default), unlisted, private


@dataclass(frozen=True, slots=True)
class WorkspaceConfig:
    probe: ProbeSettings = field(default_factory=ProbeSettings)
    vantages: tuple[Vantage, ...] = ()  # declared ones; see all_vantages()
    targets: tuple[Target, ...] = ()
    feeds: tuple[Feed, ...] = ()
    channels: tuple[Channel, ...] = ()
    path: Path | None = None
    comms: Comms = field(default_factory=Comms)
    # Name lookups happen per check (300/s with 1,000 targets): index them once.
    _targets_by_name: dict[str, Target] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )
    _vantages_by_name: dict[str, Vantage] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        self._targets_by_name.update((t.name, t) for t in self.targets)
        self._vantages_by_name.update((v.name, v) for v in self.all_vantages())

    def all_vantages(self) -> tuple[Vantage, ...]:
        """``system`` first, then the declared ones in file order."""
        return (Vantage(SYSTEM_VANTAGE), *self.vantages)

    def vantage(self, name: str) -> Vantage:
        return self._vantages_by_name[name]

    def target(self, name: str) -> Target:
        return self._targets_by_name[name]

    def vantages_of(self, target: Target) -> tuple[Vantage, ...]:
        """The local vantages of a target (checked from this workstation)."""
        return tuple(v for v in self._listed(target) if v.remote is None)

    def remote_vantages_of(self, target: Target) -> tuple[Vantage, ...]:
        """The remote vantages of a target (probe networks, on their own rhythm)."""
        return tuple(v for v in self._listed(target) if v.remote is not None)

    def remote_vantages(self) -> tuple[Vantage, ...]:
        return tuple(v for v in self.vantages if v.remote is not None)

    def _listed(self, target: Target) -> tuple[Vantage, ...]:
        if target.vantages is None:
            return self.all_vantages()
        return tuple(self.vantage(n) for n in target.vantages)


def split_host_port(text: str, default_port: int) -> tuple[str, int]:
    """``host``, ``host:53``, ``[::1]:53`` or a bare IPv6 address; ValueError if bad."""
    s = text.strip()
    if not s:
        raise ValueError("empty address")
    if s.startswith("["):
        end = s.find("]")
        if end < 0:
            raise ValueError(f"unclosed [ in {text!r}")
        host, rest = s[1:end], s[end + 1 :]
        if rest and not rest.startswith(":"):
            raise ValueError(f"cannot read {text!r}; expected [v6]:port")
        port_s = rest[1:] if rest else ""
    elif s.count(":") == 1:
        host, port_s = s.split(":")
    else:
        host, port_s = s, ""
    if not host:
        raise ValueError(f"no host in {text!r}")
    if port_s:
        if not port_s.isdigit() or not 0 < int(port_s) < 65536:
            raise ValueError(f"bad port in {text!r}")
        return host, int(port_s)
    return host, default_port


def check_url(url: str) -> tuple[str, str, int | None]:
    """(check, host, port) of a target URL; ValueError says what is wrong."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise ValueError(f"cannot read URL {url!r}: {exc}") from exc
    scheme = parts.scheme.lower()
    if scheme not in CHECK_SCHEMES:
        raise ValueError(
            f"unsupported scheme {parts.scheme or '(none)'!r} in {url!r}; "
            "expected http, https, tcp, tls, dns or icmp"
        )
    host = parts.hostname
    if not host:
        raise ValueError(f"no host in {url!r}")
    check = CHECK_SCHEMES[scheme]
    if check == "tcp" and port is None:
        raise ValueError(f"tcp:// needs a port, e.g. tcp://{host}:25")
    if check in ("dns", "icmp") and port is not None:
        raise ValueError(f'{scheme}:// takes no port; use server = "host:port" for DNS')
    if port is None and scheme in ("https", "tls"):
        port = 443
    elif port is None and scheme == "http":
        port = 80
    return check, host, port


def target_from_url(name: str, url: str, settings: ProbeSettings | None = None) -> Target:
    """A bare target for a URL (gate reference checks, ad-hoc probes); ValueError if bad."""
    check, host, port = check_url(url)
    return Target(
        name=name, url=url, check=check, host=host, port=port, settings=settings or ProbeSettings()
    )
