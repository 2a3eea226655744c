"""Simulated outside world: scriptable loopback servers speaking real protocols.

Shipped (not test-only) because the built-in demo reuses them; Qt-free.
"""
