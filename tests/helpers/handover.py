"""Shared builders for the handover tests: a populated incident, bundles, comparisons."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from warroom.base import ids
from warroom.handover import bundle
from warroom.services.timeline import Timeline
from warroom.store import Store
from warroom.store import timeline as q


def populate(store: Store, *, author: str = "alice") -> str:
    """An incident with plain, pinned, edited, hidden entries, actions and evidence."""
    tl = Timeline(store, author=author)
    inc = tl.new_incident(
        "Hosting network outage",
        severity="SEV1",
        commander="Alice",
        summary="Customer sites unreachable",
    )
    tl.log(inc.id, "www answers 502 from isp-a and isp-b #www", kind="observation", pinned=True)
    e2 = tl.log(inc.id, "Fail over to site B", kind="decision").value
    tl.edit(e2.id, text="Fail over to site B (core router line card)")
    e3 = tl.log(inc.id, "secret internal remark", kind="note").value
    tl.hide(e3.id, "wrong incident")
    tl.log(inc.id, "Posted status on Mastodon", kind="comms", external=True)
    tl.log(inc.id, "TODO: check the BGP sessions")
    tl.add_action(inc.id, "Write the post-incident report", owner="Bob")
    tl.set_incident(inc.id, status="identified", comms_lead="Carol", impact="All customer sites")
    with store.write() as conn:
        q.insert_evidence(
            conn,
            {
                "id": ids.new_id(),
                "incident": inc.id,
                "entry": e2.id,
                "kind": "probe",
                "captured_at": "2026-11-24T09:00:00.000Z",
                "source": "www/isp-a",
                "data": {"status": "down", "latency_ms": None, "umlaut": "Zürich"},
            },
        )
    return inc.id


def export(store: Store, incident: str) -> dict[str, Any]:
    return bundle.build_bundle(
        store, incident, exported_by="tester", exported_at="2026-11-25T00:00:00.000Z"
    )


def content(doc: dict[str, Any]) -> dict[str, Any]:
    """A bundle without what legitimately differs between exports."""
    return {
        k: v
        for k, v in doc.items()
        if k not in {"exported_at", "exported_by", "checksum", "generator"}
    }


def write(path: Path, doc: dict[str, Any]) -> Path:
    path.write_text(bundle.dumps(doc), encoding="utf-8")
    return path


def db_snapshot(store: Store) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every timeline table, to prove that nothing changed."""
    out = {}
    for t in ("incidents", "incident_changes", "entries", "revisions", "action_items", "evidence"):
        out[t] = sorted(tuple(r) for r in store.query(f"SELECT * FROM {t}"))
    return out


def reseal(doc: dict[str, Any]) -> dict[str, Any]:
    """A deep copy with a fresh checksum (to test checks behind the checksum)."""
    return bundle.seal(json.loads(json.dumps(doc)))


def add_copies(doc: dict[str, Any], n: int, text: Callable[[int], str]) -> None:
    """``n`` more entries in ``doc``, copies of its second entry with new ids and the
    texts ``text(i)`` (the bundle needs ``bundle.seal`` again afterwards)."""
    template = doc["entries"][1]
    for i in range(n):
        e = json.loads(json.dumps(template))
        e["id"] = f"01COPY{i:020d}"
        for r in e["revisions"]:
            r["id"] = f"01CREV{i:020d}"
            r["text"] = text(i)
        doc["entries"].append(e)


def add_outage(
    store: Store,
    *,
    target: str,
    vantages: list[str],
    down_at: str,
    up_at: str | None,
    down_vantages: list[str] | None = None,
) -> None:
    """Probe state changes as the probe engine records them: up, then down, then up."""
    from warroom.base import timeutil
    from warroom.domain.probes import ProbeResult, State, StateChange, Status
    from warroom.store import probes

    t0 = timeutil.parse_utc(down_at)
    changes = []
    for v in vantages:
        ok = ProbeResult(t0, target, v, "http", Status.UP, 80.0)
        first = t0.replace(hour=max(0, t0.hour - 1))
        changes.append(StateChange(first, target, v, State.PENDING, State.UP, ok))
        if down_vantages is not None and v not in down_vantages:
            continue
        bad = ProbeResult(t0, target, v, "http", Status.DOWN, None, "timeout", "no answer")
        changes.append(StateChange(t0, target, v, State.UP, State.DOWN, bad))
        if up_at:
            t1 = timeutil.parse_utc(up_at)
            changes.append(StateChange(t1, target, v, State.DOWN, State.UP, ok))
    probes.write_batch(store, [], changes)
