"""The bootstrap: one entry point that chooses between the command line and the window.

``cli/`` never imports ``ui/``; this module is the only place that knows both.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

from warroom.base.errors import WarroomError
from warroom.cli import parse_args, run
from warroom.cli.common import Context


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if args.command is not None:
        return run(args)
    ctx = Context(args)
    try:
        from warroom.ui.launch import launch_gui

        return launch_gui(args)
    except WarroomError as exc:
        ctx.error(str(exc))
        return exc.exit_code
    except KeyboardInterrupt:
        return 130
    finally:
        ctx.close()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
