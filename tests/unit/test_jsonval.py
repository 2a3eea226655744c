"""The JSON narrowing helpers answer a wrong shape with a default, never a crash."""

from warroom.base import jsonval as j


def test_objects_and_lists_narrow_or_fall_back():
    assert j.as_object({"a": 1}) == {"a": 1}
    assert j.as_object([1]) == {}
    assert j.as_object({1: "x"}) == {}
    assert j.as_list("ab") == []
    assert j.objects([{"a": 1}, 2, "x", {"b": 2}]) == [{"a": 1}, {"b": 2}]
    assert j.strings(["a", 1, None, "b"]) == ["a", "b"]
    assert j.strings("ab") == []


def test_scalars_refuse_the_wrong_type():
    m = {"s": "x", "n": 3, "f": 2.0, "h": 2.5, "b": True, "z": None}
    assert j.get_str(m, "s") == "x"
    assert j.get_str(m, "n", "d") == "d"
    assert j.get_opt_str(m, "z") is None
    assert j.get_int(m, "n") == 3
    assert j.get_int(m, "f") == 2
    assert j.get_int(m, "h") is None
    assert j.get_int(m, "b", -1) == -1
    assert j.get_float(m, "n") == 3.0
    assert j.get_float(m, "b") is None
    assert j.get_bool(m, "b") is True
    assert j.get_bool(m, "n") is False
