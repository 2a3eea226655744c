"""Simulated outside world: scriptable loopback servers speaking real protocols.

Shipped (not test-only) because the built-in demo reuses them; Qt-free. ``net`` is the
simulated internet itself (resolvers, sites, access networks); ``globalping`` and
``ripe_atlas`` are the probe networks' APIs with the shapes of their published specs
(``FakeGlobalping``, ``FakeAtlas``), each serving on 127.0.0.1 from its own thread.
"""
