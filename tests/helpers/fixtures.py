"""pytest fixtures over ``tests/helpers/servers.py`` (loaded from tests/conftest.py).

- ``testnet`` (session): every loopback server (see ``TestNet``), started once.
- ``seed_scenario`` (function): a workspace TOML in tmp_path where ``www`` is up via
  isp-a, SERVFAIL via isp-b and given a wrong address via isp-lie; ``.path``, ``.text``,
  ``.summary`` ("www: down via isp-b, isp-lie; up via isp-a").
- ``_loopback_only`` (autouse): the gate's route check never asks the real route table
  (``gate.has_route`` answers "route present"; tests that need "offline" inject their
  own ``route_check``), and every test using ``testnet`` fails if anything in the
  process tried to reach an address off loopback or to resolve a name other than
  ``localhost`` through the machine's resolver (this sandbox flags any other
  destination, documentation addresses included).
"""

from __future__ import annotations

import ipaddress
import socket
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

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


def _route_assumed() -> tuple[bool, str]:
    return True, "route assumed (test: loopback network only)"


def is_loopback_host(host: object) -> bool:
    """A numeric loopback address, or the name ``localhost`` (from /etc/hosts)."""
    if not isinstance(host, str):
        return False
    if host.lower().rstrip(".") == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.split("%")[0]).is_loopback
    except ValueError:
        return False


def _destination(args: tuple[Any, ...]) -> Any:
    """The address of ``connect(addr)``, ``sendto(data, addr)`` or ``sendto(data, flags,
    addr)``; None for a connected ``sendto``-less call."""
    addr = args[-1]
    return addr[0] if isinstance(addr, tuple) and addr else addr


@pytest.fixture(autouse=True)
def _loopback_only(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> Iterator[None]:
    monkeypatch.setattr("warroom.probes.gate.has_route", _route_assumed)
    if "testnet" not in request.fixturenames:
        yield
        return
    bad: list[str] = []
    lock = threading.Lock()

    def note(what: str) -> None:
        with lock:
            bad.append(what)

    def guard(name: str, real: Callable[..., Any]) -> Callable[..., Any]:
        def wrapper(sock: socket.socket, *args: Any) -> Any:
            if sock.family in (socket.AF_INET, socket.AF_INET6) and args:
                dest = _destination(args)
                if not is_loopback_host(dest):
                    note(f"{name} to {dest!r}")
                    raise PermissionError(13, f"test guard: {dest!r} is not loopback")
            return real(sock, *args)

        return wrapper

    for name in ("connect", "connect_ex"):
        monkeypatch.setattr(socket.socket, name, guard(name, getattr(socket.socket, name)))
    real_sendto = socket.socket.sendto

    def sendto(sock: socket.socket, *args: Any) -> Any:
        if len(args) >= 2:
            return guard("sendto", real_sendto)(sock, *args)
        return real_sendto(sock, *args)

    monkeypatch.setattr(socket.socket, "sendto", sendto)
    real_gai = socket.getaddrinfo

    def getaddrinfo(host: Any, *args: Any, **kw: Any) -> Any:
        h = host.decode() if isinstance(host, bytes) else host
        if isinstance(h, str) and not is_loopback_host(h):
            try:
                ipaddress.ip_address(h.split("%")[0])  # numeric: no lookup, connect decides
            except ValueError:  # a name: the machine's real resolver would be asked
                note(f"getaddrinfo({h!r}) through the machine's resolver")
                raise socket.gaierror(socket.EAI_NONAME, f"test guard: {h!r}") from None
        return real_gai(host, *args, **kw)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    yield
    assert not bad, f"test traffic left loopback: {bad}"
