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
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, tzinfo

from warroom.base.errors import ValidationError
from warroom.domain.comms import STAGES, check

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

# Built-in translations (the seed outage was Swiss: customers read German and French).
# ``[comms] language`` picks one; a workspace template for a stage wins over all.
BUILTIN: dict[str, dict[str, str]] = {
    "en": DEFAULTS,
    "de": {
        "investigating": (
            "Wir untersuchen seit {since} eine Störung von {service}. "
            "Das nächste Update folgt bis {next_update}. {status_url}"
        ),
        "identified": (
            "{service}: Wir haben die Ursache der Störung seit {since} gefunden und arbeiten "
            "an der Behebung. Nächstes Update bis {next_update}. {status_url}"
        ),
        "monitoring": (
            "{service}: Eine Lösung ist umgesetzt, wir beobachten die Erholung. "
            "Nächstes Update bis {next_update}. {status_url}"
        ),
        "resolved": (
            "{service} funktioniert wieder normal. Die Störung begann um {since}. "
            "Wir entschuldigen uns für die Unannehmlichkeiten; ein ausführlicher Bericht "
            "folgt. {status_url}"
        ),
    },
    "fr": {
        "investigating": (
            "Nous analysons une panne de {service} depuis {since}. "
            "Prochaine mise à jour d'ici {next_update}. {status_url}"
        ),
        "identified": (
            "{service} : nous avons identifié la cause de la panne survenue à {since} et "
            "travaillons à la corriger. Prochaine mise à jour d'ici {next_update}. {status_url}"
        ),
        "monitoring": (
            "{service} : un correctif est en place et nous surveillons le rétablissement. "
            "Prochaine mise à jour d'ici {next_update}. {status_url}"
        ),
        "resolved": (
            "{service} fonctionne de nouveau normalement. La panne a commencé à {since}. "
            "Nous nous excusons pour la gêne occasionnée ; un rapport détaillé suivra. "
            "{status_url}"
        ),
    },
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


def template_for(
    stage: str, overrides: Mapping[str, str] | None = None, language: str = "en"
) -> str:
    """The workspace's template for a stage, else the built-in one in ``language``."""
    if stage not in STAGES:
        raise ValidationError(f"unknown stage {stage!r}; expected one of {', '.join(STAGES)}")
    if overrides and overrides.get(stage):
        return overrides[stage]
    return BUILTIN.get(language, DEFAULTS)[stage]
