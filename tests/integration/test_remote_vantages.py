"""Remote vantages against the loopback fakes of Globalping and RIPE Atlas (warroom.sim):
the real request and response shapes, polling, limits, tokens and faults."""

from __future__ import annotations

import asyncio
import itertools
import logging
import re
import time
from collections.abc import Iterator

import pytest

from warroom.config import workspace_file as wf
from warroom.domain.probes import Status
from warroom.probes import Board, target_summary
from warroom.probes.remote import RemoteRunner, aggregate_all
from warroom.sim.globalping import FakeGlobalping, SimProbe
from warroom.sim.ripe_atlas import AtlasProbe, FakeAtlas

TOKEN = "gp-token-Zq8"
KEY = "atlas-key-Y7w"
SWISSCOM = "Swisscom (Schweiz) AG"


@pytest.fixture
def gp() -> Iterator[FakeGlobalping]:
    # Each measurement is in progress at its first poll, however slow the machine is.
    fake = FakeGlobalping(token=TOKEN, in_progress_polls=1)
    fake.add(
        "AS3303",
        SimProbe(3303, SWISSCOM, "CH", "Zurich", outcome="down", error="connect ECONNREFUSED"),
        SimProbe(3303, SWISSCOM, "CH", "Bern", outcome="down", error="connect ECONNREFUSED"),
    )
    fake.add(
        "AS6730",
        SimProbe(6730, "Sunrise GmbH", "CH", "Zurich", latitude=47.4),
        SimProbe(6730, "Sunrise GmbH", "CH", "Basel", latitude=47.5),
        SimProbe(6730, "Sunrise GmbH", "CH", "Geneva", outcome="offline"),
    )
    with fake:
        yield fake


@pytest.fixture
def atlas() -> Iterator[FakeAtlas]:
    fake = FakeAtlas(key=KEY, in_progress_polls=1)
    fake.add(
        AtlasProbe(1001, 3303, "CH", outcome="down", rcode="NXDOMAIN"),
        AtlasProbe(1002, 3303, "CH", outcome="down", rcode="NXDOMAIN"),
        AtlasProbe(2001, 6730, "CH"),
        AtlasProbe(2002, 6730, "CH", outcome="offline"),
    )
    with fake:
        yield fake


def config(
    gp_url: str, *, locations: str = '["AS3303", "AS6730"]', extra: str = "", targets: str = ""
) -> wf.WorkspaceConfig:
    text = f"""
[probe]
fail_after = 1
{extra}

[[vantage]]
name = "ch-isps"
globalping = "{gp_url}"
locations = {locations}
probes = 3
secret = "globalping"

[[target]]
name = "www"
url = "https://www.example.ch/"
{targets}
"""
    cfg, problems = wf.parse_text(text, source="ws.toml")
    assert not problems, problems
    assert cfg is not None
    return cfg


def run(runner: RemoteRunner, **kw: object) -> object:
    async def go() -> object:
        try:
            return await runner.round(**kw)  # type: ignore[arg-type]
        finally:
            await runner.aclose()

    return asyncio.run(go())


def secrets(name: str) -> str | None:
    return {"globalping": TOKEN, "ripe-atlas": KEY}.get(name)


def test_globalping_round_maps_each_probe_and_groups_them(gp: FakeGlobalping) -> None:
    cfg = config(gp.url)
    runner = RemoteRunner(cfg, get_secret=secrets)
    rnd = run(runner)
    recs = [r.record() for r in rnd.results]  # type: ignore[attr-defined]
    # the offline probe in Geneva gives no record; every other probe gives one
    assert len(recs) == 4
    down = [r for r in recs if r["group"] == "AS3303"]
    assert {r["status"] for r in down} == {"down"} and {r["error"] for r in down} == {"refused"}
    assert down[0]["remote"]["asn"] == 3303 and down[0]["remote"]["network"] == SWISSCOM
    assert {r["remote"]["city"] for r in down} == {"Zurich", "Bern"}
    assert all(r["vantage"] == "ch-isps" and r["remote"]["country"] == "CH" for r in recs)
    # the request had the real shape: one location per measurement, the token as Bearer
    posts = gp.seen("POST", prefix="/v1/measurements")
    assert len(posts) == 2
    body = posts[0].json()
    assert body["type"] == "http" and body["target"] == "www.example.ch"
    assert body["measurementOptions"]["protocol"] == "HTTPS"
    assert body["locations"][0]["limit"] == 3
    assert all(p.headers["authorization"] == f"Bearer {TOKEN}" for p in posts)
    # polling saw the in-progress state, and never polled faster than every 500 ms
    gets = gp.seen("GET", prefix="/v1/measurements/")
    for mid in {g.path for g in gets}:
        times = [g.time for g in gets if g.path == mid]
        assert len(times) >= 2, "the measurement was in progress at the first poll"
        assert min(b - a for a, b in itertools.pairwise(times)) >= 0.49
    # one group series per location, with counts, in the summary
    board = Board(cfg)
    board.apply_remote(rnd)  # type: ignore[arg-type]
    line = target_summary("www", [s for s in board.snapshot() if s.remote])
    assert line == (
        "www: down via ch-isps AS3303 (2 of 2 probes); up via ch-isps AS6730 (2 of 2 probes)"
    )
    # the quota as the API's last count said it, whichever POST's answer came back last
    assert runner.quota["ch-isps"] == "245 of 250 tests left this hour, 0 credits"


def test_measurement_id_is_reused_to_keep_the_same_probes(gp: FakeGlobalping) -> None:
    runner = RemoteRunner(config(gp.url), get_secret=secrets)

    async def two() -> None:
        await runner.round()
        await runner.round()
        await runner.aclose()

    asyncio.run(two())
    posts = gp.seen("POST", prefix="/v1/measurements")
    first, second = posts[:2], posts[2:]
    assert all(isinstance(p.json()["locations"], list) for p in first)
    assert all(isinstance(p.json()["locations"], str) for p in second)
    assert {p.json()["locations"] for p in second} <= set(gp.measurements)


@pytest.mark.parametrize(
    ("fault", "words"),
    [("down", "API unreachable"), ("garbage", "API answers garbage"), ("slow", "API too slow")],
)
def test_a_failing_api_is_a_note_on_the_vantage_never_an_outage(
    gp: FakeGlobalping, fault: str, words: str
) -> None:
    cfg = config(gp.url)
    board = Board(cfg)
    runner = RemoteRunner(cfg, get_secret=secrets, request_timeout=0.5)

    async def rounds() -> None:
        board.apply_remote(await runner.round())  # a good round: www is down in AS3303
        gp.fault = fault
        gp.slow_s = 1.5
        board.apply_remote(await runner.round())
        await runner.aclose()

    asyncio.run(rounds())
    snap = {s.vantage: s for s in board.snapshot()}
    cell = snap["ch-isps AS6730"]
    assert cell.note is not None and cell.note.startswith(f"world: {words} since ")
    line = target_summary("www", [s for s in board.snapshot() if s.remote])
    assert line.startswith("www: unknown via ch-isps AS3303, ch-isps AS6730 (world: ")
    assert "down" not in line


@pytest.mark.parametrize(
    ("authed", "credits", "words"),
    [(False, 0, "rate limited"), (True, 1, "out of credits")],
)
def test_429_rate_limit_and_missing_credits_are_told_apart(
    gp: FakeGlobalping, authed: bool, credits: int, words: str
) -> None:
    gp.limit_per_hour = 3
    gp.credits = credits
    cfg = config(gp.url)
    runner = RemoteRunner(cfg, get_secret=secrets if authed else lambda _n: None)
    rnd = run(runner)
    # the first location fits the API's limit (3 tests), the second does not
    assert rnd.vantage_notes["ch-isps"].startswith(f"world: {words}")  # type: ignore[attr-defined]
    kinds = [s.json() for s in gp.seen("POST")]
    assert len(kinds) == 2
    # X-RateLimit-Reset said 1800 s: the next round does not ask before then
    rnd2 = run(runner)
    assert len(gp.seen("POST")) == 2
    assert rnd2.warnings[0].startswith("ch-isps: ")  # type: ignore[attr-defined]
    assert re.search(r"; not asked again for 29m 5\ds$", rnd2.warnings[0])  # type: ignore[attr-defined]
    assert rnd2.vantage_notes["ch-isps"].startswith(f"world: {words}")  # type: ignore[attr-defined]


def test_a_wrong_token_is_refused_and_never_shown(
    gp: FakeGlobalping, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    runner = RemoteRunner(config(gp.url), get_secret=lambda _n: "not-the-token-Qx1")
    rnd = run(runner)
    note = rnd.vantage_notes["ch-isps"]  # type: ignore[attr-defined]
    assert note is not None and "token refused" in note
    assert "not-the-token-Qx1" not in note and "not-the-token-Qx1" not in caplog.text
    assert not rnd.results  # type: ignore[attr-defined]


def test_budget_is_never_exceeded_and_says_what_it_skipped(gp: FakeGlobalping) -> None:
    cfg = config(
        gp.url,
        extra="remote_budget_per_hour = 8",
        targets='[[target]]\nname = "api"\nurl = "icmp://api.example.ch"\n',
    )
    runner = RemoteRunner(cfg, get_secret=secrets)

    async def two() -> list[object]:
        out = [await runner.round(), await runner.round()]
        await runner.aclose()
        return out

    first, second = asyncio.run(two())
    # 2 targets x 2 locations x 3 probes = 12 tests wanted, 8 allowed per hour
    # round 1: two measurements of 3 fit (a third would make 9); AS3303 has only 2
    # probes, so 5 were spent and 3 are left for round 2: one more measurement.
    w1, w2 = first.warnings, second.warnings  # type: ignore[attr-defined]
    assert w1[0].startswith("remote budget: 6 of 12 tests this round fit in 8 per hour")
    assert "skipped api from ch-isps AS3303, api from ch-isps AS6730" in w1[0]
    assert w2[0].startswith("remote budget: 3 of 12 tests")
    assert gp.consumed == 7 and runner.budget.used() == 7


def test_ripe_atlas_round_credits_key_and_offline_probe(atlas: FakeAtlas) -> None:
    text = f"""
[[vantage]]
name = "atlas-ch"
ripe_atlas = "{atlas.url}"
asns = [3303, 6730]
probes = 2
secret = "ripe-atlas"

[[target]]
name = "www-dns"
url = "dns://www.example.ch"
"""
    cfg, problems = wf.parse_text(text)
    assert cfg is not None and not problems
    runner = RemoteRunner(cfg, get_secret=secrets, deadline_s=5)
    rnd = run(runner)
    recs = [r.record() for r in rnd.results]  # type: ignore[attr-defined]
    assert len(recs) == 3  # probe 2002 is offline: no record
    by_probe = {r["remote"]["probe"]: r for r in recs}
    assert by_probe["1001"]["error"] == "dns_nxdomain" and by_probe["1001"]["status"] == "down"
    assert by_probe["2001"]["status"] == "up" and by_probe["2001"]["detail"] == "192.0.2.10"
    assert by_probe["2001"]["remote"]["asn"] == 6730
    posts = atlas.seen("POST")
    assert {p.headers["authorization"] for p in posts} == {f"Key {KEY}"}
    assert sorted(p.json()["probes"][0]["value"] for p in posts) == [3303, 6730]
    assert posts[0].json()["probes"][0]["type"] == "asn"
    assert posts[0].json()["probes"][0]["requested"] == 2
    assert posts[0].json()["definitions"][0]["is_oneoff"] is True
    assert "credits" in runner.quota["atlas-ch"]
    # the first poll of each measurement found no results and polling went on
    polls = atlas.seen("GET", prefix="/api/v2/measurements/")
    first = [p for p in polls if p.path.endswith("/results/")]
    assert len(first) >= 4  # two measurements, at least two polls each
    assert runner.polls >= 4
    groups = {g.vantage: g for g in aggregate_all(rnd.results)}  # type: ignore[attr-defined]
    assert groups["atlas-ch AS3303"].status is Status.DOWN


@pytest.mark.parametrize(
    ("key", "credits", "words"),
    [("wrong-key", 100_000, "token refused"), (KEY, 5, "out of credits"), (None, 0, "no API key")],
)
def test_ripe_atlas_refusals(atlas: FakeAtlas, key: str | None, credits: int, words: str) -> None:
    atlas.credits = credits
    text = f"""
[[vantage]]
name = "atlas-ch"
ripe_atlas = "{atlas.url}"
countries = ["CH"]
secret = "ripe-atlas"

[[target]]
name = "www"
url = "icmp://www.example.ch"
"""
    cfg, _ = wf.parse_text(text)
    assert cfg is not None
    rnd = run(RemoteRunner(cfg, get_secret=lambda _n: key, deadline_s=3))
    note = rnd.vantage_notes["atlas-ch"]  # type: ignore[attr-defined]
    assert note is not None and words in note
    if key:
        assert key not in note


def test_traceroute_measurement_maps_reached_and_not_reached(gp: FakeGlobalping) -> None:
    import httpx

    from warroom.probes.remote import globalping

    cfg = config(gp.url)
    www = cfg.targets[0]
    ask = globalping.traceroute_ask(www)

    async def go() -> list[object]:
        async with httpx.AsyncClient() as http:
            client = globalping.GlobalpingClient(gp.url, http, token=TOKEN)
            out = []
            for loc in ("AS3303", "AS6730"):
                where = [{"magic": loc, "limit": 2}]
                mid, _ = await client.create(ask.kind, ask.target, where, {})
                data = await client.wait(mid, time.monotonic() + 10)
                out += globalping.to_results(www, "ch-isps", loc, ask, data)[0]
            return out

    recs = [r.record() for r in asyncio.run(go())]  # type: ignore[attr-defined]
    assert gp.seen("POST")[0].json()["type"] == "traceroute"
    by = {r["group"]: r for r in recs}
    assert by["AS3303"]["status"] == "down" and by["AS3303"]["error"] == "unreachable"
    assert by["AS6730"]["status"] == "up" and by["AS6730"]["detail"] == "2 hops"


def test_hostile_globalping_answers_give_a_clear_note_never_a_crash(gp: FakeGlobalping) -> None:
    cfg = config(gp.url, locations='["AS6730"]')
    # JSON in the wrong shapes: items that are not objects, a probe that is a number,
    # a status code that is text and timings that are not an object
    hostile = {
        "status": "finished",
        "results": [
            1,
            "x",
            {"probe": 5, "result": []},
            {
                "probe": {"asn": "AS6730", "city": 7, "network": ["x"]},
                "result": {"status": "finished", "statusCode": "200", "timings": "fast"},
            },
        ],
    }
    gp.fail_next("GET", r"/v1/measurements/.+", 200, hostile)
    rnd = run(RemoteRunner(cfg, get_secret=secrets))
    [rec] = [r.record() for r in rnd.results]  # type: ignore[attr-defined]
    assert (rec["status"], rec["error"]) == ("down", "protocol_error")
    assert rec["detail"] == "no HTTP status in the result"
    assert rec["remote"]["asn"] is None and rec["remote"]["city"] is None
    for method, path, body in [
        ("POST", "/v1/measurements/?", {"id": 5}),  # a new measurement without a text id
        ("GET", r"/v1/measurements/.+", ["not", "an", "object"]),
        ("GET", r"/v1/measurements/.+", {"status": "finished", "results": "none"}),
    ]:
        gp.fail_next(method, path, 202 if method == "POST" else 200, body)
        note = run(RemoteRunner(cfg, get_secret=secrets)).vantage_notes["ch-isps"]  # type: ignore[attr-defined]
        assert note is not None and note.startswith("world: API answers garbage since ")


def test_hostile_atlas_answers_give_a_clear_note_never_a_crash(atlas: FakeAtlas) -> None:
    text = f"""
[[vantage]]
name = "atlas-ch"
ripe_atlas = "{atlas.url}"
asns = [6730]
probes = 2
secret = "ripe-atlas"

[[target]]
name = "www-dns"
url = "dns://www.example.ch"
"""
    cfg, _ = wf.parse_text(text)
    assert cfg is not None
    hostile = [
        7,
        {"prb_id": True, "result": {}},  # a bool is not a probe id
        {"prb_id": 2001, "result": {"abuf": 5, "rt": "slow"}},
        {"prb_id": 2002, "result": "abc", "error": ["x"]},
    ]
    atlas.fail_next("GET", r"/api/v2/measurements/\d+/results/", 200, hostile)
    atlas.fail_next("GET", r"/api/v2/probes/", 200, {"results": [{"id": "2001"}, 3]})
    rnd = run(RemoteRunner(cfg, get_secret=secrets, deadline_s=5))
    by = {r.record()["remote"]["probe"]: r.record() for r in rnd.results}  # type: ignore[attr-defined]
    assert set(by) == {"2001", "2002"}
    assert (by["2001"]["error"], by["2001"]["detail"]) == (
        "protocol_error",
        "an answer that is not DNS",
    )
    assert by["2002"]["error"] == "dns_timeout" and by["2001"]["remote"]["asn"] is None
    for path, body in [
        (r"/api/v2/measurements/?", {"measurements": ["90000001"]}),  # an id that is text
        (r"/api/v2/measurements/\d+/results/", {"results": []}),  # not a list
    ]:
        atlas.fail_next("POST" if path.endswith("?") else "GET", path, 201, body)
        rnd = run(RemoteRunner(cfg, get_secret=secrets, deadline_s=5))
        note = rnd.vantage_notes["atlas-ch"]  # type: ignore[attr-defined]
        assert note is not None and note.startswith("world: API answers garbage since ")
