"""Commands: doctor, secret, snapshot. No Qt here; heavy imports stay inside handlers."""

from __future__ import annotations

import argparse
import os
import sys
from typing import TYPE_CHECKING

from warroom.base.errors import NotFound, UsageError, ValidationError
from warroom.cli.common import add_json_flag

if TYPE_CHECKING:
    from warroom.cli.common import Context


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Adds this module's subcommands."""
    p = sub.add_parser(
        "doctor",
        help="check this machine and workspace (exit 0 fine, 1 warnings, 2 errors)",
        description="Checks Python and Qt, the Qt platform (display, xcb libraries), the "
        "data dir, the database (integrity, schema, WAL), snapshots, the keyring and "
        "network basics (loopback, DNS configuration, ICMP). Changes nothing, sends "
        "nothing beyond this machine.",
    )
    p.add_argument("--json", action="store_true", help="one JSON object per check, then a summary")
    p.set_defaults(func=cmd_doctor)

    sp = sub.add_parser("secret", help="store, delete and list secrets in the system keyring")
    ssub = sp.add_subparsers(dest="secret_command", metavar="ACTION", required=True)
    s = ssub.add_parser(
        "set",
        help="store a secret; the value is read from stdin",
        description="Reads the value from standard input (one trailing newline is dropped); "
        "on a terminal it is asked for without echo. An empty value is refused.",
    )
    s.add_argument(
        "name",
        metavar="NAME",
        help="the secret's name, e.g. mastodon-ops (as a workspace file's secret = names it)",
    )
    s.set_defaults(func=cmd_secret_set)
    s = ssub.add_parser("delete", help="remove a secret from the keyring")
    s.add_argument("name", metavar="NAME", help="the secret's name (see secret list)")
    s.set_defaults(func=cmd_secret_delete)
    s = ssub.add_parser("list", help="the names of stored secrets (never values)")
    add_json_flag(s)
    s.set_defaults(func=cmd_secret_list)

    np = sub.add_parser("snapshot", help="list, take and restore workspace snapshots")
    nsub = np.add_subparsers(dest="snapshot_command", metavar="ACTION", required=True)
    s = nsub.add_parser("list", help="the kept snapshots, oldest first")
    add_json_flag(s)
    s.set_defaults(func=cmd_snapshot_list)
    s = nsub.add_parser("create", help="take a snapshot now")
    s.add_argument("--reason", default="manual", help="a label kept with it (default: manual)")
    s.add_argument("--keep", type=int, default=None, help="keep this many (default 12)")
    s.set_defaults(func=cmd_snapshot_create)
    s = nsub.add_parser(
        "restore",
        help="put a snapshot back (the current database is kept as a side copy)",
        description="NAME is a name from 'snapshot list' (with or without .sqlite), "
        "'latest', or a path to a Warroom database file (e.g. a side copy under "
        "backups/ to undo a restore). Refused while a Warroom window has the workspace "
        "open; the snapshot's integrity is checked first.",
    )
    s.add_argument(
        "name",
        metavar="NAME",
        help="a name from snapshot list, latest, or the path of a snapshot file",
    )
    s.set_defaults(func=cmd_snapshot_restore)


# -- doctor --------------------------------------------------------------------------

_LABEL = {"ok": "ok", "warn": "WARN", "error": "ERROR"}


def cmd_doctor(args: argparse.Namespace, ctx: Context) -> int:
    from warroom.system import doctor

    checks = doctor.run_checks(ctx.data_dir)
    code = doctor.exit_code(checks)
    counts = {s: sum(c.status == s for c in checks) for s in ("ok", "warn", "error")}
    if args.json:
        for c in checks:
            ctx.json_line(c.record())
        status = ("ok", "warn", "error")[code]
        ctx.json_line({"summary": counts, "status": status, "exit": code})
        return code
    width = max(len(c.name) for c in checks)
    for c in checks:
        ctx.out(f"{_LABEL[c.status]:<6} {c.name:<{width}}  {c.summary}")
        if c.advice and c.status != "ok":
            ctx.out(f"{'':<6} {'':<{width}}  -> {c.advice}")
    ctx.out(f"doctor: {counts['ok']} ok, {counts['warn']} warning(s), {counts['error']} error(s)")
    return code


# -- secret --------------------------------------------------------------------------


def _read_secret_value(name: str) -> str:
    """From stdin; on a terminal without echo. Never echoed, logged or shown back."""
    stdin = sys.stdin
    if stdin is None or stdin.closed:
        value = ""
    elif stdin.isatty():
        import getpass

        value = getpass.getpass(f"value for secret {name} (not shown): ")
    else:
        value = stdin.read()
        if value.endswith("\r\n"):
            value = value[:-2]
        elif value.endswith("\n"):
            value = value[:-1]
    if not value:
        raise ValidationError(
            f"no value for secret {name!r} on standard input; nothing stored "
            f'(e.g. printf %s "$TOKEN" | warroom secret set {name})'
        )
    return value


def cmd_secret_set(args: argparse.Namespace, ctx: Context) -> int:
    from warroom.system import secrets

    secrets.check_name(args.name)
    value = _read_secret_value(args.name)
    ctx.setup_logging()
    secrets.set(args.name, value, data_dir=ctx.data_dir)
    del value
    ctx.out(f"stored secret {args.name} in the keyring ({secrets.backend_status().name})")
    env = secrets.env_var(args.name)
    if os.environ.get(env):
        ctx.warn(f"{env} is set in this environment and overrides the keyring value")
    return 0


def cmd_secret_delete(args: argparse.Namespace, ctx: Context) -> int:
    from warroom.system import secrets

    ctx.setup_logging()
    if not secrets.delete(args.name, data_dir=ctx.data_dir):
        raise NotFound(f"no secret {args.name!r} in the keyring")
    ctx.out(f"deleted secret {args.name}")
    return 0


def cmd_secret_list(args: argparse.Namespace, ctx: Context) -> int:
    from warroom.system import secrets

    status = secrets.backend_status()
    if not status.usable:
        ctx.warn(f"keyring unavailable ({status.detail.split('; ')[0]})")
    names = secrets.list_names(ctx.data_dir)
    env_vars = set(secrets.env_overrides())
    covered = set()
    for name in names:
        env = secrets.env_var(name)
        overridden = env in env_vars and bool(os.environ.get(env))
        covered.add(env)
        if args.json:
            ctx.json_line({"name": name, "keyring": True, "env": env if overridden else None})
        else:
            ctx.out(f"{name}  (overridden by {env})" if overridden else name)
    for env in sorted(env_vars - covered):
        if args.json:
            ctx.json_line({"name": None, "keyring": False, "env": env})
        else:
            ctx.out(f"{env}  (environment)")
    return 0


# -- snapshot --------------------------------------------------------------------------


def cmd_snapshot_list(args: argparse.Namespace, ctx: Context) -> int:
    from warroom.store import snapshots

    snaps = snapshots.list_snapshots(ctx.data_dir)
    if args.json:
        for s in snaps:
            ctx.json_line(s.record())
        return 0
    if not snaps:
        ctx.warn(f"no snapshots in {snapshots.snapshot_dir(ctx.data_dir)}")
        return 0
    width = max(len(s.name) for s in snaps)
    ctx.out(f"{'NAME':<{width}}  {'CREATED (UTC)':<24}  {'SIZE':>10}  REASON")
    for s in snaps:
        ctx.out(f"{s.name:<{width}}  {s.created_at:<24}  {s.size:>10}  {s.reason or ''}")
    return 0


def cmd_snapshot_create(args: argparse.Namespace, ctx: Context) -> int:
    from warroom.store import snapshots

    keep = snapshots.DEFAULT_KEEP if args.keep is None else args.keep
    if keep < 1:
        raise UsageError(f"--keep must be at least 1, not {keep}")
    info = snapshots.take(ctx.store(), args.reason, keep=keep)
    ctx.out(str(info.path))
    return 0


def cmd_snapshot_restore(args: argparse.Namespace, ctx: Context) -> int:
    from warroom.services import snapshots

    ctx.setup_logging()
    result = snapshots.restore(ctx.data_dir, args.name)
    ctx.out(f"restored {result.snapshot.name} into {ctx.data_dir}")
    if result.side_copy is not None:
        ctx.out(f"the previous database is kept at {result.side_copy}")
    return 0
