"""Remote vantages: probe networks (Globalping, RIPE Atlas) asked through their APIs.

``runner.RemoteRunner`` runs metered rounds; ``groups`` turns the probes of one
location into one series (``ch-isps AS3303``); ``globalping`` and ``ripe_atlas`` are
the clients; ``api`` holds what they share (errors, quota, the hourly budget).
"""

from warroom.probes.remote.groups import aggregate_all, figure, series_name
from warroom.probes.remote.runner import RemoteRound, RemoteRunner

__all__ = ["RemoteRound", "RemoteRunner", "aggregate_all", "figure", "series_name"]
