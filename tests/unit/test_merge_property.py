"""Property: whatever two replicas do, merging converges, in any order, idempotently."""

from __future__ import annotations

import tempfile
from pathlib import Path

from helpers.handover import content, db_snapshot, export
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from warroom.handover import merge
from warroom.services.timeline import Timeline
from warroom.store import Store

words = st.text(alphabet="abcxyzäé #*<>", min_size=1, max_size=12).filter(lambda s: s.strip())
op = st.one_of(
    st.tuples(st.just("log"), words, st.booleans()),
    st.tuples(st.just("edit"), st.integers(0, 20), words),
    st.tuples(st.just("hide"), st.integers(0, 20), words),
    st.tuples(st.just("pin"), st.integers(0, 20), st.booleans()),
    st.tuples(
        st.just("set"),
        st.sampled_from(["status", "severity", "summary", "commander"]),
        st.integers(0, 3),
    ),
    st.tuples(st.just("act"), words, st.booleans()),
    st.tuples(st.just("act_update"), st.integers(0, 5), words),
)
VALUES = {
    "status": ["investigating", "identified", "monitoring", "resolved"],
    "severity": ["SEV1", "SEV2", "SEV3", "SEV4"],
    "summary": ["partial", "total", "none yet", "recovering"],
    "commander": ["Alice", "Bob", "Carol", "Dan"],
}


def apply(tl: Timeline, iid: str, ops: list[tuple]) -> None:  # type: ignore[type-arg]
    for o in ops:
        entries = tl.entries(tl.filter(iid, include_hidden=True))
        actions = tl.actions(iid)
        kind = o[0]
        if kind == "log":
            tl.log(iid, o[1], pinned=o[2])
        elif kind == "edit" and entries:
            tl.edit(entries[o[1] % len(entries)].id, text=o[2])
        elif kind == "hide" and entries:
            e = entries[o[1] % len(entries)]
            if not e.hidden:
                tl.hide(e.id, o[2])
        elif kind == "pin" and entries:
            tl.pin(entries[o[1] % len(entries)].id, o[2])
        elif kind == "set":
            tl.set_incident(iid, force=True, **{o[1]: VALUES[o[1]][o[2]]})
        elif kind == "act":
            tl.add_action(iid, o[1], owner="x" if o[2] else "")
        elif kind == "act_update" and actions:
            tl.update_action(actions[o[1] % len(actions)].id, owner=o[2])


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ops_a=st.lists(op, max_size=6), ops_b=st.lists(op, max_size=6))
def test_merge_converges_in_any_order_and_is_idempotent(ops_a: list, ops_b: list) -> None:  # type: ignore[type-arg]
    with tempfile.TemporaryDirectory() as tmp:
        a, b, c1, c2 = (Store.open(Path(tmp) / n) for n in "ab12")
        try:
            ta = Timeline(a, author="alice")
            iid = ta.new_incident("Base").id
            ta.log(iid, "shared entry")
            base = export(a, iid)
            merge.merge_bundle(b, base)
            apply(ta, iid, ops_a)
            apply(Timeline(b, author="bob"), iid, ops_b)
            bundle_a, bundle_b = export(a, iid), export(b, iid)

            # Either order into a third and a fourth workspace gives one result...
            merge.merge_bundle(c1, bundle_a)
            merge.merge_bundle(c1, bundle_b)
            merge.merge_bundle(c2, bundle_b)
            merge.merge_bundle(c2, bundle_a)
            # ...and so does each replica taking the other's bundle.
            merge.merge_bundle(a, bundle_b)
            merge.merge_bundle(b, bundle_a)
            results = [content(export(s, iid)) for s in (a, b, c1, c2)]
            assert all(r == results[0] for r in results[1:])
            caches = [db_snapshot(s)["entries"] for s in (a, b, c1, c2)]
            assert all(x == caches[0] for x in caches[1:])

            # Idempotent: merging again changes nothing anywhere.
            before = db_snapshot(a)
            assert merge.merge_bundle(a, bundle_a).unchanged
            assert merge.merge_bundle(a, bundle_b).unchanged
            assert merge.merge_bundle(a, export(c1, iid)).unchanged
            assert db_snapshot(a) == before
        finally:
            for s in (a, b, c1, c2):
                s.close()
