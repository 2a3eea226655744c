"""pytest fixtures over ``tests/helpers/servers.py`` (loaded from tests/conftest.py).

- ``testnet`` (session): every loopback server (see ``TestNet``), started once.
- ``seed_scenario`` (function): a workspace TOML in tmp_path where ``www`` is up via
  isp-a, SERVFAIL via isp-b and given a wrong address via isp-lie; ``.path``, ``.text``,
  ``.summary`` ("www: down via isp-b, isp-lie; up via isp-a").
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from helpers.servers import SeedScenario, TestNet
from helpers.servers import seed_scenario as _seed


@pytest.fixture(scope="session")
def testnet(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestNet]:
    net = TestNet.start(tmp_path_factory.mktemp("testnet"))
    try:
        yield net
    finally:
        net.stop()


@pytest.fixture
def seed_scenario(testnet: TestNet, tmp_path: Path) -> SeedScenario:
    return _seed(testnet, tmp_path)
