"""The command line. It never imports Qt or ``warroom.ui``; ``warroom.main`` chooses
between it and the window.

Subcommands live in ``cmd_*.py`` modules, each with ``register(subparsers)``; handlers
take ``(args, ctx)`` and return an exit code. Known failures (``WarroomError``) become
one ``error:`` line on stderr, per CONTRACT.md.
"""

from __future__ import annotations

import argparse
import importlib
import re
import sys
from collections.abc import Sequence

from warroom import __version__
from warroom.base.errors import WarroomError
from warroom.cli.common import Context, ErrorParser

COMMAND_MODULES = (
    "warroom.cli.cmd_core",
    "warroom.cli.cmd_timeline",
    "warroom.cli.cmd_handover",
    "warroom.cli.cmd_probe",
    "warroom.cli.cmd_feeds",
    "warroom.cli.cmd_comms",
)


def build_parser() -> argparse.ArgumentParser:
    parser = ErrorParser(
        prog="warroom",
        description="A desktop war room for incident commanders. "
        "Without a command, opens the window.",
    )
    parser.add_argument("--version", action="version", version=f"warroom {__version__}")
    parser.add_argument(
        "--data-dir",
        metavar="DIR",
        help="the workspace directory (default: $WARROOM_DATA_DIR, else the user data dir)",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug detail")
    gui = parser.add_argument_group("window")
    gui.add_argument(
        "--demo",
        action="store_true",
        help="open on the built-in simulated outage (a throwaway workspace unless --data-dir)",
    )
    gui.add_argument(
        "--demo-speed",
        metavar="N",
        type=float,
        default=1.0,
        help="with --demo: play the simulated outage N times as fast (default 1: about 3 min)",
    )
    gui.add_argument("--screenshot", metavar="FILE", help="save the window as PNG, then quit")
    gui.add_argument(
        "--after",
        metavar="SECONDS",
        type=float,
        default=1.0,
        help="with --screenshot: wait this long first (default 1)",
    )
    gui.add_argument(
        "--size",
        metavar="WxH",
        help="open the window at this size in pixels (e.g. 1280x800), for screenshots",
    )
    gui.add_argument("--workspace-file", metavar="FILE", help="open this workspace TOML file")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=ErrorParser)
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return parser


TIME_OPTIONS = frozenset(
    {"--at", "--started", "--detected", "--mitigated", "--resolved", "--next-update", "--due"}
)
_RELATIVE = re.compile(r"^-\d")


def _join_relative_times(argv: Sequence[str]) -> list[str]:
    """``--at -5m`` means ``--at=-5m``: argparse would take ``-5m`` for an option."""
    out: list[str] = []
    items = list(argv)
    i = 0
    while i < len(items):
        a = items[i]
        if a in TIME_OPTIONS and i + 1 < len(items) and _RELATIVE.match(items[i + 1]):
            out.append(f"{a}={items[i + 1]}")
            i += 2
            continue
        out.append(a)
        i += 1
    return out


def run(args: argparse.Namespace) -> int:
    """Run the subcommand that ``build_parser()`` parsed; the GUI is the bootstrap's."""
    ctx = Context(args)
    try:
        return int(args.func(args, ctx) or 0)
    except WarroomError as exc:
        ctx.error(str(exc))
        return exc.exit_code
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0
    finally:
        ctx.close()


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = build_parser()
    return parser.parse_args(_join_relative_times(sys.argv[1:] if argv is None else argv))
