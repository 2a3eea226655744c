"""The throwaway workspace of ``warroom --demo``.

Without ``--data-dir`` the demo lives in a fresh temporary directory that is removed
when the window closes, so trying Warroom never touches a real workspace (not even the
one ``WARROOM_DATA_DIR`` points at). The simulated outage is ``session.DemoSession``.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    pass

log = logging.getLogger(__name__)

DEMO_PREFIX = "warroom-demo-"


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
