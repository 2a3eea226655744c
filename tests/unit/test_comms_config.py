"""The workspace file's [[channel]] statuspage keys and the [comms] table."""

from __future__ import annotations

from dataclasses import replace

from warroom.config import workspace_file as wf
from warroom.social.channels import DEFAULT_CADENCE, from_config

GOOD = """
[[channel]]
name = "status"
statuspage = "https://api.statuspage.io"
page_id = "abc123"
secret = "statuspage"
components = { www = "8kbf7d35c070" }

[[channel]]
name = "masto"
mastodon = "https://mastodon.example"
secret = "masto"
visibility = "unlisted"

[comms]
approval = true
service = "Example Host"
status_url = "https://status.example.net"
cadence = { SEV1 = "10m", sev3 = "1h" }
language = "de"

[comms.templates]
resolved = "{service} is working again. {status_url}"
"""


def test_channels_and_comms_settings() -> None:
    cfg, problems = wf.parse_text(GOOD)
    assert problems == [] and cfg is not None
    channels, settings = from_config(cfg)
    sp, masto = channels
    assert (sp.kind, sp.page_id, sp.components) == (
        "statuspage",
        "abc123",
        (("www", "8kbf7d35c070"),),
    )
    assert masto.visibility == "unlisted"
    assert settings.approval and settings.service == "Example Host"
    assert settings.cadence_for("SEV1") == 600 and settings.cadence_for("SEV3") == 3600
    assert settings.cadence_for("SEV2") == DEFAULT_CADENCE["SEV2"]
    assert settings.templates == {"resolved": "{service} is working again. {status_url}"}
    assert settings.language == "de"


def test_round_trip_through_dumps() -> None:
    cfg, _ = wf.parse_text(GOOD)
    assert cfg is not None
    again, problems = wf.parse_text(wf.dumps(cfg))
    assert problems == [] and again == replace(cfg, path=None)


def test_without_comms_the_defaults_hold() -> None:
    cfg, _ = wf.parse_text('[[channel]]\nname = "m"\nmastodon = "https://m.example"\n')
    assert cfg is not None
    _channels, settings = from_config(cfg)
    assert not settings.approval and settings.cadence_for("SEV1") == 900
    assert "[comms]" not in wf.dumps(cfg)


def test_problems_point_at_the_line() -> None:
    text = (
        "[comms]\n"
        'approval = "yes"\n'
        'cadence = { SEV9 = "5m" }\n'
        "[comms.templates]\n"
        'fixed = "x"\n'
        'resolved = "{servce}"\n'
        "[[channel]]\n"
        'name = "s"\n'
        'statuspage = "https://a.example"\n'
        "[[channel]]\n"
        'name = "b"\n'
        'bluesky = "https://b.example"\n'
        'components = "www"\n'
    )
    found = [p.format("ws.toml") for p in wf.validate_text(text)]
    assert "ws.toml:2: comms.approval: expected true or false" in found
    bad_lang = [p.format("x") for p in wf.validate_text('[comms]\nlanguage = "it"\n')]
    assert bad_lang == ["x:2: comms.language: expected one of en, de, fr"]
    assert "ws.toml:3: comms.cadence: unknown severity 'SEV9'; expected SEV1..SEV4" in found
    assert any(f.startswith("ws.toml:5: comms.templates.fixed: unknown stage") for f in found)
    assert any(
        f.startswith("ws.toml:6: comms.templates.resolved: template: unknown field") for f in found
    )
    assert "ws.toml:7: channel 's'.page_id: a statuspage channel needs page_id" in found
    assert "ws.toml:10: channel 'b'.handle: missing handle" in found
    assert any(f.startswith("ws.toml:13: channel 'b'.components: expected a table") for f in found)
