"""``warroom probe FILE``: the seed outage in words, records, exit codes, bad files."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from helpers.servers import WWW, SeedScenario, TestNet

from warroom.main import main


def probe(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["probe", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_seed_outage_said_in_words(
    seed_scenario: SeedScenario, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, out, err = probe(capsys, str(seed_scenario.path), "--once", "--no-store")
    assert code == 2, err
    lines = out.splitlines()
    assert lines[-1] == "www: down via isp-b, isp-lie; up via isp-a" == seed_scenario.summary
    table = {line.split()[1]: line.split() for line in lines[1:4]}
    assert table["isp-a"][3] == "up"
    assert table["isp-b"][3] == "down" and "dns_servfail:" in lines[2]
    assert table["isp-lie"][3] == "down" and "127.0.0.2" in lines[3] and "refused:" in lines[3]


def test_seed_outage_for_real_in_a_subprocess(seed_scenario: SeedScenario, tmp_path: Path) -> None:
    p = subprocess.run(
        [
            sys.executable,
            "-m",
            "warroom",
            "--data-dir",
            str(tmp_path / "ws"),
            "probe",
            str(seed_scenario.path),
            "--once",
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert p.returncode == 2, p.stderr
    assert p.stdout.splitlines()[-1] == seed_scenario.summary
    assert p.stderr == ""


def test_json_records_one_per_target_and_vantage_per_round(
    seed_scenario: SeedScenario, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code = main(
        [
            "--data-dir",
            str(tmp_path / "ws"),
            "probe",
            str(seed_scenario.path),
            "--rounds",
            "2",
            "--every",
            "0.05s",
            "--json",
        ]
    )
    out = capsys.readouterr().out
    recs = [json.loads(line) for line in out.splitlines()]
    assert code == 2
    assert [(r["round"], r["vantage"]) for r in recs] == [
        (1, "isp-a"),
        (1, "isp-b"),
        (1, "isp-lie"),
        (2, "isp-a"),
        (2, "isp-b"),
        (2, "isp-lie"),
    ]
    for r in recs:
        assert set(r) >= {
            "time",
            "target",
            "vantage",
            "check",
            "status",
            "latency_ms",
            "error",
            "detail",
            "address",
        }
        assert r["time"].endswith("Z") and r["check"] == "http"
    assert {r["vantage"]: r["error"] for r in recs} == {
        "isp-a": None,
        "isp-b": "dns_servfail",
        "isp-lie": "refused",
    }
    assert {r["vantage"]: r["state"] for r in recs} == {
        "isp-a": "up",
        "isp-b": "down",
        "isp-lie": "down",
    }
    # Stored in the workspace too.
    from warroom.store import Store
    from warroom.store import probes as ps

    with Store.open(tmp_path / "ws") as st:
        assert ps.row_counts(st)["probe_samples"] == 6
        assert ps.recent_samples(st, "www", "isp-lie", 1)[0]["address"] == "127.0.0.2"


def _ws(tmp_path: Path, body: str) -> Path:
    p = tmp_path / "ws.toml"
    p.write_text('[probe]\ntimeout = "0.5s"\nfail_after = 1\n' + body)
    return p


def test_exit_0_when_all_up(
    testnet: TestNet, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    p = _ws(
        tmp_path,
        (
            "[[target]]\n"
            'name = "smtp"\n'
            f'url = "tcp://127.0.0.1:{testnet.banner.port}"\n'
            'expect_banner = "220"\n'
        ),
    )
    code, out, _ = probe(capsys, str(p), "--once", "--no-store")
    assert code == 0
    assert out.splitlines()[-1] == "smtp: up via system"


def test_exit_1_when_degraded(
    testnet: TestNet, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    port = testnet.https["expiring"].port
    p = _ws(
        tmp_path,
        f'[[target]]\nname = "www"\nurl = "https://127.0.0.1:{port}/ok"\n'
        f'ca_file = "{testnet.certs.ca_file}"\nmin_cert_days = 30\n',
    )
    code, out, _ = probe(capsys, str(p), "--once", "--no-store")
    assert code == 1
    assert "cert_expiring" in out and out.splitlines()[-1] == "www: degraded via system"


def test_no_store_writes_nothing(
    seed_scenario: SeedScenario, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ws = tmp_path / "ws-nostore"
    main(["--data-dir", str(ws), "probe", str(seed_scenario.path), "--once", "--no-store"])
    capsys.readouterr()
    assert not ws.exists()


@pytest.mark.parametrize(
    ("text", "where", "words"),
    [
        ("[probe\n", ":1:", "invalid TOML"),
        ('[[target]]\nname = "a"\nurl = "ftp://x"\n', ":3: target 'a'.url:", "unsupported scheme"),
        (
            '[[target]]\nname = "a"\nurl = "icmp://127.0.0.1"\n'
            '[[target]]\nname = "a"\nurl = "icmp://127.0.0.2"\n',
            ":5: target 'a'.name:",
            "duplicate",
        ),
        (
            '[[target]]\nname = "a"\nurl = "icmp://127.0.0.1"\nvantages = ["isp-q"]\n',
            ":4:",
            "unknown vantage 'isp-q'",
        ),
        ('[probe]\ninterval = "soon"\n', ":2: probe.interval:", "bad duration"),
        ("", "", "no [[target]]"),
        # issue 10 item 8: tomllib's int() gives a bare ValueError with no line.
        ("[probe]\nfail_after = " + "7" * 4301 + "\n", ":2:", "4301 digits"),
        ('[[target]]\nname = "a"\nurl = "icmp://x"\ninterval = -' + "1_0" * 3000 + "\n", ":4:", ""),
    ],
)
def test_unusable_file_exit_3_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, where: str, words: str
) -> None:
    p = tmp_path / "bad.toml"
    p.write_text(text)
    code, out, err = probe(capsys, str(p), "--once", "--no-store")
    assert code == 3
    assert out == ""
    assert err.count("\n") == 1 and err.startswith(f"error: {p}{where}")
    assert words in err


def test_missing_file_exit_3(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = probe(capsys, str(tmp_path / "nope.toml"), "--once")
    assert code == 3 and err.startswith("error: ") and "cannot read" in err


def test_unknown_target_is_a_usage_error(
    seed_scenario: SeedScenario, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = probe(capsys, str(seed_scenario.path), "--once", "--target", "nope")
    assert code == 2 and "no target 'nope'" in err


def test_an_unreachable_resolver_does_not_stop_the_rest(
    testnet: TestNet, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    p = _ws(
        tmp_path,
        f'[[vantage]]\nname = "gone"\nresolver = "127.0.0.1:{testnet.closed.port}"\n'
        f'[[vantage]]\nname = "isp-a"\nresolver = "{testnet.dns_a.address}"\n'
        "[[target]]\n"
        'name = "www"\n'
        f'url = "http://{WWW}:{testnet.http.port}/ok"\n'
        'vantages = ["gone", "isp-a"]\n',
    )
    code, out, _ = probe(capsys, str(p), "--once", "--no-store")
    assert code == 2
    assert out.splitlines()[-1] == "www: down via gone; up via isp-a"


def test_an_unusable_workspace_only_costs_the_storing(
    seed_scenario: SeedScenario, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    not_a_dir = tmp_path / "file"
    not_a_dir.write_text("x")
    code = main(["--data-dir", str(not_a_dir), "probe", str(seed_scenario.path), "--once"])
    out, err = capsys.readouterr()
    assert code == 2
    assert out.splitlines()[-1] == seed_scenario.summary
    assert err.startswith("warning: ") and "probing without storing" in err
