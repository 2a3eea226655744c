"""Time on input and output, per CONTRACT.md.

Stored and printed: UTC ISO-8601 with milliseconds and ``Z``. That form sorts as text,
so SQLite orders it without parsing. Read from people: ISO-8601, ``HH:MM[:SS]`` (local
zone, the most recent such time: ``23:55`` typed at 00:10 is yesterday) or relative
(``-5m``, ``-2h``, ``+30s``).
"""

from __future__ import annotations

import math
import re
from datetime import UTC, date, datetime, timedelta, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from warroom.base.errors import UsageError

_REL = re.compile(r"^\s*([+-])\s*(\d+(?:\.\d+)?)\s*(ms|s|sec|m|min|h|d)\s*$", re.I)
_CLOCK = re.compile(r"^\s*(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?\s*$")
# A clock time up to this far ahead of now still means today (a clock running slow, a
# meeting about to start); further ahead it means the same time yesterday.
CLOCK_AHEAD = timedelta(minutes=10)
_UNITS = {
    "ms": 0.001,
    "s": 1,
    "sec": 1,
    "m": 60,
    "min": 60,
    "h": 3600,
    "d": 86400,
}


def now() -> datetime:
    """The current instant, aware, in UTC, truncated to milliseconds."""
    t = datetime.now(UTC)
    return t.replace(microsecond=t.microsecond // 1000 * 1000)


def fmt(t: datetime) -> str:
    """``2026-11-24T09:42:00.123Z`` from an aware datetime."""
    if t.tzinfo is None:
        raise ValueError("naive datetime")
    u = t.astimezone(UTC)
    return u.strftime("%Y-%m-%dT%H:%M:%S.") + f"{u.microsecond // 1000:03d}Z"


def now_str() -> str:
    return fmt(now())


def parse_utc(text: str) -> datetime:
    """Parse a stored timestamp (or any ISO-8601 with an offset) into aware UTC."""
    t = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    if t.tzinfo is None:
        raise ValueError(f"timestamp without zone: {text!r}")
    return t.astimezone(UTC)


def parse_zone(name: str) -> ZoneInfo:
    """An IANA zone by name, or ``UsageError`` saying the name is not one.

    The one check for every ``--tz`` and every zone field in a dialog. zoneinfo itself
    raises four different errors for non-zones (``Europe`` is a directory of the zone
    database: IsADirectoryError; ``../x`` ValueError; an unknown name
    ZoneInfoNotFoundError; a name with NUL ValueError), all of them mean the same.
    """
    key = name.strip()
    if not key:
        raise UsageError("no time zone given; expected a name such as Europe/Zurich or UTC")
    try:
        return ZoneInfo(key)
    except (ZoneInfoNotFoundError, ValueError, OSError, UnicodeError):
        raise UsageError(
            f"unknown time zone {name!r}; expected a name such as Europe/Zurich or UTC"
        ) from None


def local_zone(name: str | None = None) -> tzinfo:
    """The named IANA zone, or the workstation's own zone."""
    if name:
        return parse_zone(name)
    tz = datetime.now().astimezone().tzinfo
    assert tz is not None
    return tz


def _localize(naive: datetime, tz: tzinfo | None) -> datetime:
    if tz is None:
        # The C library knows the system zone's DST rules for any date.
        return naive.astimezone()
    if isinstance(tz, ZoneInfo):
        return naive.replace(tzinfo=tz)
    return naive.replace(tzinfo=tz)


def parse_user_time(
    text: str,
    *,
    ref: datetime | None = None,
    tz: tzinfo | None = None,
    ahead: bool = False,
) -> datetime:
    """Parse a time typed by a person; raises ``UsageError`` saying what was expected.

    ``ref`` is "now" (aware); ``tz`` the zone for clock times (default: the system's).
    A clock time is the most recent such time (CONTRACT.md: what a log entry means);
    with ``ahead`` it is the next one (what a due time means).
    """
    ref = ref or now()
    s = text.strip()
    if not s:
        raise UsageError("empty time; expected ISO-8601, HH:MM[:SS] or -5m")
    if s.lower() == "now":
        return ref
    m = _REL.match(s)
    if m:
        sign = -1 if m.group(1) == "-" else 1
        seconds = float(m.group(2)) * _UNITS[m.group(3).lower()]
        return ref + sign * timedelta(seconds=seconds)
    m = _CLOCK.match(s)
    if m:
        hh, mm = int(m.group(1)), int(m.group(2))
        ss = int(m.group(3) or 0)
        frac = (m.group(4) or "0").ljust(6, "0")
        if hh > 23 or mm > 59 or ss > 59:
            raise UsageError(f"not a clock time: {text!r}")
        local_ref = ref.astimezone(tz) if tz else ref.astimezone()
        day: date = local_ref.date()
        naive = datetime(day.year, day.month, day.day, hh, mm, ss, int(frac))
        t = _localize(naive, tz).astimezone(UTC)
        if ahead and t < ref:
            day = day + timedelta(days=1)
        elif not ahead and t - ref > CLOCK_AHEAD:
            day = day - timedelta(days=1)
        else:
            return t
        naive = datetime(day.year, day.month, day.day, hh, mm, ss, int(frac))
        return _localize(naive, tz).astimezone(UTC)
    try:
        t = datetime.fromisoformat(s.replace("Z", "+00:00"))
    except ValueError as exc:
        raise UsageError(
            f"cannot read time {text!r}; expected ISO-8601 (2026-11-24T10:42:00+01:00), "
            "HH:MM[:SS] or relative (-5m, -2h)"
        ) from exc
    if t.tzinfo is None:
        t = _localize(t, tz)
    return t.astimezone(UTC)


def parse_duration(text: str | int | float) -> float:
    """``"30s"``, ``"5m"``, ``"1500ms"`` or a number of seconds, as seconds."""
    if isinstance(text, int | float):
        return float(text)
    m = re.match(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s|sec|m|min|h|d)?\s*$", text, re.I)
    if not m:
        raise ValueError(f"not a duration: {text!r} (expected e.g. 30s, 5m, 1500ms)")
    return float(m.group(1)) * _UNITS[(m.group(2) or "s").lower()]


def positive_duration(value: object, examples: str) -> float:
    """A duration from a settings file (``"30s"``, ``5``): finite, more than zero.
    ``examples`` words the refusal (``'"15m", "1h"'``)."""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise ValueError(f"expected a duration such as {examples.split(',')[0]}")
    try:
        seconds = parse_duration(value)
    except ValueError as exc:
        raise ValueError(f"bad duration {value!r}; expected e.g. {examples}") from exc
    if not math.isfinite(seconds) or seconds <= 0:
        raise ValueError("must be more than zero")
    return seconds


def fmt_local(t: datetime, tz: tzinfo | None = None, *, seconds: bool = True) -> str:
    """``2026-11-24 10:42:00 CET`` in the given zone (default: the workstation's)."""
    lt = t.astimezone(tz) if tz else t.astimezone()
    return lt.strftime("%Y-%m-%d %H:%M:%S %Z" if seconds else "%Y-%m-%d %H:%M %Z")


def fmt_duration(seconds: float) -> str:
    """``2h 05m`` / ``4m 10s`` / ``12s``: how long, the way a commander says it."""
    s = int(abs(seconds))
    d, s = divmod(s, 86400)
    h, s = divmod(s, 3600)
    m, s = divmod(s, 60)
    if d:
        return f"{d}d {h:02d}h {m:02d}m"
    if h:
        return f"{h}h {m:02d}m"
    if m:
        return f"{m}m {s:02d}s"
    return f"{s}s"
