"""The pane registry: one line per pane. The main window builds one dock per entry.

To plug in a real pane, change its factory to ``"module:Class"`` (imported lazily, so
startup stays fast) or any callable ``factory(ctx: UiContext) -> QWidget``::

    "timeline": PaneSpec("Incident timeline", "timeline", "warroom.ui.timeline:TimelinePane", ...),

Order here is the default left-to-right order; ``weight`` the default width share.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PySide6.QtWidgets import QWidget

    from warroom.ui.context import UiContext

Factory = Callable[["UiContext"], "QWidget"]


@dataclass(frozen=True)
class PaneSpec:
    title: str
    icon: str  # name under resources/icons/
    factory: str | Factory  # "module:attr" or a callable taking the UiContext
    what: str  # one sentence: what the pane holds (placeholder text, tooltip)
    weight: int = 1
    shortcut: str = ""  # toggles the pane (View menu)


def _placeholder(pane_id: str) -> Factory:
    def make(ctx: UiContext) -> QWidget:
        from warroom.ui.placeholder import PlaceholderPane

        spec = PANES[pane_id]
        return PlaceholderPane(spec.title, spec.icon, spec.what)

    return make


PANES: dict[str, PaneSpec] = {
    "dashboard": PaneSpec(
        "Probe dashboard",
        "dashboard",
        _placeholder("dashboard"),
        "Every public service as seen from every vantage point (access provider, "
        "resolver, IPv4/IPv6): up, degraded or down at a glance, with latency and since when.",
        weight=3,
        shortcut="Ctrl+1",
    ),
    "timeline": PaneSpec(
        "Incident timeline",
        "timeline",
        _placeholder("timeline"),
        "The story of the active incident as it happens: observations, actions, decisions "
        "and communications, with local time and UTC, pinned evidence and quick entry.",
        weight=5,
        shortcut="Ctrl+2",
    ),
    "feed": PaneSpec(
        "Social feed",
        "feed",
        _placeholder("feed"),
        "What customers and upstream providers say: brand mentions and status feeds "
        "(Mastodon, Bluesky, RSS, status pages), and the updates you publish.",
        weight=3,
        shortcut="Ctrl+3",
    ),
}


def build(spec: PaneSpec, ctx: UiContext) -> QWidget:
    """Create the pane's widget from its factory."""
    factory = spec.factory
    if isinstance(factory, str):
        module, _, attr = factory.partition(":")
        factory = getattr(importlib.import_module(module), attr)
    assert callable(factory)
    return factory(ctx)
