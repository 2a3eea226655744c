"""Imports point downwards: every ``warroom`` import obeys the layer table.

The table is the one in docs/architecture.md. The test reads the source with ``ast``
(nothing is imported), so lazy imports inside functions and ``TYPE_CHECKING`` imports
count too: a type borrowed from a higher layer is still a dependency on it.
"""

from __future__ import annotations

import ast
from pathlib import Path

import warroom

ROOT = Path(warroom.__file__).parent

# Higher imports lower; equal ranks do not import each other unless listed below.
RANK = {
    "__main__": 90,
    "main": 80,  # the bootstrap: the only module that knows both cli/ and ui/
    "cli": 70,
    "ui": 70,
    "demo": 60,  # the built-in demo, opened by the window
    "services": 50,
    "social": 50,
    "handover": 50,
    "probes": 40,
    "system": 35,  # the machine: used by every layer above store/, reads store/'s inspect
    "store": 30,
    "domain": 20,
    "config": 20,
    "base": 10,
    "__init__": 10,  # the package itself: __version__
    "sim": 0,  # loopback fakes: imported only by demo/ (and the tests), see SIM_USERS
}
# Sideways imports the architecture allows, each with its reason.
SIDEWAYS = {
    ("social", "services"): "social logs into the timeline through services.timeline",
    ("handover", "services"): "handover logs into the timeline through services.timeline",
    ("config", "domain"): "config parses the workspace file into domain's types",
}
SIM_USERS = {"demo", "sim"}


def _unit(path: Path) -> str:
    """The layer a file belongs to: its top package, or the top module's name."""
    parts = path.relative_to(ROOT).parts
    return parts[0] if len(parts) > 1 else parts[0].removesuffix(".py")


def _target(module: str) -> str | None:
    """The layer a ``warroom.x.y`` module name points at (None: not ours)."""
    parts = module.split(".")
    if parts[0] != "warroom":
        return None
    return parts[1] if len(parts) > 1 else "__init__"


def _imports(tree: ast.Module, package: str) -> list[tuple[int, str]]:
    """(line, module) for every import of ours: top level, lazy or TYPE_CHECKING."""
    out: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [(node.lineno, a.name) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: resolve against this file's package
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                mod = ".".join([*base, *([node.module] if node.module else [])])
            else:
                mod = node.module or ""
            if mod == "warroom" or not node.module:  # ``from warroom import ui``: a package
                out += [(node.lineno, f"{mod}.{a.name}") for a in node.names]
            else:
                out.append((node.lineno, mod))
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute | ast.Name)
            and getattr(node.func, "attr", getattr(node.func, "id", "")) == "import_module"
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            out.append((node.lineno, node.args[0].value))
    return out


def _allowed(src: str, dst: str) -> bool:
    if src == dst or dst == "__version__":
        return True
    if dst == "sim":
        return src in SIM_USERS
    if src == "sim":
        return dst in {"base", "__init__"}
    if RANK[src] > RANK[dst]:
        return True
    return (src, dst) in SIDEWAYS


def violations() -> list[str]:
    found = []
    for path in sorted(ROOT.rglob("*.py")):
        src = _unit(path)
        rel = path.relative_to(ROOT.parent)
        package = ".".join(rel.with_suffix("").parts[:-1])
        for line, module in _imports(ast.parse(path.read_text(encoding="utf-8")), package):
            dst = _target(module)
            if dst is None:
                continue
            assert src in RANK, f"{rel}: {src} is not in the layer table"
            if dst not in RANK:
                if dst == "__version__":
                    continue
                found.append(f"{rel}:{line}: imports {module}, not in the layer table")
            elif not _allowed(src, dst):
                found.append(f"{rel}:{line}: {src} imports {module} ({dst} is not below it)")
    return found


def test_imports_point_downwards() -> None:
    assert violations() == []


def test_the_walk_sees_every_kind_of_import() -> None:
    """The finder catches lazy, TYPE_CHECKING, relative and import_module imports."""
    source = (
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    from warroom.config.comms import Comms\n"
        "def f():\n    import warroom.social.model\n"
        "from . import workspace\n"
        "from warroom import ui\n"
        "importlib.import_module('warroom.cli')\n"
    )
    found = {m for _, m in _imports(ast.parse(source), "warroom.domain")}
    assert found >= {
        "warroom.config.comms",
        "warroom.social.model",
        "warroom.domain.workspace",
        "warroom.ui",
        "warroom.cli",
    }
    assert not _allowed("domain", "config")
    assert not _allowed("store", "social")
    assert not _allowed("cli", "ui")
    assert not _allowed("probes", "sim")
    assert _allowed("probes", "domain")


def test_no_module_is_over_800_lines() -> None:
    """Issue 8: a module past 800 lines holds more than one concern; split it."""
    long = {
        str(p.relative_to(ROOT)): n
        for p in ROOT.rglob("*.py")
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > 800
    }
    assert not long, long
