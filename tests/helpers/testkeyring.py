"""Real keyring backends for tests: they go through keyring's own machinery.

- ``MemoryKeyring``: in-process, for ``keyring.set_keyring(MemoryKeyring())``.
- ``FileKeyring``: for subprocesses, selected with
  ``PYTHON_KEYRING_BACKEND=helpers.testkeyring.FileKeyring`` (``tests`` on PYTHONPATH);
  it keeps its entries in the JSON file named by ``WARROOM_TEST_KEYRING_FILE`` so that a
  test can see what a ``warroom secret`` process stored.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from keyring.backend import KeyringBackend
from keyring.compat import properties
from keyring.errors import PasswordDeleteError

FILE_ENV = "WARROOM_TEST_KEYRING_FILE"


class MemoryKeyring(KeyringBackend):
    @properties.classproperty
    def priority(cls) -> float:
        return 1

    def __init__(self) -> None:
        super().__init__()
        self.entries: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.entries.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.entries[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if self.entries.pop((service, username), None) is None:
            raise PasswordDeleteError(f"{username} not found")


class FileKeyring(KeyringBackend):
    @properties.classproperty
    def priority(cls) -> float:
        return 1

    @staticmethod
    def _path() -> Path:
        return Path(os.environ[FILE_ENV])

    def _load(self) -> dict[str, str]:
        p = self._path()
        return json.loads(p.read_text("utf-8")) if p.exists() else {}

    def _save(self, data: dict[str, str]) -> None:
        self._path().write_text(json.dumps(data), "utf-8")

    def get_password(self, service: str, username: str) -> str | None:
        return self._load().get(f"{service}/{username}")

    def set_password(self, service: str, username: str, password: str) -> None:
        data = self._load()
        data[f"{service}/{username}"] = password
        self._save(data)

    def delete_password(self, service: str, username: str) -> None:
        data = self._load()
        if data.pop(f"{service}/{username}", None) is None:
            raise PasswordDeleteError(f"{username} not found")
        self._save(data)
