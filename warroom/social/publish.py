"""Publishing a draft to channels: retries that never post twice, results on the record.

``Publisher.publish(draft, channels)`` sends one text to each channel at once and returns
a ``ChannelResult`` per channel (URL or error). Each channel's work is a *publication*
kept in the workspace (``store/comms.py``) whose id is the idempotency key of every try,
in this run or a later one: re-running ``warroom publish`` with the same text after a
timeout retries with the same key, and a text that already went out is reported with its
URL instead of being posted again (``again=True`` posts it anew, deliberately).

Retries: a timeout, a 5xx or a 429 is tried again (up to ``max_attempts``), waiting what
the server asked (``Retry-After``) or a short backoff, never longer than ``max_wait``;
a 422 (too long, invalid) or refused credentials are final. With an incident, every
result becomes a ``comms`` timeline entry by the person who published, saying where.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import httpx

from warroom.base.errors import UsageError, ValidationError
from warroom.social import lengths
from warroom.social.channels import ChannelSpec, CommsSettings
from warroom.social.honesty import VantageState
from warroom.social.publish_clients import (
    TIMEOUT,
    BlueskyClient,
    MastodonClient,
    Outcome,
    PublishError,
    SecretLookup,
)
from warroom.social.statuspage_api import Link, StatuspageClient
from warroom.store import comms as db

if TYPE_CHECKING:
    from warroom.services.timeline import Timeline
    from warroom.store.db import Store

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Draft:
    text: str
    author: str
    stage: str = ""
    incident: str | None = None  # a resolved incident id
    approver: str = ""


@dataclass(frozen=True, slots=True)
class ChannelResult:
    channel: str
    kind: str
    ok: bool
    url: str | None = None
    error: str | None = None
    publication: str = ""
    already: bool = False  # it had gone out before; nothing was sent now
    attempts: int = 0
    entry: str | None = None  # the comms timeline entry, when there is an incident

    @property
    def line(self) -> str:
        """``mastodon-ops: https://...`` or ``bsky-ops: error: ...`` for people."""
        if self.ok:
            note = " (published before; not sent again)" if self.already else ""
            return f"{self.channel}: {self.url}{note}"
        return f"{self.channel}: failed: {self.error}"


def check_approval(draft: Draft, settings: CommsSettings) -> None:
    """The approval rule: a second person's name when the workspace asks for one."""
    approver = draft.approver.strip()
    if approver and approver.casefold() == draft.author.strip().casefold():
        raise ValidationError(
            f"the approver must be a second person, not the author ({draft.author})"
        )
    if settings.approval and not approver:
        raise ValidationError(
            "this workspace requires approval: give the name of the second person who "
            "approved the text (--approved-by NAME, or the Approved by field)"
        )


Client = MastodonClient | BlueskyClient | StatuspageClient


@dataclass
class Publisher:
    """Publishes drafts for one workspace; keeps its clients (and Bluesky sessions)."""

    store: Store
    channels: Sequence[ChannelSpec]
    settings: CommsSettings = field(default_factory=CommsSettings)
    timeline: Timeline | None = None  # services.timeline.Timeline; None: results are not logged
    secret_lookup: SecretLookup | None = None
    max_attempts: int = 3
    max_wait: float = 30.0
    timeout: float = TIMEOUT
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep
    _http: httpx.AsyncClient | None = field(default=None, init=False, repr=False)
    _clients: dict[str, Client] = field(default_factory=dict, init=False, repr=False)

    # -- clients ---------------------------------------------------------------------

    def spec(self, name: str) -> ChannelSpec:
        for c in self.channels:
            if c.name == name:
                return c
        known = ", ".join(c.name for c in self.channels) or "none"
        raise UsageError(f"no channel {name!r} in the workspace file (channels: {known})")

    def _client(self, spec: ChannelSpec) -> Client:
        if self._http is None:
            self._http = httpx.AsyncClient(
                timeout=httpx.Timeout(self.timeout, connect=min(10.0, self.timeout)),
                follow_redirects=False,
            )
        client = self._clients.get(spec.name)
        if client is None:
            if spec.kind == "mastodon":
                client = MastodonClient(spec, self._http, self.secret_lookup)
            elif spec.kind == "bluesky":
                client = BlueskyClient(spec, self._http, self.secret_lookup)
            else:
                client = StatuspageClient(spec, self._http, self.secret_lookup)
            self._clients[spec.name] = client
        return client

    async def aclose(self) -> None:
        if self._http is not None:
            await self._http.aclose()
            self._http = None
        self._clients.clear()

    async def limit(self, spec: ChannelSpec) -> int | None:
        """Mastodon's server limit (asked once per channel); None for the others."""
        if spec.kind != "mastodon":
            return None
        client = self._client(spec)
        if not isinstance(client, MastodonClient):
            return None
        try:
            return int(await client.max_characters())
        except PublishError:
            return lengths.MASTODON_DEFAULT_LIMIT

    # -- publishing ------------------------------------------------------------------

    async def publish(
        self,
        draft: Draft,
        names: Sequence[str],
        *,
        states: Sequence[VantageState] = (),
        again: bool = False,
    ) -> list[ChannelResult]:
        """Publish to every named channel at once; one result per channel, in order."""
        if not draft.text.strip():
            raise ValidationError("the text is empty")
        check_approval(draft, self.settings)
        specs = [self.spec(n) for n in names]
        title = ""
        if draft.incident and self.timeline is not None:
            title = self.timeline.incident(draft.incident).title
        results = list(
            await asyncio.gather(
                *(self._one(spec, draft, title, list(states), again) for spec in specs)
            )
        )
        if (
            draft.incident
            and self.timeline is not None
            and any(r.ok and not r.already for r in results)
        ):
            self._restart_cadence(draft)
        return results

    def _restart_cadence(self, draft: Draft) -> None:
        """A publication restarts the clock: next update due = now + the cadence."""
        from datetime import timedelta

        from warroom.base import timeutil

        timeline = self.timeline
        if timeline is None or not draft.incident:
            return
        inc = timeline.incident(draft.incident)
        if str(inc.status) == "resolved":
            return
        due = timeutil.now() + timedelta(seconds=self.settings.cadence_for(str(inc.severity)))
        timeline.set_incident(inc.id, next_update_due=due)

    async def _one(
        self,
        spec: ChannelSpec,
        draft: Draft,
        title: str,
        states: list[VantageState],
        again: bool,
    ) -> ChannelResult:
        pub = db.reusable(self.store, spec.name, draft.incident, draft.text)
        if pub is not None and pub.state == db.PUBLISHED and not again:
            return ChannelResult(
                spec.name, spec.kind, True, pub.url, None, pub.id, True, pub.attempts
            )
        if pub is None or pub.state == db.PUBLISHED:
            pub = db.create(
                self.store,
                channel=spec.name,
                kind=spec.kind,
                incident=draft.incident,
                text=draft.text,
                author=draft.author,
                approver=draft.approver,
                stage=draft.stage,
            )
        try:
            outcome = await self._attempts(spec, pub, draft, title, states)
        except PublishError as exc:
            pub = db.get(self.store, pub.id)
            entry = self._log(spec, draft, pub.id, None, str(exc))
            log.warning("publishing on %s failed: %s", spec.name, exc)
            return ChannelResult(
                spec.name, spec.kind, False, None, str(exc), pub.id, False, pub.attempts, entry
            )
        pub = db.get(self.store, pub.id)
        entry = self._log(spec, draft, pub.id, outcome.url, None)
        log.info("published on %s: %s", spec.name, outcome.url)
        return ChannelResult(
            spec.name, spec.kind, True, outcome.url, None, pub.id, False, pub.attempts, entry
        )

    async def _attempts(
        self,
        spec: ChannelSpec,
        pub: db.Publication,
        draft: Draft,
        title: str,
        states: list[VantageState],
    ) -> Outcome:
        limit = await self.limit(spec)
        count = lengths.count_for(spec.kind, draft.text, mastodon_limit=limit)
        if count.over:
            err = PublishError(f"{spec.name}: too long for {spec.kind} ({count})")
            db.record_attempt(self.store, pub.id, state=db.FAILED, error=str(err))
            raise err
        if spec.kind == "statuspage" and not draft.incident:
            err = PublishError(f"{spec.name}: a Statuspage update needs an incident (--incident)")
            db.record_attempt(self.store, pub.id, state=db.FAILED, error=str(err))
            raise err
        for n in range(1, self.max_attempts + 1):
            db.mark_sending(self.store, pub.id)
            try:
                outcome = await self._send(spec, pub, draft, title, states)
            except PublishError as exc:
                pub = db.record_attempt(self.store, pub.id, state=db.FAILED, error=str(exc))
                wait = exc.retry_after if exc.retry_after is not None else 0.5 * 2 ** (n - 1)
                if not exc.retryable or n == self.max_attempts:
                    raise
                if wait > self.max_wait:
                    raise PublishError(
                        f"{exc}; not waiting that long: publish again later (the retry "
                        "will not post twice)",
                        status=exc.status,
                    ) from None
                log.info("publishing on %s: %s; trying again in %.1f s", spec.name, exc, wait)
                await self.sleep(wait)
                continue
            db.record_attempt(
                self.store,
                pub.id,
                state=db.PUBLISHED,
                url=outcome.url,
                remote_id=outcome.remote_id,
                error=None,
                author=draft.author,
                approver=draft.approver,
            )
            return outcome
        raise AssertionError("unreachable")

    async def _send(
        self,
        spec: ChannelSpec,
        pub: db.Publication,
        draft: Draft,
        title: str,
        states: list[VantageState],
    ) -> Outcome:
        client = self._client(spec)
        if not isinstance(client, StatuspageClient):  # the kind picked the client
            return await client.publish(pub)
        assert draft.incident is not None
        known = db.statuspage_incident(self.store, spec.name, draft.incident)
        link = Link(*known) if known else None
        outcome, new_link = await client.publish(
            pub, title=title or draft.incident, link=link, states=states
        )
        if link is None or link.remote_id != new_link.remote_id:
            db.set_statuspage_incident(
                self.store, spec.name, draft.incident, new_link.remote_id, new_link.url
            )
        return outcome

    def _log(
        self, spec: ChannelSpec, draft: Draft, pub_id: str, url: str | None, error: str | None
    ) -> str | None:
        """The result as a ``comms`` entry by the person who published; None if no incident."""
        if self.timeline is None or not draft.incident:
            return None
        if url is not None:
            head = f"Published on {spec.label}: {url}"
        else:
            head = f"Publishing on {spec.label} failed: {error}"
        if draft.approver:
            head += f" (approved by {draft.approver})"
        meta = {
            "comms": {
                "channel": spec.name,
                "kind": spec.kind,
                "publication": pub_id,
                "state": db.PUBLISHED if url is not None else db.FAILED,
                "url": url,
                "error": error,
                "stage": draft.stage,
                "approver": draft.approver,
                "text": draft.text,
            }
        }
        res = self.timeline.log(
            draft.incident,
            f"{head}\n\n{draft.text}",
            kind="comms",
            author=draft.author,
            meta=meta,
        )
        return str(res.value.id)
