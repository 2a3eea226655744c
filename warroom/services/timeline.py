"""Timeline operations shared by the command line and the GUI.

Every write is one transaction through the store's single writer; rules come from
``warroom.domain.incidents``. Listeners (the GUI) hear about our own writes at once;
other processes' writes are noticed through ``Store.data_version()``.
"""

from __future__ import annotations

import getpass
import logging
import sqlite3
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, tzinfo
from typing import TYPE_CHECKING, Generic, TypeAlias, TypedDict, TypeVar, Unpack

from warroom.base import ids, timeutil
from warroom.base.errors import NotFound, UsageError, ValidationError
from warroom.domain import incidents as d
from warroom.domain.incidents import (
    ActionItem,
    Entry,
    Incident,
    IncidentChange,
    Kind,
    Revision,
)
from warroom.store import Store
from warroom.store import timeline as q
from warroom.store.timeline import EntryFilter as EntryFilter  # the filter views pass in

if TYPE_CHECKING:
    from warroom.store.probes import ProbeChange

log = logging.getLogger(__name__)

AUTHOR_KEY = "author"
PROBE_AUTHOR = "probe"  # the system author of what the probes said

# What ``set_incident`` takes for a field: text, a milestone as a datetime or as the
# words a person typed, the affected services as names.
FieldValue: TypeAlias = str | datetime | Sequence[str] | None


class EntryChanges(TypedDict, total=False):
    """What ``revise`` may change; None leaves a field as it is."""

    text: str | None
    occurred_at: datetime | str | None
    kind: str | None
    tags: Sequence[str] | None
    pinned: bool | None
    external: bool | None
    hidden: bool | None
    hidden_reason: str | None


class _RevisionValues(TypedDict, total=False):
    """``EntryChanges`` checked and in the form a ``Revision`` holds them."""

    text: str
    occurred_at: str
    kind: str
    tags: tuple[str, ...]
    pinned: bool
    external: bool
    hidden: bool
    hidden_reason: str


class ActionChanges(TypedDict, total=False):
    """What ``update_action`` may change (``due`` as a datetime or stored text)."""

    text: str
    owner: str
    due: datetime | str | None
    done: bool


class ListOptions(TypedDict, total=False):
    """Paging of ``Timeline.entries`` (``store.timeline.list_entries``)."""

    limit: int | None
    offset: int
    newest_first: bool


class FilterOptions(TypedDict, total=False):
    """The fields of an ``EntryFilter`` besides its incident."""

    search: str
    kinds: tuple[str, ...]
    tag: str
    author: str
    pinned_only: bool
    include_hidden: bool


@dataclass(frozen=True, slots=True)
class ProbesNow:
    """What the probes last said, for a new incident to start from (the shape of the
    dashboard's ``probes.summary.KnownNow``)."""

    affected: tuple[str, ...]
    text: str

    def __bool__(self) -> bool:
        return bool(self.affected)


def probes_now(store: Store, now: datetime | None = None) -> ProbesNow:
    """The latest stored state of every (target, vantage) series: targets down or
    degraded via some vantage, worst first, and one line saying how each looks.

    Read from the stored state changes, so it works without the probe engine running
    (the command line, a window whose probing is off).
    """
    from warroom.store import probes as stored

    now = now or timeutil.now()
    latest: dict[tuple[str, str], ProbeChange] = {}
    for c in stored.changes(store, limit=100_000):  # newest first; changes are few
        latest.setdefault((c["target"], c["vantage"]), c)
    by_target: dict[str, dict[str, list[tuple[str, str]]]] = {}
    for (target, vantage), c in sorted(latest.items(), key=lambda kv: kv[1]["time"]):
        by_target.setdefault(target, {}).setdefault(c["new"], []).append((vantage, c["time"]))
    order = {"down": 0, "degraded": 1}
    hit = [
        (min(order.get(w, 9) for w in groups), target)
        for target, groups in by_target.items()
        if any(w in order for w in groups)
    ]
    hit.sort()
    lines = []
    for _, target in hit:
        parts = []
        for word in sorted(by_target[target], key=lambda w: order.get(w, 5 if w == "up" else 9)):
            vantages = by_target[target][word]
            since = min(t for _, t in vantages)
            age = timeutil.fmt_duration((now - timeutil.parse_utc(since)).total_seconds())
            names = ", ".join(sorted(v for v, _ in vantages))
            parts.append(f"{word} via {names}" + (f" for {age}" if word in order else ""))
        lines.append(f"{target}: " + "; ".join(parts))
    text = ("Probes now: " + ". ".join(lines)) if lines else ""
    return ProbesNow(tuple(t for _, t in hit), text)


def default_author(store: Store | None = None) -> str:
    """The name set once for this workspace, else the login name."""
    if store is not None:
        name = store.meta_get(AUTHOR_KEY)
        if name:
            return name
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return "unknown"


T = TypeVar("T")


@dataclass
class Result(Generic[T]):
    """What a write produced (the entry; for ``set_incident`` the names of the fields
    that changed), and anything the user should be warned about."""

    value: T
    warnings: list[str] = field(default_factory=list)


Listener = Callable[[str, str], None]  # (what: "incident"|"entry"|"action", id)


class Timeline:
    """Incidents and their timelines in one workspace."""

    def __init__(self, store: Store, *, author: str | None = None) -> None:
        self.store = store
        self.author = author or default_author(store)
        self._listeners: list[Listener] = []

    # -- listeners -------------------------------------------------------

    def subscribe(self, fn: Listener) -> None:
        self._listeners.append(fn)

    def unsubscribe(self, fn: Listener) -> None:
        if fn in self._listeners:
            self._listeners.remove(fn)

    def _notify(self, what: str, ident: str) -> None:
        for fn in list(self._listeners):
            try:
                fn(what, ident)
            except Exception:  # a broken view must not undo a committed write
                log.exception("timeline listener failed")

    def author_is_set(self) -> bool:
        """Has a name been chosen for this workspace (else the GUI asks once)?"""
        return bool(self.store.meta_get(AUTHOR_KEY))

    def probes_now(self) -> ProbesNow:
        return probes_now(self.store)

    def set_author(self, name: str) -> None:
        name = name.strip()
        if not name:
            raise ValidationError("the author's name is empty")
        self.store.meta_set(AUTHOR_KEY, name)
        self.author = name

    # -- incidents -------------------------------------------------------

    def resolve_incident_id(self, ref: str) -> str:
        """An id, or an unambiguous prefix of one, or ``latest``/``active``."""
        if ref.strip().lower() in {"latest", "active", "last"}:
            rows = q.list_incidents(self.store)
            open_ = [i for i in rows if i.status != d.IncidentStatus.RESOLVED]
            if not rows:
                raise NotFound("there is no incident yet (warroom incident new TITLE)")
            return (open_ or rows)[0].id
        found = q.find_incident_ids(self.store, ref)
        if not found:
            raise NotFound(f"no incident {ref!r}")
        if len(found) > 1 and ref.strip().upper() not in found:
            raise UsageError(f"incident id {ref!r} is ambiguous ({len(found)} match)")
        return ref.strip().upper() if ref.strip().upper() in found else found[0]

    def incident(self, ref: str) -> Incident:
        inc = q.get_incident(self.store, self.resolve_incident_id(ref))
        if inc is None:
            raise NotFound(f"no incident {ref!r}")
        return inc

    def incidents(self) -> list[Incident]:
        return q.list_incidents(self.store)

    def new_incident(
        self,
        title: str,
        *,
        severity: str = "SEV3",
        status: str = "investigating",
        commander: str = "",
        comms_lead: str = "",
        summary: str = "",
        impact: str = "",
        started_at: datetime | None = None,
        detected_at: datetime | None = None,
        at: datetime | None = None,
        affected_services: Sequence[str] = (),
        known: str = "",
    ) -> Incident:
        """Open an incident. ``known``: what the probes say now, logged as its first
        observation (author ``probe``: a machine wrote it)."""
        d.check_text(title, what="title")
        sev = d.parse_severity(severity)
        st = d.parse_status(status)
        now = at or timeutil.now()
        now_s = timeutil.fmt(now)
        iid = ids.new_id()
        initial: dict[str, str | None] = {
            "title": title.strip(),
            "severity": sev.value,
            "status": st.value,
            "commander": commander.strip(),
            "comms_lead": comms_lead.strip(),
            "summary": summary,
            "impact": impact,
            "detected_at": timeutil.fmt(detected_at) if detected_at else now_s,
            "started_at": timeutil.fmt(started_at) if started_at else None,
        }
        if affected_services:
            initial["affected_services"] = self._normalize_field(
                "affected_services", list(affected_services), now
            )
        problems = d.check_milestones(initial)
        if problems:
            raise ValidationError("milestones out of order: " + "; ".join(problems))
        with self.store.write() as conn:
            q.insert_incident_shell(
                conn,
                {"id": iid, "created_at": now_s, "created_by": self.author, **initial},
            )
            for name, value in initial.items():
                if value in (None, ""):
                    continue
                q.insert_change(
                    conn,
                    IncidentChange(ids.new_id(), iid, name, None, value, now_s, self.author),
                )
            q.refresh_incident(conn, iid)
            text = f"Incident opened: {title.strip()} ({sev.value}, {st.value})"
            if commander.strip():
                text += f"; commander {commander.strip()}"
            self._insert_entry(
                conn,
                iid,
                text,
                kind=Kind.STATUS,
                occurred_at=now_s,
                recorded_at=now_s,
                meta={"opened": True},
            )
            if known.strip():
                self._insert_entry(
                    conn,
                    iid,
                    d.check_text(known),
                    kind=Kind.PROBE,
                    occurred_at=now_s,
                    recorded_at=now_s,
                    author=PROBE_AUTHOR,
                    meta={"carried_in": True},
                )
        self._notify("incident", iid)
        return self.incident(iid)

    def set_incident(
        self, ref: str, *, force: bool = False, at: datetime | None = None, **fields: FieldValue
    ) -> Result[list[str]]:
        """Change tracked fields; each real change is recorded and logged as a status entry.

        Milestone values may be datetimes or user time strings. Setting status
        ``resolved`` (``monitoring``) stamps the resolved (mitigated) milestone if empty.
        """
        inc = self.incident(ref)
        now = at or timeutil.now()
        now_s = timeutil.fmt(now)
        new: dict[str, str | None] = {}
        warnings: list[str] = []
        for name, value in fields.items():
            if value is None:
                continue
            if name not in d.TRACKED_FIELDS:
                raise UsageError(f"unknown incident field {name!r}")
            new[name] = self._normalize_field(name, value, now)
        if new.get("status") == d.IncidentStatus.RESOLVED and not inc.resolved_at:
            new.setdefault("resolved_at", now_s)
        if new.get("status") == d.IncidentStatus.MONITORING and not inc.mitigated_at:
            new.setdefault("mitigated_at", now_s)
        if "resolved_at" in new and new["resolved_at"] and not inc.mitigated_at:
            new.setdefault("mitigated_at", new["resolved_at"])
        current = {k: inc.stored(k) for k in d.TRACKED_FIELDS}
        changes = {k: v for k, v in new.items() if (current.get(k) or None) != (v or None)}
        milestones = {m: current.get(m) for m in d.MILESTONES}
        milestones.update({k: v for k, v in changes.items() if k in d.MILESTONES})
        problems = d.check_milestones(milestones)
        if problems and not force:
            raise ValidationError(
                "milestones out of order: " + "; ".join(problems) + " (use --force to keep it)"
            )
        warnings.extend(problems)
        for k in d.MILESTONES:
            v = changes.get(k)
            if v:
                w = d.future_warning(timeutil.parse_utc(v), now)
                if w:
                    warnings.append(f"{d.MILESTONE_LABELS[k]}: {w}")
        if not changes:
            return Result([], warnings)
        with self.store.write() as conn:
            for name, value in changes.items():
                old = current.get(name)
                old_s = None if old in (None, "") else str(old)
                q.insert_change(
                    conn,
                    IncidentChange(ids.new_id(), inc.id, name, old_s, value, now_s, self.author),
                )
                self._insert_entry(
                    conn,
                    inc.id,
                    d.status_entry_text(name, old_s, value),
                    kind=Kind.STATUS,
                    occurred_at=now_s,
                    recorded_at=now_s,
                    meta={"field": name, "old": old_s, "new": value},
                )
            q.refresh_incident(conn, inc.id)
        self._notify("incident", inc.id)
        return Result(list(changes), warnings)

    def _normalize_field(self, name: str, value: FieldValue, now: datetime) -> str | None:
        if name == "severity":
            return d.parse_severity(str(value)).value
        if name == "status":
            return d.parse_status(str(value)).value
        if name in d.MILESTONES or name == "next_update_due":
            if value == "":
                return None
            if isinstance(value, datetime):
                return timeutil.fmt(value)
            ahead = name == "next_update_due"  # a due time is the next such time
            return timeutil.fmt(timeutil.parse_user_time(str(value), ref=now, ahead=ahead))
        if name == "affected_services":
            items = value if isinstance(value, list | tuple) else str(value).split(",")
            return d.services_value(sorted({str(s).strip() for s in items if str(s).strip()}))
        if name == "title":
            return d.check_text(str(value), what="title").strip()
        return str(value)

    def incident_history(self, ref: str) -> list[IncidentChange]:
        return q.incident_changes(self.store, self.resolve_incident_id(ref))

    # -- entries ------------------------------------------------------------

    def _insert_entry(
        self,
        conn: sqlite3.Connection,
        incident: str,
        text: str,
        *,
        kind: str,
        occurred_at: str,
        recorded_at: str,
        tags: tuple[str, ...] = (),
        pinned: bool = False,
        external: bool = False,
        author: str | None = None,
        meta: Mapping[str, object] | None = None,
        entry_id: str | None = None,
    ) -> str:
        eid = entry_id or ids.new_id()
        who = author or self.author
        rev = Revision(
            id=ids.new_id(),
            entry=eid,
            parent=None,
            recorded_at=recorded_at,
            author=who,
            occurred_at=occurred_at,
            kind=str(kind),
            text=text,
            tags=tuple(tags),
            pinned=pinned,
            external=external,
        )
        q.insert_entry_shell(
            conn,
            {
                "id": eid,
                "incident": incident,
                "recorded_at": recorded_at,
                "author": who,
                "meta": meta or {},
            },
            rev,
        )
        q.insert_revision(conn, rev)
        return eid

    def log(
        self,
        ref: str,
        text: str,
        *,
        kind: str | None = None,
        at: datetime | None = None,
        author: str | None = None,
        tags: list[str] | tuple[str, ...] = (),
        pinned: bool = False,
        external: bool = False,
        meta: Mapping[str, object] | None = None,
        todo: str | None = None,
    ) -> Result[Entry]:
        """Add one entry, committed before this returns. ``TODO:`` also makes an action."""
        iid = self.resolve_incident_id(ref)
        now = timeutil.now()
        cap = d.plain_capture(text, kind=kind, at=at, tags=tags, todo=todo, now=now)
        return self._log_capture(
            iid, cap, now, author=author, pinned=pinned, external=external, meta=meta
        )

    def capture(self, ref: str, line: str, *, tz: tzinfo | None = None) -> Result[Entry]:
        """What the GUI's capture line does: prefixes, backdating, tags, TODO."""
        iid = self.resolve_incident_id(ref)
        now = timeutil.now()
        return self._log_capture(iid, d.parse_capture(line, now=now, tz=tz), now)

    def _log_capture(
        self,
        iid: str,
        cap: d.Capture,
        now: datetime,
        *,
        author: str | None = None,
        pinned: bool = False,
        external: bool = False,
        meta: Mapping[str, object] | None = None,
    ) -> Result[Entry]:
        """Write what a parsed capture means: its entry, and its action item if any."""
        with self.store.write() as conn:
            eid = self._insert_entry(
                conn,
                iid,
                cap.text,
                kind=cap.kind.value,
                occurred_at=timeutil.fmt(cap.occurred_at or now),
                recorded_at=timeutil.fmt(now),
                tags=tuple(cap.tags),
                pinned=pinned,
                external=external,
                author=author,
                meta=meta,
            )
            if cap.todo:
                self._add_action(conn, iid, cap.todo, entry=eid, now=now)
        self._notify("entry", eid)
        return Result(self.entry(eid), list(cap.warnings))

    def resolve_entry_id(self, ref: str) -> str:
        found = q.find_entry_ids(self.store, ref)
        if not found:
            raise NotFound(f"no entry {ref!r}")
        if ref.strip().upper() in found:
            return ref.strip().upper()
        if len(found) > 1:
            raise UsageError(f"entry id {ref!r} is ambiguous")
        return found[0]

    def entry(self, ref: str) -> Entry:
        e = q.get_entry(self.store, self.resolve_entry_id(ref))
        if e is None:
            raise NotFound(f"no entry {ref!r}")
        return e

    def revisions(self, ref: str) -> list[Revision]:
        return q.revisions_of(self.store, self.resolve_entry_id(ref))

    def revise(
        self,
        ref: str,
        *,
        note: str = "",
        base: str | None = None,
        **changes: Unpack[EntryChanges],
    ) -> Result[Entry]:
        """Append a revision with ``changes`` over the current one; nothing is overwritten.

        ``changes`` keys: text, occurred_at (datetime), kind, tags, pinned, external,
        hidden, hidden_reason. ``base`` is the revision the user was looking at (the
        new revision's parent); by default the current one.
        """
        eid = self.resolve_entry_id(ref)
        now = timeutil.now()
        warnings: list[str] = []
        values: _RevisionValues = {}
        for k, v in changes.items():
            if v is None:
                continue
            if k == "text":
                if not isinstance(v, str):
                    raise UsageError("an entry's text must be a string")
                values["text"] = d.check_text(v)
            elif k == "occurred_at":
                at = v if isinstance(v, datetime) else timeutil.parse_user_time(str(v), ref=now)
                w = d.future_warning(at, now)
                if w:
                    warnings.append(w)
                values["occurred_at"] = timeutil.fmt(at)
            elif k == "kind":
                values["kind"] = d.parse_kind(str(v)).value
            elif k == "tags":
                if not isinstance(v, Iterable):
                    raise UsageError("an entry's tags must be a list of words")
                values["tags"] = d.normalize_tags(list(v))
            elif k == "pinned":
                values["pinned"] = bool(v)
            elif k == "external":
                values["external"] = bool(v)
            elif k == "hidden":
                values["hidden"] = bool(v)
            elif k == "hidden_reason":
                values["hidden_reason"] = str(v)
            else:
                raise UsageError(f"cannot change {k!r} of an entry")
        with self.store.write() as conn:
            cur = q.current_revision(conn, eid)
            if cur is None:
                raise NotFound(f"no entry {ref!r}")
            new = replace(
                cur,
                id=ids.new_id(),
                parent=base or cur.id,
                recorded_at=timeutil.fmt(now),
                author=self.author,
                note=note,
                **values,
            )
            if new.hidden and not new.hidden_reason and "hidden" in values:
                raise ValidationError("hiding an entry needs a reason")
            if not new.hidden:
                new = replace(new, hidden_reason="")
            if d.describe_change(cur, new) == "":
                return Result(self.entry(eid), ["nothing changed"])
            # Read before the new revision lands: it ends the hidden stretch.
            since = self._hidden_since(conn, eid) if cur.hidden else None
            q.insert_revision(conn, new)
            q.refresh_entry(conn, eid)
            if new.hidden != cur.hidden:
                self._follow_hiding(conn, eid, hidden=new.hidden, since=since, now=now)
        self._notify("entry", eid)
        return Result(self.entry(eid), warnings)

    def _follow_hiding(
        self,
        conn: sqlite3.Connection,
        eid: str,
        *,
        hidden: bool,
        since: tuple[str, str] | None,
        now: datetime,
    ) -> None:
        """A hidden ``TODO:`` entry no longer asks for anything: close its open action
        items; unhiding reopens the ones its hiding closed (not those a person ticked)."""
        now_s = timeutil.fmt(now)
        for item in q.actions_of_entry(conn, eid):
            if hidden and not item.done:
                new = replace(item, done=True, updated_at=now_s, updated_by=self.author)
            elif not hidden and item.done and (item.updated_at, item.updated_by) == since:
                new = replace(item, done=False, updated_at=now_s, updated_by=self.author)
            else:
                continue
            q.upsert_action(conn, new)
            self._notify("action", item.id)

    @staticmethod
    def _hidden_since(conn: sqlite3.Connection, eid: str) -> tuple[str, str] | None:
        """When and by whom the entry's latest stretch of being hidden began: the stamp
        its hiding left on the action items it closed."""
        since = None
        for r in q.revisions_in(conn, eid):
            if r.hidden and since is None:
                since = (r.recorded_at, r.author)
            elif not r.hidden:
                since = None
        return since

    def edit(
        self,
        ref: str,
        *,
        text: str | None = None,
        at: datetime | str | None = None,
        kind: str | None = None,
        tags: list[str] | None = None,
    ) -> Result[Entry]:
        return self.revise(ref, text=text, occurred_at=at, kind=kind, tags=tags, note="edit")

    def hide(self, ref: str, reason: str) -> Result[Entry]:
        if not reason.strip():
            raise ValidationError("hiding an entry needs a reason")
        return self.revise(ref, hidden=True, hidden_reason=reason.strip(), note="hide")

    def unhide(self, ref: str) -> Result[Entry]:
        return self.revise(ref, hidden=False, note="unhide")

    def pin(self, ref: str, pinned: bool = True) -> Result[Entry]:
        return self.revise(ref, pinned=pinned, note="pin" if pinned else "unpin")

    def entries(self, flt: EntryFilter, **kw: Unpack[ListOptions]) -> list[Entry]:
        return q.list_entries(self.store, flt, **kw)

    def filter(self, ref: str, **kw: Unpack[FilterOptions]) -> EntryFilter:
        return EntryFilter(incident=self.resolve_incident_id(ref), **kw)

    # -- reading for live views (the GUI's model reads here, as the CLI does) ----------

    def data_version(self) -> int:
        """Changes when any process commits: the cheap question a poll asks."""
        return self.store.data_version()

    def change_marks(self) -> tuple[int, int]:
        return q.change_marks(self.store)

    def changed_entry_ids(self, incident: str, marks: tuple[int, int]) -> list[str]:
        return q.changed_entry_ids(self.store, incident, marks)

    def entry_keys(self, flt: EntryFilter) -> list[str]:
        return q.entry_keys(self.store, flt)

    def count_matching(self, flt: EntryFilter) -> int:
        return q.count_matching(self.store, flt)

    def count_entries(self, incident: str) -> int:
        return q.count_entries(self.store, incident)

    def entries_by_ids(self, ids: Sequence[str]) -> dict[str, Entry]:
        return q.entries_by_ids(self.store, ids)

    def filter_ids(self, flt: EntryFilter, ids: Sequence[str]) -> set[str]:
        return q.filter_ids(self.store, flt, ids)

    def tags(self, incident: str) -> list[str]:
        return q.tags(self.store, incident)

    def authors(self, incident: str) -> list[str]:
        return q.authors(self.store, incident)

    # -- action items -------------------------------------------------------------

    def _add_action(
        self,
        conn: sqlite3.Connection,
        incident: str,
        text: str,
        *,
        entry: str | None,
        now: datetime,
        owner: str = "",
        due: str | None = None,
    ) -> ActionItem:
        now_s = timeutil.fmt(now)
        item = ActionItem(
            id=ids.new_id(),
            incident=incident,
            entry=entry,
            text=d.check_text(text),
            owner=owner,
            due=due,
            done=False,
            created_at=now_s,
            created_by=self.author,
            updated_at=now_s,
            updated_by=self.author,
        )
        q.upsert_action(conn, item)
        return item

    def add_action(
        self, ref: str, text: str, *, owner: str = "", due: datetime | str | None = None
    ) -> ActionItem:
        iid = self.resolve_incident_id(ref)
        now = timeutil.now()
        due_s = None
        if due:
            due_s = timeutil.fmt(
                due
                if isinstance(due, datetime)
                else timeutil.parse_user_time(str(due), ref=now, ahead=True)
            )
        with self.store.write() as conn:
            item = self._add_action(conn, iid, text, entry=None, now=now, owner=owner, due=due_s)
        self._notify("action", item.id)
        return item

    def update_action(self, action_id: str, **changes: Unpack[ActionChanges]) -> ActionItem:
        item = q.get_action(self.store, action_id)
        if item is None:
            raise NotFound(f"no action item {action_id!r}")
        now = timeutil.now()
        unknown = changes.keys() - ActionChanges.__optional_keys__
        if unknown:  # what ``replace`` said before the fields were spelled out
            raise TypeError(f"unexpected action item field(s): {', '.join(sorted(unknown))}")
        due = changes.get("due", item.due)
        new = replace(
            item,
            text=changes.get("text", item.text),
            owner=changes.get("owner", item.owner),
            due=timeutil.fmt(due) if isinstance(due, datetime) else due,
            done=changes.get("done", item.done),
            updated_at=timeutil.fmt(now),
            updated_by=self.author,
        )
        with self.store.write() as conn:
            q.upsert_action(conn, new)
        self._notify("action", new.id)
        return new

    def actions(self, ref: str, *, open_only: bool = False) -> list[ActionItem]:
        return q.action_items(self.store, self.resolve_incident_id(ref), open_only=open_only)
