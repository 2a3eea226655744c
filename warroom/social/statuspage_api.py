"""Publishing to a hosted Atlassian Statuspage through its REST API (v1).

The first update of a Warroom incident creates a Statuspage incident
(``POST /v1/pages/{page_id}/incidents``); later ones post updates to it
(``PATCH .../incidents/{id}``) with the stage as the incident status. Components named in
the channel's ``components`` table get the status the measurements support
(``component_status``): down from every vantage is ``major_outage``, down from some is
``partial_outage``, degraded is ``degraded_performance``; ``resolved`` sets them all
``operational``. Authorization is ``OAuth <api key>``; the key comes from the secrets
store by name and is never logged or shown.

Statuspage has no idempotency key, so a retry looks before it writes: the incident is
found among the unresolved ones by name and creation time, an update by its body.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TypedDict

import httpx

from warroom.base import timeutil
from warroom.base.jsonval import as_object, get_str, objects
from warroom.social.channels import ChannelSpec
from warroom.social.honesty import VantageState, figures
from warroom.social.publish_clients import (
    Outcome,
    PublishError,
    SecretLookup,
    http_failure,
    read_secret,
    transport_failure,
)
from warroom.store.comms import Publication

STATUSES = ("investigating", "identified", "monitoring", "resolved")


def component_status(stage: str, target_states: Iterable[VantageState], target: str) -> str | None:
    """The Statuspage component status the measurements of ``target`` support; None when
    nothing measured it recently (the component is then left as it is: no measurement is
    not evidence of health)."""
    if stage == "resolved":
        return "operational"
    mine = [s for s in target_states if s.target == target]
    for f in figures(mine):
        if f.all_down:
            return "major_outage"
        if f.down:
            return "partial_outage"
        if any(s.status == "degraded" for s in mine):
            return "degraded_performance"
        return "operational"
    return None


class IncidentFields(TypedDict, total=False):
    """The ``incident`` object we send (Statuspage API: create / update an incident)."""

    name: str
    status: str  # investigating, identified, monitoring, resolved
    body: str
    components: dict[str, str]  # component id -> its status
    component_ids: list[str]


@dataclass(frozen=True, slots=True)
class Link:
    """The Statuspage incident that carries a Warroom incident."""

    remote_id: str
    url: str | None


class StatuspageClient:
    def __init__(
        self, spec: ChannelSpec, client: httpx.AsyncClient, lookup: SecretLookup | None = None
    ) -> None:
        if not spec.page_id:
            raise PublishError(f"channel {spec.name!r} needs page_id = ... (the Statuspage page)")
        self.spec = spec
        self.client = client
        self.lookup = lookup
        self.what = f"Statuspage {spec.name}"

    @property
    def _base(self) -> str:
        return f"{self.spec.url}/v1/pages/{self.spec.page_id}"

    async def _req(self, method: str, path: str, body: dict[str, object] | None = None) -> object:
        """The decoded answer, unchecked: each caller narrows it (warroom.base.jsonval)."""
        key = read_secret(self.spec, self.lookup)
        try:
            resp = await self.client.request(
                method,
                self._base + path,
                json=body,
                headers={"Authorization": f"OAuth {key}"},
            )
        except httpx.HTTPError as exc:
            raise transport_failure(self.what, exc) from None
        if resp.status_code not in (200, 201):
            raise http_failure(self.what, resp)
        try:
            return resp.json()
        except ValueError:
            raise PublishError(f"{self.what}: the answer is not JSON") from None

    def _components(
        self, stage: str, states: list[VantageState]
    ) -> tuple[dict[str, str], list[str]]:
        comps: dict[str, str] = {}
        for target, cid in self.spec.components:
            status = component_status(stage, states, target)
            if status is not None:
                comps[cid] = status
        return comps, list(comps)

    @staticmethod
    def _link(inc: object) -> Link:
        if not isinstance(inc, dict) or not inc.get("id"):
            raise PublishError("Statuspage: the answer is not an incident")
        return Link(str(inc["id"]), get_str(inc, "shortlink") or None)

    async def _find_created(self, name: str, since: datetime) -> Link | None:
        """An unresolved incident with this name created since our first try."""
        found = await self._req("GET", "/incidents/unresolved")
        for inc in objects(found):
            try:
                created = timeutil.parse_utc(str(inc.get("created_at")))
            except ValueError:
                continue
            if inc.get("name") == name and created >= since - timedelta(minutes=2):
                return self._link(inc)
        return None

    async def _has_update(self, link: Link, body: str) -> bool:
        inc = await self._req("GET", f"/incidents/{link.remote_id}")
        updates = as_object(inc).get("incident_updates")
        return any(u.get("body") == body for u in objects(updates))

    async def publish(
        self,
        pub: Publication,
        *,
        title: str,
        link: Link | None,
        states: list[VantageState],
    ) -> tuple[Outcome, Link]:
        """Create the Statuspage incident (``link`` None) or post an update to it."""
        stage = pub.stage if pub.stage in STATUSES else "investigating"
        comps, ids = self._components(stage, states)
        first_try = not pub.maybe_sent
        if link is None:
            if not first_try:
                found = await self._find_created(title, timeutil.parse_utc(pub.created_at))
                if found is not None:
                    return Outcome(found.url or "", found.remote_id), found
            incident: IncidentFields = {"name": title, "status": stage, "body": pub.text}
            if comps:
                incident["components"] = comps
                incident["component_ids"] = ids
            made = self._link(await self._req("POST", "/incidents", {"incident": incident}))
            return Outcome(made.url or "", made.remote_id), made
        if not first_try and await self._has_update(link, pub.text):
            return Outcome(link.url or "", link.remote_id), link
        update: IncidentFields = {"status": stage, "body": pub.text}
        if comps:
            update["components"] = comps
            update["component_ids"] = ids
        got = self._link(
            await self._req("PATCH", f"/incidents/{link.remote_id}", {"incident": update})
        )
        return Outcome(got.url or link.url or "", got.remote_id), Link(
            got.remote_id, got.url or link.url
        )
