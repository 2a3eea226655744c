"""``warroom feeds FILE [--once] [--json]``: each post once per workspace, errors as lines."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from social_support import sim_fixture  # noqa: F401

from warroom.main import main
from warroom.sim.rss import Item, rss
from warroom.sim.social import SocialSim


def feeds(capsys: pytest.CaptureFixture[str], data: Path, *args: str) -> tuple[int, str, str]:
    code = main(["--data-dir", str(data), "feeds", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_second_run_prints_only_what_is_new(
    sim: SocialSim, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ws = tmp_path / "ws.toml"
    ws.write_text(sim.feeds_toml())
    sim.feeds.set(
        "/news.xml", rss([Item("Provider: network incident", "https://p.example/1", "n1")])
    )
    sim.mastodon.post("#examplehostdown cannot reach example.ch", author="anna")
    sim.bluesky.add_post("example host down for everyone?")
    sim.statuspage.set_component("Backbone", "major_outage")
    data = tmp_path / "data"
    code, out, err = feeds(capsys, data, str(ws), "--once", "--json")
    assert code == 0, err
    records = [json.loads(line) for line in out.splitlines()]
    assert sorted(r["source"] for r in records) == ["bsky", "carrier", "mentions", "provider-news"]
    for r in records:
        assert list(r) == ["source", "id", "author", "text", "url", "time"]
        assert r["time"].endswith("Z")
    masto = next(r for r in records if r["source"] == "mentions")
    assert masto["author"] == "anna" and masto["text"] == "#examplehostdown cannot reach example.ch"

    code, out, err = feeds(capsys, data, str(ws), "--once", "--json")
    assert (code, out) == (0, ""), err

    sim.mastodon.post("#examplehostdown still down", author="ben")
    code, out, err = feeds(capsys, data, str(ws), "--once")
    assert code == 0, err
    lines = out.splitlines()
    assert len(lines) == 1
    assert "mentions  @ben: #examplehostdown still down" in lines[0]


def test_a_failing_source_is_a_warning_and_exit_1(
    sim: SocialSim, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ws = tmp_path / "ws.toml"
    ws.write_text(sim.feeds_toml())  # /news.xml is not served: 404
    sim.mastodon.post("#examplehostdown hello")
    code, out, err = feeds(capsys, tmp_path / "d", str(ws), "--once")
    assert code == 1
    assert "@alice: #examplehostdown hello" in out
    warn = [line for line in err.splitlines() if line.startswith("warning: feed provider-news:")]
    assert len(warn) == 1 and "stale since" in warn[0] and "HTTP 404" in warn[0]
    assert "Traceback" not in err


def test_bad_files_are_one_error_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ws = tmp_path / "ws.toml"
    ws.write_text('[[target]]\nname = "www"\nurl = "https://www.example.test/"\n')
    code, out, err = feeds(capsys, tmp_path / "d", str(ws), "--once")
    assert code == 3 and out == ""
    assert err.startswith("error: ") and "no [[feed]]" in err and len(err.splitlines()) == 1
    ws.write_text('[[feed]]\nname = "x"\nrss = "ftp://nope"\n')
    code, out, err = feeds(capsys, tmp_path / "d", str(ws), "--once")
    assert (
        code == 3 and err.startswith("error: ") and "http(s)" in err and len(err.splitlines()) == 1
    )


def test_in_a_subprocess_with_the_secret_from_the_environment(
    sim: SocialSim, tmp_path: Path
) -> None:
    from warroom.sim.social import BSKY_PASSWORD

    ws = tmp_path / "ws.toml"
    ws.write_text(sim.feeds_toml())
    sim.bluesky.add_post("example host unreachable from Bern")
    env = {**os.environ, "WARROOM_SECRET_BSKY_OPS": BSKY_PASSWORD}
    p = subprocess.run(
        [
            sys.executable,
            "-m",
            "warroom",
            "--data-dir",
            str(tmp_path / "d"),
            "feeds",
            str(ws),
            "--once",
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert "bsky  @carol.bsky.social: example host unreachable from Bern" in p.stdout
    assert BSKY_PASSWORD not in p.stdout + p.stderr
    assert p.returncode == 1  # the RSS feed is not served in this test


def test_without_once_it_keeps_polling_and_prints_new_posts(sim: SocialSim, tmp_path: Path) -> None:
    import time

    ws = tmp_path / "ws.toml"
    ws.write_text(
        f'[[feed]]\nname = "mentions"\nmastodon = "{sim.mastodon.url}"\n'
        'hashtag = "examplehostdown"\ninterval = "5s"\n'
    )
    sim.mastodon.post("#examplehostdown first", author="anna")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}  # a real pipe
    p = subprocess.Popen(
        [sys.executable, "-m", "warroom", "--data-dir", str(tmp_path / "d"), "feeds", str(ws)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert p.stdout is not None
        first = p.stdout.readline()
        assert "@anna: #examplehostdown first" in first
        sim.mastodon.post("#examplehostdown second", author="ben")
        t0 = time.monotonic()
        second = p.stdout.readline()  # the next poll, about 5 s later
        assert "@ben: #examplehostdown second" in second
        assert 3 < time.monotonic() - t0 < 30  # on its 5 s interval, not at once
    finally:
        p.terminate()
        p.wait(10)
        if p.stdout:
            p.stdout.close()
        if p.stderr:
            p.stderr.close()
