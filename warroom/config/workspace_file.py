"""The workspace TOML file (CONTRACT.md): one import for everything about it.

The work lives in three places; this module only gathers their public names so callers
keep one import:

- ``warroom.domain.workspace``: the types (``WorkspaceConfig``, ``Target``, ``Vantage``,
  ``ProbeSettings``, ``Feed``, ``Channel``, ``Problem``) and pure helpers;
- ``warroom.config.parse``: ``load``, ``parse_text``, ``validate_text``,
  ``WorkspaceFileError``;
- ``warroom.config.dump``: ``dumps``, ``save``, ``save_text``;
- ``warroom.domain.comms``: the ``[comms]`` table's type (``Comms``, parsed by
  ``warroom.config.comms``), the composer's.
"""

from __future__ import annotations

from warroom.config.dump import dumps, save, save_text
from warroom.config.parse import WorkspaceFileError, load, parse_text, validate_text
from warroom.domain.comms import Comms
from warroom.domain.workspace import (
    CHECK_SCHEMES,
    DNS_RECORDS,
    PROXY_SCHEMES,
    SYSTEM_VANTAGE,
    TARGET_OVERRIDABLE,
    Channel,
    Feed,
    ProbeSettings,
    Problem,
    Target,
    Vantage,
    WorkspaceConfig,
    check_url,
    split_host_port,
    target_from_url,
)

__all__ = [
    "CHECK_SCHEMES",
    "DNS_RECORDS",
    "PROXY_SCHEMES",
    "SYSTEM_VANTAGE",
    "TARGET_OVERRIDABLE",
    "Channel",
    "Comms",
    "Feed",
    "ProbeSettings",
    "Problem",
    "Target",
    "Vantage",
    "WorkspaceConfig",
    "WorkspaceFileError",
    "check_url",
    "dumps",
    "load",
    "parse_text",
    "save",
    "save_text",
    "split_host_port",
    "target_from_url",
    "validate_text",
]
