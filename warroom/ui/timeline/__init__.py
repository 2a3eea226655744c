"""The incident timeline pane (issue 3). ``TimelinePane(ctx)`` is what the registry builds."""

from warroom.ui.timeline._pyside import immortalize_none

immortalize_none()  # before any widget exists; see _pyside.py

from warroom.ui.timeline.pane import TimelinePane  # noqa: E402

__all__ = ["TimelinePane"]
