"""Reading the workspace TOML file (CONTRACT.md): parse and validate.

- ``load(path) -> WorkspaceConfig``: raises ``WorkspaceFileError`` (exit code 3) whose
  one line says file, line and field of the first problem.
- ``parse_text(text, *, source, base_dir) -> (WorkspaceConfig | None, list[Problem])``.
- ``validate_text(text, *, base_dir=None) -> list[Problem]``: for an editor that points at
  the line; an empty list means the text loads.

Semantic problems carry the line of the offending key (or of the table's header) found
in the raw text, because tomllib only reports lines for syntax errors.
"""

from __future__ import annotations

import os
import re
import sys
import tomllib
from dataclasses import fields, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from warroom.base.errors import WarroomError
from warroom.base.timeutil import positive_duration
from warroom.config import comms as comms_table
from warroom.domain.workspace import (
    DNS_RECORDS,
    PROXY_SCHEMES,
    REMOTE_KINDS,
    SYSTEM_VANTAGE,
    TARGET_OVERRIDABLE,
    Channel,
    Feed,
    ProbeSettings,
    Problem,
    RemoteSpec,
    Target,
    Vantage,
    WorkspaceConfig,
    check_url,
    split_host_port,
)
from warroom.domain.workspace import DURATION_SETTINGS as _DURATIONS

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


def _label(section: str, index: int, name: object, key: str | None) -> str:
    if section == "probe":
        base = "probe"
    elif isinstance(name, str) and name:
        base = f"{section} {name!r}"
    else:
        base = f"{section}[{index + 1}]"
    return f"{base}.{key}" if key else base


def _settings_value(key: str, value: object) -> float | int | tuple[str, ...]:
    """One [probe] value, checked; raises ValueError with a readable message."""
    if key in _DURATIONS:
        return _seconds(key, value)
    if key == "remote_budget_per_hour":
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ValueError("expected a whole number of remote tests per hour, 0 or more")
        return value
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
            check_url(u)
        return tuple(value)
    raise KeyError(key)


def _seconds(key: str, value: object) -> float:
    """A [probe] duration (interval, timeout, ...) in seconds, checked."""
    seconds = positive_duration(value, '"30s", "5m", "1500ms"')
    if key == "interval" and seconds < 0.05:
        raise ValueError("must be at least 50ms")
    if key == "remote_interval" and seconds < 1:
        raise ValueError("must be at least 1s (remote probes are metered)")
    return seconds


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
_LOCAL_VANTAGE_KEYS = ("resolver", "family", "proxy")
_REMOTE_VANTAGE_KEYS = (*REMOTE_KINDS, "locations", "asns", "countries", "probes", "secret")
_VANTAGE_KEYS = {"name", *_LOCAL_VANTAGE_KEYS, *_REMOTE_VANTAGE_KEYS, "interval"}
# A Globalping "magic" location: letters, digits, spaces and the punctuation of place and
# network names; the API decides whether probes exist there (an unknown one is reported
# at the file's line when the API says so).
_LOCATION = re.compile(r"^[\w][\w .,'&()+/-]{0,99}$")
_COUNTRY = re.compile(r"^[A-Z]{2}$")
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
    except ValueError:  # tomllib's int() refuses over sys.get_int_max_str_digits() digits
        return None, [_huge_integer(text)]
    lines = _Lines(text)
    c = _Collector(lines)
    for key in data:
        if key not in _TOP:
            c.add(key, 0, None, key, f"unknown section or key; expected one of {sorted(_TOP)}")
            if (key, 0) not in lines.tables:
                c.problems[-1] = replace(c.problems[-1], line=lines.line("", 0, key))

    probe = _parse_probe(data.get("probe", {}), c)
    vantages = _parse_vantages(_tables(data, "vantage", c), c, source)
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


_DIGITS = re.compile(r"(?<![0-9A-Za-z_.])[+-]?([0-9][0-9_]*)")


def _huge_integer(text: str) -> Problem:
    """Where the integer literal too long for Python sits (tomllib says no line)."""
    limit = sys.get_int_max_str_digits()
    for no, line in enumerate(text.splitlines(), start=1):
        for m in _DIGITS.finditer(line):
            n = len(m.group(1).replace("_", ""))
            if n > limit:
                return Problem(
                    no, "", f"integer with {n} digits; at most {limit} are read", m.start(1) + 1
                )
    return Problem(None, "", f"an integer has more than {limit} digits")


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


def _tables(data: dict[str, object], section: str, c: _Collector) -> list[dict[str, object]]:
    value = data.get(section, [])
    if isinstance(value, dict):
        c.add(section, 0, None, section, f"write [[{section}]] (a list of tables), not [{section}]")
        return []
    if not isinstance(value, list) or not all(isinstance(t, dict) for t in value):
        c.add("", 0, section, section, f"expected [[{section}]] tables")
        return []
    return value


def _unknown(t: dict[str, object], allowed: set[str], section: str, i: int, c: _Collector) -> None:
    for key in t:
        if key not in allowed:
            c.add(
                section,
                i,
                key,
                _label(section, i, t.get("name"), key),
                f"unknown key; expected one of {', '.join(sorted(allowed))}",
            )


def _name(t: dict[str, object], section: str, i: int, c: _Collector, seen: set[str]) -> str | None:
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


def _opt_str(t: dict[str, object], key: str, section: str, i: int, c: _Collector) -> str | None:
    v = t.get(key)
    if v is None:
        return None
    if not isinstance(v, str) or not v:
        c.add(
            section, i, key, _label(section, i, t.get("name"), key), "expected a non-empty string"
        )
        return None
    return v


def _parse_probe(raw: object, c: _Collector) -> ProbeSettings:
    if not isinstance(raw, dict):
        c.add("", 0, "probe", "probe", "expected a [probe] table")
        return ProbeSettings()
    _unknown(raw, _PROBE_KEYS, "probe", 0, c)
    # The key picks the ProbeSettings field and its type (checked by _settings_value);
    # mypy cannot follow that through **values.
    values: dict[str, Any] = {}
    for key, v in raw.items():
        if key not in _PROBE_KEYS:
            continue
        try:
            values[key] = _settings_value(key, v)
        except ValueError as exc:
            c.add("probe", 0, key, f"probe.{key}", str(exc))
    return ProbeSettings(**values)


def _parse_vantages(tables: list[dict[str, object]], c: _Collector, source: str) -> list[Vantage]:
    out, seen = [], set[str]()
    for i, t in enumerate(tables):
        _unknown(t, _VANTAGE_KEYS, "vantage", i, c)
        name = _name(t, "vantage", i, c, seen)
        if name == SYSTEM_VANTAGE:
            c.add("vantage", i, "name", "vantage.name", '"system" is built in; choose another name')
            continue
        if any(k in t for k in REMOTE_KINDS):
            before = len(c.problems)
            remote = _parse_remote(t, i, name, c, source)
            if name and remote is not None and len(c.problems) == before:
                out.append(Vantage(name=name, remote=remote))
            continue
        for key in (*_REMOTE_VANTAGE_KEYS, "interval"):
            if key in t:
                c.add(
                    "vantage",
                    i,
                    key,
                    _label("vantage", i, name, key),
                    "applies only to a remote vantage (globalping = URL or ripe_atlas = URL)",
                )

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


def _parse_remote(
    t: dict[str, object], i: int, name: str | None, c: _Collector, source: str
) -> RemoteSpec | None:
    """``globalping = URL`` / ``ripe_atlas = URL`` and their keys (CONTRACT.md)."""

    def bad(k: str | None, msg: str) -> None:
        c.add("vantage", i, k, _label("vantage", i, name, k), msg)

    kinds = [k for k in REMOTE_KINDS if k in t]
    if len(kinds) > 1:
        bad(kinds[1], "a vantage is either globalping or ripe_atlas, not both")
        return None
    kind = kinds[0]
    for key in _LOCAL_VANTAGE_KEYS:
        if key in t:
            bad(key, "does not apply to a remote vantage: its probes use their own network")
    url = t[kind]
    try:
        ok = isinstance(url, str) and urlsplit(url).scheme in ("http", "https")
        ok = ok and isinstance(url, str) and bool(urlsplit(url).hostname)
    except ValueError:
        ok = False
    if not ok:
        bad(kind, "expected the API's http(s):// base URL")
        return None
    probes = t.get("probes", 2)
    if isinstance(probes, bool) or not isinstance(probes, int) or not 1 <= probes <= 50:
        bad("probes", "expected a whole number of probes per location, 1 to 50")
        probes = 2
    secret = _opt_str(t, "secret", "vantage", i, c)
    interval = None
    if "interval" in t:
        try:
            interval = _seconds("remote_interval", t["interval"])
        except ValueError as exc:
            bad("interval", str(exc))
    if kind == "globalping":
        for key in ("asns", "countries"):
            if key in t:
                bad(key, 'a Globalping vantage takes locations = ["AS3303", "CH", ...]')
        by = "locations"
        raw = t.get("locations")
        if not isinstance(raw, list) or not raw or not all(isinstance(x, str) for x in raw):
            bad("locations", 'expected a list of Globalping locations, e.g. ["AS3303", "CH"]')
            return None
        locations = tuple(str(x).strip() for x in raw)
        wrong = [x for x in locations if not _LOCATION.match(x)]
        if wrong:
            bad("locations", f"not a Globalping location string: {wrong[0]!r}")
            return None
    else:
        if secret is None:
            bad("secret", 'RIPE Atlas needs an API key: secret = "<name of a stored secret>"')
        have = [k for k in ("asns", "countries") if k in t]
        if "locations" in t or len(have) != 1:
            bad(
                have[1] if len(have) > 1 else ("locations" if "locations" in t else None),
                'a RIPE Atlas vantage takes exactly one of asns = [3303] or countries = ["CH"]',
            )
            return None
        by = have[0]
        raw = t[by]
        items = raw if isinstance(raw, list) else []
        if by == "asns":
            ok = bool(items) and all(
                isinstance(a, int) and not isinstance(a, bool) and 0 < a < 2**32 for a in items
            )
            if not ok:
                bad("asns", "expected a list of AS numbers, e.g. [3303, 6730]")
                return None
            locations = tuple(f"AS{a}" for a in items)
        else:
            ok = bool(items) and all(isinstance(x, str) and _COUNTRY.match(x) for x in items)
            if not ok:
                bad("countries", 'expected ISO country codes in capitals, e.g. ["CH", "DE"]')
                return None
            locations = tuple(str(x) for x in items)
    if len(set(locations)) != len(locations):
        bad(by, "a location is listed twice")
        return None
    return RemoteSpec(
        kind=kind,
        url=str(url).rstrip("/"),
        locations=locations,
        probes=probes,
        secret=secret,
        by=by,
        interval=interval,
        source=source,
        line=c.lines.line("vantage", i, by),
    )


def _parse_targets(
    tables: list[dict[str, object]],
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
            what = "missing url" if url in (None, "") else f"url must be text, not {url!r}"
            bad("url", f"{what} (http(s)://, tcp://, tls://, dns:// or icmp://)")
        else:
            try:
                check, host, port = check_url(url)
            except ValueError as exc:
                bad("url", str(exc))
        if check:
            for key, kinds in _KIND_KEYS.items():
                if key in t and check not in kinds:
                    bad(key, f"does not apply to a {check} check")
        over: dict[str, Any] = {}  # as in _parse_probe: the key picks the field and type
        for key in TARGET_OVERRIDABLE:
            if key in t:
                try:
                    over[key] = _settings_value(key, t[key])
                except ValueError as exc:
                    bad(key, str(exc))
        status = t.get("expect_status")
        expect_status: tuple[int, ...] | None = None
        if status is not None:
            vals: list[object] = status if isinstance(status, list) else [status]
            codes = [
                s
                for s in vals
                if isinstance(s, int) and not isinstance(s, bool) and 100 <= s <= 599
            ]
            if not vals or len(codes) != len(vals):
                bad("expect_status", "expected HTTP status codes 100-599, e.g. [200, 204]")
            else:
                expect_status = tuple(codes)
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
            given: list[object] = answer if isinstance(answer, list) else [answer]
            answers = [a for a in given if isinstance(a, str) and a]
            if not given or len(answers) != len(given):
                bad("expect_answer", 'expected a list of answers, e.g. ["192.0.2.10"]')
            else:
                expect_answer = tuple(answers)
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
    t: dict[str, object],
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


def _parse_feeds(tables: list[dict[str, object]], c: _Collector) -> list[Feed]:
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
                interval = _seconds("interval", t["interval"])
            except ValueError as exc:
                c.add("feed", i, "interval", _label("feed", i, name, "interval"), str(exc))
        if name and src and len(c.problems) == before:
            out.append(Feed(name=name, kind=src[0], url=src[1], interval=interval, **strs))
    return out


def _parse_channels(tables: list[dict[str, object]], c: _Collector) -> list[Channel]:
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
    t: dict[str, object], key: str, section: str, i: int, name: object, c: _Collector
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
