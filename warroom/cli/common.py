"""What every command shares: the error style, the workspace, JSON lines."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Mapping
from typing import TYPE_CHECKING, NoReturn

from warroom.base.paths import resolve_data_dir

if TYPE_CHECKING:
    from pathlib import Path

    from warroom.store import Store


class ErrorParser(argparse.ArgumentParser):
    """argparse, but a usage error is one ``error:`` line (CONTRACT.md), exit 2."""

    def error(self, message: str) -> NoReturn:
        sys.stderr.write(f"error: {message} (see '{self.prog} --help')\n")
        raise SystemExit(2)


class Context:
    """Lazily opened resources for one command run."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self._store: Store | None = None
        self._logging = False

    @property
    def data_dir(self) -> Path:
        return resolve_data_dir(getattr(self.args, "data_dir", None))

    def store(self) -> Store:
        if self._store is None:
            from warroom.store import Store

            self.setup_logging()
            self._store = Store.open(self.data_dir)
        return self._store

    def setup_logging(self) -> None:
        """Log to the workspace's rotating file; the terminal only sees warnings."""
        if self._logging:
            return
        self._logging = True
        from warroom.base.logsetup import setup_logging

        setup_logging(self.data_dir, verbose=bool(getattr(self.args, "verbose", False)))

    def close(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None

    @staticmethod
    def error(message: str) -> None:
        sys.stderr.write(f"error: {message}\n")
        if logging.getLogger("warroom.cli").hasHandlers():  # else logging echoes it to stderr
            logging.getLogger("warroom.cli").error("%s", message)

    @staticmethod
    def warn(message: str) -> None:
        sys.stderr.write(f"warning: {message}\n")

    @staticmethod
    def out(line: str = "") -> None:
        sys.stdout.write(line + "\n")

    @staticmethod
    def json_line(record: Mapping[str, object]) -> None:
        sys.stdout.write(json.dumps(record, ensure_ascii=False, sort_keys=False) + "\n")


INCIDENT_HELP = "the incident: its id, a unique prefix of it, or 'latest'"
ENTRY_HELP = "the entry: its id or a unique prefix of it"


def add_json_flag(p: argparse.ArgumentParser) -> None:
    p.add_argument("--json", action="store_true", help="print JSON lines")


def add_author(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--author", metavar="NAME", help="who writes this (default: the workspace's name)"
    )
