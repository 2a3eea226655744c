"""Social feeds: sources, the post cache's rules, filters; no Qt (the pane adapts it)."""
