"""The records of a bundle, as ``resources/schema/bundle.schema.json`` describes them.

A parsed bundle is decoded JSON; once ``schema.validate_bundle`` has passed it, its
shape is known, and these types let the merge and the domain rules read it with mypy
checking every key. The evidence record is the store's (``store.timeline``): a bundle
carries it as stored.
"""

from __future__ import annotations

from typing import NotRequired, TypedDict

from warroom.base.jsonval import JSONObject
from warroom.domain.incidents import IncidentRecord
from warroom.store.timeline import EvidenceRecord


class ChangeRecord(TypedDict):
    """One change of one incident field; immutable."""

    id: str
    incident: str
    field: str
    old_value: str | None
    new_value: str | None
    changed_at: str
    changed_by: str


class RevisionRecord(TypedDict):
    """A full snapshot of an entry; ``parent`` is the revision it edited."""

    id: str
    parent: str | None
    recorded_at: str
    author: str
    occurred_at: str
    kind: str
    text: str
    tags: list[str]
    pinned: bool
    external: bool
    hidden: bool
    hidden_reason: str
    note: str


class EntryRecord(TypedDict):
    """A timeline entry with every revision, oldest first."""

    id: str
    incident: str
    recorded_at: str
    author: str
    meta: JSONObject
    revisions: list[RevisionRecord]


class ActionRecord(TypedDict):
    """An action item; the greater (updated_at, updated_by) wins."""

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


class BundleDoc(TypedDict):
    """A whole bundle: one incident with its record."""

    format: str
    schema_version: int
    generator: str
    exported_at: str
    exported_by: str
    checksum: NotRequired[str]  # absent only before ``bundle.seal``
    incident: IncidentRecord
    incident_changes: list[ChangeRecord]
    entries: list[EntryRecord]
    action_items: list[ActionRecord]
    evidence: list[EvidenceRecord]
