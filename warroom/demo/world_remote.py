"""The demo's remote vantages: a loopback stand-in for the Globalping API with probes in
two Swiss access networks, whose answers follow the script.

In the partial act the host is unreachable from Sunrise's network (AS6730) and fine from
Swisscom's (AS3303); in the total act from both. The window asks it through its ordinary
Globalping client, so the dashboard, the summary line, the brief and the honesty check
quote "down from 2 of 2 probes in AS6730" exactly as they would in real use.
"""

from __future__ import annotations

from warroom.sim.globalping import FakeGlobalping, SimProbe

LOCATIONS = {
    "AS3303": (
        SimProbe(3303, "Swisscom (Schweiz) AG", "CH", "Zurich"),
        SimProbe(3303, "Swisscom (Schweiz) AG", "CH", "Bern", latitude=46.95, longitude=7.45),
    ),
    "AS6730": (
        SimProbe(6730, "Sunrise GmbH", "CH", "Zurich"),
        SimProbe(6730, "Sunrise GmbH", "CH", "Geneva", latitude=46.2, longitude=6.14),
    ),
}
DOWN_IN = {"calm": (), "partial": ("AS6730",), "total": tuple(LOCATIONS), "recovery": ()}


class RemoteProbes:
    def __init__(self) -> None:
        self.api = FakeGlobalping(limit_per_hour=100_000)
        for magic, probes in LOCATIONS.items():
            self.api.add(magic, *probes)

    def start(self, bodies: dict[str, str]) -> None:
        """``bodies``: what a GET of each host returns from a network that reaches it."""
        self.api.bodies.update(bodies)
        self.api.start()

    def stop(self) -> None:
        self.api.stop()

    def enter(self, act: str) -> None:
        down = DOWN_IN.get(act, ())
        for magic in LOCATIONS:
            self.api.set_outcome(magic, "down" if magic in down else "up")

    def workspace_toml(self) -> str:
        locations = ", ".join(f'"{m}"' for m in LOCATIONS)
        return "\n".join(
            [
                "",
                "[[vantage]]  # remote: probes inside two Swiss access networks (simulated)",
                'name = "world"',
                f'globalping = "{self.api.url}"',
                f"locations = [{locations}]",
                "probes = 2",
            ]
        )
