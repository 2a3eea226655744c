"""The workspace file's ``[comms]`` table: how the composer behaves (docs/comms.md).

Kept apart from the big workspace-file module so the composer's settings can change
without touching the rest: ``parse(raw, add)`` checks the table and reports problems
through ``add(section, index, key, label, message)`` (the workspace file's collector, so
they carry file and line); ``dump(comms, value, duration)`` writes it back.
"""

from __future__ import annotations

from collections.abc import Callable

from warroom.base.errors import WarroomError
from warroom.base.timeutil import positive_duration
from warroom.domain.comms import LANGUAGES, STAGES, Comms, check

KEYS = frozenset({"approval", "cadence", "service", "status_url", "templates", "language"})
SEVERITIES = ("SEV1", "SEV2", "SEV3", "SEV4")

Add = Callable[[str, int, "str | None", str, str], None]


def parse(raw: object, add: Add) -> Comms:
    """``[comms]``: approval, cadence per severity, template fields and templates."""
    if not isinstance(raw, dict):
        add("", 0, "comms", "comms", "expected a [comms] table")
        return Comms()

    def bad(key: str, message: str) -> None:
        add("comms", 0, key, f"comms.{key}", message)

    for key in raw:
        if key not in KEYS:
            bad(key, f"unknown key; expected one of {', '.join(sorted(KEYS))}")
    approval = raw.get("approval", False)
    if not isinstance(approval, bool):
        bad("approval", "expected true or false")
        approval = False
    cadence: list[tuple[str, float]] = []
    cad = raw.get("cadence", {})
    if not isinstance(cad, dict):
        bad("cadence", 'expected a table such as { SEV1 = "15m", SEV2 = "30m" }')
    else:
        for sev, v in cad.items():
            if sev.upper() not in SEVERITIES:
                bad("cadence", f"unknown severity {sev!r}; expected SEV1..SEV4")
                continue
            try:
                cadence.append((sev.upper(), positive_duration(v, '"15m", "1h"')))
            except ValueError as exc:
                bad("cadence", f"{sev}: {exc}")
    strs: dict[str, str | None] = {}
    for key in ("service", "status_url"):
        v = raw.get(key)
        if v is not None and not isinstance(v, str):
            bad(key, "expected a string")
            v = None
        strs[key] = v or None
    language = raw.get("language")
    if language is not None and language not in LANGUAGES:
        bad("language", f"expected one of {', '.join(LANGUAGES)}")
        language = None
    return Comms(
        approval,
        tuple(cadence),
        strs["service"],
        strs["status_url"],
        _templates(raw, add),
        language,
    )


def _templates(raw: dict[str, object], add: Add) -> tuple[tuple[str, str], ...]:
    tv = raw.get("templates", {})
    if not isinstance(tv, dict):
        add("comms", 0, "templates", "comms.templates", "expected a table of stage = template")
        return ()
    out: list[tuple[str, str]] = []
    for stage, text in tv.items():
        where = ("comms.templates", 0, stage, f"comms.templates.{stage}")
        if stage not in STAGES:
            add(*where, f"unknown stage; expected one of {', '.join(STAGES)}")
        elif not isinstance(text, str) or not text.strip():
            add(*where, "expected a non-empty string")
        else:
            try:
                check(text)
            except WarroomError as exc:
                add(*where, exc.message)
                continue
            out.append((stage, text))
    return tuple(out)


def dump(cm: Comms, value: Callable[[object], str], duration: Callable[[float], str]) -> list[str]:
    """TOML lines for ``[comms]`` (none when everything is default)."""
    if cm == Comms():
        return []
    out = ["[comms]"]
    if cm.approval:
        out.append("approval = true")
    for key in ("service", "status_url", "language"):
        if getattr(cm, key) is not None:
            out.append(f"{key} = {value(getattr(cm, key))}")
    if cm.cadence:
        pairs = ", ".join(f"{k} = {duration(v)}" for k, v in cm.cadence)
        out.append(f"cadence = {{ {pairs} }}")
    if cm.templates:
        out += ["", "[comms.templates]"]
        out += [f"{k} = {value(v)}" for k, v in cm.templates]
    return [*out, ""]
