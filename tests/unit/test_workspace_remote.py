"""Remote vantages in the workspace file: the CONTRACT keys load, write back, and every
mistake is refused at its line."""

from __future__ import annotations

import pytest

from warroom.config import workspace_file as wf

REMOTE = """\
[probe]
remote_budget_per_hour = 120
remote_interval = "10m"

[[vantage]]
name = "ch-isps"
globalping = "https://api.globalping.io"
locations = ["AS3303", "AS6730", "Zurich", "CH"]
probes = 2
secret = "globalping"

[[vantage]]
name = "atlas-ch"
ripe_atlas = "https://atlas.ripe.net"
asns = [3303, 6730]
probes = 2
secret = "ripe-atlas"
interval = "15m"

[[target]]
name = "www"
url = "https://www.example.ch/"
"""


def test_contract_remote_keys_load_and_round_trip() -> None:
    cfg, problems = wf.parse_text(REMOTE, source="ws.toml")
    assert not problems and cfg is not None
    gp, atlas = cfg.vantages
    assert gp.remote is not None and gp.remote.kind == "globalping"
    assert gp.remote.locations == ("AS3303", "AS6730", "Zurich", "CH")
    assert gp.remote.line == 8 and gp.remote.where() == "ws.toml:8"
    assert atlas.remote is not None and atlas.remote.locations == ("AS3303", "AS6730")
    assert atlas.remote.interval == 900 and cfg.probe.remote_interval == 600
    assert cfg.probe.remote_budget_per_hour == 120
    www = cfg.targets[0]
    assert [v.name for v in cfg.vantages_of(www)] == ["system"]
    assert [v.name for v in cfg.remote_vantages_of(www)] == ["ch-isps", "atlas-ch"]
    again, problems = wf.parse_text(wf.dumps(cfg))
    assert not problems and again == cfg


def test_defaults() -> None:
    cfg, _ = wf.parse_text('[[target]]\nname = "a"\nurl = "icmp://a"\n')
    assert cfg is not None
    assert cfg.probe.remote_budget_per_hour == 200 and cfg.probe.remote_interval == 300


@pytest.mark.parametrize(
    ("vantage", "line", "words"),
    [
        ('globalping = "https://x"\nlocations = []\n', 3, "expected a list of Globalping"),
        ('globalping = "https://x"\nlocations = ["AS3303", "<b>"]\n', 3, "'<b>'"),
        ('globalping = "ftp://x"\nlocations = ["CH"]\n', 2, "http(s):// base URL"),
        ('globalping = "https://x"\nlocations = ["CH"]\nprobes = 0\n', 4, "1 to 50"),
        ('globalping = "https://x"\nlocations = ["CH"]\nresolver = "1.1.1.1"\n', 4, "remote"),
        ('globalping = "https://x"\nlocations = ["CH", "CH"]\n', 3, "listed twice"),
        ('ripe_atlas = "https://x"\nasns = [3303]\n', None, "needs an API key"),
        ('ripe_atlas = "https://x"\nasns = ["x"]\nsecret = "k"\n', 3, "AS numbers"),
        ('ripe_atlas = "https://x"\ncountries = ["ch"]\nsecret = "k"\n', 3, "ISO country"),
        ('ripe_atlas = "https://x"\nsecret = "k"\n', None, "exactly one of asns"),
        ('resolver = "192.0.2.1"\nprobes = 2\n', 3, "only to a remote vantage"),
    ],
)
def test_refusals_point_at_the_line(vantage: str, line: int | None, words: str) -> None:
    text = '[[vantage]]\nname = "r"\n' + vantage
    problems = wf.validate_text(text)
    assert problems, text
    assert words in problems[0].message
    if line is not None:  # ``line`` counts the vantage's keys; two header lines precede
        assert problems[0].line == line + 1


def test_remote_interval_has_a_floor() -> None:
    problems = wf.validate_text('[probe]\nremote_interval = "100ms"\n')
    assert problems and "at least 1s" in problems[0].message and problems[0].line == 2
