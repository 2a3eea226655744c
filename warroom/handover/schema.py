"""Structural validation of bundles against ``resources/schema/bundle.schema.json``.

The shipped JSON Schema is the single source of truth; this module compiles the small
subset it uses (type, const, enum, pattern, minimum, minItems, maxLength, required,
properties, additionalProperties, items, local ``$ref``) into plain closures. That keeps
a 100,000-entry import fast and avoids a dependency, and every failure names the JSON
path of the offending value (``$.entries[12].revisions[0].pinned``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from functools import cache
from itertools import chain, repeat
from typing import TYPE_CHECKING, TypeAlias, cast

from warroom.base.jsonval import JSONObject, JSONValue
from warroom.base.paths import resource_path

if TYPE_CHECKING:
    from warroom.handover.records import BundleDoc

# A check takes any decoded value (the point is to find out what it is) and its path.
Check: TypeAlias = Callable[[object, str], None]
# A pattern's test: only ever called on strings (see ``fast_object``), or wrapped by
# ``_strings_only`` to let anything else pass.
Match: TypeAlias = Callable[[object], object]
# (key, Python types, pattern test) of a simple property of a closed record.
Simple: TypeAlias = tuple[str, tuple[type, ...], Match | None]

_TYPES: dict[str, Callable[[object], bool]] = {
    "string": lambda v: isinstance(v, str),
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "number": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
    "boolean": lambda v: isinstance(v, bool),
    "null": lambda v: v is None,
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
}


class SchemaViolation(ValueError):
    """A value does not fit the schema; ``path`` is its JSON path."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(f"{path}: {message}")
        self.path = path
        self.message = message


def _describe(v: object) -> str:
    if v is None:
        return "null"
    for name in ("boolean", "integer", "number", "string", "array", "object"):
        if _TYPES[name](v):
            return name
    return type(v).__name__


_MISSING = object()
_PYTYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "integer": (int,),
    "number": (int, float),
    "boolean": (bool,),
    "null": (type(None),),
    "object": (dict,),
    "array": (list,),
}
_STR: tuple[type, ...] = (str,)
_SIMPLE_KEYS = {"type", "pattern", "description"}


def _ecma(pattern: str) -> re.Pattern[str]:
    """A schema pattern as JSON Schema means it (ECMA-262): ``$`` is the end of the
    string. Python's ``$`` also matches before a final newline, which would let an id
    like ``"01ABC\\n"`` through; ``(?!\\n)`` after it closes that gap."""
    return re.compile(re.sub(r"(?<!\\)\$", r"$(?!\\n)", pattern))


def _strings_only(search: Callable[[str], object]) -> Match:
    """A pattern applies to strings only; null and other types pass it."""

    def match(x: object) -> bool:
        return type(x) is not str or search(x) is not None

    return match


def _node(v: JSONValue, where: str) -> JSONObject:
    """A schema keyword that must hold a schema (an object)."""
    if not isinstance(v, dict):
        raise ValueError(f"schema: {where} is not an object")
    return v


def _text(v: JSONValue, where: str) -> str:
    if not isinstance(v, str):
        raise ValueError(f"schema: {where} is not a string")
    return v


def _names(v: JSONValue, where: str) -> list[str]:
    """``type``: one name or a list of names."""
    if isinstance(v, str):
        return [v]
    if isinstance(v, list) and all(isinstance(n, str) for n in v):
        return [n for n in v if isinstance(n, str)]
    raise ValueError(f"schema: {where} is not a type name or a list of them")


def _number(v: JSONValue, where: str) -> int | float:
    if isinstance(v, bool) or not isinstance(v, int | float):
        raise ValueError(f"schema: {where} is not a number")
    return v


class _Compiler:
    def __init__(self, root: JSONObject) -> None:
        self.root = root
        self.defs = _node(root.get("$defs", {}), "$defs")
        self.refs: dict[str, Check] = {}

    def definition(self, ref: JSONValue) -> JSONObject:
        """The schema a local ``$ref`` names."""
        name = _text(ref, "$ref")
        if not name.startswith("#/$defs/"):
            raise ValueError(f"unsupported $ref {name!r}")
        return _node(self.defs[name[len("#/$defs/") :]], name)

    def ref(self, ref: str) -> Check:
        if ref not in self.refs:
            if not ref.startswith("#/$defs/"):
                raise ValueError(f"unsupported $ref {ref!r}")
            holder: list[Check] = []
            # Placeholder first so recursive definitions terminate.
            self.refs[ref] = lambda v, p: holder[0](v, p)
            holder.append(self.compile(self.definition(ref)))
        return self.refs[ref]

    def resolve(self, s: JSONObject) -> JSONObject:
        while "$ref" in s:
            s = self.definition(s["$ref"])
        return s

    def fast_object(
        self, s: JSONObject, required: tuple[str, ...], closed: bool
    ) -> tuple[list[Simple], list[str]] | None:
        """For a closed record whose every property is required: a flat list of
        (key, python types, regex match or None) for the simple properties, and the
        keys of the nested ones. None when the schema is not of that shape."""
        props = _node(s.get("properties", {}), "properties")
        if not closed or set(required) != set(props):
            return None
        simple: list[Simple] = []
        nested: list[str] = []
        for k, sub in props.items():
            r = self.resolve(_node(sub, k))
            if set(r) <= _SIMPLE_KEYS and "type" in r:
                names = _names(r["type"], f"{k}.type")
                types = tuple(t for n in names for t in _PYTYPES[n])
                rx: Match | None = None
                if "pattern" in r:
                    search = _ecma(_text(r["pattern"], f"{k}.pattern")).search
                    # Called only on values whose type is str (the type test runs
                    # first), so the bare search is enough when str is the only type.
                    rx = cast(Match, search) if types == (str,) else _strings_only(search)
                simple.append((k, types, rx))
            else:
                nested.append(k)
        return simple, nested

    def compile(self, s: JSONObject) -> Check:
        if "$ref" in s:
            return self.ref(_text(s["$ref"], "$ref"))
        checks: list[Check] = []
        if "type" in s:
            names = _names(s["type"], "type")
            preds = [_TYPES[n] for n in names]
            want = " or ".join(names)

            def check_type(v: object, p: str) -> None:
                for pred in preds:
                    if pred(v):
                        return
                raise SchemaViolation(p, f"expected {want}, found {_describe(v)}")

            checks.append(check_type)
        if "const" in s:
            const = s["const"]

            def check_const(v: object, p: str) -> None:
                if v != const:
                    raise SchemaViolation(p, f"expected {json.dumps(const)}, found {v!r}")

            checks.append(check_const)
        if "enum" in s:
            enum = s["enum"]
            if not isinstance(enum, list):
                raise ValueError("schema: enum is not a list")
            allowed = list(enum)

            def check_enum(v: object, p: str) -> None:
                if v not in allowed or isinstance(v, bool):
                    raise SchemaViolation(
                        p, f"expected one of {', '.join(map(str, allowed))}, found {v!r}"
                    )

            checks.append(check_enum)
        if "pattern" in s:
            rx = _ecma(_text(s["pattern"], "pattern"))

            def check_pattern(v: object, p: str) -> None:
                if isinstance(v, str) and not rx.search(v):
                    raise SchemaViolation(p, f"{v[:80]!r} is not in the expected form")

            checks.append(check_pattern)
        if "maxLength" in s:
            limit = _number(s["maxLength"], "maxLength")

            def check_len(v: object, p: str) -> None:
                if isinstance(v, str) and len(v) > limit:
                    raise SchemaViolation(p, f"longer than {limit} characters")

            checks.append(check_len)
        if "minimum" in s:
            low = _number(s["minimum"], "minimum")

            def check_min(v: object, p: str) -> None:
                if isinstance(v, int | float) and v < low:
                    raise SchemaViolation(p, f"{v} is below {low}")

            checks.append(check_min)
        if "minItems" in s:
            least = _number(s["minItems"], "minItems")

            def check_min_items(v: object, p: str) -> None:
                if isinstance(v, list) and len(v) < least:
                    raise SchemaViolation(p, f"needs at least {least} item(s)")

            checks.append(check_min_items)
        if "items" in s:
            item = self.compile(_node(s["items"], "items"))

            def check_items(v: object, p: str) -> None:
                if isinstance(v, list):
                    for i, x in enumerate(v):
                        item(x, f"{p}[{i}]")

            checks.append(check_items)
        if "required" in s or "properties" in s:
            required = tuple(_names(s.get("required", []), "required"))
            props = {
                k: self.compile(_node(v, k))
                for k, v in _node(s.get("properties", {}), "properties").items()
            }
            closed = s.get("additionalProperties", True) is False

            def check_object(v: object, p: str) -> None:
                if not isinstance(v, dict):
                    return
                for k in required:
                    if k not in v:
                        raise SchemaViolation(f"{p}.{k}", "missing")
                for k, x in v.items():
                    sub = props.get(k)
                    if sub is not None:
                        sub(x, f"{p}.{k}")
                    elif closed:
                        raise SchemaViolation(f"{p}.{k}", "unknown field")

            fast = self.fast_object(s, required, closed)
            if fast is not None:
                simple, nested = fast
                nested_checks = [(k, props[k]) for k in nested]
                slow = check_object

                def check_object_fast(v: object, p: str) -> None:
                    # The common case (a valid record) without building a path per field;
                    # on any doubt the full check runs and names the offending path.
                    if type(v) is not dict:
                        return slow(v, p)
                    get = v.get
                    for k, types, match in simple:
                        x = get(k, _MISSING)
                        if type(x) not in types or (match is not None and not match(x)):
                            return slow(v, p)
                    if len(v) != len(simple) + len(nested_checks) and (closed or required):
                        return slow(v, p)
                    for k, sub in nested_checks:
                        x = get(k, _MISSING)
                        if x is _MISSING:
                            return slow(v, p)
                        sub(x, f"{p}.{k}")
                    return None

                checks.append(check_object_fast)
            else:
                checks.append(check_object)
        if len(checks) == 1:
            return checks[0]

        def check_all(v: object, p: str) -> None:
            for c in checks:
                c(v, p)

        return check_all


@cache
def bundle_schema() -> JSONObject:
    with resource_path("schema", "bundle.schema.json").open(encoding="utf-8") as fh:
        schema: JSONObject = json.load(fh)
    return schema


@cache
def bundle_validator() -> Check:
    schema = bundle_schema()
    return _Compiler(schema).compile(schema)


# A nested revision field checked column-wise: an array of simple items as (item
# types, item test), anything else by its compiled check.
Nested: TypeAlias = tuple[str, Check | tuple[frozenset[type], Match | None]]


@cache
def _entry_tables() -> tuple[list[Simple], list[Simple], int, int, list[Nested]]:
    schema = bundle_schema()
    comp = _Compiler(schema)
    entry_def, rev_def = (
        _node(comp.defs["entry"], "entry"),
        _node(comp.defs["revision"], "revision"),
    )
    entry_props = _node(entry_def["properties"], "entry.properties")
    rev_props = _node(rev_def["properties"], "revision.properties")
    entry = comp.fast_object(entry_def, tuple(_names(entry_def["required"], "required")), True)
    rev = comp.fast_object(rev_def, tuple(_names(rev_def["required"], "required")), True)
    assert entry is not None and rev is not None and entry[1] == ["revisions"]
    # Nested revision fields: an array of simple items (tags) is checked column-wise
    # too, as (item types, item match); anything else keeps its own compiled check.
    rev_nested: list[Nested] = []
    for k in rev[1]:
        sub = comp.resolve(_node(rev_props[k], k))
        items = comp.resolve(_node(sub.get("items", {}), f"{k}.items"))
        if set(sub) <= {"type", "items", "description"} and sub.get("type") == "array":
            simple = comp.fast_object({"properties": {"x": items}, "required": ["x"]}, ("x",), True)
            if simple is not None and not simple[1]:
                _, types, match = simple[0][0]
                rev_nested.append((k, (frozenset(types), match)))
                continue
        rev_nested.append((k, comp.compile(_node(rev_props[k], k))))
    return entry[0], rev[0], len(entry_props), len(rev_props), rev_nested


def _column(records: list[dict[str, object]], key: str) -> list[object]:
    return list(map(dict.get, records, repeat(key), repeat(_MISSING)))


def _columns_ok(records: list[object], simple: list[Simple], width: int) -> bool:
    # map() over C functions: no Python frame per value (1.8 million values per bundle).
    if not set(map(type, records)) <= {dict}:
        return False
    dicts = cast("list[dict[str, object]]", records)  # every one a dict, just checked
    if not set(map(len, dicts)) <= {width}:
        return False
    for k, types, match in simple:
        col = map(dict.get, dicts, repeat(k), repeat(_MISSING))  # a lazy column
        if types == _STR and match is not None:
            # The bare pattern search refuses a value that is not text (TypeError), so
            # one pass tests type and pattern, and no column list is built.
            try:
                if not all(map(match, col)):
                    return False
            except TypeError:
                return False
            continue
        if match is None:
            if not set(map(type, col)) <= set(types):
                return False
            continue
        values = list(col)
        if not set(map(type, values)) <= set(types) or not all(map(match, values)):
            return False
    return True


def _entries_ok(entries: object) -> bool:
    """Column-wise check of every entry and revision at once: the same rules as the
    schema, without a Python call per field. False means "run the full check"."""
    if type(entries) is not list:
        return False
    e_simple, r_simple, e_width, r_width, r_nested = _entry_tables()
    if not _columns_ok(entries, e_simple, e_width):
        return False
    lists = _column(cast("list[dict[str, object]]", entries), "revisions")  # dicts: checked
    if not set(map(type, lists)) <= {list} or not all(lists):
        return False
    flat = list(chain.from_iterable(cast("list[list[object]]", lists)))  # lists: checked
    if not _columns_ok(flat, r_simple, r_width):
        return False
    for k, check in r_nested:
        col = _column(cast("list[dict[str, object]]", flat), k)
        if isinstance(check, tuple):
            types, match = check
            if not set(map(type, col)) <= {list}:
                return False
            items = list(chain.from_iterable(cast("list[list[object]]", col)))
            if not set(map(type, items)) <= types:
                return False
            if match is not None and not all(map(match, items)):
                return False
            continue
        for x in col:
            if x is _MISSING:
                return False
            try:
                check(x, "$")
            except SchemaViolation:
                return False
    return True


def validate_bundle(doc: object) -> BundleDoc:
    """Raise ``SchemaViolation`` (with the JSON path) if ``doc`` does not fit the schema;
    else return it, typed as the bundle it has just been shown to be."""
    if isinstance(doc, dict) and _entries_ok(doc.get("entries")):
        bundle_validator()({**doc, "entries": []}, "$")
        return cast("BundleDoc", doc)
    bundle_validator()(doc, "$")
    return cast("BundleDoc", doc)
