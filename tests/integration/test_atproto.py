"""The Bluesky session client against the loopback fake PDS (warroom.sim.bluesky)."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Iterator

import pytest

from warroom.sim.bluesky import TID_RE, FakeBluesky
from warroom.social.atproto import (
    AtprotoSession,
    AuthError,
    XrpcError,
    deterministic_tid,
    jwt_exp,
)

HANDLE = "ops.example.test"
PASSWORD = "abcd-efgh-ijkl-mnop"


@pytest.fixture
def pds() -> Iterator[FakeBluesky]:
    fake = FakeBluesky()
    fake.add_account(HANDLE, PASSWORD)
    with fake:
        yield fake


@pytest.fixture
def app_password(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WARROOM_SECRET_BSKY_OPS", PASSWORD)


def run(coro):  # type: ignore[no-untyped-def]
    return asyncio.run(coro)


async def _calls(sess: AtprotoSession, n: int) -> list[dict]:  # type: ignore[type-arg]
    try:
        return [await sess.call("com.atproto.server.getSession", params={}) for _ in range(n)]
    finally:
        await sess.aclose()


def test_signs_in_once_for_many_calls(pds: FakeBluesky, app_password: None) -> None:
    sess = AtprotoSession(pds.url, HANDLE, "bsky-ops")
    answers = run(_calls(sess, 3))
    assert [a["handle"] for a in answers] == [HANDLE] * 3
    assert pds.sessions_created == 1
    assert pds.sessions_refreshed == 0
    assert len(pds.seen("POST", "/xrpc/com.atproto.server.createSession")) == 1


def test_expired_token_refreshes_instead_of_signing_in(
    pds: FakeBluesky, app_password: None
) -> None:
    async def go() -> None:
        sess = AtprotoSession(pds.url, HANDLE, "bsky-ops")
        await sess.call("com.atproto.server.getSession", params={})
        pds.expire_access()
        again = await sess.call("com.atproto.server.getSession", params={})
        assert again["did"] == sess.did
        await sess.aclose()

    run(go())
    assert pds.sessions_created == 1
    assert pds.sessions_refreshed == 1


def test_concurrent_calls_share_one_refresh(pds: FakeBluesky, app_password: None) -> None:
    async def go() -> None:
        sess = AtprotoSession(pds.url, HANDLE, "bsky-ops")
        await sess.call("com.atproto.server.getSession", params={})
        pds.expire_access()
        got = await asyncio.gather(
            *(sess.call("com.atproto.server.getSession", params={}) for _ in range(5))
        )
        assert len(got) == 5
        await sess.aclose()

    run(go())
    assert pds.sessions_created == 1
    assert pds.sessions_refreshed == 1


def test_refreshes_before_the_jwt_expires(app_password: None) -> None:
    fake = FakeBluesky(access_ttl=30)  # inside the 60 s margin: every use refreshes first
    fake.add_account(HANDLE, PASSWORD)
    with fake:
        run(_calls(AtprotoSession(fake.url, HANDLE, "bsky-ops"), 3))
        assert fake.sessions_created == 1
        assert fake.sessions_refreshed == 2  # before the 2nd and 3rd call, not after a 400


def test_spent_refresh_token_signs_in_again(pds: FakeBluesky, app_password: None) -> None:
    async def go() -> None:
        sess = AtprotoSession(pds.url, HANDLE, "bsky-ops")
        await sess.call("com.atproto.server.getSession", params={})
        pds.expire_access()
        pds.expire_refresh()
        await sess.call("com.atproto.server.getSession", params={})
        await sess.aclose()

    run(go())
    assert pds.sessions_created == 2


def test_wrong_password_is_an_auth_error_without_the_password(
    pds: FakeBluesky, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WARROOM_SECRET_BSKY_OPS", "wrong-pass-word-1234")
    with pytest.raises(AuthError) as err:
        run(_calls(AtprotoSession(pds.url, HANDLE, "bsky-ops"), 1))
    msg = str(err.value)
    assert "AuthenticationRequired" in msg and "bsky-ops" in msg
    assert "wrong-pass-word-1234" not in msg


def test_unset_secret_says_how_to_set_it(pds: FakeBluesky) -> None:
    with pytest.raises(AuthError, match="warroom secret set bsky-ops"):
        run(_calls(AtprotoSession(pds.url, HANDLE, "bsky-ops"), 1))
    assert pds.requests == []


def test_tokens_never_reach_the_log_or_repr(
    pds: FakeBluesky, app_password: None, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)

    async def go() -> AtprotoSession:
        sess = AtprotoSession(pds.url, HANDLE, "bsky-ops")
        await sess.call("com.atproto.server.getSession", params={})
        pds.expire_access()
        await sess.call("com.atproto.server.getSession", params={})
        await sess.aclose()
        return sess

    sess = run(go())
    tokens = pds.tokens()
    assert tokens
    text = caplog.text + repr(sess) + repr(sess._session)
    assert "signed in" in caplog.text
    for tok in tokens:
        assert tok not in text
    assert PASSWORD not in text


def test_rate_limit_carries_retry_after(pds: FakeBluesky, app_password: None) -> None:
    reset = int(time.time()) + 42
    pds.fail_next(
        "GET",
        "/xrpc/com.atproto.server.getSession",
        429,
        {"error": "RateLimitExceeded", "message": "Rate Limit Exceeded"},
        {"ratelimit-reset": str(reset), "ratelimit-remaining": "0"},
    )
    with pytest.raises(XrpcError) as err:
        run(_calls(AtprotoSession(pds.url, HANDLE, "bsky-ops"), 1))
    assert err.value.status == 429
    assert err.value.retry_after is not None and 35 <= err.value.retry_after <= 42


def test_timeout_is_an_xrpc_error(pds: FakeBluesky, app_password: None) -> None:
    pds.fail_next("POST", "/xrpc/com.atproto.server.createSession", 200, {}, delay=1.0)
    with pytest.raises(XrpcError, match="timeout"):
        run(_calls(AtprotoSession(pds.url, HANDLE, "bsky-ops", timeout=0.2), 1))


def test_deterministic_tid_is_a_valid_record_key() -> None:
    a = deterministic_tid("key-1", 1_764_000_000.5)
    assert TID_RE.match(a)
    assert a == deterministic_tid("key-1", 1_764_000_000.5)
    assert a != deterministic_tid("key-2", 1_764_000_000.5)


def test_jwt_exp_reads_the_claim_and_tolerates_junk() -> None:
    assert jwt_exp("not-a-jwt") is None
    assert jwt_exp("a.eyJleHAiOiAxMjN9.c") == 123.0
