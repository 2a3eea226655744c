"""The incident timeline pane (issue 3). ``TimelinePane(ctx)`` is what the registry builds."""

from warroom.ui.timeline.pane import TimelinePane

__all__ = ["TimelinePane"]
