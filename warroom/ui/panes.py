"""The pane registry: one line per pane. The main window builds one dock per entry.

To plug in a real pane, change its factory to ``"module:Class"`` (imported lazily, so
startup stays fast) or any callable ``factory(ctx: UiContext) -> QWidget``::

    "timeline": PaneSpec("Incident timeline", "timeline", "warroom.ui.timeline:TimelinePane", ...),

Order here is the default left-to-right order; ``weight`` the default width share.

Work that is not a pane (a snapshot timer, the probe engine, the feed poller) plugs in
the same way through ``HOOKS``: ``"module:function"`` or a callable ``hook(ctx)``, run
once after the window is built. Use ``ctx.every(seconds, fn)`` for periodic work and
``ctx.on_close(fn)`` to stop it; a hook that raises is logged and reported, and the
window opens anyway.
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
Hook = Callable[["UiContext"], object]


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
        "warroom.ui.dashboard:DashboardPane",
        "Every public service as seen from every vantage point (access provider, "
        "resolver, IPv4/IPv6): up, degraded or down at a glance, with latency and since when.",
        weight=4,
        shortcut="Ctrl+1",
    ),
    "timeline": PaneSpec(
        "Incident timeline",
        "timeline",
        "warroom.ui.timeline:TimelinePane",
        "The story of the active incident as it happens: observations, actions, decisions "
        "and communications, with local time and UTC, pinned evidence and quick entry.",
        weight=5,
        shortcut="Ctrl+2",
    ),
    "feed": PaneSpec(
        "Social feed",
        "feed",
        "warroom.ui.feed:FeedPane",
        "What customers and upstream providers say: brand mentions and status feeds "
        "(Mastodon, Bluesky, RSS, status pages), and the updates you publish.",
        weight=2,
        shortcut="Ctrl+3",
    ),
}


HOOKS: list[str | Hook] = [
    "warroom.ui.snapshots:install",  # rolling snapshots: timer + at close
    "warroom.ui.keyring_status:install",  # say so when no keyring can hold secrets
]


def resolve(ref: str | Callable[..., object]) -> Callable[..., object]:
    """A callable from ``"module:attr"`` (imported now) or the callable itself."""
    if isinstance(ref, str):
        module, _, attr = ref.partition(":")
        ref = getattr(importlib.import_module(module), attr)
    if not callable(ref):
        raise TypeError(f"{ref!r} is not callable")
    return ref


def build(spec: PaneSpec, ctx: UiContext) -> QWidget:
    """Create the pane's widget from its factory."""
    return resolve(spec.factory)(ctx)  # type: ignore[return-value]


def run_hooks(ctx: UiContext, hooks: list[str | Hook] | None = None) -> list[str]:
    """Run the start-up hooks; returns the ones that failed (each logged with traceback)."""
    import logging

    failed = []
    for ref in HOOKS if hooks is None else hooks:
        try:
            resolve(ref)(ctx)
        except Exception:
            logging.getLogger(__name__).exception("start-up hook %r failed", ref)
            failed.append(str(ref))
    return failed
