"""Every test runs isolated: its own data dir, config dir and keyring, offscreen Qt."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

# Real loopback servers (HTTP(S), DNS, banner, proxies) for any test: tests/helpers/.
pytest_plugins = ["helpers.fixtures"]


@pytest.fixture(autouse=True)
def _isolate(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / ".local" / "share"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / ".cache"))
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(home / "run"))
    monkeypatch.delenv("WARROOM_DATA_DIR", raising=False)
    for key in list(os.environ):
        if key.startswith("WARROOM_SECRET_"):
            monkeypatch.delenv(key)
    # No test ever talks to the workstation's real keyring.
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    d = tmp_path / "ws"
    d.mkdir()
    return d


@pytest.fixture
def store(data_dir: Path) -> Iterator[object]:
    from warroom.store import Store

    s = Store.open(data_dir)
    try:
        yield s
    finally:
        s.close()
