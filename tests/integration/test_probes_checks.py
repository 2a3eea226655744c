"""Every check against real loopback servers, ending in the CONTRACT error words."""

from __future__ import annotations

import asyncio
import socket
import time
from typing import Any

import pytest
from helpers.servers import WWW, TestNet

from warroom.config import workspace_file as wf
from warroom.domain.probes import ERRORS, ProbeResult, Status
from warroom.probes.checks import CheckEnv, run_check


def config(
    net: TestNet, target: str, *, timeout: str = "1s", extra_vantages: str = ""
) -> wf.WorkspaceConfig:
    text = f"""
[probe]
timeout = "{timeout}"
degraded_ms = 900
[[vantage]]
name = "isp-a"
resolver = "{net.dns_a.address}"
[[vantage]]
name = "isp-b"
resolver = "{net.dns_b.address}"
[[vantage]]
name = "isp-lie"
resolver = "{net.dns_lie.address}"
[[vantage]]
name = "isp-silent"
resolver = "{net.dns_silent.address}"
[[vantage]]
name = "v4"
resolver = "{net.dns_a.address}"
family = 4
[[vantage]]
name = "v6"
resolver = "{net.dns_a.address}"
family = 6
[[vantage]]
name = "socks"
proxy = "{net.socks.url}"
[[vantage]]
name = "httpproxy"
proxy = "{net.http_proxy.url}"
{extra_vantages}
[[target]]
name = "t"
{target}
"""
    cfg, problems = wf.parse_text(text)
    assert not problems, problems
    assert cfg is not None
    return cfg


def check(net: TestNet, target: str, vantage: str = "isp-a", **kw: Any) -> ProbeResult:
    cfg = config(net, target, **kw)

    async def go() -> ProbeResult:
        env = CheckEnv()
        try:
            return await run_check(cfg.targets[0], cfg.vantage(vantage), env)
        finally:
            await env.aclose()

    r = asyncio.run(go())
    assert r.error is None or r.error in ERRORS
    return r


def http(net: TestNet, path: str, extra: str = "") -> str:
    return f'url = "http://{WWW}:{net.http.port}{path}"\n{extra}'


def https(net: TestNet, which: str, extra: str = "") -> str:
    return (
        f'url = "https://{WWW}:{net.https[which].port}/ok"\n'
        f'ca_file = "{net.certs.ca_file}"\n{extra}'
    )


# -- http ----------------------------------------------------------------------


def test_http_ok_through_a_custom_resolver_sends_the_right_host(testnet: TestNet) -> None:
    before = len(testnet.http.seen)
    r = check(testnet, http(testnet, "/ok", 'expect_body = "Welcome"'))
    assert (r.status, r.error, r.address) == (Status.UP, None, "127.0.0.1")
    assert r.extra["http_status"] == 200
    assert set(r.extra["timings_ms"]) >= {"dns", "connect", "first_byte"}
    seen = testnet.http.seen[before:]
    assert [s.host for s in seen] == [f"{WWW}:{testnet.http.port}"]


@pytest.mark.parametrize(
    ("path", "extra", "error"),
    [
        ("/5xx", "", "http_status"),
        ("/ok", "expect_status = [204]", "http_status"),
        ("/ok", 'expect_body = "Goodbye"', "body_mismatch"),
        ("/big", 'expect_body = "needle"', "body_mismatch"),  # past the 1 MiB read cap
        ("/loop", "", "redirect_loop"),
        ("/reset", "", "reset"),
        ("/slow", "", "timeout"),
        ("/noanswer", "", "timeout"),
        ("/drip", "", "timeout"),
    ],
)
def test_http_failures(testnet: TestNet, path: str, extra: str, error: str) -> None:
    t0 = time.monotonic()
    r = check(testnet, http(testnet, path, extra), timeout="0.5s")
    took = time.monotonic() - t0
    assert (r.status, r.error) == (Status.DOWN, error), r
    assert r.detail
    assert took < 0.5 + 1.0, f"check was not bounded by its timeout ({took:.2f}s)"


@pytest.mark.parametrize(
    ("path", "body"),
    [("/gzip", "Welcome, compressed"), ("/chunked", "Welcome to chunked!")],
)
def test_http_encodings(testnet: TestNet, path: str, body: str) -> None:
    r = check(testnet, http(testnet, path, f'expect_body = "{body}"'))
    assert r.status is Status.UP, r


@pytest.mark.parametrize("path", ["/close", "/garbage"])
def test_http_not_an_answer_is_a_protocol_error(testnet: TestNet, path: str) -> None:
    r = check(testnet, http(testnet, path))
    assert r.error == "protocol_error", r


@pytest.mark.parametrize(
    ("path", "words"),
    [
        ("/short-body", "body shorter than Content-Length"),
        ("/cut-chunk", "body ended inside a chunk"),
        ("/half-head", "mid-headers"),
        ("/huge-head", "larger than 64 KiB"),
        ("/bad-header", "bad response head"),
        ("/close", "without a response"),
        ("/garbage", "not an HTTP response: 'SSH-2.0-OpenSSH_9.6'"),
    ],
)
def test_http_broken_framing_says_what_broke(testnet: TestNet, path: str, words: str) -> None:
    # A body match that never comes: the check must read on until the framing breaks.
    r = check(testnet, http(testnet, path, 'expect_body = "Goodbye"'))
    assert (r.status, r.error) == (Status.DOWN, "protocol_error"), r
    assert words in r.detail, r.detail


def test_http_informational_head_is_skipped(testnet: TestNet) -> None:
    r = check(testnet, http(testnet, "/early-hints", 'expect_body = "after hints"'))
    assert (r.status, r.extra["http_status"]) == (Status.UP, 200), r


def test_http_ipv6_literal_host_header(testnet: TestNet) -> None:
    if testnet.http.port6 is None:
        pytest.skip("no IPv6 loopback here")
    before = len(testnet.http.seen)
    r = check(testnet, f'url = "http://[::1]:{testnet.http.port}/ok"', "system")
    assert (r.status, r.address) == (Status.UP, "::1"), r
    assert testnet.http.seen[before].host == f"[::1]:{testnet.http.port}"


def test_http_endless_body_stops_at_the_read_cap(testnet: TestNet) -> None:
    r = check(testnet, http(testnet, "/endless", "max_body_bytes = 65536"))
    assert r.status is Status.UP
    assert r.extra["timings_ms"]["body"] < 900


def test_http_redirect_followed_and_counted(testnet: TestNet) -> None:
    r = check(testnet, http(testnet, "/redirect", 'expect_body = "Welcome"'))
    assert r.status is Status.UP and r.extra["redirects"] == 1
    r = check(testnet, http(testnet, "/redirect", "follow_redirects = false"))
    assert r.status is Status.UP and r.extra["http_status"] == 302


def test_http_redirect_limit(testnet: TestNet) -> None:
    r = check(testnet, http(testnet, "/redirect", "max_redirects = 0"))
    assert r.error == "redirect_loop" and "more than 0" in r.detail


def test_http_slow_is_degraded_not_down(testnet: TestNet) -> None:
    slow = testnet.http_server(slow_s=0.15)
    r = check(testnet, f'url = "http://{WWW}:{slow.port}/slow"\ndegraded_ms = 50')
    assert (r.status, r.error) == (Status.DEGRADED, "too_slow")
    assert r.latency_ms is not None and r.latency_ms >= 150


@pytest.mark.parametrize(
    ("vantage", "error", "address"),
    [
        ("isp-b", "dns_servfail", None),
        ("isp-lie", "refused", "127.0.0.2"),  # the lie points where nothing listens
        ("isp-silent", "dns_timeout", None),
    ],
)
def test_http_through_broken_resolvers(
    testnet: TestNet, vantage: str, error: str, address: str | None
) -> None:
    r = check(testnet, http(testnet, "/ok"), vantage, timeout="0.5s")
    assert (r.status, r.error, r.address) == (Status.DOWN, error, address), r


def test_nxdomain_from_the_vantage_resolver(testnet: TestNet) -> None:
    r = check(testnet, f'url = "http://nope.example.test:{testnet.http.port}/ok"')
    assert r.error == "dns_nxdomain"


def test_families_are_kept_apart(testnet: TestNet) -> None:
    r4 = check(testnet, http(testnet, "/ok"), "v4")
    assert (r4.status, r4.address) == (Status.UP, "127.0.0.1")
    if testnet.http.port6 is None:
        pytest.skip("no IPv6 loopback here")
    r6 = check(testnet, http(testnet, "/ok"), "v6")
    assert (r6.status, r6.address) == (Status.UP, "::1")
    lit = check(testnet, f'url = "http://127.0.0.1:{testnet.http.port}/ok"', "v6")
    assert lit.error == "unreachable"


@pytest.mark.parametrize("vantage", ["socks", "httpproxy"])
def test_http_and_https_through_proxies(testnet: TestNet, vantage: str) -> None:
    proxy = testnet.socks if vantage == "socks" else testnet.http_proxy
    before = len(proxy.tunnels)
    r = check(testnet, http(testnet, "/ok", 'expect_body = "Welcome"'), vantage)
    assert r.status is Status.UP, r
    r = check(testnet, https(testnet, "valid", 'expect_body = "Welcome"'), vantage)
    assert r.status is Status.UP, r
    # The proxy was really used, with the name (it resolves on its side).
    assert [h for h, _ in proxy.tunnels[before:]] == [WWW, WWW]


def test_proxy_that_is_down(testnet: TestNet) -> None:
    extra = f'[[vantage]]\nname = "deadproxy"\nproxy = "socks5://127.0.0.1:{testnet.closed.port}"\n'
    r = check(testnet, http(testnet, "/ok"), "deadproxy", extra_vantages=extra)
    assert r.status is Status.DOWN and r.error in ("refused", "unreachable")


# -- https / tls ---------------------------------------------------------------


def test_https_valid_with_sni_and_cert_days(testnet: TestNet) -> None:
    srv = testnet.https["valid"]
    before = len(srv.seen)
    r = check(testnet, https(testnet, "valid", 'expect_body = "Welcome"'))
    assert r.status is Status.UP, r
    assert r.extra["cert_days_left"] > 30
    assert "tls" in r.extra["timings_ms"]
    assert [(s.host, s.sni) for s in srv.seen[before:]] == [(f"{WWW}:{srv.port}", WWW)]


@pytest.mark.parametrize(
    ("which", "ca", "error"),
    [
        ("expired", True, "tls_expired"),
        ("wrong_host", True, "tls_hostname"),
        ("untrusted", True, "tls_untrusted"),
        ("valid", False, "tls_untrusted"),  # without ca_file nobody trusts the test CA
    ],
)
@pytest.mark.parametrize("kind", ["https", "tls"])
def test_certificate_failures(
    testnet: TestNet, which: str, ca: bool, error: str, kind: str
) -> None:
    port = testnet.https[which].port
    url = f'url = "{kind}://{WWW}:{port}{"/ok" if kind == "https" else ""}"\n'
    if ca:
        url += f'ca_file = "{testnet.certs.ca_file}"\n'
    r = check(testnet, url)
    assert (r.status, r.error) == (Status.DOWN, error), r


@pytest.mark.parametrize("kind", ["https", "tls"])
def test_expiring_certificate_is_degraded(testnet: TestNet, kind: str) -> None:
    port = testnet.https["expiring"].port
    path = "/ok" if kind == "https" else ""
    url = (
        f'url = "{kind}://{WWW}:{port}{path}"\n'
        f'ca_file = "{testnet.certs.ca_file}"\n'
        "min_cert_days = 14\n"
    )
    r = check(testnet, url)
    assert (r.status, r.error) == (Status.DEGRADED, "cert_expiring"), r
    assert 4 < r.extra["cert_days_left"] < 6


def test_tls_check_ok(testnet: TestNet) -> None:
    port = testnet.https["valid"].port
    r = check(testnet, f'url = "tls://{WWW}:{port}"\nca_file = "{testnet.certs.ca_file}"')
    assert r.status is Status.UP and r.extra["tls_version"].startswith("TLS")
    assert "certificate valid" in r.detail


def test_tls_on_a_plain_port_is_a_tls_error(testnet: TestNet) -> None:
    r = check(testnet, f'url = "tls://{WWW}:{testnet.banner.port}"')
    assert r.error == "tls_error", r


# -- tcp -----------------------------------------------------------------------


def test_tcp_banner(testnet: TestNet) -> None:
    r = check(testnet, f'url = "tcp://{WWW}:{testnet.banner.port}"\nexpect_banner = "220"')
    assert r.status is Status.UP and r.extra["banner"].startswith("220 ")
    r = check(testnet, f'url = "tcp://{WWW}:{testnet.bad_banner.port}"\nexpect_banner = "220"')
    assert (r.error, r.extra["banner"]) == ("banner_mismatch", "554 go away")


def test_tcp_closed_port_and_silent_banner(testnet: TestNet) -> None:
    r = check(testnet, f'url = "tcp://127.0.0.1:{testnet.closed.port}"', "system")
    assert (r.status, r.error, r.address) == (Status.DOWN, "refused", "127.0.0.1")
    r = check(
        testnet,
        f'url = "tcp://127.0.0.1:{testnet.http.port}"\nexpect_banner = "220"',
        "system",
        timeout="0.3s",
    )
    assert r.error == "timeout"


def test_tcp_through_socks(testnet: TestNet) -> None:
    r = check(testnet, f'url = "tcp://{WWW}:{testnet.banner.port}"\nexpect_banner = "220"', "socks")
    assert r.status is Status.UP


# -- dns -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("vantage", "extra", "status", "error"),
    [
        ("isp-a", 'expect_answer = ["127.0.0.1"]', Status.UP, None),
        ("isp-a", 'record = "AAAA"\nexpect_answer = ["::1"]', Status.UP, None),
        ("isp-a", 'expect_answer = ["192.0.2.99"]', Status.DOWN, "dns_mismatch"),
        ("isp-lie", 'expect_answer = ["127.0.0.1"]', Status.DOWN, "dns_mismatch"),
        ("isp-b", "", Status.DOWN, "dns_servfail"),
        ("isp-silent", "", Status.DOWN, "dns_timeout"),
    ],
)
def test_dns_check(
    testnet: TestNet, vantage: str, extra: str, status: Status, error: str | None
) -> None:
    r = check(testnet, f'url = "dns://{WWW}"\n{extra}', vantage, timeout="0.5s")
    assert (r.status, r.error) == (status, error), r


def test_dns_named_server_and_nxdomain(testnet: TestNet) -> None:
    r = check(testnet, f'url = "dns://{WWW}"\nserver = "{testnet.dns_a.address}"', "isp-b")
    assert r.status is Status.UP and r.address == "127.0.0.1"
    assert r.extra["answers"] == ["127.0.0.1"]
    r = check(testnet, f'url = "dns://www.example.test"\nserver = "{testnet.dns_nx.address}"')
    assert (r.error, r.extra["rcode"]) == ("dns_nxdomain", "NXDOMAIN")


def test_dns_cname_answer(testnet: TestNet) -> None:
    r = check(
        testnet,
        'url = "dns://alias.example.test"\nrecord = "CNAME"\nexpect_answer = ["www.example.test"]',
    )
    assert r.status is Status.UP, r


# -- icmp ----------------------------------------------------------------------


def _icmp_possible() -> bool:
    for kind in (socket.SOCK_DGRAM, socket.SOCK_RAW):
        try:
            socket.socket(socket.AF_INET, kind, socket.IPPROTO_ICMP).close()
            return True
        except OSError:
            pass
    import shutil

    return shutil.which("ping") is not None


def test_icmp_loopback_or_a_clear_not_supported(testnet: TestNet) -> None:
    r = check(testnet, 'url = "icmp://127.0.0.1"', "system")
    if _icmp_possible():
        assert r.status is Status.UP, r
        assert r.latency_ms is not None and r.latency_ms < 100
    else:
        assert (r.error, r.status) == ("not_supported", Status.DOWN)


def test_icmp_without_any_method_says_not_supported(testnet: TestNet) -> None:
    cfg = config(testnet, 'url = "icmp://127.0.0.1"')

    async def go() -> ProbeResult:
        env = CheckEnv()
        env.icmp_methods = ()
        return await run_check(cfg.targets[0], cfg.vantage("system"), env)

    r = asyncio.run(go())
    assert r.error == "not_supported" and "ICMP not possible" in r.detail


def test_many_checks_in_parallel_stay_independent(testnet: TestNet) -> None:
    cfg = config(testnet, http(testnet, "/ok", 'expect_body = "Welcome"'))

    async def go() -> list[ProbeResult]:
        env = CheckEnv()
        try:
            t = cfg.targets[0]
            vs = ["isp-a", "isp-b", "isp-lie"] * 20
            return await asyncio.gather(*(run_check(t, cfg.vantage(v), env) for v in vs))
        finally:
            await env.aclose()

    rs = asyncio.run(go())
    by = {(r.vantage, r.error) for r in rs}
    assert by == {("isp-a", None), ("isp-b", "dns_servfail"), ("isp-lie", "refused")}


# -- issue 10: probes that lie or never end ------------------------------------------


def bounded_check(net: TestNet, target: str, vantage: str = "isp-a", **kw: Any) -> ProbeResult:
    """``check`` with an outer bound, so a check that never ends fails the test instead
    of hanging it (the bound is generous; the check's own timeout is what is tested)."""
    cfg = config(net, target, **kw)

    async def go() -> ProbeResult:
        env = CheckEnv()
        try:
            async with asyncio.timeout(5):
                return await run_check(cfg.targets[0], cfg.vantage(vantage), env)
        finally:
            await env.aclose()

    try:
        return asyncio.run(go())
    except TimeoutError:
        raise AssertionError("the check did not end within 5 s (timeout 0.4s)") from None


@pytest.mark.parametrize("vantage", ["isp-a", "socks"])
@pytest.mark.parametrize("kind", ["tls", "https", "tcp"])
def test_stalled_handshake_ends_at_the_deadline(testnet: TestNet, kind: str, vantage: str) -> None:
    # The port is open, the handshake (or banner) never comes: a common outage state.
    stall = testnet.stall_server()
    url = f'url = "{kind}://{WWW}:{stall.port}{"/ok" if kind == "https" else ""}"\n'
    if kind == "tcp":
        url += 'expect_banner = "220"\n'
    t0 = time.monotonic()
    r = bounded_check(testnet, url, vantage, timeout="0.4s")
    took = time.monotonic() - t0
    assert (r.status, r.error) == (Status.DOWN, "timeout"), r
    assert r.extra["phase"] == ("banner" if kind == "tcp" else "tls"), r
    assert took < 0.4 + 1.0, f"check was not bounded by its timeout ({took:.2f}s)"
    assert stall.accepted >= 1


@pytest.mark.parametrize("vantage", ["isp-a", "socks"])
@pytest.mark.parametrize("version", ["tls13", "tls12"])
@pytest.mark.parametrize("kind", ["https", "tls"])
def test_server_that_requires_a_client_certificate_is_down(
    testnet: TestNet, kind: str, version: str, vantage: str
) -> None:
    # curl and openssl fail here; with TLS 1.3 the refusal comes after the handshake.
    server = testnet.client_cert_server(version)
    port = server.port
    path = "/ok" if kind == "https" else ""
    url = f'url = "{kind}://{WWW}:{port}{path}"\nca_file = "{testnet.certs.ca_file}"\n'
    r = bounded_check(testnet, url, vantage, timeout="2s")
    assert (r.status, r.error) == (Status.DOWN, "tls_error"), r
    assert "client certificate" in r.detail, r.detail
    end = time.monotonic() + 2  # the server counts the refusal after sending its alert
    while not server.refused and time.monotonic() < end:
        time.sleep(0.01)
    assert server.refused >= 1


def test_client_certificate_refusal_found_behind_a_reset(testnet: TestNet) -> None:
    # On a fast path the server has closed (alert sent) before the request arrives, and
    # the client may see only the reset. Made deterministic here: the first connection
    # gets a handshake and a reset, no alert; the check must look again and find why.
    server = testnet.client_cert_server("tls13", resets=1)
    url = f'url = "https://{WWW}:{server.port}/ok"\nca_file = "{testnet.certs.ca_file}"\n'
    r = bounded_check(testnet, url, timeout="2s")
    assert (r.status, r.error) == (Status.DOWN, "tls_error"), r
    assert "client certificate" in r.detail, r.detail
    assert r.extra["phase"] == "request", r


def test_reset_after_the_handshake_stays_a_reset(testnet: TestNet) -> None:
    # A server that resets without any alert is not called a client-certificate refusal.
    server = testnet.client_cert_server("tls13", resets=-1)
    url = f'url = "https://{WWW}:{server.port}/ok"\nca_file = "{testnet.certs.ca_file}"\n'
    r = bounded_check(testnet, url, timeout="2s")
    assert (r.status, r.error) == (Status.DOWN, "reset"), r


def test_tls_check_without_client_auth_stays_quick(testnet: TestNet) -> None:
    # Waiting for a post-handshake refusal must not turn a healthy TLS 1.3 server slow.
    port = testnet.https["valid"].port
    r = check(testnet, f'url = "tls://{WWW}:{port}"\nca_file = "{testnet.certs.ca_file}"')
    assert (r.status, r.extra["tls_version"]) == (Status.UP, "TLSv1.3"), r
    # The wait for a refusal (at least 0.1 s) is not the server's latency.
    phases = sum(r.extra["timings_ms"].values())
    assert r.latency_ms is not None and r.latency_ms < phases + 90, r


@pytest.mark.parametrize("path", ["/gzip-json", "/deflate-json", "/deflate-raw"])
def test_highly_compressed_body_decodes_up_to_the_cap(testnet: TestNet, path: str) -> None:
    # 40 MB of JSON, about 130 KB on the wire: curl gets 200; so must we. How fast the
    # loopback server compresses is not the point (a loaded machine made it "too_slow").
    slow_ok = "degraded_ms = 3000"
    r = check(testnet, http(testnet, path, slow_ok), timeout="3s")
    assert (r.status, r.error) == (Status.UP, None), r
    assert r.extra["body_decoded_bytes"] == 1024 * 1024
    assert r.extra["body_capped"] is True
    r = check(testnet, http(testnet, path, f'expect_body = "Welcome"\n{slow_ok}'), timeout="3s")
    assert (r.status, r.error) == (Status.UP, None), r


@pytest.mark.parametrize("path", ["/gzip-json", "/gzip-bomb"])
def test_body_over_the_cap_is_labelled_so(testnet: TestNet, path: str) -> None:
    # The text is past the cap (or nowhere): bounded work, and the words say why.
    t0 = time.monotonic()
    r = check(testnet, http(testnet, path, 'expect_body = "last-item"'), timeout="3s")
    assert (r.status, r.error) == (Status.DOWN, "body_mismatch"), r
    assert "decodes to more than max_body_bytes" in r.detail, r.detail
    assert r.extra["body_decoded_bytes"] == 1024 * 1024
    assert r.extra["body_bytes"] < 1024 * 1024  # it stopped reading: the wire is bounded too
    assert time.monotonic() - t0 < 3


@pytest.mark.parametrize(
    ("path", "words"),
    [
        ("/short-body-match", "body shorter than Content-Length"),
        ("/cut-chunk-match", "body ended inside a chunk"),
        ("/huge-chunk-size", "body ended inside a chunk"),
    ],
)
def test_broken_framing_after_the_expected_text_is_still_broken(
    testnet: TestNet, path: str, words: str
) -> None:
    for extra in ("", 'expect_body = "Welcome"'):
        r = check(testnet, http(testnet, path, extra))
        assert (r.status, r.error) == (Status.DOWN, "protocol_error"), (extra, r)
        assert words in r.detail, r.detail


def test_conflicting_content_length_says_why(testnet: TestNet) -> None:
    r = check(testnet, http(testnet, "/two-lengths"))
    assert (r.status, r.error) == (Status.DOWN, "protocol_error"), r
    assert "conflicting Content-Length headers" in r.detail, r.detail


@pytest.mark.parametrize(
    ("path", "extra", "error"),
    [
        ("/gzip-json", "", None),
        ("/deflate-raw", 'expect_body = "Welcome"', None),
        ("/gzip-bomb", 'expect_body = "needle"', "body_mismatch"),
        ("/short-body-match", 'expect_body = "Welcome"', "protocol_error"),
        ("/cut-chunk-match", 'expect_body = "Welcome"', "protocol_error"),
    ],
)
def test_bodies_through_a_proxy_are_read_the_same_way(
    testnet: TestNet, path: str, extra: str, error: str | None
) -> None:
    r = check(testnet, http(testnet, path, extra), "socks", timeout="3s")
    assert r.error == error, r
    if path.startswith(("/gzip", "/deflate")):
        assert r.extra["body_decoded_bytes"] == 1024 * 1024, r


def test_truncated_dns_answer_is_asked_again_over_tcp(testnet: TestNet) -> None:
    dns_tc = testnet.truncating_dns()
    r = check(testnet, f'url = "dns://{WWW}"\nserver = "{dns_tc.address}"')
    assert (r.status, r.extra["answers"]) == (Status.UP, ["127.0.0.1"]), r
    assert dns_tc.tcp_queries == 1
    extra = f'[[vantage]]\nname = "tc"\nresolver = "{dns_tc.address}"\n'
    r = check(testnet, http(testnet, "/ok"), "tc", extra_vantages=extra)
    assert (r.status, r.address) == (Status.UP, "127.0.0.1"), r
    assert dns_tc.tcp_queries == 2
