"""Status-update templates per stage, filled from the incident.

A stage is one of the incident statuses (investigating, identified, monitoring,
resolved). A template is plain text with ``{field}`` places; the fields are
``{service}``, ``{since}``, ``{next_update}`` and ``{status_url}`` (plus ``{title}``,
``{severity}`` and ``{now}``). A workspace may replace any template in its ``[comms]``
table (see docs/comms.md); ``check`` names an unknown field before it reaches a post.

Filling never fails on a missing value: an empty field leaves a visible ``[service?]``
so the commander sees what still needs writing instead of publishing a hole.
"""

from __future__ import annotations

import re
import string
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, tzinfo

from warroom.base.errors import ValidationError

STAGES = ("investigating", "identified", "monitoring", "resolved")
FIELDS = ("service", "since", "next_update", "status_url", "title", "severity", "now")

DEFAULTS: dict[str, str] = {
    "investigating": (
        "We are investigating an outage of {service} since {since}. "
        "We will post the next update by {next_update}. {status_url}"
    ),
    "identified": (
        "{service}: we have identified the cause of the outage that began at {since} "
        "and are working on a fix. Next update by {next_update}. {status_url}"
    ),
    "monitoring": (
        "{service}: a fix is in place and we are monitoring the recovery. "
        "Next update by {next_update}. {status_url}"
    ),
    "resolved": (
        "{service} is working normally again. The outage began at {since}. "
        "We apologise for the disruption; a full report will follow. {status_url}"
    ),
}


@dataclass(frozen=True, slots=True)
class Values:
    """What the fields are filled with; times are shown as HH:MM in ``tz``."""

    service: str = ""
    since: datetime | None = None
    next_update: datetime | None = None
    status_url: str = ""
    title: str = ""
    severity: str = ""
    now: datetime | None = None


def fields_of(template: str) -> list[str]:
    """The field names a template uses; ValidationError when it cannot be parsed."""
    try:
        parsed = list(string.Formatter().parse(template))
    except ValueError as exc:
        raise ValidationError(f"template: {exc} (write '{{{{' for a literal brace)") from exc
    names = []
    for _literal, name, spec, conv in parsed:
        if name is None:
            continue
        if spec or conv or not name.isidentifier():
            raise ValidationError(f"template: write fields as {{name}}, not {{{name}...}}")
        names.append(name)
    return names


def check(template: str) -> None:
    """Raise ValidationError for an unknown field (with the ones that exist)."""
    for name in fields_of(template):
        if name not in FIELDS:
            raise ValidationError(
                f"template: unknown field {{{name}}}; use one of "
                + ", ".join("{" + f + "}" for f in FIELDS)
            )


def _clock(t: datetime | None, tz: tzinfo | None) -> str:
    if t is None:
        return ""
    local = t.astimezone(tz) if tz is not None else t.astimezone()
    return local.strftime("%H:%M %Z").strip() if local.tzname() else local.strftime("%H:%M")


def render(template: str, values: Values, *, tz: tzinfo | None = None) -> str:
    """Fill a template; an empty value shows as ``[name?]``; tidy the spacing."""
    check(template)
    raw = {
        "service": values.service,
        "since": _clock(values.since, tz),
        "next_update": _clock(values.next_update, tz),
        "status_url": values.status_url,
        "title": values.title,
        "severity": values.severity,
        "now": _clock(values.now, tz),
    }
    filled = {k: (v if v else ("" if k == "status_url" else f"[{k}?]")) for k, v in raw.items()}
    text = template.format_map(filled)
    lines = (re.sub(r"[ \t]{2,}", " ", line).rstrip() for line in text.splitlines())
    return "\n".join(lines).strip()


def template_for(stage: str, overrides: Mapping[str, str] | None = None) -> str:
    """The workspace's template for a stage, else the built-in one."""
    if stage not in STAGES:
        raise ValidationError(f"unknown stage {stage!r}; expected one of {', '.join(STAGES)}")
    if overrides and overrides.get(stage):
        return overrides[stage]
    return DEFAULTS[stage]
