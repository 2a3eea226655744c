"""A simulated Atlassian Statuspage (public status API v2).

Serves ``/api/v2/summary.json``, ``status.json``, ``components.json`` and
``incidents.json`` in the published shapes (page, status indicator, components with
``status`` operational / degraded_performance / partial_outage / major_outage /
under_maintenance, incidents with ``incident_updates``). Script it with
``set_component``, ``open_incident`` and ``update_incident``. The management API that
the composer publishes to is added by its own tests with ``route()``.
"""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from warroom.sim.social import Request, Response, Service

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


class FakeStatuspage(Service):
    def __init__(
        self, name: str = "Upstream Carrier", url: str = "https://status.carrier.example"
    ) -> None:
        super().__init__()
        self.page = {
            "id": _id(),
            "name": name,
            "url": url,
            "time_zone": "Etc/UTC",
            "updated_at": _iso(),
        }
        self.components: dict[str, dict[str, Any]] = {}
        self.incidents: list[dict[str, Any]] = []  # newest first
        for path in ("summary", "status", "components", "incidents"):
            self.route("GET", f"/api/v2/{path}.json", self._make(path))

    # -- scripting -------------------------------------------------------------------

    def set_component(
        self, name: str, status: str = "operational", *, at: dt.datetime | None = None
    ) -> dict[str, Any]:
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
            return dict(c)

    def open_incident(
        self,
        name: str,
        body: str,
        *,
        status: str = "investigating",
        impact: str = "major",
        at: dt.datetime | None = None,
    ) -> dict[str, Any]:
        with self.lock:
            now = _iso(at)
            inc = {
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
    ) -> dict[str, Any]:
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

    def _add_update(self, inc: dict[str, Any], status: str, body: str, now: str) -> None:
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

    def _status(self) -> dict[str, str]:
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

    def _make(self, what: str) -> Any:
        def handler(req: Request) -> Response:
            with self.lock:
                comps = sorted(self.components.values(), key=lambda c: c["position"])
                out: dict[str, Any] = {"page": dict(self.page)}
                if what in ("summary", "status"):
                    out["status"] = self._status()
                if what in ("summary", "components"):
                    out["components"] = [dict(c) for c in comps]
                if what == "summary":
                    out["incidents"] = [
                        i for i in self.incidents if i["status"] not in ("resolved", "postmortem")
                    ]
                    out["scheduled_maintenances"] = []
                if what == "incidents":
                    out["incidents"] = self.incidents[:50]
                return Response.json(out)

        return handler
