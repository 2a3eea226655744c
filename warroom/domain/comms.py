"""The ``[comms]`` table's type and the template rule: what the composer is told.

Pure data and a pure check, no I/O: ``warroom.config.comms`` parses the table into
``Comms`` and refuses a template that ``check`` rejects; ``warroom.social.templates``
fills templates and checks them again before a post is written (docs/comms.md).
"""

from __future__ import annotations

import string
from dataclasses import dataclass

from warroom.base.errors import ValidationError

STAGES = ("investigating", "identified", "monitoring", "resolved")
LANGUAGES = ("en", "de", "fr")  # of the built-in templates (social/templates.py)
FIELDS = ("service", "since", "next_update", "status_url", "title", "severity", "now")


@dataclass(frozen=True, slots=True)
class Comms:
    """``[comms]``; pairs keep the file's order."""

    approval: bool = False
    cadence: tuple[tuple[str, float], ...] = ()  # (severity, seconds) given in the file
    service: str | None = None
    status_url: str | None = None
    templates: tuple[tuple[str, str], ...] = ()  # (stage, template)
    language: str | None = None  # of the built-in templates: en (default), de, fr


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
