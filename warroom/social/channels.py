"""Where updates go (``[[channel]]``) and how the composer behaves (``[comms]``).

Built from the workspace file (``from_config``). Kinds:

- ``mastodon = URL`` with ``secret`` = the name of a stored access token
  (``write:statuses``); ``visibility`` optional (default ``public``);
- ``bluesky = URL`` with ``handle`` and ``secret`` = the name of its app password;
- ``statuspage = URL`` (the management API base, ``https://api.statuspage.io``) with
  ``page_id``, ``secret`` = the name of the API key, and optional ``components`` mapping
  target names to component ids (``{ www = "8kbf7d35c070" }``): their status is set
  from the measurements with every update.

``[comms]`` (all optional): ``approval`` (a second person's name before publishing;
default false), ``cadence`` (per severity, default SEV1 15m, SEV2 30m, SEV3 60m, SEV4
120m), ``service`` and ``status_url`` (template fields), ``templates`` (per stage).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from warroom.domain.comms import Comms
    from warroom.domain.workspace import Channel, WorkspaceConfig

KINDS = ("mastodon", "bluesky", "statuspage")
DEFAULT_CADENCE: dict[str, float] = {"SEV1": 900.0, "SEV2": 1800.0, "SEV3": 3600.0, "SEV4": 7200.0}
COMPONENT_STATUSES = (
    "operational",
    "degraded_performance",
    "partial_outage",
    "major_outage",
    "under_maintenance",
)


@dataclass(frozen=True, slots=True)
class ChannelSpec:
    name: str
    kind: str  # mastodon, bluesky, statuspage
    url: str
    handle: str | None = None
    secret: str | None = None
    page_id: str | None = None
    components: tuple[tuple[str, str], ...] = ()  # (target, component id)
    visibility: str = "public"

    @property
    def label(self) -> str:
        """``mastodon-ops (Mastodon)`` for lists and messages."""
        return f"{self.name} ({KIND_LABEL.get(self.kind, self.kind)})"


KIND_LABEL = {"mastodon": "Mastodon", "bluesky": "Bluesky", "statuspage": "Status page"}


@dataclass(frozen=True, slots=True)
class CommsSettings:
    approval: bool = False
    cadence: Mapping[str, float] = field(default_factory=lambda: dict(DEFAULT_CADENCE))
    service: str = ""
    status_url: str = ""
    templates: Mapping[str, str] = field(default_factory=dict)
    language: str = "en"  # of the built-in templates
    measurement_max_age: float = 900.0  # older probe states do not count against a claim

    def cadence_for(self, severity: str) -> float:
        return float(self.cadence.get(severity.upper(), DEFAULT_CADENCE.get(severity, 3600.0)))


def channel_from(c: Channel) -> ChannelSpec:
    """A ChannelSpec from the workspace file's ``[[channel]]``."""
    return ChannelSpec(
        name=c.name,
        kind=c.kind,
        url=c.url.rstrip("/"),
        handle=c.handle,
        secret=c.secret,
        page_id=c.page_id,
        components=tuple((str(a), str(b)) for a, b in c.components),
        visibility=c.visibility or "public",
    )


def settings_from(raw: Comms | CommsSettings | None) -> CommsSettings:
    """CommsSettings from the workspace file's ``[comms]`` (pairs keep the file's order)."""
    if raw is None:
        return CommsSettings()
    if isinstance(raw, CommsSettings):
        return raw
    cadence = dict(DEFAULT_CADENCE)
    cadence.update({k.upper(): float(v) for k, v in raw.cadence})
    return CommsSettings(
        approval=raw.approval,
        cadence=cadence,
        service=raw.service or "",
        status_url=raw.status_url or "",
        templates=dict(raw.templates),
        language=raw.language or "en",
    )


def from_config(config: WorkspaceConfig) -> tuple[list[ChannelSpec], CommsSettings]:
    """The channels and comms settings of a loaded workspace file."""
    return [channel_from(c) for c in config.channels], settings_from(config.comms)
