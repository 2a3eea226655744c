"""``warroom publish`` and ``warroom statuspage`` as scripts use them (subprocesses)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest

from warroom.base import timeutil
from warroom.domain.probes import ProbeResult, State, StateChange, Status
from warroom.sim.bluesky import FakeBluesky
from warroom.sim.mastodon import FakeMastodon
from warroom.sim.statuspage import FakeStatuspage
from warroom.store import Store
from warroom.store import probes as probe_store

TOKEN = "masto-secret-token-42"
APP_PASSWORD = "aaaa-bbbb-cccc-dddd"
HANDLE = "ops.example.test"


@dataclass
class Setup:
    data: Path
    file: Path
    masto: FakeMastodon
    bsky: FakeBluesky
    env: dict[str, str]


def _channels(masto_url: str, bsky_url: str) -> str:
    return f"""
[[channel]]
name = "mastodon-ops"
mastodon = "{masto_url}"
secret = "mastodon-ops"

[[channel]]
name = "bsky-ops"
bluesky = "{bsky_url}"
handle = "{HANDLE}"
secret = "bsky-ops"
"""


@pytest.fixture
def setup(tmp_path: Path) -> Iterator[Setup]:
    masto, bsky = FakeMastodon(), FakeBluesky()
    masto.add_token(TOKEN, "ops")
    bsky.add_account(HANDLE, APP_PASSWORD)
    with masto, bsky:
        ws = tmp_path / "ws.toml"
        ws.write_text(_channels(masto.url, bsky.url), encoding="utf-8")
        env = {
            **os.environ,
            "WARROOM_SECRET_MASTODON_OPS": TOKEN,
            "WARROOM_SECRET_BSKY_OPS": APP_PASSWORD,
        }
        yield Setup(tmp_path / "data", ws, masto, bsky, env)


def run(s: Setup, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "warroom", "--data-dir", str(s.data), *args],
        capture_output=True,
        text=True,
        timeout=60,
        env=s.env,
        input=stdin,
    )


def new_incident(s: Setup) -> str:
    proc = run(s, "incident", "new", "Websites unreachable", "--severity", "SEV1")
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.strip()


def store_all_down(s: Setup, vantages: tuple[str, ...] = ("isp-a", "isp-b")) -> None:
    """What 'warroom probe' stores when every vantage sees www down."""
    t0 = timeutil.now() - timedelta(minutes=3)
    store = Store.open(s.data)
    try:
        results = []
        changes = []
        for v in vantages:
            for i in range(3):
                r = ProbeResult(
                    t0 + timedelta(seconds=30 * i), "www", v, "http", Status.DOWN, None, "timeout"
                )
                results.append(r)
            changes.append(StateChange(t0, "www", v, State.PENDING, State.DOWN, results[-3]))
        probe_store.write_batch(store, results, changes)
    finally:
        store.close()


def test_publish_prints_the_url_and_logs_a_comms_entry(setup: Setup) -> None:
    iid = new_incident(setup)
    proc = run(
        setup,
        "publish",
        str(setup.file),
        "--channel",
        "mastodon-ops",
        "--text",
        "We are investigating an outage of www.",
        "--incident",
        iid,
        "--author",
        "alice",
    )
    assert proc.returncode == 0, proc.stderr
    [url] = proc.stdout.splitlines()
    assert url.startswith("https://mastodon.example/@ops/")
    assert setup.masto.published("ops") == ["We are investigating an outage of www."]
    timeline = run(setup, "timeline", iid, "--json", "--kind", "comms")
    [entry] = [json.loads(x) for x in timeline.stdout.splitlines()]
    assert entry["author"] == "alice" and url in entry["text"] and "mastodon-ops" in entry["text"]
    shown = run(setup, "incident", "show", iid, "--json")
    assert json.loads(shown.stdout)["next_update_due"]  # the cadence restarted


def test_partial_claim_against_total_outage_needs_yes(setup: Setup) -> None:
    store_all_down(setup)
    text = "Our services are only unreachable via individual access providers."
    proc = run(setup, "publish", str(setup.file), "--channel", "mastodon-ops", "--text", text)
    assert proc.returncode == 1
    warnings = [x for x in proc.stderr.splitlines() if x.startswith("warning: claim: ")]
    assert len(warnings) == 2
    assert '"only" suggests a partial outage' in warnings[0]
    assert "www: down from 2 of 2 vantages since" in warnings[0]
    assert proc.stderr.splitlines()[-1].startswith("error: the text contradicts")
    assert "Traceback" not in proc.stderr
    assert setup.masto.published("ops") == []
    forced = run(
        setup, "publish", str(setup.file), "--channel", "mastodon-ops", "--text", text, "--yes"
    )
    assert forced.returncode == 0, forced.stderr
    assert "warning: claim:" in forced.stderr
    assert setup.masto.published("ops") == [text]


def test_resolved_claim_after_a_real_probe_run(setup: Setup, seed_scenario: object) -> None:
    ws = Path(seed_scenario.path)  # type: ignore[attr-defined]
    ws.write_text(ws.read_text() + setup.file.read_text(), encoding="utf-8")
    probe = run(setup, "probe", str(ws), "--rounds", "2", "--every", "0.2s")
    assert probe.returncode == 2, probe.stderr  # www is down via isp-b and isp-lie
    proc = run(
        setup,
        "publish",
        str(ws),
        "--channel",
        "bsky-ops",
        "--text",
        "The problem is resolved, thanks for your patience.",
    )
    assert proc.returncode == 1
    assert "www: down from 2 of 3 vantages since" in proc.stderr
    assert "(isp-b, isp-lie)" in proc.stderr
    assert setup.bsky.records(HANDLE) == {}


def test_same_text_twice_is_not_posted_twice(setup: Setup) -> None:
    args = ("publish", str(setup.file), "--channel", "mastodon-ops,bsky-ops", "--text", "-")
    first = run(setup, *args, stdin="Update: www is reachable again for most customers.\n")
    assert first.returncode == 0, first.stderr
    assert len(first.stdout.splitlines()) == 2
    second = run(setup, *args, stdin="Update: www is reachable again for most customers.\n")
    assert second.returncode == 0
    assert second.stdout == first.stdout
    assert "not sent again" in second.stderr
    assert len(setup.masto.published("ops")) == 1 and len(setup.bsky.records(HANDLE)) == 1


def test_failure_is_one_error_line_and_exit_1(setup: Setup) -> None:
    setup.masto.fail_next("POST", "/api/v1/statuses", 422, {"error": "Validation failed"})
    proc = run(
        setup, "publish", str(setup.file), "--channel", "mastodon-ops", "--text", "hi", "--json"
    )
    assert proc.returncode == 1
    [rec] = [json.loads(x) for x in proc.stdout.splitlines()]
    assert rec["ok"] is False and "HTTP 422" in rec["error"]
    assert TOKEN not in proc.stdout + proc.stderr


def test_bad_input_is_a_usage_error(setup: Setup) -> None:
    proc = run(setup, "publish", str(setup.file), "--channel", "nope", "--text", "hi")
    assert proc.returncode == 2
    assert proc.stderr.startswith("error: no channel 'nope'")
    too_long = run(setup, "publish", str(setup.file), "--channel", "bsky-ops", "--text", "x" * 301)
    assert too_long.returncode == 2 and "301/300 graphemes" in too_long.stderr
    assert setup.bsky.seen("POST", "/xrpc/com.atproto.repo.createRecord") == []


def test_statuspage_is_one_self_contained_file(setup: Setup, tmp_path: Path) -> None:
    iid = new_incident(setup)
    hostile = "<script>alert(1)</script> <img src=https://evil.test/x.png> [x](javascript:alert(1))"
    assert (
        run(
            setup,
            "publish",
            str(setup.file),
            "--channel",
            "mastodon-ops,bsky-ops",
            "--text",
            "Investigating www. Details: https://status.example.test/1",
            "--incident",
            iid,
        ).returncode
        == 0
    )
    assert run(setup, "log", iid, hostile, "--external").returncode == 0
    assert run(setup, "log", iid, "internal: restarted the resolver on isp-b").returncode == 0
    out = tmp_path / "status.html"
    proc = run(
        setup,
        "statuspage",
        iid,
        "-o",
        str(out),
        "--tz",
        "Europe/Zurich",
        "--service",
        "Example Host",
    )
    assert proc.returncode == 0, proc.stderr
    page = out.read_text(encoding="utf-8")
    assert "Content-Security-Policy" in page and "default-src 'none'" in page
    assert "<script" not in page and "<img" not in page and 'href="javascript' not in page
    assert "&lt;script&gt;" in page
    assert "Investigating www." in page and page.count("Investigating www.") == 1
    assert "internal: restarted" not in page
    assert "Example Host status" in page and "Investigating" in page
    assert "Posted on:" in page and "Mastodon" in page and "Bluesky" in page
    tags = _tags(page)
    assert not {t for t, _ in tags} & {"script", "img", "link", "iframe", "object", "embed"}
    assert not [a for _, attrs in tags for a, _v in attrs if a == "src" or a.startswith("on")]
    hrefs = [v for _, attrs in tags for a, v in attrs if a == "href"]
    assert hrefs and all(v.startswith("https://") for v in hrefs)
    style = page.split("<style>", 1)[1].split("</style>", 1)[0]
    assert "url(" not in style and "@import" not in style


def _tags(page: str) -> list[tuple[str, list[tuple[str, str]]]]:
    from html.parser import HTMLParser

    found: list[tuple[str, list[tuple[str, str]]]] = []

    class P(HTMLParser):
        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            found.append((tag, [(a, v or "") for a, v in attrs]))

    P().feed(page)
    return found


def test_statuspage_channel_and_approval_from_the_workspace_file(
    setup: Setup, tmp_path: Path
) -> None:
    sp = FakeStatuspage()
    sp.add_api_key("sp-key-123")
    comp = sp.set_component("Website")
    with sp:
        ws = tmp_path / "status.toml"
        ws.write_text(
            f"""
[[channel]]
name = "status"
statuspage = "{sp.url}"
page_id = "{sp.page["id"]}"
secret = "statuspage"
components = {{ www = "{comp["id"]}" }}

[comms]
approval = true
""",
            encoding="utf-8",
        )
        setup.env["WARROOM_SECRET_STATUSPAGE"] = "sp-key-123"
        iid = new_incident(setup)
        args = ("publish", str(ws), "--channel", "status", "--incident", iid, "--text",
                "We are investigating an outage of www.")  # fmt: skip
        refused = run(setup, *args)
        assert refused.returncode == 2 and "requires approval" in refused.stderr
        ok = run(setup, *args, "--approved-by", "bob", "--author", "alice")
        assert ok.returncode == 0, ok.stderr
        assert ok.stdout.startswith("https://stspg.io/")
        [inc] = sp.incidents
        assert inc["name"] == "Websites unreachable"
        [create] = [r for r in sp.requests if r.method == "POST"]
        assert "components" not in create.json()["incident"]  # nothing measured: left alone


def test_template_fills_from_the_incident(setup: Setup) -> None:
    iid = new_incident(setup)
    proc = run(setup, "publish", str(setup.file), "--channel", "mastodon-ops", "--template",
               "--incident", iid, "--stage", "identified")  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    [text] = setup.masto.published("ops")
    assert text.startswith("Websites unreachable: we have identified the cause")
    assert "[" not in text  # every field filled ({status_url} is empty: left out)
    assert f"publishing: {text}" in proc.stderr
    bad = run(setup, "publish", str(setup.file), "--channel", "mastodon-ops", "--template")
    assert bad.returncode == 2 and "--template needs --incident" in bad.stderr


def test_dry_run_checks_and_sends_nothing(setup: Setup) -> None:
    store_all_down(setup)
    args = ("publish", str(setup.file), "--channel", "mastodon-ops,bsky-ops", "--dry-run")
    ok = run(setup, *args, "--text", "We are investigating an outage of www.")
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout.splitlines() == [
        "mastodon-ops: 38/500 characters",
        "bsky-ops: 38/300 graphemes",
    ]
    held = run(setup, *args, "--text", "Only some customers are affected.")
    assert held.returncode == 1 and "warning: claim:" in held.stderr
    assert setup.masto.published("ops") == [] and setup.bsky.records(HANDLE) == {}
