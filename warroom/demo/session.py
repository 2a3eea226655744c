"""One run of the built-in outage: the world on loopback, its workspace file and the
demo incident that the window's probes write into.

Qt-free: the window starts it (``warroom --demo``) and so does the headless scenario
test. The workspace file is written into the data dir, so the window opens it like any
other; the incident is an ordinary one, marked DEMO in its title.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from warroom.demo.script import PROVIDER
from warroom.demo.world import DemoWorld

if TYPE_CHECKING:
    from warroom.store import Store

log = logging.getLogger(__name__)

WORKSPACE_NAME = "demo-workspace.toml"
TITLE = f"DEMO — {PROVIDER}: customer websites unreachable (simulated)"
SYSTEM_AUTHOR = "demo"


@dataclass
class DemoSession:
    world: DemoWorld
    workspace_path: Path
    incident_id: str
    title: str = TITLE

    @classmethod
    def start(cls, store: Store, data_dir: Path, speed: float = 1.0) -> DemoSession:
        """Start the world, write its workspace file, open (or reuse) the demo incident."""
        from warroom.services.timeline import Timeline

        world = DemoWorld(speed=speed)
        world.start()
        try:
            path = Path(data_dir) / WORKSPACE_NAME
            path.write_text(world.workspace_toml(), encoding="utf-8")
            tl = Timeline(store, author=SYSTEM_AUTHOR)
            existing = [i for i in tl.incidents() if i.title == TITLE]
            if existing:
                incident_id = existing[0].id
            else:
                inc = tl.new_incident(
                    TITLE,
                    severity="SEV2",
                    summary=(
                        f"Built-in demo: {PROVIDER}, a simulated Swiss host, and two "
                        "access providers run on this machine; nothing here is real."
                    ),
                )
                incident_id = inc.id
                tl.log(
                    incident_id,
                    "Demo started: probes of the simulated host run from two simulated "
                    "access providers; customer posts arrive in the feed.",
                    kind="note",
                )
        except BaseException:
            world.stop()
            raise
        log.info("demo session: %s, workspace file %s", incident_id, path)
        return cls(world, path, incident_id)

    def stop(self) -> None:
        self.world.stop()
