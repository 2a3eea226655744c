"""The social-feed pane: posts from every source in one stream with source chips."""

from warroom.ui.feed.pane import FeedPane

__all__ = ["FeedPane"]
