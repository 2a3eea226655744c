"""A simulated Atlassian Statuspage (public status API v2).

Serves ``/api/v2/summary.json``, ``status.json``, ``components.json`` and
``incidents.json`` in the published shapes (page, status indicator, components with
``status`` operational / degraded_performance / partial_outage / major_outage /
under_maintenance, incidents with ``incident_updates``). Script it with
``set_component``, ``open_incident`` and ``update_incident``.

The management REST API (v1) that a company publishes its own page with, for keys
added with ``add_api_key`` (``Authorization: OAuth <key>``; 401 otherwise):
``POST /v1/pages/{page_id}/incidents`` (``{"incident": {name, status, body,
components: {id: status}, component_ids}}``, 201), ``PATCH`` and ``GET
/v1/pages/{page_id}/incidents/{id}``, ``GET .../incidents/unresolved``, ``GET
.../components`` and ``PATCH .../components/{id}``. An unknown status is a 422.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from typing import NotRequired, TypedDict

from warroom.base.jsonval import as_object, strings
from warroom.sim.http import Handler, HttpFake, Request, Response

INDICATOR = {
    "operational": "none",
    "under_maintenance": "maintenance",
    "degraded_performance": "minor",
    "partial_outage": "major",
    "major_outage": "critical",
}
_RANK = ["none", "maintenance", "minor", "major", "critical"]


def _iso(t: dt.datetime | None = None) -> str:
    return (
        (t or dt.datetime.now(dt.UTC))
        .astimezone(dt.UTC)
        .isoformat(timespec="milliseconds")
        .replace("+00:00", "Z")
    )


def _id() -> str:
    return secrets.token_hex(6)


# The entities of the published API (status API v2 and management API v1).


class Page(TypedDict):
    id: str
    name: str
    url: str
    time_zone: str
    updated_at: str


class Component(TypedDict):
    id: str
    name: str
    status: str  # a key of INDICATOR
    created_at: str
    updated_at: str
    position: int
    description: str | None
    showcase: bool
    group_id: str | None
    page_id: str
    group: bool
    only_show_if_degraded: bool


class IncidentUpdate(TypedDict):
    id: str
    status: str
    body: str
    incident_id: str
    created_at: str
    updated_at: str
    display_at: str
    affected_components: list[dict[str, str]] | None


class Incident(TypedDict):
    id: str
    name: str
    status: str  # investigating, identified, monitoring, resolved, postmortem
    impact: str
    created_at: str
    updated_at: str
    monitoring_at: str | None
    resolved_at: str | None
    shortlink: str
    page_id: str
    incident_updates: list[IncidentUpdate]  # newest first
    components: NotRequired[list[str]]  # the ids a v1 create named


class PageStatus(TypedDict):
    indicator: str
    description: str


class Summary(TypedDict, total=False):
    """summary.json; status.json, components.json and incidents.json are parts of it."""

    page: Page
    status: PageStatus
    components: list[Component]
    incidents: list[Incident]
    scheduled_maintenances: list[Incident]


class FakeStatuspage(HttpFake):
    def __init__(
        self, name: str = "Upstream Carrier", url: str = "https://status.carrier.example"
    ) -> None:
        super().__init__()
        self.page: Page = {
            "id": _id(),
            "name": name,
            "url": url,
            "time_zone": "Etc/UTC",
            "updated_at": _iso(),
        }
        self.components: dict[str, Component] = {}
        self.incidents: list[Incident] = []  # newest first
        for path in ("summary", "status", "components", "incidents"):
            self.route("GET", rf"/api/v2/{path}\.json", self._make(path))
        self.api_keys: set[str] = set()
        v1 = r"/v1/pages/(?P<page_id>[^/]+)"
        self.route("POST", v1 + "/incidents", self._api_create)
        self.route("GET", v1 + "/incidents/unresolved", self._api_unresolved)  # before {id}
        self.route("GET", v1 + "/incidents/(?P<incident_id>[^/]+)", self._api_get)
        self.route("PATCH", v1 + "/incidents/(?P<incident_id>[^/]+)", self._api_update)
        self.route("GET", v1 + "/components", self._api_components)
        self.route("PATCH", v1 + "/components/(?P<component_id>[^/]+)", self._api_component)

    # -- scripting -------------------------------------------------------------------

    def set_component(
        self, name: str, status: str = "operational", *, at: dt.datetime | None = None
    ) -> Component:
        if status not in INDICATOR:
            raise ValueError(f"unknown component status {status!r}")
        with self.lock:
            c = self.components.get(name)
            now = _iso(at)
            if c is None:
                c = {
                    "id": _id(),
                    "name": name,
                    "status": status,
                    "created_at": now,
                    "updated_at": now,
                    "position": len(self.components) + 1,
                    "description": None,
                    "showcase": True,
                    "group_id": None,
                    "page_id": self.page["id"],
                    "group": False,
                    "only_show_if_degraded": False,
                }
                self.components[name] = c
            elif c["status"] != status:
                c["status"], c["updated_at"] = status, now
            self.page["updated_at"] = now
            return c.copy()

    def open_incident(
        self,
        name: str,
        body: str,
        *,
        status: str = "investigating",
        impact: str = "major",
        at: dt.datetime | None = None,
    ) -> Incident:
        with self.lock:
            now = _iso(at)
            inc: Incident = {
                "id": _id(),
                "name": name,
                "status": status,
                "impact": impact,
                "created_at": now,
                "updated_at": now,
                "monitoring_at": None,
                "resolved_at": None,
                "shortlink": f"https://stspg.io/{_id()[:6]}",
                "page_id": self.page["id"],
                "incident_updates": [],
            }
            self.incidents.insert(0, inc)
            self._add_update(inc, status, body, now)
            return inc

    def update_incident(
        self, incident_id: str, status: str, body: str, *, at: dt.datetime | None = None
    ) -> Incident:
        with self.lock:
            inc = next(i for i in self.incidents if i["id"] == incident_id)
            now = _iso(at)
            inc["status"], inc["updated_at"] = status, now
            if status == "resolved":
                inc["resolved_at"] = now
            if status == "monitoring":
                inc["monitoring_at"] = now
            self._add_update(inc, status, body, now)
            return inc

    def add_api_key(self, key: str) -> None:
        with self.lock:
            self.api_keys.add(key)

    def _add_update(self, inc: Incident, status: str, body: str, now: str) -> None:
        inc["incident_updates"].insert(
            0,
            {
                "id": _id(),
                "status": status,
                "body": body,
                "incident_id": inc["id"],
                "created_at": now,
                "updated_at": now,
                "display_at": now,
                "affected_components": None,
            },
        )

    # -- endpoints -------------------------------------------------------------------

    def _status(self) -> PageStatus:
        worst = "none"
        for c in self.components.values():
            ind = INDICATOR[c["status"]]
            if _RANK.index(ind) > _RANK.index(worst):
                worst = ind
        desc = {
            "none": "All Systems Operational",
            "maintenance": "Service Under Maintenance",
            "minor": "Minor Service Outage",
            "major": "Partial System Outage",
            "critical": "Major System Outage",
        }[worst]
        return {"indicator": worst, "description": desc}

    def _make(self, what: str) -> Handler:
        def handler(req: Request, _m: re.Match[str]) -> Response:
            with self.lock:
                comps = sorted(self.components.values(), key=lambda c: c["position"])
                out: Summary = {"page": self.page.copy()}
                if what in ("summary", "status"):
                    out["status"] = self._status()
                if what in ("summary", "components"):
                    out["components"] = [c.copy() for c in comps]
                if what == "summary":
                    out["incidents"] = [
                        i for i in self.incidents if i["status"] not in ("resolved", "postmortem")
                    ]
                    out["scheduled_maintenances"] = []
                if what == "incidents":
                    out["incidents"] = self.incidents[:50]
                return Response(200, out)

        return handler

    # -- the management API (v1) ---------------------------------------------------------

    _STATUSES = ("investigating", "identified", "monitoring", "resolved")

    def _api_check(self, req: Request, m: re.Match[str]) -> Response | None:
        auth = req.headers.get("authorization", "")
        if not auth.startswith("OAuth ") or auth[6:].strip() not in self.api_keys:
            return Response(401, {"error": "Could not authenticate"})
        if m.group("page_id") != self.page["id"]:
            return Response(404, {"error": "Page not found"})
        return None

    @staticmethod
    def _api_body(req: Request) -> dict[str, object] | None:
        try:
            body = req.json()
        except ValueError:
            return None
        inc = as_object(body).get("incident")
        return as_object(inc) if isinstance(inc, dict) else None

    def _apply_components(self, comps: object) -> str | None:
        if comps is None:
            return None
        if not isinstance(comps, dict):
            return "components must be an object of id: status"
        by_id = {c["id"]: c for c in self.components.values()}
        for cid, status in comps.items():
            if cid not in by_id:
                return f"component {cid} not found"
            if status not in INDICATOR:
                return f"invalid component status {status}"
        for cid, status in comps.items():
            self.set_component(by_id[cid]["name"], str(status))
        return None

    def _api_create(self, req: Request, m: re.Match[str]) -> Response:
        bad = self._api_check(req, m)
        if bad is not None:
            return bad
        inc = self._api_body(req)
        if inc is None or not inc.get("name"):
            return Response(422, {"error": "name can't be blank"})
        status = str(inc.get("status") or "investigating")
        if status not in self._STATUSES:
            return Response(422, {"error": f"Status is not included in the list: {status}"})
        problem = self._apply_components(inc.get("components"))
        if problem:
            return Response(422, {"error": problem})
        made = self.open_incident(str(inc["name"]), str(inc.get("body") or ""), status=status)
        made["components"] = strings(inc.get("component_ids"))
        return Response(201, made)

    def _find(self, m: re.Match[str]) -> Incident | None:
        return next((i for i in self.incidents if i["id"] == m.group("incident_id")), None)

    def _api_get(self, req: Request, m: re.Match[str]) -> Response:
        bad = self._api_check(req, m)
        if bad is not None:
            return bad
        found = self._find(m)
        if found is None:
            return Response(404, {"error": "Incident not found"})
        return Response(200, found)

    def _api_unresolved(self, req: Request, m: re.Match[str]) -> Response:
        bad = self._api_check(req, m)
        if bad is not None:
            return bad
        return Response(200, [i for i in self.incidents if i["status"] != "resolved"])

    def _api_update(self, req: Request, m: re.Match[str]) -> Response:
        bad = self._api_check(req, m)
        if bad is not None:
            return bad
        inc = self._api_body(req)
        if inc is None:
            return Response(422, {"error": "incident is missing"})
        found = self._find(m)
        if found is None:
            return Response(404, {"error": "Incident not found"})
        status = str(inc.get("status") or found["status"])
        if status not in self._STATUSES:
            return Response(422, {"error": f"Status is not included in the list: {status}"})
        problem = self._apply_components(inc.get("components"))
        if problem:
            return Response(422, {"error": problem})
        body = str(inc.get("body") or "")
        return Response(200, self.update_incident(found["id"], status, body))

    def _api_components(self, req: Request, m: re.Match[str]) -> Response:
        bad = self._api_check(req, m)
        if bad is not None:
            return bad
        return Response(200, sorted(self.components.values(), key=lambda c: c["position"]))

    def _api_component(self, req: Request, m: re.Match[str]) -> Response:
        bad = self._api_check(req, m)
        if bad is not None:
            return bad
        try:
            status = as_object(as_object(req.json()).get("component"))["status"]
        except (ValueError, KeyError, TypeError):
            return Response(422, {"error": "component.status is missing"})
        cid = m.group("component_id")
        problem = self._apply_components({cid: status})
        if problem:
            return Response(422, {"error": problem})
        return Response(200, next(c.copy() for c in self.components.values() if c["id"] == cid))
