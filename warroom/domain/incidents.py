"""Incidents, entries, revisions and action items: the rules, with no I/O and no Qt.

The record is append-only. An edit is a new revision (a full snapshot of the entry);
hiding is a revision with ``hidden`` set; an incident field change is a row of its own.
That is what lets two workstations merge by plain union.
"""

from __future__ import annotations

import difflib
import json
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, tzinfo
from enum import StrEnum
from typing import NotRequired, TypedDict

from warroom.base import humanize, timeutil
from warroom.base.errors import UsageError, ValidationError


class Severity(StrEnum):
    SEV1 = "SEV1"
    SEV2 = "SEV2"
    SEV3 = "SEV3"
    SEV4 = "SEV4"


class IncidentStatus(StrEnum):
    INVESTIGATING = "investigating"
    IDENTIFIED = "identified"
    MONITORING = "monitoring"
    RESOLVED = "resolved"


class Kind(StrEnum):
    OBSERVATION = "observation"
    ACTION = "action"
    DECISION = "decision"
    COMMS = "comms"
    NOTE = "note"
    # Written by Warroom itself.
    STATUS = "status"
    PROBE = "probe"
    SOCIAL = "social"
    HANDOVER = "handover"


MANUAL_KINDS = (Kind.OBSERVATION, Kind.ACTION, Kind.DECISION, Kind.COMMS, Kind.NOTE)
AUTOMATIC_KINDS = (Kind.STATUS, Kind.PROBE, Kind.SOCIAL, Kind.HANDOVER)

# Milestones in the order they must happen.
MILESTONES = ("started_at", "detected_at", "mitigated_at", "resolved_at")
MILESTONE_LABELS = {
    "started_at": "started",
    "detected_at": "detected",
    "mitigated_at": "mitigated",
    "resolved_at": "resolved",
}

# Incident fields whose every change is recorded (and shown as a ``status`` entry).
TRACKED_FIELDS = (
    "title",
    "severity",
    "status",
    "commander",
    "comms_lead",
    "next_commander",
    "summary",
    "impact",
    "objectives",
    "root_cause",
    "affected_services",
    "next_update_due",
    *MILESTONES,
)
FIELD_LABELS = {
    "title": "title",
    "severity": "severity",
    "status": "status",
    "commander": "commander",
    "comms_lead": "comms lead",
    "next_commander": "next commander",
    "summary": "summary",
    "impact": "impact",
    "objectives": "objectives",
    "root_cause": "root cause",
    "affected_services": "affected services",
    "next_update_due": "next update due",
    **MILESTONE_LABELS,
}

FUTURE_TOLERANCE = timedelta(minutes=5)
MAX_TEXT = 10_000_000  # 10 MB: a pasted log is fine; a runaway paste is refused clearly.


def parse_kind(value: str) -> Kind:
    v = value.strip().lower()
    aliases = {"obs": "observation", "decide": "decision", "comm": "comms", "act": "action"}
    v = aliases.get(v, v)
    try:
        return Kind(v)
    except ValueError:
        raise UsageError(
            f"unknown kind {value!r}; expected one of {', '.join(k.value for k in Kind)}"
        ) from None


def parse_severity(value: str) -> Severity:
    v = value.strip().upper()
    if v in {"1", "2", "3", "4"}:
        v = "SEV" + v
    try:
        return Severity(v)
    except ValueError:
        raise UsageError(f"unknown severity {value!r}; expected SEV1, SEV2, SEV3 or SEV4") from None


def parse_status(value: str) -> IncidentStatus:
    try:
        return IncidentStatus(value.strip().lower())
    except ValueError:
        raise UsageError(
            f"unknown status {value!r}; expected one of "
            f"{', '.join(s.value for s in IncidentStatus)}"
        ) from None


def check_text(text: str, *, what: str = "text") -> str:
    """Refuse what cannot be kept faithfully; return everything else unchanged."""
    if not isinstance(text, str) or not text.strip():
        raise ValidationError(f"{what} is empty")
    if "\x00" in text:
        raise ValidationError(f"{what} contains a NUL character (U+0000), which cannot be stored")
    if len(text) > MAX_TEXT:
        raise ValidationError(
            f"{what} is {len(text):,} characters; the limit is {MAX_TEXT:,}. "
            "Attach it as a file instead"
        )
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise ValidationError(f"{what} has a broken character (lone surrogate)") from exc
    return text


def normalize_tag(tag: str) -> str:
    t = unicodedata.normalize("NFC", tag.strip().lstrip("#")).lower()
    if not t or any(c.isspace() for c in t):
        raise ValidationError(f"not a tag: {tag!r} (a tag is one word)")
    return t


def normalize_tags(tags: list[str] | tuple[str, ...]) -> tuple[str, ...]:
    """Tags normalised (``#DNS`` is ``dns``), each once, in the order given."""
    seen: list[str] = []
    for t in tags:
        n = normalize_tag(t)
        if n not in seen:
            seen.append(n)
    return tuple(seen)


def fold(text: str) -> str:
    """Text as search compares it: case folded (``ß`` is ``ss``), accents removed."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


_MAX_FORMS = 8


def search_forms(word: str) -> list[str]:
    """The spellings of ``word`` that fold alike, for an index that keeps ``ß``.

    ``aussenstelle`` -> ``aussenstelle``, ``außenstelle``, ``ausßenstelle``...: every
    ``ss`` may have been an ``ß`` (a few forms at most).
    """
    pieces = fold(word).split("ss")
    forms = [pieces[0]]
    for piece in pieces[1:]:
        forms = [f + joint + piece for f in forms for joint in ("ss", "ß")][:_MAX_FORMS]
    return forms


def future_warning(at: datetime, now: datetime) -> str | None:
    if at - now > FUTURE_TOLERANCE:
        return (
            f"time {humanize.when(at, seconds=True)} is "
            f"{timeutil.fmt_duration((at - now).total_seconds())} in the future"
        )
    return None


def check_milestones(values: dict[str, str | None]) -> list[str]:
    """Problems with milestone order (empty when fine). Values are stored UTC strings."""
    problems = []
    seen: list[tuple[str, str]] = []
    for name in MILESTONES:
        v = values.get(name)
        if not v:
            continue
        for prev_name, prev in seen:
            if v < prev:
                problems.append(
                    f"{MILESTONE_LABELS[name]} ({humanize.when(v)}) is before "
                    f"{MILESTONE_LABELS[prev_name]} ({humanize.when(prev)})"
                )
        seen.append((name, v))
    return problems


# -- capture line ---------------------------------------------------------

_PREFIX_KIND = {
    "/decision": Kind.DECISION,
    "/decide": Kind.DECISION,
    "/action": Kind.ACTION,
    "/act": Kind.ACTION,
    "/comms": Kind.COMMS,
    "/comm": Kind.COMMS,
    "/obs": Kind.OBSERVATION,
    "/observation": Kind.OBSERVATION,
    "/note": Kind.NOTE,
}
_LEAD_TIME = re.compile(
    r"^(?P<t>(?:\d{1,2}:\d{2}(?::\d{2})?)|(?:[+-]\d+(?:\.\d+)?\s?(?:ms|s|sec|m|min|h|d)))(?=\s|$)",
    re.I,
)
_SLASH_WORD = re.compile(r"^/(?P<w>[A-Za-z][\w-]*)(?=\s|$)")
_HASHTAG = re.compile(r"(?:(?<=\s)|^)#([^\s#]+)")
_TODO = re.compile(r"^todo:\s*", re.I)


def hashtags(text: str) -> list[str]:
    """The ``#tags`` written in a text, normalised (``#DNS`` and ``#dns`` are one tag)."""
    out: list[str] = []
    for raw in _HASHTAG.findall(text):
        t = raw.rstrip(".,;:!?)")
        if t and not t.isdigit():
            n = normalize_tag(t)
            if n not in out:
                out.append(n)
    return out


@dataclass
class Capture:
    """What a capture line means: kind, time, text, tags, and maybe an action item."""

    text: str
    kind: Kind = Kind.OBSERVATION
    occurred_at: datetime | None = None
    tags: list[str] = field(default_factory=list)
    todo: str | None = None
    warnings: list[str] = field(default_factory=list)


def parse_capture(
    line: str,
    *,
    now: datetime | None = None,
    tz: tzinfo | None = None,
    default_kind: Kind = Kind.OBSERVATION,
) -> Capture:
    """Understand a capture line: ``[-5m|10:42] [/decision] [TODO:] text #tag``.

    The text is kept exactly as typed after the prefixes; tags are read from it.
    """
    now = now or timeutil.now()
    rest = line.strip()
    kind = default_kind
    at: datetime | None = None
    todo = None
    changed = True
    while changed and rest:
        changed = False
        m = _LEAD_TIME.match(rest)
        if m and at is None:
            at = timeutil.parse_user_time(m.group("t"), ref=now, tz=tz)
            rest = rest[m.end() :].lstrip()
            changed = True
            continue
        head, _, tail = rest.partition(" ")
        if head.lower() in _PREFIX_KIND:
            kind = _PREFIX_KIND[head.lower()]
            rest = tail.lstrip()
            changed = True
    m = _SLASH_WORD.match(rest)
    if m:
        raise ValidationError(unknown_command_message(m.group(0)))
    if rest.startswith("//"):
        rest = rest[1:]  # "//etc is full": text that starts with a slash
    if _TODO.match(rest):
        kind = Kind.ACTION if kind == default_kind else kind
        todo = _TODO.sub("", rest, count=1).strip()
        if not todo:
            raise ValidationError("TODO: needs a text")
    check_text(rest)
    tags = hashtags(rest)
    cap = Capture(text=rest, kind=kind, occurred_at=at, tags=tags, todo=todo)
    if at is not None:
        w = future_warning(at, now)
        if w:
            cap.warnings.append(w)
    return cap


def unknown_command_message(word: str) -> str:
    """``unknown command /decison (did you mean /decision?)``, with the way out."""
    close = difflib.get_close_matches(word.lower(), list(_PREFIX_KIND), n=1, cutoff=0.6)
    hint = f" (did you mean {close[0]}?)" if close else ""
    known = ", ".join(sorted({"/decision", "/action", "/comms", "/obs", "/note"}))
    return (
        f"unknown command {word}{hint}; known: {known}. "
        f"To log text that starts with a slash, write /{word}"
    )


def plain_capture(
    text: str,
    *,
    kind: str | None = None,
    at: datetime | None = None,
    tags: list[str] | tuple[str, ...] = (),
    todo: str | None = None,
    now: datetime,
) -> Capture:
    """What ``warroom log`` means: the text as given (no prefixes), with its tags.

    ``TODO:`` at the start still makes an action item, as on the capture line.
    """
    check_text(text)
    if todo is None and _TODO.match(text.lstrip()):
        todo = _TODO.sub("", text.lstrip(), count=1).strip() or None
    k = parse_kind(kind) if kind else (Kind.ACTION if todo else Kind.OBSERVATION)
    cap = Capture(text=text, kind=k, occurred_at=at, todo=todo)
    for t in [*(normalize_tag(t) for t in tags), *hashtags(text)]:
        if t not in cap.tags:
            cap.tags.append(t)
    if at is not None:
        w = future_warning(at, now)
        if w:
            cap.warnings.append(w)
    return cap


# -- records ----------------------------------------------------------------


def services_value(items: Sequence[str]) -> str:
    """Affected services as stored in the incident row and its changes (a JSON list)."""
    return json.dumps(list(items), ensure_ascii=False)


class IncidentRecord(TypedDict):
    """The incident as exported (CONTRACT.md): ``id``, ``created_at`` and ``created_by``
    are facts, the rest is derived from its changes (and recomputed on import)."""

    id: str
    created_at: str
    created_by: str
    title: str
    severity: str
    status: str
    commander: NotRequired[str]
    comms_lead: NotRequired[str]
    next_commander: NotRequired[str]
    summary: NotRequired[str]
    impact: NotRequired[str]
    objectives: NotRequired[str]
    root_cause: NotRequired[str]
    affected_services: NotRequired[list[str]]
    detected_at: NotRequired[str | None]
    started_at: NotRequired[str | None]
    mitigated_at: NotRequired[str | None]
    resolved_at: NotRequired[str | None]
    next_update_due: NotRequired[str | None]
    updated_at: NotRequired[str]


@dataclass(frozen=True, slots=True)
class Incident:
    id: str
    created_at: str
    created_by: str
    title: str
    severity: str
    status: str
    commander: str = ""
    comms_lead: str = ""
    next_commander: str = ""
    summary: str = ""
    impact: str = ""
    objectives: str = ""
    root_cause: str = ""
    affected_services: tuple[str, ...] = ()
    detected_at: str | None = None
    started_at: str | None = None
    mitigated_at: str | None = None
    resolved_at: str | None = None
    next_update_due: str | None = None
    updated_at: str = ""

    @property
    def start(self) -> str:
        """When the clock of this incident starts: impact start, else detection."""
        return self.started_at or self.detected_at or self.created_at

    def record(self) -> IncidentRecord:
        """The CONTRACT.md incident record."""
        return IncidentRecord(
            id=self.id,
            created_at=self.created_at,
            created_by=self.created_by,
            title=self.title,
            severity=self.severity,
            status=self.status,
            commander=self.commander,
            comms_lead=self.comms_lead,
            next_commander=self.next_commander,
            summary=self.summary,
            impact=self.impact,
            objectives=self.objectives,
            root_cause=self.root_cause,
            affected_services=list(self.affected_services),
            detected_at=self.detected_at,
            started_at=self.started_at,
            mitigated_at=self.mitigated_at,
            resolved_at=self.resolved_at,
            next_update_due=self.next_update_due,
            updated_at=self.updated_at,
        )

    def stored(self, name: str) -> str | None:
        """A tracked field as its changes store it: text, a JSON list of the affected
        services, or None for an unset milestone."""
        if name == "affected_services":
            return services_value(self.affected_services)
        value = self.record().get(name)
        return value if isinstance(value, str) else None


@dataclass(frozen=True, slots=True)
class Entry:
    id: str
    incident: str
    recorded_at: str
    author: str
    occurred_at: str
    kind: str
    text: str
    tags: tuple[str, ...] = ()
    pinned: bool = False
    external: bool = False
    hidden: bool = False
    hidden_reason: str = ""
    revision: int = 1
    current_rev: str = ""
    edited_at: str = ""
    edited_by: str = ""
    conflict: bool = False
    # dynamic: each kind keeps its own free-form JSON here (status: field/old/new, handover:
    # to/acknowledged_at, comms: ...); readers such as handover/view narrow by kind.
    meta: dict[str, object] = field(default_factory=dict)

    def record(self) -> dict[str, object]:
        """The CONTRACT.md entry record."""
        return {
            "id": self.id,
            "incident": self.incident,
            "occurred_at": self.occurred_at,
            "recorded_at": self.recorded_at,
            "kind": self.kind,
            "author": self.author,
            "text": self.text,
            "tags": list(self.tags),
            "pinned": self.pinned,
            "external": self.external,
            "hidden": self.hidden,
            "hidden_reason": self.hidden_reason,
            "revision": self.revision,
            "edited_at": self.edited_at,
            "edited_by": self.edited_by,
            "conflict": self.conflict,
            "meta": self.meta,
        }


@dataclass(frozen=True, slots=True)
class Revision:
    id: str
    entry: str
    parent: str | None
    recorded_at: str
    author: str
    occurred_at: str
    kind: str
    text: str
    tags: tuple[str, ...] = ()
    pinned: bool = False
    external: bool = False
    hidden: bool = False
    hidden_reason: str = ""
    note: str = ""

    def record(self) -> dict[str, object]:
        d = {k: getattr(self, k) for k in self.__dataclass_fields__}
        d["tags"] = list(self.tags)
        return d


REVISION_FIELDS = (
    "occurred_at",
    "kind",
    "text",
    "tags",
    "pinned",
    "external",
    "hidden",
    "hidden_reason",
)


def describe_change(old: Revision, new: Revision) -> str:
    """``text, time`` — which fields a revision changed, for the history view."""
    names = {"occurred_at": "time"}
    return ", ".join(names.get(f, f) for f in REVISION_FIELDS if getattr(old, f) != getattr(new, f))


@dataclass(frozen=True, slots=True)
class ActionItem:
    id: str
    incident: str
    entry: str | None
    text: str
    owner: str
    due: str | None
    done: bool
    created_at: str
    created_by: str
    updated_at: str
    updated_by: str

    def record(self) -> dict[str, object]:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}


@dataclass(frozen=True, slots=True)
class IncidentChange:
    id: str
    incident: str
    field: str
    old_value: str | None
    new_value: str | None
    changed_at: str
    changed_by: str

    def record(self) -> dict[str, object]:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}


TIME_FIELDS = (*MILESTONES, "next_update_due")


def field_words(field_name: str, value: str | None, tz: tzinfo | None = None) -> str:
    """A stored incident field value as a person reads it (lists, times, long text)."""
    if value is None or value == "":
        return humanize.NONE
    if field_name == "affected_services":
        return humanize.stored_list(value)
    if field_name in TIME_FIELDS:
        return humanize.when(value, tz)
    if len(value) > 200:
        return value[:200] + "…"
    return value


def status_entry_text(
    field_name: str, old: str | None, new: str | None, tz: tzinfo | None = None
) -> str:
    """The words of an automatic ``status`` entry."""
    label = FIELD_LABELS.get(field_name, field_name)

    def show(v: str | None) -> str:
        return field_words(field_name, v, tz)

    if field_name in {"summary", "impact", "objectives", "root_cause"}:
        return f"{label.capitalize()} changed from: {show(old)}\n\nto: {show(new)}"
    return f"{label.capitalize()} changed from {show(old)} to {show(new)}"
