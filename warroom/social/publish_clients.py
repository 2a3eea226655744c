"""The three ways out: Mastodon, Bluesky and a hosted Atlassian Statuspage.

Each client publishes one text for one ``Publication`` and returns an ``Outcome``, or
raises ``PublishError`` saying whether a retry may help (``retryable``) and how long the
server asked to wait (``retry_after``). A retry never posts twice:

- Mastodon: every try sends the publication's ``Idempotency-Key``; the server answers a
  repeated key with the status it already created.
- Bluesky: the record key is a TID fixed by the publication (``deterministic_tid``) and
  ``createdAt`` is the first try's time, so every try writes the same record; a retry
  first asks ``com.atproto.repo.getRecord`` whether the post already exists.
- Statuspage (no idempotency keys): before a retry the incident (or its update) is looked
  up and adopted when it is already there (``statuspage_api``).

Secrets are read through ``warroom.system.secrets`` by name, only here, and never appear
in an error message.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import NotRequired, TypedDict

import httpx

from warroom.base import timeutil
from warroom.base.errors import WarroomError
from warroom.social import lengths
from warroom.social.atproto import AtprotoSession, AuthError, XrpcError, deterministic_tid
from warroom.social.channels import ChannelSpec
from warroom.social.http import rate_wait, short_error
from warroom.store.comms import Publication

BSKY_WEB = "https://bsky.app"  # where people open a post; the API host is the channel's URL
TIMEOUT = 15.0


class PublishError(WarroomError):
    """Publishing failed this time. ``retryable``: the same try again may succeed."""

    def __init__(
        self,
        message: str,
        *,
        retryable: bool = False,
        retry_after: float | None = None,
        status: int = 0,
    ) -> None:
        super().__init__(message)
        self.retryable = retryable
        self.retry_after = retry_after
        self.status = status


# ``app.bsky.feed.post`` as we write it (``$type`` is no Python name: the call form).
BskyPost = TypedDict(
    "BskyPost",
    {"$type": str, "text": str, "createdAt": str, "facets": NotRequired[list[lengths.Facet]]},
)


@dataclass(frozen=True, slots=True)
class Outcome:
    url: str
    remote_id: str


SecretLookup = Callable[[str], str | None]


def read_secret(spec: ChannelSpec, lookup: SecretLookup | None = None) -> str:
    """The channel's secret value; a clear error (naming it, never showing it) if unset."""
    if not spec.secret:
        raise PublishError(f"channel {spec.name!r} has no secret = NAME in the workspace file")
    if lookup is None:
        from warroom.system import secrets

        lookup = secrets.get
    value = lookup(spec.secret)
    if not value:
        raise PublishError(
            f"the secret {spec.secret!r} for channel {spec.name!r} is not set: run "
            f"'warroom secret set {spec.secret}' (or set its WARROOM_SECRET_ variable)"
        )
    return value


def http_failure(what: str, resp: httpx.Response) -> PublishError:
    """A PublishError for an HTTP answer that is not a success."""
    detail = ""
    try:
        body = resp.json()
        if isinstance(body, dict):
            err = body.get("error") or body.get("message")
            if isinstance(err, str):
                detail = ": " + err.splitlines()[0][:200]
    except ValueError:
        pass
    code = resp.status_code
    wait = rate_wait(resp.headers, force=code in (420, 429))
    if code in (420, 429):
        hint = f"; the server asks to wait {round(wait)} s" if wait is not None else ""
        return PublishError(
            f"{what}: rate limited (HTTP {code}){hint}",
            retryable=True,
            retry_after=wait,
            status=code,
        )
    if code >= 500:
        return PublishError(f"{what}: HTTP {code}{detail}", retryable=True, status=code)
    if code in (401, 403):
        return PublishError(
            f"{what}: HTTP {code}, the credentials were refused{detail}", status=code
        )
    return PublishError(f"{what}: HTTP {code}{detail}", status=code)


def transport_failure(what: str, exc: httpx.HTTPError) -> PublishError:
    # A timeout may mean the post was made and the answer lost: retryable, same key.
    return PublishError(f"{what}: {short_error(exc)}", retryable=True)


# -- Mastodon ---------------------------------------------------------------------------


class MastodonClient:
    def __init__(
        self, spec: ChannelSpec, client: httpx.AsyncClient, lookup: SecretLookup | None = None
    ) -> None:
        self.spec = spec
        self.client = client
        self.lookup = lookup
        self._limit: int | None = None

    async def max_characters(self) -> int:
        """The server's limit (``configuration.statuses.max_characters``), 500 if unknown."""
        if self._limit is not None:
            return self._limit
        for path in ("/api/v2/instance", "/api/v1/instance"):
            try:
                resp = await self.client.get(self.spec.url + path)
            except httpx.HTTPError:
                continue
            if resp.status_code != 200:
                continue
            try:
                data = resp.json()
                n = data["configuration"]["statuses"]["max_characters"]
            except (ValueError, KeyError, TypeError):
                n = data.get("max_toot_chars") if isinstance(data, dict) else None
            if isinstance(n, int) and n > 0:
                self._limit = n
                return n
        return lengths.MASTODON_DEFAULT_LIMIT

    async def publish(self, pub: Publication) -> Outcome:
        token = read_secret(self.spec, self.lookup)
        what = f"Mastodon {self.spec.name}"
        try:
            resp = await self.client.post(
                self.spec.url + "/api/v1/statuses",
                data={"status": pub.text, "visibility": self.spec.visibility},
                headers={"Authorization": f"Bearer {token}", "Idempotency-Key": pub.key},
            )
        except httpx.HTTPError as exc:
            raise transport_failure(what, exc) from None
        if resp.status_code != 200:
            raise http_failure(what, resp)
        try:
            data = resp.json()
            return Outcome(str(data.get("url") or data["uri"]), str(data["id"]))
        except (ValueError, KeyError, TypeError, AttributeError):
            raise PublishError(f"{what}: the answer is not a status") from None


# -- Bluesky ----------------------------------------------------------------------------


class BlueskyClient:
    COLLECTION = "app.bsky.feed.post"

    def __init__(
        self, spec: ChannelSpec, client: httpx.AsyncClient, lookup: SecretLookup | None = None
    ) -> None:
        if not spec.handle:
            raise PublishError(f"channel {spec.name!r} needs handle = ... (the account)")
        self.spec = spec
        self.session = AtprotoSession(
            spec.url, spec.handle, spec.secret or "", client=client, password_lookup=lookup
        )

    def _record(self, pub: Publication) -> BskyPost:
        record: BskyPost = {
            "$type": self.COLLECTION,
            "text": pub.text,
            "createdAt": pub.created_at,
        }
        facets = lengths.bluesky_facets(pub.text)
        if facets:
            record["facets"] = facets
        return record

    def _url(self, rkey: str) -> str:
        return f"{BSKY_WEB}/profile/{self.spec.handle}/post/{rkey}"

    async def _existing(self, rkey: str) -> Outcome | None:
        try:
            got = await self.session.call(
                "com.atproto.repo.getRecord",
                params={"repo": self.session.did, "collection": self.COLLECTION, "rkey": rkey},
            )
        except XrpcError as exc:
            if exc.error == "RecordNotFound":
                return None
            raise self._error(exc) from None
        return Outcome(self._url(rkey), str(got.get("uri") or rkey))

    def _error(self, exc: XrpcError) -> PublishError:
        what = f"Bluesky {self.spec.name}"
        retryable = not isinstance(exc, AuthError) and (
            exc.status == 0 or exc.status >= 500 or exc.status == 429
        )
        return PublishError(
            f"{what}: {exc}", retryable=retryable, retry_after=exc.retry_after, status=exc.status
        )

    async def publish(self, pub: Publication) -> Outcome:
        if not self.spec.secret:
            read_secret(self.spec)  # raises the clear error
        rkey = deterministic_tid(pub.key, timeutil.parse_utc(pub.created_at).timestamp())
        try:
            await self.session.ensure()
            if pub.maybe_sent:
                found = await self._existing(rkey)
                if found is not None:
                    return found
            got = await self.session.call(
                "com.atproto.repo.createRecord",
                body={
                    "repo": self.session.did,
                    "collection": self.COLLECTION,
                    "rkey": rkey,
                    "record": self._record(pub),
                },
            )
        except XrpcError as exc:
            err = self._error(exc)
            if err.retryable and exc.status != 429:
                # The write may have happened (lost answer, or a 500 for an existing rkey).
                try:
                    found = await self._existing(rkey)
                except PublishError:
                    found = None
                if found is not None:
                    return found
            raise err from None
        return Outcome(self._url(rkey), str(got.get("uri") or rkey))

    async def aclose(self) -> None:
        await self.session.aclose()
