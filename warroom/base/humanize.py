"""Values written the way a person reads them: lists, counts, yes/no and times.

The GUI, automatic entries and the exports show stored values (JSON lists, ISO times,
booleans) to people; these helpers are the one place that turns them into words, so a
dialog and a Markdown export say the same thing. Qt-free.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import UTC, datetime, tzinfo

from warroom.base import timeutil

NONE = "(none)"


def listing(items: Iterable[str], *, empty: str = NONE) -> str:
    """``dns, www`` (``(none)`` for nothing)."""
    words = [str(i) for i in items if str(i).strip()]
    return ", ".join(words) if words else empty


def stored_list(value: str | None, *, empty: str = NONE) -> str:
    """A stored JSON list (``["dns", "www"]``) as ``dns, www``; other text unchanged."""
    if value is None or not value.strip():
        return empty
    try:
        items = json.loads(value)
    except ValueError:
        return value
    if isinstance(items, list):
        return listing((str(i) for i in items), empty=empty)
    return value


def count(n: int, singular: str, plural: str | None = None) -> str:
    """``1 hidden entry`` / ``2 hidden entries`` / ``1,234 matches``."""
    if n == 1:
        return f"1 {singular}"
    if plural is None:
        plural = _plural(singular)
    return f"{n:,} {plural}"


def _plural(phrase: str) -> str:
    head, _, last = phrase.rpartition(" ")
    if last.endswith("y") and last[-2:-1] not in set("aeiou"):
        word = last[:-1] + "ies"
    elif last.endswith(("s", "x", "z", "ch", "sh")):
        word = last + "es"
    else:
        word = last + "s"
    return f"{head} {word}" if head else word


def yes_no(value: bool) -> str:
    return "yes" if value else "no"


def when(
    value: str | datetime | None,
    tz: tzinfo | None = None,
    *,
    seconds: bool = False,
    utc: bool = True,
    empty: str = NONE,
) -> str:
    """``Mon 30 Nov 02:50 CET (01:50 UTC)``: a time as the timeline shows it.

    ``value`` is a stored UTC string or an aware datetime; ``tz`` the zone shown (default
    the workstation's). The UTC part carries its own date when that differs.
    """
    if value is None or value == "":
        return empty
    if isinstance(value, str):
        try:
            t = timeutil.parse_utc(value)
        except ValueError:
            return value
    else:
        t = value
    lt = t.astimezone(tz) if tz else t.astimezone()
    clock = "%H:%M:%S" if seconds else "%H:%M"
    text = f"{lt.strftime('%a %d %b ' + clock)} {lt.tzname() or ''}".rstrip()
    if not utc or _is_utc(lt):
        return text
    u = t.astimezone(UTC)
    ufmt = clock if u.date() == lt.date() else "%d %b " + clock
    return f"{text} ({u.strftime(ufmt)} UTC)"


def _is_utc(t: datetime) -> bool:
    off = t.utcoffset()
    return off is not None and off.total_seconds() == 0 and (t.tzname() or "") in {"UTC", "Z"}


def size(chars: int) -> str:
    """``1 character`` / ``12,345 characters``."""
    return count(chars, "character")
