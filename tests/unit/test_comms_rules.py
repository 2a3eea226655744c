"""The composer's rules: lengths per network, templates, the honesty check."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from warroom.base.errors import ValidationError
from warroom.domain import comms as comms_rule
from warroom.social import honesty, lengths, templates
from warroom.social.honesty import VantageState

T0 = datetime(2026, 11, 24, 9, 42, tzinfo=UTC)


# -- lengths -------------------------------------------------------------------------


def test_mastodon_counts_every_link_as_23() -> None:
    long_url = "https://status.example.test/incidents/" + "x" * 80
    text = f"Outage: {long_url}"
    assert lengths.mastodon_count(text).used == len("Outage: ") + 23
    short = "See https://a.io"
    assert lengths.mastodon_count(short).used == len("See ") + 23


def test_mastodon_counts_graphemes_and_local_part_of_mentions() -> None:
    family = "👨‍👩‍👧"  # five code points, one grapheme
    assert lengths.mastodon_count(family).used == 1
    assert lengths.mastodon_count("hi @ops@mastodon.example.test").used == len("hi @ops")


def test_mastodon_limit_comes_from_the_server() -> None:
    c = lengths.mastodon_count("x" * 501, limit=1000)
    assert (c.used, c.limit, c.over) == (501, 1000, False)
    assert lengths.mastodon_count("x" * 501).over  # default 500


def test_trailing_punctuation_is_not_part_of_a_link() -> None:
    spans = lengths.link_spans("Details: https://status.example.test/x. (https://a.test/b)")
    assert [u for _, _, u in spans] == ["https://status.example.test/x", "https://a.test/b"]


def test_bluesky_counts_graphemes_not_code_points() -> None:
    text = "🇨🇭" * 300  # 600 code points, 300 graphemes
    c = lengths.bluesky_count(text)
    assert (c.used, c.over) == (300, False)
    assert lengths.bluesky_count(text + "!").over
    assert lengths.bluesky_count("é" * 300).used == 300
    assert lengths.bluesky_count("e\u0301" * 300).used == 300  # combining accents


def test_bluesky_byte_limit_is_a_second_rule() -> None:
    text = "👨‍👩‍👧‍👦" * 200  # 200 graphemes, 25 bytes each
    c = lengths.bluesky_count(text)
    assert c.used == 200 and c.over and "bytes" in c.problem


def test_bluesky_link_facets_use_utf8_byte_offsets() -> None:
    text = "Störung 🇨🇭 bei www: https://status.example.test/a?b=1 #störung"
    facets = lengths.bluesky_facets(text)
    raw = text.encode("utf-8")
    link = next(f for f in facets if f["features"][0]["$type"].endswith("#link"))
    idx = link["index"]
    assert raw[idx["byteStart"] : idx["byteEnd"]].decode() == "https://status.example.test/a?b=1"
    assert link["features"][0]["uri"] == "https://status.example.test/a?b=1"
    tag = next(f for f in facets if f["features"][0]["$type"].endswith("#tag"))
    assert tag["features"][0]["tag"] == "störung"
    assert raw[tag["index"]["byteStart"] : tag["index"]["byteEnd"]].decode() == "#störung"


def test_no_tag_facet_for_numbers_or_fragments() -> None:
    facets = lengths.bluesky_facets("ticket #123 see https://a.test/x#frag")
    kinds = [f["features"][0]["$type"] for f in facets]
    assert kinds == ["app.bsky.richtext.facet#link"]


# -- templates -----------------------------------------------------------------------


def test_templates_fill_fields_in_the_given_zone() -> None:
    from zoneinfo import ZoneInfo

    v = templates.Values(
        service="www.example.ch",
        since=T0,
        next_update=T0 + timedelta(minutes=15),
        status_url="https://status.example.test",
    )
    text = templates.render(
        templates.template_for("investigating"), v, tz=ZoneInfo("Europe/Zurich")
    )
    assert "www.example.ch" in text and "10:42 CET" in text and "10:57 CET" in text
    assert text.endswith("https://status.example.test")


def test_missing_values_stay_visible() -> None:
    text = templates.render("{service} down since {since}. {status_url}", templates.Values())
    assert text == "[service?] down since [since?]."


def test_unknown_field_is_a_clear_error() -> None:
    with pytest.raises(ValidationError, match=r"unknown field \{servce\}"):
        templates.check("{servce} is down")
    with pytest.raises(ValidationError):
        templates.check("{service")
    with pytest.raises(ValidationError, match="unknown stage"):
        templates.template_for("fixed")


def test_workspace_templates_override_the_defaults() -> None:
    assert templates.template_for("resolved", {"resolved": "done {service}"}) == "done {service}"
    assert (
        templates.template_for("identified", {"resolved": "x"}) == templates.DEFAULTS["identified"]
    )


# -- honesty -------------------------------------------------------------------------


def _all_down(n: int = 5) -> list[VantageState]:
    return [VantageState("www", f"v{i}", "down", T0 + timedelta(seconds=i)) for i in range(n)]


def test_partial_claim_while_everything_is_down() -> None:
    draft = "Our services are only unreachable via individual access providers."
    found = honesty.check(draft, _all_down(), tz=UTC, now=T0)
    phrases = [f.claim.phrase for f in found]
    assert phrases == ["only", "individual access providers"]
    assert found[0].figures == ("www: down from 5 of 5 vantages since 09:42",)
    assert "suggests a partial outage" in found[0].message


def test_german_partial_claims() -> None:
    draft = "Die Erreichbarkeit war nur über einzelne Provider teilweise erschwert."
    found = honesty.check(draft, _all_down(3), tz=UTC, now=T0)
    assert [f.claim.phrase for f in found] == ["nur", "einzelne", "teilweise"]


def test_partial_claim_is_fine_when_only_some_vantages_see_it_down() -> None:
    states = [*_all_down(2), VantageState("www", "isp-a", "up", T0)]
    assert honesty.check("Only some providers are affected.", states) == []


def test_resolved_while_a_vantage_still_sees_it_down() -> None:
    states = [VantageState("www", "isp-a", "up"), VantageState("www", "isp-b", "down", T0)]
    found = honesty.check("The problem is resolved.", states, tz=UTC, now=T0)
    assert len(found) == 1
    assert found[0].figures == ("www: down from 1 of 2 vantages since 09:42 (isp-b)",)
    assert honesty.check("Das Problem ist behoben.", states)
    assert honesty.check("resolved", [VantageState("www", "isp-a", "up")]) == []


def test_negated_claims_are_not_claims() -> None:
    states = _all_down()
    assert honesty.check("Not only some providers: everyone is affected.", states) == []
    assert honesty.check("The issue is not yet resolved.", states) == []
    assert honesty.check("Die Störung ist noch nicht behoben.", states) == []
    assert honesty.check("It has yet to be resolved.", states) == []
    assert honesty.check("It is still partially down", states)  # 'still' does not negate


def test_words_inside_other_words_are_not_claims() -> None:
    assert honesty.check("Unresolved; someone is on it; handsome", _all_down()) == []


def test_pending_and_offline_states_are_not_measurements() -> None:
    states = [VantageState("www", "a", "down", T0), VantageState("www", "b", "offline")]
    found = honesty.check("only", states, tz=UTC, now=T0)
    assert found and found[0].figures[0].startswith("www: down from 1 of 1")


def test_extra_lines_for_remote_groups() -> None:
    found = honesty.check(
        "only some", _all_down(2), extra=lambda t: ["down from 2 of 2 probes in AS3303 (Swisscom)"]
    )
    assert "www: down from 2 of 2 probes in AS3303 (Swisscom)" in found[0].figures


def test_remote_group_figures_join_the_findings(monkeypatch: pytest.MonkeyPatch) -> None:
    """With the remote vantages' stored evidence, a finding quotes the groups too."""
    from warroom.probes import summary
    from warroom.social import compose

    monkeypatch.setattr(
        summary,
        "stored_remote_figures",
        lambda store: {
            "www": [
                "down from 2 of 2 probes in AS3303 (Swisscom)",
                "up from 2 of 2 probes in AS6730 (Sunrise)",
            ]
        },
        raising=False,
    )
    extra = compose.remote_lines(object())
    assert extra is not None
    found = honesty.check("only some", _all_down(2), extra=extra)
    assert found[0].figures[1:] == ("www: down from 2 of 2 probes in AS3303 (Swisscom)",)


# -- cadence -------------------------------------------------------------------------


def test_cadence_counts_down_and_overdue() -> None:
    from warroom.social.compose import Cadence

    c = Cadence("SEV1", 900, T0 + timedelta(minutes=15))
    assert c.text(T0, UTC) == "next update due in 15 min (09:57)"
    assert c.short(T0 + timedelta(minutes=14, seconds=30)) == "update due in 30 s"
    assert c.short(T0 + timedelta(minutes=18)) == "update overdue by 3 min"
    assert c.overdue(T0 + timedelta(minutes=15)) and not c.overdue(T0)
    assert Cadence("SEV2", 1800, None).text() == "no update due"


def test_cadence_from_the_incident(store: object) -> None:
    from types import SimpleNamespace

    from warroom.social.channels import CommsSettings
    from warroom.social.compose import cadence_for

    inc = SimpleNamespace(
        id="X", severity="SEV2", status="investigating", next_update_due=None,
        detected_at="2026-11-24T09:42:00.000Z", created_at="2026-11-24T09:42:00.000Z",
    )  # fmt: skip
    c = cadence_for(store, inc, CommsSettings())
    assert c.every_s == 1800 and c.due == T0 + timedelta(minutes=30)
    inc.next_update_due = "2026-11-24T10:00:00.000Z"
    assert cadence_for(store, inc, CommsSettings()).due == T0 + timedelta(minutes=18)
    inc.status = "resolved"
    assert cadence_for(store, inc, CommsSettings()).due is None


def test_a_draft_naming_a_target_is_held_against_that_target_only() -> None:
    states = [
        *_all_down(3),  # www: down everywhere
        VantageState("mail", "v0", "down", T0),
        VantageState("mail", "v1", "up", T0),
    ]
    found = honesty.check("Only some customers cannot reach mail.", states, tz=UTC, now=T0)
    assert found == []  # mail is down from some vantages only: the claim holds
    found = honesty.check("Only some customers cannot reach www.example.ch", states, tz=UTC, now=T0)
    assert {f.figures for f in found} == {("www: down from 3 of 3 vantages since 09:42",)}
    # Naming nothing: the whole service, every measured target counts.
    assert honesty.check("Only some customers are affected.", states)
    # The incident's affected services narrow it when the draft names none.
    assert honesty.check("Only some customers are affected.", states, affected=["mail"]) == []
    # "email" does not name the target "mail".
    assert honesty.relevant_targets("email is fine", ["mail", "www"], ["www"]) == {"www"}


def test_built_in_templates_in_german_and_french() -> None:
    for lang in ("de", "fr"):
        for stage in templates.STAGES:
            tmpl = templates.template_for(stage, None, lang)
            templates.check(tmpl)
            assert set(comms_rule.fields_of(tmpl)) <= set(comms_rule.FIELDS)
    v = templates.Values(service="www.example.ch", since=T0, status_url="https://s.test")
    de = templates.render(templates.template_for("resolved", None, "de"), v, tz=UTC)
    assert de.startswith("www.example.ch funktioniert wieder normal. Die Störung begann um 09:42")
    # The resolved wording is itself a claim the honesty check holds against the figures.
    assert honesty.check(de, _all_down(2))
    assert templates.template_for("resolved", {"resolved": "x"}, "fr") == "x"


def test_the_workspace_file_offers_exactly_the_built_in_languages() -> None:
    from warroom.domain.comms import LANGUAGES, STAGES
    from warroom.social.templates import BUILTIN

    assert tuple(BUILTIN) == LANGUAGES
    assert all(set(BUILTIN[lang]) == set(STAGES) for lang in LANGUAGES)
