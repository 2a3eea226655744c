"""Where things live: the data dir (the workspace) and bundled resources."""

from __future__ import annotations

import os
import sys
from pathlib import Path

APP_NAME = "warroom"
DB_NAME = "warroom.sqlite"


def default_data_dir() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir(APP_NAME, appauthor=False))


def resolve_data_dir(cli_value: str | os.PathLike[str] | None = None) -> Path:
    """``--data-dir``, else ``WARROOM_DATA_DIR``, else the platform's user data dir."""
    if cli_value:
        return Path(cli_value).expanduser().absolute()
    env = os.environ.get("WARROOM_DATA_DIR")
    if env:
        return Path(env).expanduser().absolute()
    return default_data_dir()


def resource_path(*parts: str) -> Path:
    """A file under ``resources/``, from a checkout, an install or a PyInstaller bundle."""
    base = getattr(sys, "_MEIPASS", None)
    if base:
        return Path(base, "resources", *parts)
    package = Path(__file__).resolve().parent.parent  # warroom/ (this file is base/paths.py)
    for candidate in (package.parent / "resources", package / "resources"):
        if candidate.is_dir():
            return candidate.joinpath(*parts)
    return package.parent.joinpath("resources", *parts)
