"""The throwaway workspace of ``warroom --demo``.

Without ``--data-dir`` the demo lives in a fresh temporary directory that is removed
when the window closes, so trying Warroom never touches a real workspace (not even the
one ``WARROOM_DATA_DIR`` points at). The simulated outage itself is a later feature;
for now the workspace gets one clearly labelled sample incident when the timeline
service is available, and stays empty otherwise.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from warroom.store import Store

log = logging.getLogger(__name__)

DEMO_PREFIX = "warroom-demo-"
SAMPLE_TITLE = "DEMO — sample outage (not real)"


@dataclass
class DemoWorkspace:
    data_dir: Path
    throwaway: bool

    def cleanup(self) -> None:
        """Remove the directory if we created it; a user's --data-dir is never removed."""
        if self.throwaway:
            shutil.rmtree(self.data_dir, ignore_errors=True)


def prepare(data_dir: str | Path | None) -> DemoWorkspace:
    if data_dir:
        return DemoWorkspace(Path(data_dir).expanduser().absolute(), throwaway=False)
    return DemoWorkspace(Path(tempfile.mkdtemp(prefix=DEMO_PREFIX)), throwaway=True)


def add_sample_incident(store: Store) -> tuple[str, str] | None:
    """One labelled sample incident with a few entries; (id, title), or None when the
    timeline service is not there (or the workspace already has incidents)."""
    try:
        from warroom.services.timeline import Timeline
    except ImportError:
        return None
    try:
        tl = Timeline(store, author="demo")
        if tl.incidents():
            return None
        inc = tl.new_incident(
            SAMPLE_TITLE,
            severity="SEV2",
            commander="Demo Commander",
            summary="Sample data in a throwaway workspace: nothing here is real.",
        )
        for kind, text in (
            ("observation", "Customers report the website unreachable (sample entry)."),
            ("action", "Started probes from two access providers (sample entry)."),
            ("comms", "First status update posted on social media (sample entry)."),
        ):
            tl.log(inc.id, text, kind=kind)
        return inc.id, SAMPLE_TITLE
    except Exception:
        # The demo must open even when a half-built service misbehaves.
        log.exception("could not add the demo sample incident")
        return None
