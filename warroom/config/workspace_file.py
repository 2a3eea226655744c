"""The workspace TOML file (CONTRACT.md): what the workspace watches and where it talks.

Public API:

- ``load(path) -> WorkspaceConfig``: raises ``WorkspaceFileError`` (exit code 3) whose
  one line says file, line and field of the first problem.
- ``parse_text(text, *, source, base_dir) -> (WorkspaceConfig | None, list[Problem])``.
- ``validate_text(text, *, base_dir=None) -> list[Problem]``: for an editor that points at
  the line; an empty list means the text loads.
- ``dumps(config) -> str`` / ``save(config, path)`` (atomic). Comments are not kept: an
  editor that wants them keeps the text and only validates it.

Semantic problems carry the line of the offending key (or of the table's header) found
in the raw text, because tomllib only reports lines for syntax errors.
"""

from __future__ import annotations

import json
import math
import os
import re
import tomllib
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from warroom.base.errors import WarroomError
from warroom.base.timeutil import parse_duration
from warroom.config import comms as comms_table
from warroom.config.comms import Comms

SYSTEM_VANTAGE = "system"
CHECK_SCHEMES = {"http": "http", "https": "http", "tcp": "tcp", "tls": "tls", "dns": "dns"}
CHECK_SCHEMES["icmp"] = "icmp"
PROXY_SCHEMES = ("http", "https", "socks5", "socks5h")
DNS_RECORDS = ("A", "AAAA", "CNAME", "MX", "NS", "TXT", "SOA", "PTR", "SRV", "CAA")
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


class WorkspaceFileError(WarroomError):
    """The workspace file cannot be used; ``str()`` is ``file:line: field: message``."""

    exit_code = 3

    def __init__(self, problems: list[Problem], source: str) -> None:
        self.problems = problems
        self.file = source
        first = problems[0]
        self.line = first.line
        self.field = first.field
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        super().__init__(first.format(source) + more)


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
_DURATIONS = ("interval", "timeout")


@dataclass(frozen=True, slots=True)
class Vantage:
    """Where a check runs from. ``system`` is the workstation's own path."""

    name: str
    resolver: str | None = None  # "host[:port]" as written
    family: int | None = None
    proxy: str | None = None

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


# -- locating lines in the raw text ------------------------------------------------

_HEADER = re.compile(r"^\s*(\[\[?)\s*([A-Za-z0-9_.\-\"' ]+?)\s*\]\]?")
_KEY = re.compile(r"^\s*([A-Za-z0-9_-]+|\"[^\"]*\")\s*=")


class _Lines:
    """Where tables and keys sit in the text: enough to point an editor at a line."""

    def __init__(self, text: str) -> None:
        self.tables: dict[tuple[str, int], int] = {}
        self.keys: dict[tuple[str, int, str], int] = {}
        counts: dict[str, int] = {}
        section, index = "", 0
        for no, line in enumerate(text.splitlines(), start=1):
            m = _HEADER.match(line)
            if m and "=" not in line.split("]", 1)[0]:
                section = m.group(2).strip().strip("\"'")
                if m.group(1) == "[[":
                    index = counts.get(section, 0)
                    counts[section] = index + 1
                else:
                    index = 0
                self.tables.setdefault((section, index), no)
                continue
            k = _KEY.match(line)
            if k:
                self.keys.setdefault((section, index, k.group(1).strip('"')), no)

    def line(self, section: str, index: int = 0, key: str | None = None) -> int | None:
        if key is not None and (section, index, key) in self.keys:
            return self.keys[(section, index, key)]
        return self.tables.get((section, index))


# -- parsing -----------------------------------------------------------------------


class _Collector:
    def __init__(self, lines: _Lines) -> None:
        self.lines = lines
        self.problems: list[Problem] = []

    def add(self, section: str, index: int, key: str | None, label: str, message: str) -> None:
        line = self.lines.line(section, index, key)
        self.problems.append(Problem(line, label, message))


def _label(section: str, index: int, name: Any, key: str | None) -> str:
    if section == "probe":
        base = "probe"
    elif isinstance(name, str) and name:
        base = f"{section} {name!r}"
    else:
        base = f"{section}[{index + 1}]"
    return f"{base}.{key}" if key else base


def _settings_value(key: str, value: Any) -> Any:
    """One [probe] value, checked; raises ValueError with a readable message."""
    if key in _DURATIONS:
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            raise ValueError('expected a duration such as "30s" or "1500ms"')
        try:
            seconds = parse_duration(value)
        except ValueError as exc:
            raise ValueError(
                f'bad duration {value!r}; expected e.g. "30s", "5m", "1500ms"'
            ) from exc
        if not math.isfinite(seconds) or seconds <= 0:
            raise ValueError("must be more than zero")
        if key == "interval" and seconds < 0.05:
            raise ValueError("must be at least 50ms")
        return seconds
    if key in ("fail_after", "recover_after", "max_redirects", "max_body_bytes", "concurrency"):
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError("expected a whole number")
        low = 0 if key == "max_redirects" else 1
        if value < low:
            raise ValueError(f"must be at least {low}")
        return value
    if key == "min_cert_days":
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ValueError("expected a whole number of days, 0 or more")
        return value
    if key == "degraded_ms":
        if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
            raise ValueError("expected milliseconds, more than zero")
        return float(value)
    if key == "jitter":
        if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 0.5:
            raise ValueError("expected a fraction of the interval between 0 and 0.5")
        return float(value)
    if key == "reference":
        if not isinstance(value, list) or not all(isinstance(u, str) for u in value):
            raise ValueError('expected a list of check URLs, e.g. ["tcp://192.0.2.1:53"]')
        for u in value:
            _check_url(u)
        return tuple(value)
    raise KeyError(key)


def _check_url(url: str) -> tuple[str, str, int | None]:
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


_STR = (str,)
_TARGET_KEYS = {
    "name",
    "url",
    "expect_status",
    "follow_redirects",
    "expect_body",
    "ca_file",
    "vantages",
    "expect_banner",
    "record",
    "expect_answer",
    "server",
    *TARGET_OVERRIDABLE,
}
_KIND_KEYS = {
    "expect_status": ("http",),
    "follow_redirects": ("http",),
    "expect_body": ("http",),
    "max_redirects": ("http",),
    "max_body_bytes": ("http",),
    "ca_file": ("http", "tls"),
    "min_cert_days": ("http", "tls"),
    "expect_banner": ("tcp", "tls"),
    "record": ("dns",),
    "expect_answer": ("dns",),
    "server": ("dns",),
}
_PROBE_KEYS = {f.name for f in fields(ProbeSettings)}
_VANTAGE_KEYS = {"name", "resolver", "family", "proxy"}
_FEED_SOURCES = ("mastodon", "rss", "bluesky", "statuspage")
_FEED_KEYS = {"name", *_FEED_SOURCES, "hashtag", "search", "handle", "secret", "interval"}
_CHANNEL_SOURCES = ("mastodon", "bluesky", "statuspage")
_CHANNEL_KEYS = {
    "name",
    *_CHANNEL_SOURCES,
    "handle",
    "secret",
    "page_id",
    "components",
    "visibility",
}
_TOP = {"probe", "vantage", "target", "feed", "channel", "comms"}


def parse_text(
    text: str, *, source: str = "<text>", base_dir: Path | None = None
) -> tuple[WorkspaceConfig | None, list[Problem]]:
    """Parse and check; returns the config only when there are no problems."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        msg = str(exc)
        m = re.search(r"\(at line (\d+), column (\d+)\)", msg)
        line, col = (int(m.group(1)), int(m.group(2))) if m else (None, None)
        clean = re.sub(r"\s*\(at line \d+, column \d+\)", "", msg) or "invalid TOML"
        return None, [Problem(line, "", f"invalid TOML: {clean}", col)]
    lines = _Lines(text)
    c = _Collector(lines)
    for key in data:
        if key not in _TOP:
            c.add(key, 0, None, key, f"unknown section or key; expected one of {sorted(_TOP)}")
            if (key, 0) not in lines.tables:
                c.problems[-1] = replace(c.problems[-1], line=lines.line("", 0, key))

    probe = _parse_probe(data.get("probe", {}), c)
    vantages = _parse_vantages(_tables(data, "vantage", c), c)
    vnames = {v.name for v in vantages} | {SYSTEM_VANTAGE}
    targets = _parse_targets(_tables(data, "target", c), c, probe, vnames, base_dir)
    feeds = _parse_feeds(_tables(data, "feed", c), c)
    channels = _parse_channels(_tables(data, "channel", c), c)
    comms = comms_table.parse(data.get("comms", {}), c.add)
    if c.problems:
        return None, c.problems
    cfg = WorkspaceConfig(
        probe=probe,
        vantages=tuple(vantages),
        targets=tuple(targets),
        feeds=tuple(feeds),
        channels=tuple(channels),
        comms=comms,
    )
    return cfg, []


def validate_text(text: str, *, base_dir: Path | None = None) -> list[Problem]:
    """Problems with line numbers, for an editor; [] when the text is usable."""
    return parse_text(text, base_dir=base_dir)[1]


def load(path: str | os.PathLike[str]) -> WorkspaceConfig:
    p = Path(path)
    try:
        raw = p.read_bytes()
    except OSError as exc:
        raise WorkspaceFileError(
            [Problem(None, "", f"cannot read: {exc.strerror or exc}")], str(p)
        ) from exc
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise WorkspaceFileError([Problem(None, "", "not UTF-8 text")], str(p)) from exc
    cfg, problems = parse_text(text, source=str(p), base_dir=p.parent.absolute())
    if problems or cfg is None:
        raise WorkspaceFileError(problems, str(p))
    return replace(cfg, path=p)


def _tables(data: dict[str, Any], section: str, c: _Collector) -> list[dict[str, Any]]:
    value = data.get(section, [])
    if isinstance(value, dict):
        c.add(section, 0, None, section, f"write [[{section}]] (a list of tables), not [{section}]")
        return []
    if not isinstance(value, list) or not all(isinstance(t, dict) for t in value):
        c.add("", 0, section, section, f"expected [[{section}]] tables")
        return []
    return value


def _unknown(t: dict[str, Any], allowed: set[str], section: str, i: int, c: _Collector) -> None:
    for key in t:
        if key not in allowed:
            c.add(
                section,
                i,
                key,
                _label(section, i, t.get("name"), key),
                f"unknown key; expected one of {', '.join(sorted(allowed))}",
            )


def _name(t: dict[str, Any], section: str, i: int, c: _Collector, seen: set[str]) -> str | None:
    name = t.get("name")
    if not isinstance(name, str) or not name:
        c.add(section, i, "name", _label(section, i, None, "name"), "missing name")
        return None
    if not _NAME.match(name):
        c.add(
            section,
            i,
            "name",
            _label(section, i, name, "name"),
            "a name is letters, digits, '-', '_' or '.', at most 64",
        )
        return None
    if name in seen:
        c.add(section, i, "name", _label(section, i, name, "name"), f"duplicate {section} name")
        return None
    seen.add(name)
    return name


def _opt_str(t: dict[str, Any], key: str, section: str, i: int, c: _Collector) -> str | None:
    v = t.get(key)
    if v is None:
        return None
    if not isinstance(v, str) or not v:
        c.add(
            section, i, key, _label(section, i, t.get("name"), key), "expected a non-empty string"
        )
        return None
    return v


def _parse_probe(raw: Any, c: _Collector) -> ProbeSettings:
    if not isinstance(raw, dict):
        c.add("", 0, "probe", "probe", "expected a [probe] table")
        return ProbeSettings()
    _unknown(raw, _PROBE_KEYS, "probe", 0, c)
    values: dict[str, Any] = {}
    for key, v in raw.items():
        if key not in _PROBE_KEYS:
            continue
        try:
            values[key] = _settings_value(key, v)
        except ValueError as exc:
            c.add("probe", 0, key, f"probe.{key}", str(exc))
    return ProbeSettings(**values)


def _parse_vantages(tables: list[dict[str, Any]], c: _Collector) -> list[Vantage]:
    out, seen = [], set[str]()
    for i, t in enumerate(tables):
        _unknown(t, _VANTAGE_KEYS, "vantage", i, c)
        name = _name(t, "vantage", i, c, seen)
        if name == SYSTEM_VANTAGE:
            c.add("vantage", i, "name", "vantage.name", '"system" is built in; choose another name')
            continue

        def lab(k: str, _i: int = i, _n: str | None = name) -> str:
            return _label("vantage", _i, _n, k)

        resolver = _opt_str(t, "resolver", "vantage", i, c)
        if resolver:
            try:
                split_host_port(resolver, 53)
            except ValueError as exc:
                c.add("vantage", i, "resolver", lab("resolver"), f"{exc}; expected host[:port]")
        family = t.get("family")
        if family is not None and (isinstance(family, bool) or family not in (4, 6)):
            c.add("vantage", i, "family", lab("family"), "expected 4 or 6")
            family = None
        proxy = _opt_str(t, "proxy", "vantage", i, c)
        if proxy:
            try:
                pu = urlsplit(proxy)
                ok = pu.scheme.lower() in PROXY_SCHEMES and bool(pu.hostname) and pu.port
            except ValueError:
                ok = False
            if not ok:
                c.add(
                    "vantage",
                    i,
                    "proxy",
                    lab("proxy"),
                    f"bad proxy {proxy!r}; expected http://host:port or socks5://host:port",
                )
        if name:
            out.append(Vantage(name=name, resolver=resolver, family=family, proxy=proxy))
    return out


def _parse_targets(
    tables: list[dict[str, Any]],
    c: _Collector,
    probe: ProbeSettings,
    vnames: set[str],
    base_dir: Path | None,
) -> list[Target]:
    out, seen = [], set[str]()
    for i, t in enumerate(tables):
        _unknown(t, _TARGET_KEYS, "target", i, c)
        name = _name(t, "target", i, c, seen)
        before = len(c.problems)

        def lab(k: str, _i: int = i, _n: str | None = name) -> str:
            return _label("target", _i, _n, k)

        def bad(k: str, msg: str, _i: int = i) -> None:
            c.add("target", _i, k, lab(k), msg)

        url = t.get("url")
        check, host, port = "", "", None
        if not isinstance(url, str) or not url:
            bad("url", "missing url (http(s)://, tcp://, tls://, dns:// or icmp://)")
        else:
            try:
                check, host, port = _check_url(url)
            except ValueError as exc:
                bad("url", str(exc))
        if check:
            for key, kinds in _KIND_KEYS.items():
                if key in t and check not in kinds:
                    bad(key, f"does not apply to a {check} check")
        over: dict[str, Any] = {}
        for key in TARGET_OVERRIDABLE:
            if key in t:
                try:
                    over[key] = _settings_value(key, t[key])
                except ValueError as exc:
                    bad(key, str(exc))
        status = t.get("expect_status")
        expect_status: tuple[int, ...] | None = None
        if status is not None:
            vals = status if isinstance(status, list) else [status]
            if not vals or not all(
                isinstance(s, int) and not isinstance(s, bool) and 100 <= s <= 599 for s in vals
            ):
                bad("expect_status", "expected HTTP status codes 100-599, e.g. [200, 204]")
            else:
                expect_status = tuple(vals)
        follow = t.get("follow_redirects", True)
        if not isinstance(follow, bool):
            bad("follow_redirects", "expected true or false")
            follow = True
        expect_body = _opt_str(t, "expect_body", "target", i, c)
        expect_banner = _opt_str(t, "expect_banner", "target", i, c)
        ca_file = _opt_str(t, "ca_file", "target", i, c)
        ca_path = None
        if ca_file:
            ca_path = Path(ca_file).expanduser()
            if base_dir is not None and not ca_path.is_absolute():
                ca_path = base_dir / ca_path
            if base_dir is not None and not ca_path.is_file():
                bad("ca_file", f"no such file: {ca_path}")
        vant = t.get("vantages")
        vantages: tuple[str, ...] | None = None
        if vant is not None:
            if not isinstance(vant, list) or not vant or not all(isinstance(v, str) for v in vant):
                bad("vantages", 'expected a list of vantage names, e.g. ["system", "isp-a"]')
            else:
                unknown = [v for v in vant if v not in vnames]
                if unknown:
                    bad(
                        "vantages",
                        f"unknown vantage {', '.join(map(repr, unknown))}; "
                        f"known: {', '.join(sorted(vnames))}",
                    )
                elif len(set(vant)) != len(vant):
                    bad("vantages", "a vantage is listed twice")
                else:
                    vantages = tuple(vant)
        record = t.get("record", "A")
        if not isinstance(record, str) or record.upper() not in DNS_RECORDS:
            bad("record", f"expected one of {', '.join(DNS_RECORDS)}")
            record = "A"
        answer = t.get("expect_answer")
        expect_answer: tuple[str, ...] | None = None
        if answer is not None:
            vals = answer if isinstance(answer, list) else [answer]
            if not vals or not all(isinstance(a, str) and a for a in vals):
                bad("expect_answer", 'expected a list of answers, e.g. ["192.0.2.10"]')
            else:
                expect_answer = tuple(vals)
        server = _opt_str(t, "server", "target", i, c)
        if server:
            try:
                split_host_port(server, 53)
            except ValueError as exc:
                bad("server", f"{exc}; expected host[:port]")
        if name is None or len(c.problems) != before or not check:
            continue
        out.append(
            Target(
                name=name,
                url=str(url),
                check=check,
                host=host,
                port=port,
                settings=replace(probe, **over),
                overrides=tuple(over),
                expect_status=expect_status,
                follow_redirects=follow,
                expect_body=expect_body,
                ca_file=ca_file,
                ca_path=ca_path,
                vantages=vantages,
                expect_banner=expect_banner,
                record=record.upper(),
                expect_answer=expect_answer,
                server=server,
            )
        )
    return out


def _source(
    t: dict[str, Any],
    sources: tuple[str, ...],
    section: str,
    i: int,
    name: str | None,
    c: _Collector,
) -> tuple[str, str] | None:
    present = [s for s in sources if s in t]
    if len(present) != 1:
        c.add(
            section,
            i,
            present[1] if len(present) > 1 else None,
            _label(section, i, name, None),
            f"needs exactly one of {', '.join(sources)}",
        )
        return None
    kind = present[0]
    url = t[kind]
    try:
        ok = (
            isinstance(url, str)
            and urlsplit(url).scheme in ("http", "https")
            and bool(urlsplit(url).hostname)
        )
    except ValueError:
        ok = False
    if not ok:
        c.add(section, i, kind, _label(section, i, name, kind), "expected an http(s):// URL")
        return None
    return kind, str(url)


def _parse_feeds(tables: list[dict[str, Any]], c: _Collector) -> list[Feed]:
    out, seen = [], set[str]()
    for i, t in enumerate(tables):
        before = len(c.problems)
        _unknown(t, _FEED_KEYS, "feed", i, c)
        name = _name(t, "feed", i, c, seen)
        src = _source(t, _FEED_SOURCES, "feed", i, name, c)
        strs = {k: _opt_str(t, k, "feed", i, c) for k in ("hashtag", "search", "handle", "secret")}
        interval = None
        if "interval" in t:
            try:
                interval = _settings_value("interval", t["interval"])
            except ValueError as exc:
                c.add("feed", i, "interval", _label("feed", i, name, "interval"), str(exc))
        if name and src and len(c.problems) == before:
            out.append(Feed(name=name, kind=src[0], url=src[1], interval=interval, **strs))
    return out


def _parse_channels(tables: list[dict[str, Any]], c: _Collector) -> list[Channel]:
    out, seen = [], set[str]()
    for i, t in enumerate(tables):
        before = len(c.problems)
        _unknown(t, _CHANNEL_KEYS, "channel", i, c)
        name = _name(t, "channel", i, c, seen)
        src = _source(t, _CHANNEL_SOURCES, "channel", i, name, c)
        strs = {k: _opt_str(t, k, "channel", i, c) for k in ("handle", "secret", "page_id")}
        visibility = _opt_str(t, "visibility", "channel", i, c)
        if visibility is not None and visibility not in ("public", "unlisted", "private"):
            label = _label("channel", i, name, "visibility")
            c.add("channel", i, "visibility", label, "expected public, unlisted or private")
        comps = _str_table(t, "components", "channel", i, name, c)
        if src and src[0] == "statuspage" and not strs["page_id"]:
            label = _label("channel", i, name, "page_id")
            c.add("channel", i, None, label, "a statuspage channel needs page_id")
        if src and src[0] == "bluesky" and not strs["handle"]:
            c.add("channel", i, None, _label("channel", i, name, "handle"), "missing handle")
        if name and src and len(c.problems) == before:
            out.append(
                Channel(
                    name=name,
                    kind=src[0],
                    url=src[1],
                    components=comps,
                    visibility=visibility,
                    **strs,
                )
            )
    return out


def _str_table(
    t: dict[str, Any], key: str, section: str, i: int, name: Any, c: _Collector
) -> tuple[tuple[str, str], ...]:
    """An inline table of non-empty strings (``{ www = "8kbf7d35c070" }``)."""
    v = t.get(key)
    if v is None:
        return ()
    if not isinstance(v, dict) or not all(isinstance(x, str) and x for x in v.values()):
        msg = 'expected a table of strings, e.g. { www = "8kbf7d35c070" }'
        c.add(section, i, key, _label(section, i, name, key), msg)
        return ()
    return tuple((str(k), str(x)) for k, x in v.items())


# -- writing -----------------------------------------------------------------------


def _fmt_duration(seconds: float) -> str:
    ms = round(seconds * 1000)
    if ms % 1000:
        return f"{ms}ms"
    s = ms // 1000
    if s % 3600 == 0:
        return f"{s // 3600}h"
    if s % 60 == 0:
        return f"{s // 60}m"
    return f"{s}s"


def _value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        return str(int(v)) if v.is_integer() else repr(v)
    if isinstance(v, str):
        return json.dumps(v, ensure_ascii=False)
    if isinstance(v, list | tuple):
        return "[" + ", ".join(_value(x) for x in v) + "]"
    raise TypeError(type(v))


def _setting(key: str, v: Any) -> str:
    return _value(_fmt_duration(v) if key in _DURATIONS else v)


def dumps(config: WorkspaceConfig) -> str:
    """TOML text that ``parse_text`` reads back to an equal config (comments not kept)."""
    out: list[str] = []
    default = ProbeSettings()
    probe = [
        f"{f.name} = {_setting(f.name, getattr(config.probe, f.name))}"
        for f in fields(ProbeSettings)
        if getattr(config.probe, f.name) != getattr(default, f.name)
        and getattr(config.probe, f.name) is not None
    ]
    if probe:
        out += ["[probe]", *probe, ""]
    for v in config.vantages:
        out += ["[[vantage]]", f"name = {_value(v.name)}"]
        for key in ("resolver", "family", "proxy"):
            if getattr(v, key) is not None:
                out.append(f"{key} = {_value(getattr(v, key))}")
        out.append("")
    for t in config.targets:
        out += ["[[target]]", f"name = {_value(t.name)}", f"url = {_value(t.url)}"]
        for key in (
            "expect_status",
            "expect_body",
            "ca_file",
            "vantages",
            "expect_banner",
            "expect_answer",
            "server",
        ):
            if getattr(t, key) is not None:
                out.append(f"{key} = {_value(getattr(t, key))}")
        if not t.follow_redirects:
            out.append("follow_redirects = false")
        if t.check == "dns" and t.record != "A":
            out.append(f"record = {_value(t.record)}")
        for key in t.overrides:
            v = getattr(t.settings, key)
            if v is not None:
                out.append(f"{key} = {_setting(key, v)}")
        out.append("")
    for f in config.feeds:
        out += ["[[feed]]", f"name = {_value(f.name)}", f"{f.kind} = {_value(f.url)}"]
        for key in ("hashtag", "search", "handle", "secret"):
            if getattr(f, key) is not None:
                out.append(f"{key} = {_value(getattr(f, key))}")
        if f.interval is not None:
            out.append(f"interval = {_setting('interval', f.interval)}")
        out.append("")
    for ch in config.channels:
        out += ["[[channel]]", f"name = {_value(ch.name)}", f"{ch.kind} = {_value(ch.url)}"]
        for key in ("handle", "secret", "page_id", "visibility"):
            if getattr(ch, key) is not None:
                out.append(f"{key} = {_value(getattr(ch, key))}")
        if ch.components:
            pairs = ", ".join(f"{_value(k)} = {_value(v)}" for k, v in ch.components)
            out.append(f"components = {{ {pairs} }}")
        out.append("")
    out += comms_table.dump(config.comms, _value, lambda v: _setting("interval", v))
    return "\n".join(out).rstrip("\n") + "\n"


def save_text(text: str, path: str | os.PathLike[str]) -> None:
    """Write atomically (temp file + rename): a crash never leaves half a file."""
    p = Path(path)
    tmp = p.with_name(f".{p.name}.{os.getpid()}.tmp")
    try:
        with tmp.open("w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, p)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise WarroomError(f"cannot save {p}: {exc.strerror or exc}") from exc


def save(config: WorkspaceConfig, path: str | os.PathLike[str]) -> None:
    save_text(dumps(config), path)


def target_from_url(name: str, url: str, settings: ProbeSettings | None = None) -> Target:
    """A bare target for a URL (gate reference checks, ad-hoc probes); ValueError if bad."""
    check, host, port = _check_url(url)
    return Target(
        name=name, url=url, check=check, host=host, port=port, settings=settings or ProbeSettings()
    )
