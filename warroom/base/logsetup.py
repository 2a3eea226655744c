"""Logging to a rotating file in the data dir; secrets never go through here.

Every line starts with its UTC time and a ``Z`` (``2026-11-30T02:02:52.275Z``), like
every time the record itself stores: a log read next to the timeline, or next to a
colleague's log from another zone, needs no guessing.
"""

from __future__ import annotations

import logging
import logging.handlers
import time
from pathlib import Path

LOG_NAME = "warroom.log"
LINE_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(process)d] %(message)s"


class UtcFormatter(logging.Formatter):
    """``asctime`` as UTC ISO 8601 with milliseconds and ``Z``, whatever ``$TZ`` says."""

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        stamp = time.strftime(datefmt or "%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
        return f"{stamp}.{int(record.msecs):03d}Z"


def log_path(data_dir: Path) -> Path:
    return data_dir / "logs" / LOG_NAME


def setup_logging(data_dir: Path, *, verbose: bool = False) -> Path | None:
    """Attach a rotating file handler (1 MB x 5); returns the log file or None."""
    root = logging.getLogger()
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    path = log_path(data_dir)
    for h in root.handlers:
        if isinstance(h, logging.handlers.RotatingFileHandler) and Path(h.baseFilename) == path:
            return path
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handler: logging.Handler = logging.handlers.RotatingFileHandler(
            path, maxBytes=1_000_000, backupCount=5, encoding="utf-8", delay=True
        )
    except OSError:
        return None
    handler.setFormatter(UtcFormatter(LINE_FORMAT))
    root.addHandler(handler)
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)
    return path
