"""The log file writes every time in UTC with a Z (issue 9, item 15)."""

from __future__ import annotations

import logging
import os
import re
import subprocess
import sys
import textwrap
from datetime import UTC, datetime, timedelta
from pathlib import Path

from warroom.base.logsetup import UtcFormatter, log_path

STAMP = re.compile(r"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z) INFO ")

# A separate process: setup_logging changes the root logger, and TZ must be set before
# the C library reads it.
SCRIPT = textwrap.dedent(
    """
    import logging, sys
    from pathlib import Path
    from warroom.base.logsetup import setup_logging
    setup_logging(Path(sys.argv[1]))
    logging.getLogger("warroom.test").info("hello from %s", "Berlin")
    logging.shutdown()
    """
)


def test_log_lines_are_utc_with_z_whatever_the_zone(tmp_path: Path) -> None:
    before = datetime.now(UTC)
    for tz in ("Europe/Berlin", "America/Los_Angeles"):
        ws = tmp_path / tz.replace("/", "-")
        subprocess.run(
            [sys.executable, "-c", SCRIPT, str(ws)],
            check=True,
            timeout=60,
            env={**os.environ, "TZ": tz},
        )
        [line] = log_path(ws).read_text("utf-8").splitlines()
        m = STAMP.match(line)
        assert m, line
        written = datetime.strptime(m.group(1), "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)
        # UTC, not the local wall clock read as UTC (Berlin and LA are hours off).
        assert before - timedelta(seconds=1) <= written <= datetime.now(UTC) + timedelta(seconds=1)
        assert line.endswith(
            "warroom.test [" + line.split("[")[1].split("]")[0] + "] hello from Berlin"
        )


def test_formatter_milliseconds() -> None:
    rec = logging.LogRecord("n", logging.INFO, __file__, 1, "m", None, None)
    rec.created = 1_764_468_172.275  # 2025-11-30T02:02:52.275Z
    rec.msecs = 275.0
    assert UtcFormatter("%(asctime)s").format(rec) == "2025-11-30T02:02:52.275Z"
