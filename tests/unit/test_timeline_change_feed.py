"""The store's change feed for live views: what changed since a mark, by rowid."""

from __future__ import annotations

from warroom.services.timeline import Timeline
from warroom.store import Store
from warroom.store import timeline as q


def test_changed_entry_ids_sees_new_entries_and_new_revisions_only(store: Store) -> None:
    tl = Timeline(store, author="a")
    inc = tl.new_incident("one")
    other = tl.new_incident("two")
    old = tl.log(inc.id, "old").value.id
    mark = q.change_marks(store)
    assert q.changed_entry_ids(store, inc.id, mark) == []
    new = tl.log(inc.id, "new").value.id
    tl.log(other.id, "elsewhere")
    tl.edit(old, text="old, edited")
    assert sorted(q.changed_entry_ids(store, inc.id, mark)) == sorted([new, old])
    mark2 = q.change_marks(store)
    assert mark2 > mark
    tl.hide(new, "dup")
    assert q.changed_entry_ids(store, inc.id, mark2) == [new]


def test_filter_ids_and_count_matching_follow_the_filter(store: Store) -> None:
    tl = Timeline(store, author="a")
    inc = tl.new_incident("one")
    a = tl.log(inc.id, "resolver down #dns").value.id
    b = tl.log(inc.id, "mail queue", kind="action").value.id
    tl.hide(b, "dup")
    flt = q.EntryFilter(inc.id)
    assert q.filter_ids(store, flt, [a, b]) == {a}
    assert q.filter_ids(store, q.EntryFilter(inc.id, include_hidden=True), [a, b]) == {a, b}
    assert q.filter_ids(store, q.EntryFilter(inc.id, search="resolv"), [a, b]) == {a}
    assert q.count_matching(store, flt) == 2  # with "Incident opened"
    assert q.count_matching(store, q.EntryFilter(inc.id, tag="dns")) == 1
    assert q.count_matching(store, flt) == len(q.entry_keys(store, flt))
