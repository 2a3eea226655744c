"""The demo's simulated world: real servers on loopback that break and mend on script.

The probes here are the real engine (``RoundRunner``) against the world's workspace
file, so what the demo shows is what the engine measures, not a special-cased state.
"""

from __future__ import annotations

import asyncio
import gc
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from warroom.config import workspace_file
from warroom.demo.script import ACTS, POSTS, act_at
from warroom.demo.world import DemoWorld
from warroom.probes import RoundRunner, target_summary


@pytest.fixture
def world() -> Iterator[DemoWorld]:
    w = DemoWorld(speed=50)
    w.start()
    yield w
    w.stop()


def summaries(world: DemoWorld, tmp_path: Path) -> dict[str, str]:
    path = tmp_path / "demo.toml"
    path.write_text(world.workspace_toml(), encoding="utf-8")
    config = workspace_file.load(path)

    async def one_round() -> dict[str, str]:
        runner = RoundRunner(config)
        try:
            await runner.round()
            snap = runner.snapshot()
        finally:
            await runner.aclose()
            # A check that failed at the proxy closed its stream; the socket goes on
            # the loop's next turns, which asyncio.run() would otherwise never take.
            await asyncio.sleep(0.05)
        return {t.name: target_summary(t.name, snap) for t in config.targets}

    out = asyncio.run(one_round())
    gc.collect()  # any socket a library dropped is reported here, inside this test
    return out


def enter(world: DemoWorld, name: str) -> None:
    act = next(a for a in ACTS if a.name == name)
    world.loop.call(lambda: world._enter(act))


def test_the_outage_moves_from_one_provider_to_everyone_and_back(
    world: DemoWorld, tmp_path: Path
) -> None:
    both = "world AS3303 (2 of 2 probes), world AS6730 (2 of 2 probes)"
    assert summaries(world, tmp_path)["www"] == f"www: up via isp-a, isp-b, {both}"
    enter(world, "partial")
    now = summaries(world, tmp_path)
    # Through one access provider, and from inside its network (AS6730), not from AS3303.
    assert now["www"] == (
        "www: down via isp-b, world AS6730 (2 of 2 probes); "
        "up via isp-a, world AS3303 (2 of 2 probes)"
    )
    assert now["mail"] == "mail: down via isp-b; up via isp-a"
    enter(world, "total")
    now = summaries(world, tmp_path)
    assert now["www"] == f"www: down via isp-a, isp-b, {both}"
    assert now["status-blog"] == f"status-blog: down via isp-a, isp-b, {both}"
    enter(world, "recovery")
    assert summaries(world, tmp_path)["shop-meier"] == f"shop-meier: up via isp-a, isp-b, {both}"


def test_the_script_plays_every_act_in_order_at_its_speed(world: DemoWorld) -> None:
    seen: list[str] = []
    done = threading.Event()

    def on_act(act: object) -> None:
        seen.append(act.name)  # type: ignore[attr-defined]
        if act is ACTS[-1]:
            done.set()

    world.on_act(on_act)
    world.begin()
    # 150 s of script at speed 50: 3 s; the deadline leaves room for a loaded machine.
    assert done.wait(30), f"acts seen so far: {seen}"
    assert seen == [a.name for a in ACTS]


def test_the_workspace_file_never_uses_the_workstation_resolver(world: DemoWorld) -> None:
    text = world.workspace_toml()
    config = workspace_file.parse_text(text, source="demo")[0]
    for target in config.targets:
        names = [v.name for v in config.vantages_of(target)]
        for v in config.vantages_of(target):  # remote APIs and proxies: loopback only
            api = v.remote.url if v.remote is not None else None
            for url in (api, v.proxy, v.resolver):
                assert url is None or "127.0.0.1" in url, url
        assert "system" not in names  # the workstation's own resolver is never asked
        assert target.host.endswith(".test")


def test_the_script_is_consistent() -> None:
    assert [a.at for a in ACTS] == sorted(a.at for a in ACTS)
    assert act_at(0).name == "calm" and act_at(1e9).name == "recovery"
    assert all(p.source in {"mastodon", "bluesky", "rss", "statuspage"} for p in POSTS)
    assert [p.at for p in POSTS] == sorted(p.at for p in POSTS)


def test_speed_must_be_positive() -> None:
    with pytest.raises(ValueError, match="speed"):
        DemoWorld(speed=0)
