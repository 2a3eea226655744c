"""A bundle's records checked by the same domain rules as the command line.

The JSON Schema says what shape a bundle has; what a value may be (an entry kind, a
text without NUL, a tag, a severity) is the domain's to say, in
``warroom.domain.incidents``, the functions ``log`` and ``incident set`` call. This
module applies exactly those functions to every record of a bundle, so an import
refuses what the command line refuses, with the JSON path of the value.

The bundle's ``incident`` object is a cache: only ``id``, ``created_at`` and
``created_by`` are facts, every other field is derived from ``incident_changes``
(latest change per field), which is what the import stores. ``claim_differences``
says where the object claims something its changes do not give, so the preview can
say that the claim is ignored.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from operator import itemgetter
from typing import cast

from warroom.base.errors import WarroomError
from warroom.base.jsonval import JSONValue
from warroom.domain import incidents as d
from warroom.handover.records import BundleDoc, ChangeRecord

_STRICT: dict[str, Callable[[str], object]] = {"severity": d.Severity, "status": d.IncidentStatus}
_TIMES = frozenset({*d.MILESTONES, "next_update_due"})
_KINDS = frozenset(k.value for k in d.Kind)


class RuleViolation(ValueError):
    """A value breaks a domain rule; the message starts with its JSON path."""


def _text(value: str, path: str, what: str) -> None:
    try:
        d.check_text(value, what=what)
    except WarroomError as exc:
        raise RuleViolation(f"{path}: {exc}") from None


def check_records(bundle: Mapping[str, object]) -> None:
    """Raise ``RuleViolation`` for the first value the command line would refuse.

    ``bundle`` has passed ``schema.validate_bundle``. A whole-column pass first
    (100,000 entries in a few tens of milliseconds); only when it finds something is
    the record-by-record pass run to name the place.
    """
    doc = cast("BundleDoc", bundle)  # its shape is what the schema just checked
    revs = [r for e in doc["entries"] for r in e["revisions"]]
    texts = list(map(itemgetter("text"), revs))
    small = (r["hidden_reason"] + r["note"] + r["author"] for r in revs)
    ok = (
        set(map(itemgetter("kind"), revs)) <= _KINDS
        and all(map(str.strip, texts))
        and not any("\x00" in t for t in texts)
        and max(map(len, texts), default=0) <= d.MAX_TEXT
        and not any("\x00" in t for t in small)
        and all(_tag_ok(t) for t in {t for r in revs for t in r["tags"]})
    )
    if not ok:
        _locate(doc)
    for i, a in enumerate(doc["action_items"]):
        _text(a["text"], f"$.action_items[{i}].text", "action item text")
    for i, c in enumerate(doc["incident_changes"]):
        _change(c, f"$.incident_changes[{i}]")


def _tag_ok(tag: str) -> bool:
    try:
        return d.normalize_tag(tag) == tag
    except WarroomError:
        return False


def _locate(doc: BundleDoc) -> None:
    for i, e in enumerate(doc["entries"]):
        for j, r in enumerate(e["revisions"]):
            if r["kind"] not in _KINDS:
                p = f"$.entries[{i}].revisions[{j}].kind"
                try:
                    d.parse_kind(r["kind"])  # the command line's wording for the refusal
                except WarroomError as exc:
                    raise RuleViolation(f"{p}: {exc}") from None
                raise RuleViolation(f"{p}: {r['kind']!r} is written {d.parse_kind(r['kind'])!r}")
            text = r["text"]
            if not text.strip() or "\x00" in text or len(text) > d.MAX_TEXT:
                _text(text, f"$.entries[{i}].revisions[{j}].text", "entry text")
            for k, tag in enumerate(r["tags"]):
                _tag(tag, f"$.entries[{i}].revisions[{j}].tags[{k}]")
            if "\x00" in r["hidden_reason"] or "\x00" in r["note"] or "\x00" in r["author"]:
                raise RuleViolation(
                    f"$.entries[{i}].revisions[{j}]: a NUL character (U+0000) cannot be stored"
                )


def _tag(tag: str, path: str) -> None:
    try:
        ok = d.normalize_tag(tag) == tag
    except WarroomError as exc:
        raise RuleViolation(f"{path}: {exc}") from None
    if not ok:
        raise RuleViolation(f"{path}: tag {tag!r} is written {d.normalize_tag(tag)!r}")


def _change(c: ChangeRecord, path: str) -> None:
    f, value = c["field"], c["new_value"]
    if f not in d.TRACKED_FIELDS:
        raise RuleViolation(
            f"{path}.field: {f!r} is not an incident field; expected one of "
            + ", ".join(d.TRACKED_FIELDS)
        )
    if value is None:
        if f in ("title", "severity", "status"):
            raise RuleViolation(f"{path}.new_value: the {d.FIELD_LABELS[f]} cannot be empty")
        return
    if not isinstance(value, str):
        raise RuleViolation(f"{path}.new_value: expected a string")
    if f in _STRICT:
        try:
            _STRICT[f](value)
        except ValueError:
            parse = d.parse_severity if f == "severity" else d.parse_status
            try:
                parse(value)
            except WarroomError as exc:
                raise RuleViolation(f"{path}.new_value: {exc}") from None
            raise RuleViolation(
                f"{path}.new_value: {value!r} is not written as Warroom writes it"
            ) from None
    elif f == "title":
        _text(value, f"{path}.new_value", "title")
    elif "\x00" in value:
        _text(value, f"{path}.new_value", d.FIELD_LABELS[f])
    elif f == "affected_services":
        try:
            services = json.loads(value)
        except ValueError:
            services = None
        if not isinstance(services, list) or not all(isinstance(s, str) for s in services):
            raise RuleViolation(f"{path}.new_value: affected services must be a JSON list of names")


def derived_fields(doc: BundleDoc) -> dict[str, JSONValue]:
    """The tracked fields as the bundle's own changes give them (latest change wins:
    ``changed_at``, then ``id``), in the form of the incident object."""
    best: dict[str, tuple[str, str, str | None]] = {}
    for c in doc["incident_changes"]:
        cur = best.get(c["field"])
        if cur is None or (c["changed_at"], c["id"]) > cur[:2]:
            best[c["field"]] = (c["changed_at"], c["id"], c["new_value"])
    out: dict[str, JSONValue] = {}
    for f, (_at, _id, value) in best.items():
        if f == "affected_services":
            out[f] = json.loads(value) if value else []
        elif f in _TIMES:
            out[f] = value
        else:
            out[f] = value or ""
    return out


def claim_differences(doc: BundleDoc) -> list[str]:
    """Where the incident object claims a value its recorded changes do not give."""
    claim: Mapping[str, object] = doc["incident"]
    out = []
    for f, value in derived_fields(doc).items():
        if f in claim and claim[f] != value:
            out.append(
                f"the bundle's incident record says {d.FIELD_LABELS[f]} {_show(claim[f])}, "
                f"but its recorded changes say {_show(value)}: the changes are what is imported"
            )
    return out


def _show(value: object) -> str:
    if value is None or value == "" or value == []:
        return "(none)"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    text = str(value)
    return repr(text if len(text) <= 60 else text[:60] + "…")
