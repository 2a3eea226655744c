"""Typed views of decoded JSON and TOML, so the core needs no ``Any``.

``json.loads`` and ``tomllib`` hand back values whose shape nobody promised: a
service can send a list where its spec says an object. Code at such a boundary
holds them as ``object`` and narrows here, once, with a clear answer for a wrong
shape, instead of passing ``Any`` inwards where mypy can no longer help.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TypeAlias

JSONScalar: TypeAlias = str | int | float | bool | None
JSONValue: TypeAlias = JSONScalar | list["JSONValue"] | dict[str, "JSONValue"]
JSONObject: TypeAlias = dict[str, JSONValue]


def as_object(value: object) -> dict[str, object]:
    """``value`` if it is a JSON object (string keys), else an empty one."""
    if isinstance(value, dict) and all(isinstance(k, str) for k in value):
        return value
    return {}


def as_list(value: object) -> list[object]:
    """``value`` if it is a JSON array, else an empty one."""
    return value if isinstance(value, list) else []


def objects(value: object) -> list[dict[str, object]]:
    """The JSON objects in an array; anything else in it is skipped."""
    return [v for v in as_list(value) if isinstance(v, dict)]


def get_str(m: Mapping[str, object], key: str, default: str = "") -> str:
    """``m[key]`` if it is text, else ``default`` (a number is not text)."""
    v = m.get(key)
    return v if isinstance(v, str) else default


def get_opt_str(m: Mapping[str, object], key: str) -> str | None:
    """``m[key]`` if it is text, else None."""
    v = m.get(key)
    return v if isinstance(v, str) else None


def get_int(m: Mapping[str, object], key: str, default: int | None = None) -> int | None:
    """``m[key]`` if it is a whole number (not a bool), else ``default``."""
    v = m.get(key)
    if isinstance(v, bool):
        return default
    if isinstance(v, int):
        return v
    if isinstance(v, float) and v.is_integer():
        return int(v)
    return default


def get_float(m: Mapping[str, object], key: str, default: float | None = None) -> float | None:
    """``m[key]`` if it is a number (not a bool), else ``default``."""
    v = m.get(key)
    if isinstance(v, bool):
        return default
    return float(v) if isinstance(v, (int, float)) else default


def get_bool(m: Mapping[str, object], key: str, default: bool = False) -> bool:
    """``m[key]`` if it is true or false, else ``default``."""
    v = m.get(key)
    return v if isinstance(v, bool) else default


def strings(value: object) -> list[str]:
    """The strings in a JSON array; anything else in it is skipped."""
    if isinstance(value, Sequence) and not isinstance(value, (str, bytes)):
        return [v for v in value if isinstance(v, str)]
    return []
