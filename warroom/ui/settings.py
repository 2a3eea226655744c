"""Every per-user GUI setting, declared once: key, type, default (like Vorta's
``store/settings.py``).

QSettings' INI backend hands back strings for everything it wrote (``"true"``, ``"3"``),
and a value from an older or newer Warroom may be missing or out of range. ``get``
coerces to the declared type and falls back to the default; nothing else in the GUI
calls ``QSettings.value`` or ``setValue`` (a test checks that). Add a key here first.

A key may hold a ``{}`` placeholder for one per-workspace value (e.g. the unlogged
capture line): ``TIMELINE_DRAFT.at(workspace_key(data_dir))``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Generic, TypeVar, cast

from PySide6.QtCore import QByteArray, QSettings

from warroom.services.probe_link import LinkMode

T = TypeVar("T", bool, int, float, str, QByteArray)

_TRUE = frozenset({"true", "1", "yes", "on"})
_FALSE = frozenset({"false", "0", "no", "off", ""})


@dataclass(frozen=True)
class Setting(Generic[T]):
    """One key: its type, its default, the values it may take (None: any), and why."""

    key: str
    type: type[T]
    default: T
    doc: str
    choices: tuple[T, ...] | None = None

    def at(self, part: str) -> Setting[T]:
        """The concrete setting for a templated key (``"timeline/draft-{}"``)."""
        if "{}" not in self.key:
            raise ValueError(f"setting {self.key!r} takes no placeholder")
        return replace(self, key=self.key.format(part))

    def get(self, qs: QSettings) -> T:
        """The stored value as ``type``; the default when absent, unreadable or not allowed."""
        raw = qs.value(self.key)
        if raw is None:
            return self.default
        value = _coerce(raw, self.type)
        if value is None or (self.choices is not None and value not in self.choices):
            return self.default
        return cast(T, value)

    def set(self, qs: QSettings, value: T) -> None:
        if not isinstance(value, self.type):
            raise TypeError(f"setting {self.key!r} takes {self.type.__name__}, not {value!r}")
        if self.choices is not None and value not in self.choices:
            raise ValueError(f"setting {self.key!r}: {value!r} is not one of {self.choices}")
        qs.setValue(self.key, value)

    def remove(self, qs: QSettings) -> None:
        qs.remove(self.key)


def _coerce(raw: object, typ: type) -> object | None:
    if typ is QByteArray:
        return raw if isinstance(raw, QByteArray) else None
    if typ is bool:
        if isinstance(raw, bool):
            return raw
        text = str(raw).strip().lower()
        return True if text in _TRUE else False if text in _FALSE else None
    if typ is int or typ is float:
        if isinstance(raw, bool) or not isinstance(raw, int | float | str):
            return None
        try:
            return int(raw) if typ is int else float(raw)
        except ValueError:
            return None
    if typ is str:
        return raw if isinstance(raw, str) else None
    raise TypeError(f"unsupported setting type {typ!r}")


def workspace_key(data_dir: Path) -> str:
    """A short stable name for a workspace, for per-workspace keys."""
    return hashlib.sha1(str(data_dir).encode(), usedforsecurity=False).hexdigest()[:12]


# -- the schema ----------------------------------------------------------------------

COLOUR_SCHEME = Setting(
    "ui/colour_scheme",
    str,
    "auto",
    "View > Colour scheme: follow the system, or always light or dark.",
    choices=("auto", "light", "dark"),
)
WINDOW_GEOMETRY = Setting(
    "window/geometry", QByteArray, QByteArray(), "The main window's size and position."
)
WINDOW_STATE = Setting(
    "window/state", QByteArray, QByteArray(), "Which panes show, where and how wide."
)
WINDOW_LAYOUT_OWN = Setting(
    "window/layout_own",
    bool,
    False,
    "The user arranged the panes: keep them; else the default layout follows the width.",
)
WINDOW_ZOOM = Setting(
    "window/zoom",
    float,
    1.0,
    "View > Zoom (Ctrl+= / Ctrl+- / Ctrl+0): the window's font scale, for a wall display.",
)
DASHBOARD_LINK = Setting(
    "dashboard/incident_link",
    str,
    "down",
    "Which probe changes the dashboard logs to the active incident (LinkMode values).",
    choices=tuple(m.value for m in LinkMode),
)
DASHBOARD_NOTIFY = Setting(
    "dashboard/notify", bool, True, "Desktop notifications when a service goes down."
)
TIMELINE_DRAFT = Setting(
    "timeline/draft-{}",
    str,
    "",
    "The capture line's text not yet logged, per workspace (survives a crash).",
)
HANDOVER_EXPORT_FORMAT = Setting(
    "handover/export_format",
    str,
    "json",
    "File > Export: the format chosen last.",
    choices=("json", "md", "html", "pdf", "csv"),
)
HANDOVER_BRIEF_FORMAT = Setting(
    "handover/brief_format",
    str,
    "md",
    "File > Hand over: the brief's format chosen last.",
    choices=("md", "html", "pdf"),
)
HANDOVER_ZONE = Setting(
    "handover/zone",
    str,
    "",
    "Export and hand-over dialogs: the time zone used last (empty: the timeline's).",
)
HANDOVER_FOLDER = Setting(
    "handover/folder", str, "", "Export and hand-over dialogs: the folder saved to last."
)


def all_settings() -> Iterator[Setting[bool] | Setting[int] | Setting[float] | Setting[str]]:
    """Every declared setting (for the test that keeps keys unique, and for docs)."""
    for value in globals().values():
        if isinstance(value, Setting):
            yield value
