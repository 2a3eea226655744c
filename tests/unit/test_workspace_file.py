"""The workspace TOML: what loads, what is refused, and where the error points."""

from __future__ import annotations

from pathlib import Path

import pytest

from warroom.config import workspace_file as wf

GOOD = """\
[probe]
interval = "30s"
timeout = "5s"
fail_after = 2
recover_after = 2
degraded_ms = 1000

[[vantage]]
name = "isp-a"
resolver = "192.0.2.53:53"
family = 4
proxy = "socks5://127.0.0.1:1080"

[[target]]
name = "www"
url = "https://www.example.test/"
expect_status = [200]
follow_redirects = true
expect_body = "Welcome"
min_cert_days = 14
vantages = ["system", "isp-a"]

[[target]]
name = "smtp"
url = "tcp://mail.example.test:25"
expect_banner = "220"
interval = "10s"

[[target]]
name = "www-dns"
url = "dns://www.example.test"
record = "A"
expect_answer = ["192.0.2.10"]
server = "ns1.example.test"

[[feed]]
name = "mentions"
mastodon = "https://mastodon.example"
hashtag = "examplehostdown"
secret = "mastodon-ops"

[[channel]]
name = "bsky-ops"
bluesky = "https://bsky.social"
handle = "ops.example.test"
secret = "bsky-ops"
"""


def test_contract_example_loads(tmp_path: Path) -> None:
    p = tmp_path / "ws.toml"
    p.write_text(GOOD)
    cfg = wf.load(p)
    assert [v.name for v in cfg.all_vantages()] == ["system", "isp-a"]
    www, smtp, dnst = cfg.targets
    assert (www.check, www.host, www.port) == ("http", "www.example.test", 443)
    assert www.settings.min_cert_days == 14 and www.expect_status == (200,)
    assert [v.name for v in cfg.vantages_of(www)] == ["system", "isp-a"]
    assert smtp.settings.interval == 10.0 and smtp.settings.timeout == 5.0
    assert [v.name for v in cfg.vantages_of(smtp)] == ["system", "isp-a"]
    assert dnst.check == "dns" and dnst.expect_answer == ("192.0.2.10",)
    assert cfg.vantage("isp-a").resolver_addr == ("192.0.2.53", 53)
    assert cfg.feeds[0].kind == "mastodon" and cfg.channels[0].handle == "ops.example.test"


def test_dumps_reads_back_equal() -> None:
    cfg, problems = wf.parse_text(GOOD)
    assert not problems and cfg is not None
    again, problems = wf.parse_text(wf.dumps(cfg))
    assert not problems
    assert again == cfg


def test_save_is_atomic_and_loadable(tmp_path: Path) -> None:
    cfg, _ = wf.parse_text(GOOD)
    assert cfg is not None
    p = tmp_path / "out.toml"
    wf.save(cfg, p)
    assert wf.load(p).targets == cfg.targets
    assert [x.name for x in tmp_path.iterdir()] == ["out.toml"]


def _line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


@pytest.mark.parametrize(
    ("change", "needle", "field", "words"),
    [
        (('url = "tcp://mail', 'url = "ftp://mail'), "ftp://mail", "url", "unsupported scheme"),
        (
            ('expect_banner = "220"', 'expect_banner = "220"\ncolour = "red"'),
            "colour",
            "colour",
            "unknown key",
        ),
        (('name = "smtp"', 'name = "www"'), 'name = "www"\nurl = "tcp', "name", "duplicate"),
        (('interval = "10s"', 'interval = "10 parsecs"'), "parsecs", "interval", "bad duration"),
        (
            ('vantages = ["system", "isp-a"]', 'vantages = ["system", "isp-z"]'),
            "isp-z",
            "vantages",
            "unknown vantage",
        ),
        (("family = 4", "family = 5"), "family = 5", "family", "4 or 6"),
        (
            ('resolver = "192.0.2.53:53"', 'resolver = "192.0.2.53:99999"'),
            "99999",
            "resolver",
            "port",
        ),
        (
            ('proxy = "socks5://127.0.0.1:1080"', 'proxy = "ftp://x:1"'),
            "ftp://x",
            "proxy",
            "bad proxy",
        ),
        (('record = "A"', 'record = "BOGUS"'), "BOGUS", "record", "expected one of"),
        (
            ('expect_banner = "220"', 'expect_banner = "220"\nexpect_body = "x"'),
            'expect_body = "x"',
            "expect_body",
            "does not apply",
        ),
    ],
)
def test_semantic_errors_point_at_the_line(
    change: tuple[str, str], needle: str, field: str, words: str
) -> None:
    text = GOOD.replace(*change, 1)
    assert text != GOOD
    problems = wf.validate_text(text)
    assert problems, text
    p = problems[0]
    want = text.index(needle)
    want_line = text[:want].count("\n") + 1
    assert p.line == want_line, (p, want_line)
    assert p.field.endswith(field)
    assert words in p.message


def test_syntax_error_has_line_and_column() -> None:
    text = GOOD.replace('timeout = "5s"', "timeout = ")
    [p] = wf.validate_text(text)
    assert p.line == _line_of(text, "timeout =") and p.col is not None
    assert "invalid TOML" in p.message


def test_load_error_is_one_line_with_file_line_field_and_exit_3(tmp_path: Path) -> None:
    p = tmp_path / "ws.toml"
    p.write_text(GOOD.replace('url = "https://www', 'url = "gopher://www'))
    with pytest.raises(wf.WorkspaceFileError) as ei:
        wf.load(p)
    err = ei.value
    assert err.exit_code == 3
    assert err.line == _line_of(p.read_text(), "gopher")
    msg = str(err)
    assert "\n" not in msg
    assert msg.startswith(f"{p}:{err.line}: target 'www'.url: unsupported scheme 'gopher'")


def test_missing_and_non_utf8_files(tmp_path: Path) -> None:
    with pytest.raises(wf.WorkspaceFileError, match="cannot read"):
        wf.load(tmp_path / "nope.toml")
    bad = tmp_path / "bin.toml"
    bad.write_bytes(b"\xff\xfe[probe]")
    with pytest.raises(wf.WorkspaceFileError, match="not UTF-8"):
        wf.load(bad)


def test_ca_file_is_resolved_next_to_the_file_and_must_exist(tmp_path: Path) -> None:
    text = GOOD.replace("min_cert_days = 14", 'min_cert_days = 14\nca_file = "corp-ca.pem"')
    problems = wf.validate_text(text, base_dir=tmp_path)
    assert (
        problems and problems[0].field.endswith("ca_file") and "no such file" in problems[0].message
    )
    (tmp_path / "corp-ca.pem").write_text("x")
    cfg, problems = wf.parse_text(text, base_dir=tmp_path)
    assert not problems and cfg is not None
    assert cfg.targets[0].ca_path == tmp_path / "corp-ca.pem"


def test_every_problem_is_reported_not_just_the_first() -> None:
    text = GOOD.replace("family = 4", "family = 5").replace('record = "A"', 'record = "NOPE"')
    assert len(wf.validate_text(text)) == 2


@pytest.mark.parametrize(
    ("snippet", "words"),
    [
        ('[[feed]]\nname = "f"\nhashtag = "x"\n', "exactly one of"),
        ('[[feed]]\nname = "f"\nrss = "ftp://x"\n', "http(s)"),
        (
            '[[channel]]\nname = "c"\nmastodon = "https://m.example"\nbluesky = "https://b.example"\n',
            "exactly one",
        ),
        ('[[vantage]]\nname = "system"\n', "built in"),
        ('[probe]\ntimeout = "0s"\n', "more than zero"),
        ("[probe]\nfail_after = 0\n", "at least 1"),
        ('[[target]]\nname = "x"\nurl = "tcp://host"\n', "needs a port"),
        ('[[target]]\nname = "x"\n', "missing url"),
        ('[[target]]\nurl = "icmp://host"\n', "missing name"),
        ('[target]\nname = "x"\n', "[[target]]"),
        ('[[target]]\nname = "bad name!"\nurl = "icmp://h"\n', "a name is"),
        ('colour = "red"\n', "unknown section"),
    ],
)
def test_more_refusals(snippet: str, words: str) -> None:
    problems = wf.validate_text(snippet)
    assert problems and words in problems[0].message, problems
    assert problems[0].line == 1 or problems[0].line is not None


def test_split_host_port() -> None:
    assert wf.split_host_port("[::1]:5353", 53) == ("::1", 5353)
    assert wf.split_host_port("::1", 53) == ("::1", 53)
    assert wf.split_host_port("ns.example.test", 53) == ("ns.example.test", 53)
    with pytest.raises(ValueError):
        wf.split_host_port("host:0", 53)


def test_a_url_that_is_not_text_says_so() -> None:
    from warroom.config.workspace_file import parse_text

    problems = parse_text('[[target]]\nname = "www"\nurl = 5\n', source="ws.toml")[1]
    text = "\n".join(str(p) for p in problems)
    assert "url must be text, not 5" in text, text
