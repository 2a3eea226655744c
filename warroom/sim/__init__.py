"""Simulated outside services on loopback, for the tests and the built-in demo.

Scriptable fakes that speak the real protocols with the shapes of the published APIs:
``globalping.FakeGlobalping`` (api.globalping.io v1) and ``ripe_atlas.FakeAtlas``
(atlas.ripe.net API v2). Qt-free and stdlib-only: each serves on 127.0.0.1 from its own
thread, so a test, a benchmark or the demo can start one in a line. ``net`` is the
simulated internet itself (resolvers, sites, access networks) for the demo and tests.
"""
